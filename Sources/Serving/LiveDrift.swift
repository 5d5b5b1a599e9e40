import Foundation
import Monitoring
import RingmasterCore

/// The drift window of one served model version, fed after every answered request, with its
/// snapshot cached for a second so that `/metrics` scrapes and `/drift` calls stay cheap.
final class LiveDrift: Sendable {
    let window: DriftWindow
    /// Model input column of each profiled feature, or nil when they are the same order.
    private let columns: [Int]?
    private let cache = Locked<(time: ContinuousClock.Instant, snapshot: DriftWindow.Snapshot)?>(nil)
    let snapshotLifetime: Duration

    /// Nil when a profiled feature is not among the model's `inputs`.
    init?(profile: FeatureProfile, inputs: [String], capacity: Int, snapshotLifetime: Duration) {
        self.snapshotLifetime = snapshotLifetime
        let names = profile.features.map(\.name)
        if names == inputs {
            columns = nil
        } else {
            let positions = Dictionary(inputs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            var columns: [Int] = []
            for name in names {
                guard let column = positions[name] else { return nil }
                columns.append(column)
            }
            self.columns = columns
        }
        window = DriftWindow(profile: profile, capacity: capacity)
    }

    /// Records raw `values` (rows × model inputs) and what was predicted for them.
    func record(_ values: [Float], prediction: Prediction, requestID: String?) {
        let rows = prediction.rows
        let predicted: [Double]
        switch prediction.kind {
        case .classifier(let labels, _): predicted = labels.map(Double.init)
        case .regressor: predicted = (0..<rows).map { Double(prediction.outputs[$0 * prediction.width]) }
        }
        let ids = requestID.map { [$0] }
        if let columns {
            let width = values.count / max(rows, 1)
            var gathered: [Float] = []
            gathered.reserveCapacity(rows * columns.count)
            for row in 0..<rows { for column in columns { gathered.append(values[row * width + column]) } }
            gathered.withUnsafeBufferPointer { window.record(features: $0, count: rows, predictions: predicted, requestIDs: ids) }
        } else {
            values.withUnsafeBufferPointer { window.record(features: $0, count: rows, predictions: predicted, requestIDs: ids) }
        }
    }

    /// The window's snapshot, recomputed at most once per ``snapshotLifetime``; a label
    /// posted since invalidates it.
    func snapshot() -> DriftWindow.Snapshot {
        let now = ContinuousClock.now
        if let cached = cache.current, cached.time.duration(to: now) < snapshotLifetime { return cached.snapshot }
        let snapshot = window.snapshot()
        cache.withLock { $0 = (now, snapshot) }
        return snapshot
    }

    /// Scores a label and drops the cached snapshot so accuracy shows it at once.
    func label(requestID: String, label: String) throws(DriftWindow.LabelError) -> Bool {
        let correct = try window.label(requestID: requestID, label: label)
        cache.withLock { $0 = nil }
        return correct
    }
}
