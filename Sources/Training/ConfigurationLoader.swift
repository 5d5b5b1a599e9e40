import Foundation
import Learning
import RingmasterCore
import Yams

/// Reads a YAML training configuration strictly: every key must be known, every value
/// of the right type and range, and `--set section.key=value` overrides apply before
/// validation, so an override is checked like the file itself.
public enum ConfigurationLoader {
    public static func load(path: String, overrides: [String] = []) throws -> TrainingConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, key: "", reason: "cannot read the configuration file")
        }
        return try load(
            yaml: text, file: path, relativeTo: URL(fileURLWithPath: path).deletingLastPathComponent(),
            defaultExperiment: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, overrides: overrides)
    }

    /// Parses configuration text whose relative data paths are relative to `base` (the
    /// folder of the file it came from), naming the experiment `defaultExperiment` unless it
    /// names one itself.
    public static func load(
        yaml text: String, file: String, relativeTo base: URL, defaultExperiment: String, overrides: [String] = []
    ) throws -> TrainingConfiguration {
        var config = try parse(yaml: text, file: file, overrides: overrides)
        if !config.data.path.hasPrefix("/") {
            config.data.path = base.appendingPathComponent(config.data.path).standardized.path
        }
        if let labels = config.data.labelsPath, !labels.hasPrefix("/") {
            config.data.labelsPath = base.appendingPathComponent(labels).standardized.path
        }
        if config.experiment == "default" { config.experiment = defaultExperiment }
        return config
    }

    /// Whether `section.key` names a configuration key (`experiment` alone is one too).
    public static func isKey(_ name: String) -> Bool {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if parts == ["experiment"] { return true }
        guard parts.count == 2, let section = sections[parts[0]] else { return false }
        return section[parts[1]] != nil
    }

    /// Parses configuration text; `file` is used in messages only.
    public static func parse(yaml: String, file: String, overrides: [String] = []) throws -> TrainingConfiguration {
        let root: Node
        do {
            root = try Yams.compose(yaml: yaml) ?? Node.mapping(Node.Mapping([]))
        } catch {
            throw ConfigurationError(file: file, line: nil, key: "", reason: "not valid YAML: \(error)")
        }
        guard var sections = root.mapping else {
            throw ConfigurationError(file: file, line: root.mark?.line, key: "", reason: "expected a mapping of sections")
        }
        for override in overrides {
            try apply(override: override, to: &sections, file: file)
        }
        var config = TrainingConfiguration()
        for (keyNode, value) in sections {
            let key = keyNode.string ?? ""
            if key == "experiment" {
                config.experiment = try Field(file: file, key: key, node: value).string()
                continue
            }
            guard let setters = Self.sections[key] else {
                throw ConfigurationError(
                    file: file, line: keyNode.mark?.line, key: key,
                    reason: "unknown section (expected one of: experiment, \(Self.sections.keys.sorted().joined(separator: ", ")))")
            }
            guard let entries = value.mapping else {
                throw ConfigurationError(file: file, line: value.mark?.line, key: key, reason: "expected a mapping")
            }
            for (entryKey, entryValue) in entries {
                let name = entryKey.string ?? ""
                let path = "\(key).\(name)"
                guard let setter = setters[name] else {
                    throw ConfigurationError(
                        file: file, line: entryKey.mark?.line, key: path,
                        reason: "unknown key (expected one of: \(setters.keys.sorted().joined(separator: ", ")))")
                }
                try setter(&config, Field(file: file, key: path, node: entryValue))
            }
        }
        try validate(config, file: file)
        return config
    }

    /// Applies `section.key=value` (value parsed as YAML, so `[64, 32]` is a list).
    static func apply(override: String, to sections: inout Node.Mapping, file: String) throws {
        guard let equals = override.firstIndex(of: "=") else {
            throw ConfigurationError(file: "--set", line: nil, key: override, reason: "expected section.key=value")
        }
        let path = override[..<equals].split(separator: ".").map(String.init)
        let valueText = String(override[override.index(after: equals)...])
        guard path.count == 1 || path.count == 2 else {
            throw ConfigurationError(file: "--set", line: nil, key: String(override[..<equals]), reason: "expected section.key=value")
        }
        let value = (try? Yams.compose(yaml: valueText)) ?? nil ?? Node(valueText)
        if path.count == 1 {
            sections[Node(path[0])] = value
            return
        }
        var section = sections[Node(path[0])]?.mapping ?? Node.Mapping([])
        section[Node(path[1])] = value
        sections[Node(path[0])] = Node.mapping(section)
    }

    static func validate(_ c: TrainingConfiguration, file: String) throws {
        func fail(_ key: String, _ reason: String) -> ConfigurationError {
            ConfigurationError(file: file, line: nil, key: key, reason: reason)
        }
        if c.data.path.isEmpty { throw fail("data.path", "is required") }
        if !(0..<1).contains(c.data.validationFraction) { throw fail("data.validation_fraction", "must be in [0, 1)") }
        if let format = c.data.format, !["csv", "libsvm", "idx"].contains(format) {
            throw fail("data.format", "must be csv, libsvm or idx, not '\(format)'")
        }
        if let task = c.model.task, !["classification", "regression"].contains(task) {
            throw fail("model.task", "must be classification or regression, not '\(task)'")
        }
        if c.model.kind == .mlp && c.model.hidden.isEmpty { throw fail("model.hidden", "an mlp needs at least one hidden layer") }
        if c.model.hidden.contains(where: { $0 <= 0 }) { throw fail("model.hidden", "layer widths must be positive") }
        if !(0..<1).contains(c.model.dropout) { throw fail("model.dropout", "must be in [0, 1)") }
        if !(c.optimizer.learningRate > 0) { throw fail("optimizer.learning_rate", "must be positive") }
        if !(0..<1).contains(c.optimizer.momentum) { throw fail("optimizer.momentum", "must be in [0, 1)") }
        if c.optimizer.weightDecay < 0 { throw fail("optimizer.weight_decay", "must not be negative") }
        if c.optimizer.warmupEpochs < 0 { throw fail("optimizer.warmup_epochs", "must not be negative") }
        if c.optimizer.stepEpochs <= 0 { throw fail("optimizer.step_epochs", "must be positive") }
        if !(c.optimizer.gamma > 0 && c.optimizer.gamma <= 1) { throw fail("optimizer.gamma", "must be in (0, 1]") }
        if c.optimizer.clipNorm < 0 { throw fail("optimizer.clip_norm", "must not be negative") }
        if c.training.epochs <= 0 { throw fail("training.epochs", "must be positive") }
        if c.training.batchSize <= 0 { throw fail("training.batch_size", "must be positive") }
        if c.training.logEvery <= 0 { throw fail("training.log_every", "must be positive") }
        if c.training.checkpointEvery < 0 { throw fail("training.checkpoint_every", "must not be negative") }
        if c.training.earlyStoppingPatience < 0 { throw fail("training.early_stopping", "patience must not be negative") }
        if c.watchdog.stallTimeout < 0 { throw fail("watchdog.stall_timeout", "must not be negative (0 disables)") }
        if c.watchdog.lostPeerTimeout < 0 { throw fail("watchdog.lost_peer_timeout", "must not be negative (0 disables)") }
        if !(c.watchdog.heartbeatInterval > 0) { throw fail("watchdog.heartbeat_interval", "must be positive") }
        if c.watchdog.lostPeerTimeout > 0 && c.watchdog.lostPeerTimeout < 2 * c.watchdog.heartbeatInterval {
            throw fail("watchdog.lost_peer_timeout", "must be at least twice watchdog.heartbeat_interval, or 0 to disable")
        }
    }

    typealias Setter = @Sendable (inout TrainingConfiguration, Field) throws -> Void

    static let sections: [String: [String: Setter]] = [
        "data": [
            "path": { $0.data.path = try $1.string() },
            "name": { $0.data.name = try $1.string() },
            "label": { $0.data.label = try $1.string() },
            "labels_path": { $0.data.labelsPath = try $1.string() },
            "format": { $0.data.format = try $1.string() },
            "validation_fraction": { $0.data.validationFraction = try $1.double() },
            "standardize": { $0.data.standardize = try $1.bool() },
        ],
        "model": [
            "kind": { $0.model.kind = try $1.enumeration() },
            "task": { $0.model.task = try $1.string() },
            "hidden": { $0.model.hidden = try $1.ints() },
            "activation": { $0.model.activation = try $1.enumeration() },
            "dropout": { $0.model.dropout = try $1.double() },
        ],
        "optimizer": [
            "kind": { $0.optimizer.kind = try $1.enumeration() },
            "learning_rate": { $0.optimizer.learningRate = try $1.double() },
            "momentum": { $0.optimizer.momentum = try $1.double() },
            "nesterov": { $0.optimizer.nesterov = try $1.bool() },
            "weight_decay": { $0.optimizer.weightDecay = try $1.double() },
            "schedule": { $0.optimizer.schedule = try $1.enumeration() },
            "warmup_epochs": { $0.optimizer.warmupEpochs = try $1.double() },
            "step_epochs": { $0.optimizer.stepEpochs = try $1.int() },
            "gamma": { $0.optimizer.gamma = try $1.double() },
            "min_learning_rate": { $0.optimizer.minLearningRate = try $1.double() },
            "clip_norm": { $0.optimizer.clipNorm = try $1.double() },
            "scale_lr": { $0.optimizer.scaleLearningRate = try $1.bool() },
        ],
        "training": [
            "epochs": { $0.training.epochs = try $1.int() },
            "batch_size": { $0.training.batchSize = try $1.int() },
            "seed": { $0.training.seed = UInt64(try $1.int(minimum: 0)) },
            "log_every": { $0.training.logEvery = try $1.int() },
            "checkpoint_every": { $0.training.checkpointEvery = try $1.int() },
            "early_stopping": { config, field in
                if let entries = field.node.mapping {
                    for (key, value) in entries {
                        let sub = Field(file: field.file, key: "\(field.key).\(key.string ?? "")", node: value)
                        switch key.string {
                        case "patience": config.training.earlyStoppingPatience = try sub.int(minimum: 0)
                        case "min_delta": config.training.earlyStoppingMinDelta = try sub.double()
                        default: throw sub.error("unknown key (expected one of: min_delta, patience)")
                        }
                    }
                } else {
                    config.training.earlyStoppingPatience = try field.int(minimum: 0)
                }
            },
        ],
        "watchdog": [
            "stall_timeout": { $0.watchdog.stallTimeout = try $1.double() },
            "lost_peer_timeout": { $0.watchdog.lostPeerTimeout = try $1.double() },
            "heartbeat_interval": { $0.watchdog.heartbeatInterval = try $1.double() },
        ],
    ]
}

/// One configuration value with its location, converting to the expected type or
/// failing with a message naming the key and line.
struct Field {
    let file: String
    let key: String
    let node: Node

    func error(_ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, line: node.mark?.line, key: key, reason: reason)
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a single value") }
        return scalar.string
    }

    func double() throws -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw error("expected a number, got '\(node.string ?? "a collection")'")
        }
        return value
    }

    func int(minimum: Int = Int.min) throws -> Int {
        guard let value = node.int else { throw error("expected an integer, got '\(node.string ?? "a collection")'") }
        guard value >= minimum else { throw error("must be at least \(minimum)") }
        return value
    }

    func ints() throws -> [Int] {
        if node.int != nil { return [try int()] }
        guard case .sequence(let items) = node else { throw error("expected a list of integers such as [128, 64]") }
        return try items.map { try Field(file: file, key: key, node: $0).int() }
    }

    func bool() throws -> Bool {
        guard let value = node.bool else { throw error("expected true or false, got '\(node.string ?? "a collection")'") }
        return value
    }

    func enumeration<T: RawRepresentable & CaseIterable>() throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw error("'\(text)' is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
