import Testing

@Test func placeholder_TollgateRulesTests() { #expect(1 + 1 == 2) }
