import Foundation
import RingmasterCore

/// What rank 0 writes about a training run besides its metrics: the run with its params
/// and environment, the exact resolved configuration (so the run can be reproduced), the
/// dataset version it read, and lineage from that version to the run to its model.
public struct RunRecorder {
    let store: any MetadataStore

    /// Creates the run and records its inputs; returns the run id.
    func start(
        config: TrainingConfiguration, data: TrainingData, params: [String: String], fingerprint: String,
        environment: [String: String], tags extraTags: [String: String], parent: String?
    ) throws -> String {
        let dataset = try store.recordDatasetVersion(NewDatasetVersion(
            name: config.datasetName, fingerprint: data.fingerprint, schema: data.schema, rows: data.rows,
            source: config.data.path))
        let run = try store.createRun(
            experiment: config.experiment, name: "\(config.experiment)-\(fingerprint.prefix(8))", params: params,
            tags: extraTags.merging([
                "ringmaster.source": "train",
                "ringmaster.data.fingerprint": data.fingerprint,
                "ringmaster.data.version": dataset.reference,
                "ringmaster.config_fingerprint": fingerprint,
            ]) { _, ours in ours },
            environment: environment)
        _ = try store.storeArtifact(run: run.id, name: Self.configArtifact, kind: "config", contents: Data(config.yaml.utf8))
        try store.addLineage(LineageEdge(source: dataset.node, target: .run(run.id), relation: .input))
        if let parent { try store.addLineage(LineageEdge(source: .run(parent), target: .run(run.id), relation: .parent)) }
        return run.id
    }

    /// Records the model file as the run's output and the fingerprint of its final weights.
    func finish(runID: String, model: Data, weightsSHA256: String) throws {
        let artifact = try store.storeArtifact(run: runID, name: Self.modelArtifact, kind: "model", contents: model)
        try store.addLineage(LineageEdge(source: .run(runID), target: .artifact(run: runID, name: artifact.name), relation: .output))
        try store.setTags(run: runID, ["ringmaster.weights_sha256": weightsSHA256])
    }

    /// The resolved configuration, as YAML with every key; `runs reproduce` trains from it.
    public static let configArtifact = "config.yaml"
    public static let modelArtifact = "model.rmm"
}
