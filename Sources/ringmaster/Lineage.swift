import ArgumentParser
import Foundation
import RingmasterCore

struct Lineage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Where a run, dataset version or model came from, and what came of it.",
        discussion: """
            REF is a run id (or unique prefix), dataset:NAME[:VERSION] (latest version when omitted), \
            an artifact as RUN/NAME (e.g. 5bfe12ab/model.rmm), or a registered model version as \
            model:NAME:VERSION or NAME@ALIAS (NAME:VERSION alone names a dataset version first). The tree lists upstream nodes (←: datasets a run \
            read, parent runs, the run that produced an artifact, the artifact a model version was \
            registered from) and downstream nodes (→: runs that read a dataset, artifacts, child runs, \
            model versions).
            """)

    @Argument(help: "run id, dataset:NAME[:VERSION], RUN/ARTIFACT, or model:NAME:VERSION / model:NAME@ALIAS.")
    var reference: String
    @Option(help: World.storeHelp)
    var store: String?
    @Flag(help: "Print JSON.")
    var json = false
    @Option(help: "Follow at most this many edges in each direction (default: all).")
    var depth: Int?

    func validate() throws {
        if let depth, depth < 1 { throw ValidationError("--depth must be at least 1") }
    }

    func run() throws {
        let store: any MetadataStore = try World.openStore(self.store)
        let root = try LineageReference.resolve(reference, in: store)
        let tree = try LineageGraph(store: store).tree(from: root, depth: depth)
        let describer = LineageDescriber(store: store)
        if json {
            print(try JSONOutput.line(try describer.json(tree)))
            return
        }
        try describer.lines(tree).forEach { print($0) }
    }
}

/// Turns what the user typed into a lineage node, with one-line errors naming what exists.
enum LineageReference {
    static func resolve(_ reference: String, in store: any MetadataStore) throws -> LineageNode {
        if reference.hasPrefix("dataset:") {
            let name = String(reference.dropFirst("dataset:".count))
            do {
                return try store.datasetVersion(name).node
            } catch StoreError.unknownDataset {
                let names = Set(try store.datasetVersions(name: nil).map(\.name)).sorted()
                throw CLIError(message: "no dataset version matches '\(name)'; "
                               + (names.isEmpty ? "the store has no datasets" : "datasets: " + names.joined(separator: ", ")))
            }
        }
        if reference.hasPrefix("model:") || (reference.contains("@") && !reference.contains("/")) {
            let text = reference.hasPrefix("model:") ? String(reference.dropFirst("model:".count)) : reference
            return try ModelRegistry(store: store).version(try ModelVersionReference(parsing: text)).node
        }
        var text = reference
        for prefix in ["artifact:", "run:"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if let slash = text.firstIndex(of: "/") {
            let run = try store.run(String(text[..<slash]))
            let name = String(text[text.index(after: slash)...])
            let artifacts = try store.artifacts(run: run.id).map(\.name)
            let node = LineageNode.artifact(run: run.id, name: name)
            if try artifacts.contains(name) || !store.lineageEdges(touching: node).isEmpty { return node }
            throw CLIError(message: "run \(run.id.prefix(8)) has no artifact '\(name)'; "
                           + (artifacts.isEmpty ? "it has none" : "its artifacts: " + artifacts.joined(separator: ", ")))
        }
        do {
            return .run(try store.run(text).id)
        } catch StoreError.unknownRun {
            // `lineage digits:1` without the prefix: a dataset, when no run matches; else a model version.
            if let version = try? store.datasetVersion(text) { return version.node }
            if let parsed = try? ModelVersionReference(parsing: text),
               let version = try? ModelRegistry(store: store).version(parsed) { return version.node }
            throw CLIError(message: "no run, dataset, artifact or model version matches '\(reference)'; give a run id or "
                           + "prefix, dataset:NAME[:VERSION], RUN/ARTIFACT, or model:NAME:VERSION / NAME@ALIAS")
        }
    }
}
