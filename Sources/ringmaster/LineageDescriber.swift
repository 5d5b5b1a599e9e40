import Foundation
import RingmasterCore

/// Describes lineage nodes from the store's records, as tree lines or JSON.
final class LineageDescriber {
    let store: any MetadataStore
    private var runs: [String: RunRecord?] = [:]
    private var artifacts: [String: [ArtifactRecord]] = [:]

    init(store: any MetadataStore) {
        self.store = store
    }

    // MARK: Text

    /// The root, then upstream branches (←) and downstream branches (→) as a tree.
    func lines(_ tree: LineageTree) throws -> [String] {
        var lines = [try describe(tree.root)]
        let branches = tree.upstream.map { ($0, LineageGraph.Direction.upstream) }
            + tree.downstream.map { ($0, LineageGraph.Direction.downstream) }
        if branches.isEmpty { lines.append("  (no recorded lineage)") }
        for (index, (branch, direction)) in branches.enumerated() {
            try append(branch, direction, indent: "", isLast: index == branches.count - 1, to: &lines)
        }
        return lines
    }

    private func append(
        _ branch: LineageBranch, _ direction: LineageGraph.Direction, indent: String, isLast: Bool, to lines: inout [String]
    ) throws {
        let arrow = direction == .upstream ? "←" : "→"
        var role = ""
        if branch.relation == .parent { role = direction == .upstream ? "parent " : "child " }
        var line = indent + (isLast ? "└─ " : "├─ ") + arrow + " " + role + (try describe(branch.node))
        if branch.isRepeat { line += "  (shown above)" }
        if branch.isTruncated { line += "  (more beyond --depth)" }
        lines.append(line)
        for (index, child) in branch.children.enumerated() {
            try append(child, direction, indent: indent + (isLast ? "   " : "│  "), isLast: index == branch.children.count - 1,
                       to: &lines)
        }
    }

    /// `dataset digits:1 (sha256 ab12…, 1797 rows)`, `run 5bfe12ab name (digits, finished)`,
    /// `artifact 5bfe12ab/model.rmm (model, sha256 9f8e…, 8.2 kB)`, `model digits:2 @production (registered …)`.
    func describe(_ node: LineageNode) throws -> String {
        switch node {
        case .dataset(let name, let version):
            guard let record = try dataset(name, version) else { return "dataset \(name):\(version) (not in this store)" }
            return "dataset \(record.reference) (sha256 \(Format.digest(record.fingerprint)), \(record.rows) rows)"
        case .run(let id):
            guard let run = try run(id) else { return "run \(id.prefix(8)) (not in this store)" }
            return "run \(id.prefix(8)) \(run.name) (\(run.experiment), \(run.status.rawValue))"
        case .artifact(let runID, let name):
            guard let artifact = try artifact(runID, name) else { return "artifact \(runID.prefix(8))/\(name) (not stored)" }
            return "artifact \(runID.prefix(8))/\(name) (\(artifact.kind), sha256 \(Format.digest(artifact.sha256)), "
                + "\(Format.bytes(artifact.size)))"
        case .modelVersion(let name, let version):
            guard let record = try modelVersion(name, version) else { return "model \(name):\(version) (not in this store)" }
            let aliases = try modelAliases(name).filter { $0.version == version }.map { "@" + $0.alias }
            return "model \(record.reference)" + (aliases.isEmpty ? "" : " " + aliases.joined(separator: " "))
                + " (registered \(Format.timestamp(record.created)))"
        case .modelAlias(let name, let alias):
            let current = try? store.modelVersion(model: name, alias: alias)
            return "alias \(name)@\(alias)" + (current.map { " (now version \($0.version))" } ?? " (not set)")
        }
    }

    // MARK: JSON

    struct Node: Encodable {
        var node: String
        var type: String
        var description: String
        var relation: LineageRelation?
        var isRepeat: Bool?
        var isTruncated: Bool?
        var run: RunRecord?
        var dataset: DatasetVersionRecord?
        var artifact: ArtifactRecord?
        var modelVersion: ModelVersionRecord?
        var upstream: [Node]?
        var downstream: [Node]?
        var children: [Node]?
    }

    func json(_ tree: LineageTree) throws -> Node {
        var root = try node(tree.root)
        root.upstream = try tree.upstream.map(branch)
        root.downstream = try tree.downstream.map(branch)
        return root
    }

    private func branch(_ branch: LineageBranch) throws -> Node {
        var node = try node(branch.node)
        node.relation = branch.relation
        node.isRepeat = branch.isRepeat
        node.isTruncated = branch.isTruncated
        node.children = try branch.children.map(self.branch)
        return node
    }

    private func node(_ node: LineageNode) throws -> Node {
        var result = Node(node: node.description, type: "", description: try describe(node))
        switch node {
        case .dataset(let name, let version):
            result.type = "dataset"
            result.dataset = try dataset(name, version)
        case .run(let id):
            result.type = "run"
            result.run = try run(id)
        case .artifact(let run, let name):
            result.type = "artifact"
            result.artifact = try artifact(run, name)
        case .modelVersion(let name, let version):
            result.type = "model_version"
            result.modelVersion = try modelVersion(name, version)
        case .modelAlias:
            result.type = "model_alias"
        }
        return result
    }

    // MARK: Records

    private func run(_ id: String) throws -> RunRecord? {
        if let cached = runs[id] { return cached }
        var record: RunRecord?
        do {
            record = try store.run(id)
        } catch StoreError.unknownRun {
            record = nil
        }
        runs[id] = record
        return record
    }

    private func artifact(_ runID: String, _ name: String) throws -> ArtifactRecord? {
        if artifacts[runID] == nil {
            do {
                artifacts[runID] = try store.artifacts(run: runID)
            } catch StoreError.unknownRun {
                artifacts[runID] = []
            }
        }
        return artifacts[runID]?.first { $0.name == name }
    }

    private func modelVersion(_ name: String, _ version: Int) throws -> ModelVersionRecord? {
        do {
            return try store.modelVersion(model: name, version: version)
        } catch StoreError.unknownModel, StoreError.unknownModelVersion {
            return nil
        }
    }

    private func modelAliases(_ name: String) throws -> [ModelAliasRecord] {
        do {
            return try store.modelAliases(model: name)
        } catch StoreError.unknownModel {
            return []
        }
    }

    private func dataset(_ name: String, _ version: Int) throws -> DatasetVersionRecord? {
        try store.datasetVersions(name: name).first { $0.version == version }
    }
}
