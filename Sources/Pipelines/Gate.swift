import Foundation

/// The metrics a gate compares, as `ringmaster evaluate` reports them.
public enum GateMetric: String, Sendable, CaseIterable, Codable {
    case accuracy, loss, r2

    /// Whether a larger value is better unless the threshold says otherwise.
    var higherIsBetter: Bool { self != .loss }
}

/// The conditions a gate puts on one metric of the candidate.
public struct GateThreshold: Sendable, Equatable {
    public var metric: GateMetric
    /// Absolute floor and ceiling of the candidate's value.
    public var min: Double?
    public var max: Double?
    /// Least improvement over the baseline, in the metric's units (negative: a tolerated regression).
    public var minDelta: Double?
    /// Least improvement over the baseline as a fraction of the baseline's value.
    public var minRelative: Double?
    /// Whether a larger value is an improvement (default: true, except for `loss`).
    public var higherIsBetter: Bool

    public init(metric: GateMetric, min: Double? = nil, max: Double? = nil, minDelta: Double? = nil,
                minRelative: Double? = nil, higherIsBetter: Bool? = nil) {
        self.metric = metric
        self.min = min
        self.max = max
        self.minDelta = minDelta
        self.minRelative = minRelative
        self.higherIsBetter = higherIsBetter ?? metric.higherIsBetter
    }
}

/// Whether a candidate passes, with one line per condition checked.
public struct GateDecision: Sendable, Equatable {
    public var passed: Bool
    /// `accuracy 0.9512 >= min 0.9: ok`, `accuracy -0.0210 vs baseline 0.9722 < min_delta 0: FAILED`, …
    public var checks: [String]
    /// The failed checks, or all checks when it passed, on one line.
    public var summary: String {
        let failed = checks.filter { $0.hasSuffix("FAILED") }
        return (passed ? "passed: " : "rejected: ") + (passed ? checks : failed).joined(separator: "; ")
    }
}

/// The gate's rule: the candidate must meet every absolute threshold, and, when the alias has
/// a model (the baseline), every threshold relative to the baseline measured on the same data.
/// The first model (no baseline) passes on its absolute thresholds alone.
public enum Gate {
    public static func decide(
        _ thresholds: [GateThreshold], candidate: [GateMetric: Double], baseline: [GateMetric: Double]?
    ) -> GateDecision {
        var checks: [String] = []
        var passed = true
        func check(_ ok: Bool, _ text: String) {
            passed = passed && ok
            checks.append(text + (ok ? ": ok" : ": FAILED"))
        }
        for threshold in thresholds {
            let name = threshold.metric.rawValue
            guard let value = candidate[threshold.metric], value.isFinite else {
                check(false, "candidate has no \(name)")
                continue
            }
            if let min = threshold.min { check(value >= min, "\(name) \(f(value)) >= min \(f(min))") }
            if let max = threshold.max { check(value <= max, "\(name) \(f(value)) <= max \(f(max))") }
            guard threshold.minDelta != nil || threshold.minRelative != nil else { continue }
            guard let baseline, let base = baseline[threshold.metric], base.isFinite else {
                checks.append("\(name): no baseline, relative thresholds skipped")
                continue
            }
            let improvement = threshold.higherIsBetter ? value - base : base - value
            if let delta = threshold.minDelta {
                check(improvement >= delta, "\(name) \(f(value)) vs baseline \(f(base)): improvement \(signed(improvement)) >= min_delta \(f(delta))")
            }
            if let relative = threshold.minRelative {
                let fraction = base == 0 ? (improvement >= 0 ? 0 : -Double.infinity) : improvement / abs(base)
                check(fraction >= relative, "\(name) \(f(value)) vs baseline \(f(base)): relative improvement \(signed(fraction)) >= min_relative \(f(relative))")
            }
        }
        return GateDecision(passed: passed, checks: checks)
    }

    /// `metrics:` of a gate step (already checked by the parser) as thresholds, in metric order.
    static func thresholds(_ value: PipelineValue, key: String) throws -> [GateThreshold] {
        guard case .mapping(let metrics) = value else { throw PipelineStepError(message: "\(key): expected a mapping") }
        return try metrics.keys.sorted().map { name in
            guard let metric = GateMetric(rawValue: name), case .mapping(let limits) = metrics[name]! else {
                throw PipelineStepError(message: "\(key).\(name): not a metric with thresholds")
            }
            func number(_ limit: String) throws -> Double? {
                guard let text = limits[limit]?.text else { return nil }
                guard let value = Double(text) else {
                    throw PipelineStepError(message: "\(key).\(name).\(limit): expected a number, got '\(text)'")
                }
                return value
            }
            let higher = limits["higher_is_better"]?.text.map { ["true", "yes", "on"].contains($0.lowercased()) }
            return GateThreshold(
                metric: metric, min: try number("min"), max: try number("max"), minDelta: try number("min_delta"),
                minRelative: try number("min_relative"), higherIsBetter: higher)
        }
    }

    private static func f(_ value: Double) -> String { String(format: "%.4g", value) }
    private static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + String(format: "%.4g", value) }
}
