import Foundation
@testable import MetadataPostgres
import PostgresNIO
import RingmasterCore
import Testing
import TestSupport

/// The server these tests create databases on. scripts/test.sh starts a throwaway one and sets it.
let testServerURL = ProcessInfo.processInfo.environment["RINGMASTER_TEST_POSTGRES_URL"]

/// Runs `body` with a new, empty database on the test server, dropped afterwards, so that
/// every check starts from a fresh schema.
func withScratchDatabase(_ body: (PostgresLocation) throws -> Void) throws {
    let server = try PostgresLocation(url: testServerURL!)
    let admin = try BlockingConnection(location: server)
    defer { admin.close() }
    let name = "ringmaster_test_" + PostgresStore.newRunID().prefix(12)
    try admin.withSession { try $0.query("CREATE DATABASE \(unescaped: name)") }
    defer { _ = try? admin.withSession { try $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)") } }
    try body(server.with(database: name))
}

// Enabled only when RINGMASTER_TEST_POSTGRES_URL names a server: there is nothing to test
// against otherwise. scripts/test.sh (and so CI) always starts one and sets it.
@Suite(.enabled(if: testServerURL != nil, "RINGMASTER_TEST_POSTGRES_URL is not set; scripts/test.sh starts a server and sets it"))
struct PostgresStoreTests {
    static let checks = MetadataStoreConformance.checks.map(\.name)

    @Test(arguments: checks)
    func conformance(_ name: String) throws {
        try withScratchDatabase { location in
            let store = try PostgresStore(location: location)
            defer { store.close() }
            try MetadataStoreConformance.checks.first { $0.name == name }!.body(store)
        }
    }

    @Test func connectionsRegisterDistinctVersions() throws {
        try withScratchDatabase { location in
            try MetadataStoreConformance.registerFromSeveralStores({ try PostgresStore(location: location) }, stores: 4, perStore: 5)
        }
    }

    @Test func reopeningKeepsEverything() throws {
        try withScratchDatabase { location in
            let id: String
            do {
                let store = try PostgresStore(location: location)
                defer { store.close() }
                id = try store.createRun(experiment: "e", name: "r", params: ["k": "v"], tags: [:], environment: [:]).id
                try store.logMetrics(run: id, [MetricPoint(key: "loss", step: 1, value: 0.5)])
            }
            let reopened = try PostgresStore(location: location)
            defer { reopened.close() }
            #expect(try reopened.run(id).params == ["k": "v"])
            #expect(try reopened.metricHistory(run: id, key: "loss").map(\.value) == [0.5])
        }
    }

    @Test func schemaStepsAreRecordedByName() throws {
        try withScratchDatabase { location in
            let store = try PostgresStore(location: location)
            defer { store.close() }
            let names = try store.connection.withSession { session in
                try session.query("SELECT name FROM ringmaster_migrations ORDER BY name").map { try $0.decode(String.self) }
            }
            #expect(names == ["v1-runs-metrics-artifacts", "v2-datasets-lineage", "v3-sweeps", "v4-model-registry", "v5-pipelines"])
        }
    }

    @Test func newerSchemaIsRefused() throws {
        try withScratchDatabase { location in
            let store = try PostgresStore(location: location)
            try store.connection.withSession { session in
                try session.query("INSERT INTO ringmaster_migrations (name, applied) VALUES ('v99-from-the-future', 0)")
            }
            store.close()
            #expect(throws: StoreError.newerSchema(location: location.redacted, migration: "v99-from-the-future")) {
                try PostgresStore(location: location)
            }
        }
    }

    @Test func processesOpeningAFreshDatabaseTogetherMigrateOnce() throws {
        try withScratchDatabase { location in
            let failures = ConcurrentFailures()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let store = try PostgresStore(location: location)
                    _ = try store.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
                    store.close()
                } catch {
                    failures.append("\(error)")
                }
            }
            #expect(failures.all.isEmpty)
            let store = try PostgresStore(location: location)
            defer { store.close() }
            #expect(try store.experiments().map(\.runCount) == [4])
        }
    }

    @Test func tamperedArtifactIsRefused() throws {
        try withScratchDatabase { location in
            let store = try PostgresStore(location: location)
            defer { store.close() }
            let run = try store.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
            let artifact = try store.storeArtifact(run: run.id, name: "m", kind: "model", contents: Data([1, 2, 3]))
            _ = try store.storeArtifact(run: run.id, name: "copy", kind: "model", contents: Data([1, 2, 3]))
            let blobs = try store.connection.withSession { try $0.query("SELECT COUNT(*) FROM blobs").first!.decode(Int.self) }
            #expect(blobs == 1, "identical contents are stored once")
            try store.connection.withSession { session in
                try session.query("UPDATE blobs SET data = '\\x090909'::bytea WHERE sha256 = \(artifact.sha256)")
            }
            #expect(throws: StoreError.self) { try store.artifactContents(artifact) }
        }
    }

    @Test func metricsArriveInOneBatchAndUnknownRunsAreRefused() throws {
        try withScratchDatabase { location in
            let store = try PostgresStore(location: location)
            defer { store.close() }
            let run = try store.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
            let points = (0..<20_000).map { MetricPoint(key: $0 % 2 == 0 ? "loss" : "accuracy", step: $0 / 2, value: Double($0)) }
            try store.logMetrics(run: run.id, points)
            let loss = try store.metricHistory(run: run.id, key: "loss")
            #expect(loss.count == 10_000 && loss.last?.step == 9_999 && loss.last?.value == 19_998)
            #expect(try store.latestMetrics(run: run.id)["accuracy"]?.value == 19_999)
            #expect(throws: StoreError.unknownRun("ffffffffffffffffffffffffffffffff")) {
                try store.logMetrics(run: "ffffffffffffffffffffffffffffffff", [MetricPoint(key: "x", step: 1, value: 1)])
            }
            #expect(throws: StoreError.unknownRun("ffffffffffffffffffffffffffffffff")) {
                try store.endRun("ffffffffffffffffffffffffffffffff", status: .finished, reason: nil)
            }
        }
    }

    @Test func textIsNotANumberInSearches() throws {
        try withScratchDatabase { location in
            let store = try PostgresStore(location: location)
            defer { store.close() }
            for (name, optimizer) in [("a", "adam"), ("b", "2.5"), ("c", " 1e-3 "), ("d", "1e400x")] {
                _ = try store.createRun(experiment: "e", name: name, params: ["opt": optimizer], tags: [:], environment: [:])
            }
            let small = try store.searchRuns(RunQuery(filter: .comparison(.param("opt"), .less, .number(3))))
            #expect(Set(small.map(\.name)) == ["b", "c"])
            let ordered = try store.searchRuns(RunQuery(orderBy: [RunOrder(field: .param("opt"), ascending: true)]))
            #expect(ordered.map(\.name) == ["c", "b", "d", "a"], "numbers in numeric order, then text")
        }
    }

    @Test func missingDatabaseIsUnavailableWithoutThePassword() throws {
        let server = try PostgresLocation(url: testServerURL!)
        let url = "postgres://\(server.user):hunter2@\(server.host):\(server.port)/no_such_database"
        do {
            _ = try PostgresStore(url: url)
            Issue.record("opened a database that does not exist")
        } catch let error as StoreError {
            let message = "\(error)"
            #expect(message.contains("postgres://\(server.user):***@") && message.contains("no_such_database"), "\(message)")
            #expect(!message.contains("hunter2"), "\(message)")
        }
    }
}

/// Errors collected from several threads.
final class ConcurrentFailures: @unchecked Sendable {
    // @unchecked Sendable: `messages` is only touched while `lock` is held.
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
