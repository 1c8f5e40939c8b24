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

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Replaces `id`'s content with a fresh id.
    mutating func next(into id: inout [UInt8]) {
        counter &+= 1
        id.removeAll(keepingCapacity: true)
        append(prefix >> 16, digits: 12, to: &id)
        append(UInt64(worker), digits: 2, to: &id)
        append(counter, digits: 10, to: &id)
    }

    private func append(_ value: UInt64, digits: Int, to id: inout [UInt8]) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            id.append(Self.hex[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
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
