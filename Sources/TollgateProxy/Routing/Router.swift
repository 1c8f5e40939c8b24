import CTollgateSystem
import TollgateConfig
import TollgateMetrics

/// A resolved upstream socket address.
struct SocketAddress: @unchecked Sendable {
    // Plain bytes (sockaddr_storage and a length); never mutated after resolution.
    var raw: tollgate_address
}

/// The immutable routing table built from a configuration (at start and on reload): routes sorted by
/// prefix length, longest first, with everything pre-rendered as bytes.
final class Router: Sendable {
    /// One route (a class: a request holds it by one reference, not by copying its arrays).
    final class Route: Sendable {
        let index: Int
        let function: FunctionConfiguration
        /// Route prefix without a trailing slash ("/" stays "/").
        let prefix: [UInt8]
        /// Lowercased allowed hosts; empty means any.
        let hosts: [[UInt8]]
        /// Allowed methods; empty means any.
        let methods: [[UInt8]]
        /// `Allow:` header value for 405 answers.
        let allowValue: [UInt8]
        let basePath: [UInt8]
        /// `host[:port]` of the upstream URL: the `Host` sent upstream for a request without one (HTTP/1.0).
        let upstreamAuthority: [UInt8]
        let address: SocketAddress
        let maxBodyBytes: Int
        let functionName: String
        /// The function's metric handles, resolved when the configuration was loaded (nil: no metrics).
        let metrics: FunctionMetrics?

        init(
            index: Int, function: FunctionConfiguration, prefix: [UInt8], hosts: [[UInt8]], methods: [[UInt8]],
            allowValue: [UInt8], basePath: [UInt8], address: SocketAddress, maxBodyBytes: Int, functionName: String,
            metrics: FunctionMetrics? = nil
        ) {
            self.metrics = metrics
            self.index = index
            self.function = function
            self.prefix = prefix
            self.hosts = hosts
            self.methods = methods
            self.allowValue = allowValue
            self.basePath = basePath
            let upstream = function.upstream
            var authority = upstream.host.contains(":") ? "[\(upstream.host)]" : upstream.host
            if upstream.port != 80 { authority += ":\(upstream.port)" }
            self.upstreamAuthority = Array(authority.utf8)
            self.address = address
            self.maxBodyBytes = maxBodyBytes
            self.functionName = functionName
        }
    }

    enum Match {
        case route(Route)
        case notFound
        case methodNotAllowed(Route)
    }

    let routes: [Route]
    /// Routes to `degrade_to` upstreams (budgets that degrade instead of refusing), keyed by
    /// `"<function index> <upstream URL>"`; never matched by path. Their pool indices follow `routes`'.
    let degradeRoutes: [String: Route]

    init(configuration: TollgateConfiguration, metrics: FunctionMetricsTable? = nil) throws(ProxyError) {
        var built: [Route] = []
        for (index, function) in configuration.functions.enumerated() {
            var address = tollgate_address()
            let status = tollgate_resolve(function.upstream.host, Int32(function.upstream.port), &address)
            guard status == 0 else {
                throw ProxyError(
                    .upstreamUnresolvable,
                    "function '\(function.name)': upstream host '\(function.upstream.host)' does not resolve"
                )
            }
            var prefix = Array(function.route.utf8)
            while prefix.count > 1 && prefix.last == UInt8(ascii: "/") { prefix.removeLast() }
            if prefix.isEmpty { prefix = [UInt8(ascii: "/")] }
            built.append(
                Route(
                    index: index,
                    function: function,
                    prefix: prefix,
                    hosts: function.hosts.map { Array($0.lowercased().utf8) },
                    methods: function.methods.map { Array($0.utf8) },
                    allowValue: Array(function.methods.joined(separator: ", ").utf8),
                    basePath: Array(function.upstream.basePath.utf8),
                    address: SocketAddress(raw: address),
                    maxBodyBytes: function.maxBodyBytes ?? configuration.http.maxBodyBytes,
                    functionName: function.name,
                    metrics: metrics?[function.name]
                )
            )
        }
        // Degrade upstreams named anywhere in the limits section, per function (timeouts and framing stay
        // the function's).
        var degrade: [String: Route] = [:]
        if let limits = configuration.limits {
            var addresses: [UpstreamAddress] = []
            for set in [limits.perClient, limits.perFunction]
                + limits.functionOverrides.values.flatMap({
                    [$0.perClient, $0.perFunction].compactMap { $0 }
                })
            {
                if let address = set.budget?.degradeTo, !addresses.contains(address) { addresses.append(address) }
            }
            var next = built.count
            for route in built {
                for address in addresses {
                    var socket = tollgate_address()
                    guard tollgate_resolve(address.host, Int32(address.port), &socket) == 0 else {
                        throw ProxyError(
                            .upstreamUnresolvable, "degrade_to upstream '\(address.host)' does not resolve")
                    }
                    var function = route.function
                    function.upstream = address
                    degrade["\(route.index) \(address.description)"] = Route(
                        index: next, function: function, prefix: route.prefix, hosts: route.hosts,
                        methods: route.methods, allowValue: route.allowValue, basePath: Array(address.basePath.utf8),
                        address: SocketAddress(raw: socket), maxBodyBytes: route.maxBodyBytes,
                        functionName: route.functionName, metrics: route.metrics)
                    next += 1
                }
            }
        }
        degradeRoutes = degrade
        // Longest prefix first; ties keep file order.
        routes = built.enumerated().sorted { lhs, rhs in
            lhs.element.prefix.count != rhs.element.prefix.count
                ? lhs.element.prefix.count > rhs.element.prefix.count : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// The route to the `degrade_to` upstream `upstream` (its URL) for the function of `route`.
    func degradeRoute(for route: Route, upstream: String) -> Route? {
        degradeRoutes["\(route.index) \(upstream)"]
    }

    /// Finds the route for a request: longest prefix on a segment boundary among routes whose host list
    /// admits `host` (lowercase, no port); then the method allow-list (405 when it refuses).
    func match(target: UnsafeRawBufferPointer, host: UnsafeRawBufferPointer, method: UnsafeRawBufferPointer) -> Match {
        for route in routes {
            guard Self.prefixMatches(route.prefix, target) else { continue }
            if !route.hosts.isEmpty && !route.hosts.contains(where: { Self.equalsIgnoringCase($0, host) }) {
                continue
            }
            if !route.methods.isEmpty && !route.methods.contains(where: { Self.equals($0, method) }) {
                return .methodNotAllowed(route)
            }
            return .route(route)
        }
        return .notFound
    }

    static func prefixMatches(_ prefix: [UInt8], _ target: UnsafeRawBufferPointer) -> Bool {
        guard target.count >= prefix.count else { return false }
        for position in 0..<prefix.count where target[position] != prefix[position] { return false }
        if target.count == prefix.count || prefix.last == UInt8(ascii: "/") { return true }
        let next = target[prefix.count]
        return next == UInt8(ascii: "/") || next == UInt8(ascii: "?")
    }

    static func equals(_ lhs: [UInt8], _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for position in 0..<lhs.count where lhs[position] != rhs[position] { return false }
        return true
    }

    static func equalsIgnoringCase(_ lowercase: [UInt8], _ other: UnsafeRawBufferPointer) -> Bool {
        guard lowercase.count == other.count else { return false }
        for position in 0..<lowercase.count where lowercase[position] != asciiLower(other[position]) {
            return false
        }
        return true
    }
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
}
