import Crypto
import Foundation
import Learning
import Monitoring
import RingmasterCore

/// One loaded, verified model version in one variant: what it is, its batch runner and its
/// metrics. Immutable; a hot swap replaces the whole object.
final class ServedModel: Sendable {
    let name: String
    let version: String
    let sha256: String
    let variant: String
    let task: ModelTask
    let featureNames: [String]
    /// Class names by index for classifiers; nil for regressors.
    let classes: [String]?
    /// Values per output row: class count (2 for binary classifiers) or regression outputs.
    let outputWidth: Int
    let runner: BatchRunner
    let metrics: VersionMetrics
    /// Live inputs and predictions against the training profile; nil when the model file has
    /// no profile (or a profiled feature is not an input) or windows are off. A hot swap
    /// loads a new `ServedModel`, so a new version starts with an empty window.
    let drift: LiveDrift?

    /// Checks `bytes` against the sha256 the catalog recorded, decodes and verifies the
    /// model file, then builds its runner.
    init(
        resolved: ResolvedModel, bytes: Data, variant: String, maxBatch: Int, maxDelay: Duration,
        metrics serving: ServingMetrics, driftWindow: Int = 0, driftSnapshotLifetime: Duration = .seconds(1)
    ) throws {
        let actual = SHA256.hash(data: bytes).hexString
        guard actual == resolved.sha256.lowercased() else {
            throw ModelLoadError(
                reference: resolved.name,
                message: "sha256 mismatch: recorded \(resolved.sha256.prefix(12)), file has \(actual.prefix(12))")
        }
        let file = try ModelFile.decode(bytes, source: "\(resolved.name) version \(resolved.version)")
        name = resolved.name
        version = resolved.version
        sha256 = actual
        self.variant = variant
        task = file.task
        featureNames = file.featureNames
        classes = file.task == .classification ? file.classLabels : nil
        outputWidth = file.task == .classification && file.architecture.outputs == 1 ? 2 : file.architecture.outputs
        let metrics = VersionMetrics(metrics: serving, model: name, version: version, variant: variant, sha256: actual)
        self.metrics = metrics
        let batchSize = metrics.batchSize
        drift = driftWindow > 0 ? file.profile.flatMap { LiveDrift(profile: $0, inputs: file.featureNames, capacity: driftWindow, snapshotLifetime: driftSnapshotLifetime) } : nil
        runner = try BatchRunner(model: file, maxBatch: maxBatch, maxDelay: maxDelay) { rows in batchSize.record(rows) }
    }

    /// Predicts the rows of `input`; nil when this version was swapped out meanwhile. The raw
    /// rows and predictions go to the drift window, under `requestID` for a one-row request
    /// (so a label posted later can be scored).
    func predict(_ input: InferenceInput, requestID: String? = nil) async throws(ServingError) -> Prediction? {
        let values = try input.matrix(featureNames: featureNames)
        let prediction = await runner.submit(values, rows: input.rows)
        if let prediction, let drift { drift.record(values, prediction: prediction, requestID: input.rows == 1 ? requestID : nil) }
        return prediction
    }
}
