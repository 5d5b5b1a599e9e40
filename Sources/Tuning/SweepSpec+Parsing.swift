import Foundation
import RingmasterCore
import Training
import Yams

extension SweepSpec {
    /// Reads and validates `SWEEP.yaml`. Every mistake — an unknown key, low ≥ high, log
    /// bounds ≤ 0, an empty choice, a parameter that names no configuration key, an unknown
    /// sampler — is reported before any training, naming the file, line and field.
    public static func load(path: String) throws -> SweepSpec {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, key: "", reason: "cannot read the sweep specification")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try parse(yaml: text, file: path, relativeTo: folder,
                         defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
    }

    public static func parse(yaml text: String, file: String, relativeTo folder: URL, defaultName: String) throws -> SweepSpec {
        let reader = SpecReader(file: file)
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigurationError(file: file, line: nil, key: "", reason: "not valid YAML: \(error)")
        }
        guard let mapping = root?.mapping else { throw reader.error("", "expected a mapping", root) }
        try reader.onlyKeys(mapping, ["name", "base", "command", "timeout", "function", "space", "objective", "budget",
                                      "sampler", "scheduler", "seed"], in: "")
        let name = try mapping[Node("name")].map { try reader.string($0, "name") } ?? defaultName

        let workloads = ["base", "command", "function"].filter { mapping[Node($0)] != nil }
        guard workloads.count == 1 else {
            throw reader.error(workloads.first ?? "base", "give exactly one of base (a training config), command or function", root)
        }
        let workload: Workload
        switch workloads[0] {
        case "base":
            let node = mapping[Node("base")]!
            if case .scalar = node {
                let relative = try reader.string(node, "base")
                let configPath = relative.hasPrefix("/") ? relative : folder.appendingPathComponent(relative).standardized.path
                workload = .training(base: try ConfigurationLoader.load(path: configPath))
            } else {
                guard node.mapping != nil else { throw reader.error("base", "expected a path or a training configuration", node) }
                workload = .training(base: try ConfigurationLoader.load(
                    yaml: try Yams.serialize(node: node), file: "\(file): base", relativeTo: folder, defaultExperiment: name))
            }
        case "command":
            let timeout = try mapping[Node("timeout")].map { try reader.positive($0, "timeout") }
            workload = .command(template: try reader.string(mapping[Node("command")]!, "command"), timeout: timeout)
        default:
            let function = try reader.string(mapping[Node("function")]!, "function")
            guard BenchmarkFunction.named(function) != nil else {
                throw reader.error("function", "unknown function '\(function)' (expected one of: \(BenchmarkFunction.all.map(\.name).joined(separator: ", ")))",
                                   mapping[Node("function")])
            }
            workload = .function(function)
        }

        guard let spaceNode = mapping[Node("space")], let entries = spaceNode.mapping, !entries.isEmpty else {
            throw reader.error("space", "is required: a mapping of parameters to distributions", mapping[Node("space")] ?? root)
        }
        var parameters: [ParameterSpec] = []
        for (key, node) in entries {
            let parameter = try reader.parameter(key.string ?? "", node, declared: parameters)
            if case .training = workload, !ConfigurationLoader.isKey(parameter.name) {
                throw reader.error("space.\(parameter.name)", "names no configuration key (expected section.key, e.g. optimizer.learning_rate)", key)
            }
            if case .function(let function) = workload, BenchmarkFunction.named(function)!.space.parameters.first(where: { $0.name == parameter.name }) == nil {
                throw reader.error("space.\(parameter.name)", "is not an input of \(function)", key)
            }
            parameters.append(parameter)
        }
        if case .function(let function) = workload {
            let inputs = BenchmarkFunction.named(function)!.space.parameters.map(\.name)
            if let missing = inputs.first(where: { name in !parameters.contains { $0.name == name } }) {
                throw reader.error("space.\(missing)", "\(function) needs every input (\(inputs.joined(separator: ", ")))", spaceNode)
            }
        }

        let objectiveNode = mapping[Node("objective")]
        var objective = "value"
        var direction = OptimizationDirection.minimize
        if let objectiveNode {
            guard let fields = objectiveNode.mapping else { throw reader.error("objective", "expected {metric: NAME, direction: minimize|maximize}", objectiveNode) }
            try reader.onlyKeys(fields, ["metric", "direction"], in: "objective")
            objective = try fields[Node("metric")].map { try reader.string($0, "objective.metric") } ?? objective
            if let node = fields[Node("direction")] { direction = try reader.enumeration(node, "objective.direction") }
        } else if case .function = workload {
        } else {
            throw reader.error("objective", "is required: {metric: validation_accuracy, direction: maximize}", root)
        }

        var maxTrials: Int?
        var maxSeconds: Double?
        if let budget = mapping[Node("budget")] {
            guard let fields = budget.mapping else { throw reader.error("budget", "expected {max_trials: N, max_seconds: S}", budget) }
            try reader.onlyKeys(fields, ["max_trials", "max_seconds"], in: "budget")
            maxTrials = try fields[Node("max_trials")].map { try reader.int($0, "budget.max_trials", minimum: 1) }
            maxSeconds = try fields[Node("max_seconds")].map { try reader.positive($0, "budget.max_seconds") }
        }
        if maxTrials == nil && maxSeconds == nil { maxTrials = 20 }

        let sampler = try reader.sampler(mapping[Node("sampler")])
        let scheduler = try reader.scheduler(mapping[Node("scheduler")])
        let seed = try mapping[Node("seed")].map { UInt64(try reader.int($0, "seed", minimum: 0)) } ?? 0
        var spec = SweepSpec(
            name: name, workload: workload, space: SearchSpace(parameters: parameters), objective: objective,
            direction: direction, maxTrials: maxTrials, maxSeconds: maxSeconds, sampler: sampler, scheduler: scheduler,
            seed: seed, text: text)
        try spec.validateAgainstWorkload(file: file)
        do {
            _ = try spec.makeScheduler()
        } catch TuningError.invalidSetting(let field, let reason) {
            throw ConfigurationError(file: file, line: nil, key: field, reason: reason)
        }
        if case .pbt = scheduler.kind, case .training = workload {
            spec.scheduler.perturbationInterval = max(1, spec.scheduler.perturbationInterval)
        }
        return spec
    }

    /// Only the search space of a specification (e.g. a recorded one, whose base
    /// configuration may no longer be where it was).
    public static func space(yaml text: String, file: String) throws -> SearchSpace {
        let reader = SpecReader(file: file)
        guard let root = try Yams.compose(yaml: text)?.mapping, let entries = root[Node("space")]?.mapping else {
            throw reader.error("space", "is required: a mapping of parameters to distributions")
        }
        var parameters: [ParameterSpec] = []
        for (key, node) in entries { parameters.append(try reader.parameter(key.string ?? "", node, declared: parameters)) }
        return SearchSpace(parameters: parameters)
    }

    /// Checks that every value the space can produce is a valid override of the base
    /// configuration, trying each parameter's extreme values, so type mistakes surface now.
    func validateAgainstWorkload(file: String) throws {
        guard case .training(let base) = workload else { return }
        for parameter in space.parameters {
            for value in [parameter.distribution.value(unit: 0), parameter.distribution.value(unit: 1)] {
                do {
                    _ = try ConfigurationLoader.parse(yaml: base.yaml, file: file, overrides: ["\(parameter.name)=\(value)"])
                } catch let error as ConfigurationError {
                    throw ConfigurationError(file: file, line: nil, key: "space.\(parameter.name)",
                                             reason: "value \(value) is not valid for the configuration: \(error.reason)")
                }
            }
        }
        if scheduler.kind == .pbt {
            // A running trial keeps its network, data and optimizer kind; only these can change under it.
            let changeable = ["optimizer.learning_rate", "optimizer.momentum", "optimizer.weight_decay", "optimizer.clip_norm",
                              "optimizer.gamma", "optimizer.min_learning_rate"]
            if let fixed = space.parameters.first(where: { !changeable.contains($0.name) }) {
                throw ConfigurationError(file: file, line: nil, key: "space.\(fixed.name)",
                                         reason: "population-based training changes hyperparameters of running trials; it can change \(changeable.joined(separator: ", "))")
            }
        }
    }
}
