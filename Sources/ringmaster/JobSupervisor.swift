import ArgumentParser
import Collectives
import Foundation
import RingmasterCore

/// `--max-restarts`, `--ranks`, `--mpirun-args`: the options of commands a ``JobSupervisor``
/// can restart.
struct RestartOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Relaunch a failed job up to N times, resuming where it stopped (run without mpirun; see --ranks).",
        valueName: "n"))
    var maxRestarts: Int?

    @Option(help: "With --max-restarts: ranks to start under mpirun (default 1: no mpirun).")
    var ranks: Int?

    @Option(help: ArgumentHelp("With --max-restarts: extra mpirun arguments, split at spaces.", valueName: "args"))
    var mpirunArgs: String?

    func validate() throws {
        if maxRestarts == nil && (ranks != nil || mpirunArgs != nil) {
            throw ValidationError("--ranks and --mpirun-args go with --max-restarts")
        }
        if let maxRestarts, maxRestarts < 0 { throw ValidationError("--max-restarts must not be negative") }
        if let ranks, ranks < 1 { throw ValidationError("--ranks must be at least 1") }
    }

    /// The supervisor for this command line, or nil without `--max-restarts`. Refuses to run
    /// under `mpirun`, since the supervisor starts mpirun itself.
    func supervisor(
        for what: String, arguments: [String], resumeArguments: @escaping (Date) throws -> [String]
    ) throws -> JobSupervisor? {
        guard let maxRestarts else { return nil }
        guard !MPIEnvironment.launchedByMPI else {
            throw CLIError(message: "--max-restarts starts mpirun itself: run `ringmaster \(arguments[0]) … --ranks N --max-restarts \(maxRestarts)` without mpirun")
        }
        return JobSupervisor(
            what: what, ranks: ranks ?? 1, maxRestarts: maxRestarts,
            mpirunArguments: mpirunArgs?.split(separator: " ").map(String.init) ?? [],
            arguments: arguments, resumeArguments: resumeArguments)
    }
}

/// `--max-restarts N` of `ringmaster train` and `ringmaster sweep`: runs the job as a child
/// (`mpirun -np RANKS ringmaster …` for several ranks) and, when it fails, starts it again
/// resuming where it stopped, like torchrun's elastic agent. A failed MPI job cannot restart
/// itself from inside (MPI ends every rank), so this runs outside `mpirun`.
struct JobSupervisor {
    /// What runs, for messages: `training` or `sweep`.
    var what: String
    var ranks: Int
    var maxRestarts: Int
    /// Extra arguments for `mpirun`, before `-np`.
    var mpirunArguments: [String]
    /// The subcommand and its arguments, without the supervisor's own options.
    var arguments: [String]
    /// What to add to ``arguments`` to resume, given when the first attempt started.
    var resumeArguments: (_ firstStarted: Date) throws -> [String]

    /// The command line of an attempt, with `extra` arguments after the job's own.
    func command(_ extra: [String]) -> [String] {
        MPILaunch.command([TrainingLauncher.executable] + arguments + extra, ranks: ranks, mpirunArguments: mpirunArguments)
    }

    /// Runs attempts until one succeeds or `maxRestarts` restarts have failed; throws then.
    /// SIGINT or SIGTERM is passed on to the running job and ends the supervisor without
    /// another attempt: a job stopped on purpose is not restarted.
    func run() throws {
        for signal in [SIGINT, SIGTERM] {
            Foundation.signal(signal) { number in
                supervisorStopSignal = number
                if supervisedJob > 0 { kill(supervisedJob, number) }
            }
        }
        defer { for signal in [SIGINT, SIGTERM] { Foundation.signal(signal, SIG_DFL) } }
        let firstStarted = Date()
        for attempt in 0...maxRestarts {
            let (status, reason) = try Self.runForwardingStderr(command(attempt == 0 ? [] : try resumeArguments(firstStarted)))
            if status == 0 { return }
            if supervisorStopSignal != 0 {
                throw CLIError(message: "stopped by signal \(supervisorStopSignal); not restarting", code: 128 + supervisorStopSignal)
            }
            let why = reason.map { ": \($0)" } ?? ""
            if attempt == maxRestarts {
                throw CLIError(message: "\(what) failed \(attempt + 1) time\(attempt == 0 ? "" : "s"), giving up after \(maxRestarts) restart\(maxRestarts == 1 ? "" : "s") (last exit \(status)\(why))")
            }
            FileHandle.standardError.write(Data(
                "ringmaster: restart \(attempt + 1) of \(maxRestarts): \(what) exited \(status)\(why); resuming\n".utf8))
        }
    }

    /// Runs `command`, passing standard output through and copying standard error to ours
    /// while remembering its last line from ringmaster itself (the reason, when it failed).
    static func runForwardingStderr(_ command: [String]) throws -> (status: Int32, reason: String?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let errors = Pipe()
        process.standardError = errors
        let failure = FailureReason()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let bytes = handle.availableData
            guard !bytes.isEmpty else { return }
            FileHandle.standardError.write(bytes)
            failure.scan(bytes)
        }
        do {
            try process.run()
        } catch {
            throw CLIError(message: "cannot start \(command[0]): \(error.localizedDescription)")
        }
        supervisedJob = process.processIdentifier
        process.waitUntilExit()
        supervisedJob = 0
        errors.fileHandleForReading.readabilityHandler = nil
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        FileHandle.standardError.write(rest)
        failure.scan(rest)
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, failure.value)
    }
}

/// The running job's pid and the signal that asked the supervisor to stop, for its signal
/// handler, which can reach only globals. Written by the supervisor's thread (the pid) and the
/// handler (the signal); word-sized, read and written whole.
nonisolated(unsafe) private var supervisedJob: pid_t = 0
nonisolated(unsafe) private var supervisorStopSignal: Int32 = 0

/// Why a job failed, from its standard error read in pieces: mpirun's line naming a rank that
/// died if there is one (it names the cause; the surviving ranks' lines only say they were
/// stopped), else the last line from ringmaster itself.
///
/// `@unchecked Sendable`: the pipe's handler and the waiting thread share it; `lock` guards both fields.
private final class FailureReason: @unchecked Sendable {
    private let lock = NSLock()
    private var partial = Data()
    private var last: String?
    private var launcher: String?

    var value: String? { lock.withLock { launcher ?? last } }

    func scan(_ bytes: Data) {
        lock.withLock {
            partial.append(bytes)
            while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
                partial.removeSubrange(partial.startIndex...newline)
                if line.contains("noticed that process rank") {
                    launcher = line.trimmingCharacters(in: .whitespaces)
                } else if let range = line.range(of: "ringmaster: ") {
                    last = String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
    }
}
