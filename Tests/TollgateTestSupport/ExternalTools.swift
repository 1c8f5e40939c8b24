import Foundation

/// Runs external validators (promtool, python3 with prometheus_client) when they are installed.
package enum ExternalTools {
    package struct Result {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// The absolute path of `name` on PATH (or in /usr/bin, /usr/local/bin), if executable.
    package static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for directory in directories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    package static let promtool: String? = which("promtool")

    package static let python3: String? = which("python3")

    /// True if `python3 -c "import prometheus_client"` succeeds.
    package static let hasPrometheusClient: Bool = {
        guard let python3 else { return false }
        return (try? run(python3, ["-c", "import prometheus_client"]))?.status == 0
    }()

    /// Runs `executable` with `arguments`, feeding `input` on standard input; waits for it to exit.
    package static func run(_ executable: String, _ arguments: [String], input: String = "") throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write input and read outputs concurrently so neither side blocks on a full pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorBox = DataBox()
        let errorReader = Thread { errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errorBox.data, as: UTF8.self))
    }

    final class DataBox: @unchecked Sendable {
        private let lock = NSLock()
        private var _data = Data()
        private var _done = false
        var data: Data {
            get { lock.withLock { _data } }
            set {
                lock.withLock {
                    _data = newValue; _done = true
                }
            }
        }
        var done: Bool { lock.withLock { _done } }
    }
}
