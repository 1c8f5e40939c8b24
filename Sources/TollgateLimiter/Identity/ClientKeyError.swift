/// A `client_key` spec or trusted-proxy list that cannot be used. `code` is stable; `term` is the
/// offending part of the input.
public struct ClientKeyError: Error, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case emptySpec = "empty_spec"
        case emptyTerm = "empty_term"
        case unknownSource = "unknown_source"
        case missingArgument = "missing_argument"
        case invalidHeaderName = "invalid_header_name"
        case invalidClaim = "invalid_claim"
        case unexpectedArgument = "unexpected_argument"
        case invalidCIDR = "invalid_cidr"
        case invalidPrefix = "invalid_prefix"
    }

    public let code: Code
    public let term: String

    public init(_ code: Code, _ term: String) {
        self.code = code
        self.term = term
    }

    /// Equal when the codes are equal (tests assert the code; `term` is context).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public var description: String {
        switch code {
        case .emptySpec: "client_key is empty (use ip, forwarded, header:NAME or jwt:CLAIM)"
        case .emptyTerm: "client_key has an empty alternative or part in \"\(term)\""
        case .unknownSource: "client_key source \"\(term)\" is not one of ip, forwarded, header:NAME, jwt:CLAIM"
        case .missingArgument: "client_key source \"\(term)\" needs a name after the colon"
        case .invalidHeaderName: "client_key header name in \"\(term)\" is not an HTTP token"
        case .invalidClaim: "client_key JWT claim in \"\(term)\" must be 1 to 256 printable characters"
        case .unexpectedArgument: "client_key source \"\(term)\" takes no argument"
        case .invalidCIDR: "trusted proxy \"\(term)\" is not an address or CIDR block"
        case .invalidPrefix: "IPv6 client prefix \(term) must be in 1...128"
        }
    }
}
