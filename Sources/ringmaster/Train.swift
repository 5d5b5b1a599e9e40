import ArgumentParser
import Collectives
import Foundation
import RingmasterCore
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model data-parallel on every rank of the job and record the run.")

    @Argument(help: "Training configuration (YAML).")
    var config: String

    @Flag(help: "Continue from the newest checkpoint of this configuration and rank count.")
    var resume = false

    @Option(help: World.storeHelp)
    var store: String?

    @Option(name: .customLong("set"), help: "Override a configuration key: section.key=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "Record the run as a child of this run (id or prefix), e.g. a fine-tune of it.")
    var parent: String?

    @Option(help: "Set a tag on the run: key=value (repeatable).")
    var tag: [String] = []

    @Option(help: "Write a Chrome trace of every rank's forward, backward, allreduce and optimizer spans.")
    var timeline: String?

    @Option(help: "Register the finished run's model as the next version of this registered model.")
    var register: String?

    @Flag(help: "Print the result as one JSON object on the last line of standard output.")
    var json = false

    @Flag(help: "No progress line or summary.")
    var quiet = false

    func run() throws {
        let tags = try KeyValueOption.parse(tag, option: "--tag")
        if let register { try ModelVersionReference.validateName(register) }
        try World.run { comm in
            let configuration = try comm.agreeing { try ConfigurationLoader.load(path: config, overrides: overrides) }
            let store = try comm.agreeing { comm.isRoot ? try World.openStore(self.store) : nil }
            var options = TrainingOptions(workDirectory: World.workDirectory(self.store))
            options.resume = resume
            options.parentRun = parent
            options.tags = tags
            options.timelinePath = timeline
            options.showProgress = !quiet && !json
            options.environment = Collectives.describe(comm)
            let result = try Trainer(configuration: configuration, communicator: comm, store: store, options: options).run()
            guard comm.isRoot, let store else { return }
            if let register {
                let version = try ModelRegistry(store: store).register(model: register, run: result.runID)
                if !quiet { print("registered \(version.reference) (run \(version.runID.prefix(8)))") }
            }
            if json {
                print(try JSONOutput.line(result))
            } else if !quiet {
                print(RunSummary.text(result, store: store))
            }
        }
    }
}
