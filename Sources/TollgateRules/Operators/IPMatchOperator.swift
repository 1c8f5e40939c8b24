/// `@ipMatch` / `@ipMatchFromFile`: the value is an IPv4 or IPv6 address inside one of the listed addresses or
/// CIDR blocks. A value that is not an address does not match.
struct IPMatchOperator: RuleOperator {
    let networks: [IPNetwork]

    /// Parses a list separated by commas and/or whitespace.
    init(list: String, operatorName: String = "ipMatch") throws(OperatorLoadError) {
        let items = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" })
        try self.init(items: items.map { Array($0.utf8) }, operatorName: operatorName)
    }

    init(items: [[UInt8]], operatorName: String) throws(OperatorLoadError) {
        var parsed: [IPNetwork] = []
        for item in items where !item.isEmpty {
            guard let network = IPNetwork(item[...]) else {
                throw OperatorLoadError(
                    "@\(operatorName): invalid address or network '\(String(decoding: item, as: UTF8.self))'")
            }
            parsed.append(network)
        }
        guard !parsed.isEmpty else { throw OperatorLoadError("@\(operatorName): empty address list") }
        networks = parsed
    }

    func evaluate(_ input: [UInt8], context: inout OperatorContext) -> OperatorResult {
        var start = 0
        var end = input.count
        while start < end && ByteSearch.isSpace(input[start]) { start += 1 }
        while end > start && ByteSearch.isSpace(input[end - 1]) { end -= 1 }
        guard let address = IPAddress(input[start..<end]) else { return .noMatch }
        for network in networks where network.contains(address) { return .match }
        return .noMatch
    }
}
