import Testing

@Test func placeholder_metrics() { #expect(1 + 1 == 2) }
