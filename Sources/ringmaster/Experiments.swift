import ArgumentParser
import RingmasterCore

struct Experiments: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Experiments in the store.", subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every experiment, by name, with its run count.")
        @OptionGroup var options: Runs.StoreOptions

        func run() throws {
            let store: any MetadataStore = try World.openStore(options.store)
            let experiments = try store.experiments()
            if options.json {
                print(try JSONOutput.line(experiments))
                return
            }
            if experiments.isEmpty {
                print("no experiments yet; `ringmaster train CONFIG.yaml` records runs under the config's experiment")
                return
            }
            var table = TextTable(headers: ["EXPERIMENT", "RUNS", "CREATED"], rightAligned: [1])
            for experiment in experiments {
                table.append([experiment.name, "\(experiment.runCount)", Format.timestamp(experiment.created)])
            }
            table.lines().forEach { print($0) }
        }
    }
}
