import Foundation
import RingmasterCore

/// The store as a trial's training run sees it on a group leader other than world rank 0:
/// every write travels to the sweep coordinator, which applies it to the real store, so
/// only one process ever writes (SQLite never sees concurrent writers). Reads are not
/// needed by training and are refused.
///
/// Sendable: the channel serializes exchanges (the trainer's thread and its metric writer
/// both write).
final class RemoteStore: MetadataStore, Sendable {
    private let channel: CoordinatorChannel
    let location: String

    init(channel: CoordinatorChannel, location: String) {
        self.channel = channel
        self.location = location
    }

    private func call(_ call: StoreCall) throws -> Data {
        switch try channel.ask(.store(call)) {
        case .stored(let data): return data
        case .storeFailed(let reason): throw StoreError.unavailable(reason)
        default: throw StoreError.unavailable("unexpected reply from the sweep coordinator")
        }
    }

    private func decode<T: Decodable>(_ call: StoreCall) throws -> T {
        try JSONDecoder().decode(T.self, from: try self.call(call))
    }

    func createRun(experiment: String, name: String, params: [String: String], tags: [String: String],
                   environment: [String: String]) throws -> RunRecord {
        try decode(.createRun(experiment: experiment, name: name, params: params, tags: tags, environment: environment))
    }
    func logParams(run: String, _ params: [String: String]) throws { _ = try call(.logParams(run: run, params: params)) }
    func setTags(run: String, _ tags: [String: String]) throws { _ = try call(.setTags(run: run, tags: tags)) }
    func logMetrics(run: String, _ points: [MetricPoint]) throws { _ = try call(.logMetrics(run: run, points: points)) }
    func endRun(_ run: String, status: RunStatus, reason: String?) throws {
        _ = try call(.endRun(run: run, status: status, reason: reason))
    }
    func storeArtifact(run: String, name: String, kind: String, contents: Data) throws -> ArtifactRecord {
        try decode(.storeArtifact(run: run, name: name, kind: kind, contents: contents))
    }
    func recordDatasetVersion(_ version: NewDatasetVersion) throws -> DatasetVersionRecord {
        try decode(.recordDatasetVersion(version))
    }
    func addLineage(_ edge: LineageEdge) throws { _ = try call(.addLineage(edge)) }

    private func unavailable() -> StoreError { .unavailable("a sweep worker does not read the store") }
    func run(_ idOrPrefix: String) throws -> RunRecord { throw unavailable() }
    func runs(experiment: String?, limit: Int?) throws -> [RunRecord] { throw unavailable() }
    func metricHistory(run: String, key: String) throws -> [MetricPoint] { throw unavailable() }
    func latestMetrics(run: String) throws -> [String: MetricPoint] { throw unavailable() }
    func artifacts(run: String) throws -> [ArtifactRecord] { throw unavailable() }
    func artifactContents(_ artifact: ArtifactRecord) throws -> Data { throw unavailable() }
    func searchRuns(_ query: RunQuery) throws -> [RunRecord] { throw unavailable() }
    func experiments() throws -> [ExperimentRecord] { throw unavailable() }
    func datasetVersions(name: String?) throws -> [DatasetVersionRecord] { throw unavailable() }
    func lineageEdges(touching node: LineageNode) throws -> [LineageEdge] { throw unavailable() }
    func importRun(_ run: RunRecord, metrics: [MetricPoint]) throws { throw unavailable() }
    func createSweep(name: String, experiment: String, spec: String, objective: String,
                     direction: OptimizationDirection) throws -> SweepRecord { throw unavailable() }
    func setSweepStatus(_ sweep: String, _ status: SweepStatus) throws { throw unavailable() }
    func sweep(_ idOrPrefix: String) throws -> SweepRecord { throw unavailable() }
    func sweeps() throws -> [SweepRecord] { throw unavailable() }
    func recordTrial(_ trial: TrialRecord) throws { throw unavailable() }
    func recordIntermediate(sweep: String, trial: Int, resource: Int, value: Double) throws { throw unavailable() }
    func trials(sweep: String) throws -> [TrialRecord] { throw unavailable() }
    func registerModelVersion(_ version: NewModelVersion) throws -> ModelVersionRecord { throw unavailable() }
    func registeredModels() throws -> [RegisteredModelRecord] { throw unavailable() }
    func registeredModel(_ name: String) throws -> RegisteredModelRecord { throw unavailable() }
    func modelVersions(model: String) throws -> [ModelVersionRecord] { throw unavailable() }
    func modelVersion(model: String, version: Int) throws -> ModelVersionRecord { throw unavailable() }
    func modelVersion(model: String, alias: String) throws -> ModelVersionRecord { throw unavailable() }
    func modelAliases(model: String) throws -> [ModelAliasRecord] { throw unavailable() }
    func moveModelAlias(model: String, alias: String, to version: Int?, reason: String) throws -> ModelAliasEvent {
        throw unavailable()
    }
    func modelAliasEvents(model: String, alias: String?) throws -> [ModelAliasEvent] { throw unavailable() }
    func createPipelineRun(pipeline: String, specSHA256: String, trigger: String) throws -> PipelineRunRecord {
        throw unavailable()
    }
    func endPipelineRun(_ id: String, status: PipelineRunStatus, error: String?) throws { throw unavailable() }
    func recordPipelineStep(_ step: PipelineStepRecord) throws { throw unavailable() }
    func pipelineRun(_ idOrPrefix: String) throws -> PipelineRunRecord { throw unavailable() }
    func pipelineRuns(pipeline: String?, limit: Int?) throws -> [PipelineRunRecord] { throw unavailable() }
    func pipelineSteps(run: String) throws -> [PipelineStepRecord] { throw unavailable() }
    func cachedPipelineStep(pipeline: String, step: String, cacheKey: String) throws -> PipelineStepRecord? {
        throw unavailable()
    }
}
