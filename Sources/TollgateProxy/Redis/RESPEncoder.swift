/// Encodes commands as RESP2 arrays of bulk strings (the only form a client sends).
enum RESPEncoder {
    /// Appends `*N\r\n$len\r\narg\r\n...` for `arguments` to `out`.
    static func command(_ arguments: [[UInt8]], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(arguments.count, &out)
        out.append(contentsOf: crlf)
        for argument in arguments {
            out.append(UInt8(ascii: "$"))
            appendDecimal(argument.count, &out)
            out.append(contentsOf: crlf)
            out.append(contentsOf: argument)
            out.append(contentsOf: crlf)
        }
    }

    /// Encodes any value (servers' replies; used by tests to build input for the decoder).
    static func value(_ value: RESPValue, into out: inout [UInt8]) {
        switch value {
        case .simpleString(let s):
            out.append(UInt8(ascii: "+"))
            out.append(contentsOf: s)
        case .error(let s):
            out.append(UInt8(ascii: "-"))
            out.append(contentsOf: s)
        case .integer(let v):
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: Array(String(v).utf8))
        case .bulkString(nil):
            out.append(contentsOf: Array("$-1".utf8))
        case .bulkString(let s?):
            out.append(UInt8(ascii: "$"))
            appendDecimal(s.count, &out)
            out.append(contentsOf: crlf)
            out.append(contentsOf: s)
        case .array(nil):
            out.append(contentsOf: Array("*-1".utf8))
        case .array(let items?):
            out.append(UInt8(ascii: "*"))
            appendDecimal(items.count, &out)
            out.append(contentsOf: crlf)
            for item in items { Self.value(item, into: &out) }
            return
        }
        out.append(contentsOf: crlf)
    }

    static let crlf: [UInt8] = [13, 10]

    private static func appendDecimal(_ value: Int, _ out: inout [UInt8]) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits: [UInt8] = []
        var v = value
        while v > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        out.append(contentsOf: digits.reversed())
    }
}
