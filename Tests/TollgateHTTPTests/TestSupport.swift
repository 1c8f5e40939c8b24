import TollgateHTTP

/// Bytes of a string with `\n` written as CRLF unless `raw` (so tables stay readable).
func crlf(_ s: String) -> [UInt8] {
    Array(s.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

/// The parsed head, or nil.
func parsedRequest(_ bytes: [UInt8], limits: HTTPParserLimits = HTTPParserLimits()) -> (HTTPRequestHead, Int)? {
    if case .complete(let head, let n) = HTTPRequestHead.parse(bytes, limits: limits) { return (head, n) }
    return nil
}

/// The error code, or nil when the result is not a failure.
func requestError(_ bytes: [UInt8], limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
    if case .failure(let e) = HTTPRequestHead.parse(bytes, limits: limits) { return e }
    return nil
}

func isNeedMore<H>(_ r: HTTPHeadParseResult<H>) -> Bool {
    if case .needMore = r { return true }
    return false
}

func parsedResponse(_ bytes: [UInt8]) -> (HTTPResponseHead, Int)? {
    if case .complete(let head, let n) = HTTPResponseHead.parse(bytes) { return (head, n) }
    return nil
}

func responseError(_ bytes: [UInt8]) -> HTTPParseError? {
    if case .failure(let e) = HTTPResponseHead.parse(bytes) { return e }
    return nil
}
