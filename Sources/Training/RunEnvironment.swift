import Foundation
import RingmasterCore
import Tensors

/// Facts about where and how a run executed, recorded with it so that results can be
/// reproduced: host, toolchain, MPI world, BLAS build and threads, code version.
public enum RunEnvironment {
    public static func capture(
        communicator: any Communicator, extra: [String: String], commandLine: [String]
    ) -> [String: String] {
        var environment: [String: String] = [
            "host": communicator.hostName,
            "os": ProcessInfo.processInfo.operatingSystemVersionString,
            "cpu_count": "\(ProcessInfo.processInfo.activeProcessorCount)",
            "swift_version": swiftVersion,
            "world_size": "\(communicator.size)",
            "blas_library": BLAS.configuration,
            "blas_threads": "\(BLAS.threadCount)",
            "command_line": commandLine.joined(separator: " "),
            "working_directory": FileManager.default.currentDirectoryPath,
        ]
        if let commit = git(["rev-parse", "HEAD"]) {
            environment["git_commit"] = commit
            environment["git_dirty"] = (git(["status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty ? "false" : "true"
        }
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    static var swiftVersion: String {
        #if swift(>=6.3)
            return "6.3"
        #elseif swift(>=6.2)
            return "6.2"
        #elseif swift(>=6.1)
            return "6.1"
        #else
            return "6.0"
        #endif
    }

    /// Output of a git command in the working directory, or nil outside a repository.
    static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
