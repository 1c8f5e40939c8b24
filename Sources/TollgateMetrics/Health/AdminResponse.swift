/// A complete answer of the admin listener: status, headers and body bytes.
///
/// The listener writes it as an HTTP/1.1 response with `Content-Length: body.count`.
public struct AdminResponse: Sendable, Equatable {
    public var status: Int
    /// Header fields besides `Content-Length` (always includes `Content-Type`).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The `Content-Type` value, if any.
    public var contentType: String? { headers.first { $0.name.lowercased() == "content-type" }?.value }

    static func json(status: Int, _ body: String, extraHeaders: [(name: String, value: String)] = []) -> AdminResponse {
        AdminResponse(
            status: status,
            headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")] + extraHeaders,
            body: Array(body.utf8))
    }

    public static func == (lhs: AdminResponse, rhs: AdminResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }
}
