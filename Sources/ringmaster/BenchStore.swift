import ArgumentParser
import Foundation
import RingmasterCore
import Training

/// `ringmaster bench store`: metric logging throughput and search latency of the store.
struct StoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Metric logging throughput (through the trainer's batched writer) and run search latency.",
        discussion: """
            Works in a new temporary store unless --store is given; there it adds two experiments \
            named bench-logging-* and bench-search-*.
            """)
    @Option(help: "Runs logged, one after another.") var runs = 5
    @Option(help: "Steps per run.") var steps = 200
    @Option(help: "Metrics logged at every step.") var metrics = 10
    @Option(help: "Runs in the searched experiment.") var searchRuns = 10_000
    @Option(help: "Timed searches per figure (the median is reported).") var repeats = 9
    @Option(help: "Store directory; default: a temporary one, removed afterwards.") var store: String?

    func validate() throws {
        for (name, value) in [("--runs", runs), ("--steps", steps), ("--metrics", metrics), ("--search-runs", searchRuns),
                              ("--repeats", repeats)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
    }

    func run() throws {
        let temporary = store == nil
            ? FileManager.default.temporaryDirectory.appendingPathComponent("ringmaster-bench-store-\(UUID().uuidString)")
            : nil
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let target: any MetadataStore
        do {
            target = try World.openStore(temporary?.path ?? store)
        } catch let error as StoreError {
            throw CLIError(message: "\(error)")
        }
        var bench = StoreBenchmark()
        bench.runs = runs
        bench.steps = steps
        bench.metrics = metrics
        bench.searchRuns = searchRuns
        bench.searchRepeats = repeats
        print(try JSONOutput.line(try bench.run(store: target)))
    }
}
