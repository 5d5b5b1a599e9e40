import Foundation
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

@Suite struct SQLiteStoreTests {
    static let checks = MetadataStoreConformance.checks.map(\.name)

    @Test(arguments: checks)
    func conformance(_ name: String) throws {
        let directory = try ProcessRunner.temporaryDirectory("sqlite-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(directory: directory)
        try MetadataStoreConformance.checks.first { $0.name == name }!.body(store)
    }

    @Test func storesOnOneDirectoryRegisterDistinctVersions() throws {
        let directory = try ProcessRunner.temporaryDirectory("sqlite-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        try MetadataStoreConformance.registerFromSeveralStores({ try SQLiteStore(directory: directory) }, stores: 4, perStore: 5)
    }

    @Test func reopeningKeepsEverything() throws {
        let directory = try ProcessRunner.temporaryDirectory("sqlite-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let id: String
        do {
            let store = try SQLiteStore(directory: directory)
            id = try store.createRun(experiment: "e", name: "r", params: ["k": "v"], tags: [:], environment: [:]).id
            try store.logMetrics(run: id, [MetricPoint(key: "loss", step: 1, value: 0.5)])
        }
        let reopened = try SQLiteStore(directory: directory)
        #expect(try reopened.run(id).params == ["k": "v"])
        #expect(try reopened.metricHistory(run: id, key: "loss").map(\.value) == [0.5])
    }

    @Test func tamperedArtifactIsRefused() throws {
        let directory = try ProcessRunner.temporaryDirectory("sqlite-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(directory: directory)
        let run = try store.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
        let artifact = try store.storeArtifact(run: run.id, name: "m", kind: "model", contents: Data([1, 2, 3]))
        let file = directory.appendingPathComponent("artifacts/\(artifact.sha256.prefix(2))/\(artifact.sha256)")
        try Data([9, 9, 9]).write(to: file)
        #expect(throws: StoreError.self) { try store.artifactContents(artifact) }
    }

    @Test func unwritableLocationIsReported() throws {
        let file = try ProcessRunner.temporaryDirectory("sqlite-store").appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        #expect(throws: StoreError.self) { try SQLiteStore(directory: file) }
    }
}
