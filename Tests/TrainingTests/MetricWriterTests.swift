import Foundation
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport
import Training

@Suite struct MetricWriterTests {
    func store() throws -> (FaultInjectingStore, String) {
        let base = try SQLiteStore(directory: try ProcessRunner.temporaryDirectory("metric-writer"))
        let store = FaultInjectingStore(base: base)
        let run = try store.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
        return (store, run.id)
    }

    func points(_ range: Range<Int>) -> [MetricPoint] {
        range.map { MetricPoint(key: "loss", step: $0, value: 1 / Double($0 + 1)) }
    }

    @Test func writesEverythingInBatches() throws {
        let (store, run) = try store()
        let writer = MetricWriter(store: store, runID: run, flushInterval: 0.05, batchSize: 100)
        for chunk in stride(from: 0, to: 1000, by: 10) { writer.log(points(chunk..<(chunk + 10))) }
        #expect(writer.finish() == nil)
        #expect(try store.metricHistory(run: run, key: "loss").map(\.step) == Array(0..<1000))
        #expect(store.writeAttempts < 100, "points were not batched: \(store.writeAttempts) writes")
    }

    @Test func failedWritesAreRetriedWithoutLosingPoints() throws {
        let (store, run) = try store()
        store.failNextWrites(3)
        let writer = MetricWriter(store: store, runID: run, flushInterval: 0.01, batchSize: 10)
        writer.log(points(0..<50))
        writer.log(points(50..<60))
        #expect(writer.finish() == nil)
        #expect(try store.metricHistory(run: run, key: "loss").map(\.step) == Array(0..<60))
        #expect(store.writeAttempts >= 4)
    }

    @Test func aStoreThatNeverRecoversIsReportedNotFatal() throws {
        let (store, run) = try store()
        store.failNextWrites(1_000)
        let writer = MetricWriter(store: store, runID: run, flushInterval: 0.01, batchSize: 10)
        let started = Date()
        writer.log(points(0..<25))
        let problem = writer.finish()
        #expect(problem?.contains("25 metric points could not be written") == true, "\(problem ?? "nil")")
        #expect(problem?.contains("disk full") == true)
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func loggingNeverWaitsForASlowStore() throws {
        let (store, run) = try store()
        store.failNextWrites(3)
        let writer = MetricWriter(store: store, runID: run, flushInterval: 0.01, batchSize: 1)
        let started = Date()
        for step in 0..<1000 { writer.log(points(step..<(step + 1))) }
        #expect(Date().timeIntervalSince(started) < 0.5, "log() blocked on the store")
        #expect(writer.finish() == nil)
    }
}
