import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TrafficPolicies

/// How the server listens, batches and reloads. Every field has a default.
public struct ServingConfiguration: Sendable {
    /// Address to bind; default 127.0.0.1 (loopback only).
    public var host = "127.0.0.1"
    /// TCP port; default 8080, 0 picks a free one.
    public var port = 8080
    /// Most rows one forward pass takes; default 32.
    public var maxBatch = 32
    /// Longest a request waits for others to share its batch; default 2 ms.
    public var maxDelay: Duration = .milliseconds(2)
    /// Largest request body accepted, in bytes; default 1 MiB. Larger bodies get 413.
    public var maxBodyBytes = 1 << 20
    /// How often the catalog is asked whether a reference moved; default 1 s.
    public var pollInterval: Duration = .seconds(1)
    /// Sampled request/response log; default none.
    public var requestLog: RequestLog.Configuration?
    /// Bearer token for `/admin/*`; without one those endpoints answer 403.
    public var adminToken: AdminToken?
    /// Rows in each served version's live drift window; default 1000, 0 turns windows off.
    public var driftWindow = 1000
    /// How long a drift window's snapshot is reused by `/metrics` and `/drift`; default 1 s.
    public var driftSnapshotLifetime: Duration = .seconds(1)
    /// Seed of the traffic routers' random choices (canary splits, shadow sampling,
    /// exploration); nil draws one at start-up.
    public var routerSeed: UInt64?

    public init() {}
}

/// The model server: the endpoints it serves, the metrics it keeps and the hot reload
/// that follows the catalog. ``makeApplication()`` turns it into a Hummingbird
/// application speaking the Open Inference Protocol v2 and MLflow's scoring protocol.
///
/// Thread safety: everything here is immutable or behind a lock; ``reload()`` may be called
/// from any task (the poller and `POST /admin/reload` both do) and runs one at a time.
public final class ModelServer: Sendable {
    public let configuration: ServingConfiguration
    /// In argument order; the first answers `/invocations`.
    public let endpoints: [Endpoint]
    public let metrics: ServingMetrics
    let catalog: any ModelCatalog
    let requestLog: RequestLog?
    let logger: Logger
    let endpointsByName: [String: Endpoint]
    /// Which variant answered each recent request, for feedback.
    let answered = AnsweredRequests()
    private let reloading = Locked(())

    /// Resolves and loads every variant of `policy` (one endpoint, first, named after the
    /// model its first variant resolves to) and every reference (one endpoint each, under a
    /// `single` policy with the variant `primary`); any failure here is thrown, since a
    /// server must not start without its models.
    public init(
        references: [String], policy: TrafficPolicy? = nil, catalog: any ModelCatalog,
        configuration: ServingConfiguration = ServingConfiguration(), logger: Logger = Logger(label: "ringmaster.serve")
    ) throws {
        guard !references.isEmpty || policy != nil else { throw ModelLoadError(reference: "", message: "no model to serve") }
        guard configuration.maxBatch >= 1 else {
            throw ModelLoadError(reference: "", message: "max batch \(configuration.maxBatch) must be at least 1")
        }
        guard configuration.driftWindow >= 0 else {
            throw ModelLoadError(reference: "", message: "drift window \(configuration.driftWindow) must not be negative")
        }
        self.configuration = configuration
        self.catalog = catalog
        self.logger = logger
        let metrics = ServingMetrics()
        self.metrics = metrics
        requestLog = try configuration.requestLog.map(RequestLog.init)
        let seed = configuration.routerSeed ?? UInt64.random(in: 0...UInt64.max)
        var specs: [TrafficPolicy] = policy.map { [$0] } ?? []
        for reference in references {
            do {
                specs.append(try TrafficPolicy(.single(TrafficPolicies.Variant(name: "primary", model: reference))))
            } catch {
                throw ModelLoadError(reference: reference, message: "\(error)")
            }
        }
        var endpoints: [Endpoint] = []
        var byName: [String: Endpoint] = [:]
        for (index, spec) in specs.enumerated() {
            let variants = try spec.variants.map { variant in
                Variant(
                    name: variant.name, reference: variant.model,
                    model: try Self.load(variant.model, catalog: catalog, variant: variant.name, configuration: configuration, metrics: metrics))
            }
            let name = variants[0].current.name
            if let problem = Self.featureMismatch(variants.map { ($0.name, $0.current) }) {
                throw ModelLoadError(reference: variants[0].reference, message: problem)
            }
            guard byName[name] == nil else {
                throw ModelLoadError(reference: variants[0].reference, message: "a model named '\(name)' is already served")
            }
            let endpoint = Endpoint(
                name: name, variants: variants, router: TrafficRouter(policy: spec, seed: seed &+ UInt64(index)))
            endpoints.append(endpoint)
            byName[name] = endpoint
            for variant in variants {
                let model = variant.current
                model.metrics.loaded.record(1)
                logger.info("serving model", metadata: [
                    "model": "\(model.name)", "version": "\(model.version)", "sha256": "\(model.sha256)",
                    "reference": "\(variant.reference)", "variant": "\(variant.name)", "endpoint": "\(name)",
                ])
            }
        }
        self.endpoints = endpoints
        endpointsByName = byName
    }

    private static func load(
        _ reference: String, resolved given: ResolvedModel? = nil, catalog: any ModelCatalog, variant: String,
        configuration: ServingConfiguration, metrics: ServingMetrics
    ) throws -> ServedModel {
        do {
            let resolved = try given ?? catalog.resolve(reference)
            return try ServedModel(
                resolved: resolved, bytes: resolved.load(), variant: variant, maxBatch: configuration.maxBatch,
                maxDelay: configuration.maxDelay, metrics: metrics, driftWindow: configuration.driftWindow,
                driftSnapshotLifetime: configuration.driftSnapshotLifetime)
        } catch let error as ModelLoadError {
            throw ModelLoadError(reference: reference, message: error.message)
        } catch {
            throw ModelLoadError(reference: reference, message: "\(error)")
        }
    }

    /// What one reload attempt did for one variant.
    public struct ReloadEvent: Sendable, Encodable {
        public var model: String
        public var variant: String
        public var reference: String
        /// The version served before and after; equal when the attempt failed.
        public var from: String
        public var to: String
        /// Why the new version is not serving, or nil when the swap happened.
        public var error: String?
    }

    /// Asks the catalog about every variant and swaps in each version that changed. A
    /// version that fails to load or to verify leaves the old one serving; it is logged,
    /// counted in `ringmaster_model_reload_failures_total`, shown by `/admin/status`, and
    /// not retried until the catalog names something else.
    @discardableResult
    public func reload() -> [ReloadEvent] {
        reloading.withLock { _ in
            endpoints.flatMap { endpoint in endpoint.variants.compactMap { reload(endpoint, $0) } }
        }
    }

    private func reload(_ endpoint: Endpoint, _ variant: Variant) -> ReloadEvent? {
        let old = variant.current
        func failed(_ message: String, key: String) -> ReloadEvent? {
            let known = variant.lastFailure.withLock { failure in
                defer { failure = Variant.Failure(key: key, message: message) }
                return failure?.key == key
            }
            if known { return nil }
            metrics.reloadFailures(model: endpoint.name).increment()
            logger.error("reload failed; the old version keeps serving", metadata: [
                "model": "\(endpoint.name)", "variant": "\(variant.name)", "version": "\(old.version)", "error": "\(message)",
            ])
            return ReloadEvent(model: endpoint.name, variant: variant.name, reference: variant.reference, from: old.version, to: old.version, error: message)
        }
        let resolved: ResolvedModel
        do {
            resolved = try catalog.resolve(variant.reference)
        } catch {
            return failed("cannot resolve \(variant.reference): \(error)", key: "resolve: \(error)")
        }
        let key = "\(resolved.version) \(resolved.sha256)"
        guard resolved.version != old.version || resolved.sha256.lowercased() != old.sha256 else {
            variant.lastFailure.withLock { $0 = nil }
            return nil
        }
        guard resolved.name == old.name else {
            return failed("\(variant.reference) now names model '\(resolved.name)', not '\(old.name)'", key: key)
        }
        let new: ServedModel
        do {
            new = try Self.load(
                variant.reference, resolved: resolved, catalog: catalog, variant: variant.name,
                configuration: configuration, metrics: metrics)
        } catch {
            return failed("version \(resolved.version): \(error.message)", key: key)
        }
        variant.model.withLock { $0 = new }
        variant.lastFailure.withLock { $0 = nil }
        old.runner.retire()
        new.metrics.loaded.record(1)
        old.metrics.loaded.record(0)
        metrics.reloads(model: endpoint.name).increment()
        logger.info("swapped model version", metadata: [
            "model": "\(endpoint.name)", "variant": "\(variant.name)", "from": "\(old.version)", "to": "\(new.version)",
            "sha256": "\(new.sha256)",
        ])
        return ReloadEvent(model: endpoint.name, variant: variant.name, reference: variant.reference, from: old.version, to: new.version)
    }

    /// Why variants cannot share an endpoint: one whose model takes other features than the
    /// first's (requests are the same for every variant); nil when they agree.
    static func featureMismatch(_ variants: [(name: String, model: ServedModel)]) -> String? {
        guard let first = variants.first else { return nil }
        for (name, model) in variants.dropFirst() where model.featureNames != first.model.featureNames {
            return "variant '\(name)' (model '\(model.name)' version \(model.version)) takes features \(model.featureNames.prefix(4))… "
                + "but variant '\(first.name)' takes \(first.model.featureNames.prefix(4))…; the variants of one endpoint must take the same features"
        }
        return nil
    }

    /// Why a policy was not put in force; the old policy keeps serving.
    public struct PolicyChangeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Puts `policy` in force on `endpoint` while requests flow: loads and verifies every new
    /// variant's model first (any failure throws and changes nothing), then adds them,
    /// replaces the router's policy (variants kept by name and model keep their statistics
    /// and their loaded version) and retires the removed ones. Serialized with reloads.
    @discardableResult
    public func replacePolicy(_ policy: TrafficPolicy, on endpoint: Endpoint) throws -> PolicyChange {
        try reloading.withLock { _ in
            let change = PolicyChange(from: endpoint.router.policy, to: policy)
            let before = endpoint.variants
            var loaded: [String: Variant] = [:]
            for variant in change.added {
                let model: ServedModel
                do {
                    model = try Self.load(
                        variant.model, catalog: catalog, variant: variant.name, configuration: configuration, metrics: metrics)
                } catch {
                    for done in loaded.values { done.current.runner.retire() }
                    throw PolicyChangeError(description: "variant '\(variant.name)': \(error.message)")
                }
                loaded[variant.name] = Variant(name: variant.name, reference: variant.model, model: model)
            }
            let kept = Dictionary(
                before.filter { old in !change.removed.contains { $0.name == old.name } }.map { ($0.name, $0) },
                uniquingKeysWith: { first, _ in first })
            let after = policy.variants.map { loaded[$0.name] ?? kept[$0.name]! }
            if let problem = Self.featureMismatch(after.map { ($0.name, $0.current) }) {
                for done in loaded.values { done.current.runner.retire() }
                throw PolicyChangeError(description: problem)
            }
            let removed = before.filter { old in !after.contains { $0 === old } }
            // Until the router switches, requests may still be routed to a removed variant.
            endpoint.setVariants(after + removed)
            endpoint.router.replace(policy: policy)
            endpoint.setVariants(after)
            for variant in loaded.values { variant.current.metrics.loaded.record(1) }
            for variant in removed {
                let model = variant.current
                model.runner.retire()
                model.metrics.loaded.record(0)
            }
            logger.info("traffic policy replaced", metadata: [
                "model": "\(endpoint.name)", "kind": "\(policy.kind.rawValue)",
                "added": "\(change.added.map(\.name))", "removed": "\(change.removed.map(\.name))",
            ])
            return change
        }
    }

    /// Stops every batch worker once queued requests are answered; called when the
    /// application shuts down.
    public func shutdown() {
        for endpoint in endpoints {
            for variant in endpoint.variants { variant.current.runner.retire() }
        }
    }

    /// The Hummingbird application: the routes, plus the service that polls the catalog
    /// and shuts the batch workers down after the HTTP server has drained.
    /// `onServerRunning` receives the bound port once the server listens.
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ringmaster"),
            services: [ReloadPoller(server: self)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

private extension Error {
    var message: String { (self as? ModelLoadError)?.message ?? "\(self)" }
}

/// Polls the catalog every ``ServingConfiguration/pollInterval`` until graceful shutdown,
/// then retires the batch workers (the HTTP server, started after it, has stopped by then).
struct ReloadPoller: Service {
    let server: ModelServer

    func run() async throws {
        let interval = server.configuration.pollInterval
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                server.reload()
            }
        }
        server.shutdown()
    }
}
