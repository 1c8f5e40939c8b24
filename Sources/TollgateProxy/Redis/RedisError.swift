/// Why a Redis command did not produce a reply. `code` is stable (metrics and logs use it).
struct RedisError: Error, Equatable, CustomStringConvertible {
    enum Code: String, Sendable, Equatable, CaseIterable {
        /// No connection is ready (connecting, backing off, or closed): nothing was sent.
        case notConnected = "not_connected"
        /// The reply did not arrive within the command timeout; the connection is dropped and re-made.
        case timeout
        /// The connection failed (refused, reset, closed by the server, write error).
        case connectionLost = "connection_lost"
        /// The server sent something that is not RESP2, or a reply nobody asked for.
        case protocolViolation = "protocol_violation"
        /// The server answered with an error (`-ERR ...`), e.g. a script error.
        case server
        /// A reply of an unexpected shape.
        case unexpectedReply = "unexpected_reply"
    }
    let code: Code
    let message: String

    init(_ code: Code, _ message: String = "") {
        self.code = code
        self.message = message
    }

    var description: String { message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)" }

    static func == (a: RedisError, b: RedisError) -> Bool { a.code == b.code }
}
