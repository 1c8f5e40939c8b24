import Testing

@Test func placeholder_TollgateRegexTests() { #expect(1 + 1 == 2) }
