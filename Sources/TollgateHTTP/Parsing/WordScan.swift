/// Eight bytes at a time (SWAR) searches for the head scanners' hot loops: they skip runs of ordinary bytes
/// and return the index of the first byte that needs a closer look, which the caller then examines one byte
/// at a time exactly as before. Only the skipping is faster: every byte still gets the same verdict.
///
/// Public so the proxy's own response-head parser skips field values the same way.
///
/// The word tricks report, for each byte lane, a set high bit when the byte matches; lanes above a match may
/// also be set (borrows), but the lowest set lane is always exact, and only the lowest is used.
public enum WordScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit of each lane whose byte is zero (lowest set lane exact).
    @inline(__always)
    static func zeroLanes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highs
    }

    /// High bit of each lane whose byte is below `limit` (1...128; lowest set lane exact).
    @inline(__always)
    static func lanesBelow(_ word: UInt64, _ limit: UInt8) -> UInt64 {
        (word &- ones &* UInt64(limit)) & ~word & highs
    }

    @inline(__always)
    static func load(_ buffer: UnsafeRawBufferPointer, _ index: Int) -> UInt64 {
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
    }

    /// Index of the first CR, LF or NUL in `start..<end`, or `end` when there is none.
    @inline(__always)
    public static func firstLineBreakOrNul(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            let word = load(buffer, index)
            let found = zeroLanes(word) | zeroLanes(word ^ (ones &* 0x0D)) | zeroLanes(word ^ (ones &* 0x0A))
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < end && ByteClass.flags(buffer[index]) & ByteClass.lineBreakOrNul == 0 { index += 1 }
        return index
    }

    /// Index of the first byte in `start..<end` that is a control (below 0x20, so CR, LF, NUL and HTAB
    /// included) or DEL, or `end` when there is none: every byte skipped is a field-value byte other than HTAB.
    @inline(__always)
    public static func firstControlOrDelete(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            let word = load(buffer, index)
            let found = lanesBelow(word, 0x20) | zeroLanes(word ^ (ones &* 0x7F))
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < end {
            let byte = buffer[index]
            if byte < 0x20 || byte == 0x7F { return index }
            index += 1
        }
        return index
    }
}
