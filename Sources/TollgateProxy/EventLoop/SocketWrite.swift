import CTollgateSystem

/// Result of writing to a non-blocking socket, with any remainder moved to the output buffer.
enum WriteOutcome {
    /// Everything written or queued.
    case ok
    /// The socket failed (errno); the connection must be closed.
    case failed(Int32)
}

enum SocketWrite {
    /// Writes `first` then `second` directly when nothing is queued, queueing whatever the kernel does
    /// not take; appends to `out` when it is not empty (to keep byte order).
    static func write(
        fd: Int32,
        out: inout OutputBuffer,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> WriteOutcome {
        if !out.isEmpty || fd < 0 {
            out.append(first)
            out.append(second)
            return .ok
        }
        let total = first.count + second.count
        if total == 0 { return .ok }
        let written = tollgate_write2(fd, first.baseAddress, first.count, second.baseAddress, second.count)
        if written < 0 {
            if written == -Int(EAGAIN_VALUE) {
                out.append(first)
                out.append(second)
                return .ok
            }
            return .failed(Int32(-written))
        }
        if written < first.count {
            out.append(UnsafeRawBufferPointer(rebasing: first[written...]))
            out.append(second)
        } else if written < total {
            out.append(UnsafeRawBufferPointer(rebasing: second[(written - first.count)...]))
        }
        return .ok
    }
}
