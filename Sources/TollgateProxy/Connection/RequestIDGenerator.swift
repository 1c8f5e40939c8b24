/// Generates unique request ids (`X-Request-Id`) without allocating: a random per-process prefix, the
/// worker index and a counter, all hex (24 characters).
struct RequestIDGenerator {
    private let prefix: UInt64
    private var counter: UInt64 = 0
    private let worker: UInt8

    init(worker: Int) {
        var generator = SystemRandomNumberGenerator()
        self.prefix = generator.next()
        self.worker = UInt8(truncatingIfNeeded: worker)
    }

    /// Replaces `id`'s content with a fresh id (24 lowercase hex digits: 12 of the prefix, 2 of the worker, 10
    /// of the counter), written into a stack buffer and appended once.
    mutating func next(into id: inout [UInt8]) {
        counter &+= 1
        id.removeAll(keepingCapacity: true)
        let prefix = self.prefix >> 16
        let worker = UInt64(self.worker)
        let counter = self.counter
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            Self.writeHex(prefix, digits: 12, into: buffer, at: 0)
            Self.writeHex(worker, digits: 2, into: buffer, at: 12)
            Self.writeHex(counter, digits: 10, into: buffer, at: 14)
            id.append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }

    /// The low `digits` hex digits of `value`, most significant first.
    @inline(__always)
    private static func writeHex(
        _ value: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int
    ) {
        var remaining = value
        var position = start + digits
        while position > start {
            position -= 1
            let digit = UInt8(truncatingIfNeeded: remaining & 0xF)
            buffer[position] = digit < 10 ? 0x30 + digit : 0x57 + digit
            remaining >>= 4
        }
    }

    /// An incoming id is kept when it is 1...128 bytes of `[A-Za-z0-9._:-]` (nothing that could inject into
    /// logs or headers).
    static func isAcceptable(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
