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
        // Small batches make epochs long enough to kill the job between two checkpoints.
        let epochs = 40
        let args = ["--set", "training.epochs=\(epochs)", "--set", "training.checkpoint_every=1",
                    "--set", "training.batch_size=4"]
        let reference = try cli.train(config, ranks: 2, args)

        // A second store so the interrupted run's checkpoints start from nothing.
        let interrupted = try CLI()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["setsid", "--wait", "mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary,
                             "train", config, "--store", interrupted.store.path, "--quiet"] + args
        process.environment = ProcessRunner.environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill the whole job once a few epochs are checkpointed, before it can finish.
        let checkpoints = interrupted.store.appendingPathComponent("checkpoints")
        let deadline = Date().addingTimeInterval(120)
        func checkpointNames() -> [String] {
            let dirs = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
            return dirs.flatMap { dir in
                ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.appendingPathComponent(dir).path)) ?? [])
                    .filter { $0.hasSuffix(".ckpt") }
            }.sorted()
        }
        while checkpointNames().count < 2 && process.isRunning && Date() < deadline { usleep(5_000) }
        ProcessRunner.killTree(process.processIdentifier)
        process.waitUntilExit()
        let newest = checkpointNames().last ?? ""
        #expect(!newest.isEmpty, "no checkpoints were written before the deadline")
        #expect(newest < String(format: "epoch-%04d.ckpt", epochs), "the run finished before it was killed")

        let resumed = try interrupted.train(config, ranks: 2, args + ["--resume"])
        #expect(resumed.epochs == epochs)
        #expect(resumed.weights_sha256 == reference.weights_sha256)
    }
}
