/// A worker's view of the routing table: the router plus one upstream pool per route.
///
/// Confined to the worker queue. On reload the pools are replaced; old pools are retired (they close their
/// idle connections and close the busy ones when they come back) so exchanges in flight finish untouched.
struct WorkerRouting {
    private(set) var router: Router
    private(set) var pools: [UpstreamPool]
    private var retired: [UpstreamPool] = []

    init(router: Router) {
        self.router = router
        self.pools = []
        self.pools = Self.makePools(router)
    }

    private static func makePools(_ router: Router) -> [UpstreamPool] {
        let all = router.routes + Array(router.degradeRoutes.values)
        var pools = [UpstreamPool?](repeating: nil, count: all.count)
        for route in all { pools[route.index] = UpstreamPool(route: route) }
        return pools.compactMap { $0 }
    }

    func pool(for route: Router.Route) -> UpstreamPool { pools[route.index] }

    mutating func replace(with router: Router, worker: Worker) {
        for pool in pools {
            pool.retire(worker: worker)
            retired.append(pool)
        }
        self.router = router
        self.pools = Self.makePools(router)
        retired.removeAll { $0.isFinished }
    }

    mutating func sweepIdle(worker: Worker, now: UInt64) {
        for pool in pools { pool.sweepIdle(worker: worker, now: now) }
        if !retired.isEmpty { retired.removeAll { $0.isFinished } }
    }

    func closeIdle(worker: Worker) {
        for pool in pools { pool.closeIdle(worker: worker) }
    }

    mutating func closeAll(worker: Worker) {
        for pool in pools { pool.closeIdle(worker: worker) }
        for pool in retired { pool.closeIdle(worker: worker) }
        retired.removeAll()
    }
}
