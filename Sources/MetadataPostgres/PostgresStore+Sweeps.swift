import Foundation
import PostgresNIO
import RingmasterCore

extension PostgresStore {
    public func createSweep(
        name: String, experiment: String, spec: String, objective: String, direction: OptimizationDirection
    ) throws -> SweepRecord {
        let sweep = SweepRecord(
            id: Self.newRunID(), name: name, experiment: experiment, spec: spec, objective: objective,
            direction: direction, status: .running, created: Date())
        try connection.withSession { session in
            try session.query("""
                INSERT INTO sweeps (id, name, experiment, spec, objective, direction, status, created)
                VALUES (\(sweep.id), \(name), \(experiment), \(spec), \(objective), \(direction.rawValue),
                        \(sweep.status.rawValue), \(sweep.created.timeIntervalSince1970))
                """)
        }
        return sweep
    }

    public func setSweepStatus(_ sweep: String, _ status: SweepStatus) throws {
        try connection.withSession { session in
            let id = try Self.resolveSweep(sweep, session)
            let ended: Double? = status == .running ? nil : Date().timeIntervalSince1970
            try session.query("UPDATE sweeps SET status = \(status.rawValue), ended = \(ended) WHERE id = \(id)")
        }
    }

    public func sweep(_ idOrPrefix: String) throws -> SweepRecord {
        try connection.withSession { session in
            let id = try Self.resolveSweep(idOrPrefix, session)
            return try Self.sweepRecord(try session.query("\(unescaped: Self.sweepColumns) WHERE id = \(id)").first!)
        }
    }

    public func sweeps() throws -> [SweepRecord] {
        try connection.withSession { session in
            try session.query("\(unescaped: Self.sweepColumns) ORDER BY created DESC, seq DESC").map(Self.sweepRecord)
        }
    }

    public func recordTrial(_ trial: TrialRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let params = String(decoding: try encoder.encode(trial.params), as: UTF8.self)
        let value = trial.value.flatMap { $0.isNaN ? nil : $0 }
        try connection.withSession { session in
            try session.transaction {
                let sweep = try Self.resolveSweep(trial.sweepID, session)
                try session.query("""
                    INSERT INTO trials (sweep_id, number, params, state, value, run_id, error, started, ended)
                    VALUES (\(sweep), \(Int32(clamping: trial.number)), \(params), \(trial.state.rawValue), \(value),
                            \(trial.runID), \(trial.error), \(trial.started.timeIntervalSince1970),
                            \(trial.ended?.timeIntervalSince1970))
                    ON CONFLICT (sweep_id, number) DO UPDATE SET params = excluded.params, state = excluded.state,
                        value = excluded.value, run_id = excluded.run_id, error = excluded.error,
                        started = excluded.started, ended = excluded.ended
                    """)
                try session.query("DELETE FROM trial_values WHERE sweep_id = \(sweep) AND number = \(Int32(clamping: trial.number))")
                for (resource, point) in trial.intermediate {
                    let stored: Double? = point.isNaN ? nil : point
                    try session.query("""
                        INSERT INTO trial_values (sweep_id, number, resource, value)
                        VALUES (\(sweep), \(Int32(clamping: trial.number)), \(Int32(clamping: resource)), \(stored))
                        """)
                }
            }
        }
    }

    public func recordIntermediate(sweep: String, trial: Int, resource: Int, value: Double) throws {
        let stored: Double? = value.isNaN ? nil : value
        try connection.withSession { session in
            let id = try Self.resolveSweep(sweep, session)
            try session.query("""
                INSERT INTO trial_values (sweep_id, number, resource, value)
                VALUES (\(id), \(Int32(clamping: trial)), \(Int32(clamping: resource)), \(stored))
                ON CONFLICT (sweep_id, number, resource) DO UPDATE SET value = excluded.value
                """)
        }
    }

    public func trials(sweep: String) throws -> [TrialRecord] {
        try connection.withSession { session in
            let id = try Self.resolveSweep(sweep, session)
            var values: [Int: [Int: Double]] = [:]
            for row in try session.query("SELECT number, resource, value FROM trial_values WHERE sweep_id = \(id)") {
                let (number, resource, value) = try row.decode((Int, Int, Double?).self)
                values[number, default: [:]][resource] = value ?? .nan
            }
            return try session.query("""
                SELECT number, params, state, value, run_id, error, started, ended FROM trials
                WHERE sweep_id = \(id) ORDER BY number
                """).map { row in
                let (number, params, state, value, runID, error, started, ended) =
                    try row.decode((Int, String, String, Double?, String?, String?, Double, Double?).self)
                return TrialRecord(
                    sweepID: id, number: number, params: try JSONDecoder().decode(ParameterAssignment.self, from: Data(params.utf8)),
                    state: TrialState(rawValue: state) ?? .failed, value: value, intermediate: values[number] ?? [:],
                    runID: runID, error: error, started: Date(timeIntervalSince1970: started),
                    ended: ended.map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    static let sweepColumns = "SELECT id, name, experiment, spec, objective, direction, status, created, ended FROM sweeps"

    static func sweepRecord(_ row: PostgresRow) throws -> SweepRecord {
        let (id, name, experiment, spec, objective, direction, status, created, ended) =
            try row.decode((String, String, String, String, String, String, String, Double, Double?).self)
        return SweepRecord(
            id: id, name: name, experiment: experiment, spec: spec, objective: objective,
            direction: OptimizationDirection(rawValue: direction) ?? .minimize, status: SweepStatus(rawValue: status) ?? .failed,
            created: Date(timeIntervalSince1970: created), ended: ended.map(Date.init(timeIntervalSince1970:)))
    }

    /// The sweep named by a whole id or a unique prefix of at least 4 hex digits.
    static func resolveSweep(_ idOrPrefix: String, _ session: Session) throws -> String {
        let prefix = idOrPrefix.lowercased()
        if !(try session.query("SELECT 1 FROM sweeps WHERE id = \(prefix)").isEmpty) { return prefix }
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw StoreError.unknownSweep(idOrPrefix) }
        let end = prefix + "g"
        let matches = try session.query("SELECT id FROM sweeps WHERE id >= \(prefix) AND id < \(end) LIMIT 2")
            .map { try $0.decode(String.self) }
        guard matches.count == 1 else { throw StoreError.unknownSweep(idOrPrefix) }
        return matches[0]
    }
}
