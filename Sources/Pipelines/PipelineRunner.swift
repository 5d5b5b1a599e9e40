import Crypto
import Foundation
import RingmasterCore

/// Runs a validated pipeline: its steps in topological order, each skipped when an earlier
/// execution with the same cache key succeeded, every step recorded in the store as it
/// starts and ends.
///
/// A step's cache key is the sha256 of its type, its `with:` values with references to
/// earlier steps resolved, and the contents of every file those values name. Changing a
/// data file or a value therefore reruns that step, and, through its changed outputs, the
/// steps that use them.
///
/// A failing step ends the run `failed`: the steps after it are recorded `blocked` and never
/// run, what earlier steps recorded stays, and no alias moves. A gate that rejects its
/// candidate ends the run `rejected`: the steps that need the gate are `blocked`.
public struct PipelineRunner: Sendable {
    public struct Options: Sendable {
        /// The `ringmaster` executable that runs train, sweep, evaluate and drift checks.
        public var executable: String
        /// `--store` for those children; nil: theirs comes from the environment, like ours.
        public var storeLocation: String?
        /// Where combined data files go (`pipelines/NAME/` under it).
        public var workDirectory: URL
        /// Run every step even when its cache key matches.
        public var force = false
        /// What started the run, for the record.
        public var trigger = "manual"
        /// Called when a step starts (status `running`) and when it ends.
        public var progress: (@Sendable (PipelineStepRecord) -> Void)?

        public init(executable: String, storeLocation: String?, workDirectory: URL) {
            self.executable = executable
            self.storeLocation = storeLocation
            self.workDirectory = workDirectory
        }
    }

    /// A finished pipeline run and its steps.
    public struct Outcome: Codable, Sendable {
        public var run: PipelineRunRecord
        public var steps: [PipelineStepRecord]

        public init(run: PipelineRunRecord, steps: [PipelineStepRecord]) {
            self.run = run
            self.steps = steps
        }
    }

    public let spec: PipelineSpec
    public let store: any MetadataStore
    public let options: Options

    public init(spec: PipelineSpec, store: any MetadataStore, options: Options) {
        self.spec = spec
        self.store = store
        self.options = options
    }

    public func run() throws -> Outcome {
        let run = try store.createPipelineRun(pipeline: spec.name, specSHA256: spec.sha256, trigger: options.trigger)
        var outputs: [String: [String: String]] = [:]
        var statuses: [String: PipelineStepStatus] = [:]
        var records: [PipelineStepRecord] = []
        var failure: String?
        var rejection: String?
        for id in spec.order {
            let step = spec.step(id)!
            let started = Date()
            func record(_ status: PipelineStepStatus, key: String, inputs: [String: String],
                        outputs: [String: String] = [:], error: String? = nil) throws -> PipelineStepRecord {
                let record = PipelineStepRecord(
                    runID: run.id, step: id, uses: step.uses.rawValue, status: status, cacheKey: key, inputs: inputs,
                    outputs: outputs, error: error, started: started, ended: status == .running ? nil : Date())
                try store.recordPipelineStep(record)
                options.progress?(record)
                return record
            }
            if failure != nil {
                statuses[id] = .blocked
                records.append(try record(.blocked, key: "", inputs: [:], error: "not run: an earlier step failed"))
                continue
            }
            if let blocker = step.needs.first(where: { statuses[$0] == .blocked || outputs[$0]?["passed"] == "false" && spec.step($0)?.uses == .gate }) {
                statuses[id] = .blocked
                let reason = statuses[blocker] == .blocked ? "not run: step \(blocker) did not run" : "not run: gate \(blocker) rejected the candidate"
                records.append(try record(.blocked, key: "", inputs: [:], error: reason))
                continue
            }
            var inputs: [String: String] = [:]
            var key = ""
            do {
                let resolved = try step.with.mapValues { value in
                    try value.resolved { source, output in
                        guard let text = outputs[source]?[output] else {
                            throw PipelineStepError(message: "step '\(source)' produced no output '\(output)'")
                        }
                        return text
                    }
                }
                inputs = resolved.mapValues(\.canonical)
                key = try cacheKey(step, resolved)
                if !options.force, let cached = try store.cachedPipelineStep(pipeline: spec.name, step: id, cacheKey: key) {
                    outputs[id] = cached.outputs
                    statuses[id] = .cached
                    records.append(try record(.cached, key: key, inputs: inputs, outputs: cached.outputs))
                    continue
                }
                _ = try record(.running, key: key, inputs: inputs)
                let context = StepContext(spec: spec, store: store, options: options, runID: run.id, step: step, with: resolved,
                                          outputs: outputs)
                let produced = try context.execute()
                outputs[id] = produced
                statuses[id] = .succeeded
                records.append(try record(.succeeded, key: key, inputs: inputs, outputs: produced))
                if step.uses == .gate, produced["passed"] == "false", rejection == nil {
                    rejection = "gate \(id) \(produced["report"] ?? "rejected the candidate")"
                }
            } catch {
                statuses[id] = .failed
                failure = "step \(id) (\(step.uses.rawValue)) failed: \(error)"
                records.append(try record(.failed, key: key, inputs: inputs, error: "\(error)"))
            }
        }
        let status: PipelineRunStatus = failure != nil ? .failed : rejection != nil ? .rejected : .succeeded
        try store.endPipelineRun(run.id, status: status, error: failure ?? rejection)
        return Outcome(run: try store.pipelineRun(run.id), steps: records)
    }

    /// sha256 of the step type, the resolved values, and the contents of every file a value names.
    func cacheKey(_ step: PipelineStep, _ with: [String: PipelineValue]) throws -> String {
        var text = "uses=\(step.uses.rawValue)\n"
        for name in with.keys.sorted() {
            text += "with.\(name)=\(with[name]!.canonical)\n"
            for path in Self.leaves(with[name]!) {
                let url = StepContext.url(path, folder: spec.folder)
                var isDirectory: ObjCBool = false
                guard !path.isEmpty, FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory),
                      !isDirectory.boolValue, let data = FileManager.default.contents(atPath: url.path) else { continue }
                text += "file.\(name).\(path)=\(Self.sha256(data))\n"
            }
        }
        if step.uses == .importData, with["include_watched"]?.text.map(Self.isTrue) == true,
           let directory = spec.triggers?.watchDirectory
        {
            for file in try WatchedData.files(in: directory, pattern: spec.triggers!.watchPattern) {
                text += "watched.\(file.lastPathComponent)=\(Self.sha256(try Data(contentsOf: file)))\n"
            }
        }
        return Self.sha256(Data(text.utf8))
    }

    static func leaves(_ value: PipelineValue) -> [String] {
        switch value {
        case .text(let text): return [text]
        case .list(let items): return items.flatMap(leaves)
        case .mapping(let fields): return fields.keys.sorted().flatMap { leaves(fields[$0]!) }
        }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).hexString
    }

    static func isTrue(_ text: String) -> Bool { ["true", "yes", "on"].contains(text.lowercased()) }
}
