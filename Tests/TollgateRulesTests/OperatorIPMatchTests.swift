import Testing

@testable import TollgateRules

@Suite struct OperatorIPMatchTests {
    static let cases: [OperatorCase] = [
        .init("ipMatch", "127.0.0.1,::1", "127.0.0.1", .match),
        .init("ipMatch", "127.0.0.1,::1", "::1", .match),
        .init("ipMatch", "127.0.0.1,::1", "127.0.0.2", .noMatch),
        .init("ipMatch", "10.0.0.0/8", "10.255.1.2", .match),
        .init("ipMatch", "10.0.0.0/8", "11.0.0.1", .noMatch),
        .init("ipMatch", "192.168.1.0/24, 172.16.0.0/12", "172.31.255.255", .match),
        .init("ipMatch", "192.168.1.0/24 172.16.0.0/12", "172.32.0.1", .noMatch),
        .init("ipMatch", "0.0.0.0/0", "8.8.8.8", .match),
        .init("ipMatch", "0.0.0.0/0", "::1", .noMatch),
        .init("ipMatch", "2001:db8::/32", "2001:db8:ffff::1", .match),
        .init("ipMatch", "2001:db8::/32", "2001:db9::1", .noMatch),
        .init("ipMatch", "2001:db8::1/128", "2001:0db8:0000:0000:0000:0000:0000:0001", .match),
        .init("ipMatch", "::ffff:0:0/96", "::ffff:192.168.1.1", .match),
        .init("ipMatch", "fe80::/10", "fe80::1%eth0", .match),
        .init("ipMatch", "10.0.0.0/8", "not an ip", .noMatch),
        .init("ipMatch", "10.0.0.0/8", "", .noMatch),
        .init("ipMatch", "10.0.0.0/8", "10.0.0.256", .noMatch),
        .init("ipMatch", "10.0.0.0/8", "10.0.0", .noMatch),
        .init("ipMatch", "10.0.0.1", " 10.0.0.1 ", .match),
        .init("ipMatch", "::/0", "1:2:3:4:5:6:7:8", .match),
        .init("ipMatch", "::/0", "1:2:3:4:5:6:7:8:9", .noMatch),
        .init("ipMatch", "::/0", "1::2::3", .noMatch),
        .init("ipMatch", "::/0", "12345::", .noMatch),
    ]

    @Test(arguments: cases)
    func evaluates(_ item: OperatorCase) throws {
        let (result, _) = try evaluateOperator(item.name, item.argument, item.input)
        #expect(result == item.expected)
    }

    @Test(arguments: ["10.0.0.0/33", "300.1.1.1", "::1/129", "", "abc", "1.2.3.4/"])
    func invalidListsFailTheLoad(_ list: String) {
        #expect(throws: OperatorLoadError.self) {
            _ = try OperatorFactory.make(name: "ipMatch", argument: list, baseDirectory: "/")
        }
    }
}
