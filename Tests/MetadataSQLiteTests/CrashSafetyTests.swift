import Foundation
import GRDB
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

/// The embedded store under a real training process: readers never see "database is
/// locked" while it writes, and a SIGKILL in the middle of heavy logging leaves a database
/// that passes `PRAGMA integrity_check` and still holds everything a reader saw committed.
@Suite(.serialized) struct CrashSafetyTests {
    @Test func killedWriterLeavesAnIntactStoreAndReadersNeverBlock() throws {
        let directory = try ProcessRunner.temporaryDirectory("crash-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = ProcessRunner.packageRoot.appendingPathComponent("examples/digits.yaml").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.executable("ringmaster"))
        process.arguments = ["train", config, "--store", directory.path, "--quiet",
                             "--set", "training.epochs=2000", "--set", "training.log_every=1",
                             "--set", "training.checkpoint_every=0"]
        process.environment = ProcessRunner.environment()
        let log = directory.appendingPathComponent("train.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Read continuously, as `ringmaster runs …` would, while training writes.
        var seenPoints = 0
        var reads = 0
        let deadline = Date().addingTimeInterval(60)
        while seenPoints < 3_000 && process.isRunning && Date() < deadline {
            let reader = try SQLiteStore(directory: directory)
            if let run = try reader.runs(experiment: nil, limit: 1).first {
                seenPoints = try reader.metricHistory(run: run.id, key: "train_loss").count
                _ = try reader.searchRuns(RunQuery(filter: .comparison(.metric("train_loss"), .greater, .number(0))))
            }
            reads += 1
        }
        #expect(process.isRunning, "training ended before it could be killed: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(seenPoints >= 3_000, "only \(seenPoints) points were visible after \(reads) reads")

        let pool = try DatabasePool(path: directory.appendingPathComponent("store.sqlite").path)
        let check = try pool.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
        let store = try SQLiteStore(directory: directory)
        let run = try #require(try store.runs(experiment: nil, limit: 1).first)
        #expect(run.status == .running, "a killed run cannot have ended itself")
        #expect(try store.metricHistory(run: run.id, key: "train_loss").count >= seenPoints)
    }

    @Test func storeWrittenByANewerVersionIsRefused() throws {
        let directory = try ProcessRunner.temporaryDirectory("newer-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SQLiteStore(directory: directory)
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("store.sqlite").path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
        do {
            _ = try SQLiteStore(directory: directory)
            Issue.record("a store with an unknown schema step was opened")
        } catch let error as StoreError {
            #expect("\(error)".contains("newer Ringmaster"))
            #expect("\(error)".contains("v9-from-the-future"))
        }
    }
}
