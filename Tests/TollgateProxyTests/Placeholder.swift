import Testing

@Test func placeholder_TollgateProxyTests() { #expect(1 + 1 == 2) }
