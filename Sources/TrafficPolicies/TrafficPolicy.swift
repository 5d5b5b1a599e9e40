import Foundation

/// One model behind the endpoint: a name unique within the policy (used in statistics, logs
/// and metric labels) and the model reference the server loads (`digits@production`, `digits:3`).
public struct Variant: Sendable, Hashable, Codable {
    /// Letters, digits, `.`, `_`, `-`, `@` and `:` (so a model reference can serve as its
    /// name); at most 64 characters.
    public let name: String
    /// A model reference as the CLI takes it; not resolved here.
    public let model: String

    public init(name: String, model: String) {
        self.name = name
        self.model = model
    }
}

/// A variant with its share of traffic in percent.
public struct WeightedVariant: Sendable, Hashable {
    public let variant: Variant
    /// Percent of requests, in [0, 100]; the weights of a policy sum to 100.
    public let weight: Double

    public init(_ variant: Variant, weight: Double) {
        self.variant = variant
        self.weight = weight
    }
}

/// Where the server finds the key that keeps an A/B assignment sticky.
public enum StickyKey: Sendable, Hashable {
    /// A request header, e.g. `X-User-ID`.
    case header(String)
    /// A top-level string or number field of the JSON request body, e.g. `user_id`.
    case jsonField(String)
}

/// How a bandit chooses among its arms.
public enum BanditAlgorithm: Sendable, Hashable {
    /// With probability `epsilon` a uniformly random arm, otherwise the arm with the highest
    /// mean reward (arms without rewards first). Any finite reward.
    case epsilonGreedy(epsilon: Double)
    /// Thompson sampling with a Beta(`alpha`, `beta`) prior; rewards in [0, 1] (a reward r
    /// adds r to alpha and 1 - r to beta).
    case thompsonBernoulli(alpha: Double, beta: Double)
    /// Thompson sampling for real-valued rewards with a normal-gamma prior on the mean and
    /// precision: mean `mean`, pseudo-count `kappa`, precision shape `alpha` and rate `beta`.
    case thompsonGaussian(mean: Double, kappa: Double, alpha: Double, beta: Double)
}

/// How the requests of one endpoint are spread over several models or versions.
///
/// A value of this type is always valid: it is made by `init(_:)`, `parse(yaml:file:)`,
/// `load(path:)`, `parse(json:source:)` or by decoding, and each of them checks the rule.
/// The YAML and JSON form is described in `docs/serving-policies.md`.
public struct TrafficPolicy: Sendable, Hashable {
    /// The policy kinds, as spelled in the `kind` field.
    public enum Kind: String, Sendable, CaseIterable {
        case single, canary, shadow, ab, bandit
    }

    /// The routing rule with its variants.
    public enum Rule: Sendable, Hashable {
        /// Every request goes to one variant.
        case single(Variant)
        /// Requests are split at random by weight.
        case canary([WeightedVariant])
        /// `primary` answers every request; a `sampleRate` fraction of requests (in [0, 1]) is
        /// also sent to every shadow, whose answers are logged and never returned.
        case shadow(primary: Variant, shadows: [Variant], sampleRate: Double)
        /// Requests are split by weight on a stable hash of `salt` and the request's sticky
        /// key, so one key always meets the same variant.
        case ab([WeightedVariant], stickyKey: StickyKey, salt: String)
        /// A multi-armed bandit over the variants, learning from rewards.
        case bandit([Variant], BanditAlgorithm)
    }

    /// The rule this policy routes by.
    public let rule: Rule

    /// Checks `rule` (unique valid names, non-empty model references, weights in [0, 100]
    /// summing to 100, rates and priors in range) and throws a `TrafficPolicyError` naming
    /// the field at fault, spelled as in the YAML form.
    public init(_ rule: Rule) throws {
        if let (field, reason) = Self.problem(in: rule) {
            throw TrafficPolicyError(file: "", line: nil, key: field, reason: reason)
        }
        self.rule = rule
    }

    init(validated rule: Rule) { self.rule = rule }

    /// The kind of `rule`.
    public var kind: Kind {
        switch rule {
        case .single: return .single
        case .canary: return .canary
        case .shadow: return .shadow
        case .ab: return .ab
        case .bandit: return .bandit
        }
    }

    /// Every variant the server must load, in policy order (for a shadow policy: the primary first).
    public var variants: [Variant] {
        switch rule {
        case .single(let variant): return [variant]
        case .canary(let weighted), .ab(let weighted, _, _): return weighted.map(\.variant)
        case .shadow(let primary, let shadows, _): return [primary] + shadows
        case .bandit(let arms, _): return arms
        }
    }

    /// Where the sticky key of an A/B policy comes from; nil for other kinds.
    public var stickyKey: StickyKey? {
        if case .ab(_, let key, _) = rule { return key }
        return nil
    }

    /// The first problem with `rule` as (field, reason), or nil when it is valid.
    static func problem(in rule: Rule) -> (String, String)? {
        func names(_ variants: [(Variant, String)]) -> (String, String)? {
            var seen: Set<String> = []
            for (variant, path) in variants {
                if variant.name.isEmpty { return ("\(path).name", "is required") }
                if variant.name.count > 64 { return ("\(path).name", "must be at most 64 characters") }
                if let bad = variant.name.unicodeScalars.first(where: { !Self.nameCharacters.contains($0) }) {
                    return ("\(path).name", "'\(variant.name)' contains '\(bad)'; use letters, digits and . _ - @ :")
                }
                if !seen.insert(variant.name).inserted { return ("\(path).name", "'\(variant.name)' names two variants") }
                if variant.model.isEmpty { return ("\(path).model", "is required (a model reference such as digits@production)") }
                if variant.model.unicodeScalars.contains(where: { CharacterSet.whitespacesAndNewlines.contains($0) }) {
                    return ("\(path).model", "'\(variant.model)' contains white space")
                }
            }
            return nil
        }
        func listed(_ variants: [Variant], _ list: String = "variants") -> [(Variant, String)] {
            variants.enumerated().map { ($1, "\(list)[\($0)]") }
        }
        func weights(_ weighted: [WeightedVariant], kind: String) -> (String, String)? {
            guard weighted.count >= 2 else { return ("variants", "a \(kind) policy needs at least two variants") }
            if let problem = names(listed(weighted.map(\.variant))) { return problem }
            for (index, entry) in weighted.enumerated() where !(entry.weight >= 0 && entry.weight <= 100) {
                return ("variants[\(index)].weight", "\(entry.weight) is not a percentage in [0, 100]")
            }
            let total = weighted.reduce(0) { $0 + $1.weight }
            if abs(total - 100) > 1e-6 {
                return ("variants", "weights must sum to 100 (percent), they sum to \(total)")
            }
            return nil
        }
        switch rule {
        case .single(let variant):
            return names(listed([variant]))
        case .canary(let weighted):
            return weights(weighted, kind: "canary")
        case .shadow(let primary, let shadows, let sampleRate):
            if shadows.isEmpty { return ("shadows", "a shadow policy needs at least one shadow") }
            if let problem = names([(primary, "primary")] + listed(shadows, "shadows")) { return problem }
            if !(sampleRate >= 0 && sampleRate <= 1) { return ("sample_rate", "\(sampleRate) is not a fraction in [0, 1]") }
            return nil
        case .ab(let weighted, let key, _):
            switch key {
            case .header(let name) where name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace }):
                return ("sticky_key.header", "'\(name)' is not a header name")
            case .jsonField(let name) where name.isEmpty:
                return ("sticky_key.json_field", "is empty")
            default: break
            }
            return weights(weighted, kind: "ab")
        case .bandit(let arms, let algorithm):
            guard arms.count >= 2 else { return ("variants", "a bandit policy needs at least two variants") }
            if let problem = names(listed(arms)) { return problem }
            switch algorithm {
            case .epsilonGreedy(let epsilon):
                if !(epsilon >= 0 && epsilon <= 1) { return ("epsilon", "\(epsilon) is not a probability in [0, 1]") }
            case .thompsonBernoulli(let alpha, let beta):
                if !(alpha > 0 && alpha.isFinite) { return ("prior.alpha", "must be positive") }
                if !(beta > 0 && beta.isFinite) { return ("prior.beta", "must be positive") }
            case .thompsonGaussian(let mean, let kappa, let alpha, let beta):
                if !mean.isFinite { return ("prior.mean", "must be finite") }
                if !(kappa > 0 && kappa.isFinite) { return ("prior.kappa", "must be positive") }
                if !(alpha > 0 && alpha.isFinite) { return ("prior.alpha", "must be positive") }
                if !(beta > 0 && beta.isFinite) { return ("prior.beta", "must be positive") }
            }
            return nil
        }
    }

    private static let nameCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@:")
}
