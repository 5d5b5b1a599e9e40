import Foundation
import RingmasterCore
import Yams

/// A published result to reproduce (`benchmarks/repro/*.yaml`): which configuration on
/// how many ranks, which metric, the range it must land in, and where that range comes from.
public struct ReproductionSpec: Sendable, Equatable {
    public var name: String
    /// Training configuration, resolved against the spec file's folder.
    public var config: String
    public var ranks: Int
    /// `section.key=value` overrides applied on top of the configuration.
    public var overrides: [String]
    /// `validation_accuracy`, `validation_r2` or `validation_loss`.
    public var metric: String
    public var minimum: Double
    public var maximum: Double
    /// Where the expected range comes from (a paper, a reference implementation, …).
    public var source: String

    static let metrics = ["validation_accuracy", "validation_r2", "validation_loss"]

    public static func load(path: String) throws -> ReproductionSpec {
        func fail(_ key: String, _ reason: String, _ node: Node? = nil) -> ConfigurationError {
            ConfigurationError(file: path, line: node?.mark?.line, key: key, reason: reason)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw fail("", "cannot read the reproduction spec")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw fail("", "not valid YAML: \(error)") }
        guard let mapping = root?.mapping else { throw fail("", "expected a mapping") }
        let known = ["name", "config", "ranks", "set", "metric", "expected", "source"]
        for key in mapping.keys where !known.contains(key.string ?? "") {
            throw fail(key.string ?? "", "unknown key (expected one of: \(known.joined(separator: ", ")))", key)
        }
        func field(_ key: String) throws -> Field {
            guard let node = mapping[Node(key)] else { throw fail(key, "is required") }
            return Field(file: path, key: key, node: node)
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        var config = try field("config").string()
        if !config.hasPrefix("/") { config = base.appendingPathComponent(config).standardized.path }
        var overrides: [String] = []
        if let list = mapping[Node("set")] {
            guard case .sequence(let items) = list else { throw fail("set", "expected a list of section.key=value", list) }
            overrides = try items.map { try Field(file: path, key: "set", node: $0).string() }
        }
        let metric = try field("metric").string()
        guard metrics.contains(metric) else { throw fail("metric", "must be one of \(metrics.joined(separator: ", "))") }
        guard let expected = mapping[Node("expected")]?.mapping,
              let low = expected[Node("min")], let high = expected[Node("max")] else {
            throw fail("expected", "needs min and max, e.g. {min: 0.95, max: 1.0}")
        }
        let spec = ReproductionSpec(
            name: try field("name").string(), config: config, ranks: try field("ranks").int(minimum: 1),
            overrides: overrides, metric: metric,
            minimum: try Field(file: path, key: "expected.min", node: low).double(),
            maximum: try Field(file: path, key: "expected.max", node: high).double(),
            source: try field("source").string())
        guard spec.minimum <= spec.maximum else { throw fail("expected", "min is above max") }
        return spec
    }
}
