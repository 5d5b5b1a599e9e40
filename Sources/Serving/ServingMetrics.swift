import Metrics
import Monitoring
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
/// | `ringmaster_shadow_requests_total` | counter (shadow copies run) | model, version, variant |
/// | `ringmaster_shadow_request_errors_total` | counter | model, version, variant |
/// | `ringmaster_rewards_total` | counter (rewards posted to /v2/feedback) | model, version, variant |
/// | `ringmaster_reward_sum` | counter (sum of those rewards) | model, version, variant |
/// | `ringmaster_labels_total` | counter (labels posted to /v2/feedback) | model, version, variant |
/// | `ringmaster_drift_window_rows` | gauge (rows in the live drift window) | model, version, variant |
/// | `ringmaster_drift_share` | gauge (share of drifted features) | model, version, variant |
/// | `ringmaster_dataset_drift` | gauge (1 when the window drifted) | model, version, variant |
/// | `ringmaster_feature_drift_score` | gauge (the feature's test score, e.g. KS p-value) | model, version, variant, feature |
/// | `ringmaster_feature_drifted` | gauge (1 when the feature drifted) | model, version, variant, feature |
/// | `ringmaster_live_accuracy` | gauge (accuracy over labelled requests in the window) | model, version, variant |
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

    /// Sets the drift gauges of one served version from its window's snapshot.
    func recordDrift(_ snapshot: DriftWindow.Snapshot, model: String, version: String, variant: String) {
        let labels = [("model", model), ("version", version), ("variant", variant)]
        func gauge(_ name: String, _ value: Double, _ extra: [(String, String)] = []) {
            Metrics.Gauge(label: name, dimensions: labels + extra, factory: factory).record(value)
        }
        gauge("ringmaster_drift_window_rows", Double(snapshot.rows))
        if let report = snapshot.drift {
            gauge("ringmaster_drift_share", report.driftedShare)
            gauge("ringmaster_dataset_drift", report.datasetDrift ? 1 : 0)
            for feature in report.features {
                gauge("ringmaster_feature_drift_score", feature.score.isNaN ? 0 : min(feature.score, .greatestFiniteMagnitude), [("feature", feature.name)])
                gauge("ringmaster_feature_drifted", feature.drifted ? 1 : 0, [("feature", feature.name)])
            }
        }
        if let accuracy = snapshot.accuracy { gauge("ringmaster_live_accuracy", accuracy) }
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
    let shadowRequests: Metrics.Counter
    let shadowErrors: Metrics.Counter
    let rewards: Metrics.Counter
    let rewardSum: Metrics.FloatingPointCounter
    let labels: Metrics.Counter

    init(metrics: ServingMetrics, model: String, version: String, variant: String, sha256: String) {
        let labels = [("model", model), ("version", version), ("variant", variant)]
        let factory = metrics.factory
        requests = Metrics.Counter(label: "ringmaster_requests_total", dimensions: labels, factory: factory)
        errors = Metrics.Counter(label: "ringmaster_request_errors_total", dimensions: labels, factory: factory)
        duration = Metrics.Timer(label: "ringmaster_request_duration_seconds", dimensions: labels, factory: factory)
        batchSize = Metrics.Recorder(label: "ringmaster_batch_size", dimensions: labels, aggregate: true, factory: factory)
        loaded = Metrics.Gauge(label: "ringmaster_model_loaded", dimensions: labels + [("sha256", sha256)], factory: factory)
        shadowRequests = Metrics.Counter(label: "ringmaster_shadow_requests_total", dimensions: labels, factory: factory)
        shadowErrors = Metrics.Counter(label: "ringmaster_shadow_request_errors_total", dimensions: labels, factory: factory)
        rewards = Metrics.Counter(label: "ringmaster_rewards_total", dimensions: labels, factory: factory)
        rewardSum = Metrics.FloatingPointCounter(label: "ringmaster_reward_sum", dimensions: labels, factory: factory)
        self.labels = Metrics.Counter(label: "ringmaster_labels_total", dimensions: labels, factory: factory)
    }
}
