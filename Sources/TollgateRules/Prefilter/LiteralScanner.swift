import Synchronization

/// The last `LiteralScanner.serial` given out.
private let scannerSerials = Mutex<UInt64>(0)

/// A case-insensitive (ASCII) multi-literal scanner whose literals carry rule bits: one pass over a value ORs
/// into a bit set every rule one of whose literals occurs in it.
///
/// Literals are indexed by how they start rather than walked as an automaton. A table of 65,536 flags says, for
/// every pair of (lowercased) bytes, whether a two-byte literal is that pair, whether a three-byte literal starts
/// with it and whether a longer one does. Each position of the value costs one flag load, and the positions are
/// independent of each other, so the processor overlaps those loads; an Aho-Corasick walk is a chain of dependent
/// loads through an automaton far larger than the cache (with CRS's literals it took a third more time per
/// benign API GET than this scanner). Only a flagged position looks further: the three-byte literal, or the literals that share its first
/// four bytes, in one small open-addressing table. One-byte literals are looked up once each by the bytes present
/// in the value.
///
/// The tables live in buffers allocated once and never written after `init`; the value is a handful of
/// pointers, so copying it costs no reference counting in the per-value loop. The owner (`RulePrefilter`)
/// frees them with `deallocate()` (hence `@unchecked Sendable`).
struct LiteralScanner: @unchecked Sendable {
    /// Words per rule bit set.
    let words: Int
    /// Unique among the scanners of the process (never reused): what `PrefilterMemo` keys its entries by, as
    /// scanners of different literal sets give different bits for the same value.
    let serial: UInt64
    /// Per lowercased byte pair (`first << 8 | second`): `pairLiteral`, `startsTriple`, `startsLonger`.
    private let pairFlags: UnsafeMutableBufferPointer<UInt8>
    /// Open addressing over keys tagged with their kind (`pairKey`, `tripleKey`, `prefixKey`); `emptyKey` marks
    /// a free slot. A pair or triple maps to its output start, a four-byte prefix to its bucket.
    private let tableKeys: UnsafeMutableBufferPointer<UInt64>
    private let tableValues: UnsafeMutableBufferPointer<Int32>
    private let tableMask: Int
    private let tableShift: UInt64
    /// The literals of four bytes or more, grouped by their first four: bucket `b` is
    /// `bucketStart[b] ..< bucketStart[b + 1]` of `literalStart`/`literalLength`/`literalOutput`.
    private let bucketStart: UnsafeMutableBufferPointer<Int32>
    private let literalStart: UnsafeMutableBufferPointer<Int32>
    private let literalLength: UnsafeMutableBufferPointer<Int32>
    private let literalOutput: UnsafeMutableBufferPointer<Int32>
    /// The lowercased bytes of those literals, back to back.
    private let literalBytes: UnsafeMutableBufferPointer<UInt8>
    /// Outputs: (word, mask) pairs ended by word -1; literals with the same bits share one.
    private let outputWords: UnsafeMutableBufferPointer<Int32>
    private let outputMasks: UnsafeMutableBufferPointer<UInt64>
    /// Per byte value: where the output of the one-byte literals equal to it (either case) starts, or -1.
    private let byteOutputIndex: UnsafeMutableBufferPointer<Int32>

    static let pairLiteral: UInt8 = 1
    static let startsTriple: UInt8 = 2
    static let startsLonger: UInt8 = 4
    static let emptyKey = UInt64.max

    @inline(__always) static func pairKey(_ pair: UInt32) -> UInt64 { 2 << 32 | UInt64(pair) }
    @inline(__always) static func tripleKey(_ triple: UInt32) -> UInt64 { 3 << 32 | UInt64(triple) }
    @inline(__always) static func prefixKey(_ prefix: UInt32) -> UInt64 { 4 << 32 | UInt64(prefix) }

    private static func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return buffer
    }

    /// Frees the tables; call once, from the owner's `deinit`.
    func deallocate() {
        pairFlags.deallocate()
        tableKeys.deallocate()
        tableValues.deallocate()
        bucketStart.deallocate()
        literalStart.deallocate()
        literalLength.deallocate()
        literalOutput.deallocate()
        literalBytes.deallocate()
        outputWords.deallocate()
        outputMasks.deallocate()
        byteOutputIndex.deallocate()
    }

    /// - Parameters:
    ///   - patterns: (literal, rule bit) pairs; empty literals are ignored.
    ///   - words: words per bit set (`(bits + 63) / 64`).
    init(patterns: [(literal: [UInt8], bit: Int)], words: Int) {
        self.words = words
        serial = scannerSerials.withLock { next in
            next += 1
            return next
        }
        // The bits of each distinct lowercased literal.
        var bitsOf: [[UInt8]: [Int]] = [:]
        var byteBits = [[Int]](repeating: [], count: 256)
        for (literal, bit) in patterns where !literal.isEmpty {
            if literal.count == 1 {
                let lower = ByteSearch.lower(literal[0])
                byteBits[Int(lower)].append(bit)
                // The byte table is read with raw bytes, so both cases carry the bits.
                if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z") { byteBits[Int(lower - 32)].append(bit) }
                continue
            }
            bitsOf[literal.map(ByteSearch.lower), default: []].append(bit)
        }
        var outWords: [Int32] = []
        var outMasks: [UInt64] = []
        var shared: [[UInt64]: Int32] = [:]
        /// Where the output of `bits` starts, appending it unless an equal one is already there.
        func outputStart(_ bits: [Int]) -> Int32 {
            var set = [UInt64](repeating: 0, count: words)
            for bit in bits { set[bit >> 6] |= 1 << UInt64(bit & 63) }
            if let start = shared[set] { return start }
            let start = Int32(outWords.count)
            for (word, mask) in set.enumerated() where mask != 0 {
                outWords.append(Int32(word))
                outMasks.append(mask)
            }
            outWords.append(-1)
            outMasks.append(0)
            shared[set] = start
            return start
        }
        var byteOut = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 where !byteBits[byte].isEmpty { byteOut[byte] = outputStart(byteBits[byte]) }

        func packed(_ bytes: ArraySlice<UInt8>) -> UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }
        var flags = [UInt8](repeating: 0, count: 65536)
        var entries: [(key: UInt64, value: Int32)] = []
        // Longer literals sorted by their first four bytes (then by the rest, for a stable layout).
        let longer = bitsOf.keys.filter { $0.count >= 4 }.sorted { $0.lexicographicallyPrecedes($1) }
        for literal in bitsOf.keys where literal.count < 4 {
            let pair = Int(packed(literal.prefix(2)))
            if literal.count == 2 {
                flags[pair] |= Self.pairLiteral
                entries.append((Self.pairKey(UInt32(pair)), outputStart(bitsOf[literal] ?? [])))
            } else {
                flags[pair] |= Self.startsTriple
                entries.append((Self.tripleKey(packed(literal[0..<3])), outputStart(bitsOf[literal] ?? [])))
            }
        }
        var starts: [Int32] = []
        var lengths: [Int32] = []
        var outputs: [Int32] = []
        var bytes: [UInt8] = []
        var buckets: [Int32] = []
        var previousPrefix: UInt32?
        for literal in longer {
            let prefix = packed(literal.prefix(4))
            if prefix != previousPrefix {
                entries.append((Self.prefixKey(prefix), Int32(buckets.count)))
                buckets.append(Int32(starts.count))
                previousPrefix = prefix
                flags[Int(prefix >> 16)] |= Self.startsLonger
            }
            starts.append(Int32(bytes.count))
            lengths.append(Int32(literal.count))
            outputs.append(outputStart(bitsOf[literal] ?? []))
            bytes += literal
        }
        buckets.append(Int32(starts.count))

        // A table at most half full.
        var capacity = 2
        var bits: UInt64 = 1
        while capacity < entries.count * 2 {
            capacity *= 2
            bits += 1
        }
        var keys = [UInt64](repeating: Self.emptyKey, count: capacity)
        var values = [Int32](repeating: -1, count: capacity)
        let shift = 64 - bits
        for (key, value) in entries {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != Self.emptyKey { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            values[slot] = value
        }
        pairFlags = Self.copy(flags)
        tableKeys = Self.copy(keys)
        tableValues = Self.copy(values)
        tableMask = capacity - 1
        tableShift = shift
        bucketStart = Self.copy(buckets)
        literalStart = Self.copy(starts)
        literalLength = Self.copy(lengths)
        literalOutput = Self.copy(outputs)
        literalBytes = Self.copy(bytes)
        outputWords = Self.copy(outWords)
        outputMasks = Self.copy(outMasks)
        byteOutputIndex = Self.copy(byteOut)
    }

    /// ORs into `into[0 ..< words]` the bits of every rule with a literal in `input`.
    func scan(_ input: UnsafeBufferPointer<UInt8>, into: UnsafeMutablePointer<UInt64>) {
        scan(input, present: ByteSet(input), into: into)
    }

    /// `scan(_:into:)` with the bytes present in `input` already known.
    func scan(_ input: UnsafeBufferPointer<UInt8>, present: ByteSet, into: UnsafeMutablePointer<UInt64>) {
        withUnsafeBytes(of: present.words) { raw in
            for w in 0..<4 {
                var m = raw.load(fromByteOffset: w &* 8, as: UInt64.self)
                while m != 0 {
                    let byte = w &* 64 &+ m.trailingZeroBitCount
                    m &= m &- 1
                    let o = Int(byteOutputIndex[byte])
                    if o >= 0 { applyOutput(o, into: into) }
                }
            }
        }
        let count = input.count
        guard count >= 2, let base = input.baseAddress else { return }
        var previous = UInt32(ByteSearch.lower(base[0]))
        var i = 0
        while i &+ 1 < count {
            let next = UInt32(ByteSearch.lower(base[i &+ 1]))
            let pair = previous << 8 | next
            let flags = pairFlags[Int(pair)]
            if flags != 0 { matchAt(i, pair: pair, flags: flags, base: base, count: count, into: into) }
            previous = next
            i &+= 1
        }
    }

    /// The literals of two bytes or more that start at `i`, whose first two bytes (`pair`) are flagged.
    @inline(__always)
    private func matchAt(
        _ i: Int, pair: UInt32, flags: UInt8, base: UnsafePointer<UInt8>, count: Int,
        into: UnsafeMutablePointer<UInt64>
    ) {
        if flags & Self.pairLiteral != 0 {
            let o = lookup(Self.pairKey(pair))
            if o >= 0 { applyOutput(o, into: into) }
        }
        guard flags & (Self.startsTriple | Self.startsLonger) != 0, i &+ 2 < count else { return }
        let triple = pair << 8 | UInt32(ByteSearch.lower(base[i &+ 2]))
        if flags & Self.startsTriple != 0 {
            let o = lookup(Self.tripleKey(triple))
            if o >= 0 { applyOutput(o, into: into) }
        }
        guard flags & Self.startsLonger != 0, i &+ 3 < count else { return }
        let bucket = lookup(Self.prefixKey(triple << 8 | UInt32(ByteSearch.lower(base[i &+ 3]))))
        guard bucket >= 0 else { return }
        for l in Int(bucketStart[bucket])..<Int(bucketStart[bucket &+ 1]) {
            let length = Int(literalLength[l])
            guard i &+ length <= count else { continue }
            let start = Int(literalStart[l])
            var k = 4
            while k < length && ByteSearch.lower(base[i &+ k]) == literalBytes[start &+ k] { k &+= 1 }
            if k == length { applyOutput(Int(literalOutput[l]), into: into) }
        }
    }

    /// The table's value for `key`, or -1.
    @inline(__always)
    private func lookup(_ key: UInt64) -> Int {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> tableShift)
        while true {
            let stored = tableKeys[slot]
            if stored == key { return Int(tableValues[slot]) }
            if stored == Self.emptyKey { return -1 }
            slot = (slot &+ 1) & tableMask
        }
    }

    /// ORs the output list starting at `start` (word, mask pairs ended by word -1) into `into`.
    @inline(__always)
    private func applyOutput(_ start: Int, into: UnsafeMutablePointer<UInt64>) {
        var o = start
        while true {
            let word = outputWords[o]
            if word < 0 { return }
            into[Int(word)] |= outputMasks[o]
            o &+= 1
        }
    }
}
