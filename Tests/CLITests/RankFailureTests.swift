import Foundation
import Testing
import TestSupport

/// A rank killed in the middle of training ends the whole job promptly, with a message
/// naming the lost rank and its host; nothing is left running, and the run keeps what it
/// recorded and is marked failed with the reason.
@Suite(.serialized) struct RankFailureTests {
    @Test func killedRankEndsTheJobAndTheRunIsMarkedFailed() throws {
        let cli = try CLI()
        let log = cli.store.appendingPathComponent("mpirun.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["setsid", "--wait", "mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary,
                             "train", CLI.example("digits.yaml"), "--store", cli.store.path, "--quiet",
                             "--set", "training.epochs=5000", "--set", "training.checkpoint_every=0"]
        process.environment = ProcessRunner.environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { ProcessRunner.killTree(process.processIdentifier) }

        // Wait until training records metrics, then kill rank 1 (the second ringmaster child of mpirun).
        let deadline = Date().addingTimeInterval(60)
        var runID = ""
        while Date() < deadline {
            let list = try cli.run(["runs", "list", "--json"])
            if let runs = try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]],
               let run = runs.first?["run"] as? [String: Any], let metrics = runs.first?["metrics"] as? [String: Double],
               metrics["train_loss"] != nil {
                runID = run["id"] as! String
                break
            }
            usleep(100_000)
        }
        #expect(!runID.isEmpty, "training never recorded a metric")
        let ranks = ProcessRunner.descendants(of: process.processIdentifier).filter { $0.name == "ringmaster" }
        try #require(ranks.count == 2, "expected 2 rank processes, found \(ranks.map(\.pid))")
        let killedAt = Date()
        kill(ranks.map(\.pid).max()!, SIGKILL)
        while process.isRunning && Date().timeIntervalSince(killedAt) < 30 { usleep(50_000) }
        let seconds = Date().timeIntervalSince(killedAt)
        try #require(!process.isRunning, "the job was still running 30 s after a rank was killed")
        #expect(seconds < 30)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(stderr.contains("rank 1") || stderr.contains("rank 0"), "no rank named: \(stderr.suffix(1500))")
        #expect(stderr.contains(ProcessInfo.processInfo.hostName) || stderr.contains("node"), "no host named: \(stderr.suffix(1500))")
        let leftovers = ProcessRunner.descendants(of: process.processIdentifier).filter { $0.pid != process.processIdentifier }
        #expect(leftovers.isEmpty, "processes left behind: \(leftovers.map(\.name))")

        let show = try cli.run(["runs", "show", runID, "--json"])
        let run = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        let record = run["run"] as! [String: Any]
        #expect(record["status"] as? String == "failed", "\(record)")
        #expect((record["failure_reason"] as? String)?.contains("terminated") == true, "\(record)")
        #expect(((run["metrics"] as? [String: Double]) ?? [:])["train_loss"] != nil, "recorded metrics were lost")
    }
}
