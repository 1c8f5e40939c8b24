import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signal handling with `DispatchSource` signal sources instead of async-signal handlers.
///
/// On Linux libdispatch reads signals through `signalfd`, which only sees a signal that is still pending,
/// i.e. blocked in the thread the kernel picks. So the signals are blocked in the main thread before any
/// other thread exists (``blockInAllThreads(_:)``); every thread created later inherits the mask, and no
/// signal can be consumed by a thread that does not block it.
enum SignalHandling {
    /// The signals `serve` and `echo` handle.
    static let handled: [Int32] = [SIGHUP, SIGINT, SIGTERM]

    /// Blocks `signals` in the calling thread; call first thing in `main`, before threads are started.
    nonisolated static func blockInAllThreads(_ signals: [Int32] = handled) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Ignores the default disposition of each signal and delivers it to `handlers` on `queue`.
    /// Keep the returned sources alive for as long as the handlers should run.
    nonisolated static func install(
        on queue: DispatchQueue, handlers: [Int32: @Sendable () -> Void]
    ) -> [any DispatchSourceSignal] {
        var sources: [any DispatchSourceSignal] = []
        for (number, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
        return sources
    }
}
