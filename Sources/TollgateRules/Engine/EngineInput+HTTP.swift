import TollgateHTTP

extension RequestInput {
    /// Builds the engine's view of a request from a head parsed by TollgateHTTP: method, target and version
    /// exactly as on the request line, header fields as received.
    public init(
        head: HTTPRequestHead, remoteAddress: String, remotePort: Int, serverAddress: String = "127.0.0.1",
        serverPort: Int = 80, uniqueID: String? = nil
    ) {
        let line = head.rawBytes.prefix(while: { $0 != 13 && $0 != 10 })
        let method = Array(line.prefix(while: { $0 != 32 }))
        let version = line.lastIndex(of: 32).map { Array(line[($0 + 1)...]) } ?? Array(head.version.description.utf8)
        var headers: [HeaderField] = []
        headers.reserveCapacity(head.headers.count)
        for i in 0..<head.headers.count {
            headers.append(
                HeaderField(name: Array(head.headers.nameBytes(at: i)), value: Array(head.headers.valueBytes(at: i))))
        }
        self.init(
            method: method, target: Array(head.targetBytes), version: version, headers: headers,
            remoteAddress: remoteAddress, remotePort: remotePort, serverAddress: serverAddress, serverPort: serverPort,
            uniqueID: uniqueID)
    }
}

extension ResponseInput {
    /// Builds the engine's view of an upstream response head parsed by TollgateHTTP.
    public init(head: HTTPResponseHead) {
        var headers: [HeaderField] = []
        headers.reserveCapacity(head.headers.count)
        for i in 0..<head.headers.count {
            headers.append(
                HeaderField(name: Array(head.headers.nameBytes(at: i)), value: Array(head.headers.valueBytes(at: i))))
        }
        self.init(status: head.status, version: head.version.description, headers: headers)
    }
}
