import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signal handling with `DispatchSource` signal sources instead of async-signal handlers.
enum SignalHandling {
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
