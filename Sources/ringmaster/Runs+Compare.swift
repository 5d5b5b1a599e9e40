import ArgumentParser
import RingmasterCore

extension Runs {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Params and final metrics of several runs side by side.",
            discussion: """
                One row per key; rows whose values differ are highlighted on a colour terminal and \
                marked with '*' otherwise. A run without the key shows '-'.
                """)

        @OptionGroup var options: StoreOptions
        @Argument(help: ArgumentHelp("Two or more run ids or unique prefixes.", valueName: "run"))
        var runIDs: [String]
        @Flag(help: "Show only the rows whose values differ.")
        var differences = false

        func validate() throws {
            if runIDs.count < 2 { throw ValidationError("give at least two runs to compare") }
        }

        func run() throws {
            let store: any MetadataStore = try World.openStore(options.store)
            let runs = try runIDs.map { try store.run($0) }
            let metrics = try runs.map { try store.latestMetrics(run: $0.id).mapValues(\.value) }
            let rows = Self.rows(runs, metrics: metrics).filter { !differences || $0.differs }
            if options.json {
                let summaries = runs.map { ComparedRun(runId: $0.id, name: $0.name, experiment: $0.experiment, status: $0.status) }
                print(try JSONOutput.line(Comparison(runs: summaries, rows: rows)))
                return
            }
            let color = Terminal.usesColor
            let marker = color ? [] : [""]
            var table = TextTable(headers: marker + ["KEY"] + runs.map { String($0.id.prefix(8)) })
            for row in rows {
                let cells = row.values.map { value -> String in
                    switch value {
                    case .text(let text): return Format.clip(text, 40)
                    case .number(let number): return String(format: "%.6g", number)
                    case .missing: return "-"
                    }
                }
                table.append((color ? [] : [row.differs ? "*" : " "]) + [row.key] + cells)
            }
            for (index, line) in table.lines().enumerated() {
                if index == 0 {
                    print(color ? Terminal.bold(line) : line)
                } else {
                    print(color && rows[index - 1].differs ? Terminal.highlight(line) : line)
                }
            }
        }

        /// The attribute rows, then one row per param and per metric any run has, by key.
        static func rows(_ runs: [RunRecord], metrics: [[String: Double]]) -> [Row] {
            var rows = [
                Row(key: "run_name", values: runs.map { .text($0.name) }),
                Row(key: "experiment", values: runs.map { .text($0.experiment) }),
                Row(key: "status", values: runs.map { .text($0.status.rawValue) }),
            ]
            for key in Set(runs.flatMap(\.params.keys)).sorted() {
                rows.append(Row(key: "params.\(key)", values: runs.map { $0.params[key].map(Value.text) ?? .missing }))
            }
            for key in Set(metrics.flatMap(\.keys)).sorted() {
                rows.append(Row(key: "metrics.\(key)", values: metrics.map { $0[key].map(Value.number) ?? .missing }))
            }
            return rows
        }

        enum Value: Encodable, Equatable {
            case text(String)
            case number(Double)
            case missing

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .number(let number): try container.encode(number)
                case .missing: try container.encodeNil()
                }
            }

            /// Equal values, with NaN equal to NaN (a metric that is NaN in both runs does not differ).
            static func same(_ a: Value, _ b: Value) -> Bool {
                if case .number(let x) = a, case .number(let y) = b, x.isNaN, y.isNaN { return true }
                return a == b
            }
        }

        struct Row: Encodable {
            var key: String
            var values: [Value]
            var differs: Bool

            init(key: String, values: [Value]) {
                self.key = key
                self.values = values
                differs = values.contains { !Value.same($0, values[0]) }
            }
        }

        struct ComparedRun: Encodable {
            var runId: String
            var name: String
            var experiment: String
            var status: RunStatus
        }

        struct Comparison: Encodable {
            var runs: [ComparedRun]
            var rows: [Row]
        }
    }
}
