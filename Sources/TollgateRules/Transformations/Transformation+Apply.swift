extension Transformation {
    /// Applies this transformation to `input` and returns the result.
    ///
    /// Every transformation is total: invalid or truncated encodings are left as they are (as ModSecurity
    /// does), and no input traps. When a cheap scan shows the input has nothing to transform, the input itself
    /// is returned (no copy, no allocation), which is the common case for benign values.
    package func apply(_ input: [UInt8]) -> [UInt8] {
        switch self {
        case .none: return input
        case .urlDecode, .urlDecodeUni:
            guard Self.has(input, "%") || Self.has(input, "+") else { return input }
            return Decoders.urlDecode(input, unicode: self == .urlDecodeUni)
        case .lowercase: return ByteSearch.lowercased(input)
        case .uppercase:
            guard input.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return input }
            return input.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & 0xDF : $0 }
        case .jsDecode:
            guard Self.has(input, "\\") else { return input }
            return Decoders.jsDecode(input)
        case .htmlEntityDecode:
            guard Self.has(input, "&") else { return input }
            return Decoders.htmlEntityDecode(input)
        case .utf8toUnicode:
            guard input.contains(where: { $0 >= 0x80 }) else { return input }
            return Decoders.utf8ToUnicode(input)
        case .removeNulls:
            guard input.contains(0) else { return input }
            return input.filter { $0 != 0 }
        case .replaceNulls:
            guard input.contains(0) else { return input }
            return input.map { $0 == 0 ? 0x20 : $0 }
        case .cssDecode:
            guard Self.has(input, "\\") else { return input }
            return Decoders.cssDecode(input)
        case .cmdLine: return Normalizers.cmdLine(input)
        case .removeWhitespace:
            guard input.contains(where: Normalizers.isWhitespace) else { return input }
            return input.filter { !Normalizers.isWhitespace($0) }
        case .compressWhitespace:
            guard Normalizers.needsCompression(input) else { return input }
            return Normalizers.compressWhitespace(input)
        case .replaceComments:
            guard Self.has(input, "*") else { return input }
            return Comments.replaceComments(input)
        case .removeComments:
            guard Self.mayHoldComments(input) else { return input }
            return Comments.removeComments(input)
        case .removeCommentsChar:
            guard Self.mayHoldComments(input) else { return input }
            return Comments.removeCommentsChar(input)
        case .normalizePath: return Normalizers.normalizePath(input, windows: false)
        case .normalizePathWin: return Normalizers.normalizePath(input, windows: true)
        case .escapeSeqDecode:
            guard Self.has(input, "\\") else { return input }
            return Decoders.escapeSequenceDecode(input)
        case .length: return Array(String(input.count).utf8)
        case .base64Decode: return Base64.decode(input, forgiving: false)
        case .base64DecodeExt: return Base64.decode(input, forgiving: true)
        case .base64Encode: return Base64.encode(input)
        case .sha1: return SHA1.digest(input)
        case .md5: return MD5.digest(input)
        case .hexEncode: return Hex.encode(input)
        case .hexDecode: return Hex.decode(input)
        case .sqlHexDecode:
            guard Self.has(input, "x") || Self.has(input, "X") else { return input }
            return Hex.sqlHexDecode(input)
        case .trim: return Normalizers.trim(input, left: true, right: true)
        case .trimLeft: return Normalizers.trim(input, left: true, right: false)
        case .trimRight: return Normalizers.trim(input, left: false, right: true)
        }
    }

    @inline(__always)
    private static func has(_ input: [UInt8], _ byte: Unicode.Scalar) -> Bool {
        input.contains(UInt8(ascii: byte))
    }

    /// Every comment marker (`/*`, `*/`, `<!--`, `-->`, `--`, `#`) holds `*`, `-` or `#`.
    private static func mayHoldComments(_ input: [UInt8]) -> Bool {
        input.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "#") }
    }
}
