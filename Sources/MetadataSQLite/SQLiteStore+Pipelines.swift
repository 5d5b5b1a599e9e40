import Foundation
import GRDB
import RingmasterCore

extension SQLiteStore {
    public func createPipelineRun(pipeline: String, specSHA256: String, trigger: String) throws -> PipelineRunRecord {
        let run = PipelineRunRecord(
            id: Self.newRunID(), pipeline: pipeline, specSHA256: specSHA256, status: .running, trigger: trigger,
            started: Date())
        try write { db in
            try db.execute(
                sql: "INSERT INTO pipeline_runs (id, pipeline, spec_sha256, status, trigger, started) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [run.id, pipeline, specSHA256, run.status.rawValue, trigger, run.started.timeIntervalSince1970])
        }
        return run
    }

    public func endPipelineRun(_ id: String, status: PipelineRunStatus, error: String?) throws {
        try write { db in
            let run = try Self.resolvePipelineRun(id, db: db)
            try db.execute(
                sql: "UPDATE pipeline_runs SET status = ?, ended = ?, error = ? WHERE id = ?",
                arguments: [status.rawValue, Date().timeIntervalSince1970, error, run])
        }
    }

    public func recordPipelineStep(_ step: PipelineStepRecord) throws {
        let inputs = String(decoding: try JSONEncoder.sorted.encode(step.inputs), as: UTF8.self)
        let outputs = String(decoding: try JSONEncoder.sorted.encode(step.outputs), as: UTF8.self)
        try write { db in
            let run = try Self.resolvePipelineRun(step.runID, db: db)
            try db.execute(
                sql: """
                    INSERT INTO pipeline_steps (run_id, step, uses, status, cache_key, inputs, outputs, error, started, ended)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, step) DO UPDATE SET uses = excluded.uses, status = excluded.status,
                        cache_key = excluded.cache_key, inputs = excluded.inputs, outputs = excluded.outputs,
                        error = excluded.error, started = excluded.started, ended = excluded.ended
                    """,
                arguments: [run, step.step, step.uses, step.status.rawValue, step.cacheKey, inputs, outputs, step.error,
                            step.started.timeIntervalSince1970, step.ended?.timeIntervalSince1970])
        }
    }

    public func pipelineRun(_ idOrPrefix: String) throws -> PipelineRunRecord {
        try read { db in
            let id = try Self.resolvePipelineRun(idOrPrefix, db: db)
            return try Self.pipelineRun(Row.fetchOne(db, sql: "SELECT * FROM pipeline_runs WHERE id = ?", arguments: [id])!)
        }
    }

    public func pipelineRuns(pipeline: String?, limit: Int?) throws -> [PipelineRunRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM pipeline_runs WHERE (? IS NULL OR pipeline = ?) ORDER BY started DESC, rowid DESC LIMIT ?
                    """, arguments: [pipeline, pipeline, limit ?? -1]
            ).map(Self.pipelineRun)
        }
    }

    public func pipelineSteps(run: String) throws -> [PipelineStepRecord] {
        try read { db in
            let id = try Self.resolvePipelineRun(run, db: db)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM pipeline_steps WHERE run_id = ? ORDER BY started, step", arguments: [id]
            ).map(Self.pipelineStep)
        }
    }

    public func cachedPipelineStep(pipeline: String, step: String, cacheKey: String) throws -> PipelineStepRecord? {
        try read { db in
            try Row.fetchOne(
                db, sql: """
                    SELECT s.* FROM pipeline_steps s JOIN pipeline_runs r ON r.id = s.run_id
                    WHERE s.cache_key = ? AND s.step = ? AND r.pipeline = ? AND s.status IN ('succeeded', 'cached')
                    ORDER BY s.ended DESC LIMIT 1
                    """, arguments: [cacheKey, step, pipeline]
            ).map(Self.pipelineStep)
        }
    }

    private static func resolvePipelineRun(_ idOrPrefix: String, db: Database) throws -> String {
        let prefix = idOrPrefix.lowercased()
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pipeline_runs WHERE id = ?)", arguments: [prefix])! {
            return prefix
        }
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw StoreError.unknownPipelineRun(idOrPrefix) }
        let matches = try String.fetchAll(
            db, sql: "SELECT id FROM pipeline_runs WHERE id >= ? AND id < ? LIMIT 2", arguments: [prefix, prefix + "g"])
        guard matches.count == 1 else { throw StoreError.unknownPipelineRun(idOrPrefix) }
        return matches[0]
    }

    private static func pipelineRun(_ row: Row) -> PipelineRunRecord {
        PipelineRunRecord(
            id: row["id"], pipeline: row["pipeline"], specSHA256: row["spec_sha256"],
            status: PipelineRunStatus(rawValue: row["status"]) ?? .failed, trigger: row["trigger"],
            started: Date(timeIntervalSince1970: row["started"]),
            ended: (row["ended"] as Double?).map(Date.init(timeIntervalSince1970:)), error: row["error"])
    }

    private static func pipelineStep(_ row: Row) throws -> PipelineStepRecord {
        let decoder = JSONDecoder()
        return PipelineStepRecord(
            runID: row["run_id"], step: row["step"], uses: row["uses"],
            status: PipelineStepStatus(rawValue: row["status"]) ?? .failed, cacheKey: row["cache_key"],
            inputs: try decoder.decode([String: String].self, from: Data((row["inputs"] as String).utf8)),
            outputs: try decoder.decode([String: String].self, from: Data((row["outputs"] as String).utf8)),
            error: row["error"], started: Date(timeIntervalSince1970: row["started"]),
            ended: (row["ended"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}
