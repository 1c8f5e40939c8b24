/// `@pm` / `@pmFromFile`: case-insensitive match of any of a set of phrases anywhere in the value
/// (Aho-Corasick automaton built at load).
struct PmOperator: RuleOperator {
    let automaton: AhoCorasick
    /// The phrases (for the load-time literal prefilter; matching is case-insensitive either way).
    let phrases: [[UInt8]]

    init(phrases: [[UInt8]]) {
        automaton = AhoCorasick(patterns: phrases)
        self.phrases = phrases
    }

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        automaton.matches(input) ? .match : .noMatch
    }

    /// Splits an `@pm` argument into phrases: whitespace separates phrases; a double-quoted run is one phrase
    /// (quotes removed); `|41 42|` writes bytes in hexadecimal (ModSecurity's content syntax); `\` escapes the
    /// next byte.
    static func parsePhrases(_ argument: String) throws(OperatorLoadError) -> [[UInt8]] {
        let bytes = Array(argument.utf8)
        var phrases: [[UInt8]] = []
        var current: [UInt8] = []
        var inQuote = false
        var inHex = false
        var hexHigh: UInt8?
        var index = 0
        func flush() {
            if !current.isEmpty { phrases.append(current) }
            current = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inHex {
                if byte == UInt8(ascii: "|") {
                    guard hexHigh == nil else {
                        throw OperatorLoadError("@pm: odd number of hex digits in '\(argument)'")
                    }
                    inHex = false
                } else if let value = ByteSearch.hexValue(byte) {
                    if let high = hexHigh {
                        current.append(high << 4 | value)
                        hexHigh = nil
                    } else {
                        hexHigh = value
                    }
                } else if !ByteSearch.isSpace(byte) {
                    throw OperatorLoadError("@pm: invalid hex byte in '\(argument)'")
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\\") where index + 1 < bytes.count:
                current.append(bytes[index + 1])
                index += 2
                continue
            case UInt8(ascii: "|"):
                inHex = true
            case UInt8(ascii: "\""):
                if inQuote {
                    inQuote = false
                    flush()
                } else if current.isEmpty, bytes[(index + 1)...].contains(UInt8(ascii: "\"")) {
                    inQuote = true
                } else {
                    current.append(byte)
                }
            case _ where ByteSearch.isSpace(byte) && !inQuote:
                flush()
            default:
                current.append(byte)
            }
            index += 1
        }
        guard !inHex else { throw OperatorLoadError("@pm: unterminated hex block in '\(argument)'") }
        flush()
        return phrases
    }
}
