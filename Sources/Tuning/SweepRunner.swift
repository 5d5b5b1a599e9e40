import Foundation
import RingmasterCore
import Training

/// Runs a sweep on every rank of the job: splits the world into groups of
/// `ranksPerTrial`, starts the coordinator on a thread of world rank 0, and lets every group
/// take trials until the budget is spent. Only world rank 0 writes to the store.
public struct SweepRunner {
    public struct Options: Sendable {
        public var ranksPerTrial = 1
        /// Continue this sweep: finished trials are kept, trials that were running run again.
        public var resume: String?
        /// Checkpoints and model files of the trials' runs.
        public var workDirectory: URL
        /// Environment facts recorded with every trial's run.
        public var environment: [String: String] = [:]
        /// Draw the live trial table on a terminal.
        public var showTable = false

        public init(workDirectory: URL) { self.workDirectory = workDirectory }
    }

    /// What rank 0 reports at the end (`ringmaster sweep --json`).
    public struct Summary: Codable, Sendable {
        public var sweepID: String
        public var trials: Int
        public var completed: Int
        public var pruned: Int
        public var failed: Int
        public var bestTrial: Int?
        public var bestValue: Double?
        public var bestParams: [String: String]?
        public var seconds: Double
        /// Seconds the coordinator spent handling requests: the sweep's dispatch overhead.
        public var dispatchSeconds: Double
        public var groups: Int
        /// Population-based training: trials that continued from another trial's weights.
        public var exploits: Int
    }

    let spec: SweepSpec
    let options: Options

    public init(spec: SweepSpec, options: Options) {
        self.spec = spec
        self.options = options
    }

    /// Runs the sweep; returns the summary on world rank 0 and nil elsewhere. `store` is used on rank 0 only.
    public func run(world: any Communicator, store: (any MetadataStore)?) throws -> Summary? {
        let started = Date()
        let k = options.ranksPerTrial
        try world.agree(Result {
            guard k >= 1, world.size % k == 0 else {
                throw TuningError.invalidSetting(
                    field: "--ranks-per-trial", reason: "\(k) does not divide the \(world.size) ranks of the job into equal groups")
            }
            guard world.size == 1 || world.supportsConcurrentCalls else {
                throw TuningError.invalidSetting(
                    field: "--ranks-per-trial", reason: "the MPI library lacks MPI_THREAD_MULTIPLE, which the sweep coordinator needs")
            }
        })
        let groups = world.size / k
        // A communicator of its own keeps sweep messages apart from the trials' collectives.
        let sweepComm = try world.split(color: 0, key: world.rank)
        let group = try world.split(color: world.rank / k, key: world.rank)

        let (sweep, existing) = try world.agreeing { () -> (SweepRecord?, [TrialRecord]) in
            guard world.isRoot, let store else { return (nil, []) }
            if let resume = options.resume {
                let sweep = try store.sweep(resume)
                guard sweep.spec == spec.text else {
                    throw TuningError.invalidSetting(
                        field: "--resume", reason: "sweep \(sweep.id.prefix(8)) was started from another specification; resume it with the same file")
                }
                try store.setSweepStatus(sweep.id, .running)
                return (sweep, try store.trials(sweep: sweep.id))
            }
            return (try store.createSweep(
                name: spec.name, experiment: spec.experiment, spec: spec.text, objective: spec.objective,
                direction: spec.direction), [])
        }
        let sweepID = try world.broadcast(sweep?.id ?? "", root: 0)

        // The coordinator thread, on world rank 0 only.
        var coordinatorResult: Result<(trials: [TrialRecord], busy: Double, exploits: Int), any Error>?
        let coordinatorDone = DispatchSemaphore(value: 0)
        if world.isRoot, let store {
            let coordinator = try SweepCoordinator(
                spec: spec, store: store, sweepID: sweepID, comm: sweepComm, groups: groups, existing: existing,
                display: options.showTable ? SweepDisplay(direction: spec.direction, objective: spec.objective) : nil)
            let box = ResultBox()
            let thread = Thread {
                box.result = Result { (try coordinator.run(), coordinator.busySeconds, coordinator.exploits) }
                coordinatorDone.signal()
            }
            thread.name = "ringmaster-sweep-coordinator"
            thread.start()
            do {
                try work(group: group, sweepComm: sweepComm, groupIndex: world.rank / k, sweepID: sweepID, store: store, isWorldRoot: true)
            } catch {
                world.abort(message: "sweep worker failed: \(error)", code: 1)
            }
            coordinatorDone.wait()
            coordinatorResult = box.result
            if case .failure(let error) = box.result {
                world.abort(message: "sweep coordinator failed: \(error)", code: 1)
            }
        } else {
            try work(group: group, sweepComm: sweepComm, groupIndex: world.rank / k, sweepID: sweepID, store: nil, isWorldRoot: false)
        }
        try world.barrier()
        guard world.isRoot, let store, case .success(let outcome) = coordinatorResult else { return nil }
        try store.setSweepStatus(sweepID, .finished)
        return summary(sweepID: sweepID, trials: outcome.trials, started: started, busy: outcome.busy, groups: groups,
                       exploits: outcome.exploits)
    }

    /// One group's loop: ask for a trial, run it on the group's ranks, report, repeat.
    private func work(
        group: any Communicator, sweepComm: any Communicator, groupIndex: Int, sweepID: String,
        store: (any MetadataStore)?, isWorldRoot: Bool
    ) throws {
        let channel = group.isRoot ? CoordinatorChannel(comm: sweepComm) : nil
        // Group leaders other than world rank 0 write through the coordinator.
        let trialStore: (any MetadataStore)? = group.isRoot
            ? (isWorldRoot ? store : RemoteStore(channel: channel!, location: "sweep coordinator")) : nil
        while true {
            var reply = Data()
            if let channel { reply = try SweepProtocol.encode(try channel.ask(.next(group: groupIndex))) }
            reply = try group.broadcast(reply, root: 0)
            guard case .trial(let number, let params, let maxResource) = try SweepProtocol.decode(SweepReply.self, reply) else {
                return
            }
            let outcome: Result<TrialOutcome, any Error>
            switch spec.workload {
            case .training(let base):
                let trial = TrainingTrial(
                    base: base, spec: spec, sweepID: sweepID, group: group, channel: channel, store: trialStore,
                    workDirectory: options.workDirectory, environment: options.environment)
                outcome = Result { try trial.run(number: number, params: params, maxResource: maxResource) }
            case .function(let name):
                outcome = .success(FunctionTrial(function: BenchmarkFunction.named(name)!).run(params: params))
            case .command(let template, let timeout):
                outcome = group.isRoot
                    ? Result {
                        try CommandTrial(template: template, timeout: timeout, objective: spec.objective, sweepID: sweepID,
                                         channel: channel!, store: trialStore!, experiment: spec.experiment)
                            .run(number: number, params: params)
                    }
                    : .success(TrialOutcome(value: nil, runID: nil, pruned: false))
            }
            switch outcome {
            case .success(let result):
                _ = try channel?.ask(.finish(trial: number, value: result.value, runID: result.runID, pruned: result.pruned))
            case .failure(let error) where Self.endsOnlyTheTrial(error):
                _ = try channel?.ask(.fail(trial: number, error: "\(error)", runID: nil))
            case .failure(let error):
                throw error
            }
        }
    }

    /// Errors every rank of the group saw alike (agreed failures, a non-finite loss, a bad
    /// configuration, a failed command) end the trial; anything else may have left the
    /// group's ranks out of step and ends the job.
    static func endsOnlyTheTrial(_ error: any Error) -> Bool {
        error is RankFailure || error is any UniformError || error is ConfigurationError || error is CommandTrialError
    }

    private func summary(sweepID: String, trials: [TrialRecord], started: Date, busy: Double, groups: Int, exploits: Int) -> Summary {
        let best = trials.best(direction: spec.direction)
        return Summary(
            sweepID: sweepID, trials: trials.count, completed: trials.filter { $0.state == .completed }.count,
            pruned: trials.filter { $0.state == .pruned }.count, failed: trials.filter { $0.state == .failed }.count,
            bestTrial: best?.number, bestValue: best?.value, bestParams: best?.params.mapValues(\.description),
            seconds: Date().timeIntervalSince(started), dispatchSeconds: busy, groups: groups, exploits: exploits)
    }
}

/// Carries the coordinator thread's outcome to the thread that joins it.
/// `@unchecked Sendable`: written before the semaphore is signalled, read after it is waited on.
private final class ResultBox: @unchecked Sendable {
    var result: Result<(trials: [TrialRecord], busy: Double, exploits: Int), any Error>?
}

extension Array where Element == TrialRecord {
    /// The completed trial with the best value.
    public func best(direction: OptimizationDirection) -> TrialRecord? {
        filter { $0.state == .completed && $0.value != nil }.min { direction.loss($0.value!) < direction.loss($1.value!) }
    }
}
