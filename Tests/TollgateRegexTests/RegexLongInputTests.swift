import Testing
import TollgateRegex

/// The CRS 920120 pattern (a starred alternation anchored at both ends) on long file names: the JIT may run
/// out of stack; the match must still be decided (by the interpreter), not reported as an error.
@Suite struct RegexLongInputTests {
    static let pattern =
        "(?i)^(?:&(?:(?:[acegilnorsuz]acut|[aeiou]grav|[aino]tild)e|[c-elnr-tz]caron|(?:[cgklnr-t]cedi|[aeiouy]um)l|[aceg-josuwy]circ|[au]ring|a(?:mp|pos)|nbsp|oslash);|[^\"';=\\x5c])*$"

    @Test(arguments: [2_048, 16_384, 131_072])
    func longBenignNameMatches(_ length: Int) throws {
        let regex = try Regex(Self.pattern)
        var name = [UInt8]()
        while name.count < length { name.append(contentsOf: Array("r&eacute;sum&eacute;-".utf8)) }
        let before = Regex.jitStackFallbackCount
        #expect(regex.matches(name) == .match)
        if length >= 131_072 { #expect(Regex.jitStackFallbackCount > before) }
    }

    @Test(arguments: [2_048, 16_384])
    func longNameWithAQuoteDoesNotMatch(_ length: Int) throws {
        let regex = try Regex(Self.pattern)
        var name = [UInt8](repeating: UInt8(ascii: "a"), count: length)
        name.append(UInt8(ascii: "'"))
        #expect(regex.matches(name) == .noMatch)
    }

    /// Past the interpreter's depth limit the outcome is an error (the engine's configurable verdict), never
    /// a wrong answer.
    @Test func hugeNameWithAQuoteIsAnErrorNotAMatch() throws {
        let regex = try Regex(Self.pattern)
        var name = [UInt8](repeating: UInt8(ascii: "a"), count: 131_072)
        name.append(UInt8(ascii: "'"))
        let outcome = regex.matches(name)
        guard case .error(let error) = outcome else {
            Issue.record("expected a limit error, got \(outcome)")
            return
        }
        #expect(error.code == .depthLimit || error.code == .heapLimit)
    }
}
