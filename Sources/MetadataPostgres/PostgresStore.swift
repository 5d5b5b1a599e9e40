import Crypto
import Foundation
import PostgresNIO
import RingmasterCore

/// The team metadata store: every table in one PostgreSQL database, artifact bytes included
/// (content-addressed by sha256 in `blobs`), so that any machine that reaches the server can
/// record and read runs without a shared disk.
///
/// Opening connects once and applies pending schema steps (see ``PostgresMigrations``). The
/// store holds one connection; calls from several threads (the trainer and its background
/// metric writer) take turns on it, each write in its own transaction. Several processes may
/// use the same database at once: schema steps take an advisory lock, and writes to a run lock
/// its row. Connection failures are ``StoreError/unavailable(_:)``; statements the server refuses
/// are ``PostgresServerError``. Both name the URL with the password shown as `***`.
public final class PostgresStore: MetadataStore {
    let connection: BlockingConnection

    /// The URL with the password shown as `***`.
    public let location: String

    /// Opens the store at `url` (`postgres://user:password@host:port/database`); parts the URL
    /// leaves out come from `PGUSER`, `PGPASSWORD`, `PGHOST`, `PGPORT` and `PGDATABASE`.
    public convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(location: try PostgresLocation(url: url, environment: environment))
    }

    public init(location: PostgresLocation) throws {
        connection = try BlockingConnection(location: location)
        self.location = location.redacted
        do {
            try connection.withSession { try PostgresMigrations.migrate($0) }
        } catch {
            connection.close()
            throw error
        }
    }

    /// Closes the connection now rather than when the store is released.
    public func close() { connection.close() }

    // MARK: Writing

    public func createRun(
        experiment: String, name: String, params: [String: String], tags: [String: String],
        environment: [String: String]
    ) throws -> RunRecord {
        let run = RunRecord(
            id: Self.newRunID(), experiment: experiment, name: name, status: .running, startTime: Date(),
            params: params, tags: tags, environment: environment)
        try connection.withSession { session in
            try session.transaction { try Self.insert(run, session) }
        }
        return run
    }

    public func logParams(run: String, _ params: [String: String]) throws {
        try connection.withSession { session in
            try session.transaction {
                try Self.lockRun(run, session)
                var existing: [String: String] = [:]
                for row in try session.query("SELECT key, value FROM run_params WHERE run_id = \(run)") {
                    let (key, value) = try row.decode((String, String).self)
                    existing[key] = value
                }
                var added: [String: String] = [:]
                for (key, value) in params.sorted(by: { $0.key < $1.key }) {
                    if let old = existing[key] {
                        guard old == value else { throw StoreError.parameterChanged(run: run, key: key, old: old, new: value) }
                    } else {
                        added[key] = value
                    }
                }
                try Self.insert(added, into: "run_params", run: run, session)
            }
        }
    }

    public func setTags(run: String, _ tags: [String: String]) throws {
        try connection.withSession { session in
            try session.transaction {
                try Self.lockRun(run, session)
                try Self.insert(tags, into: "run_tags", run: run, session, onConflict: "DO UPDATE SET value = excluded.value")
            }
        }
    }

    public func logMetrics(run: String, _ points: [MetricPoint]) throws {
        if points.isEmpty { return }
        do {
            try connection.withSession { try Self.appendMetrics(points, run: run, $0) }
        } catch let error as PostgresServerError where error.sqlState == Self.foreignKeyViolation {
            throw StoreError.unknownRun(run)
        }
    }

    public func endRun(_ run: String, status: RunStatus, reason: String?) throws {
        let updated = try connection.withSession { session in
            try session.query("""
                UPDATE runs SET status = \(status.rawValue), end_time = \(Date().timeIntervalSince1970),
                    failure_reason = \(reason)
                WHERE id = \(run)
                """).metadata.rows
        }
        guard updated == 1 else { throw StoreError.unknownRun(run) }
    }

    public func storeArtifact(run: String, name: String, kind: String, contents: Data) throws -> ArtifactRecord {
        try Self.validateArtifactName(name)
        let record = ArtifactRecord(
            runID: run, name: name, kind: kind, sha256: Self.sha256(contents), size: contents.count, created: Date())
        return try connection.withSession { session in
            try session.transaction {
                try Self.lockRun(run, session)
                if let row = try session.query("""
                    SELECT run_id, name, kind, sha256, size, created FROM artifacts WHERE run_id = \(run) AND name = \(name)
                    """).first
                {
                    let existing = try Self.artifact(row)
                    guard existing.sha256 == record.sha256 else { throw StoreError.artifactExists(run: run, name: name) }
                    return existing
                }
                // Send the bytes only when the server lacks them; ON CONFLICT covers a
                // concurrent writer storing the same content in between.
                if try session.query("SELECT 1 FROM blobs WHERE sha256 = \(record.sha256)").isEmpty {
                    try session.query("""
                        INSERT INTO blobs (sha256, size, data) VALUES (\(record.sha256), \(record.size), \(contents))
                        ON CONFLICT (sha256) DO NOTHING
                        """)
                }
                try session.query("""
                    INSERT INTO artifacts (run_id, name, kind, sha256, size, created)
                    VALUES (\(run), \(name), \(kind), \(record.sha256), \(record.size), \(record.created.timeIntervalSince1970))
                    """)
                return record
            }
        }
    }

    // MARK: Helpers

    /// SQLSTATE `foreign_key_violation`: a row names a run that does not exist.
    static let foreignKeyViolation = "23503"

    static func newRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Inserts `run` with its params, tags and environment; the caller holds a transaction.
    static func insert(_ run: RunRecord, _ session: Session) throws {
        // DO UPDATE (not DO NOTHING) so that RETURNING yields the id of an existing experiment.
        let experimentID = try session.query("""
            INSERT INTO experiments (name, created) VALUES (\(run.experiment), \(run.startTime.timeIntervalSince1970))
            ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id
            """).first!.decode(Int.self)
        try session.query("""
            INSERT INTO runs (id, experiment_id, name, status, start_time, end_time, failure_reason)
            VALUES (\(run.id), \(experimentID), \(run.name), \(run.status.rawValue), \(run.startTime.timeIntervalSince1970),
                    \(run.endTime?.timeIntervalSince1970), \(run.failureReason))
            """)
        try insert(run.params, into: "run_params", run: run.id, session)
        try insert(run.tags, into: "run_tags", run: run.id, session)
        try insert(run.environment, into: "run_environment", run: run.id, session)
    }

    /// Inserts key/value rows of `run_params`, `run_tags` or `run_environment` in one statement.
    static func insert(
        _ values: [String: String], into table: String, run: String, _ session: Session, onConflict: String? = nil
    ) throws {
        if values.isEmpty { return }
        let keys = Array(values.keys)
        let texts = keys.map { values[$0]! }
        try session.query("""
            INSERT INTO \(unescaped: table) (run_id, key, value)
            SELECT \(run), key, value FROM unnest(\(keys)::text[], \(texts)::text[]) AS u(key, value)
            \(unescaped: onConflict.map { "ON CONFLICT (run_id, key) \($0)" } ?? "")
            """)
    }

    /// Appends points in one statement (one round trip per batch) and keeps `latest_metrics`
    /// at each key's highest step; among points of equal step the later one wins. NaN is
    /// stored as NULL, as in the SQLite store, so that searches treat it as "no value".
    /// A run that does not exist fails with a foreign-key violation.
    static func appendMetrics(_ points: [MetricPoint], run: String, _ session: Session) throws {
        if points.isEmpty { return }
        let keys = points.map(\.key)
        let steps = points.map(\.step)
        let values = points.map(\.value)
        let times = points.map(\.timestamp.timeIntervalSince1970)
        try session.query("""
            WITH points AS (
                SELECT * FROM unnest(\(keys)::text[], \(steps)::bigint[], \(values)::double precision[],
                                     \(times)::double precision[])
                    WITH ORDINALITY AS u(key, step, value, at, ord)
            ), appended AS (
                INSERT INTO metrics (run_id, key, step, value, timestamp)
                SELECT \(run), key, step, NULLIF(value, 'NaN'), at FROM points ORDER BY ord
            )
            INSERT INTO latest_metrics (run_id, key, step, value, timestamp)
            SELECT DISTINCT ON (key) \(run), key, step, NULLIF(value, 'NaN'), at FROM points
            ORDER BY key, step DESC, ord DESC
            ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value,
                timestamp = excluded.timestamp
            WHERE excluded.step >= latest_metrics.step
            """)
    }

    /// Locks the run's row until the transaction ends, so that concurrent writers to one run
    /// take turns; fails with ``StoreError/unknownRun(_:)`` when there is no such run.
    static func lockRun(_ id: String, _ session: Session) throws {
        if try session.query("SELECT 1 FROM runs WHERE id = \(id) FOR UPDATE").isEmpty {
            throw StoreError.unknownRun(id)
        }
    }

    static func artifact(_ row: PostgresRow) throws -> ArtifactRecord {
        let (run, name, kind, sha256, size, created) = try row.decode((String, String, String, String, Int, Double).self)
        return ArtifactRecord(
            runID: run, name: name, kind: kind, sha256: sha256, size: size, created: Date(timeIntervalSince1970: created))
    }
}
