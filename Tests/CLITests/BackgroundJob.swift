import Foundation
import TestSupport

/// A job started in the background in a session of its own (so that it can be killed whole),
/// its standard output and error in files, for tests that act on it while it runs.
final class BackgroundJob {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    init(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:]) throws {
        stdoutURL = folder.appendingPathComponent("job-\(UUID().uuidString).out")
        stderrURL = folder.appendingPathComponent("job-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["setsid", "--wait"] + arguments
        process.environment = ProcessRunner.environment(extra)
        process.currentDirectoryURL = folder
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    deinit { kill() }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Kills the job and everything it started; harmless once it has ended.
    func kill() {
        if process.isRunning { ProcessRunner.killTree(process.processIdentifier) }
    }

    /// Waits until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// Waits up to `seconds` for the job to end; returns its exit status, or nil if it still runs.
    func exitStatus(within seconds: Double) -> Int32? {
        guard wait(seconds: seconds, until: { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The pid of world rank `rank` among the job's `ringmaster` processes (read from the
    /// rank's environment), or nil while it has not started.
    func pid(ofRank rank: Int) -> Int32? {
        ProcessRunner.descendants(of: process.processIdentifier)
            .filter { $0.name == "ringmaster" }
            .first { Self.worldRank(of: $0.pid) == rank }?.pid
    }

    /// Processes of the job still alive, itself excluded.
    var leftovers: [ProcessRunner.ProcessEntry] {
        ProcessRunner.descendants(of: process.processIdentifier).filter { $0.pid != process.processIdentifier }
    }

    private static func worldRank(of pid: Int32) -> Int? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.hasPrefix("OMPI_COMM_WORLD_RANK=") { return Int(text.dropFirst("OMPI_COMM_WORLD_RANK=".count)) }
        }
        return nil
    }

    /// The JSON object on the last line of standard output, if any.
    var lastJSON: [String: Any]? {
        guard let line = stdout.split(separator: "\n").last else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}

extension CLI {
    /// Whether a checkpoint has been written under this store.
    var hasCheckpoint: Bool {
        let root = store.appendingPathComponent("checkpoints")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return folders.contains { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []).contains { $0.hasSuffix(".ckpt") }
        }
    }

    /// `runs show RUN --json`: the run record and its latest metrics.
    func show(run: String) throws -> (record: [String: Any], metrics: [String: Double]) {
        let show = try self.run(["runs", "show", run, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any] ?? [:]
        return (object["run"] as? [String: Any] ?? [:], object["metrics"] as? [String: Double] ?? [:])
    }
}
