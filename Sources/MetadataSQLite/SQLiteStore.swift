import Foundation
import GRDB
import RingmasterCore

/// The embedded metadata store: SQLite in WAL mode at `DIR/store.sqlite`, artifacts
/// content-addressed under `DIR/artifacts/`.
///
/// `DatabasePool` serializes writers and lets readers proceed during writes, so the
/// store may be shared between the trainer's thread and its background metric writer.
public final class SQLiteStore: MetadataStore {
    public let directory: URL
    private let pool: DatabasePool
    private let files: ContentAddressedFiles

    public var location: String { directory.path }

    /// Opens (creating if needed) the store in `directory` and applies pending migrations.
    public init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // MLflow's LIKE is case-sensitive; ILIKE is spelled with lower() instead.
                try db.execute(sql: "PRAGMA case_sensitive_like = ON")
                db.add(function: SQLiteDialect.numberFunction)
            }
            let database = try DatabasePool(
                path: directory.appendingPathComponent("store.sqlite").path, configuration: configuration)
            try Self.refuseNewerSchema(database, location: directory.path)
            // Migrating takes the write lock; readers opening an up-to-date store must not.
            if try !database.read({ try Migrations.migrator.hasCompletedMigrations($0) }) {
                // Two processes opening a new store at once (training and a reader) would both
                // apply the first step: an exclusive file lock makes the second wait and re-check.
                try Self.withFileLock(directory.appendingPathComponent("store.lock")) {
                    try Migrations.migrator.migrate(database)
                }
            }
            pool = database
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.unavailable("\(directory.path): \(error.message ?? "\(error)")")
        } catch {
            throw StoreError.unavailable("\(directory.path): \(error.localizedDescription)")
        }
        files = ContentAddressedFiles(root: directory.appendingPathComponent("artifacts"))
    }

    // MARK: Writing

    public func createRun(
        experiment: String, name: String, params: [String: String], tags: [String: String],
        environment: [String: String]
    ) throws -> RunRecord {
        let id = Self.newRunID()
        let now = Date()
        try pool.write { db in
            try RunRow(
                id: id, experimentID: try Self.experimentID(experiment, created: now, db: db), name: name,
                status: RunStatus.running.rawValue,
                startTime: now.timeIntervalSince1970, endTime: nil, failureReason: nil
            ).insert(db)
            try Self.insert(params, into: "run_params", run: id, db: db)
            try Self.insert(tags, into: "run_tags", run: id, db: db)
            try Self.insert(environment, into: "run_environment", run: id, db: db)
        }
        return RunRecord(
            id: id, experiment: experiment, name: name, status: .running, startTime: now,
            params: params, tags: tags, environment: environment)
    }

    public func logParams(run: String, _ params: [String: String]) throws {
        try pool.write { db in
            try Self.requireRun(run, db: db)
            for (key, value) in params.sorted(by: { $0.key < $1.key }) {
                if let old = try String.fetchOne(
                    db, sql: "SELECT value FROM run_params WHERE run_id = ? AND key = ?", arguments: [run, key])
                {
                    guard old == value else {
                        throw StoreError.parameterChanged(run: run, key: key, old: old, new: value)
                    }
                    continue
                }
                try db.execute(
                    sql: "INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)", arguments: [run, key, value])
            }
        }
    }

    public func setTags(run: String, _ tags: [String: String]) throws {
        try pool.write { db in
            try Self.requireRun(run, db: db)
            for (key, value) in tags {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO run_tags (run_id, key, value) VALUES (?, ?, ?)",
                    arguments: [run, key, value])
            }
        }
    }

    public func logMetrics(run: String, _ points: [MetricPoint]) throws {
        if points.isEmpty { return }
        try pool.write { db in
            try Self.requireRun(run, db: db)
            try Self.appendMetrics(points, run: run, db: db)
        }
    }

    /// Appends points and keeps `latest_metrics` at each key's highest step (on a tie, the
    /// point logged last).
    static func appendMetrics(_ points: [MetricPoint], run: String, db: Database) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT INTO metrics (run_id, key, step, value, timestamp) VALUES (?, ?, ?, ?, ?)")
        let latest = try db.cachedStatement(sql: """
            INSERT INTO latest_metrics (run_id, key, step, value, timestamp) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value,
                timestamp = excluded.timestamp
            WHERE excluded.step >= latest_metrics.step
            """)
        // A batch holds many steps of a few keys: upserting only each key's last point of the
        // batch halves the statements per point and gives the same table.
        var newest: [String: MetricRow] = [:]
        for point in points {
            let row = MetricRow(runID: run, point: point)
            try insert.execute(arguments: [run, row.key, row.step, row.value, row.timestamp])
            if let kept = newest[row.key], kept.step > row.step { continue }
            newest[row.key] = row
        }
        for row in newest.values {
            try latest.execute(arguments: [run, row.key, row.step, row.value, row.timestamp])
        }
    }

    public func endRun(_ run: String, status: RunStatus, reason: String?) throws {
        try pool.write { db in
            try Self.requireRun(run, db: db)
            try db.execute(
                sql: "UPDATE runs SET status = ?, end_time = ?, failure_reason = ? WHERE id = ?",
                arguments: [status.rawValue, Date().timeIntervalSince1970, reason, run])
        }
    }

    public func storeArtifact(run: String, name: String, kind: String, contents: Data) throws -> ArtifactRecord {
        try Self.validateArtifactName(name)
        let digest = try files.put(contents)
        let row = ArtifactRow(
            runID: run, name: name, kind: kind, sha256: digest, size: contents.count,
            created: Date().timeIntervalSince1970)
        return try pool.write { db in
            try Self.requireRun(run, db: db)
            if let existing = try ArtifactRow.filter(ArtifactRow.Columns.runID == run && ArtifactRow.Columns.name == name).fetchOne(db) {
                guard existing.sha256 == digest else { throw StoreError.artifactExists(run: run, name: name) }
                return existing.record
            }
            try row.insert(db)
            return row.record
        }
    }

    // MARK: Reading

    public func run(_ idOrPrefix: String) throws -> RunRecord {
        try pool.read { db in
            let id = try Self.resolve(idOrPrefix, db: db)
            return try Self.records(ids: [id], db: db)[0]
        }
    }

    public func runs(experiment: String?, limit: Int?) throws -> [RunRecord] {
        try searchRuns(RunQuery(experiment: experiment, limit: limit))
    }

    public func metricHistory(run: String, key: String) throws -> [MetricPoint] {
        try pool.read { db in
            let id = try Self.resolve(run, db: db)
            return try MetricRow.filter(MetricRow.Columns.runID == id && MetricRow.Columns.key == key)
                .order(MetricRow.Columns.step, Column.rowID).fetchAll(db).map(\.point)
        }
    }

    public func latestMetrics(run: String) throws -> [String: MetricPoint] {
        try pool.read { db in
            let id = try Self.resolve(run, db: db)
            let rows = try MetricRow.fetchAll(
                db, sql: "SELECT run_id, key, step, value, timestamp FROM latest_metrics WHERE run_id = ?",
                arguments: [id])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.point) })
        }
    }

    public func artifacts(run: String) throws -> [ArtifactRecord] {
        try pool.read { db in
            let id = try Self.resolve(run, db: db)
            return try ArtifactRow.filter(ArtifactRow.Columns.runID == id).order(ArtifactRow.Columns.name)
                .fetchAll(db).map(\.record)
        }
    }

    public func artifactContents(_ artifact: ArtifactRecord) throws -> Data {
        try files.get(artifact.sha256, name: artifact.name)
    }

    // MARK: Helpers

    static func newRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }
    func write<T>(_ body: (Database) throws -> T) throws -> T { try pool.write(body) }

    /// The id of experiment `name`, created if new.
    static func experimentID(_ name: String, created: Date, db: Database) throws -> Int64 {
        if let existing = try ExperimentRow.filter(ExperimentRow.Columns.name == name).fetchOne(db) { return existing.id! }
        var row = ExperimentRow(id: nil, name: name, created: created.timeIntervalSince1970)
        try row.insert(db)
        return row.id!
    }

    static func withFileLock<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        let descriptor = open(url.path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw StoreError.unavailable("\(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Refuses a store whose schema has steps this build does not know: migrating or
    /// writing it could lose what a newer Ringmaster recorded.
    static func refuseNewerSchema(_ pool: DatabasePool, location: String) throws {
        let applied: [String] = try pool.read { db in
            guard try db.tableExists("grdb_migrations") else { return [] }
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        let known = Set(Migrations.migrator.migrations)
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw StoreError.newerSchema(location: location, migration: unknown)
        }
    }

    static func insert(_ values: [String: String], into table: String, run: String, db: Database) throws {
        if values.isEmpty { return }
        // Cached: bulk imports insert hundreds of thousands of rows, and parsing the
        // statement again for each row cost more than the insert.
        let statement = try db.cachedStatement(sql: "INSERT INTO \(table) (run_id, key, value) VALUES (?, ?, ?)")
        for (key, value) in values {
            try statement.execute(arguments: [run, key, value])
        }
    }

    private static func requireRun(_ id: String, db: Database) throws {
        guard try RunRow.exists(db, key: id) else { throw StoreError.unknownRun(id) }
    }

    private static func resolve(_ idOrPrefix: String, db: Database) throws -> String {
        if try RunRow.exists(db, key: idOrPrefix) { return idOrPrefix }
        let prefix = idOrPrefix.lowercased()
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw StoreError.unknownRun(idOrPrefix) }
        let matches = try String.fetchAll(
            db, sql: "SELECT id FROM runs WHERE id >= ? AND id < ? LIMIT 2", arguments: [prefix, prefix + "g"])
        switch matches.count {
        case 0: throw StoreError.unknownRun(idOrPrefix)
        case 1: return matches[0]
        default:
            let count = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM runs WHERE id >= ? AND id < ?", arguments: [prefix, prefix + "g"]) ?? 2
            throw StoreError.ambiguousRun(idOrPrefix, matches: count)
        }
    }

    /// Loads full records for `ids`, in that order, with one query per table per 500 runs.
    static func records(ids: [String], db: Database) throws -> [RunRecord] {
        var result: [RunRecord] = []
        result.reserveCapacity(ids.count)
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let arguments = StatementArguments(chunk)
            func keyValues(_ table: String) throws -> [String: [String: String]] {
                var grouped: [String: [String: String]] = [:]
                for row in try RunKeyValueRow.fetchAll(
                    db, sql: "SELECT run_id, key, value FROM \(table) WHERE run_id IN (\(marks))", arguments: arguments)
                {
                    grouped[row.runID, default: [:]][row.key] = row.value
                }
                return grouped
            }
            let (params, tags, environment) = (try keyValues("run_params"), try keyValues("run_tags"), try keyValues("run_environment"))
            var runs: [String: (RunRow, String)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT r.*, e.name AS experiment_name FROM runs r JOIN experiments e ON e.id = r.experiment_id
                WHERE r.id IN (\(marks))
                """, arguments: arguments) {
                let run = try RunRow(row: row)
                runs[run.id] = (run, row["experiment_name"])
            }
            for id in chunk {
                guard let (row, experiment) = runs[id] else { throw StoreError.unknownRun(id) }
                result.append(RunRecord(
                    id: row.id, experiment: experiment, name: row.name, status: RunStatus(rawValue: row.status) ?? .failed,
                    startTime: Date(timeIntervalSince1970: row.startTime),
                    endTime: row.endTime.map(Date.init(timeIntervalSince1970:)),
                    params: params[id] ?? [:], tags: tags[id] ?? [:], environment: environment[id] ?? [:],
                    failureReason: row.failureReason))
            }
        }
        return result
    }
}
