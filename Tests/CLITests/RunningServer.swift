import Foundation
import Testing
import TestSupport

/// `ringmaster serve ARGS` running in the background for a test: started, waited on until it
/// prints the address it listens on, and stopped with SIGTERM as an operator would.
final class RunningServer {
    let process = Process()
    let output: URL
    /// `http://127.0.0.1:PORT`, from the `serving NAME on …` line.
    let base: String

    /// Starts `ringmaster ARGUMENTS` (`serve …`, usually with `--port 0`) with its output in
    /// `folder`, and waits for the line announcing `name`.
    init(_ arguments: [String], in folder: URL, name: String = "digits") throws {
        output = folder.appendingPathComponent("serve-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.environment = ProcessRunner.environment()
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let prefix = "serving \(name) on "
        var address: String?
        for _ in 0..<1200 where address == nil && process.isRunning {
            usleep(100_000)
            address = Self.read(output).split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        guard let address else {
            if process.isRunning { ProcessRunner.killTree(process.processIdentifier) }
            throw CLIFailure(message: "serve printed no address: \(Self.read(output))")
        }
        base = address
    }

    deinit {
        if process.isRunning { ProcessRunner.killTree(process.processIdentifier) }
    }

    /// Everything the server wrote so far.
    var log: String { Self.read(output) }

    /// `curl -sS ARGUMENTS`, expected to reach the server; returns what it printed.
    func curl(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run(["curl", "-sS"] + arguments, timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// Sends SIGTERM and waits; returns the exit status, or nil when it did not stop in 30 s.
    func stop() -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<600 where process.isRunning { usleep(50_000) }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    private static func read(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
}
