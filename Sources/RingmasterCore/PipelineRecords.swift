import Foundation

/// How a pipeline run ended.
public enum PipelineRunStatus: String, Codable, Sendable, CaseIterable {
    /// Steps are still running (or the process running them died).
    case running
    /// Every step succeeded or was reused from the cache.
    case succeeded
    /// A step failed; the steps after it did not run.
    case failed
    /// A gate rejected the candidate; the steps that need the gate did not run.
    case rejected
}

/// What happened to one step of a pipeline run.
public enum PipelineStepStatus: String, Codable, Sendable, CaseIterable {
    case running
    /// The step ran and succeeded.
    case succeeded
    /// An earlier execution with the same cache key succeeded; its outputs were reused.
    case cached
    /// The step failed; `error` says why.
    case failed
    /// Not run: a step it needs failed, or a gate it needs rejected the candidate.
    case blocked
}

/// One execution of a pipeline, as recorded in the store.
public struct PipelineRunRecord: Codable, Sendable, Equatable {
    /// 32 lowercase hex digits; any unique prefix of at least 4 resolves it.
    public var id: String
    /// The pipeline's `name:`.
    public var pipeline: String
    /// sha256 of the pipeline file's text.
    public var specSHA256: String
    public var status: PipelineRunStatus
    /// What started it: `manual`, `watch: 2 new files, 300 rows`, `drift: …`, `interval`.
    public var trigger: String
    public var started: Date
    public var ended: Date?
    /// Why a failed or rejected run ended that way.
    public var error: String?

    public init(
        id: String, pipeline: String, specSHA256: String, status: PipelineRunStatus, trigger: String, started: Date,
        ended: Date? = nil, error: String? = nil
    ) {
        self.id = id
        self.pipeline = pipeline
        self.specSHA256 = specSHA256
        self.status = status
        self.trigger = trigger
        self.started = started
        self.ended = ended
        self.error = error
    }
}

/// One step of a pipeline run: what it was given, what it produced, and whether it ran.
public struct PipelineStepRecord: Codable, Sendable, Equatable {
    public var runID: String
    /// The step's id in the pipeline (its key under `steps:`).
    public var step: String
    /// The step type (`train`, `gate`, …).
    public var uses: String
    public var status: PipelineStepStatus
    /// sha256 over the step type, its resolved `with:` values and the contents of its input files.
    public var cacheKey: String
    /// The resolved `with:` values (references to earlier steps replaced by their outputs).
    public var inputs: [String: String]
    /// What the step produced (`run_id`, `version`, `passed`, …).
    public var outputs: [String: String]
    public var error: String?
    public var started: Date
    public var ended: Date?

    public init(
        runID: String, step: String, uses: String, status: PipelineStepStatus, cacheKey: String,
        inputs: [String: String], outputs: [String: String] = [:], error: String? = nil, started: Date, ended: Date? = nil
    ) {
        self.runID = runID
        self.step = step
        self.uses = uses
        self.status = status
        self.cacheKey = cacheKey
        self.inputs = inputs
        self.outputs = outputs
        self.error = error
        self.started = started
        self.ended = ended
    }
}
