import Foundation
import PostgresNIO
import RingmasterCore

extension PostgresStore {
    public func createPipelineRun(pipeline: String, specSHA256: String, trigger: String) throws -> PipelineRunRecord {
        let run = PipelineRunRecord(
            id: Self.newRunID(), pipeline: pipeline, specSHA256: specSHA256, status: .running, trigger: trigger,
            started: Date())
        try connection.withSession { session in
            try session.query("""
                INSERT INTO pipeline_runs (id, pipeline, spec_sha256, status, trigger, started)
                VALUES (\(run.id), \(pipeline), \(specSHA256), \(run.status.rawValue), \(trigger),
                        \(run.started.timeIntervalSince1970))
                """)
        }
        return run
    }

    public func endPipelineRun(_ id: String, status: PipelineRunStatus, error: String?) throws {
        try connection.withSession { session in
            let run = try Self.resolvePipelineRun(id, session)
            let now = Date().timeIntervalSince1970
            try session.query(
                "UPDATE pipeline_runs SET status = \(status.rawValue), ended = \(now), error = \(error) WHERE id = \(run)")
        }
    }

    public func recordPipelineStep(_ step: PipelineStepRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let inputs = String(decoding: try encoder.encode(step.inputs), as: UTF8.self)
        let outputs = String(decoding: try encoder.encode(step.outputs), as: UTF8.self)
        try connection.withSession { session in
            let run = try Self.resolvePipelineRun(step.runID, session)
            try session.query("""
                INSERT INTO pipeline_steps (run_id, step, uses, status, cache_key, inputs, outputs, error, started, ended)
                VALUES (\(run), \(step.step), \(step.uses), \(step.status.rawValue), \(step.cacheKey), \(inputs),
                        \(outputs), \(step.error), \(step.started.timeIntervalSince1970), \(step.ended?.timeIntervalSince1970))
                ON CONFLICT (run_id, step) DO UPDATE SET uses = excluded.uses, status = excluded.status,
                    cache_key = excluded.cache_key, inputs = excluded.inputs, outputs = excluded.outputs,
                    error = excluded.error, started = excluded.started, ended = excluded.ended
                """)
        }
    }

    public func pipelineRun(_ idOrPrefix: String) throws -> PipelineRunRecord {
        try connection.withSession { session in
            let id = try Self.resolvePipelineRun(idOrPrefix, session)
            return try Self.pipelineRun(try session.query("\(unescaped: Self.pipelineRunColumns) WHERE id = \(id)").first!)
        }
    }

    public func pipelineRuns(pipeline: String?, limit: Int?) throws -> [PipelineRunRecord] {
        try connection.withSession { session in
            let limit = Int64(limit ?? Int(Int32.max))
            return try session.query("""
                \(unescaped: Self.pipelineRunColumns) WHERE (\(pipeline)::text IS NULL OR pipeline = \(pipeline))
                ORDER BY started DESC, seq DESC LIMIT \(limit)
                """).map(Self.pipelineRun)
        }
    }

    public func pipelineSteps(run: String) throws -> [PipelineStepRecord] {
        try connection.withSession { session in
            let id = try Self.resolvePipelineRun(run, session)
            return try session.query(
                "\(unescaped: Self.pipelineStepColumns("s")) WHERE s.run_id = \(id) ORDER BY s.started, s.step"
            ).map(Self.pipelineStep)
        }
    }

    public func cachedPipelineStep(pipeline: String, step: String, cacheKey: String) throws -> PipelineStepRecord? {
        try connection.withSession { session in
            try session.query("""
                \(unescaped: Self.pipelineStepColumns("s")) JOIN pipeline_runs r ON r.id = s.run_id
                WHERE s.cache_key = \(cacheKey) AND s.step = \(step) AND r.pipeline = \(pipeline)
                    AND s.status IN ('succeeded', 'cached')
                ORDER BY s.ended DESC LIMIT 1
                """).first.map(Self.pipelineStep)
        }
    }

    static let pipelineRunColumns =
        "SELECT id, pipeline, spec_sha256, status, trigger, started, ended, error FROM pipeline_runs"

    static func pipelineStepColumns(_ table: String) -> String {
        "SELECT \(table).run_id, \(table).step, \(table).uses, \(table).status, \(table).cache_key, \(table).inputs, "
            + "\(table).outputs, \(table).error, \(table).started, \(table).ended FROM pipeline_steps \(table)"
    }

    static func resolvePipelineRun(_ idOrPrefix: String, _ session: Session) throws -> String {
        let prefix = idOrPrefix.lowercased()
        if !(try session.query("SELECT 1 FROM pipeline_runs WHERE id = \(prefix)").isEmpty) { return prefix }
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw StoreError.unknownPipelineRun(idOrPrefix) }
        let end = prefix + "g"
        let matches = try session.query("SELECT id FROM pipeline_runs WHERE id >= \(prefix) AND id < \(end) LIMIT 2")
            .map { try $0.decode(String.self) }
        guard matches.count == 1 else { throw StoreError.unknownPipelineRun(idOrPrefix) }
        return matches[0]
    }

    static func pipelineRun(_ row: PostgresRow) throws -> PipelineRunRecord {
        let (id, pipeline, sha, status, trigger, started, ended, error) =
            try row.decode((String, String, String, String, String, Double, Double?, String?).self)
        return PipelineRunRecord(
            id: id, pipeline: pipeline, specSHA256: sha, status: PipelineRunStatus(rawValue: status) ?? .failed,
            trigger: trigger, started: Date(timeIntervalSince1970: started),
            ended: ended.map(Date.init(timeIntervalSince1970:)), error: error)
    }

    static func pipelineStep(_ row: PostgresRow) throws -> PipelineStepRecord {
        let (run, step, uses, status, key, inputs, outputs, error, started, ended) =
            try row.decode((String, String, String, String, String, String, String, String?, Double, Double?).self)
        let decoder = JSONDecoder()
        return PipelineStepRecord(
            runID: run, step: step, uses: uses, status: PipelineStepStatus(rawValue: status) ?? .failed, cacheKey: key,
            inputs: try decoder.decode([String: String].self, from: Data(inputs.utf8)),
            outputs: try decoder.decode([String: String].self, from: Data(outputs.utf8)), error: error,
            started: Date(timeIntervalSince1970: started), ended: ended.map(Date.init(timeIntervalSince1970:)))
    }
}
