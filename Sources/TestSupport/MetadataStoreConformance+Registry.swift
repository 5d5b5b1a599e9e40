import Foundation
import RingmasterCore

extension MetadataStoreConformance {
    /// A finished run with a model artifact, read from dataset `digits:1`.
    static func trainedRun(_ store: any MetadataStore, accuracy: Double, weights: String) throws -> RunRecord {
        let dataset = try store.recordDatasetVersion(NewDatasetVersion(
            name: "digits", fingerprint: String(repeating: "a", count: 64), schema: "{}", rows: 10, source: "digits.csv"))
        let run = try store.createRun(experiment: "registry", name: "r", params: ["lr": "0.01"], tags: [:], environment: [:])
        try store.addLineage(LineageEdge(source: dataset.node, target: .run(run.id), relation: .input))
        try store.logMetrics(run: run.id, [MetricPoint(key: "validation_accuracy", step: 1, value: accuracy)])
        _ = try store.storeArtifact(run: run.id, name: "model.rmm", kind: "model", contents: Data(weights.utf8))
        try store.endRun(run.id, status: .finished, reason: nil)
        return run
    }

    static func modelVersionsCountUp(_ store: any MetadataStore) throws {
        let registry = ModelRegistry(store: store)
        let first = try trainedRun(store, accuracy: 0.9, weights: "one")
        let second = try trainedRun(store, accuracy: 0.95, weights: "two")
        let v1 = try registry.register(model: "digits", run: String(first.id.prefix(8)), description: "baseline", tags: ["team": "a"])
        let v2 = try registry.register(model: "digits", run: second.id)
        let other = try registry.register(model: "iris.v2", run: second.id)
        try expect(v1.version == 1 && v2.version == 2 && other.version == 1, "versions \(v1.version), \(v2.version), \(other.version)")
        try expect(v1.runID == first.id && v1.artifactName == "model.rmm" && v1.dataset == "digits:1", "version 1 \(v1)")
        try expect(try store.modelVersion(model: "digits", version: 1) == v1, "version 1 does not read back")
        try expect(try store.modelVersions(model: "digits").map(\.version) == [1, 2], "versions listed")
        let models = try store.registeredModels()
        try expect(models.map(\.name) == ["digits", "iris.v2"] && models[0].latestVersion == 2, "models \(models)")
        try expect(models[0].description == "baseline", "model description \(models[0].description)")
        let edges = try store.lineageEdges(touching: v2.node)
        try expect(edges.contains { $0.source == .artifact(run: second.id, name: "model.rmm") && $0.relation == .registered },
                   "no lineage from the artifact to the version: \(edges)")
    }

    static func concurrentRegistrationsGetDistinctVersions(_ store: any MetadataStore) throws {
        let run = try trainedRun(store, accuracy: 0.9, weights: "w")
        let registry = ModelRegistry(store: store)
        let results = LockedList<Int>()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                results.append(try registry.register(model: "busy", run: run.id).version)
            } catch {
                results.append(-1)
            }
        }
        let numbers = results.all.sorted()
        try expect(numbers == Array(1...8), "concurrent registrations got versions \(numbers)")
        try expect(try store.registeredModel("busy").latestVersion == 8, "latest version after 8 registrations")
    }

    static func aliasMovesAreRecorded(_ store: any MetadataStore) throws {
        let registry = ModelRegistry(store: store)
        let run = try trainedRun(store, accuracy: 0.96, weights: "w")
        for _ in 1...3 { _ = try registry.register(model: "digits", run: run.id) }
        _ = try store.moveModelAlias(model: "digits", alias: "production", to: 1, reason: "first")
        _ = try store.moveModelAlias(model: "digits", alias: "production", to: 3, reason: "better")
        _ = try store.moveModelAlias(model: "digits", alias: "staging", to: 2, reason: "try")
        try expect(try store.modelVersion(model: "digits", alias: "production").version == 3, "production does not resolve to 3")
        try expect(try registry.version(ModelVersionReference(parsing: "digits@staging")).version == 2, "staging")
        let aliases = try store.modelAliases(model: "digits").map { "\($0.alias)=\($0.version)" }
        try expect(aliases == ["production=3", "staging=2"], "aliases \(aliases)")
        let rolled = try registry.rollback(model: "digits", alias: "production", reason: "regression")
        try expect(rolled.from == 3 && rolled.to == 1 && rolled.reason == "regression", "rollback event \(rolled)")
        try expect(try store.modelVersion(model: "digits", alias: "production").version == 1, "rollback did not move production")
        let deleted = try store.moveModelAlias(model: "digits", alias: "staging", to: nil, reason: "done")
        try expect(deleted.from == 2 && deleted.to == nil, "delete event \(deleted)")
        let production = try store.modelAliasEvents(model: "digits", alias: "production")
        try expect(production.map { "\($0.from.map(String.init) ?? "-")>\($0.to.map(String.init) ?? "-"):\($0.reason)" }
                   == ["->1:first", "1>3:better", "3>1:regression"], "production history \(production)")
        try expect(try store.modelAliasEvents(model: "digits", alias: nil).count == 5, "whole history")
        do {
            _ = try store.modelVersion(model: "digits", alias: "staging")
            throw ConformanceFailure(message: "a deleted alias resolved")
        } catch StoreError.unknownModelAlias(let model, let alias) {
            try expect(model == "digits" && alias == "staging", "unknownModelAlias payload")
        }
        let restored = try registry.rollback(model: "digits", alias: "staging")
        try expect(restored.to == 2, "rolling back a deletion restores the alias: \(restored)")
        _ = try store.moveModelAlias(model: "digits", alias: "fresh", to: 1, reason: "new")
        do {
            _ = try registry.rollback(model: "digits", alias: "fresh")
            throw ConformanceFailure(message: "rolled back an alias set only once")
        } catch ModelRegistryError.nothingToRollBack {}
    }

    static func promotionChecksTheRequirement(_ store: any MetadataStore) throws {
        let registry = ModelRegistry(store: store)
        let weak = try trainedRun(store, accuracy: 0.94, weights: "weak")
        let strong = try trainedRun(store, accuracy: 0.98, weights: "strong")
        _ = try registry.register(model: "digits", run: weak.id)
        _ = try registry.register(model: "digits", run: strong.id)
        let requirement = "metrics.validation_accuracy >= 0.97 and params.lr = '0.01'"
        do {
            _ = try registry.promote(model: "digits", version: 1, alias: "production", requirement: requirement)
            throw ConformanceFailure(message: "a version below the requirement was promoted")
        } catch ModelRegistryError.requirementNotMet(let reference, _, let failures) {
            try expect(reference == "digits:1" && failures == ["metrics.validation_accuracy >= 0.97 (actual 0.94)"],
                       "failures \(failures)")
        }
        try expect(try store.modelAliases(model: "digits").isEmpty, "a refused promotion moved the alias")
        let event = try registry.promote(model: "digits", version: 2, alias: "production", requirement: requirement)
        try expect(event.to == 2 && event.reason.contains("validation_accuracy"), "promotion event \(event)")
        let resolved = try registry.resolve(ModelVersionReference(parsing: "digits@production"))
        try expect(resolved.artifact.runID == strong.id && (try registry.contents(resolved)) == Data("strong".utf8),
                   "digits@production resolves to \(resolved)")
    }

    static func unknownRegistryNamesAreTyped(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "no-model", params: [:], tags: [:], environment: [:])
        let registry = ModelRegistry(store: store)
        func expectError(_ expected: StoreError, _ body: () throws -> Void) throws {
            do {
                try body()
                throw ConformanceFailure(message: "expected \(expected)")
            } catch let error as StoreError {
                try expect(error == expected, "got \(error), expected \(expected)")
            }
        }
        try expectError(.noModelArtifact(run: run.id, status: "running")) { _ = try registry.register(model: "m", run: run.id) }
        try expectError(.invalidModelName("bad/name")) { _ = try registry.register(model: "bad/name", run: run.id) }
        try expectError(.unknownModel("ghost")) { _ = try store.modelVersions(model: "ghost") }
        try expectError(.unknownModel("ghost")) { _ = try store.modelVersion(model: "ghost", version: 1) }
        try expectError(.unknownModel("ghost")) { _ = try store.modelVersion(model: "ghost", alias: "production") }
        let trained = try trainedRun(store, accuracy: 0.9, weights: "w")
        _ = try registry.register(model: "m", run: trained.id)
        try expectError(.unknownModelVersion(model: "m", version: 7)) { _ = try store.modelVersion(model: "m", version: 7) }
        try expectError(.unknownModelVersion(model: "m", version: 7)) {
            _ = try store.moveModelAlias(model: "m", alias: "production", to: 7, reason: "")
        }
        try expectError(.unknownModelAlias(model: "m", alias: "production")) {
            _ = try store.moveModelAlias(model: "m", alias: "production", to: nil, reason: "")
        }
        try expectError(.invalidModelName("prod uction")) {
            _ = try store.moveModelAlias(model: "m", alias: "prod uction", to: 1, reason: "")
        }
        try expect(try store.modelAliasEvents(model: "m", alias: nil).isEmpty, "refused moves left events")
    }
}

/// A list appended to from several threads.
public final class LockedList<Element: Sendable>: @unchecked Sendable {
    // Invariant: `items` is only touched with `lock` held.
    private let lock = NSLock()
    private var items: [Element] = []

    public init() {}
    public func append(_ item: Element) { lock.withLock { items.append(item) } }
    public var all: [Element] { lock.withLock { items } }
}

extension MetadataStoreConformance {
    /// Registers the model of one run `perStore` times from each of `stores` store instances
    /// (separate connections or processes' worth of state) at once, and checks that the
    /// versions are exactly 1…N: none lost, none shared.
    public static func registerFromSeveralStores(_ open: @Sendable () throws -> any MetadataStore, stores: Int, perStore: Int) throws {
        let setup = try open()
        let run = try setup.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
        _ = try setup.storeArtifact(run: run.id, name: "model.rmm", kind: "model", contents: Data("w".utf8))
        let versions = LockedList<Int>()
        let errors = LockedList<String>()
        DispatchQueue.concurrentPerform(iterations: stores) { _ in
            do {
                let registry = ModelRegistry(store: try open())
                for _ in 0..<perStore { versions.append(try registry.register(model: "shared", run: run.id).version) }
            } catch {
                errors.append("\(error)")
            }
        }
        try expect(errors.all.isEmpty, "registrations failed: \(errors.all)")
        try expect(versions.all.sorted() == Array(1...(stores * perStore)), "versions \(versions.all.sorted())")
    }
}
