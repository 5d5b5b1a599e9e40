import Foundation
import RingmasterCore

/// What to import from an MLflow database.
public struct MLflowImportOptions: Sendable, Equatable {
    /// Only runs of the MLflow experiment with this name (`WORKSPACE/NAME` outside MLflow's
    /// default workspace); nil, the default, for all experiments.
    public var experiment: String?
    /// Also import runs MLflow marks deleted, and the runs of deleted experiments. Default false.
    public var includeDeleted: Bool

    public init(experiment: String? = nil, includeDeleted: Bool = false) {
        self.experiment = experiment
        self.includeDeleted = includeDeleted
    }
}

/// What an import did.
public struct MLflowImportSummary: Codable, Sendable, Equatable {
    /// MLflow experiments with runs imported or skipped.
    public var experiments = 0
    /// Runs written to the store.
    public var runsImported = 0
    /// Runs already in the store (same id), left as they were: importing again is harmless.
    public var runsSkipped = 0
    /// Deleted runs, or runs of deleted experiments, left out because `includeDeleted` was off.
    public var deletedRunsExcluded = 0
    /// Metric points written, over the runs imported.
    public var metricPoints = 0

    public init() {}
}

/// Copies runs from an MLflow tracking database into a ``MetadataStore``, keeping each
/// run's id (MLflow's `run_uuid`), name, status, start and end times, params, tags (with
/// MLflow's own `mlflow.*` tags) and full metric histories.
///
/// Each run is read in its own short read of the MLflow database and written with one
/// ``MetadataStore/importRun(_:metrics:)``, so an interrupted import leaves whole runs
/// only, and running it again imports the rest. The environment of an imported run
/// records where it came from: `imported_from = mlflow`, `mlflow_run_id`,
/// `mlflow_experiment_id`, and `mlflow_lifecycle_stage = deleted` for a deleted run.
public struct MLflowImporter: Sendable {
    public let database: MLflowDatabase
    public let options: MLflowImportOptions

    public init(database: MLflowDatabase, options: MLflowImportOptions = MLflowImportOptions()) {
        self.database = database
        self.options = options
    }

    /// Imports into `store`, skipping runs it already has. Throws ``MLflowImportError``
    /// for the MLflow side and passes through the store's errors.
    public func run(into store: any MetadataStore) throws -> MLflowImportSummary {
        var summary = MLflowImportSummary()
        var experiments = try database.experiments()
        if let wanted = options.experiment {
            experiments = experiments.filter { Self.experimentName($0) == wanted }
            if experiments.isEmpty {
                throw MLflowImportError.unknownExperiment(
                    name: wanted, path: database.path, available: try database.experiments().map(Self.experimentName))
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: experiments.map { ($0.experimentID, $0) })
        var experimentsSeen = Set<Int64>()
        for run in try database.runs(experimentIDs: experiments.map(\.experimentID)) {
            guard let experiment = byID[run.experimentID] else { continue }
            if !options.includeDeleted && (run.isDeleted || experiment.isDeleted) {
                summary.deletedRunsExcluded += 1
                continue
            }
            let id = try Self.runID(run.runUUID, path: database.path)
            experimentsSeen.insert(run.experimentID)
            if try store.contains(runID: id) {
                summary.runsSkipped += 1
                continue
            }
            let contents = try database.contents(ofRun: run.runUUID)
            let points = contents.metrics.map(Self.point)
            let record = Self.record(
                run, id: id, experiment: Self.experimentName(experiment), params: contents.params,
                tags: contents.tags, points: points)
            do {
                try store.importRun(record, metrics: points)
            } catch StoreError.duplicateRun {
                // Another import added it since the check above.
                summary.runsSkipped += 1
                continue
            }
            summary.runsImported += 1
            summary.metricPoints += points.count
        }
        summary.experiments = experimentsSeen.count
        return summary
    }

    // MARK: Mapping MLflow's values to Ringmaster's

    /// The experiment's name, prefixed by its workspace outside MLflow's default one,
    /// where names are unique only within a workspace.
    static func experimentName(_ row: MLflowExperimentRow) -> String {
        guard let workspace = row.workspace, workspace != "default" else { return row.name }
        return "\(workspace)/\(row.name)"
    }

    /// MLflow's run id as ours: both are 32 hex digits (MLflow writes `uuid4().hex`).
    static func runID(_ runUUID: String, path: String) throws -> String {
        let id = runUUID.lowercased().replacingOccurrences(of: "-", with: "")
        guard id.count == 32, id.allSatisfy(\.isHexDigit) else {
            throw MLflowImportError.unsupportedSchema(
                path: path, revision: nil, reason: "run id '\(runUUID)' is not 32 hexadecimal digits")
        }
        return id
    }

    /// MLflow's run status as ours. `SCHEDULED` (not started yet) has no counterpart and
    /// becomes `running`, the state a run is in until it ends.
    static func status(_ mlflow: String?) -> (RunStatus, reason: String?) {
        switch mlflow {
        case "FINISHED": return (.finished, nil)
        case "FAILED": return (.failed, nil)
        case "KILLED": return (.killed, nil)
        case "RUNNING", "SCHEDULED": return (.running, nil)
        default: return (.failed, "MLflow recorded status '\(mlflow ?? "NULL")', which Ringmaster does not know")
        }
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A metric point with MLflow's encodings undone: `is_nan` is NaN again, and the
    /// largest finite doubles MLflow stores for ±infinity are infinite again.
    static func point(_ row: MLflowMetricRow) -> MetricPoint {
        var value = row.value
        if row.isNaN {
            value = .nan
        } else if abs(value) == .greatestFiniteMagnitude {
            value = value > 0 ? .infinity : -.infinity
        }
        return MetricPoint(key: row.key, step: Int(row.step), value: value, timestamp: date(milliseconds: row.timestamp))
    }

    static func record(
        _ run: MLflowRunRow, id: String, experiment: String, params: [MLflowKeyValueRow], tags: [MLflowKeyValueRow],
        points: [MetricPoint]
    ) -> RunRecord {
        let tagValues = Dictionary(tags.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let name = run.name.flatMap { $0.isEmpty ? nil : $0 } ?? tagValues["mlflow.runName"] ?? ""
        let (status, reason) = status(run.status)
        // A run without a start time (MLflow allows NULL) starts at its first metric point.
        let start = run.startTime.map { date(milliseconds: $0) }
            ?? points.map(\.timestamp).min() ?? Date(timeIntervalSince1970: 0)
        var environment = [
            "imported_from": "mlflow", "mlflow_run_id": run.runUUID, "mlflow_experiment_id": "\(run.experimentID)",
        ]
        if run.isDeleted { environment["mlflow_lifecycle_stage"] = "deleted" }
        return RunRecord(
            id: id, experiment: experiment, name: name, status: status, startTime: start,
            endTime: run.endTime.map { date(milliseconds: $0) },
            params: Dictionary(params.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { _, last in last }),
            tags: tagValues, environment: environment, failureReason: reason)
    }
}

extension MetadataStore {
    /// Whether the store has a run with exactly this id.
    func contains(runID: String) throws -> Bool {
        do {
            return try run(runID).id == runID
        } catch StoreError.unknownRun {
            return false
        }
    }
}
