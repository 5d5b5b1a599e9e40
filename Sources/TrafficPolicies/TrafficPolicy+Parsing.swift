import Foundation
import Yams

extension TrafficPolicy {
    /// Reads a policy file; errors name the file, line and field.
    public static func load(path: String) throws -> TrafficPolicy {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TrafficPolicyError(file: path, line: nil, key: "", reason: "cannot read the policy file")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses the YAML form; `file` is used in messages only.
    public static func parse(yaml text: String, file: String) throws -> TrafficPolicy {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw TrafficPolicyError(file: file, line: nil, key: "", reason: "not valid YAML: \(error)")
        }
        return try PolicyReader(source: file).policy(root)
    }

    /// Parses the JSON form (the admin endpoint's body), which has the same fields as the YAML
    /// form. Errors name `source` and the field; JSON errors carry no line.
    public static func parse(json data: Data, source: String = "request body") throws -> TrafficPolicy {
        let tree: JSONTree
        do { tree = try JSONDecoder().decode(JSONTree.self, from: data) } catch {
            throw TrafficPolicyError(file: source, line: nil, key: "", reason: "not valid JSON")
        }
        return try PolicyReader(source: source).policy(tree.node)
    }
}

/// The policy is decoded from any document with the shape of the YAML form, through the
/// same checks as `parse(yaml:file:)`; a problem becomes `DecodingError.dataCorrupted` whose
/// description is the `TrafficPolicyError` line.
extension TrafficPolicy: Codable {
    public init(from decoder: any Decoder) throws {
        let tree = try JSONTree(from: decoder)
        do {
            self = try PolicyReader(source: "").policy(tree.node)
        } catch let error as TrafficPolicyError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    /// Writes the YAML/JSON form, so that the admin endpoint can show the policy in force.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        try container.encode(kind.rawValue, forKey: "kind")
        switch rule {
        case .single(let variant):
            try container.encode([VariantForm(variant, weight: nil)], forKey: "variants")
        case .canary(let weighted):
            try container.encode(weighted.map { VariantForm($0.variant, weight: $0.weight) }, forKey: "variants")
        case .shadow(let primary, let shadows, let sampleRate):
            try container.encode(VariantForm(primary, weight: nil), forKey: "primary")
            try container.encode(shadows.map { VariantForm($0, weight: nil) }, forKey: "shadows")
            try container.encode(sampleRate, forKey: "sample_rate")
        case .ab(let weighted, let key, let salt):
            try container.encode(weighted.map { VariantForm($0.variant, weight: $0.weight) }, forKey: "variants")
            switch key {
            case .header(let name): try container.encode(["header": name], forKey: "sticky_key")
            case .jsonField(let name): try container.encode(["json_field": name], forKey: "sticky_key")
            }
            if !salt.isEmpty { try container.encode(salt, forKey: "salt") }
        case .bandit(let arms, let algorithm):
            try container.encode(arms.map { VariantForm($0, weight: nil) }, forKey: "variants")
            switch algorithm {
            case .epsilonGreedy(let epsilon):
                try container.encode("epsilon_greedy", forKey: "algorithm")
                try container.encode(epsilon, forKey: "epsilon")
            case .thompsonBernoulli(let alpha, let beta):
                try container.encode("thompson", forKey: "algorithm")
                try container.encode("bernoulli", forKey: "reward")
                try container.encode(["alpha": alpha, "beta": beta], forKey: "prior")
            case .thompsonGaussian(let mean, let kappa, let alpha, let beta):
                try container.encode("thompson", forKey: "algorithm")
                try container.encode("gaussian", forKey: "reward")
                try container.encode(["mean": mean, "kappa": kappa, "alpha": alpha, "beta": beta], forKey: "prior")
            }
        }
    }

    private struct VariantForm: Encodable {
        let name: String, model: String, weight: Double?
        init(_ variant: Variant, weight: Double?) { (name, model, self.weight) = (variant.name, variant.model, weight) }
    }
}

struct FieldKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    init(stringLiteral value: String) { stringValue = value }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// Any JSON document, kept only long enough to become a Yams node for `PolicyReader`.
enum JSONTree: Decodable {
    case null, bool(Bool), number(Double), string(String)
    case array([JSONTree]), object([(String, JSONTree)])

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: FieldKey.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONTree.self, forKey: $0)) })
        } else if var array = try? decoder.unkeyedContainer() {
            var items: [JSONTree] = []
            while !array.isAtEnd { items.append(try array.decode(JSONTree.self)) }
            self = .array(items)
        } else {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() { self = .null }
            else if let bool = try? value.decode(Bool.self) { self = .bool(bool) }
            else if let number = try? value.decode(Double.self) { self = .number(number) }
            else { self = .string(try value.decode(String.self)) }
        }
    }

    var node: Node {
        switch self {
        case .null: return Node("null")
        case .bool(let value): return Node(value ? "true" : "false")
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { return Node(String(Int(value))) }
            return Node(String(value))
        case .string(let value): return Node(value, Tag(.str), .doubleQuoted)
        case .array(let items): return Node(items.map(\.node))
        case .object(let pairs): return Node(pairs.map { (Node($0.0), $0.1.node) })
        }
    }
}

/// Strict typed reads from the policy document. It remembers the line of every field it
/// reads, so that a problem found by `TrafficPolicy.problem(in:)` after reading is reported
/// at the line of the field it names.
final class PolicyReader {
    let source: String
    private var lines: [String: Int] = [:]

    init(source: String) { self.source = source }

    func error(_ field: String, _ reason: String, _ node: Node?) -> TrafficPolicyError {
        TrafficPolicyError(file: source, line: node?.mark?.line, key: field, reason: reason)
    }

    private static let keys: [TrafficPolicy.Kind: [String]] = [
        .single: ["kind", "variants"],
        .canary: ["kind", "variants"],
        .shadow: ["kind", "primary", "shadows", "sample_rate"],
        .ab: ["kind", "variants", "sticky_key", "salt"],
        .bandit: ["kind", "variants", "algorithm", "epsilon", "reward", "prior"],
    ]

    func policy(_ root: Node?) throws -> TrafficPolicy {
        guard let root, let fields = root.mapping else { throw error("", "expected a mapping with a kind field", root) }
        guard let kindNode = fields[Node("kind")] else {
            throw error("kind", "is required (one of: \(kinds))", root)
        }
        guard let kind = TrafficPolicy.Kind(rawValue: try string(kindNode, "kind")) else {
            throw error("kind", "'\(kindNode.string ?? "")' is not one of: \(kinds)", kindNode)
        }
        let allowed = Self.keys[kind]!
        for key in fields.keys where !allowed.contains(key.string ?? "") {
            throw error(key.string ?? "", "is not a field of a \(kind.rawValue) policy (expected: \(allowed.joined(separator: ", ")))", key)
        }
        note("", root)
        for key in fields.keys { note(key.string ?? "", key) }
        let rule: TrafficPolicy.Rule
        switch kind {
        case .single:
            let list = try variants(fields, weighted: false)
            guard list.count == 1 else { throw error("variants", "a single policy has exactly one variant", fields[Node("variants")]) }
            rule = .single(list[0].variant)
        case .canary:
            rule = .canary(try variants(fields, weighted: true))
        case .shadow:
            guard let primaryNode = fields[Node("primary")] else { throw error("primary", "is required", root) }
            guard let shadowsNode = fields[Node("shadows")] else { throw error("shadows", "is required", root) }
            let shadows = try sequence(shadowsNode, "shadows").enumerated().map {
                try variant($1, "shadows[\($0)]", weighted: false).variant
            }
            let rate = try fields[Node("sample_rate")].map { try number($0, "sample_rate") } ?? 1
            rule = .shadow(primary: try variant(primaryNode, "primary", weighted: false).variant, shadows: shadows, sampleRate: rate)
        case .ab:
            guard let keyNode = fields[Node("sticky_key")] else {
                throw error("sticky_key", "is required: {header: NAME} or {json_field: NAME}", root)
            }
            let salt = try fields[Node("salt")].map { try string($0, "salt") } ?? ""
            rule = .ab(try variants(fields, weighted: true), stickyKey: try stickyKey(keyNode), salt: salt)
        case .bandit:
            rule = .bandit(try variants(fields, weighted: false).map(\.variant), try algorithm(fields, root))
        }
        if let (field, reason) = TrafficPolicy.problem(in: rule) {
            throw TrafficPolicyError(file: source, line: line(of: field), key: field, reason: reason)
        }
        return TrafficPolicy(validated: rule)
    }

    private var kinds: String { TrafficPolicy.Kind.allCases.map(\.rawValue).joined(separator: ", ") }

    /// Remembers where `field` is; the first note wins, so a list is placed at its key's
    /// line rather than at its first item.
    private func note(_ field: String, _ node: Node) {
        if lines[field] == nil, let line = node.mark?.line { lines[field] = line }
    }

    /// The line of `field`, or of the closest enclosing field that has one.
    private func line(of field: String) -> Int? {
        var path = field
        while true {
            if let line = lines[path] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return lines[""] }
            path = String(path[..<cut])
        }
    }

    private func variants(_ fields: Node.Mapping, weighted: Bool) throws -> [WeightedVariant] {
        guard let node = fields[Node("variants")] else {
            throw TrafficPolicyError(file: source, line: lines[""], key: "variants", reason: "is required: a list of {name, model\(weighted ? ", weight" : "")}")
        }
        return try sequence(node, "variants").enumerated().map { try variant($1, "variants[\($0)]", weighted: weighted) }
    }

    private func variant(_ node: Node, _ path: String, weighted: Bool) throws -> WeightedVariant {
        guard let fields = node.mapping else {
            throw error(path, "expected {name, model\(weighted ? ", weight" : "")}", node)
        }
        note(path, node)
        let allowed = weighted ? ["name", "model", "weight"] : ["name", "model"]
        for key in fields.keys where !allowed.contains(key.string ?? "") {
            let reason = key.string == "weight" ? "only canary and ab variants take a weight" : "unknown field (expected: \(allowed.joined(separator: ", ")))"
            throw error("\(path).\(key.string ?? "")", reason, key)
        }
        func required(_ key: String) throws -> Node {
            guard let value = fields[Node(key)] else { throw error("\(path).\(key)", "is required", node) }
            return value
        }
        let model = try string(try required("model"), "\(path).model")
        let name = try fields[Node("name")].map { try string($0, "\(path).name") } ?? model
        let weight = weighted ? try number(try required("weight"), "\(path).weight") : 0
        return WeightedVariant(Variant(name: name, model: model), weight: weight)
    }

    private func stickyKey(_ node: Node) throws -> StickyKey {
        guard let fields = node.mapping, fields.count == 1, let (key, value) = fields.first else {
            throw error("sticky_key", "expected {header: NAME} or {json_field: NAME}", node)
        }
        switch key.string {
        case "header": return .header(try string(value, "sticky_key.header"))
        case "json_field": return .jsonField(try string(value, "sticky_key.json_field"))
        default: throw error("sticky_key.\(key.string ?? "")", "unknown field (expected header or json_field)", key)
        }
    }

    private func algorithm(_ fields: Node.Mapping, _ root: Node) throws -> BanditAlgorithm {
        guard let node = fields[Node("algorithm")] else { throw error("algorithm", "is required (epsilon_greedy or thompson)", root) }
        let priorNode = fields[Node("prior")]
        let prior = try priorNode.map { node -> Node.Mapping in
            guard let mapping = node.mapping else { throw error("prior", "expected a mapping", node) }
            return mapping
        }
        func priorValue(_ key: String, _ fallback: Double) throws -> Double {
            try prior?[Node(key)].map { try number($0, "prior.\(key)") } ?? fallback
        }
        func onlyPrior(_ allowed: [String]) throws {
            guard let prior else { return }
            for key in prior.keys where !allowed.contains(key.string ?? "") {
                throw error("prior.\(key.string ?? "")", "unknown field (expected: \(allowed.joined(separator: ", ")))", key)
            }
        }
        switch try string(node, "algorithm") {
        case "epsilon_greedy":
            if let reward = fields[Node("reward")] { throw error("reward", "only thompson takes a reward model", reward) }
            if let priorNode { throw error("prior", "only thompson takes a prior", priorNode) }
            return .epsilonGreedy(epsilon: try fields[Node("epsilon")].map { try number($0, "epsilon") } ?? 0.1)
        case "thompson":
            if let epsilon = fields[Node("epsilon")] { throw error("epsilon", "only epsilon_greedy takes epsilon", epsilon) }
            switch try fields[Node("reward")].map({ try string($0, "reward") }) ?? "bernoulli" {
            case "bernoulli":
                try onlyPrior(["alpha", "beta"])
                return .thompsonBernoulli(alpha: try priorValue("alpha", 1), beta: try priorValue("beta", 1))
            case "gaussian":
                try onlyPrior(["mean", "kappa", "alpha", "beta"])
                return .thompsonGaussian(
                    mean: try priorValue("mean", 0), kappa: try priorValue("kappa", 1),
                    alpha: try priorValue("alpha", 1), beta: try priorValue("beta", 1))
            case let other:
                throw error("reward", "'\(other)' is not one of: bernoulli, gaussian", fields[Node("reward")])
            }
        case let other:
            throw error("algorithm", "'\(other)' is not one of: epsilon_greedy, thompson", node)
        }
    }

    private func sequence(_ node: Node, _ field: String) throws -> [Node] {
        guard case .sequence(let items) = node else { throw error(field, "expected a list", node) }
        note(field, node)
        return Array(items)
    }

    private func string(_ node: Node, _ field: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(field, "expected a single value", node) }
        note(field, node)
        return scalar.string
    }

    private func number(_ node: Node, _ field: String) throws -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw error(field, "expected a number, got '\(node.string ?? "a collection")'", node)
        }
        note(field, node)
        return value
    }
}
