import Foundation
import RingmasterCore
import Synchronization

/// The most recent inputs a served model answered, its predictions, and the labels that came
/// back later, for live drift and accuracy. Thread-safe: request handlers record into it
/// while a metrics scrape reads a report.
///
/// It holds the last `capacity` rows in a ring (raw feature values, as the client sent them,
/// and the predicted class or value), plus the predicted class of the last `capacity`
/// request ids so a label posted later can be scored. Accuracy is over the last `capacity`
/// labelled requests.
public final class DriftWindow: Sendable {
    public let capacity: Int
    public let featureNames: [String]
    private let profile: FeatureProfile
    private let detector: DriftDetector
    private let state: Mutex<State>

    private struct State {
        /// (capacity, features) raw values, row-major ring.
        var rows: [Float]
        var predictions: [Double]
        var next = 0
        var filled = 0
        var total = 0
        /// Request id → predicted class index, oldest first out.
        var pending: RecentEntries<Int>
        /// Ring of 1 (correct) / 0 (wrong) for the last labelled requests.
        var outcomes: [UInt8]
        var outcomeNext = 0
        var outcomeFilled = 0
        var labelled = 0
    }

    /// Why a label was not scored.
    public enum LabelError: Error, Equatable, CustomStringConvertible {
        case unknownRequest(String)
        case unknownClass(String)

        public var description: String {
            switch self {
            case .unknownRequest(let id): return "no recent prediction has request id '\(id)' (or it was labelled already)"
            case .unknownClass(let label): return "'\(label)' is not one of the model's classes"
            }
        }
    }

    public init(profile: FeatureProfile, capacity: Int = 1000, thresholds: DriftThresholds = DriftThresholds()) {
        precondition(capacity > 0, "a window holds at least one row")
        self.capacity = capacity
        self.profile = profile
        featureNames = profile.features.map(\.name)
        detector = DriftDetector(thresholds: thresholds)
        state = Mutex(State(
            rows: [Float](repeating: 0, count: capacity * profile.features.count),
            predictions: [Double](repeating: 0, count: capacity), pending: RecentEntries(capacity: capacity),
            outcomes: [UInt8](repeating: 0, count: capacity)))
    }

    /// Records `count` rows of raw `features` (row-major, in ``featureNames`` order) and their
    /// predictions: class indices for classification, values for regression. With
    /// `requestIDs` (one per row), a label posted later for that id is scored.
    public func record(features: UnsafeBufferPointer<Float>, count: Int, predictions: [Double], requestIDs: [String]? = nil) {
        let width = featureNames.count
        precondition(features.count >= count * width && predictions.count == count)
        state.withLock { s in
            for row in 0..<count {
                let target = s.next * width
                for j in 0..<width { s.rows[target + j] = features[row * width + j] }
                s.predictions[s.next] = predictions[row]
                s.next = (s.next + 1) % capacity
                s.filled = Swift.min(s.filled + 1, capacity)
                s.total += 1
                if let id = requestIDs?[row] { s.pending.insert(Int(predictions[row]), forKey: id) }
            }
        }
    }

    /// Scores the prediction made for `requestID` against the true `label` (a class name);
    /// returns whether it was right.
    @discardableResult
    public func label(requestID: String, label: String) throws(LabelError) -> Bool {
        guard case .classes(let names, _)? = profile.labels ?? profile.predictions,
              let index = names.firstIndex(of: label)
        else { throw .unknownClass(label) }
        return try state.withLock { s throws(LabelError) -> Bool in
            guard let predicted = s.pending.removeValue(forKey: requestID) else { throw .unknownRequest(requestID) }
            let correct = predicted == index
            s.outcomes[s.outcomeNext] = correct ? 1 : 0
            s.outcomeNext = (s.outcomeNext + 1) % capacity
            s.outcomeFilled = Swift.min(s.outcomeFilled + 1, capacity)
            s.labelled += 1
            return correct
        }
    }

    /// What the window holds now.
    public struct Snapshot: Codable, Sendable, Equatable {
        /// Rows in the window (at most its capacity) and rows ever recorded.
        public var rows: Int
        public var totalRows: Int
        /// Accuracy over the labelled requests in the window, and how many there are.
        public var accuracy: Double?
        public var labelled: Int
        /// Drift of the window against the training profile; nil while the window is empty.
        public var drift: DriftReport?
    }

    /// Drift of the rows in the window against the training profile, and live accuracy.
    public func snapshot() -> Snapshot {
        let width = featureNames.count
        let (rows, predictions, filled, total, outcomes, labelled) = state.withLock { s in
            (Array(s.rows[0..<(s.filled * width)]), Array(s.predictions[0..<s.filled]), s.filled, s.total,
             Array(s.outcomes[0..<s.outcomeFilled]), s.outcomeFilled)
        }
        let accuracy = labelled > 0 ? Double(outcomes.reduce(0) { $0 + Int($1) }) / Double(labelled) : nil
        guard filled > 0, var report = try? detector.compare(
            reference: profile, features: rows, rows: filled, names: featureNames, source: "live window")
        else {
            return Snapshot(rows: filled, totalRows: total, accuracy: accuracy, labelled: labelled, drift: nil)
        }
        detector.addPredictionDrift(profile.predictions, predictions: predictions, to: &report)
        report.accuracy = accuracy
        return Snapshot(rows: filled, totalRows: total, accuracy: accuracy, labelled: labelled, drift: report)
    }
}
