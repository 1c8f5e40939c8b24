import Synchronization
import TollgateRegex

/// `@rx` whose pattern contains `%{...}` macros: expanded per evaluation, compiled through a small
/// thread-safe cache (bounded; cleared when full) so repeated expansions compile once.
final class MacroRxOperator: RuleOperator {
    /// Most distinct expansions kept; the cache is dropped whole when it would grow beyond this.
    static let cacheLimit = 64

    let argument: OperatorArgument
    private let cache = Mutex<[[UInt8]: Regex]>([:])

    init(pattern: String) {
        argument = OperatorArgument(pattern)
    }

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        let pattern = argument.resolve(context)
        let cached = cache.withLock { $0[pattern] }
        let regex: Regex
        if let cached {
            regex = cached
        } else {
            do {
                regex = try Regex(bytes: pattern.isEmpty ? Array(".*".utf8) : pattern, options: .modSecurityDefault)
            } catch {
                return .error(OperatorError(code: .internalError, detail: "@rx macro expansion: \(error)"))
            }
            cache.withLock { table in
                if table.count >= Self.cacheLimit { table.removeAll(keepingCapacity: true) }
                table[pattern] = regex
            }
        }
        return RxOperator.run(regex, input, &context)
    }
}
