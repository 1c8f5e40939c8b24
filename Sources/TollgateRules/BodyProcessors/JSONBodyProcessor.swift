/// Flattens a JSON body into arguments. Object members are named `json.a.b`; array elements
/// `<array name>.array_<index>` as ModSecurity v3 names them (`{"a":[1,{"b":2}]}` gives
/// `json.a.array_0=1`, `json.a.array_1.b=2`; a root array gives `json.array_0`, nested arrays
/// `json.m.array_0.array_1`). Every array also produces one argument under its own name whose value
/// is its element count, as Coraza does (`json.a=2` above, before its elements; `json=2` for a root
/// array; `0` for an empty one). So rules can bound array lengths (an element named `...array_N`
/// exists exactly when the array has more than N elements; `ARGS:json.a "@gt 100"`), and rules that
/// look for a field by name (`ARGS_NAMES "@rx __in$"`) see array fields too. The root is `json`.
/// Scalars become values (`true`, `false`, numbers as written, `null` as empty). Every argument,
/// the count arguments included, counts against `SecArgumentsLimit`.
struct JSONBodyProcessor {
    let input: [UInt8]
    let limits: BodyLimits
    var index = 0
    var output: [Entry] = []

    init(_ input: [UInt8], limits: BodyLimits) {
        self.input = input
        self.limits = limits
    }

    /// What separates an array's name from an element's index (ModSecurity v3's naming).
    static let arrayMarker = Array(".array_".utf8)
    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)
    static let nullBytes = Array("null".utf8)

    /// A byte that ends a bare literal (`true`, `false`, `null`, a number): `,` `}` `]` or JSON blank.
    @inline(__always)
    static func endsLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0D, 0x0A: return true
        default: return false
        }
    }

    /// A byte a JSON number may hold (digits, sign, point, exponent); the grammar itself is not checked here.
    @inline(__always)
    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default: return false
        }
    }

    static func parse(_ input: [UInt8], limits: BodyLimits) throws(BodyProcessorError) -> [Entry] {
        var p = JSONBodyProcessor(input, limits: limits)
        p.skipBlanks()
        try p.value(name: Array("json".utf8), depth: 0)
        p.skipBlanks()
        if p.index != p.input.count { throw BodyProcessorError(.syntax, "JSON: trailing data at offset \(p.index)") }
        return p.output
    }

    mutating func skipBlanks() {
        while index < input.count, input[index] == 32 || input[index] == 9 || input[index] == 10 || input[index] == 13 {
            index += 1
        }
    }

    mutating func emit(_ name: [UInt8], _ value: [UInt8]) throws(BodyProcessorError) {
        if output.count >= limits.arguments {
            throw BodyProcessorError(.argumentsLimit, "JSON: more than \(limits.arguments) arguments")
        }
        output.append(Entry(name, value))
    }

    mutating func value(name: [UInt8], depth: Int) throws(BodyProcessorError) {
        guard index < input.count else { throw BodyProcessorError(.syntax, "JSON: unexpected end of input") }
        switch input[index] {
        case UInt8(ascii: "{"):
            if depth >= limits.depth {
                throw BodyProcessorError(.depthLimit, "JSON: nesting deeper than \(limits.depth)")
            }
            index += 1
            skipBlanks()
            if index < input.count, input[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipBlanks()
                guard index < input.count, input[index] == UInt8(ascii: "\"") else {
                    throw BodyProcessorError(.syntax, "JSON: expected a key at offset \(index)")
                }
                let key = try string()
                skipBlanks()
                guard index < input.count, input[index] == UInt8(ascii: ":") else {
                    throw BodyProcessorError(.syntax, "JSON: expected ':' at offset \(index)")
                }
                index += 1
                skipBlanks()
                try value(name: name + [UInt8(ascii: ".")] + key, depth: depth + 1)
                skipBlanks()
                guard index < input.count else { throw BodyProcessorError(.syntax, "JSON: unterminated object") }
                if input[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if input[index] == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                throw BodyProcessorError(.syntax, "JSON: expected ',' or '}' at offset \(index)")
            }
        case UInt8(ascii: "["):
            if depth >= limits.depth {
                throw BodyProcessorError(.depthLimit, "JSON: nesting deeper than \(limits.depth)")
            }
            index += 1
            // The count argument comes first (document order); its value is set when the array ends.
            let countSlot = output.count
            try emit(name, Array("0".utf8))
            skipBlanks()
            if index < input.count, input[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            var n = 0
            let prefix = name + Self.arrayMarker
            while true {
                skipBlanks()
                try value(name: prefix + Array(String(n).utf8), depth: depth + 1)
                n += 1
                skipBlanks()
                guard index < input.count else { throw BodyProcessorError(.syntax, "JSON: unterminated array") }
                if input[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if input[index] == UInt8(ascii: "]") {
                    index += 1
                    output[countSlot].value = Array(String(n).utf8)
                    return
                }
                throw BodyProcessorError(.syntax, "JSON: expected ',' or ']' at offset \(index)")
            }
        case UInt8(ascii: "\""):
            try emit(name, try string())
        default:
            let start = index
            while index < input.count, !Self.endsLiteral(input[index]) { index += 1 }
            let literal = Array(input[start..<index])
            if literal == Self.trueBytes || literal == Self.falseBytes {
                try emit(name, literal)
            } else if literal == Self.nullBytes {
                try emit(name, [])
            } else if !literal.isEmpty, literal.allSatisfy(Self.isNumberByte),
                literal.first != UInt8(ascii: "+")
            {
                try emit(name, literal)
            } else {
                throw BodyProcessorError(.syntax, "JSON: invalid value at offset \(start)")
            }
        }
    }

    /// Reads a string (index at the opening quote), decoding escapes to UTF-8.
    mutating func string() throws(BodyProcessorError) -> [UInt8] {
        index += 1
        var out: [UInt8] = []
        while index < input.count {
            let b = input[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            if b == UInt8(ascii: "\\") {
                guard index + 1 < input.count else { break }
                let e = input[index + 1]
                index += 2
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code), index + 1 < input.count, input[index] == UInt8(ascii: "\\"),
                        input[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out += Array(String(Character(scalar)).utf8)
                default:
                    throw BodyProcessorError(.syntax, "JSON: invalid escape at offset \(index - 2)")
                }
                continue
            }
            if b < 0x20 { throw BodyProcessorError(.syntax, "JSON: control character in string at offset \(index)") }
            out.append(b)
            index += 1
        }
        throw BodyProcessorError(.syntax, "JSON: unterminated string")
    }

    mutating func hex4() throws(BodyProcessorError) -> UInt32 {
        guard index + 4 <= input.count else { throw BodyProcessorError(.syntax, "JSON: short \\u escape") }
        var v: UInt32 = 0
        for i in 0..<4 {
            guard let h = URLCoding.hexValue(input[index + i]) else {
                throw BodyProcessorError(.syntax, "JSON: invalid \\u escape")
            }
            v = v << 4 | UInt32(h)
        }
        index += 4
        return v
    }
}
