/// Latencies of one variant's answers, in seconds; nil while there are none.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var count: Int
    public var mean: Double?
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
}

/// Rewards posted for requests one variant answered.
public struct RewardSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var sum: Double
    /// `sum / count`; nil while there are no rewards.
    public var mean: Double?
}

/// What `TrafficRouter.snapshot()` reports for one variant of the policy in force.
public struct VariantStatistics: Sendable, Codable, Equatable {
    public var name: String
    public var model: String
    /// Requests this variant was chosen to answer.
    public var requests: Int
    /// Requests this variant received a shadow copy of.
    public var shadowRequests: Int
    /// Results recorded with `failed: true` (answers and shadow copies).
    public var errors: Int
    /// Latencies of every recorded result (answers and shadow copies).
    public var latency: LatencySummary
    public var rewards: RewardSummary
    /// The fraction of requests the policy sends to this variant now: the weight for canary
    /// and A/B, 1 for a single variant or a shadow primary, 0 for a shadow, and for a bandit
    /// the probability that its next choice is this arm.
    public var trafficShare: Double
    /// For a Thompson-sampling bandit, the posterior mean of the reward; nil otherwise.
    public var posteriorMean: Double?
}

/// Which variant answers a request and which receive a copy.
public struct Route: Sendable, Equatable {
    /// The variant whose answer is returned.
    public var variant: Variant
    /// Variants that get a copy of the request; their answers are logged, never returned.
    public var shadows: [Variant]
}

/// What replacing one policy by another asks of the server. Variants are matched by name
/// and model reference; a name that now points at another model is a new variant.
public struct PolicyChange: Sendable, Equatable {
    /// Variants of the new policy the old one did not have; they start with empty statistics.
    public var added: [Variant]
    /// Variants of the old policy the new one does not have; their statistics are dropped.
    public var removed: [Variant]
    /// Model references the new policy uses and the old one did not: load these.
    public var modelsToLoad: [String]
    /// Model references only the old policy used: unload these.
    public var modelsToUnload: [String]

    /// The change from `old` to `new`, computed without touching any router (so the server
    /// can load new models before it calls `TrafficRouter.replace(policy:)`).
    public init(from old: TrafficPolicy, to new: TrafficPolicy) {
        let before = old.variants, after = new.variants
        added = after.filter { !before.contains($0) }
        removed = before.filter { !after.contains($0) }
        let oldModels = before.map(\.model), newModels = after.map(\.model)
        modelsToLoad = Self.unique(newModels.filter { !oldModels.contains($0) })
        modelsToUnload = Self.unique(oldModels.filter { !newModels.contains($0) })
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }
}
