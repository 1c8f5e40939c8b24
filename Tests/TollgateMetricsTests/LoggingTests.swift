import Foundation
import Logging
import Testing

@testable import TollgateMetrics

/// Parses one JSON line into an object, failing the test if it is not exactly one object plus `\n`.
func parseLine(_ line: String) throws -> [String: Any] {
    #expect(line.hasSuffix("\n"))
    #expect(line.dropLast().contains("\n") == false, "a log record spans lines")
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(
        "known instants",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_798_590_395_123, "2026-12-30T00:26:35.123Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
            (253_402_300_799_000, "9999-12-31T23:59:59.000Z"),
        ])
    func known(milliseconds: Int64, expected: String) {
        #expect(RFC3339.format(milliseconds: milliseconds) == expected)
    }

    @Test("agrees with Foundation's ISO 8601 formatter on 2,000 random instants")
    func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let ms = Int64.random(in: 0...4_102_444_799_999, using: &generator)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let expected = formatter.string(from: date)
            #expect(RFC3339.format(milliseconds: ms) == expected, "\(ms)")
        }
    }

    @Test("now is close to Foundation's clock")
    func now() {
        let ours = RFC3339.nowMilliseconds()
        let foundation = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(abs(ours - foundation) < 5_000)
    }
}

@Suite("Client key pseudonyms (SipHash-2-4)")
struct ClientKeyHasherTests {
    static let referenceKey = ClientKeyHasher(secret: Array(0...15) as [UInt8])

    @Test(
        "reference vectors (key 00..0f, message 00..n-1)",
        arguments: [
            (0, UInt64(0x726f_db47_dd0e_0e31)),
            (1, UInt64(0x74f8_39c5_93dc_67fd)),
            (15, UInt64(0xa129_ca61_49be_45e5)),
        ])
    func vectors(length: Int, expected: UInt64) {
        let message = (0..<length).map { UInt8($0) }
        #expect(Self.referenceKey.hash(message) == expected)
    }

    @Test("pseudonyms are 16 hex digits, stable per key, different across keys and inputs")
    func pseudonyms() {
        let a = ClientKeyHasher(k0: 1, k1: 2)
        let b = ClientKeyHasher(k0: 1, k1: 3)
        let p = a.pseudonym("203.0.113.7")
        #expect(p.count == 16)
        #expect(p.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(a.pseudonym("203.0.113.7") == p)
        #expect(a.pseudonym(Array("203.0.113.7".utf8)) == p)
        #expect(b.pseudonym("203.0.113.7") != p)
        #expect(a.pseudonym("203.0.113.8") != p)
        #expect(Self.referenceKey.pseudonym([UInt8]()) == "726fdb47dd0e0e31")
        var seen = Set<String>()
        for i in 0..<10_000 { seen.insert(a.pseudonym("client-\(i)")) }
        #expect(seen.count == 10_000)
    }
}

@Suite("Redaction")
struct RedactorTests {
    @Test(
        "secret field names",
        arguments: [
            ("authorization", true), ("Authorization", true), ("http.request.headers.cookie", true),
            ("Set-Cookie", true), ("x_api_key", true), ("X-Api-Key", true), ("REQUEST_HEADERS:Authorization", true),
            ("REQUEST_COOKIES:session", true), ("password", true), ("session_token", true),
            ("status", false), ("http.path", false), ("ARGS:id", false), ("function", false),
        ])
    func names(name: String, secret: Bool) {
        let redactor = Redactor(additionalFields: ["session_token"])
        #expect(redactor.isSecret(name) == secret, "\(name)")
        #expect(redactor.redact(name, "v") == (secret ? Redactor.mask : "v"))
    }
}

@Suite("JSON lines")
struct JSONLogHandlerTests {
    static let fixedClock: @Sendable () -> Int64 = { 1_798_590_395_123 }

    static func logger(_ sink: MemoryLogSink, level: Logger.Level = .info, redact: [String] = []) -> Logger {
        Logger(label: "tollgate.test") { label in
            JSONLogHandler(
                label: label, level: level, sink: sink, redactor: Redactor(additionalFields: redact),
                clock: fixedClock)
        }
    }

    @Test("one object per line with the fixed fields and flattened, sorted metadata")
    func structure() throws {
        let sink = MemoryLogSink()
        var logger = Self.logger(sink)
        logger[metadataKey: "instance"] = "a"
        logger.info(
            "upstream slow",
            metadata: [
                "http": ["status": "200", "method": "GET", "nested": ["deep": "x"]],
                "rule_ids": ["942100", "941100"],
                "count": .stringConvertible(42),
            ])
        let line = try #require(sink.lines.first)
        let object = try parseLine(line)
        #expect(object["ts"] as? String == "2026-12-30T00:26:35.123Z")
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "tollgate.test")
        #expect(object["msg"] as? String == "upstream slow")
        #expect(object["source"] as? String == "TollgateMetricsTests")
        #expect(object["instance"] as? String == "a")
        #expect(object["http.status"] as? String == "200")
        #expect(object["http.method"] as? String == "GET")
        #expect(object["http.nested.deep"] as? String == "x")
        #expect(object["rule_ids"] as? [String] == ["942100", "941100"])
        #expect(object["count"] as? String == "42")
        #expect(object["http"] == nil)
        // Sorted metadata keys after the fixed fields: equal events give equal lines.
        #expect(line.range(of: "\"count\"")!.lowerBound < line.range(of: "\"http.method\"")!.lowerBound)
    }

    @Test("factory gives loggers the configured level and sink")
    func factory() throws {
        let sink = MemoryLogSink()
        let make = JSONLogHandler.factory(level: try #require(Logger.Level(rawValue: "notice")), sink: sink)
        let logger = Logger(label: "tollgate.cli", factory: make)
        logger.info("dropped")
        logger.notice("kept", metadata: ["cookie": "SECRET"])
        #expect(sink.lines.count == 1)
        let object = try parseLine(try #require(sink.lines.first))
        #expect(object["label"] as? String == "tollgate.cli")
        #expect(object["cookie"] as? String == Redactor.mask)
    }

    @Test("level filtering")
    func levels() {
        let sink = MemoryLogSink()
        var logger = Self.logger(sink, level: .warning)
        logger.info("dropped")
        logger.debug("dropped")
        logger.warning("kept")
        logger.error("kept")
        #expect(sink.lines.count == 2)
        logger.logLevel = .trace
        logger.trace("kept")
        #expect(sink.lines.count == 3)
        #expect(sink.lines.last?.contains(#""level":"trace""#) == true)
    }

    @Test("secrets never reach the sink")
    func secrets() throws {
        let sink = MemoryLogSink()
        let logger = Self.logger(sink, redact: ["x-internal-token"])
        logger.warning(
            "request refused",
            metadata: [
                "authorization": "Bearer SECRET-1",
                "http": ["headers": ["cookie": "session=SECRET-2", "x-api-key": "SECRET-3", "accept": "*/*"]],
                "set-cookie": ["a=SECRET-4", "b=SECRET-5"],
                "X-Internal-Token": "SECRET-6",
                "cookie": ["jar": "SECRET-7"],
            ])
        let line = try #require(sink.lines.first)
        #expect(!line.contains("SECRET"))
        let object = try parseLine(line)
        #expect(object["authorization"] as? String == Redactor.mask)
        #expect(object["http.headers.cookie"] as? String == Redactor.mask)
        #expect(object["http.headers.x-api-key"] as? String == Redactor.mask)
        #expect(object["http.headers.accept"] as? String == "*/*")
        #expect(object["set-cookie"] as? [String] == [Redactor.mask])
        #expect(object["X-Internal-Token"] as? String == Redactor.mask)
        #expect(object["cookie"] as? String == Redactor.mask)
    }

    @Test("escaping: quotes, backslashes, every control character, non-ASCII")
    func escaping() throws {
        let sink = MemoryLogSink()
        let logger = Self.logger(sink)
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let nasty = "q\"b\\s/ \(controls) \u{7F} é 日本 🛡 \u{2028}"
        logger.info("\(nasty)", metadata: ["value": "\(nasty)"])
        let line = try #require(sink.lines.first)
        let object = try parseLine(line)
        #expect(object["msg"] as? String == nasty)
        #expect(object["value"] as? String == nasty)
    }

    @Test("metadata cannot overwrite the fixed fields; errors and providers are included")
    func reservedAndProvider() throws {
        struct Failure: Error, CustomStringConvertible { var description: String { "upstream reset" } }
        let sink = MemoryLogSink()
        let provider = Logger.MetadataProvider { ["trace_id": "t-1"] }
        var handler = JSONLogHandler(label: "l", sink: sink, metadataProvider: provider, clock: Self.fixedClock)
        handler.metadata["level"] = "spoofed"
        handler.log(
            event: LogEvent(
                level: .error, message: "m", error: Failure(), metadata: ["msg": "spoofed"], source: "S",
                file: #fileID, function: #function, line: #line))
        let object = try parseLine(try #require(sink.lines.first))
        #expect(object["level"] as? String == "error")
        #expect(object["msg"] as? String == "m")
        #expect(object["metadata.level"] as? String == "spoofed")
        #expect(object["metadata.msg"] as? String == "spoofed")
        #expect(object["error"] as? String == "upstream reset")
        #expect(object["trace_id"] as? String == "t-1")
        #expect(object["source"] as? String == "S")
    }

    @Test("lines from many threads never interleave")
    func threads() throws {
        let sink = MemoryLogSink()
        let logger = Self.logger(sink)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<200 { logger.info("w\(worker) i\(i)", metadata: ["worker": "\(worker)"]) }
        }
        #expect(sink.lines.count == 1_600)
        for line in sink.lines { _ = try parseLine(line) }
    }

    @Test("non-finite numbers are written as null")
    func numbers() throws {
        var writer = JSONLineWriter()
        writer.field("nan", Double.nan)
        writer.field("inf", Double.infinity)
        writer.field("half", 0.5)
        writer.field("whole", 3.0)
        writer.field("yes", true)
        let object = try parseLine(String(decoding: writer.finish(), as: UTF8.self))
        #expect(object["nan"] is NSNull)
        #expect(object["inf"] is NSNull)
        #expect(object["half"] as? Double == 0.5)
        #expect(object["whole"] as? Int == 3)
        #expect(object["yes"] as? Bool == true)
    }
}

@Suite("Access and audit records")
struct RecordTests {
    @Test("access line: every field, query dropped, no secrets")
    func access() throws {
        let hasher = ClientKeyHasher(k0: 7, k1: 9)
        let record = AccessLogRecord(
            requestId: "r-1", function: "checkout", clientKeyHash: hasher.pseudonym("api-key-SECRET"),
            method: "POST", path: "/pay?token=SECRET&x=1", status: 403, action: .blocked,
            matchedRuleIds: [942100, 941100], anomalyScore: 10, totalMilliseconds: 1.2345678,
            upstreamMilliseconds: nil, bytesIn: 512, bytesOut: 97)
        let line = record.render(timestampMilliseconds: 0)
        #expect(!line.contains("SECRET"))
        let object = try parseLine(line)
        #expect(object["ts"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["type"] as? String == "access")
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["function"] as? String == "checkout")
        #expect(object["client"] as? String == hasher.pseudonym("api-key-SECRET"))
        #expect(object["method"] as? String == "POST")
        #expect(object["path"] as? String == "/pay")
        #expect(object["status"] as? Int == 403)
        #expect(object["action"] as? String == "blocked")
        #expect(object["rule_ids"] as? [Int] == [942100, 941100])
        #expect(object["anomaly_score"] as? Int == 10)
        #expect(object["duration_ms"] as? Double == 1.235)
        #expect(object["proxy_ms"] as? Double == 1.235)
        #expect(object["upstream_ms"] == nil)
        #expect(object["bytes_in"] as? Int == 512)
        #expect(object["bytes_out"] as? Int == 97)

        var forwarded = record
        forwarded.action = .allowed
        forwarded.status = 200
        forwarded.path = "/pay#frag"
        forwarded.upstreamMilliseconds = 1
        let second = try parseLine(forwarded.render(timestampMilliseconds: 0))
        #expect(second["upstream_ms"] as? Double == 1)
        #expect(second["proxy_ms"] as? Double == 0.235)
        #expect(second["path"] as? String == "/pay")
        var buffer: [UInt8] = []
        record.render(into: &buffer, timestampMilliseconds: 0)
        #expect(String(decoding: buffer, as: UTF8.self) == line)
    }

    @Test("audit line: matches listed, secret variables masked, long data truncated")
    func audit() throws {
        let long = String(repeating: "é", count: 300)
        let record = AuditRecord(
            requestId: "r-2", function: "search", clientKeyHash: "0123456789abcdef", method: "GET",
            path: "/q?api_key=SECRET", status: 403, action: .blocked, anomalyScore: 15,
            matches: [
                .init(
                    ruleId: 942100, message: "SQL Injection", severity: "CRITICAL", variable: "ARGS:q",
                    data: "1' OR 1=1"),
                .init(
                    ruleId: 920350, message: "Header", variable: "REQUEST_HEADERS:Authorization", data: "Bearer SECRET"),
                .init(ruleId: 943110, message: "Cookie", variable: "REQUEST_COOKIES:sid", data: "SECRET"),
                .init(ruleId: 999, message: "long", variable: "ARGS:blob", data: long),
            ])
        let line = String(decoding: record.render(timestampMilliseconds: 0), as: UTF8.self)
        #expect(!line.contains("SECRET"))
        let object = try parseLine(line)
        #expect(object["type"] as? String == "audit")
        #expect(object["path"] as? String == "/q")
        #expect(object["rule_ids"] as? [Int] == [942100, 920350, 943110, 999])
        let matches = try #require(object["matches"] as? [[String: Any]])
        #expect(matches.count == 4)
        #expect(matches[0]["id"] as? Int == 942100)
        #expect(matches[0]["severity"] as? String == "CRITICAL")
        #expect(matches[0]["data"] as? String == "1' OR 1=1")
        #expect(matches[1]["data"] as? String == Redactor.mask)
        #expect(matches[2]["data"] as? String == Redactor.mask)
        let truncated = try #require(matches[3]["data"] as? String)
        #expect(truncated.hasSuffix("…"))
        #expect(truncated.dropLast().utf8.count <= AuditRecord.maxDataBytes)
        #expect(truncated.dropLast().allSatisfy { $0 == "é" })
    }
}
