import ArgumentParser
import Foundation
import RingmasterCore

extension Runs {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Matching runs as a table file: one row per run, a column per param, tag and metric.",
            discussion: """
                Columns: run_id, experiment, name, status, start_time, end_time (ISO 8601, UTC), then \
                params.KEY, tags.KEY and metrics.KEY (latest value) for every key any exported run has; \
                a run without the key has an empty cell (null in JSON). Loads into pandas with \
                pd.read_csv(FILE) or pd.read_json(FILE).
                """)

        enum FileFormat: String, ExpressibleByArgument, CaseIterable {
            case csv, json
        }

        @Option(help: World.storeHelp)
        var store: String?
        @OptionGroup var search: SearchOptions
        @Option(help: "csv (RFC 4180 quoting) or json (one array of objects).")
        var format: FileFormat = .csv
        @Option(help: "Write to this file instead of standard output.")
        var output: String?

        func run() throws {
            let store: any MetadataStore = try World.openStore(self.store)
            let runs = try store.searchRuns(try search.query(in: store))
            let metrics = try runs.map { try store.latestMetrics(run: $0.id).mapValues(\.value) }
            let table = Self.table(runs, metrics: metrics)
            let data: Data
            switch format {
            case .csv:
                var text = CSV.line(table.columns)
                for row in table.rows { text += CSV.line(row.map { $0?.csv ?? "" }) }
                data = Data(text.utf8)
            case .json:
                let objects = table.rows.map { row in
                    Dictionary(uniqueKeysWithValues: zip(table.columns, row.map { $0 ?? .null }))
                }
                data = Data((try JSONOutput.line(objects) + "\n").utf8)
            }
            guard let output else {
                FileHandle.standardOutput.write(data)
                return
            }
            try AtomicFile.write(data, to: URL(fileURLWithPath: output))
            print("exported \(runs.count) run\(runs.count == 1 ? "" : "s") to \(output)")
        }

        /// Column names and one row of cells per run; nil where a run lacks the key.
        static func table(_ runs: [RunRecord], metrics: [[String: Double]]) -> (columns: [String], rows: [[Cell?]]) {
            let params = Set(runs.flatMap(\.params.keys)).sorted()
            let tags = Set(runs.flatMap(\.tags.keys)).sorted()
            let metricKeys = Set(metrics.flatMap(\.keys)).sorted()
            let columns = ["run_id", "experiment", "name", "status", "start_time", "end_time"]
                + params.map { "params.\($0)" } + tags.map { "tags.\($0)" } + metricKeys.map { "metrics.\($0)" }
            let rows = zip(runs, metrics).map { run, latest -> [Cell?] in
                let attributes: [Cell?] = [
                    .text(run.id), .text(run.experiment), .text(run.name), .text(run.status.rawValue),
                    .text(Format.iso8601(run.startTime)), run.endTime.map { .text(Format.iso8601($0)) },
                ]
                return attributes + params.map { run.params[$0].map(Cell.text) } + tags.map { run.tags[$0].map(Cell.text) }
                    + metricKeys.map { latest[$0].map(Cell.number) }
            }
            return (columns, rows)
        }

        enum Cell: Encodable {
            case text(String)
            case number(Double)
            case null

            /// Numbers in full precision (`0.1`, `nan`, `inf`), as Python's float() reads them.
            var csv: String {
                switch self {
                case .text(let text): return text
                case .number(let number): return "\(number)"
                case .null: return ""
                }
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .number(let number) where number.isFinite: try container.encode(number)
                case .number(let number): try container.encode(number.isNaN ? "nan" : number > 0 ? "inf" : "-inf")
                case .null: try container.encodeNil()
                }
            }
        }
    }
}
