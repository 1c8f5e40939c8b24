#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads `@pmFromFile` / `@ipMatchFromFile` data files (load time only).
enum DataFileLoader {
    /// Resolves each space-separated file name of `argument` against `baseDirectory` and returns the phrases:
    /// one per line, lines whose first non-blank byte is `#` and blank lines ignored, CR/LF and surrounding
    /// blanks stripped.
    static func phrases(argument: String, baseDirectory: String, operatorName: String) throws(OperatorLoadError)
        -> [[UInt8]]
    {
        let names = argument.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !names.isEmpty else { throw OperatorLoadError("@\(operatorName): no file given") }
        var phrases: [[UInt8]] = []
        for name in names {
            if name.hasPrefix("http://") || name.hasPrefix("https://") {
                throw OperatorLoadError("@\(operatorName): remote data files are not supported: \(name)")
            }
            let path = name.hasPrefix("/") || baseDirectory.isEmpty ? name : baseDirectory + "/" + name
            let contents = try readFile(path, operatorName: operatorName)
            var lineStart = 0
            for index in 0...contents.count {
                guard index == contents.count || contents[index] == 0x0A else { continue }
                var start = lineStart
                var end = index
                lineStart = index + 1
                while start < end && ByteSearch.isSpace(contents[start]) { start += 1 }
                while end > start && ByteSearch.isSpace(contents[end - 1]) { end -= 1 }
                if start == end || contents[start] == UInt8(ascii: "#") { continue }
                phrases.append(Array(contents[start..<end]))
            }
        }
        return phrases
    }

    /// Reads a whole file into bytes.
    static func readFile(_ path: String, operatorName: String) throws(OperatorLoadError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw OperatorLoadError(
                "@\(operatorName): cannot open data file \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if read > 0 { result.append(contentsOf: chunk[0..<read]) }
            if read < chunk.count {
                if ferror(file) != 0 { throw OperatorLoadError("@\(operatorName): error reading data file \(path)") }
                break
            }
        }
        return result
    }
}
