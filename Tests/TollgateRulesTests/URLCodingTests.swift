import PropertyBased
import Testing

@testable import TollgateRules

@Suite("Query strings, url-encoded bodies and cookies")
struct URLCodingTests {
    static func strings(_ entries: [Entry]) -> [String] {
        entries.map { String(decoding: $0.key, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self) }
    }

    @Test(
        "arguments: decoded names and values, empty parts skipped, invalid escapes kept",
        arguments: [
            ("a=1&b=2", ["a=1", "b=2"]),
            ("q=wireless+headphones&x=%3Cb%3E", ["q=wireless headphones", "x=<b>"]),
            ("&&a=1&&", ["a=1"]),
            ("flag&b=", ["flag=", "b="]),
            ("a=1=2", ["a=1=2"]),
            ("=v", ["=v"]),
            ("p=%", ["p=%"]),
            ("p=%4", ["p=%4"]),
            ("p=%41", ["p=A"]),
            ("p=%4g%zz%%41", ["p=%4g%zz%A"]),
            ("%61%3D=%26", ["a==&"]),
            ("", []),
        ])
    func arguments(input: String, expected: [String]) {
        #expect(Self.strings(URLCoding.parseArguments(Array(input.utf8), separator: UInt8(ascii: "&"))) == expected)
    }

    @Test(
        "cookies: `;`-separated, blanks trimmed, names and values not decoded",
        arguments: [
            ("session=3f9a; theme=dark", ["session=3f9a", "theme=dark"]),
            (" a=1 ;\tb = 2\t;;  ; c", ["a=1", "b = 2", "c="]),
            ("consent=analytics%3Dfalse", ["consent=analytics%3Dfalse"]),
            ("x=a=b", ["x=a=b"]),
            ("=", ["="]),
            (";", []),
            ("", []),
        ])
    func cookies(input: String, expected: [String]) {
        #expect(Self.strings(Transaction.parseCookies(Array(input.utf8))) == expected)
    }

    /// The straightforward definitions: split, trim, decode each part on its own.
    static func referenceArguments(_ input: [UInt8]) -> [String] {
        func decode(_ part: ArraySlice<UInt8>) -> [UInt8] {
            let bytes = Array(part)
            var out: [UInt8] = []
            var i = 0
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = URLCoding.hexValue(bytes[i + 1]),
                    let l = URLCoding.hexValue(bytes[i + 2])
                {
                    out.append(h << 4 | l)
                    i += 3
                } else {
                    out.append(bytes[i] == UInt8(ascii: "+") ? 32 : bytes[i])
                    i += 1
                }
            }
            return out
        }
        return input.split(separator: UInt8(ascii: "&")).map { part in
            let eq = part.firstIndex(of: UInt8(ascii: "="))
            let name = decode(eq.map { part[part.startIndex..<$0] } ?? part)
            let value = eq.map { decode(part[($0 + 1)...]) } ?? []
            return String(decoding: name, as: UTF8.self) + "=" + String(decoding: value, as: UTF8.self)
        }
    }

    static let pool: [UInt8] = Array("ab=&;%+ \t4F1g".utf8) + [0, 0xC3, 0xFF]

    @Test("arguments agree with splitting and decoding part by part, on random bytes")
    func argumentsDifferential() async {
        await propertyCheck(count: 500, input: Gen.element(of: Self.pool).map { $0 ?? 0 }.array(of: 0...40)) { bytes in
            #expect(
                Self.strings(URLCoding.parseArguments(bytes, separator: UInt8(ascii: "&")))
                    == Self.referenceArguments(bytes))
        }
    }
}
