import Testing

@Test func placeholder_limiter() { #expect(1 + 1 == 2) }
