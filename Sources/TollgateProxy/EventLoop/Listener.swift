import CTollgateSystem

/// A worker's listening socket (one per worker, bound with `SO_REUSEPORT`).
///
/// Confined to the worker queue (see `Worker`).
final class Listener: EventHandler {
    unowned let worker: Worker
    private var registration = Registration()
    private let fd: Int32
    private var pausedUntil: UInt64 = 0
    private var paused = false
    private var ipText = [CChar](repeating: 0, count: 64)

    init(worker: Worker, fd: Int32) {
        self.worker = worker
        self.fd = fd
    }

    func register() {
        registration = worker.register(fd: fd, handler: self, interest: tollgate_EPOLLIN)
        if !registration.isOpen {
            worker.logger.error("could not watch the listener", metadata: ["fd": "\(fd)"])
        }
    }

    func handleEvent(_ events: UInt32) {
        var accepted = 0
        while accepted < 64 {
            if worker.clients.count >= worker.settings.maxConnections {
                pause(until: .max)
                return
            }
            var length: Int32 = 0
            let clientFD = ipText.withUnsafeMutableBufferPointer {
                tollgate_accept(fd, $0.baseAddress, Int32($0.count), &length)
            }
            if clientFD < 0 {
                let error = -clientFD
                if error == EAGAIN_VALUE { return }
                if error == 24 || error == 23 {  // EMFILE, ENFILE: back off instead of spinning.
                    worker.logger.warning("accept: out of descriptors; pausing 100 ms")
                    pause(until: worker.now + 100)
                    return
                }
                if error == 103 || error == 104 || error == 71 || error == 4 {  // ECONNABORTED, ECONNRESET...
                    continue
                }
                worker.logger.warning("accept failed", metadata: ["errno": "\(error)"])
                return
            }
            accepted += 1
            let ip = ipText.withUnsafeBufferPointer { buffer in
                Array(UnsafeRawBufferPointer(buffer).prefix(Int(length)))
            }
            worker.counters.accepted.increment()
            ClientConnection.open(worker: worker, fd: clientFD, peerIP: ip)
        }
    }

    private func pause(until deadline: UInt64) {
        pausedUntil = deadline
        paused = true
        worker.setInterest(&registration, 0)
    }

    func resumeIfPaused(now: UInt64) {
        guard paused else { return }
        if pausedUntil == .max {
            guard worker.clients.count < worker.settings.maxConnections else { return }
        } else if now < pausedUntil {
            return
        }
        paused = false
        worker.setInterest(&registration, tollgate_EPOLLIN)
    }

    /// Stops listening: removes the socket from epoll, then closes it.
    func close() {
        if registration.isOpen {
            worker.close(&registration)
        } else {
            _ = tollgate_close(fd)
        }
    }
}
