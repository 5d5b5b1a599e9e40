import RingmasterCore

/// An invalid traffic policy: names the source (a file, or the admin request body), the YAML
/// line when known, and the field at fault, e.g. `canary.yaml:7: variants[1].weight: …` —
/// the same error every specification in the project reports.
public typealias TrafficPolicyError = ConfigurationError

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
