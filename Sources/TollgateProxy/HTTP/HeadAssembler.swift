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
