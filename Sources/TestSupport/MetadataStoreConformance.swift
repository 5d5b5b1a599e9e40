import Foundation
import RingmasterCore

/// Behaviour every ``MetadataStore`` backend must show, run by each backend's tests
/// against a fresh, empty store. Throws ``ConformanceFailure`` naming the first broken rule.
public enum MetadataStoreConformance {
    public static let checks: [(name: String, body: @Sendable (any MetadataStore) throws -> Void)] = [
        ("run round-trips", runRoundTrips),
        ("params are immutable", paramsAreImmutable),
        ("metrics keep order, NaN and infinity", metricsKeepValues),
        ("latest metric is the highest step", latestMetricIsHighestStep),
        ("latest metric within one batch: highest step, last logged on a tie", latestMetricWithinBatch),
        ("artifacts are content-addressed and verified", artifactsAreVerified),
        ("run ids resolve by prefix", runIDsResolveByPrefix),
        ("runs list newest first by experiment", runsListNewestFirst),
        ("artifact names cannot escape the root", artifactNamesAreChecked),
        ("artifacts are never overwritten", artifactsAreNeverOverwritten),
        ("search filters by metric, param, tag and attribute", searchFilters),
        ("search combines with and, or and parentheses", searchCombines),
        ("search orders, limits and pages", searchOrders),
        ("experiments are listed with run counts", experimentsAreListed),
        ("dataset versions count up and deduplicate", datasetVersionsCountUp),
        ("lineage edges are stored once and found from both ends", lineageEdges),
        ("imported runs keep their identity", importedRunsKeepIdentity),
        ("sweeps and trials round-trip", sweepsRoundTrip),
        ("bulk imports store every run and refuse duplicates", bulkImportsStoreEveryRun),
        ("model versions count up per model and link to their run", modelVersionsCountUp),
        ("concurrent registrations get distinct versions", concurrentRegistrationsGetDistinctVersions),
        ("alias moves are recorded and roll back", aliasMovesAreRecorded),
        ("promotion checks its requirement against the run", promotionChecksTheRequirement),
        ("unknown models, versions and aliases are typed errors", unknownRegistryNamesAreTyped),
        ("pipeline runs and steps round-trip", pipelineRunsRoundTrip),
        ("cached pipeline steps match pipeline, step and key, and only successes", cachedPipelineStepsMatch),
    ]

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ConformanceFailure(message: message()) }
    }

    static func runRoundTrips(_ store: any MetadataStore) throws {
        let created = try store.createRun(
            experiment: "e", name: "first", params: ["lr": "0.1"], tags: ["team": "a"],
            environment: ["host": "h1", "world_size": "4"])
        var read = try store.run(created.id)
        try expect(read.params == ["lr": "0.1"] && read.tags == ["team": "a"], "params/tags not read back: \(read)")
        try expect(read.environment["world_size"] == "4" && read.status == .running, "environment/status wrong: \(read)")
        try store.setTags(run: created.id, ["team": "b", "extra": "1"])
        try store.endRun(created.id, status: .failed, reason: "loss became nan")
        read = try store.run(created.id)
        try expect(read.tags == ["team": "b", "extra": "1"], "tags not replaced: \(read.tags)")
        try expect(read.status == .failed && read.failureReason == "loss became nan" && read.endTime != nil,
                   "end not recorded: \(read)")
    }

    static func paramsAreImmutable(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "p", params: ["a": "1"], tags: [:], environment: [:])
        try store.logParams(run: run.id, ["a": "1", "b": "2"])
        do {
            try store.logParams(run: run.id, ["b": "3"])
            throw ConformanceFailure(message: "changing a parameter was accepted")
        } catch StoreError.parameterChanged(_, let key, let old, let new) {
            try expect(key == "b" && old == "2" && new == "3", "wrong parameterChanged payload")
        }
        try expect(try store.run(run.id).params == ["a": "1", "b": "2"], "params changed after a refused update")
    }

    static func metricsKeepValues(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "m", params: [:], tags: [:], environment: [:])
        let t = Date(timeIntervalSince1970: 1_700_000_000.25)
        let points = [
            MetricPoint(key: "loss", step: 1, value: 2.5, timestamp: t),
            MetricPoint(key: "loss", step: 2, value: .nan, timestamp: t),
            MetricPoint(key: "loss", step: 3, value: .infinity, timestamp: t),
            MetricPoint(key: "loss", step: 4, value: -0.125, timestamp: t),
            MetricPoint(key: "acc", step: 4, value: 0.5, timestamp: t),
        ]
        try store.logMetrics(run: run.id, Array(points.prefix(2)))
        try store.logMetrics(run: run.id, Array(points.dropFirst(2)))
        let loss = try store.metricHistory(run: run.id, key: "loss")
        try expect(loss == Array(points.prefix(4)), "loss history differs: \(loss)")
        try expect(try store.metricHistory(run: run.id, key: "missing").isEmpty, "unknown key has points")
    }

    static func latestMetricIsHighestStep(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "l", params: [:], tags: [:], environment: [:])
        try store.logMetrics(run: run.id, [MetricPoint(key: "x", step: 5, value: 5), MetricPoint(key: "x", step: 9, value: 9)])
        try store.logMetrics(run: run.id, [MetricPoint(key: "x", step: 7, value: 7)])
        let latest = try store.latestMetrics(run: run.id)
        try expect(latest["x"]?.step == 9 && latest["x"]?.value == 9, "latest is \(String(describing: latest["x"]))")
    }

    static func latestMetricWithinBatch(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "b", params: [:], tags: [:], environment: [:])
        try store.logMetrics(run: run.id, [
            MetricPoint(key: "x", step: 3, value: 1), MetricPoint(key: "y", step: 0, value: 0),
            MetricPoint(key: "x", step: 3, value: 2), MetricPoint(key: "x", step: 1, value: 9),
        ])
        let latest = try store.latestMetrics(run: run.id)
        try expect(latest["x"]?.step == 3 && latest["x"]?.value == 2, "latest x is \(String(describing: latest["x"]))")
        try expect(latest["y"]?.value == 0, "latest y is \(String(describing: latest["y"]))")
        try expect(try store.metricHistory(run: run.id, key: "x").map(\.value) == [9, 1, 2], "history of x")
    }

    static func artifactsAreVerified(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "a", params: [:], tags: [:], environment: [:])
        let bytes = Data("model weights".utf8)
        let artifact = try store.storeArtifact(run: run.id, name: "model.rmm", kind: "model", contents: bytes)
        try expect(artifact.sha256 == "a2d42c4aa884e21216cbb8da4c7ba2fcf9b6033b2331666e666145c24caf7a38",
                   "sha256 \(artifact.sha256) is not the sha256 of the contents")
        try expect(artifact.size == bytes.count, "size \(artifact.size)")
        try expect(try store.artifactContents(artifact) == bytes, "contents differ")
        let listed = try store.artifacts(run: run.id)
        try expect(listed.map(\.name) == ["model.rmm"] && listed[0].sha256 == artifact.sha256, "listing \(listed)")
    }

    static func runIDsResolveByPrefix(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "r", params: [:], tags: [:], environment: [:])
        try expect(run.id.count == 32 && run.id.allSatisfy(\.isHexDigit), "id \(run.id) is not 32 hex digits")
        try expect(try store.run(String(run.id.prefix(10))).id == run.id, "prefix does not resolve")
        do {
            _ = try store.run("ffffffffffffffffffffffffffffff00")
            throw ConformanceFailure(message: "unknown id resolved")
        } catch StoreError.unknownRun {}
    }

    static func runsListNewestFirst(_ store: any MetadataStore) throws {
        let a = try store.createRun(experiment: "listing", name: "a", params: [:], tags: [:], environment: [:])
        let b = try store.createRun(experiment: "listing", name: "b", params: [:], tags: [:], environment: [:])
        _ = try store.createRun(experiment: "other", name: "c", params: [:], tags: [:], environment: [:])
        let listed = try store.runs(experiment: "listing", limit: nil).map(\.id)
        try expect(listed == [b.id, a.id], "order \(listed)")
        try expect(try store.runs(experiment: "listing", limit: 1).map(\.id) == [b.id], "limit ignored")
    }
}

extension ConformanceFailure {
    /// A broken store rule (stores have no ranks: reported as rank 0).
    init(message: String) {
        self.init(check: "metadata store", rank: 0, detail: message)
    }
}
