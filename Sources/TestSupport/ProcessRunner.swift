import Foundation

/// The outcome of a child process started by ``ProcessRunner``.
public struct ProcessResult: Sendable {
    /// Exit status, or -1 when the process was killed for running past its timeout.
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Whether the timeout fired.
    public var timedOut: Bool
    /// Wall-clock seconds the process ran.
    public var seconds: Double
}

/// Starts the project's executables (optionally under `mpirun`) from tests, with a
/// hard timeout so that a hanging job fails its test instead of the suite.
public enum ProcessRunner {
    /// The folder holding the built products (`ringmaster`, the test bundle, …).
    public static var productsDirectory: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // Under `swift test` the bundle is `…/debug/RingmasterPackageTests.xctest`.
        if dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        return dir
    }

    /// Path of a built executable product such as `ringmaster`.
    public static func executable(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }

    /// The package root, found from this source file's location.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Environment for child processes: the caller's, plus what Open MPI needs as root
    /// and single-threaded BLAS so that oversubscribed ranks do not fight over cores.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        env["OPENBLAS_NUM_THREADS"] = "1"
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// Runs `arguments[0]` with the rest as its arguments, killing the whole process
    /// group after `timeout` seconds.
    @discardableResult
    public static func run(
        _ arguments: [String], environment extra: [String: String] = [:],
        directory: URL? = nil, timeout: Double = 120, stdin: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `setsid` puts the child in its own group so a timeout can kill mpirun and its ranks.
        process.arguments = ["setsid", "--wait"] + arguments
        process.environment = environment(extra)
        if let directory { process.currentDirectoryURL = directory }
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("rm-out-\(UUID().uuidString)")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("rm-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        let start = Date()
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                killTree(process.processIdentifier)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessResult(
            status: timedOut ? -1 : process.terminationStatus, stdout: stdout, stderr: stderr,
            timedOut: timedOut, seconds: Date().timeIntervalSince(start))
    }

    /// A process as `/proc` shows it.
    public struct ProcessEntry: Sendable {
        public var pid: Int32
        public var parent: Int32
        public var session: Int32
        /// The executable's name (`comm`), at most 15 characters.
        public var name: String
    }

    /// Every process on the machine.
    public static func processes() -> [ProcessEntry] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name -> ProcessEntry? in
            guard let pid = Int32(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after "(comm)": state ppid pgrp session …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let parent = Int32(fields[1]), let session = Int32(fields[3]) else { return nil }
            return ProcessEntry(pid: pid, parent: parent, session: session,
                                name: String(stat[stat.index(after: open)..<close]))
        }
    }

    /// `root` and every process below it.
    public static func descendants(of root: Int32, in entries: [ProcessEntry] = processes()) -> [ProcessEntry] {
        var tree: Set<Int32> = [root]
        var grew = true
        while grew {
            grew = false
            for entry in entries where !tree.contains(entry.pid) && tree.contains(entry.parent) {
                tree.insert(entry.pid)
                grew = true
            }
        }
        return entries.filter { tree.contains($0.pid) }
    }

    /// Kills `root`, its descendants and every process in their sessions. Open MPI puts
    /// each rank in a process group of its own, so killing one group would leave ranks
    /// running; they stay descendants of the launcher and in its session (`setsid`).
    public static func killTree(_ root: Int32) {
        let entries = processes()
        let tree = descendants(of: root, in: entries)
        let sessions = Set(tree.map(\.session)).subtracting([getsid(0)])
        for entry in entries where tree.contains(where: { $0.pid == entry.pid }) || sessions.contains(entry.session) {
            kill(entry.pid, SIGKILL)
        }
        kill(root, SIGKILL)
    }

    /// Runs `arguments` under `mpirun -np ranks` (oversubscribed, TCP/shared memory on this host).
    @discardableResult
    public static func mpirun(
        ranks: Int, _ arguments: [String], environment extra: [String: String] = [:],
        directory: URL? = nil, timeout: Double = 180
    ) throws -> ProcessResult {
        try run(
            ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", "\(ranks)"] + arguments,
            environment: extra, directory: directory, timeout: timeout)
    }

    /// A new empty temporary directory.
    public static func temporaryDirectory(_ prefix: String = "ringmaster-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
