/// Frames data in the chunked transfer coding (RFC 9112 section 7.1) when the proxy re-encodes a body.
///
/// For `writev`, send `chunkHead(size:)`, the data, then `crlf`; end with `appendLastChunk`.
public enum ChunkedEncoder {
    /// The CRLF that ends each chunk's data.
    public static let crlf: [UInt8] = [.cr, .lf]

    /// Appends `<hex size>CRLF`. A size of 0 appends nothing (use `appendLastChunk` to end the body).
    public static func appendChunkHead(size: Int, to out: inout [UInt8]) {
        guard size > 0 else { return }
        var digits: [UInt8] = []
        var n = size
        while n > 0 {
            let d = UInt8(n & 0xF)
            digits.append(d < 10 ? 0x30 + d : 0x61 + d - 10)
            n >>= 4
        }
        out.append(contentsOf: digits.reversed())
        out.append(.cr)
        out.append(.lf)
    }

    /// `<hex size>CRLF` for a chunk of `size` bytes (empty for 0).
    public static func chunkHead(size: Int) -> [UInt8] {
        var out: [UInt8] = []
        appendChunkHead(size: size, to: &out)
        return out
    }

    /// Appends one whole chunk (head, data, CRLF); empty data appends nothing.
    public static func appendChunk(_ data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard !data.isEmpty else { return }
        appendChunkHead(size: data.count, to: &out)
        out.append(contentsOf: data)
        out.append(.cr)
        out.append(.lf)
    }

    /// Appends one whole chunk (head, data, CRLF); empty data appends nothing.
    public static func appendChunk(_ data: [UInt8], to out: inout [UInt8]) {
        data.withUnsafeBytes { appendChunk($0, to: &out) }
    }

    /// Appends the last chunk `0 CRLF`, the trailer fields, and the final CRLF.
    public static func appendLastChunk(trailers: HTTPHeaders = HTTPHeaders(), to out: inout [UInt8]) {
        out.append(0x30)
        out.append(.cr)
        out.append(.lf)
        for i in 0..<trailers.count {
            out.append(contentsOf: trailers.nameBytes(at: i))
            out.append(.colon)
            out.append(.sp)
            out.append(contentsOf: trailers.valueBytes(at: i))
            out.append(.cr)
            out.append(.lf)
        }
        out.append(.cr)
        out.append(.lf)
    }
}
