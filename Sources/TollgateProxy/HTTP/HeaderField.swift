/// A header field as byte ranges into the buffer that holds the head (no copies).
struct HeaderField {
    var name: Range<Int>
    var value: Range<Int>
    /// The name's classification, made once by the parser that produced the field (`.other` until then).
    var kind = KnownHeader.other
}

/// Header names the proxy reacts to, recognized once while parsing.
enum KnownHeader: UInt8 {
    case other, host, contentLength, transferEncoding, connection, keepAlive, proxyConnection, te, trailer,
        upgrade, expect, xRequestID, xForwardedFor, forwarded

    /// Hop-by-hop fields (RFC 9110 7.6.1) and the ones the proxy rewrites itself.
    var isDroppedWhenForwarding: Bool {
        switch self {
        case .contentLength, .transferEncoding, .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade,
            .expect, .xRequestID, .xForwardedFor, .forwarded:
            return true
        case .other, .host:
            return false
        }
    }

    static func classify(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> KnownHeader {
        switch name.count {
        case 2: return matches(bytes, name, "te") ? .te : .other
        case 4: return matches(bytes, name, "host") ? .host : .other
        case 6: return matches(bytes, name, "expect") ? .expect : .other
        case 7:
            if matches(bytes, name, "trailer") { return .trailer }
            return matches(bytes, name, "upgrade") ? .upgrade : .other
        case 9: return matches(bytes, name, "forwarded") ? .forwarded : .other
        case 10:
            if matches(bytes, name, "connection") { return .connection }
            return matches(bytes, name, "keep-alive") ? .keepAlive : .other
        case 12: return matches(bytes, name, "x-request-id") ? .xRequestID : .other
        case 14: return matches(bytes, name, "content-length") ? .contentLength : .other
        case 15: return matches(bytes, name, "x-forwarded-for") ? .xForwardedFor : .other
        case 16: return matches(bytes, name, "proxy-connection") ? .proxyConnection : .other
        case 17: return matches(bytes, name, "transfer-encoding") ? .transferEncoding : .other
        default: return .other
        }
    }

    @inline(__always)
    static func matches(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let literal = lowercase.utf8Start
        var position = 0
        for index in range {
            if asciiLower(bytes[index]) != literal[position] { return false }
            position += 1
        }
        return true
    }
}

/// Byte classes used by the parsers (RFC 9110 5.6.2 token characters).
enum ByteClass {
    /// tchar (RFC 9110 5.6.2): DIGIT, ALPHA and ``!#$%&'*+-.^_`|~``, as a 128-bit set (no table behind a
    /// lazily initialized global: that costs a `swift_once` call per byte).
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        if byte < 64 { return (0x03FF_6CFA_0000_0000 as UInt64) >> UInt64(byte) & 1 != 0 }
        if byte < 128 { return (0x57FF_FFFF_C7FF_FFFE as UInt64) >> UInt64(byte - 64) & 1 != 0 }
        return false
    }

    /// Field-value bytes (RFC 9110 5.5): VCHAR, obs-text, SP, HTAB; no CR, LF, NUL or other controls.
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == 0x09
    }

    /// Request-target bytes: visible ASCII only (no spaces, controls or raw non-ASCII).
    @inline(__always)
    static func isTarget(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}

/// Finds the end of a head (`CRLF CRLF`); returns the index just past it.
enum HeadBoundary {
    static func find(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var position = max(start, 3)
        let count = bytes.count
        while position < count {
            if bytes[position] == 0x0A && bytes[position - 1] == 0x0D && bytes[position - 2] == 0x0A
                && bytes[position - 3] == 0x0D
            {
                return position + 1
            }
            position += 1
        }
        return nil
    }
}
