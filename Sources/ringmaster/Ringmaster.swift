import ArgumentParser
import Foundation

@main
struct Ringmaster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringmaster",
        abstract: "Data-parallel training over MPI, with every run recorded.",
        discussion: "Run training under mpirun for several ranks: mpirun -np 4 ringmaster train CONFIG.yaml",
        version: "0.1.0",
        subcommands: [
            Train.self, Evaluate.self, Predict.self, DataCommand.self, Runs.self, Experiments.self, Lineage.self,
            Models.self, Sweep.self, Sweeps.self, Monitor.self, Pipeline.self, Bench.self, Deploy.self, Serve.self, UI.self,
        ])

    /// Parses and runs the command; errors become one line on standard error and exit code 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            CLIError.report(error.message)
            Foundation.exit(error.code)
        } catch {
            let text = fullMessage(for: error)
            if exitCode(for: error) == .success {
                print(text)
                Foundation.exit(0)
            }
            // Argument errors come with usage text from ArgumentParser; keep it for those.
            if error is ValidationError || text.contains("Usage:") {
                exit(withError: error)
            }
            CLIError.report("\(error)")
            Foundation.exit(1)
        }
    }
}

/// An error already phrased for the user; printed as `ringmaster: error: MESSAGE`.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var code: Int32 = 1

    var description: String { message }

    static func report(_ message: String) {
        FileHandle.standardError.write(Data("ringmaster: error: \(message)\n".utf8))
    }
}
