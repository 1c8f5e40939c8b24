/// One RESP2 value (the Redis serialization protocol, version 2).
enum RESPValue: Sendable, Equatable {
    /// `+OK\r\n`
    case simpleString([UInt8])
    /// `-ERR message\r\n`
    case error([UInt8])
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nfoo\r\n`; nil for the null bulk string `$-1\r\n`.
    case bulkString([UInt8]?)
    /// `*2\r\n...`; nil for the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The error text of an `.error` value.
    var errorText: String? {
        if case .error(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    var integerValue: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }

    var arrayValue: [RESPValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The bytes of a simple or bulk string.
    var stringBytes: [UInt8]? {
        switch self {
        case .simpleString(let bytes): bytes
        case .bulkString(let bytes): bytes
        default: nil
        }
    }
}
