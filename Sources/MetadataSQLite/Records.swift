import Foundation
import GRDB
import RingmasterCore

// One record type per table. Dates are stored as Unix seconds (REAL) so that the
// PostgreSQL backend and external tools read the same numbers.

struct ExperimentRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "experiments"
    var id: Int64?
    var name: String
    var created: Double

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let name = Column(CodingKeys.name)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct RunRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "runs"
    var id: String
    var experimentID: Int64
    var name: String
    var status: String
    var startTime: Double
    var endTime: Double?
    var failureReason: String?

    enum CodingKeys: String, CodingKey {
        case id, name, status
        case experimentID = "experiment_id"
        case startTime = "start_time"
        case endTime = "end_time"
        case failureReason = "failure_reason"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let experimentID = Column(CodingKeys.experimentID)
        static let status = Column(CodingKeys.status)
        static let startTime = Column(CodingKeys.startTime)
        static let endTime = Column(CodingKeys.endTime)
        static let failureReason = Column(CodingKeys.failureReason)
    }
}

/// A key/value row of `run_params`, `run_tags` or `run_environment`.
struct RunKeyValueRow: Codable, FetchableRecord {
    var runID: String
    var key: String
    var value: String

    enum CodingKeys: String, CodingKey {
        case key, value
        case runID = "run_id"
    }
}

struct MetricRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "metrics"
    var runID: String
    var key: String
    var step: Int
    /// NULL encodes NaN: SQLite itself turns NaN into NULL, so the mapping is made explicit.
    var value: Double?
    var timestamp: Double

    enum CodingKeys: String, CodingKey {
        case key, step, value, timestamp
        case runID = "run_id"
    }

    enum Columns {
        static let runID = Column(CodingKeys.runID)
        static let key = Column(CodingKeys.key)
        static let step = Column(CodingKeys.step)
    }

    init(runID: String, point: MetricPoint) {
        self.runID = runID
        key = point.key
        step = point.step
        value = point.value.isNaN ? nil : point.value
        timestamp = point.timestamp.timeIntervalSince1970
    }

    var point: MetricPoint {
        MetricPoint(key: key, step: step, value: value ?? .nan, timestamp: Date(timeIntervalSince1970: timestamp))
    }
}

struct ArtifactRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "artifacts"
    var runID: String
    var name: String
    var kind: String
    var sha256: String
    var size: Int
    var created: Double

    enum CodingKeys: String, CodingKey {
        case name, kind, sha256, size, created
        case runID = "run_id"
    }

    enum Columns {
        static let runID = Column(CodingKeys.runID)
        static let name = Column(CodingKeys.name)
    }

    var record: ArtifactRecord {
        ArtifactRecord(
            runID: runID, name: name, kind: kind, sha256: sha256, size: size,
            created: Date(timeIntervalSince1970: created))
    }
}
