import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

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
    private let reloading = Locked(())

    /// Resolves and loads every reference (one endpoint each); any failure here is thrown,
    /// since a server must not start without its models.
    public init(
        references: [String], catalog: any ModelCatalog, configuration: ServingConfiguration = ServingConfiguration(),
        router: any VariantRouter = PrimaryRouter(), logger: Logger = Logger(label: "ringmaster.serve")
    ) throws {
        guard !references.isEmpty else { throw ModelLoadError(reference: "", message: "no model to serve") }
        guard configuration.maxBatch >= 1 else {
            throw ModelLoadError(reference: "", message: "max batch \(configuration.maxBatch) must be at least 1")
        }
        self.configuration = configuration
        self.catalog = catalog
        self.logger = logger
        let metrics = ServingMetrics()
        self.metrics = metrics
        requestLog = try configuration.requestLog.map(RequestLog.init)
        var endpoints: [Endpoint] = []
        var byName: [String: Endpoint] = [:]
        for reference in references {
            let model = try Self.load(reference, catalog: catalog, variant: "primary", configuration: configuration, metrics: metrics)
            guard byName[model.name] == nil else {
                throw ModelLoadError(reference: reference, message: "a model named '\(model.name)' is already served")
            }
            model.metrics.loaded.record(1)
            let endpoint = Endpoint(
                name: model.name, variants: [Variant(name: "primary", reference: reference, model: model)], router: router)
            endpoints.append(endpoint)
            byName[model.name] = endpoint
            logger.info("serving model", metadata: [
                "model": "\(model.name)", "version": "\(model.version)", "sha256": "\(model.sha256)", "reference": "\(reference)",
            ])
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
                maxDelay: configuration.maxDelay, metrics: metrics)
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
        guard resolved.name == endpoint.name else {
            return failed("\(variant.reference) now names model '\(resolved.name)', not '\(endpoint.name)'", key: key)
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
