import Foundation
import RingmasterCore

/// A store that forwards to another and fails the next writes on demand, to test how
/// callers survive a store that is full, locked or disconnected.
public final class FaultInjectingStore: MetadataStore, @unchecked Sendable {
    // Invariant: `failures` and `attempts` are only touched with `lock` held.
    private let base: any MetadataStore
    private let lock = NSLock()
    private var failures = 0
    private var attempts = 0

    public init(base: any MetadataStore) { self.base = base }

    /// Makes the next `count` metric writes throw.
    public func failNextWrites(_ count: Int) {
        lock.withLock { failures = count }
    }

    /// How many metric writes were attempted, failed or not.
    public var writeAttempts: Int { lock.withLock { attempts } }

    private func maybeFail() throws {
        try lock.withLock {
            attempts += 1
            if failures > 0 {
                failures -= 1
                throw StoreError.unavailable("injected failure: disk full")
            }
        }
    }

    public var location: String { base.location }
    public func createRun(experiment: String, name: String, params: [String: String], tags: [String: String],
                          environment: [String: String]) throws -> RunRecord {
        try base.createRun(experiment: experiment, name: name, params: params, tags: tags, environment: environment)
    }
    public func logParams(run: String, _ params: [String: String]) throws { try base.logParams(run: run, params) }
    public func setTags(run: String, _ tags: [String: String]) throws { try base.setTags(run: run, tags) }
    public func logMetrics(run: String, _ points: [MetricPoint]) throws {
        try maybeFail()
        try base.logMetrics(run: run, points)
    }
    public func endRun(_ run: String, status: RunStatus, reason: String?) throws { try base.endRun(run, status: status, reason: reason) }
    public func storeArtifact(run: String, name: String, kind: String, contents: Data) throws -> ArtifactRecord {
        try base.storeArtifact(run: run, name: name, kind: kind, contents: contents)
    }
    public func run(_ idOrPrefix: String) throws -> RunRecord { try base.run(idOrPrefix) }
    public func runs(experiment: String?, limit: Int?) throws -> [RunRecord] { try base.runs(experiment: experiment, limit: limit) }
    public func metricHistory(run: String, key: String) throws -> [MetricPoint] { try base.metricHistory(run: run, key: key) }
    public func latestMetrics(run: String) throws -> [String: MetricPoint] { try base.latestMetrics(run: run) }
    public func artifacts(run: String) throws -> [ArtifactRecord] { try base.artifacts(run: run) }
    public func artifactContents(_ artifact: ArtifactRecord) throws -> Data { try base.artifactContents(artifact) }
    public func searchRuns(_ query: RunQuery) throws -> [RunRecord] { try base.searchRuns(query) }
    public func experiments() throws -> [ExperimentRecord] { try base.experiments() }
    public func recordDatasetVersion(_ version: NewDatasetVersion) throws -> DatasetVersionRecord {
        try base.recordDatasetVersion(version)
    }
    public func datasetVersions(name: String?) throws -> [DatasetVersionRecord] { try base.datasetVersions(name: name) }
    public func addLineage(_ edge: LineageEdge) throws { try base.addLineage(edge) }
    public func lineageEdges(touching node: LineageNode) throws -> [LineageEdge] { try base.lineageEdges(touching: node) }
    public func importRun(_ run: RunRecord, metrics: [MetricPoint]) throws { try base.importRun(run, metrics: metrics) }
    public func createSweep(
        name: String, experiment: String, spec: String, objective: String, direction: OptimizationDirection
    ) throws -> SweepRecord {
        try base.createSweep(name: name, experiment: experiment, spec: spec, objective: objective, direction: direction)
    }
    public func setSweepStatus(_ sweep: String, _ status: SweepStatus) throws { try base.setSweepStatus(sweep, status) }
    public func sweep(_ idOrPrefix: String) throws -> SweepRecord { try base.sweep(idOrPrefix) }
    public func sweeps() throws -> [SweepRecord] { try base.sweeps() }
    public func recordTrial(_ trial: TrialRecord) throws { try base.recordTrial(trial) }
    public func recordIntermediate(sweep: String, trial: Int, resource: Int, value: Double) throws {
        try base.recordIntermediate(sweep: sweep, trial: trial, resource: resource, value: value)
    }
    public func trials(sweep: String) throws -> [TrialRecord] { try base.trials(sweep: sweep) }
    public func registerModelVersion(_ version: NewModelVersion) throws -> ModelVersionRecord {
        try base.registerModelVersion(version)
    }
    public func registeredModels() throws -> [RegisteredModelRecord] { try base.registeredModels() }
    public func registeredModel(_ name: String) throws -> RegisteredModelRecord { try base.registeredModel(name) }
    public func modelVersions(model: String) throws -> [ModelVersionRecord] { try base.modelVersions(model: model) }
    public func modelVersion(model: String, version: Int) throws -> ModelVersionRecord {
        try base.modelVersion(model: model, version: version)
    }
    public func modelVersion(model: String, alias: String) throws -> ModelVersionRecord {
        try base.modelVersion(model: model, alias: alias)
    }
    public func modelAliases(model: String) throws -> [ModelAliasRecord] { try base.modelAliases(model: model) }
    public func moveModelAlias(model: String, alias: String, to version: Int?, reason: String) throws -> ModelAliasEvent {
        try base.moveModelAlias(model: model, alias: alias, to: version, reason: reason)
    }
    public func modelAliasEvents(model: String, alias: String?) throws -> [ModelAliasEvent] {
        try base.modelAliasEvents(model: model, alias: alias)
    }
    public func createPipelineRun(pipeline: String, specSHA256: String, trigger: String) throws -> PipelineRunRecord {
        try base.createPipelineRun(pipeline: pipeline, specSHA256: specSHA256, trigger: trigger)
    }
    public func endPipelineRun(_ id: String, status: PipelineRunStatus, error: String?) throws {
        try base.endPipelineRun(id, status: status, error: error)
    }
    public func recordPipelineStep(_ step: PipelineStepRecord) throws { try base.recordPipelineStep(step) }
    public func pipelineRun(_ idOrPrefix: String) throws -> PipelineRunRecord { try base.pipelineRun(idOrPrefix) }
    public func pipelineRuns(pipeline: String?, limit: Int?) throws -> [PipelineRunRecord] {
        try base.pipelineRuns(pipeline: pipeline, limit: limit)
    }
    public func pipelineSteps(run: String) throws -> [PipelineStepRecord] { try base.pipelineSteps(run: run) }
    public func cachedPipelineStep(pipeline: String, step: String, cacheKey: String) throws -> PipelineStepRecord? {
        try base.cachedPipelineStep(pipeline: pipeline, step: step, cacheKey: cacheKey)
    }
}
