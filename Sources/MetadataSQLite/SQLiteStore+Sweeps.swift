import Foundation
import GRDB
import RingmasterCore

extension SQLiteStore {
    public func createSweep(
        name: String, experiment: String, spec: String, objective: String, direction: OptimizationDirection
    ) throws -> SweepRecord {
        let sweep = SweepRecord(
            id: Self.newRunID(), name: name, experiment: experiment, spec: spec, objective: objective,
            direction: direction, status: .running, created: Date())
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO sweeps (id, name, experiment, spec, objective, direction, status, created)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [sweep.id, name, experiment, spec, objective, direction.rawValue, sweep.status.rawValue,
                            sweep.created.timeIntervalSince1970])
        }
        return sweep
    }

    public func setSweepStatus(_ sweep: String, _ status: SweepStatus) throws {
        try write { db in
            let id = try Self.resolveSweep(sweep, db: db)
            try db.execute(
                sql: "UPDATE sweeps SET status = ?, ended = ? WHERE id = ?",
                arguments: [status.rawValue, status == .running ? nil : Date().timeIntervalSince1970, id])
        }
    }

    public func sweep(_ idOrPrefix: String) throws -> SweepRecord {
        try read { db in
            let id = try Self.resolveSweep(idOrPrefix, db: db)
            return try Self.sweepRecord(try Row.fetchOne(db, sql: "SELECT * FROM sweeps WHERE id = ?", arguments: [id])!)
        }
    }

    public func sweeps() throws -> [SweepRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sweeps ORDER BY created DESC, rowid DESC").map(Self.sweepRecord)
        }
    }

    public func recordTrial(_ trial: TrialRecord) throws {
        let params = String(decoding: try JSONEncoder.sorted.encode(trial.params), as: UTF8.self)
        try write { db in
            let sweep = try Self.resolveSweep(trial.sweepID, db: db)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO trials (sweep_id, number, params, state, value, run_id, error, started, ended)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [sweep, trial.number, params, trial.state.rawValue, trial.value.flatMap { $0.isNaN ? nil : $0 },
                            trial.runID, trial.error, trial.started.timeIntervalSince1970,
                            trial.ended?.timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM trial_values WHERE sweep_id = ? AND number = ?", arguments: [sweep, trial.number])
            for (resource, value) in trial.intermediate {
                try db.execute(
                    sql: "INSERT INTO trial_values (sweep_id, number, resource, value) VALUES (?, ?, ?, ?)",
                    arguments: [sweep, trial.number, resource, value.isNaN ? nil : value])
            }
        }
    }

    public func recordIntermediate(sweep: String, trial: Int, resource: Int, value: Double) throws {
        try write { db in
            let id = try Self.resolveSweep(sweep, db: db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO trial_values (sweep_id, number, resource, value) VALUES (?, ?, ?, ?)",
                arguments: [id, trial, resource, value.isNaN ? nil : value])
        }
    }

    public func trials(sweep: String) throws -> [TrialRecord] {
        try read { db in
            let id = try Self.resolveSweep(sweep, db: db)
            var values: [Int: [Int: Double]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT number, resource, value FROM trial_values WHERE sweep_id = ?", arguments: [id])
            {
                values[row["number"], default: [:]][row["resource"]] = row["value"] ?? .nan
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM trials WHERE sweep_id = ? ORDER BY number", arguments: [id])
                .map { row in
                    let number: Int = row["number"]
                    return TrialRecord(
                        sweepID: id, number: number,
                        params: try JSONDecoder().decode(ParameterAssignment.self, from: Data((row["params"] as String).utf8)),
                        state: TrialState(rawValue: row["state"]) ?? .failed, value: row["value"],
                        intermediate: values[number] ?? [:], runID: row["run_id"], error: row["error"],
                        started: Date(timeIntervalSince1970: row["started"]),
                        ended: (row["ended"] as Double?).map(Date.init(timeIntervalSince1970:)))
                }
        }
    }

    static func resolveSweep(_ idOrPrefix: String, db: Database) throws -> String {
        let prefix = idOrPrefix.lowercased()
        let matches = try String.fetchAll(
            db, sql: "SELECT id FROM sweeps WHERE id = ? OR (length(?) >= 4 AND id >= ? AND id < ?) LIMIT 2",
            arguments: [prefix, prefix, prefix, prefix + "g"])
        guard matches.count == 1 else { throw StoreError.unknownSweep(idOrPrefix) }
        return matches[0]
    }

    static func sweepRecord(_ row: Row) throws -> SweepRecord {
        SweepRecord(
            id: row["id"], name: row["name"], experiment: row["experiment"], spec: row["spec"], objective: row["objective"],
            direction: OptimizationDirection(rawValue: row["direction"]) ?? .minimize,
            status: SweepStatus(rawValue: row["status"]) ?? .failed,
            created: Date(timeIntervalSince1970: row["created"]),
            ended: (row["ended"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}

extension JSONEncoder {
    /// Sorted keys: the same value always encodes to the same text.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
