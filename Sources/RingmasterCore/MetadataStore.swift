import Foundation

/// Lifecycle state of a run.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case running, finished, failed, killed
}

/// A run as recorded in the store.
public struct RunRecord: Codable, Sendable, Equatable {
    /// 32 lowercase hex digits; any unique prefix of at least 4 resolves it.
    public var id: String
    public var experiment: String
    public var name: String
    public var status: RunStatus
    public var startTime: Date
    public var endTime: Date?
    /// Hyperparameters and settings; immutable once set.
    public var params: [String: String]
    public var tags: [String: String]
    /// Captured environment: host, MPI world size, BLAS library, git commit, command line.
    public var environment: [String: String]
    /// The reason a failed run failed.
    public var failureReason: String?

    public init(
        id: String, experiment: String, name: String, status: RunStatus, startTime: Date,
        endTime: Date? = nil, params: [String: String] = [:], tags: [String: String] = [:],
        environment: [String: String] = [:], failureReason: String? = nil
    ) {
        self.id = id
        self.experiment = experiment
        self.name = name
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.params = params
        self.tags = tags
        self.environment = environment
        self.failureReason = failureReason
    }
}

/// One point of a metric series. `value` may be NaN or infinite and is kept as such.
public struct MetricPoint: Codable, Sendable, Equatable {
    public var key: String
    public var step: Int
    public var value: Double
    public var timestamp: Date

    public init(key: String, step: Int, value: Double, timestamp: Date = Date()) {
        self.key = key
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (a: MetricPoint, b: MetricPoint) -> Bool {
        a.key == b.key && a.step == b.step && a.timestamp == b.timestamp
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// A file attached to a run, stored once by content (sha256).
public struct ArtifactRecord: Codable, Sendable, Equatable {
    public var runID: String
    /// Name within the run, e.g. `model.rmm`.
    public var name: String
    /// What the file is: `model`, `checkpoint`, `timeline`, …
    public var kind: String
    /// Lowercase hex sha256 of the contents.
    public var sha256: String
    public var size: Int
    public var created: Date

    public init(runID: String, name: String, kind: String, sha256: String, size: Int, created: Date) {
        self.runID = runID
        self.name = name
        self.kind = kind
        self.sha256 = sha256
        self.size = size
        self.created = created
    }
}

/// The metadata store: runs, params, metrics and artifacts.
///
/// Contract: only one process writes to a store at a time for a given run (the
/// rank-0 process of a job); methods may be called from any thread and are
/// serialized by the implementation. Every method throws ``StoreError`` for
/// problems the caller can act on (unknown run, changed parameter, corrupt artifact)
/// and passes through I/O errors from the backend.
public protocol MetadataStore: AnyObject, Sendable {
    /// Where the store lives, for messages (a path or a redacted URL).
    var location: String { get }

    /// Creates a run in `experiment` (created if new) with status `running`.
    func createRun(
        experiment: String, name: String, params: [String: String], tags: [String: String],
        environment: [String: String]
    ) throws -> RunRecord
    /// Adds parameters; a key that is already set with a different value is an error.
    func logParams(run: String, _ params: [String: String]) throws
    /// Sets or replaces tags.
    func setTags(run: String, _ tags: [String: String]) throws
    /// Appends metric points in one transaction.
    func logMetrics(run: String, _ points: [MetricPoint]) throws
    /// Marks a run finished, failed or killed, with the failure reason if any.
    func endRun(_ run: String, status: RunStatus, reason: String?) throws
    /// Stores `contents` by sha256 (never overwriting existing content) and links it to the run.
    func storeArtifact(run: String, name: String, kind: String, contents: Data) throws -> ArtifactRecord

    /// The run with this id or unique id prefix.
    func run(_ idOrPrefix: String) throws -> RunRecord
    /// Runs, newest first, optionally in one experiment.
    func runs(experiment: String?, limit: Int?) throws -> [RunRecord]
    /// The whole series of one metric, by step.
    func metricHistory(run: String, key: String) throws -> [MetricPoint]
    /// The last point of every metric of a run.
    func latestMetrics(run: String) throws -> [String: MetricPoint]
    /// The artifacts of a run.
    func artifacts(run: String) throws -> [ArtifactRecord]
    /// The contents of an artifact, verified against its sha256.
    func artifactContents(_ artifact: ArtifactRecord) throws -> Data

    /// Runs matching `query` (filter, order, limit; see ``RunQuery``).
    func searchRuns(_ query: RunQuery) throws -> [RunRecord]
    /// All experiments, by name.
    func experiments() throws -> [ExperimentRecord]

    /// Records a dataset version (or returns the existing one with the same name and fingerprint).
    func recordDatasetVersion(_ version: NewDatasetVersion) throws -> DatasetVersionRecord
    /// Versions of one dataset (or of all, when `name` is nil), oldest first.
    func datasetVersions(name: String?) throws -> [DatasetVersionRecord]

    /// Adds a lineage edge; adding an edge that exists is not an error.
    func addLineage(_ edge: LineageEdge) throws
    /// Edges whose source or target is `node`.
    func lineageEdges(touching node: LineageNode) throws -> [LineageEdge]

    /// Stores a run recorded elsewhere (e.g. by MLflow) as it was: id, times, status,
    /// params, tags and metric history. A run with the same id already here is an error.
    func importRun(_ run: RunRecord, metrics: [MetricPoint]) throws

    /// Creates a sweep with status `running`.
    func createSweep(
        name: String, experiment: String, spec: String, objective: String, direction: OptimizationDirection
    ) throws -> SweepRecord
    /// Sets a sweep's status (and its end time unless `running`, which reopens it for `--resume`).
    func setSweepStatus(_ sweep: String, _ status: SweepStatus) throws
    /// The sweep with this id or unique id prefix.
    func sweep(_ idOrPrefix: String) throws -> SweepRecord
    /// All sweeps, newest first.
    func sweeps() throws -> [SweepRecord]
    /// Creates or replaces trial `trial.number` of its sweep, intermediate values included.
    func recordTrial(_ trial: TrialRecord) throws
    /// Adds one intermediate value to a trial (replacing one at the same resource).
    func recordIntermediate(sweep: String, trial: Int, resource: Int, value: Double) throws
    /// The trials of a sweep, by number.
    func trials(sweep: String) throws -> [TrialRecord]
    /// Stores several runs recorded elsewhere, each as ``importRun(_:metrics:)`` does, in as
    /// few transactions as the backend can: for bulk loads such as benchmark set-up. A run
    /// whose id is already here is an error; a backend that writes one transaction then
    /// stores none of the runs, the default (one ``importRun(_:metrics:)`` each) keeps the
    /// runs before it.
    func importRuns(_ runs: [(run: RunRecord, metrics: [MetricPoint])]) throws

    // MARK: Model registry (see ``ModelRegistry`` for registering from a run and rollback)

    /// Records the next version of `version.model` (creating the model when new) in one
    /// transaction: concurrent registrations, from any process, get distinct numbers.
    /// Throws ``StoreError/invalidModelName(_:)`` and ``StoreError/unknownRun(_:)``.
    func registerModelVersion(_ version: NewModelVersion) throws -> ModelVersionRecord
    /// Every registered model, by name.
    func registeredModels() throws -> [RegisteredModelRecord]
    /// The model called `name`; ``StoreError/unknownModel(_:)`` when there is none.
    func registeredModel(_ name: String) throws -> RegisteredModelRecord
    /// The versions of a model, oldest first; ``StoreError/unknownModel(_:)`` when there is none.
    func modelVersions(model: String) throws -> [ModelVersionRecord]
    /// One version, in one query; ``StoreError/unknownModel(_:)`` or ``StoreError/unknownModelVersion(model:version:)``.
    func modelVersion(model: String, version: Int) throws -> ModelVersionRecord
    /// The version `alias` points at, in one query; ``StoreError/unknownModel(_:)`` or
    /// ``StoreError/unknownModelAlias(model:alias:)``.
    func modelVersion(model: String, alias: String) throws -> ModelVersionRecord
    /// The aliases of a model, by name.
    func modelAliases(model: String) throws -> [ModelAliasRecord]
    /// Points `alias` at `version`, or deletes it when `version` is nil, and records the move
    /// as an event, in one transaction. Setting an alias to the version it already has still
    /// records an event. Throws ``StoreError/unknownModelVersion(model:version:)``, or
    /// ``StoreError/unknownModelAlias(model:alias:)`` when deleting an alias that is not set.
    func moveModelAlias(model: String, alias: String, to version: Int?, reason: String) throws -> ModelAliasEvent
    /// Every move of the model's aliases (of one alias when `alias` is given), oldest first.
    func modelAliasEvents(model: String, alias: String?) throws -> [ModelAliasEvent]

    // MARK: Pipelines (see the `Pipelines` module)

    /// Creates a pipeline run with status `running`.
    func createPipelineRun(pipeline: String, specSHA256: String, trigger: String) throws -> PipelineRunRecord
    /// Ends a pipeline run with its status and, for a failed or rejected run, why.
    func endPipelineRun(_ id: String, status: PipelineRunStatus, error: String?) throws
    /// Creates or replaces the record of `step.step` in its run (a step is recorded when it
    /// starts and again when it ends). ``StoreError/unknownPipelineRun(_:)`` for an unknown run.
    func recordPipelineStep(_ step: PipelineStepRecord) throws
    /// The pipeline run with this id or unique id prefix.
    func pipelineRun(_ idOrPrefix: String) throws -> PipelineRunRecord
    /// Pipeline runs, newest first, of one pipeline or of all.
    func pipelineRuns(pipeline: String?, limit: Int?) throws -> [PipelineRunRecord]
    /// The steps of a pipeline run in the order they started.
    func pipelineSteps(run: String) throws -> [PipelineStepRecord]
    /// The newest execution of `step` in any run of `pipeline` that ended `succeeded` or
    /// `cached` with this cache key: the outputs an unchanged step reuses.
    func cachedPipelineStep(pipeline: String, step: String, cacheKey: String) throws -> PipelineStepRecord?
}

/// A problem with a store request that the caller can act on.
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No run has this id or prefix.
    case unknownRun(String)
    /// A prefix matches several runs; give more digits.
    case ambiguousRun(String, matches: Int)
    /// A parameter was already recorded with another value; parameters are immutable.
    case parameterChanged(run: String, key: String, old: String, new: String)
    /// Stored artifact bytes no longer match their sha256.
    case corruptArtifact(name: String, expected: String, actual: String)
    /// The run already ended; it cannot be written to.
    case runEnded(String)
    /// The store location cannot be opened.
    case unavailable(String)
    /// The store was written by a newer Ringmaster whose schema this one does not know.
    case newerSchema(location: String, migration: String)
    /// An artifact name that could escape the artifact root or is otherwise unusable.
    case invalidArtifactName(String)
    /// The run already has an artifact of this name with other contents; artifacts are never overwritten.
    case artifactExists(run: String, name: String)
    /// No dataset version matches the reference.
    case unknownDataset(String)
    /// A run with this id already exists (import).
    case duplicateRun(String)
    /// A search that cannot be run as asked, e.g. a metric compared with text.
    case invalidQuery(String)
    /// No sweep matches the id or prefix.
    case unknownSweep(String)
    /// No registered model has this name.
    case unknownModel(String)
    /// The model has no version with this number.
    case unknownModelVersion(model: String, version: Int)
    /// The model has no alias with this name.
    case unknownModelAlias(model: String, alias: String)
    /// A run without a `model` artifact cannot be registered.
    case noModelArtifact(run: String, status: String)
    /// A model or alias name with characters other than letters, digits, `-`, `_` and `.`.
    case invalidModelName(String)
    /// No pipeline run matches the id or prefix.
    case unknownPipelineRun(String)

    public var description: String {
        switch self {
        case .unknownRun(let id): return "no run matches '\(id)'"
        case .ambiguousRun(let id, let matches): return "run id prefix '\(id)' matches \(matches) runs; give more digits"
        case .parameterChanged(let run, let key, let old, let new):
            return "parameter '\(key)' of run \(run) is already '\(old)' and cannot change to '\(new)'"
        case .corruptArtifact(let name, let expected, let actual):
            return "artifact '\(name)' is corrupt: sha256 \(actual), expected \(expected)"
        case .runEnded(let id): return "run \(id) has already ended"
        case .unavailable(let reason): return "metadata store unavailable: \(reason)"
        case .newerSchema(let location, let migration):
            return "\(location) was written by a newer Ringmaster (schema step '\(migration)' is unknown here); upgrade ringmaster to open it"
        case .invalidArtifactName(let name):
            return "artifact name '\(name)' is not allowed: use letters, digits, '.', '_', '-' and '/' between parts, no '..' and no leading '/'"
        case .artifactExists(let run, let name):
            return "run \(run) already has an artifact '\(name)' with other contents; artifacts are never overwritten"
        case .unknownDataset(let reference): return "no dataset version matches '\(reference)'"
        case .duplicateRun(let id): return "a run with id \(id) already exists in this store"
        case .invalidQuery(let reason): return "invalid search: \(reason)"
        case .unknownSweep(let id): return "no sweep matches '\(id)'"
        case .unknownModel(let name): return "no registered model is named '\(name)'"
        case .unknownModelVersion(let model, let version): return "model '\(model)' has no version \(version)"
        case .unknownModelAlias(let model, let alias): return "model '\(model)' has no alias '\(alias)'"
        case .noModelArtifact(let run, let status):
            return "run \(run) has no model artifact (status: \(status)); only a run that stored its model (a finished training) can be registered"
        case .invalidModelName(let name):
            return "'\(name)' is not a valid model or alias name: use letters, digits, '-', '_' and '.' (at most 128), starting with a letter or digit"
        case .unknownPipelineRun(let id): return "no pipeline run matches '\(id)'"
        }
    }
}

extension MetadataStore {
    public func importRuns(_ runs: [(run: RunRecord, metrics: [MetricPoint])]) throws {
        for (run, metrics) in runs { try importRun(run, metrics: metrics) }
    }

    /// The dataset version `NAME:VERSION`, `NAME` (its latest version) or a fingerprint prefix (≥ 8 hex digits).
    public func datasetVersion(_ reference: String) throws -> DatasetVersionRecord {
        if let colon = reference.lastIndex(of: ":"), let version = Int(reference[reference.index(after: colon)...]) {
            let name = String(reference[..<colon])
            if let match = try datasetVersions(name: name).first(where: { $0.version == version }) { return match }
            throw StoreError.unknownDataset(reference)
        }
        if let latest = try datasetVersions(name: reference).last { return latest }
        let prefix = reference.lowercased()
        if prefix.count >= 8, prefix.allSatisfy(\.isHexDigit) {
            let matches = try datasetVersions(name: nil).filter { $0.fingerprint.hasPrefix(prefix) }
            if let first = matches.first, Set(matches.map(\.fingerprint)).count == 1 { return first }
        }
        throw StoreError.unknownDataset(reference)
    }

    /// Checks an artifact name: relative, `/`-separated parts of letters, digits, `.`, `_`, `-`,
    /// no `.` or `..` part, at most 255 characters. Backends call it before storing.
    public static func validateArtifactName(_ name: String) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 255,
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(allowed.contains) })
        else { throw StoreError.invalidArtifactName(name) }
    }
}
