/// A small, strict parser for the Prometheus text format 0.0.4, for assertions in tests.
///
/// Throws on anything malformed: unknown comment forms, bad label syntax, unparsable values, samples whose
/// family has no TYPE line, duplicate series.
package struct Exposition {
    package struct Sample: Hashable {
        package var name: String
        package var labels: [String: String]
        package var value: Double
    }

    package struct ParseError: Error, CustomStringConvertible {
        package var line: Int
        package var reason: String
        package var description: String { "line \(line): \(reason)" }
    }

    package var types: [String: String] = [:]
    package var helps: [String: String] = [:]
    package var samples: [Sample] = []

    package init(_ text: String) throws {
        var seen = Set<String>()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let rest = line.dropFirst(7)
                guard let space = rest.firstIndex(of: " ") else { throw ParseError(line: number, reason: "comment") }
                let name = String(rest[..<space])
                let text = String(rest[rest.index(after: space)...])
                if line.hasPrefix("# HELP ") {
                    guard helps[name] == nil else { throw ParseError(line: number, reason: "duplicate HELP \(name)") }
                    helps[name] = text
                } else {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(text), types[name] == nil
                    else { throw ParseError(line: number, reason: "bad or duplicate TYPE \(name)") }
                    types[name] = text
                }
                continue
            }
            if line.hasPrefix("#") { throw ParseError(line: number, reason: "unexpected comment") }
            let sample = try Exposition.parseSample(line, number)
            guard family(of: sample.name) != nil else {
                throw ParseError(line: number, reason: "sample \(sample.name) without TYPE")
            }
            let key =
                sample.name + "|"
                + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",")
            guard seen.insert(key).inserted else { throw ParseError(line: number, reason: "duplicate \(key)") }
            samples.append(sample)
        }
    }

    /// The family a sample name belongs to (`x_bucket` belongs to histogram `x`).
    package func family(of sampleName: String) -> String? {
        if types[sampleName] != nil { return sampleName }
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    /// The value of the one sample named `name` with exactly `labels`, or nil.
    package func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// All samples named `name`.
    package func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    package static func parseSample(_ line: String, _ number: Int) throws -> Sample {
        let bytes = Array(line.utf8)
        var i = 0
        func isNameByte(_ b: UInt8, first: Bool) -> Bool {
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A
                || (!first && b >= 0x30 && b <= 0x39)
        }
        while i < bytes.count, isNameByte(bytes[i], first: i == 0) { i += 1 }
        guard i > 0 else { throw ParseError(line: number, reason: "no metric name") }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        var labels: [String: String] = [:]
        if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
            i += 1
            while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
                let start = i
                while i < bytes.count, isNameByte(bytes[i], first: i == start), bytes[i] != 0x3A { i += 1 }
                guard i > start, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "="), bytes[i + 1] == UInt8(ascii: "\"")
                else { throw ParseError(line: number, reason: "bad label") }
                let labelName = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 2
                var value: [UInt8] = []
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") {
                        guard i + 1 < bytes.count else { throw ParseError(line: number, reason: "bad escape") }
                        switch bytes[i + 1] {
                        case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                        case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                        case UInt8(ascii: "n"): value.append(0x0A)
                        default: throw ParseError(line: number, reason: "bad escape")
                        }
                        i += 2
                    } else {
                        value.append(bytes[i])
                        i += 1
                    }
                }
                guard i < bytes.count else { throw ParseError(line: number, reason: "unterminated label value") }
                i += 1
                guard labels[labelName] == nil else { throw ParseError(line: number, reason: "duplicate label") }
                labels[labelName] = String(decoding: value, as: UTF8.self)
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1 }
            }
            guard i < bytes.count else { throw ParseError(line: number, reason: "unterminated labels") }
            i += 1
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: " ") else { throw ParseError(line: number, reason: "no value") }
        let valueText = String(decoding: bytes[(i + 1)...], as: UTF8.self)
        let value: Double
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(valueText), parsed.isFinite else {
                throw ParseError(line: number, reason: "bad value \(valueText)")
            }
            value = parsed
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
