import Testing

@Test func placeholder_TollgateHTTPTests() { #expect(1 + 1 == 2) }
