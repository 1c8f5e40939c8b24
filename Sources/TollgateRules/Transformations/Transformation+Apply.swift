extension Transformation {
    /// Applies this transformation to `input` and returns the result.
    ///
    /// Every transformation is total: invalid or truncated encodings are left as they are (as ModSecurity
    /// does), and no input traps.
    package func apply(_ input: [UInt8]) -> [UInt8] {
        switch self {
        case .none: return input
        case .urlDecode: return Decoders.urlDecode(input, unicode: false)
        case .urlDecodeUni: return Decoders.urlDecode(input, unicode: true)
        case .lowercase: return input.map(ByteSearch.lower)
        case .uppercase: return input.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & 0xDF : $0 }
        case .jsDecode: return Decoders.jsDecode(input)
        case .htmlEntityDecode: return Decoders.htmlEntityDecode(input)
        case .utf8toUnicode: return Decoders.utf8ToUnicode(input)
        case .removeNulls: return input.filter { $0 != 0 }
        case .replaceNulls: return input.map { $0 == 0 ? 0x20 : $0 }
        case .cssDecode: return Decoders.cssDecode(input)
        case .cmdLine: return Normalizers.cmdLine(input)
        case .removeWhitespace: return input.filter { !Normalizers.isWhitespace($0) }
        case .compressWhitespace: return Normalizers.compressWhitespace(input)
        case .replaceComments: return Comments.replaceComments(input)
        case .removeComments: return Comments.removeComments(input)
        case .removeCommentsChar: return Comments.removeCommentsChar(input)
        case .normalizePath: return Normalizers.normalizePath(input, windows: false)
        case .normalizePathWin: return Normalizers.normalizePath(input, windows: true)
        case .escapeSeqDecode: return Decoders.escapeSequenceDecode(input)
        case .length: return Array(String(input.count).utf8)
        case .base64Decode: return Base64.decode(input, forgiving: false)
        case .base64DecodeExt: return Base64.decode(input, forgiving: true)
        case .base64Encode: return Base64.encode(input)
        case .sha1: return SHA1.digest(input)
        case .md5: return MD5.digest(input)
        case .hexEncode: return Hex.encode(input)
        case .hexDecode: return Hex.decode(input)
        case .sqlHexDecode: return Hex.sqlHexDecode(input)
        case .trim: return Normalizers.trim(input, left: true, right: true)
        case .trimLeft: return Normalizers.trim(input, left: true, right: false)
        case .trimRight: return Normalizers.trim(input, left: false, right: true)
        }
    }
}
