import Foundation
import RingmasterCore

/// Which endpoint, variant and version answered each recent request, so that feedback
/// posted later with the request id reaches the right router and drift window. Holds the
/// last `capacity` request ids (oldest forgotten first); thread-safe.
final class AnsweredRequests: Sendable {
    struct Answer: Sendable {
        var endpoint: Endpoint
        var variant: String
        var version: String
        /// The predicted class name of a one-row classification request.
        var predicted: String?
        /// The model's class names (nil for a regressor).
        var classes: [String]?
        var drift: LiveDrift?
        var metrics: VersionMetrics
    }

    let capacity: Int
    private let answers: Locked<RecentEntries<Answer>>

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        answers = Locked(RecentEntries(capacity: capacity))
    }

    func remember(_ requestID: String, _ answer: Answer) {
        answers.withLock { $0.insert(answer, forKey: requestID) }
    }

    func answer(_ requestID: String) -> Answer? { answers.withLock { $0[requestID] } }
}
