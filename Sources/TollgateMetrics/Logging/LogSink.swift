#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where JSON log lines go. `write` receives one complete line (ending in `\n`) and must be thread-safe.
public protocol LogSink: Sendable {
    func write(_ line: [UInt8])
}

/// Writes lines to a file descriptor (standard error by default) with one `write(2)` per line under a lock,
/// so lines from different threads never interleave.
public final class FileDescriptorLogSink: LogSink {
    /// Standard error.
    public static let standardError = FileDescriptorLogSink(fileDescriptor: 2)
    /// Standard output.
    public static let standardOutput = FileDescriptorLogSink(fileDescriptor: 1)

    let fileDescriptor: Int32
    private let lock = LockedBox(())

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(_ line: [UInt8]) {
        lock.withLock { _ in
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = systemWrite(fileDescriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // a log line that cannot be written is dropped, never retried forever
                    }
                }
            }
        }
    }
}

private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fd, pointer, count)
    #else
        Darwin.write(fd, pointer, count)
    #endif
}

/// Keeps lines in memory (tests, and the admin listener's recent-audit view if wanted).
public final class MemoryLogSink: LogSink {
    private let box = LockedBox<[[UInt8]]>([])

    public init() {}

    public func write(_ line: [UInt8]) {
        box.withLock { $0.append(line) }
    }

    /// The lines written so far, as strings (each still ending in `\n`).
    public var lines: [String] { box.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } }
}
