/// A worker's reusable buffer for assembling heads (the forwarded request head, the client's response head):
/// an append is a capacity check and a `memcpy`, where `Array.append(contentsOf:)` costs about a hundred
/// instructions a call (a head takes 20 to 50 appends). The assembled bytes are copied out once.
///
/// Noncopyable, so the one owner (the worker, on its queue) frees it exactly once; used only within one
/// synchronous build (nothing the build calls uses it too).
struct HeadAssembler: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        self.base = .allocate(byteCount: self.capacity, alignment: 16)
        base.bindMemory(to: UInt8.self, capacity: self.capacity)
    }

    deinit { base.deallocate() }

    mutating func reset() { count = 0 }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let length = bytes.count
        guard length > 0, let source = bytes.baseAddress else { return }
        if capacity - count < length { grow(to: count + length) }
        (base + count).copyMemory(from: source, byteCount: length)
        count += length
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        append(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    @inline(__always)
    mutating func append(byte: UInt8) {
        if capacity == count { grow(to: count + 1) }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends `value` in decimal (non-negative).
    mutating func appendDecimal(_ value: Int) {
        var digits = 1
        var probe = value / 10
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        if capacity - count < digits { grow(to: count + digits) }
        var remaining = value
        var position = count + digits
        repeat {
            position -= 1
            base.storeBytes(of: UInt8(remaining % 10) + 0x30, toByteOffset: position, as: UInt8.self)
            remaining /= 10
        } while remaining > 0
        count += digits
    }

    /// Appends `name: value CRLF` for each of the first `count` fields that `include` accepts, in order. A run of
    /// accepted fields whose lines already have exactly that form and follow each other in `bytes` (the usual
    /// case: `Name: value` with one space, no trailing whitespace) is copied with one `memcpy`; other fields
    /// are rebuilt from their name and value. The output is the same either way.
    @inline(__always)
    mutating func appendFieldLines(
        _ bytes: UnsafeRawBufferPointer, _ fields: ContiguousArray<HeaderField>, count: Int,
        include: (HeaderField) -> Bool
    ) {
        var runStart = 0
        var runEnd = 0
        for index in 0..<count {
            let field = fields[index]
            guard include(field) else { continue }
            if Self.isCanonicalLine(bytes, field) {
                if runEnd > runStart && runEnd == field.name.lowerBound {
                    runEnd = field.value.upperBound + 2
                    continue
                }
                if runEnd > runStart { append(bytes, runStart..<runEnd) }
                runStart = field.name.lowerBound
                runEnd = field.value.upperBound + 2
            } else {
                if runEnd > runStart { append(bytes, runStart..<runEnd) }
                runStart = 0
                runEnd = 0
                append(bytes, field.name)
                append(": ")
                append(bytes, field.value)
                append("\r\n")
            }
        }
        if runEnd > runStart { append(bytes, runStart..<runEnd) }
    }

    /// The field's line in `bytes` is exactly `name ": " value CRLF`.
    @inline(__always)
    static func isCanonicalLine(_ bytes: UnsafeRawBufferPointer, _ field: HeaderField) -> Bool {
        let colon = field.name.upperBound
        let end = field.value.upperBound
        return field.value.lowerBound == colon + 2 && end + 1 < bytes.count && bytes[colon] == UInt8(ascii: ":")
            && bytes[colon + 1] == 0x20 && bytes[end] == 0x0D && bytes[end + 1] == 0x0A
    }

    /// Replaces the array's contents with the assembled bytes (keeping its capacity).
    func copy(into array: inout [UInt8]) {
        array.removeAll(keepingCapacity: true)
        array.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.bindMemory(to: UInt8.self, capacity: newCapacity)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
