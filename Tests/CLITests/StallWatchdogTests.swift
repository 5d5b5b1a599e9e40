import Foundation
import Testing
import TestSupport

/// The stall watchdog under a real `mpirun -np 2` training: a stopped rank is named in a
/// warning and, once continued, training ends as if nothing happened; a rank silent past the
/// lost-peer timeout ends the job, the run is marked failed with the reason, and `--resume`
/// reaches the uninterrupted run's weights.
@Suite(.serialized) struct StallWatchdogTests {
    static let config = CLI.example("digits.yaml")
    /// Short enough for a test, long enough to stop a rank in the middle.
    static let settings = ["--set", "training.epochs=10", "--set", "training.checkpoint_every=1"]

    func startTraining(_ cli: CLI, _ extra: [String]) throws -> BackgroundJob {
        try BackgroundJob(
            ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary, "train", Self.config,
             "--store", cli.store.path, "--json", "--quiet"] + Self.settings + extra,
            in: cli.store)
    }

    @Test func stoppedRankIsNamedAndTrainingFinishesUnchanged() throws {
        let cli = try CLI()
        let job = try startTraining(cli, ["--stall-timeout", "1", "--lost-peer-timeout", "60"])
        defer { job.kill() }
        let rank1 = try #require(job.wait(seconds: 60) { job.pid(ofRank: 1) != nil } ? job.pid(ofRank: 1) : nil)
        try #require(job.wait(seconds: 60) { cli.hasCheckpoint }, "no checkpoint: \(job.stderr.suffix(1500))")
        kill(rank1, SIGSTOP)
        let warned = job.wait(seconds: 30) { job.stderr.contains("stall: ") }
        kill(rank1, SIGCONT)
        #expect(warned, "no stall warning: \(job.stderr.suffix(1500))")
        let warning = job.stderr.split(separator: "\n").first { $0.contains("stall: ") }.map(String.init) ?? ""
        #expect(warning.contains("rank 1 (") && warning.contains("has not arrived"), "\(warning)")
        #expect(job.exitStatus(within: 120) == 0, "\(job.stderr.suffix(1500))")

        let undisturbed = try CLI().train(Self.config, ranks: 2, Self.settings)
        #expect(job.lastJSON?["weights_sha256"] as? String == undisturbed.weights_sha256)
    }

    @Test func silentRankEndsTheJobAndResumeMatchesAnUninterruptedRun() throws {
        let cli = try CLI()
        let job = try startTraining(cli, ["--lost-peer-timeout", "2"])
        defer { job.kill() }
        let rank1 = try #require(job.wait(seconds: 60) { job.pid(ofRank: 1) != nil } ? job.pid(ofRank: 1) : nil)
        try #require(job.wait(seconds: 60) { cli.hasCheckpoint }, "no checkpoint: \(job.stderr.suffix(1500))")
        kill(rank1, SIGSTOP)
        let status = job.exitStatus(within: 30)
        try #require(status != nil, "the job was still running 30 s after a rank went silent")
        #expect(status != 0)
        #expect(job.stderr.contains("lost rank 1 (host "), "\(job.stderr.suffix(1500))")
        #expect(job.leftovers.isEmpty, "left behind: \(job.leftovers.map(\.name))")

        let runs = try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        let runID = try #require((runs?.first?["run"] as? [String: Any])?["id"] as? String)
        let failed = try cli.show(run: runID)
        #expect(failed.record["status"] as? String == "failed")
        #expect((failed.record["failure_reason"] as? String)?.contains("lost rank 1") == true, "\(failed.record)")
        #expect(failed.metrics["train_loss"] != nil, "recorded metrics were lost")

        let resumed = try cli.train(Self.config, ranks: 2, Self.settings + ["--resume"])
        let uninterrupted = try CLI().train(Self.config, ranks: 2, Self.settings)
        #expect(resumed.run_id == runID)
        #expect(resumed.weights_sha256 == uninterrupted.weights_sha256)
        #expect(try cli.show(run: runID).record["status"] as? String == "finished")
    }
}
