import CTollgateSystem
import Dispatch
import Synchronization

/// Observes process signals on a Dispatch queue (for `tollgate serve`: SIGTERM/SIGINT drain, SIGHUP reload).
///
/// The signals' default actions are disabled while observed; SIGPIPE is always ignored by the proxy.
public final class ProcessSignals: Sendable {
    public static let terminate: Int32 = 15
    public static let interrupt: Int32 = 2
    public static let hangUp: Int32 = 1

    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Calls `handler` (on a private serial queue) with the signal number each time one arrives.
    public init(
        _ signals: [Int32] = [ProcessSignals.terminate, ProcessSignals.interrupt, ProcessSignals.hangUp],
        handler: @escaping @Sendable (Int32) -> Void
    ) {
        let queue = DispatchQueue(label: "tollgate.signals")
        var created: [any DispatchSourceSignal] = []
        for signal in signals {
            tollgate_ignore_signal(signal)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler { handler(signal) }
            source.resume()
            created.append(source)
        }
        self.sources = Mutex(created)
    }

    /// Stops observing (the signals stay ignored).
    public func cancel() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
    }
}
