import Foundation
import RingmasterCore

extension MetadataStoreConformance {
    static func artifactNamesAreChecked(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "a", params: [:], tags: [:], environment: [:])
        for bad in ["../escape", "/etc/passwd", "a/../../b", "", "a//b", "a\u{0}b", "sp ace", String(repeating: "x", count: 256)] {
            do {
                _ = try store.storeArtifact(run: run.id, name: bad, kind: "file", contents: Data([1]))
                throw ConformanceFailure(message: "artifact name '\(bad)' was accepted")
            } catch StoreError.invalidArtifactName {}
        }
        _ = try store.storeArtifact(run: run.id, name: "plots/loss-curve_v2.svg", kind: "file", contents: Data([1]))
    }

    static func artifactsAreNeverOverwritten(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "a", params: [:], tags: [:], environment: [:])
        let first = try store.storeArtifact(run: run.id, name: "model.rmm", kind: "model", contents: Data("v1".utf8))
        let again = try store.storeArtifact(run: run.id, name: "model.rmm", kind: "model", contents: Data("v1".utf8))
        try expect(first.sha256 == again.sha256, "storing identical contents twice changed the artifact")
        do {
            _ = try store.storeArtifact(run: run.id, name: "model.rmm", kind: "model", contents: Data("v2".utf8))
            throw ConformanceFailure(message: "an artifact was overwritten with other contents")
        } catch StoreError.artifactExists {}
        try expect(try store.artifactContents(try store.artifacts(run: run.id)[0]) == Data("v1".utf8), "contents changed")
    }

    /// Five runs in experiment "search" with known params, tags and metrics.
    static func searchFixture(_ store: any MetadataStore) throws -> [String] {
        var ids: [String] = []
        let rows: [(lr: String, team: String, accuracy: Double?, loss: Double)] = [
            ("0.1", "vision", 0.90, 0.5), ("0.01", "vision", 0.97, 0.2), ("0.01", "speech", 0.95, 0.3),
            ("0.001", "speech", nil, 0.9), ("0.1", "Vision-B", 0.99, 0.1),
        ]
        for (index, row) in rows.enumerated() {
            let run = try store.createRun(
                experiment: "search", name: "r\(index)", params: ["lr": row.lr, "layers": "\(index + 1)"],
                tags: ["team": row.team], environment: [:])
            var points = [MetricPoint(key: "loss", step: 1, value: row.loss + 1), MetricPoint(key: "loss", step: 2, value: row.loss)]
            if let accuracy = row.accuracy { points.append(MetricPoint(key: "accuracy", step: 2, value: accuracy)) }
            try store.logMetrics(run: run.id, points)
            if index == 3 { try store.endRun(run.id, status: .failed, reason: "diverged") }
            ids.append(run.id)
        }
        _ = try store.createRun(experiment: "elsewhere", name: "x", params: ["lr": "0.01"], tags: [:], environment: [:])
        return ids
    }

    static func names(_ store: any MetadataStore, _ filter: RunFilter?, order: [RunOrder] = []) throws -> [String] {
        try store.searchRuns(RunQuery(experiment: "search", filter: filter, orderBy: order)).map(\.name)
    }

    static func searchFilters(_ store: any MetadataStore) throws {
        _ = try searchFixture(store)
        func check(_ filter: RunFilter, _ expected: Set<String>, _ what: String) throws {
            let got = Set(try names(store, filter))
            try expect(got == expected, "\(what): got \(got.sorted()), expected \(expected.sorted())")
        }
        try check(.comparison(.metric("accuracy"), .greater, .number(0.95)), ["r1", "r4"], "metric >")
        try check(.comparison(.metric("accuracy"), .greaterOrEqual, .number(0.95)), ["r1", "r2", "r4"], "metric >=")
        try check(.comparison(.metric("loss"), .lessOrEqual, .number(0.2)), ["r1", "r4"], "latest metric value")
        try check(.comparison(.metric("accuracy"), .notEqual, .number(0.9)), ["r1", "r2", "r4"], "missing metric never matches")
        try check(.comparison(.param("lr"), .equal, .string("0.01")), ["r1", "r2"], "param =")
        try check(.comparison(.param("lr"), .less, .number(0.05)), ["r1", "r2", "r3"], "param compared as number")
        try check(.comparison(.param("layers"), .greater, .number(3)), ["r3", "r4"], "numeric param >")
        try check(.comparison(.tag("team"), .like, .string("vis%")), ["r0", "r1"], "LIKE is case-sensitive")
        try check(.comparison(.tag("team"), .ilike, .string("vis%")), ["r0", "r1", "r4"], "ILIKE")
        try check(.membership(.tag("team"), [.string("speech"), .string("Vision-B")], negated: false), ["r2", "r3", "r4"], "IN")
        try check(.membership(.param("lr"), [.string("0.1")], negated: true), ["r1", "r2", "r3"], "NOT IN")
        try check(.comparison(.attribute(.status), .equal, .string("failed")), ["r3"], "status")
        try check(.comparison(.attribute(.runName), .like, .string("r%")), ["r0", "r1", "r2", "r3", "r4"], "run_name LIKE")
        try check(.comparison(.attribute(.startTime), .greater, .number(0)), ["r0", "r1", "r2", "r3", "r4"], "start_time")
        try check(.comparison(.param("lr"), .equal, .string("it's")), [], "quotes are data, not SQL")
    }

    static func searchCombines(_ store: any MetadataStore) throws {
        _ = try searchFixture(store)
        let vision = RunFilter.comparison(.tag("team"), .equal, .string("vision"))
        let fast = RunFilter.comparison(.param("lr"), .equal, .string("0.1"))
        let good = RunFilter.comparison(.metric("accuracy"), .greater, .number(0.96))
        let andThenOr = Set(try names(store, .or(.and(vision, fast), good)))
        try expect(andThenOr == ["r0", "r1", "r4"], "(vision and fast) or good: \(andThenOr.sorted())")
        let orThenAnd = Set(try names(store, .and(vision, .or(fast, good))))
        try expect(orThenAnd == ["r0", "r1"], "vision and (fast or good): \(orThenAnd.sorted())")
    }

    static func searchOrders(_ store: any MetadataStore) throws {
        _ = try searchFixture(store)
        let byAccuracy = try names(store, nil, order: [RunOrder(field: .metric("accuracy"), ascending: false)])
        try expect(byAccuracy == ["r4", "r1", "r2", "r0", "r3"], "accuracy desc, missing last: \(byAccuracy)")
        let byLossAscending = try names(store, nil, order: [RunOrder(field: .metric("loss"), ascending: true)])
        try expect(byLossAscending == ["r4", "r1", "r2", "r0", "r3"], "loss asc: \(byLossAscending)")
        let byLayers = try names(store, nil, order: [RunOrder(field: .param("layers"), ascending: false)])
        try expect(byLayers == ["r4", "r3", "r2", "r1", "r0"], "numeric param order: \(byLayers)")
        let newest = try names(store, nil)
        try expect(newest == ["r4", "r3", "r2", "r1", "r0"], "default order is newest first: \(newest)")
        let page = try store.searchRuns(RunQuery(experiment: "search", orderBy: [RunOrder(field: .metric("loss"), ascending: true)], limit: 2, offset: 1))
        try expect(page.map(\.name) == ["r1", "r2"], "limit/offset: \(page.map(\.name))")
        let everywhere = try store.searchRuns(RunQuery(filter: .comparison(.param("lr"), .equal, .string("0.01"))))
        try expect(Set(everywhere.map(\.name)) == ["r1", "r2", "x"], "no experiment means all: \(everywhere.map(\.name))")
    }

    static func experimentsAreListed(_ store: any MetadataStore) throws {
        _ = try searchFixture(store)
        let experiments = try store.experiments()
        try expect(experiments.map(\.name) == ["elsewhere", "search"], "names \(experiments.map(\.name))")
        try expect(experiments.map(\.runCount) == [1, 5], "counts \(experiments.map(\.runCount))")
    }

    static func datasetVersionsCountUp(_ store: any MetadataStore) throws {
        let a = try store.recordDatasetVersion(NewDatasetVersion(name: "digits", fingerprint: "aa11", schema: "{}", rows: 10, source: "/d/a.csv"))
        let same = try store.recordDatasetVersion(NewDatasetVersion(name: "digits", fingerprint: "aa11", schema: "{}", rows: 10, source: "/d/copy.csv"))
        let b = try store.recordDatasetVersion(NewDatasetVersion(name: "digits", fingerprint: "bb22", schema: "{}", rows: 12, source: "/d/b.csv"))
        _ = try store.recordDatasetVersion(NewDatasetVersion(name: "other", fingerprint: "aa11", schema: "{}", rows: 10, source: "/d/a.csv"))
        try expect(a.version == 1 && same.version == 1 && b.version == 2, "versions \(a.version) \(same.version) \(b.version)")
        try expect(same.source == "/d/a.csv", "deduplicated version changed its source")
        try expect(try store.datasetVersions(name: "digits").map(\.rows) == [10, 12], "listing by name")
        try expect(try store.datasetVersions(name: nil).count == 3, "listing all")
        try expect(try store.datasetVersion("digits").version == 2, "name resolves to latest")
        try expect(try store.datasetVersion("digits:1").fingerprint == "aa11", "name:version")
        do {
            _ = try store.datasetVersion("digits:7")
            throw ConformanceFailure(message: "unknown version resolved")
        } catch StoreError.unknownDataset {}
    }

    static func lineageEdges(_ store: any MetadataStore) throws {
        let run = try store.createRun(experiment: "e", name: "l", params: [:], tags: [:], environment: [:])
        let dataset = LineageNode.dataset(name: "digits", version: 1)
        let model = LineageNode.artifact(run: run.id, name: "model.rmm")
        let input = LineageEdge(source: dataset, target: .run(run.id), relation: .input)
        try store.addLineage(input)
        try store.addLineage(input)
        try store.addLineage(LineageEdge(source: .run(run.id), target: model, relation: .output))
        let fromRun = try store.lineageEdges(touching: .run(run.id))
        try expect(fromRun.count == 2, "run has \(fromRun.count) edges: \(fromRun)")
        try expect(try store.lineageEdges(touching: dataset).map(\.target) == [.run(run.id)], "dataset edge")
        try expect(try store.lineageEdges(touching: model).map(\.relation) == [.output], "artifact edge")
    }

    static func importedRunsKeepIdentity(_ store: any MetadataStore) throws {
        let start = Date(timeIntervalSince1970: 1_600_000_000.5)
        let run = RunRecord(
            id: "0123456789abcdef0123456789abcdef", experiment: "imported", name: "from-mlflow", status: .finished,
            startTime: start, endTime: start.addingTimeInterval(60), params: ["lr": "0.1"], tags: ["source": "mlflow"])
        let points = [MetricPoint(key: "loss", step: 0, value: 1, timestamp: start), MetricPoint(key: "loss", step: 5, value: 0.5, timestamp: start)]
        try store.importRun(run, metrics: points)
        let read = try store.run(run.id)
        try expect(read.status == .finished && read.startTime == run.startTime && read.endTime == run.endTime, "times/status \(read)")
        try expect(read.params == run.params && read.tags == run.tags && read.experiment == "imported", "params/tags \(read)")
        try expect(try store.metricHistory(run: run.id, key: "loss") == points, "metrics")
        try expect(try store.latestMetrics(run: run.id)["loss"]?.value == 0.5, "latest metric")
        do {
            try store.importRun(run, metrics: [])
            throw ConformanceFailure(message: "importing the same run twice was accepted")
        } catch StoreError.duplicateRun {}
    }

    static func bulkImportsStoreEveryRun(_ store: any MetadataStore) throws {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let runs = (0..<3).map { index in
            (run: RunRecord(
                id: String(repeating: "\(index)", count: 32), experiment: index == 2 ? "other" : "bulk",
                name: "bulk-\(index)", status: .finished, startTime: start.addingTimeInterval(Double(index)),
                params: ["i": "\(index)"]),
             metrics: [MetricPoint(key: "m", step: index, value: Double(index), timestamp: start)])
        }
        try store.importRuns(runs)
        for (run, metrics) in runs {
            let read = try store.run(run.id)
            try expect(read.name == run.name && read.experiment == run.experiment && read.params == run.params, "\(read)")
            try expect(try store.metricHistory(run: run.id, key: "m") == metrics, "metrics of \(run.name)")
        }
        try expect(try store.runs(experiment: "bulk", limit: nil).map(\.name) == ["bulk-1", "bulk-0"], "bulk experiment")
        do {
            try store.importRuns([runs[1]])
            throw ConformanceFailure(message: "a bulk import of an existing run was accepted")
        } catch StoreError.duplicateRun(let id) {
            try expect(id == runs[1].run.id, "duplicate reported as \(id)")
        }
    }
}
