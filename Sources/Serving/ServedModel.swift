import Crypto
import Foundation
import Learning

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

    /// Checks `bytes` against the sha256 the catalog recorded, decodes and verifies the
    /// model file, then builds its runner.
    init(
        resolved: ResolvedModel, bytes: Data, variant: String, maxBatch: Int, maxDelay: Duration,
        metrics serving: ServingMetrics
    ) throws {
        let actual = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
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
        runner = try BatchRunner(model: file, maxBatch: maxBatch, maxDelay: maxDelay) { rows in batchSize.record(rows) }
    }

    /// Predicts the rows of `input`; nil when this version was swapped out meanwhile.
    func predict(_ input: InferenceInput) async throws(ServingError) -> Prediction? {
        let values = try input.matrix(featureNames: featureNames)
        return await runner.submit(values, rows: input.rows)
    }
}
