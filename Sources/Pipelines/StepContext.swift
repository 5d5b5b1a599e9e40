import Datasets
import Foundation
import RingmasterCore
import Training

/// One step about to run: its resolved `with:` values and what earlier steps produced.
/// Each step type reuses what the CLI already does: training, sweeps, evaluation and drift
/// checks run as `ringmaster` child processes (training under `mpirun` for several ranks, as
/// the pipeline itself runs outside mpirun); data import and the registry work in-process.
struct StepContext {
    let spec: PipelineSpec
    let store: any MetadataStore
    let options: PipelineRunner.Options
    let runID: String
    let step: PipelineStep
    let with: [String: PipelineValue]
    let outputs: [String: [String: String]]

    func execute() throws -> [String: String] {
        switch step.uses {
        case .importData: return try importData()
        case .validateData: return try validateData()
        case .train: return try train()
        case .sweep: return try sweep()
        case .evaluate: return try evaluate()
        case .gate: return try gate()
        case .register: return try register()
        case .promote: return try promote()
        case .custom: return try custom()
        }
    }

    // MARK: Values

    func field(_ name: String) -> String { "with.\(name)" }

    func text(_ name: String) -> String? { with[name]?.text }

    func required(_ name: String) throws -> String {
        guard let value = text(name), !value.isEmpty else { throw PipelineStepError(message: "\(field(name)): is empty") }
        return value
    }

    func integer(_ name: String, default value: Int, minimum: Int = 1) throws -> Int {
        guard let text = text(name) else { return value }
        guard let number = Int(text), number >= minimum else {
            throw PipelineStepError(message: "\(field(name)): expected an integer of at least \(minimum), got '\(text)'")
        }
        return number
    }

    func file(_ name: String) throws -> URL {
        let url = Self.url(try required(name), folder: spec.folder)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PipelineStepError(message: "\(field(name)): no such file: \(url.path)")
        }
        return url
    }

    static func url(_ path: String, folder: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path).standardizedFileURL
    }

    var workFolder: URL {
        options.workDirectory.appendingPathComponent("pipelines/\(spec.name)/\(step.id)")
    }

    /// `ringmaster ARGS [--store S]`, under `mpirun -np N` for several ranks.
    func ringmaster(_ arguments: [String], ranks: Int = 1, timeout: Double? = nil) throws -> String {
        var command = [options.executable] + arguments
        if let store = options.storeLocation { command += ["--store", store] }
        let result = try ChildProcess.run(MPILaunch.command(command, ranks: ranks), timeout: timeout)
        guard result.status == 0, !result.timedOut else {
            let what = "ringmaster \(arguments.first ?? "")" + (ranks > 1 ? " on \(ranks) ranks" : "")
            throw PipelineStepError(message: "\(what) failed (exit \(result.status))" + (result.lastError.map { ": \($0)" } ?? ""))
        }
        return result.stdout
    }

    func lastJSON<T: Decodable>(_ output: String, as type: T.Type, snakeCase: Bool = false) throws -> T {
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        guard let line = output.split(separator: "\n").last,
              let value = try? decoder.decode(T.self, from: Data(line.utf8))
        else { throw PipelineStepError(message: "unexpected output: \(output.suffix(300))") }
        return value
    }

    // MARK: Steps

    private func importData() throws -> [String: String] {
        let base = try file("file")
        var path = base
        if let include = text("include_watched"), PipelineRunner.isTrue(include) {
            guard let triggers = spec.triggers, let directory = triggers.watchDirectory else {
                throw PipelineStepError(message: "\(field("include_watched")): the pipeline has no triggers.watch directory")
            }
            let extra = try WatchedData.files(in: directory, pattern: triggers.watchPattern)
            if !extra.isEmpty { path = try WatchedData.combine(base: base, extra: extra, in: workFolder) }
        }
        let dataset = try DatasetReader.read(path: path.path, label: text("label"), labelsPath: nil)
        let name = text("name") ?? base.deletingPathExtension().lastPathComponent
        let version = try store.recordDatasetVersion(NewDatasetVersion(
            name: name, fingerprint: dataset.fingerprint, schema: dataset.schema.json, rows: dataset.rowCount,
            source: path.path))
        return ["path": path.path, "dataset": version.reference, "name": version.name, "version": "\(version.version)",
                "fingerprint": version.fingerprint, "rows": "\(version.rows)"]
    }

    private func validateData() throws -> [String: String] {
        var validator = DataValidator()
        validator.label = text("label")
        if case .list(let items)? = with["columns"] { validator.columns = items.compactMap(\.text) }
        if case .mapping(let columns)? = with["ranges"] {
            for (column, bounds) in columns {
                let key = "\(field("ranges")).\(column)"
                func number(_ value: PipelineValue?) throws -> Double? {
                    guard let text = value?.text else { return nil }
                    guard let number = Double(text) else { throw PipelineStepError(message: "\(key): '\(text)' is not a number") }
                    return number
                }
                switch bounds {
                case .list(let pair) where pair.count == 2:
                    validator.ranges[column] = try number(pair[0])!...(try number(pair[1])!)
                case .mapping(let limits):
                    validator.ranges[column] = (try number(limits["min"]) ?? -.infinity)...(try number(limits["max"]) ?? .infinity)
                default:
                    throw PipelineStepError(message: "\(key): expected [low, high] or {min, max}")
                }
            }
        }
        if let text = text("max_missing") {
            guard let value = Double(text), (0...1).contains(value) else {
                throw PipelineStepError(message: "\(field("max_missing")): expected a fraction between 0 and 1, got '\(text)'")
            }
            validator.maxMissing = value
        }
        validator.minRows = try integer("min_rows", default: 0, minimum: 0)
        let summary = try validator.validate(try file("data"))
        return ["rows": "\(summary.rows)", "columns": "\(summary.columns.count)"]
    }

    private func train() throws -> [String: String] {
        var arguments = ["train", try file("config").path, "--json", "--quiet"]
        if let data = text("data") { arguments += ["--set", "data.path=\(Self.url(data, folder: spec.folder).path)"] }
        if let dataset = text("dataset") { arguments += ["--set", "data.name=\(dataset)"] }
        if case .mapping(let settings)? = with["set"] {
            for key in settings.keys.sorted() { arguments += ["--set", "\(key)=\(settings[key]!.canonical)"] }
        }
        if let model = text("register") { arguments += ["--register", model] }
        arguments += ["--tag", "ringmaster.pipeline=\(spec.name)", "--tag", "ringmaster.pipeline_run=\(runID)"]
        let result = try lastJSON(try ringmaster(arguments, ranks: try integer("ranks", default: 1)), as: TrainingResult.self)
        var produced = ["run_id": result.runID, "model_path": result.modelPath, "model_sha256": result.modelSHA256]
        for (metric, value) in result.validation.metrics { produced[metric] = "\(value)" }
        if let model = text("register"), let version = try store.modelVersions(model: model).last(where: { $0.runID == result.runID }) {
            produced["version"] = "\(version.version)"
            produced["model_version"] = version.reference
        }
        return produced
    }

    private struct SweepSummary: Decodable {
        var sweepId: String
        var bestTrial: Int?
        var bestValue: Double?
    }

    private func sweep() throws -> [String: String] {
        let ranks = try integer("ranks", default: 1)
        let perTrial = try integer("ranks_per_trial", default: 1)
        let output = try ringmaster(["sweep", try file("spec").path, "--json", "--ranks-per-trial", "\(perTrial)"], ranks: ranks)
        let summary = try lastJSON(output, as: SweepSummary.self, snakeCase: true)
        guard let best = summary.bestTrial, let value = summary.bestValue,
              let run = try store.trials(sweep: summary.sweepId).first(where: { $0.number == best })?.runID
        else { throw PipelineStepError(message: "sweep \(summary.sweepId.prefix(8)) finished without a completed trial") }
        return ["sweep_id": summary.sweepId, "best_trial": "\(best)", "best_value": "\(value)", "run_id": run]
    }

    struct Score: Decodable {
        var rows: Int
        var loss: Double
        var accuracy: Double?
        var r2: Double?

        var metrics: [GateMetric: Double] {
            var metrics: [GateMetric: Double] = [.loss: loss]
            if let accuracy { metrics[.accuracy] = accuracy }
            if let r2 { metrics[.r2] = r2 }
            return metrics
        }
    }

    /// `ringmaster evaluate MODEL --data DATA --json`.
    func score(_ model: String, data: URL) throws -> Score {
        var arguments = ["evaluate", model, "--data", data.path, "--json"]
        if let label = text("label") { arguments += ["--label", label] }
        return try lastJSON(try ringmaster(arguments), as: Score.self)
    }

    private func evaluate() throws -> [String: String] {
        let score = try score(try required("model"), data: try file("data"))
        var produced = ["rows": "\(score.rows)"]
        for (metric, value) in score.metrics { produced[metric.rawValue] = "\(value)" }
        return produced
    }

    private func gate() throws -> [String: String] {
        let thresholds = try Gate.thresholds(with["metrics"]!, key: field("metrics"))
        let data = try file("data")
        let model = try required("model")
        let alias = text("alias") ?? "production"
        let candidate = try score(try required("candidate"), data: data)
        var baseline: ModelVersionRecord?
        do {
            baseline = try store.modelVersion(model: model, alias: alias)
        } catch StoreError.unknownModel, StoreError.unknownModelAlias {
            baseline = nil
        }
        let baselineScore = try baseline.map { try score($0.reference, data: data) }
        let decision = Gate.decide(thresholds, candidate: candidate.metrics, baseline: baselineScore?.metrics)
        var produced = [
            "passed": decision.passed ? "true" : "false",
            "baseline": baseline.map { "\($0.reference) (@\(alias))" } ?? "none",
            "report": decision.summary,
        ]
        for (metric, value) in candidate.metrics { produced["candidate_\(metric.rawValue)"] = "\(value)" }
        for (metric, value) in baselineScore?.metrics ?? [:] { produced["baseline_\(metric.rawValue)"] = "\(value)" }
        return produced
    }

    private func register() throws -> [String: String] {
        let version = try ModelRegistry(store: store).register(
            model: try required("model"), run: try required("run"), description: text("description") ?? "",
            tags: ["ringmaster.pipeline": spec.name, "ringmaster.pipeline_run": runID])
        return ["version": "\(version.version)", "model_version": version.reference, "run_id": version.runID]
    }

    private func promote() throws -> [String: String] {
        let model = try required("model")
        let version = try integer("version", default: 0)
        let alias = text("alias") ?? "production"
        let gates = spec.ancestors(of: step.id).sorted().filter { spec.step($0)?.uses == .gate }
        let reports = gates.map { "gate \($0) \(outputs[$0]?["report"] ?? "passed")" }
        let reason = "pipeline \(spec.name) run \(runID.prefix(8)): " + reports.joined(separator: "; ")
        let event = try ModelRegistry(store: store).promote(model: model, version: version, alias: alias, reason: reason)
        try store.addLineage(LineageEdge(
            source: .modelVersion(name: model, version: version), target: .modelAlias(name: model, alias: alias),
            relation: .promoted))
        return ["alias": "\(model)@\(alias)", "version": "\(version)", "previous": event.from.map(String.init) ?? "none"]
    }

    private func custom() throws -> [String: String] {
        let command = try required("command")
        let timeout = try text("timeout").map { text -> Double in
            guard let seconds = Double(text), seconds > 0 else {
                throw PipelineStepError(message: "\(field("timeout")): expected seconds, got '\(text)'")
            }
            return seconds
        } ?? 3600
        let result = try ChildProcess.run(
            ["/bin/sh", "-c", command],
            environment: ["RINGMASTER_PIPELINE": spec.name, "RINGMASTER_PIPELINE_RUN": runID, "RINGMASTER_STEP": step.id],
            directory: spec.folder, timeout: timeout)
        if result.timedOut { throw PipelineStepError(message: "'\(command)' timed out after \(timeout) s") }
        guard result.status == 0 else {
            throw PipelineStepError(message: "'\(command)' exited with status \(result.status)" + (result.lastError.map { ": \($0)" } ?? ""))
        }
        var produced: [String: String] = [:]
        // One `ringmaster-output KEY=VALUE` per line; the value runs to the end of the line.
        for line in result.stdout.split(separator: "\n") where line.hasPrefix("ringmaster-output ") {
            let parts = line.dropFirst("ringmaster-output ".count).split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, !parts[0].isEmpty { produced[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1] }
        }
        return produced
    }
}
