/// Writes one flat JSON object into a byte buffer, field by field, ending with a newline.
///
/// Strings are escaped per RFC 8259 section 7: `"` and `\` are backslash-escaped, control characters
/// (U+0000 to U+001F) use the short forms or `\u00XX`; everything else is copied as UTF-8.
/// Callers keep keys unique (the writer does not check).
public struct JSONLineWriter {
    public private(set) var buffer: [UInt8]
    private var needsComma = false

    /// Starts an object (`{`) in a fresh buffer.
    public init(capacity: Int = 256) {
        buffer = []
        buffer.reserveCapacity(capacity)
        buffer.append(UInt8(ascii: "{"))
    }

    /// Adds `"key":"value"`.
    public mutating func field(_ key: String, _ value: String) {
        startField(key)
        appendString(value)
    }

    /// Adds `"key":value` for an integer.
    public mutating func field(_ key: String, _ value: Int) {
        startField(key)
        buffer.append(contentsOf: String(value).utf8)
    }

    /// Adds `"key":value` for a number; non-finite values are written as `null` (JSON has no NaN/Inf).
    public mutating func field(_ key: String, _ value: Double) {
        startField(key)
        appendNumber(value)
    }

    /// Adds `"key":true|false`.
    public mutating func field(_ key: String, _ value: Bool) {
        startField(key)
        buffer.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Adds `"key":[…]` of strings.
    public mutating func field(_ key: String, _ values: [String]) {
        startField(key)
        buffer.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            appendString(value)
        }
        buffer.append(UInt8(ascii: "]"))
    }

    /// Adds `"key":[…]` of integers.
    public mutating func field(_ key: String, _ values: [Int]) {
        startField(key)
        buffer.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(contentsOf: String(value).utf8)
        }
        buffer.append(UInt8(ascii: "]"))
    }

    /// Adds `"key":` followed by `json`, which must already be valid JSON.
    mutating func rawField(_ key: String, _ json: [UInt8]) {
        startField(key)
        buffer.append(contentsOf: json)
    }

    /// Closes the object and appends the line feed; returns the line.
    public mutating func finish() -> [UInt8] {
        buffer.append(UInt8(ascii: "}"))
        buffer.append(UInt8(ascii: "\n"))
        return buffer
    }

    private mutating func startField(_ key: String) {
        if needsComma { buffer.append(UInt8(ascii: ",")) }
        needsComma = true
        appendString(key)
        buffer.append(UInt8(ascii: ":"))
    }

    mutating func appendNumber(_ value: Double) {
        guard value.isFinite else {
            buffer.append(contentsOf: "null".utf8)
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            buffer.append(contentsOf: String(Int64(value)).utf8)
        } else {
            buffer.append(contentsOf: value.description.utf8)
        }
    }

    mutating func appendString(_ value: String) {
        JSONLineWriter.appendEscaped(value, to: &buffer)
    }

    /// Appends `value` as a quoted, escaped JSON string.
    static func appendEscaped(_ value: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: Array("\\u00".utf8))
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0x0F)])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
