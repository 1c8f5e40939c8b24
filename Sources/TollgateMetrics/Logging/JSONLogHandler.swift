import Logging

/// A swift-log handler writing one JSON object per line, shared by the proxy and the CLI.
///
/// Each line has `ts` (RFC 3339 UTC, milliseconds), `level`, `label`, `msg`, `source`, `error` (if any) and
/// the metadata flattened to dotted keys (`["http": ["status": "200"]]` becomes `"http.status":"200"`);
/// keys are sorted, so equal events give equal lines. Metadata whose key would clash with those fields is
/// written as `metadata.<key>`. Values of secret fields (see ``Redactor``) are masked.
///
/// ```swift
/// LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: .info) }
/// ```
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    let label: String
    let sink: any LogSink
    let redactor: Redactor
    let clock: @Sendable () -> Int64

    static let reservedKeys: Set<String> = ["ts", "level", "label", "msg", "source", "error"]

    /// - Parameters:
    ///   - label: The logger's label (e.g. `tollgate.proxy`).
    ///   - level: Events below this level are dropped (configurable `log_level`).
    ///   - sink: Where lines go (standard error by default).
    ///   - redactor: Which metadata fields are secret.
    ///   - metadataProvider: Task-local metadata, as swift-log defines it.
    ///   - clock: Milliseconds since the epoch (injectable for tests).
    public init(
        label: String,
        level: Logger.Level = .info,
        sink: any LogSink = FileDescriptorLogSink.standardError,
        redactor: Redactor = Redactor(),
        metadataProvider: Logger.MetadataProvider? = nil,
        clock: @escaping @Sendable () -> Int64 = RFC3339.nowMilliseconds
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.redactor = redactor
        self.metadataProvider = metadataProvider
        self.clock = clock
    }

    /// A factory for `LoggingSystem.bootstrap` giving every logger the same level, sink and redactor.
    ///
    /// `level` usually comes from the configuration: `Logger.Level(rawValue: "info")`.
    public static func factory(
        level: Logger.Level, sink: any LogSink = FileDescriptorLogSink.standardError, redactor: Redactor = Redactor()
    ) -> @Sendable (String) -> any LogHandler {
        { label in JSONLogHandler(label: label, level: level, sink: sink, redactor: redactor) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard event.level >= logLevel else { return }
        sink.write(render(event))
    }

    /// The JSON line for `event` (ending in `\n`).
    func render(_ event: LogEvent) -> [UInt8] {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let eventMetadata = event.metadata { merged.merge(eventMetadata) { _, new in new } }

        var flat: [(String, FlatValue)] = []
        for (key, value) in merged { flatten(key, value, into: &flat) }
        flat.sort { $0.0 < $1.0 }

        var writer = JSONLineWriter()
        writer.field("ts", RFC3339.format(milliseconds: clock()))
        writer.field("level", event.level.rawValue)
        writer.field("label", label)
        writer.field("msg", event.message.description)
        writer.field("source", event.source)
        if let error = event.error { writer.field("error", String(describing: error)) }
        for (key, value) in flat {
            let name = JSONLogHandler.reservedKeys.contains(key) ? "metadata." + key : key
            switch value {
            case .string(let string): writer.field(name, redactor.redact(key, string))
            case .array(let strings):
                writer.field(name, redactor.isSecret(key) ? [Redactor.mask] : strings)
            }
        }
        return writer.finish()
    }

    enum FlatValue {
        case string(String)
        case array([String])
    }

    /// Appends `value` under `key`, dictionaries expanded to `key.sub` (a secret parent masks its children).
    func flatten(_ key: String, _ value: Logger.Metadata.Value, into out: inout [(String, FlatValue)]) {
        switch value {
        case .string(let string): out.append((key, .string(string)))
        case .stringConvertible(let convertible): out.append((key, .string(convertible.description)))
        case .dictionary(let dictionary):
            if redactor.isSecret(key) {
                out.append((key, .string(Redactor.mask)))
                return
            }
            for (subKey, subValue) in dictionary { flatten(key + "." + subKey, subValue, into: &out) }
        case .array(let values):
            out.append((key, .array(values.map(JSONLogHandler.describe))))
        }
    }

    /// A one-string rendering of a metadata value inside an array.
    static func describe(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .dictionary, .array: value.description
        }
    }
}
