import Foundation

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

    private struct State {
        var answers: [String: Answer] = [:]
        var order: [String] = []
        var start = 0
    }

    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int = 100_000) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    func remember(_ requestID: String, _ answer: Answer) {
        state.withLock { s in
            if s.answers.updateValue(answer, forKey: requestID) == nil { s.order.append(requestID) }
            while s.order.count - s.start > capacity {
                s.answers[s.order[s.start]] = nil
                s.start += 1
            }
            if s.start > capacity {
                s.order.removeFirst(s.start)
                s.start = 0
            }
        }
    }

    func answer(_ requestID: String) -> Answer? { state.withLock { $0.answers[requestID] } }
}
