import Crypto
import Foundation
import RingmasterCore
import Training
import Yams

/// Reads a pipeline file strictly and validates the whole pipeline before anything runs:
/// every key known, every step type known, the required `with:` fields of each type present
/// and of the right type, referenced files present, `needs:` acyclic, and every
/// `${{ steps.ID.outputs.KEY }}` naming a step the referring step needs. Each failure is a
/// ``ConfigurationError`` naming the file, line and dotted field (`steps.gate.with.metrics.accuracy.min`).
public enum PipelineParser {
    public static func load(path: String) throws -> PipelineSpec {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(file: path, line: nil, key: "", reason: "cannot read the pipeline file")
        }
        return try parse(yaml: text, file: path, folder: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    public static func parse(yaml text: String, file: String, folder: URL) throws -> PipelineSpec {
        let reader = Reader(file: file, folder: folder.standardizedFileURL)
        let root: Node
        do {
            root = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
        } catch {
            throw ConfigurationError(file: file, line: nil, key: "", reason: "not valid YAML: \(error)")
        }
        guard let top = root.mapping else { throw reader.error("", "expected a mapping with name, triggers and steps", root) }
        try reader.onlyKeys(top, ["name", "triggers", "steps"], in: "")
        guard let nameNode = top[Node("name")] else { throw reader.error("name", "is required", root) }
        let name = try reader.string(nameNode, "name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw reader.error("name", "use letters, digits, '-', '_' and '.'", nameNode)
        }
        guard let stepsNode = top[Node("steps")], let stepsMapping = stepsNode.mapping, !stepsMapping.isEmpty else {
            throw reader.error("steps", "is required: a mapping of step id to {uses, needs, with}", top[Node("steps")] ?? root)
        }
        var steps: [PipelineStep] = []
        for (keyNode, node) in stepsMapping {
            steps.append(try reader.step(try reader.string(keyNode, "steps"), node))
        }
        let order = try Self.order(steps, reader: reader, nodes: stepsMapping)
        var spec = PipelineSpec(
            name: name, file: file, folder: reader.folder,
            sha256: SHA256.hash(data: Data(text.utf8)).hexString,
            triggers: nil, steps: steps, order: order)
        for step in steps {
            try reader.checkReferences(step, spec: spec, node: stepsMapping[Node(step.id)]!)
        }
        if let triggers = top[Node("triggers")] { spec.triggers = try reader.triggers(triggers) }
        return spec
    }

    /// Kahn's algorithm, ties broken by declaration order; a cycle is named in full.
    static func order(_ steps: [PipelineStep], reader: Reader, nodes: Node.Mapping) throws -> [String] {
        let ids = steps.map(\.id)
        for step in steps {
            for need in step.needs where !ids.contains(need) {
                throw reader.error("steps.\(step.id).needs", "unknown step '\(need)' (steps: \(ids.joined(separator: ", ")))",
                                   nodes[Node(step.id)])
            }
            if step.needs.contains(step.id) {
                throw reader.error("steps.\(step.id).needs", "a step cannot need itself", nodes[Node(step.id)])
            }
        }
        var remaining = steps
        var done: [String] = []
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.needs.allSatisfy(done.contains) }) else {
                let cycle = Self.cycle(in: remaining)
                throw reader.error("steps.\(cycle[0]).needs", "cycle in needs: \(cycle.joined(separator: " -> "))",
                                   nodes[Node(cycle[0])])
            }
            done.append(remaining.remove(at: next).id)
        }
        return done
    }

    /// A cycle among steps none of which can run: follow unfinished needs until a step repeats.
    private static func cycle(in steps: [PipelineStep]) -> [String] {
        let byID = Dictionary(uniqueKeysWithValues: steps.map { ($0.id, $0) })
        var path: [String] = [steps[0].id]
        while true {
            let need = byID[path.last!]!.needs.first { byID[$0] != nil }!
            if let start = path.firstIndex(of: need) { return Array(path[start...]) + [need] }
            path.append(need)
        }
    }
}
