import Foundation
import MetadataSQLite
import RingmasterCore
import Testing
import TestSupport

/// Walking lineage over a real store: dataset → parent run → child run → artifacts.
@Suite struct LineageGraphTests {
    let store: SQLiteStore
    let dataset: LineageNode
    let parent: String
    let child: String

    init() throws {
        store = try SQLiteStore(directory: try ProcessRunner.temporaryDirectory("lineage-graph"))
        let version = try store.recordDatasetVersion(NewDatasetVersion(
            name: "digits", fingerprint: String(repeating: "ab", count: 32), schema: "[]", rows: 1797, source: "digits.csv"))
        dataset = version.node
        parent = try store.createRun(experiment: "digits", name: "sweep", params: [:], tags: [:], environment: [:]).id
        child = try store.createRun(experiment: "digits", name: "trial", params: [:], tags: [:], environment: [:]).id
        try store.addLineage(LineageEdge(source: dataset, target: .run(parent), relation: .input))
        try store.addLineage(LineageEdge(source: dataset, target: .run(child), relation: .input))
        try store.addLineage(LineageEdge(source: .run(parent), target: .run(child), relation: .parent))
        // The child's model has a recorded output edge; its timeline has none, only the artifact row.
        _ = try store.storeArtifact(run: child, name: "model.rmm", kind: "model", contents: Data("model".utf8))
        try store.addLineage(LineageEdge(source: .run(child), target: .artifact(run: child, name: "model.rmm"), relation: .output))
        _ = try store.storeArtifact(run: child, name: "timeline.json", kind: "timeline", contents: Data("{}".utf8))
    }

    var graph: LineageGraph { LineageGraph(store: store) }
    var model: LineageNode { .artifact(run: child, name: "model.rmm") }
    var timeline: LineageNode { .artifact(run: child, name: "timeline.json") }

    @Test func runSeesItsInputsParentAndOutputs() throws {
        let tree = try graph.tree(from: .run(child))
        #expect(tree.upstream.map(\.node) == [dataset, .run(parent)])
        #expect(tree.upstream.map(\.relation) == [.input, .parent])
        // The parent's own input is the dataset already listed: shown once, then as a repeat.
        let parentBranch = tree.upstream[1]
        #expect(parentBranch.children == [LineageBranch(node: dataset, relation: .input, isRepeat: true)])
        #expect(tree.downstream.map(\.node) == [model, timeline])
        #expect(tree.downstream.allSatisfy { $0.relation == .output && $0.children.isEmpty })
    }

    @Test func datasetSeesEverythingDownstream() throws {
        let tree = try graph.tree(from: dataset)
        #expect(tree.upstream.isEmpty)
        #expect(Set(tree.downstream.map(\.node)) == [.run(parent), .run(child)])
        // The child is reached directly and through its parent: expanded once, listed once as a repeat.
        let parentBranch = try #require(tree.downstream.first { $0.node == .run(parent) })
        let childBranches = tree.downstream.filter { $0.node == .run(child) } + parentBranch.children
        #expect(childBranches.count == 2 && childBranches.filter(\.isRepeat).count == 1)
        #expect(childBranches.first { !$0.isRepeat }?.children.map(\.node) == [model, timeline])
    }

    @Test func artifactSeesTheRunThatMadeIt() throws {
        let tree = try graph.tree(from: timeline)
        #expect(tree.downstream.isEmpty)
        #expect(tree.upstream.map(\.node) == [.run(child)])
        #expect(tree.upstream[0].children.map(\.node) == [dataset, .run(parent)])
    }

    @Test func depthLimitsTheWalkAndMarksWhereItStopped() throws {
        let one = try graph.walk(from: timeline, .upstream, depth: 1)
        #expect(one == [LineageBranch(node: .run(child), relation: .output, isTruncated: true)])
        let two = try graph.walk(from: timeline, .upstream, depth: 2)
        #expect(two[0].children == [
            LineageBranch(node: dataset, relation: .input),
            LineageBranch(node: .run(parent), relation: .parent, isTruncated: true),
        ])
        #expect(try graph.walk(from: timeline, .upstream, depth: 0).isEmpty)
    }

    @Test func recordedAndImpliedEdgesAreNotDoubled() throws {
        let outputs = try graph.edges(of: .run(child)).filter { $0.relation == .output }
        #expect(outputs.map(\.target) == [model, timeline])
    }

    @Test func edgesToRunsMissingFromTheStoreAreKept() throws {
        let stranger = LineageNode.run(String(repeating: "f", count: 32))
        try store.addLineage(LineageEdge(source: dataset, target: stranger, relation: .input))
        let downstream = try graph.walk(from: dataset, .downstream, depth: 1).map(\.node)
        #expect(downstream.contains(stranger))
        #expect(try graph.walk(from: stranger, .downstream).isEmpty)
    }
}
