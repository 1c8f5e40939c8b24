/// Reads one claim from the payload of a JWT **without verifying its signature**.
///
/// The token is split into its three base64url parts (RFC 7519 section 7.2 steps 1–6 without the
/// signature check), the payload is decoded and parsed as a JSON object, and the top-level member
/// `claim` is returned if it is a string, number or boolean. Anything malformed yields nil. Because the
/// signature is not checked, a client can put any value there: such a key separates well-behaved
/// clients, but an attacker can claim another user's identity and spend that user's limits. Verify
/// tokens in front of Tollgate (or in a later step) when that matters.
public enum JWTClaim {
    /// Largest token considered (bytes); longer tokens are ignored.
    public static let maxTokenBytes = 8 * 1024

    /// The claim from an `Authorization: Bearer <token>` value.
    public static func fromAuthorization(_ value: String, claim: String) -> String? {
        let v = value[...].trimmingWhitespace()
        guard v.count > 7, v.prefix(7).lowercased() == "bearer " else { return nil }
        return read(token: v.dropFirst(7).trimmingWhitespace(), claim: claim)
    }

    /// The claim from a compact JWS token.
    public static func read(token: Substring, claim: String) -> String? {
        guard token.utf8.count <= maxTokenBytes else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty else { return nil }
        guard let payload = base64URLDecode(parts[1]) else { return nil }
        var parser = JSONScanner(bytes: payload)
        return parser.topLevelMember(named: Array(claim.utf8))
    }

    /// Base64url without padding (RFC 4648 section 5); trailing `=` is tolerated.
    public static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        var input = Array(text.utf8)
        while input.last == UInt8(ascii: "=") { input.removeLast() }
        guard input.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for c in input {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "_"): v = 63
            default: return nil
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}

/// A minimal JSON reader: finds one member of the top-level object, skipping everything else, with a
/// nesting limit. Not a general JSON parser.
struct JSONScanner {
    let bytes: [UInt8]
    var i = 0
    static let maxDepth = 32

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func topLevelMember(named name: [UInt8]) -> String? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return nil }
        i += 1
        skipSpace()
        if peek == UInt8(ascii: "}") { return nil }
        var found: String?
        while true {
            skipSpace()
            guard let key = readString() else { return nil }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            if found == nil && key == name {
                found = readScalarText()
                if found == nil { return nil }  // present but an object, array or null: unusable
            } else {
                guard skipValue(depth: 0) else { return nil }
            }
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard peek == UInt8(ascii: "}") else { return nil }
            i += 1
            skipSpace()
            return i == bytes.count ? found : nil
        }
    }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
    }

    /// A string, a number, or true/false, as text.
    mutating func readScalarText() -> String? {
        guard let c = peek else { return nil }
        if c == UInt8(ascii: "\"") {
            guard let s = readString() else { return nil }
            return String(decoding: s, as: UTF8.self)
        }
        let start = i
        guard skipValue(depth: 0) else { return nil }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if text == "null" || c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { return nil }
        return text
    }

    /// Reads a JSON string (RFC 8259 section 7) and returns its UTF-8 bytes.
    mutating func readString() -> [UInt8]? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while let c = peek {
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard let e = peek else { return nil }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = readHex4() else { return nil }
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard peek == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u")
                        else { return nil }
                        i += 2
                        guard let lowHalf = readHex4(), (0xDC00...0xDFFF).contains(lowHalf) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (lowHalf - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: return nil
                }
            default:
                guard c >= 0x20 else { return nil }
                out.append(c)
            }
        }
        return nil
    }

    mutating func readHex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let h = IPAddress.hexValue(bytes[i]) else { return nil }
            v = v << 4 | UInt32(h)
            i += 1
        }
        return v
    }

    mutating func skipValue(depth: Int) -> Bool {
        guard depth < JSONScanner.maxDepth, let c = peek else { return false }
        switch c {
        case UInt8(ascii: "\""):
            return readString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipSpace()
            if peek == close {
                i += 1
                return true
            }
            while true {
                skipSpace()
                if c == UInt8(ascii: "{") {
                    guard readString() != nil else { return false }
                    skipSpace()
                    guard peek == UInt8(ascii: ":") else { return false }
                    i += 1
                    skipSpace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                guard peek == close else { return false }
                i += 1
                return true
            }
        default:
            let start = i
            while let d = peek,
                d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".")
                    || (d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9"))
                    || (d >= UInt8(ascii: "a") && d <= UInt8(ascii: "z"))
                    || d == UInt8(ascii: "E")
            {
                i += 1
            }
            let word = bytes[start..<i]
            if word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8) {
                return true
            }
            return isNumber(word)
        }
    }

    /// RFC 8259 section 6 number grammar.
    func isNumber(_ w: ArraySlice<UInt8>) -> Bool {
        var j = w.startIndex
        func digits() -> Int {
            let s = j
            while j < w.endIndex, w[j] >= UInt8(ascii: "0"), w[j] <= UInt8(ascii: "9") { j += 1 }
            return j - s
        }
        if j < w.endIndex, w[j] == UInt8(ascii: "-") { j += 1 }
        let intStart = j
        let n = digits()
        guard n > 0, !(n > 1 && w[intStart] == UInt8(ascii: "0")) else { return false }
        if j < w.endIndex, w[j] == UInt8(ascii: ".") {
            j += 1
            guard digits() > 0 else { return false }
        }
        if j < w.endIndex, w[j] == UInt8(ascii: "e") || w[j] == UInt8(ascii: "E") {
            j += 1
            if j < w.endIndex, w[j] == UInt8(ascii: "+") || w[j] == UInt8(ascii: "-") { j += 1 }
            guard digits() > 0 else { return false }
        }
        return j == w.endIndex
    }
}
