import Foundation
import Testing
import TestSupport

/// Same configuration, seed and rank count → bit-identical weights; a run killed
/// mid-way and resumed ends with the same weights as an uninterrupted run.
@Suite(.serialized) struct DeterminismTests {
    @Test func twoRunsGiveIdenticalWeights() throws {
        let cli = try CLI()
        let args = ["--set", "training.epochs=4"]
        let first = try cli.train(CLI.example("digits.yaml"), ranks: 2, args)
        let second = try cli.train(CLI.example("digits.yaml"), ranks: 2, args)
        #expect(first.run_id != second.run_id)
        #expect(first.weights_sha256 == second.weights_sha256)
    }

    @Test func killedRunResumesToIdenticalWeights() throws {
        let cli = try CLI()
        let config = CLI.example("digits.yaml")
        let args = ["--set", "training.epochs=12", "--set", "training.checkpoint_every=1"]
        let reference = try cli.train(config, ranks: 2, args)

        // A second store so the interrupted run's checkpoints start from nothing.
        let interrupted = try CLI()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["setsid", "mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary,
                             "train", config, "--store", interrupted.store.path, "--quiet"] + args
            + ["--set", "training.log_every=1"]
        process.environment = ProcessRunner.environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill the whole job once a few epochs are checkpointed, before it can finish.
        let checkpoints = interrupted.store.appendingPathComponent("checkpoints")
        let deadline = Date().addingTimeInterval(120)
        func checkpointCount() -> Int {
            let dirs = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
            return dirs.reduce(0) { count, dir in
                count + ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.appendingPathComponent(dir).path))?
                    .filter { $0.hasSuffix(".ckpt") }.count ?? 0)
            }
        }
        while checkpointCount() < 2 && process.isRunning && Date() < deadline { usleep(10_000) }
        kill(-process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(checkpointCount() >= 2, "no checkpoints were written before the deadline")

        let resumed = try interrupted.train(config, ranks: 2, args + ["--resume"])
        #expect(resumed.epochs == 12)
        #expect(resumed.weights_sha256 == reference.weights_sha256)
    }
}
