import Foundation

/// `ringmaster train --max-restarts N`: runs the training job as a child (`mpirun -np RANKS
/// ringmaster train …` for several ranks) and, when it fails, starts it again from the newest
/// checkpoint, like torchrun's elastic agent. A failed MPI job cannot restart itself from
/// inside (MPI ends every rank), so this runs outside `mpirun`.
struct TrainingSupervisor {
    var ranks: Int
    var maxRestarts: Int
    /// Extra arguments for `mpirun`, before `-np`.
    var mpirunArguments: [String]
    /// `train` and its arguments without the supervisor's own options.
    var trainArguments: [String]

    /// The command line of one attempt: the first as given, later ones resuming.
    func command(attempt: Int) -> [String] {
        var command = [TrainingLauncher.executable] + trainArguments
        if attempt > 0 && !command.contains("--resume") { command += ["--resume", "--start-if-no-checkpoint"] }
        guard ranks > 1 else { return command }
        return ["mpirun", "--oversubscribe", "--bind-to", "none"] + mpirunArguments + ["-np", "\(ranks)"] + command
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
        for attempt in 0...maxRestarts {
            let command = command(attempt: attempt)
            let (status, reason) = try Self.runForwardingStderr(command)
            if status == 0 { return }
            if supervisorStopSignal != 0 {
                throw CLIError(message: "stopped by signal \(supervisorStopSignal); not restarting", code: 128 + supervisorStopSignal)
            }
            let why = reason.map { ": \($0)" } ?? ""
            if attempt == maxRestarts {
                throw CLIError(message: "training failed \(attempt + 1) time\(attempt == 0 ? "" : "s"), giving up after \(maxRestarts) restart\(maxRestarts == 1 ? "" : "s") (last exit \(status)\(why))")
            }
            FileHandle.standardError.write(Data(
                "ringmaster: restart \(attempt + 1) of \(maxRestarts): training exited \(status)\(why); resuming from the newest checkpoint\n".utf8))
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
