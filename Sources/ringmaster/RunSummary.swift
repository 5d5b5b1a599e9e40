import Foundation
import RingmasterCore
import Training

/// The human-readable summary printed at the end of `ringmaster train`.
enum RunSummary {
    static func text(_ result: TrainingResult, store: (any MetadataStore)?) -> String {
        var lines = ["run \(result.runID) finished"]
        var metrics = String(format: "  validation loss %.4f", result.validation.loss)
        if let accuracy = result.validation.accuracy { metrics += String(format: ", accuracy %.4f", accuracy) }
        if let r2 = result.validation.r2 { metrics += String(format: ", r2 %.4f", r2) }
        lines.append(metrics)
        lines.append(String(
            format: "  %d epochs, %d steps on %d rank%@ in %.1f s (%.0f samples/s)", result.epochs, result.steps,
            result.ranks, result.ranks == 1 ? "" : "s", result.seconds, result.samplesPerSecond))
        lines.append("  model \(result.modelPath)")
        lines.append("  sha256 \(result.modelSHA256)")
        if let store { lines.append("  store \(store.location)  (ringmaster runs show \(result.runID.prefix(8)))") }
        return lines.joined(separator: "\n")
    }
}
