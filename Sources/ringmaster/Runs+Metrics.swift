import ArgumentParser
import Foundation
import RingmasterCore

extension Runs {
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Metric series of one run: a chart on a terminal, CSV otherwise.",
            discussion: """
                On a terminal each --key is drawn as a line chart; piped or redirected, the output is CSV \
                (step,value,timestamp for one key; key,step,value,timestamp for several).
                """)

        @OptionGroup var options: StoreOptions
        @Argument(help: "Run id or unique prefix.")
        var runID: String
        @Option(help: ArgumentHelp("Metric key, e.g. train_loss (repeatable, or comma-separated).", valueName: "key"))
        var key: [String]
        @Flag(help: "Print CSV even on a terminal.")
        var csv = false
        @Flag(help: "Draw the chart even when the output is not a terminal.")
        var chart = false

        func validate() throws {
            if [options.json, csv, chart].filter({ $0 }).count > 1 {
                throw ValidationError("choose one of --json, --csv and --chart")
            }
            if keys.isEmpty { throw ValidationError("--key needs a metric name") }
        }

        var keys: [String] {
            key.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        func run() throws {
            let store: any MetadataStore = try World.openStore(options.store)
            let record = try store.run(runID)
            var series: [(key: String, points: [MetricPoint])] = []
            for key in keys {
                let points = try store.metricHistory(run: record.id, key: key)
                if points.isEmpty {
                    let known = try store.latestMetrics(run: record.id).keys.sorted()
                    throw CLIError(message: "run \(record.id.prefix(8)) has no metric '\(key)'; "
                                   + (known.isEmpty ? "it has no metrics" : "its metrics: " + known.joined(separator: ", ")))
                }
                series.append((key, points))
            }
            if options.json {
                print(try JSONOutput.line(series.flatMap(\.points)))
            } else if chart || (!csv && Terminal.isInteractive) {
                let width = min(72, max(20, Terminal.width - 16))
                for (index, (key, points)) in series.enumerated() {
                    if index > 0 { print("") }
                    LineChart(width: width).render(title: "\(key)  run \(record.id.prefix(8))",
                                                   points: points.map { ($0.step, $0.value) }).forEach { print($0) }
                }
            } else {
                var text = CSV.line((series.count > 1 ? ["key"] : []) + ["step", "value", "timestamp"])
                for (key, points) in series {
                    for point in points {
                        text += CSV.line((series.count > 1 ? [key] : []) + ["\(point.step)", "\(point.value)", Format.iso8601(point.timestamp)])
                    }
                }
                print(text, terminator: "")
            }
        }
    }
}
