import Foundation
import RingmasterCore
import Training

/// Starts `ringmaster train` as a child job — under `mpirun -np N` for several ranks —
/// and reads its `--json` result. Used to reproduce recorded runs and published figures.
struct TrainingLauncher {
    /// This executable, so the child is the same build.
    static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    var ranks: Int
    var store: String?

    func train(config: String, arguments: [String]) throws -> TrainingResult {
        var command = [Self.executable, "train", config, "--json", "--quiet"] + arguments
        if let store { command += ["--store", store] }
        // Reproducing a 4-rank run on a smaller machine must still work: MPILaunch oversubscribes.
        command = MPILaunch.command(command, ranks: ranks)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw CLIError(message: "cannot start \(command[0]): \(error.localizedDescription)")
        }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard process.terminationStatus == 0, let last = lines.last,
              let result = try? JSONDecoder().decode(TrainingResult.self, from: Data(last.utf8))
        else {
            throw CLIError(message: "training on \(ranks) rank\(ranks == 1 ? "" : "s") failed (exit \(process.terminationStatus)); see the messages above")
        }
        return result
    }
}

extension TrainingResult {
    /// A validation metric by its recorded name.
    func value(of metric: String) -> Double? { validation.metrics[metric] }
}
