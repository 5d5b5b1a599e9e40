import Foundation
import TrafficPolicies

/// What clients address by name (`/v2/models/{name}`): one or more variants, each a model
/// reference with the version it serves now, and the traffic router that picks one per
/// request. An endpoint served without a policy has one variant, `primary`, under a
/// `single` policy; `--policy` gives one variant per policy variant.
///
/// The variant list changes only when the policy is replaced (`PUT /admin/policy`), which
/// the server serializes with reloads; requests read it without waiting for either.
public final class Endpoint: Sendable {
    public let name: String
    /// Routes requests, keeps per-variant counts, latencies and rewards.
    public let router: TrafficRouter
    private let state: Locked<[Variant]>

    init(name: String, variants: [Variant], router: TrafficRouter) {
        precondition(!variants.isEmpty)
        self.name = name
        self.router = router
        state = Locked(variants)
    }

    /// In policy order; the first is the primary (metadata, drift, `/invocations` versions).
    public var variants: [Variant] { state.current }

    func setVariants(_ variants: [Variant]) { state.withLock { $0 = variants } }

    /// Routes request `requestID` (A/B `key` when the policy is sticky): the variant that
    /// answers and those that get a shadow copy. A name the router returns that the list
    /// lacks (a policy change in flight) falls back to the primary.
    func route(requestID: String, key: String?) -> (answer: Variant, shadows: [Variant]) {
        let route = router.route(requestID: requestID, key: key)
        let variants = self.variants
        func find(_ name: String) -> Variant? { variants.first { $0.name == name } }
        return (find(route.variant.name) ?? variants[0], route.shadows.compactMap { find($0.name) })
    }
}

/// One way an endpoint can answer: a catalog reference and the version loaded for it.
/// The loaded version changes atomically on hot reload; a request keeps the version it
/// picked up until it is answered.
public final class Variant: Sendable {
    /// Label in metrics and logs (`primary`, or the name a traffic policy gives it).
    public let name: String
    /// The catalog reference this variant follows (`digits@production`).
    public let reference: String
    let model: Locked<ServedModel>
    /// The last reload attempt that failed, until one succeeds or the catalog moves on.
    let lastFailure = Locked<Failure?>(nil)

    struct Failure {
        /// What failed (version and sha256, or the resolve error), so it is reported once.
        var key: String
        var message: String
    }

    init(name: String, reference: String, model: ServedModel) {
        self.name = name
        self.reference = reference
        self.model = Locked(model)
    }

    var current: ServedModel { model.current }
}
