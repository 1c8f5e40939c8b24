import Foundation
import Yams

extension TollgateConfiguration {
    /// Reads, parses and validates a configuration file.
    ///
    /// Relative paths in the file (rule files, `crs_path`) are resolved against the file's directory.
    /// Besides everything ``parse(yaml:sourceFile:)`` checks, this checks that referenced rule files
    /// (those without glob characters) and `crs_path` exist.
    ///
    /// - Throws: ``ConfigurationError`` with every problem found.
    public static func load(path: String) throws(ConfigurationError) -> TollgateConfiguration {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    code: .fileUnreadable, keyPath: "", file: path, message: "is a directory, not a file")
            ])
        }
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: absolute))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(issues: [
                    ConfigurationIssue(
                        code: .fileUnreadable, keyPath: "", file: path, message: "is not UTF-8 text")
                ])
            }
            text = decoded
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    code: .fileUnreadable, keyPath: "", file: path,
                    message: "cannot be read: \(Self.describeReadError(error))")
            ])
        }
        let directory = (absolute as NSString).deletingLastPathComponent
        let decoder = ConfigurationDecoder(file: path, baseDirectory: directory)
        let configuration = decode(yaml: text, decoder: decoder)
        checkFilesExist(configuration, decoder: decoder, yaml: text)
        guard decoder.issues.isEmpty, let configuration else {
            throw ConfigurationError(issues: sorted(decoder.issues))
        }
        return configuration
    }

    /// Parses and validates YAML text; no file system access.
    ///
    /// - Parameters:
    ///   - yaml: the document.
    ///   - sourceFile: named in messages; when it contains a `/`, relative rule paths are resolved
    ///     against its directory, otherwise they are kept as written.
    /// - Throws: ``ConfigurationError`` with every problem found.
    public static func parse(yaml: String, sourceFile: String = "<inline>") throws(ConfigurationError)
        -> TollgateConfiguration
    {
        let directory: String? = sourceFile.contains("/") ? (sourceFile as NSString).deletingLastPathComponent : nil
        let decoder = ConfigurationDecoder(file: sourceFile, baseDirectory: directory)
        let configuration = decode(yaml: yaml, decoder: decoder)
        guard decoder.issues.isEmpty, let configuration else {
            throw ConfigurationError(issues: sorted(decoder.issues))
        }
        return configuration
    }

    private static func decode(yaml: String, decoder: ConfigurationDecoder) -> TollgateConfiguration? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let (line, column, message) = describeYAMLError(error)
            decoder.append(
                ConfigurationIssue(
                    code: .yamlSyntax, keyPath: "", file: decoder.file, line: line, column: column, message: message))
            return nil
        }
        return decoder.decodeRoot(root)
    }

    /// Line, column and a one-line message for a Yams error.
    static func describeYAMLError(_ error: any Error) -> (Int?, Int?, String) {
        guard let yamlError = error as? YamlError else { return (nil, nil, "is not valid YAML: \(error)") }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let contextText = context.map { "\($0.text) (line \($0.mark.line)): " } ?? ""
            return (mark.line, mark.column, "is not valid YAML: \(contextText)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return (context.mark.line, context.mark.column, "duplicated key \(keys) in one mapping")
        case .reader(let problem, _, _, _):
            return (nil, nil, "is not valid YAML text: \(problem)")
        default:
            return (nil, nil, "is not valid YAML: \(yamlError)")
        }
    }

    private static func describeReadError(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }

    /// `crs_path` and glob-free rule files must exist (checked only when loading from a file).
    private static func checkFilesExist(
        _ configuration: TollgateConfiguration?, decoder: ConfigurationDecoder, yaml: String
    ) {
        guard let rules = configuration?.rules else { return }
        var isDirectory: ObjCBool = false
        if let crsPath = rules.crsPath {
            if !FileManager.default.fileExists(atPath: crsPath, isDirectory: &isDirectory) || !isDirectory.boolValue {
                decoder.report(.fileNotFound, "rules.crs_path", "directory '\(crsPath)' does not exist")
            }
        }
        for (index, file) in rules.files.enumerated() where !file.contains(where: { "*?[".contains($0) }) {
            if !FileManager.default.fileExists(atPath: file) {
                decoder.report(.fileNotFound, "rules.files[\(index)]", "file '\(file)' does not exist")
            }
        }
    }

    private static func sorted(_ issues: [ConfigurationIssue]) -> [ConfigurationIssue] {
        // Stable: issues with a line first in line order, then the rest in the order found.
        issues.enumerated().sorted { lhs, rhs in
            switch (lhs.element.line, rhs.element.line) {
            case (let l?, let r?): return l != r ? l < r : lhs.offset < rhs.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }
}
