import Testing

@testable import TollgateHTTP

/// The literal byte table matches the RFC character sets it encodes.
@Suite struct ByteClassTests {
    @Test func tableMatchesDefinitions() {
        #expect(byteClassTable.count == 256)
        let tcharSymbols = Set("!#$%&'*+-.^_`|~".utf8)
        let regSymbols = Set("-._~!$&'()*+,;=%".utf8)
        for value in 0...255 {
            let c = UInt8(value)
            let digit = (0x30...0x39).contains(c)
            let alpha = (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
            let vchar = (0x21...0x7E).contains(c)
            let obsText = c >= 0x80
            #expect(ByteClass.isToken(c) == (digit || alpha || tcharSymbols.contains(c)), "token \(c)")
            #expect(ByteClass.isFieldValue(c) == (vchar || obsText || c == 0x20 || c == 0x09), "field \(c)")
            #expect(ByteClass.isReason(c) == ByteClass.isFieldValue(c), "reason \(c)")
            #expect(ByteClass.isTarget(c) == ((vchar && c != UInt8(ascii: "#")) || obsText), "target \(c)")
            let hex = digit || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
            #expect(ByteClass.isHex(c) == hex, "hex \(c)")
            #expect((ByteClass.hexValue(c) != nil) == hex)
            #expect(ByteClass.isRegName(c) == (digit || alpha || regSymbols.contains(c)), "reg-name \(c)")
            let stop = ByteClass.flags(c) & ByteClass.lineBreakOrNul != 0
            #expect(stop == (c == 0x0D || c == 0x0A || c == 0), "stop \(c)")
        }
    }
}
