/// What clients address by name (`/v2/models/{name}`): one or more variants, each a model
/// reference with the version it serves now, and the router that picks one per request.
public final class Endpoint: Sendable {
    public let name: String
    public let variants: [Variant]
    public let router: any VariantRouter

    init(name: String, variants: [Variant], router: any VariantRouter) {
        precondition(!variants.isEmpty)
        self.name = name
        self.variants = variants
        self.router = router
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

/// Chooses the variant of an endpoint that answers one request. Called on every request
/// from any thread, so it must be cheap and thread-safe.
///
/// This is the hook for traffic policies (canary, shadow, A/B, bandits): the server asks
/// the endpoint's router and records metrics under the chosen variant's name.
public protocol VariantRouter: Sendable {
    func choose(among variants: [Variant], requestID: String) -> Variant
}

/// Every request goes to the first variant.
public struct PrimaryRouter: VariantRouter {
    public init() {}
    public func choose(among variants: [Variant], requestID: String) -> Variant { variants[0] }
}
