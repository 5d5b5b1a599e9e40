import Foundation
import RingmasterCore

/// `pipeline watch`: checks a pipeline's triggers and runs it when they fire.
///
/// New data is every file in `triggers.watch.directory` matching the pattern that no
/// earlier run has consumed (a file whose contents changed counts as new again). Nothing
/// runs until the new files hold at least `min_new_rows` rows; then a drift trigger runs the
/// pipeline only when `ringmaster monitor drift` finds the new rows drifted from the served
/// model's training data (or nothing is served yet), an interval trigger only when the
/// interval has passed since the last run, and a plain watch trigger at once. Without a
/// watch directory, a drift trigger checks its fixed `data` file and an interval trigger
/// runs on schedule.
///
/// What was consumed is kept in `pipelines/NAME/watch-state.json` under the work directory.
/// A run that fails leaves its files unconsumed, so the next check tries again; a run whose
/// gate rejects the candidate consumes them (the current model keeps serving).
public struct PipelineWatcher: Sendable {
    public let spec: PipelineSpec
    public let store: any MetadataStore
    public let options: PipelineRunner.Options

    public init(spec: PipelineSpec, store: any MetadataStore, options: PipelineRunner.Options) {
        self.spec = spec
        self.store = store
        self.options = options
    }

    /// What one check saw and did.
    public struct Check: Codable, Sendable {
        public var newFiles: [String]
        public var newRows: Int
        /// Why it ran or did not, in one line.
        public var decision: String
        /// The pipeline run, when one started.
        public var outcome: PipelineRunner.Outcome?
    }

    struct State: Codable {
        /// File name → sha256 of the contents a run consumed.
        var consumed: [String: String] = [:]
        var lastRun: Date?
    }

    var stateURL: URL {
        options.workDirectory.appendingPathComponent("pipelines/\(spec.name)/watch-state.json")
    }

    public func check(now: Date = Date()) throws -> Check {
        guard let triggers = spec.triggers else {
            throw PipelineStepError(message: "\(spec.file): the pipeline has no triggers to watch")
        }
        var state = try loadState()
        var newFiles: [(url: URL, sha256: String)] = []
        var newRows = 0
        if let directory = triggers.watchDirectory {
            for file in try WatchedData.files(in: directory, pattern: triggers.watchPattern) {
                let digest = PipelineRunner.sha256(try Data(contentsOf: file))
                if state.consumed[file.lastPathComponent] != digest {
                    newFiles.append((file, digest))
                    newRows += try WatchedData.rows(file)
                }
            }
        }
        var check = Check(newFiles: newFiles.map(\.url.lastPathComponent), newRows: newRows, decision: "", outcome: nil)
        let due = triggers.interval.map { interval in state.lastRun.map { now.timeIntervalSince($0) >= interval } ?? true }
        var reason: String?
        if triggers.watchDirectory != nil {
            let arrived = "\(newFiles.count) new file\(newFiles.count == 1 ? "" : "s") with \(newRows) row\(newRows == 1 ? "" : "s")"
            if newRows < triggers.minNewRows {
                check.decision = "waiting: \(arrived), \(triggers.minNewRows) needed"
            } else if let drift = triggers.drift {
                let folder = options.workDirectory.appendingPathComponent("pipelines/\(spec.name)/drift")
                let data = try WatchedData.combine(base: newFiles[0].url, extra: newFiles.dropFirst().map(\.url), in: folder)
                let alarm = try driftAlarm(drift, data: data)
                if let alarm { reason = "\(arrived); \(alarm)" } else { check.decision = "no drift in \(arrived)" }
            } else if due == false {
                check.decision = "waiting: \(arrived), next run \(triggers.interval!) s after the last"
            } else {
                reason = "watch: \(arrived)"
            }
        } else if let drift = triggers.drift, let data = drift.data {
            if let alarm = try driftAlarm(drift, data: data) { reason = alarm } else { check.decision = "no drift in \(data.lastPathComponent)" }
        } else if let due {
            if due { reason = "interval: \(triggers.interval!) s" } else { check.decision = "waiting for the interval" }
        }
        guard let reason else { return check }
        var runOptions = options
        runOptions.trigger = reason
        let outcome = try PipelineRunner(spec: spec, store: store, options: runOptions).run()
        check.outcome = outcome
        check.decision = "ran (\(reason)): \(outcome.run.status.rawValue)"
        if outcome.run.status != .failed {
            for file in newFiles { state.consumed[file.url.lastPathComponent] = file.sha256 }
            state.lastRun = now
            try saveState(state)
        }
        return check
    }

    /// The reason to run when `data` drifted from the model's training data, or when no model is served yet; nil otherwise.
    private func driftAlarm(_ drift: PipelineTriggers.DriftTrigger, data: URL) throws -> String? {
        if let reference = try? ModelVersionReference(parsing: drift.model) {
            do {
                _ = try ModelRegistry(store: store).version(reference)
            } catch StoreError.unknownModel, StoreError.unknownModelAlias {
                return "drift: no model at \(drift.model) yet"
            }
        }
        var command = [options.executable, "monitor", "drift", drift.model, "--data", data.path, "--json"]
        for (option, value) in drift.options { command += ["--\(option)", value] }
        if let store = options.storeLocation { command += ["--store", store] }
        let result = try ChildProcess.run(command)
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last,
              let report = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let drifted = report["dataset_drift"] as? Bool
        else {
            throw PipelineStepError(message: "drift check of \(drift.model) failed (exit \(result.status))" + (result.lastError.map { ": \($0)" } ?? ""))
        }
        guard drifted else { return nil }
        let features = (report["features"] as? [Any])?.count ?? 0
        return "drift: \(report["drifted_features"] as? Int ?? 0) of \(features) features drifted from \(drift.model)"
    }

    private func loadState() throws -> State {
        guard let data = FileManager.default.contents(atPath: stateURL.path) else { return State() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(State.self, from: data)
    }

    private func saveState(_ state: State) throws {
        try FileManager.default.createDirectory(at: stateURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(state).write(to: stateURL, options: .atomic)
    }
}
