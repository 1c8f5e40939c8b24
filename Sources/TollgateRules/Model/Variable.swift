/// A SecLang variable or collection name (`ARGS`, `REQUEST_HEADERS`, `TX`, ...).
package enum Variable: String, Sendable, Hashable, CaseIterable {
    case args = "ARGS"
    case argsNames = "ARGS_NAMES"
    case argsGet = "ARGS_GET"
    case argsGetNames = "ARGS_GET_NAMES"
    case argsPost = "ARGS_POST"
    case argsPostNames = "ARGS_POST_NAMES"
    case argsCombinedSize = "ARGS_COMBINED_SIZE"
    case requestHeaders = "REQUEST_HEADERS"
    case requestHeadersNames = "REQUEST_HEADERS_NAMES"
    case requestCookies = "REQUEST_COOKIES"
    case requestCookiesNames = "REQUEST_COOKIES_NAMES"
    case requestFilename = "REQUEST_FILENAME"
    case requestBasename = "REQUEST_BASENAME"
    case requestURI = "REQUEST_URI"
    case requestURIRaw = "REQUEST_URI_RAW"
    case requestLine = "REQUEST_LINE"
    case requestMethod = "REQUEST_METHOD"
    case requestProtocol = "REQUEST_PROTOCOL"
    case queryString = "QUERY_STRING"
    case requestBody = "REQUEST_BODY"
    case requestBodyLength = "REQUEST_BODY_LENGTH"
    case reqbodyProcessor = "REQBODY_PROCESSOR"
    case reqbodyError = "REQBODY_ERROR"
    case reqbodyErrorMsg = "REQBODY_ERROR_MSG"
    case reqbodyProcessorError = "REQBODY_PROCESSOR_ERROR"
    case reqbodyProcessorErrorMsg = "REQBODY_PROCESSOR_ERROR_MSG"
    case inboundDataError = "INBOUND_DATA_ERROR"
    case outboundDataError = "OUTBOUND_DATA_ERROR"
    case multipartStrictError = "MULTIPART_STRICT_ERROR"
    case multipartUnmatchedBoundary = "MULTIPART_UNMATCHED_BOUNDARY"
    case multipartBoundaryQuoted = "MULTIPART_BOUNDARY_QUOTED"
    case multipartBoundaryWhitespace = "MULTIPART_BOUNDARY_WHITESPACE"
    case multipartDataBefore = "MULTIPART_DATA_BEFORE"
    case multipartDataAfter = "MULTIPART_DATA_AFTER"
    case multipartHeaderFolding = "MULTIPART_HEADER_FOLDING"
    case multipartLFLine = "MULTIPART_LF_LINE"
    case multipartMissingSemicolon = "MULTIPART_MISSING_SEMICOLON"
    case multipartInvalidQuoting = "MULTIPART_INVALID_QUOTING"
    case multipartInvalidPart = "MULTIPART_INVALID_PART"
    case multipartInvalidHeaderFolding = "MULTIPART_INVALID_HEADER_FOLDING"
    case multipartFileLimitExceeded = "MULTIPART_FILE_LIMIT_EXCEEDED"
    case multipartCRLFLFLines = "MULTIPART_CRLF_LF_LINES"
    case multipartPartHeaders = "MULTIPART_PART_HEADERS"
    case multipartFilename = "MULTIPART_FILENAME"
    case multipartName = "MULTIPART_NAME"
    case files = "FILES"
    case filesNames = "FILES_NAMES"
    case filesSizes = "FILES_SIZES"
    case filesCombinedSize = "FILES_COMBINED_SIZE"
    case filesTmpNames = "FILES_TMPNAMES"
    case filesTmpContent = "FILES_TMP_CONTENT"
    case xml = "XML"
    case responseStatus = "RESPONSE_STATUS"
    case responseProtocol = "RESPONSE_PROTOCOL"
    case responseHeaders = "RESPONSE_HEADERS"
    case responseHeadersNames = "RESPONSE_HEADERS_NAMES"
    case responseBody = "RESPONSE_BODY"
    case responseContentType = "RESPONSE_CONTENT_TYPE"
    case responseContentLength = "RESPONSE_CONTENT_LENGTH"
    case matchedVar = "MATCHED_VAR"
    case matchedVars = "MATCHED_VARS"
    case matchedVarName = "MATCHED_VAR_NAME"
    case matchedVarsNames = "MATCHED_VARS_NAMES"
    case remoteAddr = "REMOTE_ADDR"
    case remotePort = "REMOTE_PORT"
    case remoteHost = "REMOTE_HOST"
    case serverAddr = "SERVER_ADDR"
    case serverPort = "SERVER_PORT"
    case serverName = "SERVER_NAME"
    case uniqueID = "UNIQUE_ID"
    case tx = "TX"
    case ip = "IP"
    case session = "SESSION"
    case global = "GLOBAL"
    case user = "USER"
    case resource = "RESOURCE"
    case env = "ENV"
    case rule = "RULE"
    case duration = "DURATION"
    case time = "TIME"
    case timeEpoch = "TIME_EPOCH"
    case timeYear = "TIME_YEAR"
    case timeMon = "TIME_MON"
    case timeDay = "TIME_DAY"
    case timeHour = "TIME_HOUR"
    case timeMin = "TIME_MIN"
    case timeSec = "TIME_SEC"
    case timeWDay = "TIME_WDAY"
    case highestSeverity = "HIGHEST_SEVERITY"
    case statusLine = "STATUS_LINE"
    case fullRequest = "FULL_REQUEST"
    case fullRequestLength = "FULL_REQUEST_LENGTH"
    case authType = "AUTH_TYPE"
    case webserverErrorLog = "WEBSERVER_ERROR_LOG"

    /// Dense index of the case (for packed cache keys): the enum's one-byte tag, which is its declaration
    /// index. `Engine.init` checks this layout fact once (`ordinalsAreDense`).
    package var ordinal: Int { Int(unsafeBitCast(self, to: UInt8.self)) }

    static let ordinalsAreDense: Bool =
        MemoryLayout<Variable>.size == 1
        && Variable.allCases.enumerated().allSatisfy { $0.element.ordinal == $0.offset }

    /// The name as bytes (MATCHED_VAR_NAME and friends), by ordinal: no conversion per match.
    static let nameBytes: [[UInt8]] = Variable.allCases.map { Array($0.rawValue.utf8) }

    /// Looks a variable up case-insensitively (SecLang variable names are case-insensitive).
    package init?(name: String) {
        guard let v = Variable(rawValue: name.uppercased()) else { return nil }
        self = v
    }

    /// Whether entries carry keys (`ARGS:foo`); scalars have one unnamed value.
    package var isCollection: Bool {
        switch self {
        case .args, .argsNames, .argsGet, .argsGetNames, .argsPost, .argsPostNames, .requestHeaders,
            .requestHeadersNames, .requestCookies, .requestCookiesNames, .files, .filesNames, .filesSizes,
            .filesTmpNames, .filesTmpContent, .multipartPartHeaders, .responseHeaders, .responseHeadersNames,
            .tx, .ip, .session, .global, .user, .resource, .env, .rule, .xml, .matchedVars, .matchedVarsNames:
            return true
        default:
            return false
        }
    }

    /// Whether keys compare case-insensitively (headers, arguments, collections as ModSecurity does).
    package var caseInsensitiveKeys: Bool {
        switch self {
        case .requestCookies, .requestCookiesNames: return false
        default: return true
        }
    }
}

/// How a target picks entries of a collection by key.
package enum KeySelector: Sendable {
    /// Exact key (compared case-insensitively where the collection is), stored lowercased when so.
    case literal([UInt8])
    /// `/regex/` key, matched with the `@rx` operator.
    case regex(pattern: String, matcher: any RuleOperator)
    /// An XPath expression for `XML:` (only `/*` and `//@*` forms are evaluated).
    case xpath(String)
}

/// One target of a rule: `ARGS`, `ARGS:foo`, `!ARGS:/^x/`, `&TX:score`. A class so the rule loop shares it
/// instead of copying its key selector.
package final class VariableTarget: Sendable {
    package let variable: Variable
    package let key: KeySelector?
    /// `&VAR`: the number of matching entries instead of their values.
    package let count: Bool
    /// `!VAR:key`: removes matching entries from the rule's other targets.
    package let exclude: Bool
    /// The text as written, for messages.
    package let text: String
    /// `key != nil`, readable without copying the selector (hot path).
    package let hasKey: Bool
    /// The key selector split out at load so the rule loop never copies the enum (hot path).
    package let literalKey: [UInt8]?
    package let keyMatcher: (any RuleOperator)?
    /// A key regex that is `^` and plain literal characters (CRS's `TX:/^header_name_920450_/`): matched as a
    /// prefix (lowercased where the collection's keys are case-insensitive) without running PCRE2.
    package let keyPrefix: [UInt8]?
    /// For another key regex: clauses every matching key satisfies (lowercase literals, one per clause must occur
    /// in the lowercased key; see `RegexLiterals.requiredClauses`), checked before PCRE2 runs. CRS's
    /// `TX:/MULTIPART_HEADERS_CONTENT_TYPES_*/` then costs a substring search per TX key, not a regex match.
    package let keyClauses: [[[UInt8]]]?

    package init(variable: Variable, key: KeySelector?, count: Bool, exclude: Bool, text: String) {
        self.variable = variable
        self.key = key
        self.hasKey = key != nil
        switch key {
        case .literal(let k)?:
            literalKey = k
            keyMatcher = nil
            keyPrefix = nil
            keyClauses = nil
        case .regex(let pattern, let matcher)?:
            literalKey = nil
            keyMatcher = matcher
            keyPrefix = Self.literalPrefix(of: pattern).map { variable.caseInsensitiveKeys ? $0.asciiLowercased() : $0 }
            keyClauses = keyPrefix == nil ? RegexLiterals.requiredClauses(pattern) : nil
        default:
            literalKey = nil
            keyMatcher = nil
            keyPrefix = nil
            keyClauses = nil
        }
        self.count = count
        self.exclude = exclude
        self.text = text
    }

    /// The literal of a pattern `^literal` made only of letters, digits, `_` and `-` (no metacharacters).
    static func literalPrefix(of pattern: String) -> [UInt8]? {
        let bytes = Array(pattern.utf8)
        guard bytes.count > 1, bytes[0] == UInt8(ascii: "^") else { return nil }
        let rest = bytes[1...]
        for b in rest {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
        }
        return Array(rest)
    }
}
