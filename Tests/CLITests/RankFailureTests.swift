import Foundation
import Testing
import TestSupport

/// A rank killed in the middle of training ends the whole job promptly, with a message
/// naming the lost rank and its host; nothing is left running, and the run keeps what it
/// recorded and is marked failed with the reason.
@Suite(.serialized) struct RankFailureTests {
    @Test func killedRankEndsTheJobAndTheRunIsMarkedFailed() throws {
        let cli = try CLI()
        let job = try BackgroundJob(
            ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary,
             "train", CLI.example("digits.yaml"), "--store", cli.store.path, "--quiet",
             "--set", "training.epochs=5000", "--set", "training.checkpoint_every=0"],
            in: cli.store)
        defer { job.kill() }

        // Wait until training records metrics, then kill rank 1.
        var runID = ""
        job.wait(seconds: 60) {
            let list = try? cli.run(["runs", "list", "--json"])
            if let runs = try? JSONSerialization.jsonObject(with: Data((list?.stdout ?? "").utf8)) as? [[String: Any]],
               let run = runs.first?["run"] as? [String: Any], let metrics = runs.first?["metrics"] as? [String: Double],
               metrics["train_loss"] != nil {
                runID = run["id"] as? String ?? ""
            }
            return !runID.isEmpty
        }
        try #require(!runID.isEmpty, "training never recorded a metric")
        let rank1 = try #require(job.pid(ofRank: 1), "rank 1 is not running")
        kill(rank1, SIGKILL)
        let status = job.exitStatus(within: 30)
        try #require(status != nil, "the job was still running 30 s after a rank was killed")
        #expect(status != 0)
        let stderr = job.stderr
        #expect(stderr.contains("rank 1") || stderr.contains("rank 0"), "no rank named: \(stderr.suffix(1500))")
        #expect(stderr.contains(ProcessInfo.processInfo.hostName) || stderr.contains("node"), "no host named: \(stderr.suffix(1500))")
        #expect(job.leftovers.isEmpty, "processes left behind: \(job.leftovers.map(\.name))")

        let run = try cli.show(run: runID)
        #expect(run.record["status"] as? String == "failed", "\(run.record)")
        #expect((run.record["failure_reason"] as? String)?.contains("terminated") == true, "\(run.record)")
        #expect(run.metrics["train_loss"] != nil, "recorded metrics were lost")
    }
}
