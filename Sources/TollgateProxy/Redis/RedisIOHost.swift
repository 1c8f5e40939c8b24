import CTollgateSystem
import Dispatch

/// What a Redis connection needs from an event loop: a serial queue it is confined to and epoll
/// registration. `Worker` is one (each worker owns its own Redis connection); `RedisEventLoop` is a
/// small stand-alone one for tests and tools.
protocol RedisIOHost: AnyObject, Sendable {
    var queue: DispatchQueue { get }
    func register(fd: Int32, handler: any EventHandler, interest: UInt32) -> Registration
    func setInterest(_ registration: inout Registration, _ interest: UInt32)
    func close(_ registration: inout Registration)
}

extension Worker: RedisIOHost {}

/// A minimal epoll loop on one serial queue (the same core as `Worker`, without listener or clients).
///
/// Confinement: all mutable state is touched only on `queue`; hence `@unchecked Sendable`.
final class RedisEventLoop: RedisIOHost, @unchecked Sendable {
    let queue: DispatchQueue
    private let epollFD: Int32
    private var source: (any DispatchSourceRead)?
    private var handlers: [UInt64: any EventHandler] = [:]
    private var nextGeneration: UInt64 = 1
    private let masks: UnsafeMutablePointer<UInt32>
    private let data: UnsafeMutablePointer<UInt64>

    init(label: String = "tollgate.redis") throws(ProxyError) {
        queue = DispatchQueue(label: label)
        let fd = tollgate_epoll_create()
        guard fd >= 0 else { throw ProxyError(.eventLoopFailed, "epoll_create1 failed: errno \(-fd)") }
        epollFD = fd
        masks = .allocate(capacity: 32)
        data = .allocate(capacity: 32)
        queue.sync {
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [unowned self] in self.drain() }
            source.setCancelHandler { _ = tollgate_close(fd) }
            self.source = source
            source.resume()
        }
    }

    deinit {
        masks.deallocate()
        data.deallocate()
    }

    /// Cancels the read source (closing the epoll descriptor). Call on `queue` after closing every handler.
    func shutdown() {
        dispatchPrecondition(condition: .onQueue(queue))
        handlers.removeAll()
        source?.cancel()
        source = nil
    }

    func register(fd: Int32, handler: any EventHandler, interest: UInt32) -> Registration {
        dispatchPrecondition(condition: .onQueue(queue))
        let token = nextGeneration << 32 | UInt64(UInt32(bitPattern: fd))
        nextGeneration += 1
        guard tollgate_epoll_ctl(epollFD, 1, fd, interest, token) == 0 else { return Registration() }
        handlers[token] = handler
        return Registration(fd: fd, token: token, interest: interest)
    }

    func setInterest(_ registration: inout Registration, _ interest: UInt32) {
        guard registration.isOpen, registration.interest != interest else { return }
        registration.interest = interest
        _ = tollgate_epoll_ctl(epollFD, 3, registration.fd, interest, registration.token)
    }

    func close(_ registration: inout Registration) {
        guard registration.isOpen else { return }
        _ = tollgate_epoll_ctl(epollFD, 2, registration.fd, 0, 0)
        handlers[registration.token] = nil
        _ = tollgate_close(registration.fd)
        registration = Registration()
    }

    private func drain() {
        for _ in 0..<8 {
            let count = Int(tollgate_epoll_wait(epollFD, masks, data, 32, 0))
            if count <= 0 { return }
            for i in 0..<count {
                handlers[data[i]]?.handleEvent(masks[i])
            }
            if count < 32 { return }
        }
    }
}
