/// A parsed request head: ranges into the bytes it was parsed from, plus what the proxy needs to decide.
struct RequestHead {
    var method: Range<Int> = 0..<0
    var target: Range<Int> = 0..<0
    var minorVersion = 1
    var fieldCount = 0
    var contentLength: Int?
    var chunked = false
    var keepAlive = true
    var expectContinue = false
    var host: Range<Int>?
    var requestID: Range<Int>?
    var forwardedFor: Range<Int>?
    var forwarded: Range<Int>?
    var hasConnectionOptions = false
    /// Bytes from the start of the buffer through the empty line.
    var length = 0

    var hasBody: Bool { chunked || (contentLength ?? 0) > 0 }
}
