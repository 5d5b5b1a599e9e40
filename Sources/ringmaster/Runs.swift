import ArgumentParser
import Foundation
import RingmasterCore

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and inspect recorded runs.", subcommands: [List.self, Show.self, Metrics.self, ImportMLflow.self])

    struct StoreOptions: ParsableArguments {
        @Option(help: "Store directory (default ./.ringmaster, or $RINGMASTER_STORE).")
        var store: String?
        @Flag(help: "Print JSON.")
        var json = false
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs, newest first.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Only runs of this experiment.")
        var experiment: String?
        @Option(help: "At most this many runs.")
        var limit: Int = 50

        func run() throws {
            let store = try World.openStore(options.store)
            let runs = try store.runs(experiment: experiment, limit: limit)
            let rows = try runs.map { run in
                RunRow(run: run, metrics: try store.latestMetrics(run: run.id).mapValues(\.value))
            }
            if options.json {
                print(try JSONOutput.line(rows))
                return
            }
            print(pad("RUN", 10) + pad("EXPERIMENT", 16) + pad("STATUS", 10) + pad("STARTED", 21) + "VALIDATION")
            for row in rows {
                let validation = ["validation_accuracy", "validation_r2", "validation_loss"]
                    .compactMap { key in row.metrics[key].map { "\(key.dropFirst(11))=\(String(format: "%.4f", $0))" } }
                    .joined(separator: " ")
                print(pad(String(row.run.id.prefix(8)), 10) + pad(row.run.experiment, 16) + pad(row.run.status.rawValue, 10)
                      + pad(Self.timestamp(row.run.startTime), 21) + validation)
            }
        }

        static func timestamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return formatter.string(from: date)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run: params, environment, metrics, artifacts.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Run id or unique prefix.")
        var runID: String

        func run() throws {
            let store = try World.openStore(options.store)
            let record = try store.run(runID)
            let metrics = try store.latestMetrics(run: record.id).mapValues(\.value)
            let artifacts = try store.artifacts(run: record.id)
            if options.json {
                print(try JSONOutput.line(RunDetail(run: record, metrics: metrics, artifacts: artifacts)))
                return
            }
            print("run \(record.id)  \(record.status.rawValue)  experiment \(record.experiment)")
            if let reason = record.failureReason { print("reason: \(reason)") }
            for (title, values) in [("params", record.params), ("tags", record.tags), ("environment", record.environment)] {
                print("\(title):")
                for (key, value) in values.sorted(by: { $0.key < $1.key }) { print("  \(key) = \(value)") }
            }
            print("metrics (latest):")
            for (key, value) in metrics.sorted(by: { $0.key < $1.key }) { print("  \(key) = \(value)") }
            print("artifacts:")
            for artifact in artifacts { print("  \(artifact.name)  \(artifact.kind)  \(artifact.size) bytes  sha256 \(artifact.sha256)") }
        }
    }

    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One metric's series: step, value.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Run id or unique prefix.")
        var runID: String
        @Option(help: "Metric key, e.g. train_loss.")
        var key: String

        func run() throws {
            let store = try World.openStore(options.store)
            let points = try store.metricHistory(run: runID, key: key)
            if options.json {
                print(try JSONOutput.line(points))
                return
            }
            print("step,value")
            for point in points { print("\(point.step),\(point.value)") }
        }
    }

    struct RunRow: Encodable {
        var run: RunRecord
        var metrics: [String: Double]
    }

    struct RunDetail: Encodable {
        var run: RunRecord
        var metrics: [String: Double]
        var artifacts: [ArtifactRecord]
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
