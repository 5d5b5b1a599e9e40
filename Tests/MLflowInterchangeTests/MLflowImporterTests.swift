import Foundation
import GRDB
import MLflowInterchange
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

/// Imports `Fixtures/mlflow.db`, made by real MLflow (`Fixtures/make_fixture.py`), and
/// compares every run with `Fixtures/expected.json`: the same runs as MLflow's own client
/// read them back. Values MLflow encodes (NaN, ±infinity) are also checked one by one.
@Suite struct MLflowImporterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let database = fixtures.appendingPathComponent("mlflow.db").path

    struct Expected: Decodable {
        struct Run: Decodable {
            var runId: String
            var experiment: String
            var name: String
            var status: String
            var startTime: Int64
            var endTime: Int64?
            var lifecycleStage: String
            var experimentDeleted: Bool
            var params: [String: String]
            var tags: [String: String]
            var metrics: [String: [Point]]
        }
        struct Point: Decodable {
            var step: Int
            var value: Double
            var timestamp: Int64
        }
        var alembicRevision: String
        var runs: [Run]

        static func load() throws -> Expected {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            return try decoder.decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
        }
    }

    func emptyStore() throws -> SQLiteStore {
        try SQLiteStore(directory: try ProcessRunner.temporaryDirectory("mlflow-import"))
    }

    func importFixture(into store: SQLiteStore, _ options: MLflowImportOptions = MLflowImportOptions()) throws
        -> MLflowImportSummary
    {
        try MLflowImporter(database: try MLflowDatabase(path: Self.database), options: options).run(into: store)
    }

    static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

    @Test func everyFieldMatchesWhatMLflowReadsBack() throws {
        let expected = try Expected.load()
        let store = try emptyStore()
        let summary = try importFixture(into: store, MLflowImportOptions(includeDeleted: true))
        #expect(summary.runsImported == expected.runs.count)
        #expect(summary.metricPoints == expected.runs.reduce(0) { $0 + $1.metrics.values.reduce(0) { $0 + $1.count } })
        #expect(try MLflowDatabase(path: Self.database).revision == expected.alembicRevision)
        let statuses: [String: RunStatus] = [
            "FINISHED": .finished, "FAILED": .failed, "KILLED": .killed, "RUNNING": .running, "SCHEDULED": .running,
        ]
        for want in expected.runs {
            let run = try store.run(want.runId)
            #expect(run.id == want.runId)
            #expect(run.experiment == want.experiment)
            #expect(run.name == want.name)
            #expect(run.status == statuses[want.status], "\(want.name): \(run.status) for \(want.status)")
            #expect(run.failureReason == nil)
            #expect(run.startTime == Date(timeIntervalSince1970: Double(want.startTime) / 1000))
            #expect(run.endTime == want.endTime.map { Date(timeIntervalSince1970: Double($0) / 1000) })
            #expect(run.params == want.params)
            #expect(run.tags == want.tags)
            #expect(run.environment["mlflow_run_id"] == want.runId)
            #expect(run.environment["imported_from"] == "mlflow")
            #expect((run.environment["mlflow_lifecycle_stage"] == "deleted") == (want.lifecycleStage == "deleted"))
            #expect(Set(try store.latestMetrics(run: run.id).keys) == Set(want.metrics.keys))
            for (key, points) in want.metrics {
                let got = try store.metricHistory(run: run.id, key: key)
                // MLflow hands infinity back as the largest finite double; the import restores infinity.
                let wanted = points.map { point -> MetricPoint in
                    let value = abs(point.value) == .greatestFiniteMagnitude ? point.value * .infinity : point.value
                    return MetricPoint(key: key, step: point.step, value: value,
                                       timestamp: Date(timeIntervalSince1970: Double(point.timestamp) / 1000))
                }
                let order = { (a: MetricPoint, b: MetricPoint) in (a.step, a.timestamp) < (b.step, b.timestamp) }
                #expect(got.count == wanted.count, "\(want.name) \(key)")
                #expect(got == got.sorted(by: order), "\(want.name) \(key) history out of step order")
                let unmatched = got.filter { point in !wanted.contains(point) }
                #expect(unmatched.isEmpty, "\(want.name) \(key): \(unmatched) not logged in MLflow")
            }
        }
    }

    @Test func encodedValuesAndNamesComeBackAsLogged() throws {
        let store = try emptyStore()
        _ = try importFixture(into: store)
        let byName = Dictionary(uniqueKeysWithValues: try store.runs(experiment: nil, limit: nil).map { ($0.name, $0) })
        let baseline = try #require(byName["lr-0.01"])
        #expect(baseline.params == ["lr": "0.01", "batch_size": "64", "optimizer": "adam"])
        #expect(baseline.tags["team"] == "vision" && baseline.tags["mlflow.note.content"] == "baseline")
        #expect(baseline.tags["mlflow.user"] != nil && baseline.tags["mlflow.source.type"] == "LOCAL")
        let loss = try store.metricHistory(run: baseline.id, key: "train_loss")
        #expect(loss.count == 50 && loss[7].value.isNaN && loss[8].value == 2.0 / 9)
        #expect(try store.metricHistory(run: baseline.id, key: "grad_norm").map(\.value) == [1, 2, 3, .infinity, 5])
        // runs.name is NULL for this run; its name comes from the mlflow.runName tag.
        let failed = try #require(byName["lr-0.1"])
        #expect(failed.status == .failed)
        let retried = try store.metricHistory(run: failed.id, key: "train_loss")
        #expect(retried.map(\.step) == [0, 1, 1, 2] && Array(retried.map(\.value)[0..<3]) == [2.5, 3.5, 3.75])
        #expect(retried[3].value.isNaN)
        #expect(try store.latestMetrics(run: failed.id)["train_loss"]?.step == 2)
        #expect(try store.metricHistory(run: try #require(byName["diverged"]).id, key: "train_loss").last?.value == -.infinity)
        #expect(byName["diverged"]?.status == .killed)
        #expect(byName["still-running"]?.status == .running && byName["still-running"]?.endTime == nil)
        #expect(byName["queued"]?.status == .running)
        #expect(byName["scratch"] == nil && byName["old"] == nil, "deleted runs imported without --include-deleted")
    }

    @Test func importingAgainSkipsWhatIsThere() throws {
        let store = try emptyStore()
        let first = try importFixture(into: store)
        #expect(first.runsImported == 5 && first.runsSkipped == 0 && first.deletedRunsExcluded == 2)
        #expect(first.experiments == 2)
        #expect(first.metricPoints == 50 + 50 + 5 + 4 + 2 + 2)
        let second = try importFixture(into: store)
        #expect(second.runsImported == 0 && second.runsSkipped == 5 && second.metricPoints == 0)
        #expect(try store.runs(experiment: nil, limit: nil).count == 5)
        let withDeleted = try importFixture(into: store, MLflowImportOptions(includeDeleted: true))
        #expect(withDeleted.runsImported == 2 && withDeleted.runsSkipped == 5 && withDeleted.experiments == 3)
    }

    @Test func oneExperiment() throws {
        let store = try emptyStore()
        let summary = try importFixture(into: store, MLflowImportOptions(experiment: "tabular"))
        #expect(summary.runsImported == 2 && summary.experiments == 1)
        #expect(Set(try store.runs(experiment: nil, limit: nil).map(\.experiment)) == ["tabular"])
        #expect(throws: MLflowImportError.unknownExperiment(
            name: "nope", path: Self.database, available: ["Default", "mnist-sweep", "tabular", "archived"])
        ) { try importFixture(into: store, MLflowImportOptions(experiment: "nope")) }
    }

    @Test func databaseIsOnlyRead() throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: Self.database))
        _ = try importFixture(into: try emptyStore())
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.database)) == before)
    }

    // MARK: Files that are not what the import reads

    func scratchFile(_ name: String) throws -> String {
        try ProcessRunner.temporaryDirectory("mlflow-bad").appendingPathComponent(name).path
    }

    func sqlite(_ name: String, _ sql: String) throws -> String {
        let path = try scratchFile(name)
        try DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
        return path
    }

    @Test func missingFile() throws {
        let path = try scratchFile("absent.db")
        #expect(throws: MLflowImportError.missingFile(path)) { try MLflowDatabase(path: path) }
    }

    @Test func fileThatIsNotSQLite() throws {
        let path = try scratchFile("notes.txt")
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: MLflowImportError.notMLflowDatabase(path: path, reason: "it is not a SQLite database")) {
            try MLflowDatabase(path: path)
        }
    }

    @Test func sqliteWithoutMLflowTables() throws {
        let path = try sqlite("other.db", "CREATE TABLE runs (id TEXT)")
        #expect(throws: MLflowImportError.notMLflowDatabase(path: path, reason: "it has no metrics table")) {
            try MLflowDatabase(path: path)
        }
    }

    @Test func schemaWithoutRevision() throws {
        let path = try sqlite("norevision.db", "CREATE TABLE runs (run_uuid TEXT); CREATE TABLE metrics (key TEXT)")
        #expect(throws: MLflowImportError.unsupportedSchema(
            path: path, revision: nil, reason: "no alembic_version, so MLflow's migrations did not make it")
        ) { try MLflowDatabase(path: path) }
    }

    @Test func schemaMissingAColumn() throws {
        // The shape of an MLflow 0.x database, before metrics had a step or is_nan.
        let path = try sqlite("old.db", """
            CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
            INSERT INTO alembic_version VALUES ('ff01da956556');
            CREATE TABLE experiments (experiment_id INTEGER, name TEXT, lifecycle_stage TEXT);
            CREATE TABLE runs (run_uuid TEXT, name TEXT, status TEXT, start_time BIGINT, end_time BIGINT,
                               lifecycle_stage TEXT, experiment_id INTEGER);
            CREATE TABLE params (key TEXT, value TEXT, run_uuid TEXT);
            CREATE TABLE tags (key TEXT, value TEXT, run_uuid TEXT);
            CREATE TABLE metrics (key TEXT, value FLOAT, timestamp BIGINT, run_uuid TEXT);
            """)
        let error = MLflowImportError.unsupportedSchema(
            path: path, revision: "ff01da956556", reason: "table metrics has no column step")
        #expect(throws: error) { try MLflowDatabase(path: path) }
        #expect(error.description.contains("mlflow db upgrade"))
    }
}
