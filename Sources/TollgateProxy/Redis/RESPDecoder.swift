/// A RESP2 protocol violation from the server: the connection cannot be trusted afterwards.
struct RESPError: Error, Equatable, CustomStringConvertible {
    enum Code: String, Sendable, Equatable {
        case unknownType = "resp_unknown_type"
        case invalidLength = "resp_invalid_length"
        case invalidInteger = "resp_invalid_integer"
        case missingCRLF = "resp_missing_crlf"
        case tooLarge = "resp_too_large"
        case tooDeep = "resp_too_deep"
    }
    let code: Code
    /// Byte offset in the decoder's buffer.
    let offset: Int
    var description: String { "\(code.rawValue) at byte \(offset)" }
}

/// Incremental RESP2 decoder: feed bytes as they arrive, take complete values out.
///
/// A value split across reads is parsed again from its start when more bytes arrive (replies are small:
/// script results and status lines), so the decoder keeps no partial state besides the buffer.
struct RESPDecoder {
    /// Largest bulk string accepted (16 MiB; this client only receives small replies).
    static let maxBulkLength = 16 * 1024 * 1024
    /// Most elements in one array.
    static let maxArrayCount = 1_048_576
    /// Deepest array nesting.
    static let maxDepth = 16

    private var buffer: [UInt8] = []
    private var start = 0

    /// Bytes buffered and not yet consumed by a complete value.
    var bufferedCount: Int { buffer.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfNeeded()
        buffer.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        compactIfNeeded()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or nil when more bytes are needed.
    mutating func next() throws(RESPError) -> RESPValue? {
        var position = start
        guard let value = try parse(&position, depth: 0) else { return nil }
        start = position
        return value
    }

    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    private mutating func compactIfNeeded() {
        if start > 0 && (start == buffer.count || start >= 4096) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    /// Parses one value at `position`; nil (position unchanged meaningfully) when incomplete.
    private func parse(_ position: inout Int, depth: Int) throws(RESPError) -> RESPValue? {
        guard position < buffer.count else { return nil }
        let type = buffer[position]
        let lineStart = position + 1
        guard let lineEnd = try findCRLF(from: lineStart) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            position = lineEnd + 2
            return .simpleString(Array(buffer[lineStart..<lineEnd]))
        case UInt8(ascii: "-"):
            position = lineEnd + 2
            return .error(Array(buffer[lineStart..<lineEnd]))
        case UInt8(ascii: ":"):
            let v = try integer(lineStart, lineEnd)
            position = lineEnd + 2
            return .integer(v)
        case UInt8(ascii: "$"):
            let length = try integer(lineStart, lineEnd)
            if length == -1 {
                position = lineEnd + 2
                return .bulkString(nil)
            }
            guard length >= 0 else { throw RESPError(code: .invalidLength, offset: lineStart) }
            guard length <= Self.maxBulkLength else { throw RESPError(code: .tooLarge, offset: lineStart) }
            let bodyStart = lineEnd + 2
            let bodyEnd = bodyStart + Int(length)
            guard bodyEnd + 2 <= buffer.count else { return nil }
            guard buffer[bodyEnd] == 13, buffer[bodyEnd + 1] == 10 else {
                throw RESPError(code: .missingCRLF, offset: bodyEnd)
            }
            position = bodyEnd + 2
            return .bulkString(Array(buffer[bodyStart..<bodyEnd]))
        case UInt8(ascii: "*"):
            let count = try integer(lineStart, lineEnd)
            if count == -1 {
                position = lineEnd + 2
                return .array(nil)
            }
            guard count >= 0 else { throw RESPError(code: .invalidLength, offset: lineStart) }
            guard count <= Self.maxArrayCount else { throw RESPError(code: .tooLarge, offset: lineStart) }
            guard depth < Self.maxDepth else { throw RESPError(code: .tooDeep, offset: position) }
            var cursor = lineEnd + 2
            var items: [RESPValue] = []
            items.reserveCapacity(min(Int(count), 64))
            for _ in 0..<count {
                guard let item = try parse(&cursor, depth: depth + 1) else { return nil }
                items.append(item)
            }
            position = cursor
            return .array(items)
        default:
            throw RESPError(code: .unknownType, offset: position)
        }
    }

    /// Index of the `\r` of the next CRLF at or after `from`; nil when not yet received. A lone `\n` or a
    /// `\r` followed by anything else is a protocol error.
    private func findCRLF(from: Int) throws(RESPError) -> Int? {
        var i = from
        while i < buffer.count {
            let b = buffer[i]
            if b == 13 {
                guard i + 1 < buffer.count else { return nil }
                guard buffer[i + 1] == 10 else { throw RESPError(code: .missingCRLF, offset: i) }
                return i
            }
            if b == 10 { throw RESPError(code: .missingCRLF, offset: i) }
            i += 1
        }
        return nil
    }

    private func integer(_ from: Int, _ to: Int) throws(RESPError) -> Int64 {
        var i = from
        var negative = false
        if i < to, buffer[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < to, to - i <= 19 else { throw RESPError(code: .invalidInteger, offset: from) }
        var value: Int64 = 0
        while i < to {
            let d = buffer[i]
            guard d >= 48, d <= 57 else { throw RESPError(code: .invalidInteger, offset: i) }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d - 48))
            guard !o1, !o2 else { throw RESPError(code: .invalidInteger, offset: from) }
            value = s
            i += 1
        }
        return negative ? -value : value
    }
}
