/// A SecLang transformation function (`t:name`).
///
/// Contract between the engine (which parses `t:` and caches chains per request) and the transformation
/// implementations (`Transformation+Apply.swift` and neighbours).
package enum Transformation: String, Sendable, Hashable, CaseIterable {
    case none
    case urlDecode
    case urlDecodeUni
    case lowercase
    case uppercase
    case jsDecode
    case htmlEntityDecode
    case utf8toUnicode
    case removeNulls
    case replaceNulls
    case cssDecode
    case cmdLine
    case removeWhitespace
    case replaceComments
    case removeComments
    case removeCommentsChar
    case normalizePath
    case normalizePathWin
    case escapeSeqDecode
    case compressWhitespace
    case length
    case base64Decode
    case base64DecodeExt
    case base64Encode
    case sha1
    case md5
    case hexEncode
    case hexDecode
    case sqlHexDecode
    case trim
    case trimLeft
    case trimRight

    /// Looks a transformation up by its SecLang name, case-insensitively (`normalisePath` and the other
    /// British spellings ModSecurity accepts are aliases).
    package init?(name: String) {
        let lowered = name.lowercased()
        switch lowered {
        case "normalisepath": self = .normalizePath
        case "normalisepathwin": self = .normalizePathWin
        default:
            guard let match = Transformation.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else {
                return nil
            }
            self = match
        }
    }
}
