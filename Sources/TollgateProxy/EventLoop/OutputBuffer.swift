import CTollgateSystem

/// Bytes waiting for a socket that would block.
///
/// Used only on backpressure: the proxy writes straight from its reused buffers and copies here only
/// what the kernel did not take. Nothing is appended without a bound checked by the caller (the high
/// water mark stops the reading side).
struct OutputBuffer {
    private var storage: [UInt8] = []
    private var start = 0

    var count: Int { storage.count - start }
    var isEmpty: Bool { start == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if start > 0 && start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        }
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Writes as much as the socket takes. Returns 0 when drained or would block, else -errno.
    mutating func flush(fd: Int32) -> Int {
        while !isEmpty {
            let written = storage.withUnsafeBytes { raw -> Int in
                let pending = UnsafeRawBufferPointer(rebasing: raw[start...])
                return tollgate_write(fd, pending.baseAddress, pending.count)
            }
            if written < 0 {
                return written == -Int(EAGAIN_VALUE) ? 0 : written
            }
            start += written
        }
        // Drained: drop big buffers so idle keep-alive connections stay small.
        if storage.capacity > 256 * 1024 {
            storage = []
        } else {
            storage.removeAll(keepingCapacity: true)
        }
        start = 0
        return 0
    }

    mutating func reset() {
        storage = []
        start = 0
    }
}

/// `EAGAIN` (equal to `EWOULDBLOCK` on Linux), without importing Glibc everywhere.
let EAGAIN_VALUE: Int32 = 11
