/// A compiled operator with its negation.
package struct CompiledOperator: Sendable {
    package var name: String
    package var argument: String
    package var negated: Bool
    package var implementation: any RuleOperator
}

/// One SecRule/SecAction (a chain link when `chainedFrom` is set), immutable after load.
package struct Rule: Sendable {
    package var actions: RuleActions
    package var targets: [VariableTarget]
    /// `nil` for SecAction (always matches).
    package var op: CompiledOperator?
    /// Effective transformations (defaults merged), interned id for the per-request cache.
    package var transformations: [Transformation]
    package var transformationChainID: Int
    /// The following chain links (rule 2...n of a chain), empty when not a chain.
    package var chained: [Rule]
    package var file: String
    package var line: Int

    package var id: Int { actions.id ?? 0 }
}

/// An entry in a phase's ordered list.
package enum PhaseEntry: Sendable {
    case rule(Rule)
    case marker(String)
}
