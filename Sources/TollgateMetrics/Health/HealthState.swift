/// Liveness and readiness of one Tollgate process, answered on `/healthz` and `/readyz`.
///
/// Alive: the process is answering and has not declared itself broken. Ready: a configuration and a ruleset
/// are loaded, the upstream pools are usable and the process is not draining for shutdown. Set by the
/// proxy at start-up, reload and shutdown; read by the admin listener. Not on the request hot path.
public final class HealthState: Sendable {
    /// One readiness snapshot.
    public struct Snapshot: Sendable, Equatable {
        public var alive = true
        public var configLoaded = false
        public var rulesLoaded = false
        public var poolsUsable = false
        public var draining = false

        /// Ready to take traffic.
        public var ready: Bool { alive && configLoaded && rulesLoaded && poolsUsable && !draining }
    }

    private let box = LockedBox(Snapshot())

    public init() {}

    /// The current state.
    public var snapshot: Snapshot { box.withLock { $0 } }

    public func setAlive(_ value: Bool) { box.withLock { $0.alive = value } }
    public func setConfigLoaded(_ value: Bool) { box.withLock { $0.configLoaded = value } }
    public func setRulesLoaded(_ value: Bool) { box.withLock { $0.rulesLoaded = value } }
    public func setPoolsUsable(_ value: Bool) { box.withLock { $0.poolsUsable = value } }
    public func setDraining(_ value: Bool) { box.withLock { $0.draining = value } }

    /// The `/healthz` answer: 200 `{"status":"alive"}` or 503 `{"status":"dead"}`.
    public func healthz() -> AdminResponse {
        let alive = snapshot.alive
        return AdminResponse.json(status: alive ? 200 : 503, #"{"status":"\#(alive ? "alive" : "dead")"}"#)
    }

    /// The `/readyz` answer: 200 when ready, else 503; the body lists each check.
    public func readyz() -> AdminResponse {
        let state = snapshot
        let body =
            #"{"status":"\#(state.ready ? "ready" : "not_ready")","checks":{"alive":\#(state.alive),"#
            + #""config_loaded":\#(state.configLoaded),"rules_loaded":\#(state.rulesLoaded),"#
            + #""pools_usable":\#(state.poolsUsable),"draining":\#(state.draining)}}"#
        return AdminResponse.json(status: state.ready ? 200 : 503, body)
    }
}
