import Metrics
import Prometheus

/// The server's Prometheus registry and the metrics it records through swift-metrics.
///
/// Each server owns its registry (no global bootstrap), so several servers, as in tests,
/// keep separate counts. Per-version metrics are made once when a version is loaded.
///
/// | name | type | labels |
/// |---|---|---|
/// | `ringmaster_requests_total` | counter | model, version, variant |
/// | `ringmaster_request_errors_total` | counter | model, version, variant |
/// | `ringmaster_request_duration_seconds` | histogram | model, version, variant |
/// | `ringmaster_batch_size` | histogram (rows per forward pass) | model, version, variant |
/// | `ringmaster_model_reloads_total` | counter | model |
/// | `ringmaster_model_reload_failures_total` | counter | model |
/// | `ringmaster_model_loaded` | gauge (1 for the version serving) | model, version, variant, sha256 |
public final class ServingMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["ringmaster_request_duration_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(3),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1),
        ]
        factory.valueHistogramBuckets["ringmaster_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        self.factory = factory
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    func reloads(model: String) -> Metrics.Counter {
        Metrics.Counter(label: "ringmaster_model_reloads_total", dimensions: [("model", model)], factory: factory)
    }

    func reloadFailures(model: String) -> Metrics.Counter {
        Metrics.Counter(label: "ringmaster_model_reload_failures_total", dimensions: [("model", model)], factory: factory)
    }
}

/// The metrics of one model version in one variant, made once per load.
struct VersionMetrics: Sendable {
    let requests: Metrics.Counter
    let errors: Metrics.Counter
    let duration: Metrics.Timer
    let batchSize: Metrics.Recorder
    let loaded: Metrics.Gauge

    init(metrics: ServingMetrics, model: String, version: String, variant: String, sha256: String) {
        let labels = [("model", model), ("version", version), ("variant", variant)]
        let factory = metrics.factory
        requests = Metrics.Counter(label: "ringmaster_requests_total", dimensions: labels, factory: factory)
        errors = Metrics.Counter(label: "ringmaster_request_errors_total", dimensions: labels, factory: factory)
        duration = Metrics.Timer(label: "ringmaster_request_duration_seconds", dimensions: labels, factory: factory)
        batchSize = Metrics.Recorder(label: "ringmaster_batch_size", dimensions: labels, aggregate: true, factory: factory)
        loaded = Metrics.Gauge(label: "ringmaster_model_loaded", dimensions: labels + [("sha256", sha256)], factory: factory)
    }
}
