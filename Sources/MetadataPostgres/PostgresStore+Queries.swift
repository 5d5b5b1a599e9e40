import Foundation
import PostgresNIO
import RingmasterCore

// Reading, searching, datasets, lineage and import. Names and ids are ordered bytewise
// (`COLLATE "C"`) to list things in the same order as the SQLite store.

extension PostgresStore {
    public func run(_ idOrPrefix: String) throws -> RunRecord {
        try connection.withSession { session in
            try Self.records(ids: [try Self.resolve(idOrPrefix, session)], session)[0]
        }
    }

    public func runs(experiment: String?, limit: Int?) throws -> [RunRecord] {
        try searchRuns(RunQuery(experiment: experiment, limit: limit))
    }

    public func metricHistory(run: String, key: String) throws -> [MetricPoint] {
        try connection.withSession { session in
            let id = try Self.resolve(run, session)
            return try session.query("""
                SELECT key, step, value, timestamp FROM metrics WHERE run_id = \(id) AND key = \(key) ORDER BY step, seq
                """).map(Self.point)
        }
    }

    public func latestMetrics(run: String) throws -> [String: MetricPoint] {
        try connection.withSession { session in
            let id = try Self.resolve(run, session)
            let points = try session.query("SELECT key, step, value, timestamp FROM latest_metrics WHERE run_id = \(id)")
                .map(Self.point)
            return Dictionary(uniqueKeysWithValues: points.map { ($0.key, $0) })
        }
    }

    public func artifacts(run: String) throws -> [ArtifactRecord] {
        try connection.withSession { session in
            let id = try Self.resolve(run, session)
            return try session.query("""
                SELECT run_id, name, kind, sha256, size, created FROM artifacts WHERE run_id = \(id) ORDER BY name COLLATE "C"
                """).map(Self.artifact)
        }
    }

    public func artifactContents(_ artifact: ArtifactRecord) throws -> Data {
        let row = try connection.withSession { session in
            try session.query("SELECT data FROM blobs WHERE sha256 = \(artifact.sha256)").first
        }
        guard let row else {
            throw StoreError.corruptArtifact(name: artifact.name, expected: artifact.sha256, actual: "(no stored bytes)")
        }
        let data = try row.decode(Data.self)
        let actual = Self.sha256(data)
        guard actual == artifact.sha256 else {
            throw StoreError.corruptArtifact(name: artifact.name, expected: artifact.sha256, actual: actual)
        }
        return data
    }

    public func searchRuns(_ query: RunQuery) throws -> [RunRecord] {
        let statement = try RunQuerySQL(query, dialect: PostgresDialect())
        var binds = PostgresBindings(capacity: statement.arguments.count)
        for argument in statement.arguments {
            switch argument {
            case .text(let text): binds.append(text)
            case .real(let number): binds.append(number)
            case .integer(let number): binds.append(number)
            }
        }
        return try connection.withSession { session in
            let ids = try session.query(PostgresQuery(unsafeSQL: statement.sql, binds: binds)).map { try $0.decode(String.self) }
            return try Self.records(ids: ids, session)
        }
    }

    public func experiments() throws -> [ExperimentRecord] {
        try connection.withSession { session in
            try session.query("""
                SELECT e.name, e.created, COUNT(r.id) FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id
                GROUP BY e.id ORDER BY e.name COLLATE "C"
                """).map { row in
                let (name, created, runs) = try row.decode((String, Double, Int).self)
                return ExperimentRecord(name: name, created: Date(timeIntervalSince1970: created), runCount: runs)
            }
        }
    }

    public func recordDatasetVersion(_ version: NewDatasetVersion) throws -> DatasetVersionRecord {
        try connection.withSession { session in
            try session.transaction {
                // Versions count up per name: writers from other processes wait here rather
                // than pick the same number.
                try session.query("LOCK TABLE dataset_versions IN SHARE ROW EXCLUSIVE MODE")
                if let row = try session.query("""
                    SELECT name, version, fingerprint, schema, rows, source, created FROM dataset_versions
                    WHERE name = \(version.name) AND fingerprint = \(version.fingerprint)
                    """).first
                {
                    return try Self.datasetVersion(row)
                }
                let next = (try session.query("SELECT MAX(version) FROM dataset_versions WHERE name = \(version.name)")
                    .first!.decode(Int?.self) ?? 0) + 1
                let record = DatasetVersionRecord(
                    name: version.name, version: next, fingerprint: version.fingerprint, schema: version.schema,
                    rows: version.rows, source: version.source, created: Date())
                try session.query("""
                    INSERT INTO dataset_versions (name, version, fingerprint, schema, rows, source, created)
                    VALUES (\(record.name), \(Int32(clamping: next)), \(record.fingerprint), \(record.schema), \(record.rows),
                            \(record.source), \(record.created.timeIntervalSince1970))
                    """)
                return record
            }
        }
    }

    public func datasetVersions(name: String?) throws -> [DatasetVersionRecord] {
        try connection.withSession { session in
            try session.query("""
                SELECT name, version, fingerprint, schema, rows, source, created FROM dataset_versions
                WHERE \(name)::text IS NULL OR name = \(name) ORDER BY name COLLATE "C", version
                """).map(Self.datasetVersion)
        }
    }

    public func addLineage(_ edge: LineageEdge) throws {
        try connection.withSession { session in
            try session.query("""
                INSERT INTO lineage (source, target, relation, created)
                VALUES (\(edge.source.description), \(edge.target.description), \(edge.relation.rawValue),
                        \(edge.created.timeIntervalSince1970))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    public func lineageEdges(touching node: LineageNode) throws -> [LineageEdge] {
        try connection.withSession { session in
            try session.query("""
                SELECT source, target, relation, created FROM lineage WHERE source = \(node.description) OR target = \(node.description)
                ORDER BY created, source COLLATE "C", target COLLATE "C"
                """).compactMap { row in
                let (source, target, relation, created) = try row.decode((String, String, String, Double).self)
                guard let source = LineageNode(source), let target = LineageNode(target),
                      let relation = LineageRelation(rawValue: relation) else { return nil }
                return LineageEdge(source: source, target: target, relation: relation, created: Date(timeIntervalSince1970: created))
            }
        }
    }

    public func importRun(_ run: RunRecord, metrics: [MetricPoint]) throws {
        try connection.withSession { session in
            try session.transaction {
                if !(try session.query("SELECT 1 FROM runs WHERE id = \(run.id)").isEmpty) {
                    throw StoreError.duplicateRun(run.id)
                }
                try Self.insert(run, session)
                try Self.appendMetrics(metrics, run: run.id, session)
            }
        }
    }

    // MARK: Helpers

    /// The id of the run named by a whole id or a unique prefix of at least 4 hex digits.
    static func resolve(_ idOrPrefix: String, _ session: Session) throws -> String {
        if !(try session.query("SELECT 1 FROM runs WHERE id = \(idOrPrefix)").isEmpty) { return idOrPrefix }
        let prefix = idOrPrefix.lowercased()
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw StoreError.unknownRun(idOrPrefix) }
        // Ids compare bytewise (COLLATE "C"), so [prefix, prefix + "g") holds exactly the hex ids
        // that start with the prefix, and the primary key answers it as a range scan.
        let end = prefix + "g"
        let matches = try session.query("SELECT id FROM runs WHERE id >= \(prefix) AND id < \(end) LIMIT 2")
            .map { try $0.decode(String.self) }
        switch matches.count {
        case 0: throw StoreError.unknownRun(idOrPrefix)
        case 1: return matches[0]
        default:
            let count = try session.query("SELECT COUNT(*) FROM runs WHERE id >= \(prefix) AND id < \(end)")
                .first!.decode(Int.self)
            throw StoreError.ambiguousRun(idOrPrefix, matches: count)
        }
    }

    /// Full records for `ids`, in that order, in two statements whatever their number.
    static func records(ids: [String], _ session: Session) throws -> [RunRecord] {
        if ids.isEmpty { return [] }
        var runs: [String: RunRecord] = [:]
        for row in try session.query("""
            SELECT r.id, e.name, r.name, r.status, r.start_time, r.end_time, r.failure_reason
            FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ANY(\(ids))
            """)
        {
            let (id, experiment, name, status, start, end, reason) =
                try row.decode((String, String, String, String, Double, Double?, String?).self)
            runs[id] = RunRecord(
                id: id, experiment: experiment, name: name, status: RunStatus(rawValue: status) ?? .failed,
                startTime: Date(timeIntervalSince1970: start), endTime: end.map(Date.init(timeIntervalSince1970:)),
                failureReason: reason)
        }
        for row in try session.query("""
            SELECT 0, run_id, key, value FROM run_params WHERE run_id = ANY(\(ids))
            UNION ALL SELECT 1, run_id, key, value FROM run_tags WHERE run_id = ANY(\(ids))
            UNION ALL SELECT 2, run_id, key, value FROM run_environment WHERE run_id = ANY(\(ids))
            """)
        {
            let (table, id, key, value) = try row.decode((Int, String, String, String).self)
            switch table {
            case 0: runs[id]?.params[key] = value
            case 1: runs[id]?.tags[key] = value
            default: runs[id]?.environment[key] = value
            }
        }
        return try ids.map { id in
            guard let run = runs[id] else { throw StoreError.unknownRun(id) }
            return run
        }
    }

    static func point(_ row: PostgresRow) throws -> MetricPoint {
        let (key, step, value, timestamp) = try row.decode((String, Int, Double?, Double).self)
        return MetricPoint(key: key, step: step, value: value ?? .nan, timestamp: Date(timeIntervalSince1970: timestamp))
    }

    static func datasetVersion(_ row: PostgresRow) throws -> DatasetVersionRecord {
        let (name, version, fingerprint, schema, rows, source, created) =
            try row.decode((String, Int, String, String, Int, String, Double).self)
        return DatasetVersionRecord(
            name: name, version: version, fingerprint: fingerprint, schema: schema, rows: rows, source: source,
            created: Date(timeIntervalSince1970: created))
    }
}
