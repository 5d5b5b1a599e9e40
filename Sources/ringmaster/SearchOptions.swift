import ArgumentParser
import RingmasterCore

/// The run-selection options shared by `runs list` and `runs export`.
struct SearchOptions: ParsableArguments {
    @Option(help: "Only runs of this experiment.")
    var experiment: String?

    @Option(help: ArgumentHelp(
        "MLflow search filter, e.g. \"metrics.validation_accuracy > 0.95 and params.optimizer.kind = 'adamw'\".",
        valueName: "filter"))
    var filter: String?

    @Option(help: ArgumentHelp(
        "Sort keys, e.g. \"metrics.validation_accuracy DESC, start_time\" (repeatable; default newest first).",
        valueName: "keys"))
    var orderBy: [String] = []

    @Option(help: "At most this many runs.")
    var limit: Int?

    @Option(help: "Skip this many runs first (for paging).")
    var offset: Int = 0

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if offset < 0 { throw ValidationError("--offset cannot be negative") }
    }

    var parsedFilter: RunFilter? { get throws { try filter.flatMap { try RunFilterParser.parse($0) } } }

    var parsedOrder: [RunOrder] { get throws { try orderBy.flatMap { try RunOrderParser.parse($0) } } }

    /// The query these options spell, with `defaultLimit` when `--limit` is not given.
    /// An experiment the store does not have is an error rather than an empty result,
    /// since it is almost always a typo.
    func query(in store: any MetadataStore, defaultLimit: Int? = nil) throws -> RunQuery {
        let query = RunQuery(experiment: experiment, filter: try parsedFilter, orderBy: try parsedOrder,
                             limit: limit ?? defaultLimit, offset: offset)
        if let experiment {
            let names = try store.experiments().map(\.name)
            guard names.contains(experiment) else {
                let known = names.isEmpty ? "the store has none yet" : "experiments: " + names.joined(separator: ", ")
                throw CLIError(message: "no experiment named '\(experiment)' in \(store.location); \(known)")
            }
        }
        return query
    }
}
