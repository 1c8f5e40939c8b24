#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request (and its response) going through the rules. Not thread-safe: confine to one queue.
///
/// Call `processRequestHeaders()` (phase 1), `processRequestBody(_:)` (phase 2), then for the response
/// `processResponseHeaders(_:)` (phase 3), `processResponseBody(_:)` (phase 4) and finally `processLogging()`
/// (phase 5). Each returns the verdict so far; once disruptive, later request/response phases do nothing.
///
/// Semantics follow ModSecurity v3 where CRS depends on them: `setvar` and captures run for every matching
/// value (CRS's parameter counters need that), other actions once per full chain match; `block` takes the
/// phase's `SecDefaultAction`; in DetectionOnly (or `RulesMode.detect`) disruptive matches are logged and
/// remembered in `wouldBlock` but the verdict stays `.allow`.
///
/// Limits and failure modes:
/// - IP, SESSION, GLOBAL, USER and RESOURCE live for this transaction only; `initcol`/`expirevar` are
///   accepted and have no effect (no cross-request state).
/// - `XML:` supports the XPaths `/*`, `//*` (all text) and `//@*`, `/*/@*` (all attribute values); others
///   fail the load. DTDs are skipped, entities other than the predefined and numeric ones are not expanded.
/// - REQUEST_BODY is a variable for URLENCODED bodies or after `ctl:forceRequestBodyVariable=On`.
/// - A body over the limit (or cut by the proxy: `truncated`) is never inspected silently in part: with
///   `SecRequestBodyLimitAction Reject` the verdict is 413; with ProcessPartial the prefix is inspected and
///   INBOUND_DATA_ERROR is 1. Argument-count, JSON/XML depth and file-count overflows set REQBODY_ERROR and
///   block with 400.
/// - An operator error (PCRE2 match/depth limit) is counted in `operatorErrors` and blocks with 403 unless
///   the engine was built with `operatorErrorBlocks: false`.
public final class Transaction {
    let engine: Engine
    let ruleSet: RuleSet
    var settings: EngineSettings
    var engineMode: EngineMode
    public let request: RequestInput
    public let uniqueID: String
    let startMicroseconds: Int

    // Request variables.
    var method: [UInt8]
    var uriRaw: [UInt8]
    var uri: [UInt8]
    var filename: [UInt8]
    var basename: [UInt8]
    var queryString: [UInt8]
    var queryPresent: Bool
    var requestLine: [UInt8]
    var requestHeaders: [Entry]
    var cookies: [Entry]
    var argsGet: [Entry]
    var argsPost: [Entry] = []
    /// JSON body arguments: in ARGS, not in ARGS_POST (as ModSecurity v3).
    var argsJSON: [Entry] = []
    var requestBody: [UInt8]?
    var requestBodyLength = 0
    var reqbodyProcessor: String?
    var reqbodyError = false
    var reqbodyErrorMessage = ""
    var inboundDataError = false
    var multipart = MultipartState()
    var files: [Entry] = []
    var fileSizes: [Entry] = []
    var xml: XMLContent?
    var forceRequestBodyVariable = false

    // Response variables.
    var responseStatus: Int?
    var responseProtocol: [UInt8] = []
    var responseHeaders: [Entry] = []
    var responseBody: [UInt8]?
    var outboundDataError = false

    // Collections written by rules.
    var stores = StoreTable()
    var env: [Entry] = []

    // Match state.
    var matchedVar: [UInt8] = []
    var matchedVarName: [UInt8] = []
    var visibleMatchedVars: [(name: [UInt8], value: [UInt8])] = []
    /// The rule being evaluated (for `%{RULE.*}`); the ruleset keeps it alive, so it is held without a count.
    unowned(unsafe) var currentRule: CompiledRule?
    var highestSeverity = 255

    // Runtime exceptions from ctl.
    var removedIDs: [ClosedRange<Int>] = []
    /// Rules removed by `ctl:ruleRemoveByTag`, as a bit set over `CompiledRule.ordinal`.
    var removedTagRules: [UInt64] = []
    var removedMessages: Set<String> = []
    var removedTargets: [(selector: RuleSelector, target: VariableTarget)] = []

    /// Transformation results by value identity, not bytes: `transformIndex[variable][slot *
    /// transformationChainCount + chain]` is 1 + the result's index in `transformValues`, 0 when not computed yet
    /// (array indexing, no hashing; filled lazily). The table holds plain integers and the values are dense, so
    /// freeing both costs one release per computed value, not a generic destroy per (slot, chain).
    var transformIndex: [[Int32]] = []
    var transformValues: [[UInt8]] = []
    /// Literal prefilter state for the current phase: per pair, whether it was scanned, and its rule bits.
    var prefilterDone: [Bool] = []
    var prefilterState: PrefilterState? {
        didSet { prefilterBits = prefilterState?.bits }
    }
    /// `prefilterState?.bits`, kept apart: the admission check of every rule reads it, and reading the state
    /// object itself from the transaction retained and released it twice per rule.
    var prefilterBits: UnsafeMutablePointer<UInt64>?
    var prefilterComputed = false
    /// ARGS (GET + POST + JSON), rebuilt when the body adds arguments.
    var argsCache: [Entry]?
    /// One macro expander per transaction for operators (avoids a closure allocation per value).
    lazy var operatorMacroExpander: (String) -> [UInt8] = { [unowned self] text in self.expandText(text) }
    lazy var operatorParsedMacroExpander: (MacroString) -> [UInt8] = { [unowned self] macro in self.expand(macro) }
    var macroCache: [String: MacroString] = [:]

    /// Every rule (chain) that matched, in order.
    public internal(set) var matchedRules: [MatchedRule] = []
    /// Operator errors (PCRE2 match/depth limit), counted; in block mode they block.
    public internal(set) var operatorErrors: [String] = []
    /// The verdict so far.
    public internal(set) var verdict: Verdict = .allow
    /// A disruptive action took effect (or would have, in detection-only mode: see `wouldBlock`).
    var interrupted = false
    /// Set when a disruptive rule matched but the engine only detects.
    public internal(set) var wouldBlock: Verdict?
    var allowedThroughPhase = 0

    enum RuleSelector {
        case ids([ClosedRange<Int>])
        /// A tag, resolved to its rules (`RuleSet.tagRules`).
        case rules([UInt64])
        case message(String)

        func selects(_ rule: CompiledRule) -> Bool {
            switch self {
            case .ids(let ranges): return ranges.contains { $0.contains(rule.id) }
            case .rules(let bits): return bits.contains(ordinal: rule.ordinal)
            case .message(let msg): return rule.messageText == msg
            }
        }
    }

    /// The effective Tollgate mode (the engine's, or the per-request override).
    let mode: RulesMode
    /// The rules this transaction runs per phase: the ruleset's, or those left by its `ConstantSetup`.
    let programs: [PhaseProgram]
    /// Phase 1 index before which the `ConstantSetup`'s matched state applies; -1 when none or done.
    var matchedRestoreIndex = -1
    /// The prefilter's literal scanners: the ruleset's, or the `ConstantSetup`'s without the literals of rules
    /// that never run (until a gate that skips them does not apply: `useFullScanners()`).
    /// Nil until the first scan when running the rules as written (the ruleset's scanners are built on first use).
    var scanners: [LiteralScanner]?
    var usingFullScanners = false

    init(engine: Engine, request: RequestInput, options: TransactionOptions = TransactionOptions()) {
        self.engine = engine
        self.mode = options.mode ?? engine.mode
        self.ruleSet = engine.ruleSet
        self.settings = engine.ruleSet.settings
        self.engineMode = engine.ruleSet.settings.ruleEngine
        self.request = request
        self.uniqueID = request.uniqueID ?? Transaction.makeUniqueID()
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        self.startMicroseconds = Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1000
        self.method = request.method
        self.uriRaw = request.target
        var target = request.target
        // absolute-form: drop scheme and authority for REQUEST_URI (RFC 9112 §3.2.2).
        if let schemeEnd = target.firstIndex(of: UInt8(ascii: ":")), target.count > schemeEnd + 2,
            target[schemeEnd + 1] == UInt8(ascii: "/"), target[schemeEnd + 2] == UInt8(ascii: "/"),
            target[..<schemeEnd].allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) })
        {
            let rest = target[(schemeEnd + 3)...]
            if let slash = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                target = Array(target[slash...])
            } else {
                target = [UInt8(ascii: "/")]
            }
        }
        self.uri = target
        let path: [UInt8]
        if let q = target.firstIndex(of: UInt8(ascii: "?")) {
            path = Array(target[..<q])
            queryString = Array(target[(q + 1)...])
            queryPresent = true
        } else {
            path = target
            queryString = []
            queryPresent = false
        }
        // Fragments are not sent by clients, but strip one if present.
        let pathNoFragment = path.firstIndex(of: UInt8(ascii: "#")).map { Array(path[..<$0]) } ?? path
        filename = URLCoding.percentDecode(pathNoFragment, plusAsSpace: false)
        if let slash = filename.lastIndex(of: UInt8(ascii: "/")) {
            basename = Array(filename[(slash + 1)...])
        } else {
            basename = filename
        }
        requestLine = request.method + [32] + request.target + [32] + request.version
        requestHeaders = request.headers.map { Entry($0.name, $0.value) }
        cookies = []
        for h in request.headers where h.name.equalsIgnoringCase(Array("cookie".utf8)) {
            cookies += Transaction.parseCookies(h.value)
        }
        argsGet = URLCoding.parseArguments(queryString, separator: engine.ruleSet.settings.argumentSeparator)
        for (name, value) in options.transactionVariables.sorted(by: { $0.key < $1.key }) {
            stores.make(.tx).set(name, Array(value.utf8))
        }
        // The load-time set-up applies when no TX was preset (a preset value may change its outcome).
        if options.transactionVariables.isEmpty, let setup = engine.constantSetup {
            programs = setup.programs
            scanners = setup.scanners.scanners
            stores.seed(.tx, setup.tx.makeStore())
            matchedRestoreIndex = setup.matchedRestoreIndex
        } else {
            programs = engine.ruleSet.programs
            usingFullScanners = true
        }
        if let ct = headerValue("content-type") {
            let lower = ct.asciiLowercased()
            if lower.starts(with: Array("application/x-www-form-urlencoded".utf8)) {
                reqbodyProcessor = "URLENCODED"
            } else if lower.starts(with: Array("multipart/form-data".utf8)) {
                reqbodyProcessor = "MULTIPART"
            }
        }
    }

    static func makeUniqueID() -> String {
        var g = SystemRandomNumberGenerator()
        let a = g.next() as UInt64
        let b = g.next() as UInt64
        return String(a, radix: 16) + String(b, radix: 16)
    }

    static func parseCookies(_ value: [UInt8]) -> [Entry] {
        // One pass over the bytes: `; `-separated parts, spaces and tabs trimmed, empty parts skipped.
        value.withUnsafeBufferPointer { buffer in
            func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
            var out: [Entry] = []
            let n = buffer.count
            var start = 0
            while start < n {
                var end = start
                while end < n && buffer[end] != UInt8(ascii: ";") { end += 1 }
                var low = start
                var high = end
                while low < high && isBlank(buffer[low]) { low += 1 }
                while high > low && isBlank(buffer[high - 1]) { high -= 1 }
                if low < high {
                    var equals = low
                    while equals < high && buffer[equals] != UInt8(ascii: "=") { equals += 1 }
                    if equals < high {
                        out.append(
                            Entry(
                                Array(UnsafeBufferPointer(rebasing: buffer[low..<equals])),
                                Array(UnsafeBufferPointer(rebasing: buffer[(equals + 1)..<high]))))
                    } else {
                        out.append(Entry(Array(UnsafeBufferPointer(rebasing: buffer[low..<high])), []))
                    }
                }
                start = end + 1
            }
            return out
        }
    }

    func headerValue(_ lowercaseName: String) -> [UInt8]? {
        let n = Array(lowercaseName.utf8)
        return requestHeaders.first(where: { $0.key.equalsIgnoringCase(n) })?.value
    }

    // MARK: - Phases

    /// Phase 1: request headers.
    public func processRequestHeaders() -> Verdict {
        runPhase(1)
        return verdict
    }

    /// Phase 2: the request body (up to the inspection limit). `truncated` says the proxy cut it at its buffer.
    public func processRequestBody(_ body: [UInt8], truncated: Bool = false) -> Verdict {
        if !interrupted && allowedThroughPhase < 2 {
            processBody(body, truncated: truncated)
        }
        runPhase(2)
        releaseRequestCaches()
        return verdict
    }

    deinit {
        // A set taken by a response phase (after `releaseRequestCaches`) goes back to the pool too.
        recyclePrefilterState()
    }

    /// Hands the prefilter's bit sets back to the ruleset's pool, if the transaction holds some.
    private func recyclePrefilterState() {
        guard let state = prefilterState else { return }
        prefilterState = nil
        ruleSet.prefilter.recycle(state)
    }

    /// Frees what phases 1 and 2 cached (transformed values, the prefilter's bit sets): the transaction may wait
    /// a while for the function's response, and a later phase that needs them computes them again.
    func releaseRequestCaches() {
        transformIndex = []
        transformValues = []
        argsCache = nil
        recyclePrefilterState()
        prefilterDone = []
        prefilterComputed = false
    }

    /// Phase 3: the response head.
    public func processResponseHeaders(_ response: ResponseInput) -> Verdict {
        responseStatus = response.status
        responseProtocol = response.version
        responseHeaders = response.headers.map { Entry($0.name, $0.value) }
        runPhase(3)
        return verdict
    }

    /// Phase 4: the response body (inspected when SecResponseBodyAccess is On and its type is listed).
    public func processResponseBody(_ body: [UInt8]) -> Verdict {
        if settings.responseBodyAccess && responseBodyTypeInspected() {
            if body.count > settings.responseBodyLimit {
                outboundDataError = true
                if settings.responseBodyLimitActionReject {
                    enforce(.block(status: 500, ruleID: 0))
                }
                responseBody = Array(body.prefix(settings.responseBodyLimit))
            } else {
                responseBody = body
            }
        }
        runPhase(4)
        return verdict
    }

    /// Phase 5: logging. Returns the audit record (nil when nothing was logged and auditing is off).
    @discardableResult
    public func processLogging() -> AuditRecord {
        runPhase(5)
        return auditRecord()
    }

    /// Phase 5 without building an `AuditRecord`, for callers that report from `matchedRules` themselves
    /// (the proxy writes its own audit lines).
    public func runLoggingPhase() {
        runPhase(5)
    }

    func responseBodyTypeInspected() -> Bool {
        let n = Array("content-type".utf8)
        guard let ct = responseHeaders.first(where: { $0.key.equalsIgnoringCase(n) })?.value else { return false }
        var base = ct.asciiLowercased()
        if let semi = base.firstIndex(of: UInt8(ascii: ";")) { base = Array(base[..<semi]) }
        let type = base.string.trimmingBlanks()
        return settings.responseBodyMimeTypes.contains(type)
    }

    /// Whether phase 2 wants the request body (SecRequestBodyAccess after phase-1 `ctl`s, engine not off,
    /// no verdict yet). When false, call `processRequestBody([])` and stream the body.
    public var wantsRequestBody: Bool {
        mode != .off && engineMode != .off && settings.requestBodyAccess && !interrupted && allowedThroughPhase < 2
    }

    /// Most request body bytes inspected (SecRequestBodyLimit, or SecRequestBodyNoFilesLimit for
    /// non-multipart bodies); buffer up to this and pass `truncated: true` when the body is longer.
    public var requestBodyInspectionLimit: Int {
        reqbodyProcessor == "MULTIPART"
            ? settings.requestBodyLimit
            : min(settings.requestBodyLimit, settings.requestBodyNoFilesLimit)
    }

    /// Whether phase 4 wants the response body (call after `processResponseHeaders`): SecResponseBodyAccess
    /// and a Content-Type listed in SecResponseBodyMimeType.
    public var wantsResponseBody: Bool {
        mode != .off && engineMode != .off && settings.responseBodyAccess && !interrupted && responseBodyTypeInspected()
    }

    /// Most response body bytes inspected (SecResponseBodyLimit).
    public var responseBodyInspectionLimit: Int { settings.responseBodyLimit }

    /// Anomaly scores CRS accumulated (blocking scores; 0 when CRS is not loaded).
    public var anomalyScores: AnomalyScores {
        let tx = stores[.tx] ?? KeyedStore()
        let inbound = tx["blocking_inbound_anomaly_score"] ?? tx["anomaly_score"] ?? []
        let outbound = tx["blocking_outbound_anomaly_score"] ?? []
        return AnomalyScores(inbound: inbound.integerValue, outbound: outbound.integerValue)
    }

    /// A TX variable's value (tests, diagnostics).
    public func transactionVariable(_ name: String) -> String? {
        stores[.tx]?[name]?.string
    }

    /// Applies a verdict when the engine enforces, or remembers it in detection-only mode.
    func enforce(_ v: Verdict) {
        if mode == .block && engineMode == .on {
            if verdict == .allow { verdict = v }
            interrupted = true
        } else if wouldBlock == nil {
            wouldBlock = v
        }
    }
}
