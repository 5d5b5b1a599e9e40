import GRDB

// One record type per MLflow table, holding only the columns the import reads (with SQL,
// in `MLflowDatabase`). MLflow stores times as Unix milliseconds (BIGINT), a NaN metric as
// value 0 with `is_nan = 1`, and ±infinity as ±Double.greatestFiniteMagnitude.

/// A row of MLflow's `experiments` table.
struct MLflowExperimentRow: Codable, FetchableRecord {
    var experimentID: Int64
    var name: String
    /// `active` or `deleted`.
    var lifecycleStage: String?
    /// MLflow 3 workspaces; names are unique within a workspace. Nil before workspaces existed.
    var workspace: String?

    enum CodingKeys: String, CodingKey {
        case name, workspace
        case experimentID = "experiment_id"
        case lifecycleStage = "lifecycle_stage"
    }

    var isDeleted: Bool { lifecycleStage == "deleted" }
}

/// A row of MLflow's `runs` table.
struct MLflowRunRow: Codable, FetchableRecord {
    var runUUID: String
    var name: String?
    /// `RUNNING`, `SCHEDULED`, `FINISHED`, `FAILED` or `KILLED`.
    var status: String?
    /// Unix milliseconds.
    var startTime: Int64?
    /// Unix milliseconds; nil while running.
    var endTime: Int64?
    /// `active` or `deleted`.
    var lifecycleStage: String?
    var experimentID: Int64

    enum CodingKeys: String, CodingKey {
        case name, status
        case runUUID = "run_uuid"
        case startTime = "start_time"
        case endTime = "end_time"
        case lifecycleStage = "lifecycle_stage"
        case experimentID = "experiment_id"
    }

    var isDeleted: Bool { lifecycleStage == "deleted" }
}

/// A row of MLflow's `params` or `tags` table (same shape; a tag's value may be NULL).
struct MLflowKeyValueRow: Codable, FetchableRecord {
    var key: String
    var value: String?
}

/// A row of MLflow's `metrics` table: every logged point, not only the latest.
struct MLflowMetricRow: Codable, FetchableRecord {
    var key: String
    var value: Double
    /// Unix milliseconds.
    var timestamp: Int64
    var step: Int64
    var isNaN: Bool

    enum CodingKeys: String, CodingKey {
        case key, value, timestamp, step
        case isNaN = "is_nan"
    }
}
