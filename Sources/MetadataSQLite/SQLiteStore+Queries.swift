import Foundation
import GRDB
import RingmasterCore

/// SQLite's spelling of the search statement: `?` placeholders, a registered
/// `rm_number` function for "this text as a number, if it is one", and `LIKE` made
/// case-sensitive per connection (`PRAGMA case_sensitive_like`) as in MLflow.
struct SQLiteDialect: SQLDialect {
    func placeholder(_ index: Int) -> String { "?" }
    func number(_ expression: String) -> String { "rm_number(\(expression))" }
    func like(_ expression: String, _ pattern: String) -> String { "\(expression) LIKE \(pattern)" }
    func ilike(_ expression: String, _ pattern: String) -> String { "lower(\(expression)) LIKE lower(\(pattern))" }
    var insertionOrder: String { "r.rowid" }

    /// `rm_number(text)`: the number a parameter or tag spells, or NULL.
    static let numberFunction = DatabaseFunction("rm_number", argumentCount: 1, pure: true) { values in
        if let number = Double.fromDatabaseValue(values[0]), values[0].storage.value is Double || values[0].storage.value is Int64 {
            return number
        }
        guard let text = String.fromDatabaseValue(values[0]) else { return nil }
        return Double(text.trimmingCharacters(in: .whitespaces))
    }
}

extension SQLiteStore {
    public func searchRuns(_ query: RunQuery) throws -> [RunRecord] {
        let statement = try RunQuerySQL(query, dialect: SQLiteDialect())
        let arguments = StatementArguments(statement.arguments.map { argument -> (any DatabaseValueConvertible)? in
            switch argument {
            case .text(let text): return text
            case .real(let number): return number
            case .integer(let number): return Int64(clamping: number)
            }
        })
        return try read { db in
            let ids = try String.fetchAll(db, sql: statement.sql, arguments: arguments)
            return try Self.records(ids: ids, db: db)
        }
    }

    public func experiments() throws -> [ExperimentRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.name, e.created, COUNT(r.id) AS runs FROM experiments e
                LEFT JOIN runs r ON r.experiment_id = e.id GROUP BY e.id ORDER BY e.name
                """).map { row in
                ExperimentRecord(name: row["name"], created: Date(timeIntervalSince1970: row["created"]), runCount: row["runs"])
            }
        }
    }

    public func recordDatasetVersion(_ version: NewDatasetVersion) throws -> DatasetVersionRecord {
        try write { db in
            if let existing = try DatasetVersionRow.filter(
                DatasetVersionRow.Columns.name == version.name && DatasetVersionRow.Columns.fingerprint == version.fingerprint
            ).fetchOne(db) {
                return existing.record
            }
            let next = (try Int.fetchOne(
                db, sql: "SELECT MAX(version) FROM dataset_versions WHERE name = ?", arguments: [version.name]) ?? 0) + 1
            let row = DatasetVersionRow(
                name: version.name, version: next, fingerprint: version.fingerprint, schema: version.schema,
                rows: version.rows, source: version.source, created: Date().timeIntervalSince1970)
            try row.insert(db)
            return row.record
        }
    }

    public func datasetVersions(name: String?) throws -> [DatasetVersionRecord] {
        try read { db in
            var request = DatasetVersionRow.order(DatasetVersionRow.Columns.name, DatasetVersionRow.Columns.version)
            if let name { request = request.filter(DatasetVersionRow.Columns.name == name) }
            return try request.fetchAll(db).map(\.record)
        }
    }

    public func addLineage(_ edge: LineageEdge) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO lineage (source, target, relation, created) VALUES (?, ?, ?, ?)",
                arguments: [edge.source.description, edge.target.description, edge.relation.rawValue,
                            edge.created.timeIntervalSince1970])
        }
    }

    public func lineageEdges(touching node: LineageNode) throws -> [LineageEdge] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT source, target, relation, created FROM lineage WHERE source = ? OR target = ? ORDER BY created, source, target",
                arguments: [node.description, node.description]
            ).compactMap { row in
                guard let source = LineageNode(row["source"]), let target = LineageNode(row["target"]),
                      let relation = LineageRelation(rawValue: row["relation"]) else { return nil }
                return LineageEdge(source: source, target: target, relation: relation,
                                   created: Date(timeIntervalSince1970: row["created"]))
            }
        }
    }

    public func importRun(_ run: RunRecord, metrics: [MetricPoint]) throws {
        try write { db in try Self.insertImported(run, metrics: metrics, db: db) }
    }

    /// All runs in one transaction: a commit per run costs more than the run's rows.
    public func importRuns(_ runs: [(run: RunRecord, metrics: [MetricPoint])]) throws {
        try write { db in
            for (run, metrics) in runs { try Self.insertImported(run, metrics: metrics, db: db) }
        }
    }

    private static func insertImported(_ run: RunRecord, metrics: [MetricPoint], db: Database) throws {
        if try RunRow.exists(db, key: run.id) { throw StoreError.duplicateRun(run.id) }
        let experimentID = try experimentID(run.experiment, created: run.startTime, db: db)
        try RunRow(
            id: run.id, experimentID: experimentID, name: run.name, status: run.status.rawValue,
            startTime: run.startTime.timeIntervalSince1970, endTime: run.endTime?.timeIntervalSince1970,
            failureReason: run.failureReason
        ).insert(db)
        try insert(run.params, into: "run_params", run: run.id, db: db)
        try insert(run.tags, into: "run_tags", run: run.id, db: db)
        try insert(run.environment, into: "run_environment", run: run.id, db: db)
        try appendMetrics(metrics, run: run.id, db: db)
    }
}

struct DatasetVersionRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "dataset_versions"
    var name: String
    var version: Int
    var fingerprint: String
    var schema: String
    var rows: Int
    var source: String
    var created: Double

    enum Columns {
        static let name = Column(CodingKeys.name)
        static let version = Column(CodingKeys.version)
        static let fingerprint = Column(CodingKeys.fingerprint)
    }

    var record: DatasetVersionRecord {
        DatasetVersionRecord(
            name: name, version: version, fingerprint: fingerprint, schema: schema, rows: rows, source: source,
            created: Date(timeIntervalSince1970: created))
    }
}
