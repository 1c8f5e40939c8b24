/// Errors thrown by `ProxyServer` (start-up and reload). `code` is stable; `context` is for people.
public struct ProxyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A listener could not be bound (address in use, permission, bad address).
        case bindFailed = "bind_failed"
        /// An upstream host name did not resolve.
        case upstreamUnresolvable = "upstream_unresolvable"
        /// The epoll descriptor could not be created.
        case eventLoopFailed = "event_loop_failed"
        /// `start()` called twice, or after `shutdown`.
        case invalidState = "invalid_state"
        /// A reload asked for a different listen address (needs a restart).
        case listenAddressChanged = "listen_address_changed"
        /// The `limits:` section could not be turned into a limiter.
        case invalidLimits = "invalid_limits"
    }

    public var code: Code
    public var context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public var description: String { "\(code.rawValue): \(context)" }

    public static func == (lhs: ProxyError, rhs: ProxyError) -> Bool { lhs.code == rhs.code }
}
