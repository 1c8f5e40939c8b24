/// Incremental, strict scanner of chunked upstream responses (RFC 9112 7.1): reports data ranges and the end
/// without copying, so a chunked response can be relayed verbatim while the proxy tracks where it ends.
///
/// Feed it any split of the bytes; it reports data ranges, the end, or an error. Limits: chunk-size at most
/// 15 hex digits (no overflow), chunk extensions at most 4 KiB per chunk, trailer section at most 16 KiB.
struct ChunkScanner {
    enum Event: Equatable {
        /// Chunk data at this range of the input.
        case data(Range<Int>)
        /// All input consumed; more is needed.
        case needMore
        /// The last chunk and the trailer section ended; the returned position is just past them.
        case done
        /// The framing is invalid.
        case error
    }

    private enum State {
        case size, extensions, sizeLF, data, dataCR, dataLF, trailerStart, trailerLine, trailerLF, finalLF, done
    }

    private var state = State.size
    private var remaining = 0
    private var digits = 0
    private var extensionBytes = 0
    private var trailerBytes = 0

    static let maxExtensionBytes = 4 * 1024
    static let maxTrailerBytes = 16 * 1024

    var isDone: Bool { state == .done }

    /// Decodes from `position`; returns the event and the position to continue from.
    mutating func next(_ bytes: UnsafeRawBufferPointer, from position: Int) -> (Event, Int) {
        var position = position
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            switch state {
            case .size:
                if let value = Self.hexValue(byte) {
                    guard digits < 15 else { return (.error, position) }
                    remaining = remaining << 4 | value
                    digits += 1
                } else if digits == 0 {
                    return (.error, position)
                } else if byte == UInt8(ascii: ";") || byte == 0x20 || byte == 0x09 {
                    state = .extensions
                    extensionBytes = 1
                } else if byte == 0x0D {
                    state = .sizeLF
                } else {
                    return (.error, position)
                }
                position += 1
            case .extensions:
                if byte == 0x0D {
                    state = .sizeLF
                } else {
                    extensionBytes += 1
                    guard ByteClass.isFieldValue(byte), extensionBytes <= Self.maxExtensionBytes else {
                        return (.error, position)
                    }
                }
                position += 1
            case .sizeLF:
                guard byte == 0x0A else { return (.error, position) }
                position += 1
                digits = 0
                state = remaining == 0 ? .trailerStart : .data
            case .data:
                let take = min(remaining, count - position)
                remaining -= take
                if remaining == 0 { state = .dataCR }
                return (.data(position..<(position + take)), position + take)
            case .dataCR:
                guard byte == 0x0D else { return (.error, position) }
                state = .dataLF
                position += 1
            case .dataLF:
                guard byte == 0x0A else { return (.error, position) }
                state = .size
                position += 1
            case .trailerStart:
                if byte == 0x0D {
                    state = .finalLF
                } else if byte == 0x0A || byte == 0x20 || byte == 0x09 || !ByteClass.isToken(byte) {
                    return (.error, position)
                } else {
                    state = .trailerLine
                    trailerBytes += 1
                }
                position += 1
            case .trailerLine:
                if byte == 0x0D {
                    state = .trailerLF
                } else {
                    trailerBytes += 1
                    guard ByteClass.isFieldValue(byte), trailerBytes <= Self.maxTrailerBytes else {
                        return (.error, position)
                    }
                }
                position += 1
            case .trailerLF:
                guard byte == 0x0A else { return (.error, position) }
                state = .trailerStart
                position += 1
            case .finalLF:
                guard byte == 0x0A else { return (.error, position) }
                state = .done
                return (.done, position + 1)
            case .done:
                return (.done, position)
            }
        }
        return (state == .done ? .done : .needMore, position)
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }
}
