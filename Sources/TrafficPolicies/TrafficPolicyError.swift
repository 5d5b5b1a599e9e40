/// An invalid traffic policy: names the source (a file, or the admin request body), the YAML
/// line when known, and the field at fault, e.g. `canary.yaml:7: variants[1].weight: …`.
public struct TrafficPolicyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the policy came from: a file path, `request body`, or empty for a policy built in code.
    public var source: String
    /// The 1-based line of the offending YAML node; nil for JSON bodies and policies built in code.
    public var line: Int?
    /// The dotted field path at fault (`variants[1].weight`, `prior.alpha`); empty for the whole document.
    public var field: String
    /// What is wrong and, where it helps, what would be right.
    public var reason: String

    public init(source: String, line: Int?, field: String, reason: String) {
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        let place = line.map { "\(source):\($0)" } ?? source
        let prefix = place.isEmpty ? "" : "\(place): "
        return field.isEmpty ? "\(prefix)\(reason)" : "\(prefix)\(field): \(reason)"
    }
}

/// Why the router refused a reward.
public enum TrafficRouterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No recent request has this id: it was never routed, or it is older than the
    /// `rememberedRequests` most recent requests.
    case unknownRequest(id: String, remembered: Int)
    /// This request was rewarded already; each request takes one reward.
    case alreadyRewarded(id: String)
    /// The variant that answered this request is no longer in the policy.
    case variantRemoved(id: String, variant: String)
    /// The reward is not finite, or outside [0, 1] for a Thompson-sampling Bernoulli bandit.
    case invalidReward(value: Double, reason: String)

    public var description: String {
        switch self {
        case .unknownRequest(let id, let remembered):
            return "no recent request with id '\(id)' (never routed, or older than the last \(remembered) requests)"
        case .alreadyRewarded(let id): return "request '\(id)' was rewarded already; each request takes one reward"
        case .variantRemoved(let id, let variant):
            return "request '\(id)' was answered by variant '\(variant)', which the current policy no longer has"
        case .invalidReward(let value, let reason): return "reward \(value) rejected: \(reason)"
        }
    }
}
