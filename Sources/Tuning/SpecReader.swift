import Foundation
import RingmasterCore
import Training
import Yams

/// Typed reads from a sweep specification's YAML, each failing with the file, line and
/// dotted field at fault.
struct SpecReader: YAMLFieldReader {
    let file: String

    /// A YAML value as a parameter value: numbers, booleans and strings as themselves, lists
    /// and mappings as their flow-style text (what `--set` parses back).
    func value(_ node: Node) throws -> ParameterValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain || scalar.style == .any {
                if let int = node.int { return .integer(int) }
                if let float = node.float { return .real(float) }
                if let bool = node.bool { return .flag(bool) }
            }
            return .text(scalar.string)
        case .sequence(let items):
            return .text("[" + (try items.map { try value($0).description }).joined(separator: ", ") + "]")
        default:
            return .text(try Yams.serialize(node: node).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// `name: {type: uniform|loguniform|int|choice, low, high, log, step, values, when}`.
    func parameter(_ name: String, _ node: Node, declared: [ParameterSpec]) throws -> ParameterSpec {
        let path = "space.\(name)"
        guard let fields = node.mapping else {
            throw error(path, "expected {type: uniform|loguniform|int|choice, …}", node)
        }
        try onlyKeys(fields, ["type", "low", "high", "log", "step", "values", "when"], in: path)
        guard let typeNode = fields[Node("type")] else { throw error("\(path).type", "is required", node) }
        let type = try string(typeNode, "\(path).type")
        func bounds() throws -> (Double, Double) {
            guard let low = fields[Node("low")], let high = fields[Node("high")] else {
                throw error(path, "needs low and high", node)
            }
            let (a, b) = (try number(low, "\(path).low"), try number(high, "\(path).high"))
            guard a < b else { throw error("\(path).low", "low (\(a)) must be below high (\(b))", low) }
            return (a, b)
        }
        let log = try fields[Node("log")].map { node -> Bool in
            guard let value = node.bool else { throw error("\(path).log", "expected true or false", node) }
            return value
        } ?? false
        let distribution: Distribution
        switch type {
        case "uniform", "loguniform":
            let (low, high) = try bounds()
            if type == "loguniform" || log {
                guard low > 0 else { throw error("\(path).low", "log bounds must be positive, got \(low)", fields[Node("low")]) }
                distribution = .logUniform(low: low, high: high)
            } else {
                distribution = .uniform(low: low, high: high)
            }
        case "int":
            guard let lowNode = fields[Node("low")], let highNode = fields[Node("high")] else {
                throw error(path, "needs low and high", node)
            }
            let low = try int(lowNode, "\(path).low"), high = try int(highNode, "\(path).high")
            guard low < high else { throw error("\(path).low", "low (\(low)) must be below high (\(high))", lowNode) }
            if log && low <= 0 { throw error("\(path).low", "log bounds must be positive, got \(low)", lowNode) }
            let step = try fields[Node("step")].map { try int($0, "\(path).step", minimum: 1) } ?? 1
            if log && step != 1 { throw error("\(path).step", "a log-scaled integer takes no step", fields[Node("step")]) }
            distribution = .integer(low: low, high: high, step: step, log: log)
        case "choice":
            guard let valuesNode = fields[Node("values")], case .sequence(let items) = valuesNode else {
                throw error("\(path).values", "expected a list of values", node)
            }
            guard !items.isEmpty else { throw error("\(path).values", "a choice needs at least one value", valuesNode) }
            distribution = .choice(try items.map(value))
        default:
            throw error("\(path).type", "'\(type)' is not one of: uniform, loguniform, int, choice", typeNode)
        }
        var condition: ParameterCondition?
        if let when = fields[Node("when")] {
            guard let clause = when.mapping, clause.count == 1, let (parentNode, valuesNode) = clause.first else {
                throw error("\(path).when", "expected {parent.parameter: value or [values]}", when)
            }
            let parent = parentNode.string ?? ""
            guard let parentSpec = declared.first(where: { $0.name == parent }) else {
                throw error("\(path).when", "'\(parent)' is not a parameter declared before \(name)", parentNode)
            }
            let values: [ParameterValue]
            if case .sequence(let items) = valuesNode { values = try items.map(value) } else { values = [try value(valuesNode)] }
            if case .choice(let options) = parentSpec.distribution, let bad = values.first(where: { !options.contains($0) }) {
                throw error("\(path).when", "\(parent) never takes the value \(bad)", valuesNode)
            }
            condition = ParameterCondition(parent: parent, values: values)
        }
        return ParameterSpec(name: name, distribution: distribution, condition: condition)
    }

    /// `sampler: tpe` or `sampler: {type: tpe, startup_trials: 10, candidates: 24, resolution: 5, gamma: 0.15,
    /// local_candidates: 24, local_width: 0.4, prior_weight: 1, move_every: 4, move_distance: 0.25}`.
    func sampler(_ node: Node?) throws -> SweepSpec.SamplerSettings {
        var settings = SweepSpec.SamplerSettings()
        guard let node else { return settings }
        if case .scalar = node {
            settings.kind = try enumeration(node, "sampler")
            return settings
        }
        guard let fields = node.mapping, let type = fields[Node("type")] else { throw error("sampler", "expected a name or {type: …}", node) }
        try onlyKeys(
            fields,
            [
                "type", "startup_trials", "candidates", "resolution", "gamma", "local_candidates", "local_width", "prior_weight",
                "move_every", "move_distance",
            ],
            in: "sampler")
        settings.kind = try enumeration(type, "sampler.type")
        settings.startupTrials = try fields[Node("startup_trials")].map { try int($0, "sampler.startup_trials", minimum: 1) }
        settings.candidates = try fields[Node("candidates")].map { try int($0, "sampler.candidates", minimum: 1) }
        settings.localCandidates = try fields[Node("local_candidates")].map { try int($0, "sampler.local_candidates", minimum: 0) }
        settings.moveEvery = try fields[Node("move_every")].map { try int($0, "sampler.move_every", minimum: 0) }
        /// The number at `key`, checked to lie in (low, high].
        func fraction(_ key: String, above low: Double, atMost high: Double) throws -> Double? {
            try fields[Node(key)].map { node in
                let value = try number(node, "sampler.\(key)")
                guard value > low, value <= high else {
                    throw error("sampler.\(key)", "must be above \(low)\(high.isFinite ? " and at most \(high)" : ""), got \(value)", node)
                }
                return value
            }
        }
        settings.gamma = try fraction("gamma", above: 0, atMost: 1)
        settings.localWidth = try fraction("local_width", above: 0, atMost: 1)
        settings.priorWeight = try fraction("prior_weight", above: 0, atMost: .infinity)
        settings.moveDistance = try fraction("move_distance", above: 0, atMost: 0.5)
        settings.gridResolution = try fields[Node("resolution")].map { try int($0, "sampler.resolution", minimum: 1) } ?? 5
        return settings
    }

    /// `scheduler: asha` or `scheduler: {type: asha, min_resource: 1, max_resource: 30, reduction_factor: 3, …}`.
    func scheduler(_ node: Node?) throws -> SweepSpec.SchedulerSettings {
        var settings = SweepSpec.SchedulerSettings()
        guard let node else { return settings }
        if case .scalar = node {
            settings.kind = try enumeration(node, "scheduler")
            return settings
        }
        guard let fields = node.mapping, let type = fields[Node("type")] else { throw error("scheduler", "expected a name or {type: …}", node) }
        try onlyKeys(fields, ["type", "min_resource", "max_resource", "reduction_factor", "warmup_resource", "min_trials",
                              "perturbation_interval", "quantile", "resample_probability"], in: "scheduler")
        settings.kind = try enumeration(type, "scheduler.type")
        func integer(_ key: String, _ minimum: Int) throws -> Int? {
            try fields[Node(key)].map { try int($0, "scheduler.\(key)", minimum: minimum) }
        }
        settings.minResource = try integer("min_resource", 1) ?? settings.minResource
        settings.maxResource = try integer("max_resource", 1)
        settings.reductionFactor = try integer("reduction_factor", 2) ?? settings.reductionFactor
        settings.warmupResource = try integer("warmup_resource", 0) ?? settings.warmupResource
        settings.minTrials = try integer("min_trials", 1) ?? settings.minTrials
        settings.perturbationInterval = try integer("perturbation_interval", 1) ?? settings.perturbationInterval
        settings.quantile = try fields[Node("quantile")].map { try number($0, "scheduler.quantile") } ?? settings.quantile
        settings.resampleProbability = try fields[Node("resample_probability")].map { try number($0, "scheduler.resample_probability") }
            ?? settings.resampleProbability
        return settings
    }
}
