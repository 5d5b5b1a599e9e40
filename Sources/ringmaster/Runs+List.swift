import ArgumentParser
import Foundation
import RingmasterCore

extension Runs {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs matching a search, newest first unless ordered.",
            discussion: """
                Besides the run columns, the table shows the validation metrics and every metric, param \
                and tag the filter or sort keys mention; --columns chooses those columns instead.
                Example: ringmaster runs list --filter "metrics.validation_accuracy > 0.9" \
                --order-by "metrics.validation_accuracy DESC" --limit 5
                """)

        @OptionGroup var options: StoreOptions
        @OptionGroup var search: SearchOptions

        @Option(help: ArgumentHelp("Extra columns, e.g. metrics.train_loss,params.optimizer.kind,tags.team.", valueName: "fields"))
        var columns: String?

        static let defaultLimit = 50

        func run() throws {
            let chosen = try columns.map { try RunFieldListParser.parse($0) }
            let store: any MetadataStore = try World.openStore(options.store)
            let query = try search.query(in: store, defaultLimit: Self.defaultLimit)
            let rows = try store.searchRuns(query).map { run in
                RunRow(run: run, metrics: try store.latestMetrics(run: run.id).mapValues(\.value))
            }
            if options.json {
                print(try JSONOutput.line(rows))
                return
            }
            if rows.isEmpty {
                print("no runs match")
                return
            }
            let extra = try chosen ?? defaultColumns(rows)
            var table = TextTable(
                headers: ["RUN", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION"] + extra.map(\.header),
                rightAligned: Set([5] + extra.indices.compactMap { if case .metric = extra[$0] { 6 + $0 } else { nil } }))
            for row in rows {
                let run = row.run
                let duration = run.endTime.map { Format.duration($0.timeIntervalSince(run.startTime)) } ?? "-"
                table.append(
                    [String(run.id.prefix(8)), run.experiment, Format.clip(run.name, 32), run.status.rawValue,
                     Format.timestamp(run.startTime), duration]
                        + extra.map { Format.clip($0.cell(run, metrics: row.metrics) ?? "-", 32) })
            }
            table.lines().forEach { print($0) }
            if query.limit == rows.count, search.limit == nil {
                print("(first \(rows.count) runs; --limit and --offset show more)")
            }
        }

        /// The validation metrics any listed run has, then the fields the search mentions.
        func defaultColumns(_ rows: [RunRow]) throws -> [RunField] {
            let validation = Set(rows.flatMap { $0.metrics.keys.filter { $0.hasPrefix("validation_") } })
            var fields = validation.sorted().map(RunField.metric)
            fields += try search.parsedFilter?.fields ?? []
            fields += try search.parsedOrder.map(\.field)
            var seen: Set<RunField> = []
            return fields.filter { field in
                if case .attribute = field { return false }
                return seen.insert(field).inserted
            }
        }
    }
}
