import Foundation
import RingmasterCore

/// Runs another program for a step (`ringmaster train`, `mpirun …`, a custom command) and
/// collects its standard output, keeping the end of its standard error for the failure message.
struct ChildProcess {
    struct Result {
        var status: Int32
        var stdout: String
        /// The last non-empty line of standard error.
        var lastError: String?
        var timedOut: Bool
    }

    /// Runs `arguments` (found on the PATH) in `directory`. A timeout stops the child and every
    /// process it started (SIGTERM, then SIGKILL two seconds later).
    static func run(
        _ arguments: [String], environment extra: [String: String] = [:], directory: URL? = nil, timeout: Double? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let tail = OutputTail()
        errors.fileHandleForReading.readabilityHandler = { tail.append($0.availableData) }
        do {
            try process.run()
        } catch {
            throw PipelineStepError(message: "cannot start \(arguments[0]): \(error.localizedDescription)")
        }
        let timer = Timer()
        let root = process.processIdentifier
        let watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            timer.fire()
            let tree = [root] + Self.descendants(of: root)
            for pid in tree { kill(pid, SIGTERM) }
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                for pid in tree where Self.parent(of: pid) != nil { kill(pid, SIGKILL) }
            }
        }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        errors.fileHandleForReading.readabilityHandler = nil
        tail.append(errors.fileHandleForReading.availableData)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: bytes, as: UTF8.self), lastError: tail.lastLine,
            timedOut: timer.fired)
    }

    /// Every process below `root`, from `/proc` (Linux).
    static func descendants(of root: Int32) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        var children: [Int32: [Int32]] = [:]
        for pid in pids { if let parent = parent(of: pid) { children[parent, default: []].append(pid) } }
        var result: [Int32] = []
        var stack = children[root] ?? []
        while let pid = stack.popLast() {
            result.append(pid)
            stack += children[pid] ?? []
        }
        return result
    }

    /// The parent of a live process, from the fourth field of `/proc/PID/stat` (after the parenthesised name).
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Whether the watchdog fired. `@unchecked Sendable`: `value` is guarded by `lock`.
    private final class Timer: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func fire() { lock.withLock { value = true } }
        var fired: Bool { lock.withLock { value } }
    }
}


/// A step that could not do its work; the message names what went wrong.
public struct PipelineStepError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
