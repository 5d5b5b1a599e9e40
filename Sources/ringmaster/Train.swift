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

    @Option(help: ArgumentHelp(
        "Warn (rank 0, naming the missing ranks) when a collective waits this long; 0 disables.",
        discussion: "Same as --set watchdog.stall_timeout=SECONDS (default 60).", valueName: "seconds"))
    var stallTimeout: Double?

    @Option(help: ArgumentHelp(
        "End the job, marking the run failed, when a rank sends no heartbeat for this long; 0 disables.",
        discussion: "Same as --set watchdog.lost_peer_timeout=SECONDS (default 10).", valueName: "seconds"))
    var lostPeerTimeout: Double?

    @OptionGroup var restarts: RestartOptions

    /// Set by the restart supervisor: resume when a checkpoint exists, else start afresh.
    @Flag(help: .hidden)
    var startIfNoCheckpoint = false

    /// This command's arguments for the supervisor's child jobs, without the supervisor's own.
    var childArguments: [String] {
        var arguments = ["train", config]
        if resume { arguments.append("--resume") }
        if let store { arguments += ["--store", store] }
        for override in overrides { arguments += ["--set", override] }
        if let parent { arguments += ["--parent", parent] }
        for pair in tag { arguments += ["--tag", pair] }
        if let timeline { arguments += ["--timeline", timeline] }
        if json { arguments.append("--json") }
        if quiet { arguments.append("--quiet") }
        if let register { arguments += ["--register", register] }
        if let stallTimeout { arguments += ["--stall-timeout", "\(stallTimeout)"] }
        if let lostPeerTimeout { arguments += ["--lost-peer-timeout", "\(lostPeerTimeout)"] }
        return arguments
    }

    /// `--set` overrides with the watchdog options folded in, so that they are validated alike.
    var allOverrides: [String] {
        overrides + (stallTimeout.map { ["watchdog.stall_timeout=\($0)"] } ?? [])
            + (lostPeerTimeout.map { ["watchdog.lost_peer_timeout=\($0)"] } ?? [])
    }

    func run() throws {
        // Restarts resume from the newest checkpoint; one that failed before the first
        // checkpoint starts over.
        if let supervisor = try restarts.supervisor(for: "training", arguments: childArguments, resumeArguments: { [resume] _ in
            resume ? [] : ["--resume", "--start-if-no-checkpoint"]
        }) {
            return try supervisor.run()
        }
        let tags = try KeyValueOption.parse(tag, option: "--tag")
        if let register { try ModelVersionReference.validateName(register) }
        try World.run { comm in
            let configuration = try comm.agreeing { try ConfigurationLoader.load(path: config, overrides: allOverrides) }
            let watchdog = try (comm as? MPICommunicator).flatMap { world in
                try StallWatchdog.start(on: world, settings: .init(configuration.watchdog))
            }
            defer { watchdog?.stop() }
            let store = try comm.agreeing { comm.isRoot ? try World.openStore(self.store) : nil }
            var options = TrainingOptions(workDirectory: World.workDirectory(self.store))
            options.resume = resume || startIfNoCheckpoint
            options.startIfNothingToResume = startIfNoCheckpoint
            options.parentRun = parent
            options.tags = tags
            options.timelinePath = timeline
            options.showProgress = !quiet && !json
            options.environment = Collectives.describe(comm)
            options.failureNotifier = watchdog
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

extension StallWatchdog.Settings {
    /// The settings of a configuration's `watchdog` section.
    init(_ section: TrainingConfiguration.WatchdogSection) {
        self.init(stallTimeout: section.stallTimeout, lostPeerTimeout: section.lostPeerTimeout,
                  heartbeatInterval: section.heartbeatInterval)
    }
}
