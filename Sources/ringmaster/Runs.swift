import ArgumentParser
import RingmasterCore

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find, inspect, compare and export recorded runs.",
        subcommands: [List.self, Show.self, Metrics.self, Compare.self, Export.self, Reproduce.self, ImportMLflow.self])

    struct StoreOptions: ParsableArguments {
        @Option(help: World.storeHelp)
        var store: String?
        @Flag(help: "Print JSON.")
        var json = false
    }

    /// A run with its latest metric values, as `runs list --json` prints it.
    struct RunRow: Encodable {
        var run: RunRecord
        var metrics: [String: Double]
    }
}

extension RunField {
    /// A field's value for one run, as text for a table; nil when the run lacks it.
    func cell(_ run: RunRecord, metrics: [String: Double]) -> String? {
        switch self {
        case .metric(let key): return metrics[key].map { Format.number($0) }
        case .param(let key): return run.params[key]
        case .tag(let key): return run.tags[key]
        case .attribute(let attribute):
            switch attribute {
            case .runID: return run.id
            case .runName: return run.name
            case .status: return run.status.rawValue
            case .experiment: return run.experiment
            case .startTime: return Format.timestamp(run.startTime)
            case .endTime: return run.endTime.map(Format.timestamp)
            }
        }
    }

    /// A column header: metrics and attributes by their name, params and tags with their prefix.
    var header: String {
        switch self {
        case .metric(let key): return key
        case .attribute(let attribute): return attribute.rawValue
        case .param, .tag: return description
        }
    }
}
