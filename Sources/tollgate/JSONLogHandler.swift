import ArgumentParser
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one JSON object per log event to standard error:
/// `{"ts":"2026-01-01T12:00:00.123Z","level":"info","source":"tollgate","msg":"...","key":"value"}`.
///
/// Each line goes out in a single `write(2)`, so concurrent loggers never interleave within a line.
/// Metadata keys are written as given (dotted, e.g. `function.name`); nested values become JSON
/// arrays and objects.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level
    let label: String
    let fileDescriptor: Int32

    init(label: String, level: Logger.Level, fileDescriptor: Int32 = STDERR_FILENO) {
        self.label = label
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let eventMetadata = event.metadata {
            merged.merge(eventMetadata) { _, new in new }
        }
        let line = Self.render(
            timestamp: Self.timestamp(), level: event.level, source: event.source, label: label,
            message: event.message.description, error: event.error.map { String(describing: $0) }, metadata: merged)
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// One JSON object (no trailing newline). Fixed fields first, then metadata keys in sorted order.
    static func render(
        timestamp: String, level: Logger.Level, source: String, label: String, message: String, error: String?,
        metadata: Logger.Metadata
    ) -> String {
        var out = "{\"ts\":\"\(timestamp)\",\"level\":\"\(level.rawValue)\",\"logger\":"
        appendString(label, to: &out)
        out += ",\"msg\":"
        appendString(message, to: &out)
        if let error {
            out += ",\"error\":"
            appendString(error, to: &out)
        }
        let reserved: Set<String> = ["ts", "level", "logger", "msg", "error"]
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            out += ","
            appendString(reserved.contains(key) ? "meta.\(key)" : key, to: &out)
            out += ":"
            appendValue(value, to: &out)
        }
        out += "}"
        return out
    }

    static func appendValue(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &out)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                appendValue(item, to: &out)
            }
            out += "]"
        case .dictionary(let dictionary):
            out += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendString(key, to: &out)
                out += ":"
                if let item = dictionary[key] { appendValue(item, to: &out) }
            }
            out += "}"
        }
    }

    /// A JSON string literal (RFC 8259 section 7): quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// UTC, RFC 3339 with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
