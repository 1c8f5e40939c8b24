// Array indexes for the label enums, so hot-path recording indexes a pre-built array instead of hashing.

extension RequestAction {
    @usableFromInline var ordinal: Int {
        switch self {
        case .allowed: 0
        case .blocked: 1
        case .rateLimited: 2
        case .budgetExceeded: 3
        case .error: 4
        }
    }
}

extension StatusClass {
    @usableFromInline var ordinal: Int {
        switch self {
        case .informational: 0
        case .success: 1
        case .redirection: 2
        case .clientError: 3
        case .serverError: 4
        case .none: 5
        }
    }
}

extension LimitKind {
    @usableFromInline var ordinal: Int {
        switch self {
        case .clientRate: 0
        case .functionRate: 1
        case .clientConcurrency: 2
        case .functionConcurrency: 3
        case .clientBudget: 4
        case .functionBudget: 5
        }
    }
}

extension LimitDecision {
    @usableFromInline var ordinal: Int {
        switch self {
        case .admitted: 0
        case .limited: 1
        case .shadowLimited: 2
        case .degraded: 3
        }
    }
}

extension UpstreamErrorKind {
    @usableFromInline var ordinal: Int {
        switch self {
        case .connect: 0
        case .reset: 1
        case .timeout: 2
        case .protocolError: 3
        }
    }
}

extension RuleEngineErrorKind {
    @usableFromInline var ordinal: Int {
        switch self {
        case .matchLimit: 0
        case .depthLimit: 1
        case .heapLimit: 2
        case .other: 3
        }
    }
}

extension ReloadKind {
    @usableFromInline var ordinal: Int {
        switch self {
        case .config: 0
        case .ruleset: 1
        }
    }
}

extension StoreErrorKind {
    @usableFromInline var ordinal: Int {
        switch self {
        case .connect: 0
        case .timeout: 1
        case .protocolError: 2
        case .script: 3
        }
    }
}

extension ConnectionSide {
    @usableFromInline var ordinal: Int {
        switch self {
        case .client: 0
        case .upstream: 1
        }
    }
}
