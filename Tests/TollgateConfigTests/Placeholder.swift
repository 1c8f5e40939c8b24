import Testing

@Test func placeholder_TollgateConfigTests() { #expect(1 + 1 == 2) }
