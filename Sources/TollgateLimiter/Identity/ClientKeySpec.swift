/// Where a client's identity comes from: the `client_key` setting.
///
/// Grammar: alternatives separated by `,` are tried left to right and the first that yields a value wins;
/// within an alternative, parts joined by `+` are combined into one key and all must be present.
/// Sources: `ip` (the peer address), `forwarded` (the right-most untrusted hop, see `ClientIdentity`),
/// `header:NAME`, `jwt:CLAIM`. Examples: `ip`, `header:X-Api-Key,ip`, `jwt:sub+forwarded,forwarded`.
/// When no alternative yields a value, the peer address is used.
public struct ClientKeySpec: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case ip
        case forwarded
        /// Header name, lowercased.
        case header(String)
        case jwt(claim: String)

        public var description: String {
            switch self {
            case .ip: "ip"
            case .forwarded: "forwarded"
            case .header(let name): "header:\(name)"
            case .jwt(let claim): "jwt:\(claim)"
            }
        }
    }

    /// Alternatives in order; each is a non-empty list of parts.
    public let alternatives: [[Source]]

    public init(alternatives: [[Source]]) { self.alternatives = alternatives }

    public static let ip = ClientKeySpec(alternatives: [[.ip]])

    /// Parses and validates a spec string.
    public init(parsing text: String) throws(ClientKeyError) {
        let trimmed = text.trimmingCharacters(" \t")
        guard !trimmed.isEmpty else { throw ClientKeyError(.emptySpec, text) }
        var alternatives: [[Source]] = []
        for alternative in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            var parts: [Source] = []
            for raw in alternative.split(separator: "+", omittingEmptySubsequences: false) {
                let term = raw.trimmingWhitespace()
                guard !term.isEmpty else { throw ClientKeyError(.emptyTerm, String(alternative)) }
                parts.append(try ClientKeySpec.source(term))
            }
            alternatives.append(parts)
        }
        self.alternatives = alternatives
    }

    static func source(_ term: Substring) throws(ClientKeyError) -> Source {
        let pieces = term.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let kind = pieces[0].trimmingWhitespace().lowercased()
        let argument = pieces.count > 1 ? pieces[1].trimmingWhitespace() : nil
        switch kind {
        case "ip", "forwarded":
            guard argument == nil else { throw ClientKeyError(.unexpectedArgument, String(term)) }
            return kind == "ip" ? .ip : .forwarded
        case "header":
            guard let name = argument, !name.isEmpty else { throw ClientKeyError(.missingArgument, String(term)) }
            guard name.utf8.allSatisfy(isTokenChar) else { throw ClientKeyError(.invalidHeaderName, String(term)) }
            return .header(name.lowercased())
        case "jwt":
            guard let claim = argument, !claim.isEmpty else { throw ClientKeyError(.missingArgument, String(term)) }
            guard claim.utf8.count <= 256, claim.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
            else {
                throw ClientKeyError(.invalidClaim, String(term))
            }
            return .jwt(claim: String(claim))
        default:
            throw ClientKeyError(.unknownSource, String(term))
        }
    }

    /// RFC 9110 section 5.6.2 `tchar`.
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    public var description: String {
        alternatives.map { $0.map(\.description).joined(separator: "+") }.joined(separator: ",")
    }
}
