import PropertyBased
import Testing

@testable import TollgateHTTP

/// The eight-bytes-at-a-time searches find exactly what a byte-by-byte search finds, at every alignment and
/// for every byte value (the lanes above a match, which the word tricks may also flag, never count).
@Suite struct WordScanTests {
    static func firstLineBreakOrNul(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end && bytes[index] != 0x0D && bytes[index] != 0x0A && bytes[index] != 0 { index += 1 }
        return index
    }

    static func firstControlOrDelete(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end && bytes[index] >= 0x20 && bytes[index] != 0x7F { index += 1 }
        return index
    }

    /// Every byte value at every position of a 24-byte window, from every start.
    @Test func everyByteAtEveryPosition() {
        for value in 0...255 {
            for position in 0..<24 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 24)
                bytes[position] = UInt8(value)
                bytes.withUnsafeBytes { raw in
                    for start in 0...24 {
                        #expect(
                            WordScan.firstLineBreakOrNul(raw, from: start, to: 24)
                                == Self.firstLineBreakOrNul(bytes, start, 24))
                        #expect(
                            WordScan.firstControlOrDelete(raw, from: start, to: 24)
                                == Self.firstControlOrDelete(bytes, start, 24))
                    }
                }
            }
        }
    }

    /// Lanes above a match: a match followed by bytes that borrow (0x00-0x01, 0x80-0x81, 0x0D-0x0E, 0x7F-0x80).
    @Test func borrowsAboveAMatchDoNotCount() {
        let tricky: [UInt8] = [0x00, 0x01, 0x0A, 0x0B, 0x0D, 0x0E, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0x81, 0xFF]
        for first in tricky {
            for second in tricky {
                for third in tricky {
                    let bytes: [UInt8] = [0x41, first, second, third, 0x42, 0x43, 0x44, 0x45, 0x46]
                    bytes.withUnsafeBytes { raw in
                        for start in 0..<bytes.count {
                            #expect(
                                WordScan.firstLineBreakOrNul(raw, from: start, to: bytes.count)
                                    == Self.firstLineBreakOrNul(bytes, start, bytes.count))
                            #expect(
                                WordScan.firstControlOrDelete(raw, from: start, to: bytes.count)
                                    == Self.firstControlOrDelete(bytes, start, bytes.count))
                        }
                    }
                }
            }
        }
    }

    @Test func randomBuffersAgree() async {
        let input = zip(
            Gen<UInt8>.value(in: 0...255).array(of: 0...80), Gen.int(in: 0...80), Gen.int(in: 0...80))
        await propertyCheck(count: 2000, input: input) { bytes, a, b in
            let start = min(a, bytes.count)
            let end = max(start, min(b, bytes.count))
            bytes.withUnsafeBytes { raw in
                #expect(
                    WordScan.firstLineBreakOrNul(raw, from: start, to: end)
                        == Self.firstLineBreakOrNul(bytes, start, end))
                #expect(
                    WordScan.firstControlOrDelete(raw, from: start, to: end)
                        == Self.firstControlOrDelete(bytes, start, end))
            }
        }
    }
}
