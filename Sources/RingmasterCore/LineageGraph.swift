import Foundation

/// Walks lineage from one node of a store: upstream to what it came from (the dataset
/// versions a run read, its parent runs, the run that produced an artifact) and downstream
/// to what came of it (runs that read a dataset, a run's artifacts and child runs, the model
/// versions an artifact was registered as).
///
/// Edges point from cause to effect (`dataset --input--> run`, `run --output--> artifact`,
/// `parent --parent--> child`), so upstream follows edges backwards and downstream forwards.
/// Besides the recorded edges, every artifact a run stored counts as an `output` edge of
/// that run: the store already knows which run produced it, whether or not an edge was written.
///
/// Reads only; safe to use from any thread the store may be used from.
public struct LineageGraph: Sendable {
    public enum Direction: Sendable, Equatable {
        case upstream, downstream
    }

    public let store: any MetadataStore

    public init(store: any MetadataStore) {
        self.store = store
    }

    /// The edges touching `node`, recorded and implied, oldest first (ties by source, then
    /// target), so an artifact is listed in the same place whether or not its edge was recorded.
    public func edges(of node: LineageNode) throws -> [LineageEdge] {
        var edges = try store.lineageEdges(touching: node)
        var seen = Set(edges.map { EdgeKey(source: $0.source, target: $0.target, relation: $0.relation) })
        for edge in try impliedEdges(of: node)
        where seen.insert(EdgeKey(source: edge.source, target: edge.target, relation: edge.relation)).inserted {
            edges.append(edge)
        }
        return edges.sorted {
            ($0.created, $0.source.description, $0.target.description) < ($1.created, $1.source.description, $1.target.description)
        }
    }

    /// The nodes one edge away from `node` in `direction`, with the relation of that edge.
    public func neighbours(of node: LineageNode, _ direction: Direction) throws -> [(node: LineageNode, relation: LineageRelation)] {
        try edges(of: node).compactMap { edge in
            switch direction {
            case .upstream: return edge.target == node && edge.source != node ? (edge.source, edge.relation) : nil
            case .downstream: return edge.source == node && edge.target != node ? (edge.target, edge.relation) : nil
            }
        }
    }

    /// Everything reachable from `root` in both directions, at most `depth` edges away (nil: no limit).
    public func tree(from root: LineageNode, depth: Int? = nil) throws -> LineageTree {
        LineageTree(root: root, upstream: try walk(from: root, .upstream, depth: depth),
                    downstream: try walk(from: root, .downstream, depth: depth))
    }

    /// The branches reachable from `root` going one way, depth first. A node reached a
    /// second time is listed again but marked ``LineageBranch/isRepeat`` and not expanded.
    public func walk(from root: LineageNode, _ direction: Direction, depth: Int? = nil) throws -> [LineageBranch] {
        var visited: Set<LineageNode> = [root]
        func expand(_ node: LineageNode, remaining: Int?) throws -> [LineageBranch] {
            try neighbours(of: node, direction).map { next in
                guard visited.insert(next.node).inserted else {
                    return LineageBranch(node: next.node, relation: next.relation, isRepeat: true)
                }
                if let remaining, remaining <= 1 {
                    let more = try !neighbours(of: next.node, direction).isEmpty
                    return LineageBranch(node: next.node, relation: next.relation, isTruncated: more)
                }
                return LineageBranch(node: next.node, relation: next.relation,
                                     children: try expand(next.node, remaining: remaining.map { $0 - 1 }))
            }
        }
        if let depth, depth < 1 { return [] }
        return try expand(root, remaining: depth)
    }

    private func impliedEdges(of node: LineageNode) throws -> [LineageEdge] {
        do {
            switch node {
            case .run(let id):
                // The recorded configuration describes the run itself; it is not something the run produced.
                return try store.artifacts(run: id).filter { $0.kind != "config" }.map { artifact in
                    LineageEdge(source: node, target: .artifact(run: id, name: artifact.name), relation: .output,
                                created: artifact.created)
                }
            case .artifact(let run, let name):
                guard let artifact = try store.artifacts(run: run).first(where: { $0.name == name }) else { return [] }
                return [LineageEdge(source: .run(run), target: node, relation: .output, created: artifact.created)]
            case .dataset, .modelVersion, .modelAlias:
                return []
            }
        } catch StoreError.unknownRun {
            // An edge may name a run that is not in this store (e.g. one that was never imported).
            return []
        }
    }

    private struct EdgeKey: Hashable {
        var source: LineageNode
        var target: LineageNode
        var relation: LineageRelation
    }
}

/// The lineage around one node: what it came from and what came of it.
public struct LineageTree: Sendable, Equatable {
    public var root: LineageNode
    public var upstream: [LineageBranch]
    public var downstream: [LineageBranch]
}

/// One node reached by a lineage walk, with the nodes beyond it in the same direction.
public struct LineageBranch: Sendable, Equatable {
    public var node: LineageNode
    /// The relation of the edge that led here.
    public var relation: LineageRelation
    public var children: [LineageBranch]
    /// The node was already reached by another path; its children are listed there.
    public var isRepeat: Bool
    /// The walk stopped here at its depth limit although the node has further edges.
    public var isTruncated: Bool

    public init(
        node: LineageNode, relation: LineageRelation, children: [LineageBranch] = [], isRepeat: Bool = false,
        isTruncated: Bool = false
    ) {
        self.node = node
        self.relation = relation
        self.children = children
        self.isRepeat = isRepeat
        self.isTruncated = isTruncated
    }
}
