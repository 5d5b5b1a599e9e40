import ArgumentParser
import RingmasterCore

extension Runs {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One run: params, environment, metrics, artifacts.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Run id or unique prefix.")
        var runID: String

        func run() throws {
            let store: any MetadataStore = try World.openStore(options.store)
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

    struct RunDetail: Encodable {
        var run: RunRecord
        var metrics: [String: Double]
        var artifacts: [ArtifactRecord]
    }
}
