import Foundation
import GRDB

/// An MLflow tracking database (`mlflow server --backend-store-uri sqlite:///mlflow.db`, or
/// `MLFLOW_TRACKING_URI=sqlite:///…`) opened read-only.
///
/// Opening checks that the file is an MLflow database whose schema has every column the
/// import reads, and throws ``MLflowImportError`` otherwise. Each read is its own short
/// transaction: MLflow's SQLite database uses a rollback journal, where a long read would
/// block an MLflow server writing to the same file.
public final class MLflowDatabase: Sendable {
    /// The path as given, for messages.
    public let path: String
    /// The schema's revision in MLflow's migrations (`alembic_version`), e.g. `dc11669786a5`.
    public let revision: String
    private let queue: DatabaseQueue
    private let experimentsHaveWorkspaces: Bool

    /// The columns read, by table. A schema lacking one is refused as unsupported;
    /// `metrics.is_nan` and `metrics.step` are the most recent of them (MLflow 1.x).
    static let requiredColumns: [String: [String]] = [
        "experiments": ["experiment_id", "name", "lifecycle_stage"],
        "runs": ["run_uuid", "name", "status", "start_time", "end_time", "lifecycle_stage", "experiment_id"],
        "params": ["key", "value", "run_uuid"],
        "tags": ["key", "value", "run_uuid"],
        "metrics": ["key", "value", "timestamp", "run_uuid", "step", "is_nan"],
    ]

    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw MLflowImportError.missingFile(path)
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            (revision, experimentsHaveWorkspaces) = try queue.read { db in try Self.checkSchema(db, path: path) }
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// Returns the schema revision and whether experiments have a workspace, or throws
    /// why this is not a database the import can read.
    private static func checkSchema(_ db: Database, path: String) throws -> (String, Bool) {
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        guard tables.contains("runs"), tables.contains("metrics") else {
            let missing = ["runs", "metrics"].filter { !tables.contains($0) }.joined(separator: " and ")
            throw MLflowImportError.notMLflowDatabase(path: path, reason: "it has no \(missing) table")
        }
        guard tables.contains("alembic_version"),
              let revision = try String.fetchOne(db, sql: "SELECT version_num FROM alembic_version")
        else {
            throw MLflowImportError.unsupportedSchema(
                path: path, revision: nil, reason: "no alembic_version, so MLflow's migrations did not make it")
        }
        var workspaces = false
        for (table, columns) in requiredColumns.sorted(by: { $0.key < $1.key }) {
            guard tables.contains(table) else {
                throw MLflowImportError.unsupportedSchema(path: path, revision: revision, reason: "no \(table) table")
            }
            let present = Set(try db.columns(in: table).map(\.name))
            if let missing = columns.first(where: { !present.contains($0) }) {
                throw MLflowImportError.unsupportedSchema(
                    path: path, revision: revision, reason: "table \(table) has no column \(missing)")
            }
            if table == "experiments" { workspaces = present.contains("workspace") }
        }
        return (revision, workspaces)
    }

    private static func translate(_ error: DatabaseError, path: String) -> MLflowImportError {
        switch error.resultCode {
        case .SQLITE_NOTADB: return .notMLflowDatabase(path: path, reason: "it is not a SQLite database")
        default: return .unreadable(path: path, reason: error.message ?? "\(error)")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    // MARK: Reading

    /// All experiments, by id.
    func experiments() throws -> [MLflowExperimentRow] {
        let workspace = experimentsHaveWorkspaces ? "workspace" : "NULL AS workspace"
        return try read { db in
            try MLflowExperimentRow.fetchAll(db, sql: """
                SELECT experiment_id, name, lifecycle_stage, \(workspace) FROM experiments ORDER BY experiment_id
                """)
        }
    }

    /// The runs of these experiments, oldest first.
    func runs(experimentIDs: [Int64]) throws -> [MLflowRunRow] {
        if experimentIDs.isEmpty { return [] }
        let marks = Array(repeating: "?", count: experimentIDs.count).joined(separator: ", ")
        return try read { db in
            try MLflowRunRow.fetchAll(db, sql: """
                SELECT run_uuid, name, status, start_time, end_time, lifecycle_stage, experiment_id FROM runs
                WHERE experiment_id IN (\(marks)) ORDER BY start_time, run_uuid
                """, arguments: StatementArguments(experimentIDs))
        }
    }

    /// A run's params, tags and every logged metric point, read in one transaction. Points
    /// come by key, step and time; the same step logged twice keeps the order it was logged in.
    func contents(ofRun runUUID: String) throws
        -> (params: [MLflowKeyValueRow], tags: [MLflowKeyValueRow], metrics: [MLflowMetricRow])
    {
        try read { db in
            let params = try MLflowKeyValueRow.fetchAll(
                db, sql: "SELECT key, value FROM params WHERE run_uuid = ?", arguments: [runUUID])
            let tags = try MLflowKeyValueRow.fetchAll(
                db, sql: "SELECT key, value FROM tags WHERE run_uuid = ?", arguments: [runUUID])
            let metrics = try MLflowMetricRow.fetchAll(db, sql: """
                SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ?
                ORDER BY key, step, timestamp, rowid
                """, arguments: [runUUID])
            return (params, tags, metrics)
        }
    }
}
