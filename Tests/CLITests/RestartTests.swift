import Foundation
import Testing
import TestSupport

/// `ringmaster train --ranks N --max-restarts K`: the command starts mpirun itself and, when
/// the job fails, starts it again from the newest checkpoint, ending with the weights of an
/// uninterrupted run; it gives up with a non-zero exit after K restarts.
@Suite(.serialized) struct RestartTests {
    static let config = CLI.example("digits.yaml")
    static let settings = ["--set", "training.epochs=10", "--set", "training.checkpoint_every=1"]

    @Test func killedRankIsRestartedFromTheCheckpointWithTheSameFinalWeights() throws {
        let cli = try CLI()
        let job = try BackgroundJob(
            [CLI.binary, "train", Self.config, "--ranks", "2", "--max-restarts", "2", "--store", cli.store.path,
             "--json", "--quiet"] + Self.settings,
            in: cli.store)
        defer { job.kill() }
        try #require(job.wait(seconds: 60) { cli.hasCheckpoint }, "no checkpoint: \(job.stderr.suffix(1500))")
        let rank1 = try #require(job.pid(ofRank: 1))
        kill(rank1, SIGKILL)
        #expect(job.exitStatus(within: 120) == 0, "\(job.stderr.suffix(2000))")
        let restarts = job.stderr.split(separator: "\n").filter { $0.contains("restart 1 of 2") }
        #expect(restarts.count == 1, "\(job.stderr.suffix(2000))")
        #expect(restarts.first?.contains("rank 1") == true, "the restart line should say why: \(restarts)")

        let uninterrupted = try CLI().train(Self.config, ranks: 2, Self.settings)
        #expect(job.lastJSON?["weights_sha256"] as? String == uninterrupted.weights_sha256)
        // One run, resumed, not a second run.
        let runs = try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        #expect(runs?.count == 1)
    }

    @Test func givesUpAfterTheLastRestart() throws {
        let cli = try CLI()
        let result = try cli.run(["train", Self.config, "--max-restarts", "1", "--set", "data.path=missing.csv"], timeout: 60)
        #expect(result.status != 0)
        #expect(result.stderr.contains("restart 1 of 1"), "\(result.stderr)")
        #expect(result.ringmasterErrors.last?.contains("giving up after 1 restart") == true, "\(result.stderr)")
    }

    @Test func refusesToRunUnderMPIOrWithoutRestarts() throws {
        let cli = try CLI()
        let stray = try cli.run(["train", Self.config, "--ranks", "2"], timeout: 60)
        #expect(stray.status != 0 && stray.stderr.contains("--max-restarts"), "\(stray.stderr)")
        let nested = try cli.run(["train", Self.config, "--max-restarts", "1"], ranks: 2, timeout: 60)
        #expect(nested.status != 0 && nested.stderr.contains("without mpirun"), "\(nested.stderr)")
    }

    @Test func killedSweepRankIsRestartedAndTheSweepResumed() throws {
        let cli = try CLI()
        let spec = cli.store.appendingPathComponent("slow.yaml")
        try """
            command: "sh -c 'sleep 0.3; echo ringmaster-metric loss={x}'"
            space:
              x: {type: int, low: 1, high: 6}
            objective: {metric: loss}
            budget: {max_trials: 6}
            sampler: grid
            """.write(to: spec, atomically: true, encoding: .utf8)
        let job = try BackgroundJob(
            [CLI.binary, "sweep", spec.path, "--ranks", "2", "--max-restarts", "1", "--store", cli.store.path, "--json"],
            in: cli.store)
        defer { job.kill() }
        func sweeps() -> [[String: Any]] {
            let list = try? cli.run(["sweeps", "list", "--json"])
            return (try? JSONSerialization.jsonObject(with: Data((list?.stdout ?? "").utf8)) as? [[String: Any]]) ?? []
        }
        try #require(job.wait(seconds: 60) { (sweeps().first?["completed"] as? Int ?? 0) >= 2 }, "\(job.stderr.suffix(1500))")
        let rank1 = try #require(job.pid(ofRank: 1))
        kill(rank1, SIGKILL)
        #expect(job.exitStatus(within: 120) == 0, "\(job.stderr.suffix(2000))")
        #expect(job.stderr.contains("restart 1 of 1: sweep exited"), "\(job.stderr.suffix(2000))")
        let all = sweeps()
        #expect(all.count == 1, "the restart made a second sweep")
        let summary = try #require(job.lastJSON)
        #expect(summary["sweep_id"] as? String == (all.first?["sweep"] as? [String: Any])?["id"] as? String)
        #expect(summary["completed"] as? Int == 6, "\(summary)")
    }
}
