import Foundation
import Testing
import TollgateHTTP

/// The committed corpus of smuggling and malformed requests (Corpus/, listed in Corpus/expected.txt).
enum Corpus {
    struct Entry: Sendable, CustomTestStringConvertible {
        var file: String
        var expected: String
        var testDescription: String { "\(file) -> \(expected)" }
    }

    static var directory: URL? { Bundle.module.url(forResource: "Corpus", withExtension: nil) }

    static func load() -> [Entry] {
        guard let dir = directory,
            let text = try? String(contentsOf: dir.appendingPathComponent("expected.txt"), encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { return nil }
            return Entry(file: String(parts[0]), expected: String(parts[1]))
        }
    }

    static func bytes(_ file: String) throws -> [UInt8] {
        let dir = try #require(directory)
        return [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))
    }

    /// Outcome of parsing a whole message: the error code, "ok", or "needMore".
    /// A chunked body after a valid head is decoded too; `chunkSplit` feeds it in pieces of that size.
    static func outcome(_ bytes: [UInt8], headByByte: Bool, chunkSplit: Int) -> String {
        var parser = HTTPRequestParser()
        var result: HTTPHeadParseResult<HTTPRequestHead> = .needMore
        if headByByte {
            for n in 1...bytes.count {
                result = parser.parseHead(Array(bytes[0..<n]))
                if !isNeedMore(result) { break }
            }
        } else {
            result = parser.parseHead(bytes)
        }
        switch result {
        case .needMore:
            return "needMore"
        case .failure(let error):
            return error.code.rawValue
        case .complete(let head, let headLength):
            guard head.bodyFraming == .chunked else { return "ok" }
            var decoder = ChunkedDecoder()
            var body: [UInt8] = []
            var offset = headLength
            do {
                while offset < bytes.count && !decoder.isDone {
                    let end = min(offset + chunkSplit, bytes.count)
                    let progress = try decoder.decode(Array(bytes[offset..<end]), into: &body)
                    offset += progress.consumed
                }
            } catch {
                return error.code.rawValue
            }
            return decoder.isDone ? "ok" : "needMore"
        }
    }
}

@Suite struct CorpusTests {
    @Test func corpusIsPresentAndComplete() throws {
        let entries = Corpus.load()
        #expect(entries.count >= 25, "the corpus manifest must list at least 25 cases")
        let dir = try #require(Corpus.directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".http") }
        #expect(Set(files) == Set(entries.map(\.file)), "every corpus file is in the manifest and vice versa")
        for entry in entries where entry.expected != "ok" {
            #expect(HTTPParseError.Code(rawValue: entry.expected) != nil, "unknown code in manifest: \(entry.expected)")
        }
    }

    @Test(arguments: Corpus.load())
    func corpusCase(_ entry: Corpus.Entry) throws {
        let bytes = try Corpus.bytes(entry.file)
        #expect(!bytes.isEmpty)
        #expect(Corpus.outcome(bytes, headByByte: false, chunkSplit: bytes.count) == entry.expected)
    }

    /// The same verdict when the bytes arrive one at a time (resumable scanner, incremental chunked decoder).
    @Test(arguments: Corpus.load())
    func corpusCaseByteByByte(_ entry: Corpus.Entry) throws {
        let bytes = try Corpus.bytes(entry.file)
        #expect(Corpus.outcome(bytes, headByByte: bytes.count < 4096, chunkSplit: 1) == entry.expected)
    }
}
