/// MULTIPART_* flags and part data from a `multipart/form-data` body (RFC 7578), strict as ModSecurity:
/// every irregularity sets a flag and MULTIPART_STRICT_ERROR.
struct MultipartState {
    var boundaryQuoted = false
    var boundaryWhitespace = false
    var dataBefore = false
    var dataAfter = false
    var headerFolding = false
    var lfLine = false
    var crlfLine = false
    var missingSemicolon = false
    var invalidQuoting = false
    var invalidPart = false
    var invalidHeaderFolding = false
    var fileLimitExceeded = false
    var unmatchedBoundary = false
    var partHeaders: [Entry] = []
    var lastFilename: [UInt8]?
    var lastName: [UInt8]?

    var crlfLFLines: Bool { lfLine && crlfLine }
    var strictError: Bool {
        boundaryQuoted || boundaryWhitespace || dataBefore || dataAfter || headerFolding || (lfLine && crlfLine)
            || missingSemicolon || invalidQuoting || invalidPart || invalidHeaderFolding || fileLimitExceeded
            || unmatchedBoundary
    }
}

struct MultipartResult {
    var state = MultipartState()
    var arguments: [Entry] = []
    var files: [Entry] = []
    var fileSizes: [Entry] = []
}

enum MultipartBodyProcessor {
    /// Extracts the boundary parameter of a Content-Type value, flagging quoting and whitespace.
    static func boundary(from contentType: [UInt8], state: inout MultipartState) -> [UInt8]? {
        let lower = contentType.asciiLowercased()
        let key = Array("boundary".utf8)
        var i = 0
        while i + key.count <= lower.count {
            if Array(lower[i..<(i + key.count)]) == key {
                var j = i + key.count
                while j < lower.count, lower[j] == 32 || lower[j] == 9 {
                    state.boundaryWhitespace = true
                    j += 1
                }
                guard j < lower.count, lower[j] == UInt8(ascii: "=") else { return nil }
                j += 1
                while j < lower.count, lower[j] == 32 || lower[j] == 9 {
                    state.boundaryWhitespace = true
                    j += 1
                }
                var value: [UInt8]
                if j < contentType.count, contentType[j] == UInt8(ascii: "\"") {
                    state.boundaryQuoted = true
                    guard let close = contentType[(j + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                    value = Array(contentType[(j + 1)..<close])
                } else {
                    let end =
                        contentType[j...].firstIndex(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: ",") })
                        ?? contentType.count
                    value = Array(contentType[j..<end])
                    while let l = value.last, l == 32 || l == 9 {
                        state.boundaryWhitespace = true
                        value.removeLast()
                    }
                }
                return value.isEmpty ? nil : value
            }
            i += 1
        }
        return nil
    }

    static func parse(_ body: [UInt8], contentType: [UInt8], limits: BodyLimits) throws(BodyProcessorError)
        -> MultipartResult
    {
        var result = MultipartResult()
        guard let boundary = boundary(from: contentType, state: &result.state) else {
            throw BodyProcessorError(.syntax, "multipart: no boundary in Content-Type")
        }
        let delimiter = Array("--".utf8) + boundary
        // Delimiter positions at line starts.
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if (i == 0 || body[i - 1] == 10) && body[i] == delimiter[0]
                && Array(body[i..<(i + delimiter.count)]) == delimiter
            {
                positions.append(i)
                i += delimiter.count
                continue
            }
            i += 1
        }
        guard let first = positions.first else {
            throw BodyProcessorError(.syntax, "multipart: no boundary found in body")
        }
        if first > 0 { result.state.dataBefore = true }
        var finished = false
        var fileCount = 0
        for (n, start) in positions.enumerated() {
            var p = start + delimiter.count
            if p + 1 < body.count, body[p] == UInt8(ascii: "-"), body[p + 1] == UInt8(ascii: "-") {
                finished = true
                p += 2
                // Anything but a line end after the final delimiter is data after.
                var rest = body[p...].drop(while: { $0 == 13 || $0 == 10 })
                if n + 1 < positions.count { rest = body[p...] }
                if !rest.isEmpty { result.state.dataAfter = true }
                break
            }
            // The rest of the delimiter line must be blank.
            var q = p
            while q < body.count, body[q] == 32 || body[q] == 9 { q += 1 }
            if q < body.count, body[q] == 13, q + 1 < body.count, body[q + 1] == 10 {
                result.state.crlfLine = true
                q += 2
            } else if q < body.count, body[q] == 10 {
                result.state.lfLine = true
                q += 1
            } else {
                result.state.unmatchedBoundary = true
                continue
            }
            guard n + 1 < positions.count else { break }
            var end = positions[n + 1]
            // Strip the line break that belongs to the next delimiter.
            if end > q, body[end - 1] == 10 { end -= 1 }
            if end > q, body[end - 1] == 13 { end -= 1 }
            if end < q { end = q }
            try parsePart(Array(body[q..<end]), into: &result, fileCount: &fileCount, limits: limits)
        }
        if !finished {
            throw BodyProcessorError(.syntax, "multipart: final boundary missing")
        }
        return result
    }

    static func parsePart(_ part: [UInt8], into result: inout MultipartResult, fileCount: inout Int, limits: BodyLimits)
        throws(BodyProcessorError)
    {
        // Headers end at the first empty line.
        var headers: [[UInt8]] = []
        var i = 0
        var bodyStart = part.count
        while i <= part.count {
            let lineEnd = part[i...].firstIndex(of: 10) ?? part.count
            var line = Array(part[i..<lineEnd])
            if line.last == 13 {
                line.removeLast()
                result.state.crlfLine = true
            } else if lineEnd < part.count {
                result.state.lfLine = true
            }
            if line.isEmpty {
                bodyStart = min(lineEnd + 1, part.count)
                break
            }
            if line[0] == 32 || line[0] == 9 {
                result.state.headerFolding = true
                if headers.isEmpty {
                    result.state.invalidHeaderFolding = true
                } else {
                    headers[headers.count - 1] += [32] + Array(line.drop(while: { $0 == 32 || $0 == 9 }))
                }
            } else {
                headers.append(line)
            }
            if lineEnd >= part.count {
                result.state.invalidPart = true
                bodyStart = part.count
                break
            }
            i = lineEnd + 1
        }
        let content = Array(part[bodyStart...])
        var name: [UInt8]?
        var filename: [UInt8]?
        var sawDisposition = false
        for header in headers {
            guard let colon = header.firstIndex(of: UInt8(ascii: ":")) else {
                result.state.invalidPart = true
                continue
            }
            let headerName = Array(header[..<colon])
            if headerName.equalsIgnoringCase(Array("content-disposition".utf8)) {
                sawDisposition = true
                let value = Array(header[(colon + 1)...].drop(while: { $0 == 32 || $0 == 9 }))
                parseDisposition(value, name: &name, filename: &filename, state: &result.state)
            }
        }
        if !sawDisposition || name == nil { result.state.invalidPart = true }
        let partName = name ?? []
        for header in headers { result.state.partHeaders.append(Entry(partName, header)) }
        result.state.lastName = partName
        if let filename {
            fileCount += 1
            if fileCount > limits.files {
                result.state.fileLimitExceeded = true
                throw BodyProcessorError(.fileLimit, "multipart: more than \(limits.files) files")
            }
            result.state.lastFilename = filename
            result.files.append(Entry(partName, filename))
            result.fileSizes.append(Entry(partName, Array(String(content.count).utf8)))
        } else {
            if result.arguments.count >= limits.arguments {
                throw BodyProcessorError(.argumentsLimit, "multipart: more than \(limits.arguments) arguments")
            }
            result.arguments.append(Entry(partName, content))
        }
    }

    static func parseDisposition(
        _ value: [UInt8], name: inout [UInt8]?, filename: inout [UInt8]?, state: inout MultipartState
    ) {
        let lower = value.asciiLowercased()
        guard lower.starts(with: Array("form-data".utf8)) else {
            state.invalidPart = true
            return
        }
        var i = 9
        while i < value.count {
            while i < value.count, value[i] == 32 || value[i] == 9 { i += 1 }
            guard i < value.count else { break }
            if value[i] == UInt8(ascii: ";") {
                i += 1
                while i < value.count, value[i] == 32 || value[i] == 9 { i += 1 }
            } else {
                state.missingSemicolon = true
            }
            let keyStart = i
            while i < value.count, value[i] != UInt8(ascii: "="), value[i] != UInt8(ascii: ";") { i += 1 }
            var key = Array(value[keyStart..<i]).asciiLowercased()
            while let l = key.last, l == 32 || l == 9 { key.removeLast() }
            guard i < value.count, value[i] == UInt8(ascii: "=") else {
                if !key.isEmpty { state.invalidPart = true }
                continue
            }
            i += 1
            while i < value.count, value[i] == 32 || value[i] == 9 { i += 1 }
            var v: [UInt8] = []
            if i < value.count, value[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < value.count {
                    if value[i] == UInt8(ascii: "\\"), i + 1 < value.count,
                        value[i + 1] == UInt8(ascii: "\"") || value[i + 1] == UInt8(ascii: "\\")
                    {
                        v.append(value[i + 1])
                        i += 2
                        continue
                    }
                    if value[i] == UInt8(ascii: "\"") {
                        closed = true
                        i += 1
                        break
                    }
                    v.append(value[i])
                    i += 1
                }
                if !closed { state.invalidQuoting = true }
            } else {
                if i < value.count, value[i] == UInt8(ascii: "'") { state.invalidQuoting = true }
                while i < value.count, value[i] != UInt8(ascii: ";"), value[i] != 32, value[i] != 9 {
                    v.append(value[i])
                    i += 1
                }
            }
            switch key {
            case Array("name".utf8): name = v
            case Array("filename".utf8): filename = v
            case Array("filename*".utf8):
                if filename == nil { filename = v }
            default: break
            }
        }
    }
}
