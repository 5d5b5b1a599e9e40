import Foundation
import Training
import Yams

/// The `with:` fields each step type takes: their kind and whether they are required.
struct FieldRule {
    enum Kind {
        case text, integer(minimum: Int), number, fraction, boolean
        /// A file that must exist (relative to the pipeline's folder).
        case path
        /// A list of files that must exist.
        case paths
        /// A list of text values.
        case texts
        /// `{section.key: value}` overrides of a training configuration.
        case overrides
        /// `{column: [low, high]}` or `{column: {min, max}}`.
        case ranges
        /// `{metric: {min, max, min_delta, min_relative, higher_is_better}}`.
        case thresholds
    }
    var name: String
    var kind: Kind
    var required = false

    static func rules(_ type: PipelineStepType) -> [FieldRule] {
        switch type {
        case .importData:
            return [.init(name: "file", kind: .path, required: true), .init(name: "name", kind: .text),
                    .init(name: "label", kind: .text), .init(name: "include_watched", kind: .boolean)]
        case .validateData:
            return [.init(name: "data", kind: .path, required: true), .init(name: "label", kind: .text),
                    .init(name: "columns", kind: .texts), .init(name: "ranges", kind: .ranges),
                    .init(name: "max_missing", kind: .fraction), .init(name: "min_rows", kind: .integer(minimum: 0))]
        case .train:
            return [.init(name: "config", kind: .path, required: true), .init(name: "ranks", kind: .integer(minimum: 1)),
                    .init(name: "data", kind: .path), .init(name: "dataset", kind: .text),
                    .init(name: "set", kind: .overrides), .init(name: "register", kind: .text)]
        case .sweep:
            return [.init(name: "spec", kind: .path, required: true), .init(name: "ranks", kind: .integer(minimum: 1)),
                    .init(name: "ranks_per_trial", kind: .integer(minimum: 1))]
        case .evaluate:
            return [.init(name: "model", kind: .text, required: true), .init(name: "data", kind: .path, required: true),
                    .init(name: "label", kind: .text)]
        case .gate:
            return [.init(name: "candidate", kind: .text, required: true), .init(name: "model", kind: .text, required: true),
                    .init(name: "alias", kind: .text), .init(name: "data", kind: .path, required: true),
                    .init(name: "label", kind: .text), .init(name: "metrics", kind: .thresholds, required: true)]
        case .register:
            return [.init(name: "model", kind: .text, required: true), .init(name: "run", kind: .text, required: true),
                    .init(name: "description", kind: .text)]
        case .promote:
            return [.init(name: "model", kind: .text, required: true),
                    .init(name: "version", kind: .integer(minimum: 1), required: true), .init(name: "alias", kind: .text)]
        case .custom:
            return [.init(name: "command", kind: .text, required: true), .init(name: "timeout", kind: .number),
                    .init(name: "inputs", kind: .paths)]
        }
    }

    /// The outputs a step type produces, for checking references; nil: any (custom commands).
    static func outputs(_ type: PipelineStepType) -> Set<String>? {
        switch type {
        case .importData: return ["path", "dataset", "name", "version", "fingerprint", "rows"]
        case .validateData: return ["rows", "columns"]
        case .train:
            return ["run_id", "model_path", "model_sha256", "validation_loss", "validation_accuracy", "validation_r2",
                    "version", "model_version"]
        case .sweep: return ["sweep_id", "best_trial", "best_value", "run_id"]
        case .evaluate: return ["rows", "loss", "accuracy", "r2"]
        case .gate: return Set(["passed", "baseline", "report"]).union(GateMetric.allCases.flatMap { ["candidate_\($0.rawValue)", "baseline_\($0.rawValue)"] })
        case .register: return ["version", "model_version", "run_id"]
        case .promote: return ["alias", "version", "previous"]
        case .custom: return nil
        }
    }
}

/// Typed reads from a pipeline file, each failing with the file, line and dotted field at fault.
struct Reader: YAMLFieldReader {
    let file: String
    let folder: URL

    func url(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path).standardizedFileURL
    }

    func value(_ node: Node) -> PipelineValue {
        switch node {
        case .scalar(let scalar): return .text(scalar.string)
        case .sequence(let items): return .list(items.map(value))
        case .mapping(let fields):
            return .mapping(Dictionary(fields.map { ($0.key.string ?? "", value($0.value)) }, uniquingKeysWith: { a, _ in a }))
        case .alias: return .text(node.string ?? "")
        }
    }

    /// `id: {uses, needs, with}`.
    func step(_ id: String, _ node: Node) throws -> PipelineStep {
        let path = "steps.\(id)"
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }) else {
            throw error(path, "a step id uses letters, digits, '-' and '_'", node)
        }
        guard let fields = node.mapping else { throw error(path, "expected {uses, needs, with}", node) }
        try onlyKeys(fields, ["uses", "needs", "with"], in: path)
        guard let usesNode = fields[Node("uses")] else { throw error("\(path).uses", "is required", node) }
        let usesText = try string(usesNode, "\(path).uses")
        guard let uses = PipelineStepType(rawValue: usesText) else {
            throw error("\(path).uses", "unknown step type '\(usesText)' (expected one of: \(PipelineStepType.allCases.map(\.rawValue).joined(separator: ", ")))", usesNode)
        }
        var needs: [String] = []
        if let needsNode = fields[Node("needs")] {
            switch needsNode {
            case .scalar: needs = [try string(needsNode, "\(path).needs")]
            case .sequence(let items): needs = try items.map { try string($0, "\(path).needs") }
            default: throw error("\(path).needs", "expected a step id or a list of step ids", needsNode)
            }
        }
        let withNode = fields[Node("with")]
        let withFields = withNode?.mapping ?? Node.Mapping([])
        if let withNode, withNode.mapping == nil { throw error("\(path).with", "expected a mapping", withNode) }
        let rules = FieldRule.rules(uses)
        try onlyKeys(withFields, rules.map(\.name), in: "\(path).with")
        var values: [String: PipelineValue] = [:]
        for rule in rules {
            let key = "\(path).with.\(rule.name)"
            guard let field = withFields[Node(rule.name)] else {
                if rule.required { throw error(key, "is required for a \(uses.rawValue) step", withNode ?? node) }
                continue
            }
            try check(field, rule.kind, key)
            values[rule.name] = value(field)
        }
        return PipelineStep(id: id, uses: uses, needs: needs, with: values, line: node.mark?.line)
    }

    /// Whether a scalar holds a reference: its type is checked when the step runs, once resolved.
    private func isReference(_ node: Node) -> Bool {
        node.string?.contains("${{") == true
    }

    func check(_ node: Node, _ kind: FieldRule.Kind, _ key: String) throws {
        if case .scalar = node, isReference(node) {
            do { _ = try PipelineReference.all(in: node.string!) } catch let failure as PipelineReferenceError {
                throw error(key, failure.reason, node)
            }
            return
        }
        switch kind {
        case .text: _ = try string(node, key)
        case .integer(let minimum): _ = try int(node, key, minimum: minimum)
        case .number:
            guard try number(node, key) > 0 else { throw error(key, "must be positive", node) }
        case .fraction:
            let value = try number(node, key)
            guard (0...1).contains(value) else { throw error(key, "must be between 0 and 1, got \(value)", node) }
        case .boolean: _ = try bool(node, key)
        case .path: try existing(try string(node, key), key, node)
        case .paths, .texts:
            guard case .sequence(let items) = node else { throw error(key, "expected a list", node) }
            for item in items {
                if case .paths = kind, !isReference(item) { try existing(try string(item, key), key, item) } else {
                    _ = try string(item, key)
                }
            }
        case .overrides:
            guard let fields = node.mapping else { throw error(key, "expected {section.key: value}", node) }
            for (name, value) in fields {
                let setting = try string(name, key)
                guard ConfigurationLoader.isKey(setting) else {
                    throw error("\(key).\(setting)", "not a training configuration key", name)
                }
                if value.mapping != nil { throw error("\(key).\(setting)", "expected a value", value) }
            }
        case .ranges:
            guard let fields = node.mapping else { throw error(key, "expected {column: [low, high]} or {column: {min, max}}", node) }
            for (name, value) in fields {
                let column = "\(key).\(try string(name, key))"
                if case .sequence(let bounds) = value {
                    guard bounds.count == 2 else { throw error(column, "expected [low, high]", value) }
                    let low = try number(bounds[0], column), high = try number(bounds[1], column)
                    guard low <= high else { throw error(column, "low (\(low)) is above high (\(high))", value) }
                } else if let limits = value.mapping {
                    try onlyKeys(limits, ["min", "max"], in: column)
                    for (limit, bound) in limits { _ = try number(bound, "\(column).\(limit.string ?? "")") }
                } else {
                    throw error(column, "expected [low, high] or {min, max}", value)
                }
            }
        case .thresholds:
            guard let metrics = node.mapping, !metrics.isEmpty else {
                throw error(key, "expected {metric: {min, max, min_delta, min_relative, higher_is_better}}", node)
            }
            for (name, value) in metrics {
                let metric = try string(name, key)
                let path = "\(key).\(metric)"
                guard GateMetric(rawValue: metric) != nil else {
                    throw error(path, "unknown metric (expected one of: \(GateMetric.allCases.map(\.rawValue).joined(separator: ", ")))", name)
                }
                guard let limits = value.mapping else { throw error(path, "expected {min, max, min_delta, min_relative, higher_is_better}", value) }
                try onlyKeys(limits, ["min", "max", "min_delta", "min_relative", "higher_is_better"], in: path)
                var thresholds = 0
                for (limit, bound) in limits {
                    let field = "\(path).\(limit.string ?? "")"
                    if limit.string == "higher_is_better" { _ = try bool(bound, field) } else {
                        _ = try number(bound, field)
                        thresholds += 1
                    }
                }
                if thresholds == 0 { throw error(path, "needs at least one of min, max, min_delta, min_relative", value) }
            }
        }
    }

    private func existing(_ path: String, _ key: String, _ node: Node) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url(path).path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw error(key, "no such file: \(url(path).path)", node)
        }
    }

    /// Every reference names an output of a step the referring step needs, directly or not.
    func checkReferences(_ step: PipelineStep, spec: PipelineSpec, node: Node) throws {
        let ancestors = spec.ancestors(of: step.id)
        let fields = node.mapping?[Node("with")]?.mapping
        for (field, value) in step.with.sorted(by: { $0.key < $1.key }) {
            let key = "steps.\(step.id).with.\(field)"
            let at = fields?[Node(field)]
            for reference in value.references {
                guard let target = spec.step(reference.step) else {
                    throw error(key, "refers to unknown step '\(reference.step)'", at)
                }
                guard ancestors.contains(reference.step) else {
                    throw error(key, "refers to step '\(reference.step)', which \(step.id) does not need; add it to needs", at)
                }
                if let outputs = FieldRule.outputs(target.uses), !outputs.contains(reference.output) {
                    throw error(key, "step '\(reference.step)' (\(target.uses.rawValue)) has no output '\(reference.output)' (outputs: \(outputs.sorted().joined(separator: ", ")))", at)
                }
            }
        }
        if step.uses == .promote, !ancestors.contains(where: { spec.step($0)?.uses == .gate }) {
            throw error("steps.\(step.id).needs", "a promote step must need a gate step (directly or through other steps)", node)
        }
    }

    /// `triggers: {watch: {directory, pattern}, drift: {model, data, …}, interval, min_new_rows}`.
    func triggers(_ node: Node) throws -> PipelineTriggers {
        guard let fields = node.mapping else { throw error("triggers", "expected {watch, drift, interval, min_new_rows}", node) }
        try onlyKeys(fields, ["watch", "drift", "interval", "min_new_rows"], in: "triggers")
        var triggers = PipelineTriggers()
        if let watch = fields[Node("watch")] {
            guard let settings = watch.mapping else { throw error("triggers.watch", "expected {directory, pattern}", watch) }
            try onlyKeys(settings, ["directory", "pattern"], in: "triggers.watch")
            guard let directory = settings[Node("directory")] else { throw error("triggers.watch.directory", "is required", watch) }
            let url = url(try string(directory, "triggers.watch.directory"))
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw error("triggers.watch.directory", "no such directory: \(url.path)", directory)
            }
            triggers.watchDirectory = url
            if let pattern = settings[Node("pattern")] { triggers.watchPattern = try string(pattern, "triggers.watch.pattern") }
        }
        if let drift = fields[Node("drift")] {
            guard let settings = drift.mapping else { throw error("triggers.drift", "expected {model, data, …}", drift) }
            let thresholds = ["method", "ks_p_value", "wasserstein", "jensen_shannon", "psi", "drift_share", "small_reference"]
            try onlyKeys(settings, ["model", "data"] + thresholds, in: "triggers.drift")
            guard let model = settings[Node("model")] else { throw error("triggers.drift.model", "is required", drift) }
            var trigger = PipelineTriggers.DriftTrigger(model: try string(model, "triggers.drift.model"), options: [])
            if let data = settings[Node("data")] {
                try existing(try string(data, "triggers.drift.data"), "triggers.drift.data", data)
                trigger.data = url(try string(data, "triggers.drift.data"))
            }
            for name in thresholds where name != "method" {
                if let value = settings[Node(name)] {
                    _ = try number(value, "triggers.drift.\(name)")
                    trigger.options.append((name.replacingOccurrences(of: "_", with: "-"), value.string ?? ""))
                }
            }
            if let method = settings[Node("method")] { trigger.options.append(("method", try string(method, "triggers.drift.method"))) }
            triggers.drift = trigger
        }
        if let interval = fields[Node("interval")] {
            let seconds = try number(interval, "triggers.interval")
            guard seconds > 0 else { throw error("triggers.interval", "must be positive", interval) }
            triggers.interval = seconds
        }
        if let rows = fields[Node("min_new_rows")] {
            guard triggers.watchDirectory != nil else {
                throw error("triggers.min_new_rows", "counts rows of new files: add triggers.watch", rows)
            }
            triggers.minNewRows = try int(rows, "triggers.min_new_rows", minimum: 1)
        }
        if triggers.watchDirectory == nil && triggers.interval == nil && (triggers.drift?.data == nil) {
            throw error("triggers", "needs watch, interval, or drift with data", node)
        }
        return triggers
    }
}
