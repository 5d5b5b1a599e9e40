import Foundation
import RingmasterCore

/// Hands out trials and decides their fate: runs on a thread of world rank 0, owns the
/// sampler, the scheduler and the store's sweep records, and answers the group leaders'
/// requests one at a time (``SweepRequest``). Groups never wait for each other: a free
/// group gets the next trial at once (asynchronous, ASHA-style).
///
/// It polls for requests and sleeps briefly when there are none, instead of blocking in
/// MPI (which spins), so it does not take a core away from training on a small machine.
///
/// `@unchecked Sendable`: made on the job's main thread and then used only by the
/// coordinator thread until that thread has finished.
final class SweepCoordinator: @unchecked Sendable {
    private let spec: SweepSpec
    private let store: any MetadataStore
    private let sweepID: String
    private let comm: any Communicator
    private let groups: Int
    private let sampler: any Sampler
    private let scheduler: (any Scheduler)?
    private var trials: [TrialRecord]
    /// Trials that were running when the sweep stopped, to run again first (`--resume`).
    private var requeued: [Int]
    private let started = Date()
    private var groupsDone = 0
    private let display: SweepDisplay?
    /// Seconds spent handling requests (dispatch overhead), for the summary.
    private(set) var busySeconds = 0.0
    /// Population-based training: each running trial's latest weights, which others may copy.
    private var latestStates: [Int: Data] = [:]
    /// Population-based training: how many times a trial continued from another's weights.
    private(set) var exploits = 0

    init(spec: SweepSpec, store: any MetadataStore, sweepID: String, comm: any Communicator, groups: Int,
         existing: [TrialRecord], display: SweepDisplay?) throws {
        self.spec = spec
        self.store = store
        self.sweepID = sweepID
        self.comm = comm
        self.groups = groups
        sampler = spec.makeSampler()
        scheduler = try spec.makeScheduler()
        trials = existing
        requeued = existing.filter { $0.state == .running }.map(\.number)
        self.display = display
    }

    /// Serves requests until every group has been told `done`. Returns the trials.
    func run() throws -> [TrialRecord] {
        var idle: UInt32 = 50
        while groupsDone < groups {
            guard let (data, source) = try comm.pollMessage(tag: SweepProtocol.requestTag) else {
                usleep(idle)
                idle = min(idle * 2, 2_000)
                continue
            }
            idle = 50
            let begin = Date()
            let reply: SweepReply
            do {
                reply = try handle(try SweepProtocol.decode(SweepRequest.self, data))
            } catch let error as StoreError {
                reply = .storeFailed("\(error)")
            }
            try comm.send(try SweepProtocol.encode(reply), to: source, tag: SweepProtocol.replyTag)
            busySeconds += Date().timeIntervalSince(begin)
            display?.draw(trials)
        }
        return trials
    }

    private var budgetLeft: Bool {
        if let maxTrials = spec.maxTrials, trials.count >= maxTrials { return false }
        if let maxSeconds = spec.maxSeconds, Date().timeIntervalSince(started) >= maxSeconds { return false }
        return true
    }

    private func handle(_ request: SweepRequest) throws -> SweepReply {
        switch request {
        case .next:
            if !requeued.isEmpty {
                let number = requeued.removeFirst()
                trials[number].started = Date()
                trials[number].intermediate = [:]
                try store.recordTrial(trials[number])
                return .trial(number: number, params: trials[number].params, maxResource: maxResource(number))
            }
            guard budgetLeft else {
                groupsDone += 1
                return .done
            }
            let number = trials.count
            // One generator stream per trial number: suggestions do not depend on sampler state,
            // so a resumed sweep proposes what the uninterrupted one would have.
            var generator = RandomGenerator(seed: spec.seed, stream: UInt64(number))
            let params: ParameterAssignment
            do {
                params = try sampler.suggest(
                    space: spec.space, trials: trials.map(\.snapshot), direction: spec.direction, generator: &generator)
            } catch TuningError.spaceExhausted {
                groupsDone += 1
                return .done
            }
            let trial = TrialRecord(sweepID: sweepID, number: number, params: params, state: .running)
            trials.append(trial)
            try store.recordTrial(trial)
            return .trial(number: number, params: params, maxResource: maxResource(number))

        case .report(let number, let resource, let value, let state):
            trials[number].intermediate[resource] = value
            try store.recordIntermediate(sweep: sweepID, trial: number, resource: resource, value: value)
            if let state { latestStates[number] = state }
            guard let scheduler else { return .proceed }
            switch scheduler.report(trial: number, resource: resource, value: value,
                                    trials: trials.map(\.snapshot), direction: spec.direction) {
            case .proceed: return .proceed
            case .stop: return .stop
            case .exploit(let source, let params):
                guard let state = latestStates[source] else { return .proceed }
                trials[number].params = params
                try store.recordTrial(trials[number])
                exploits += 1
                return .exploit(state: state, params: params)
            }

        case .finish(let number, let value, let runID, let pruned):
            latestStates[number] = nil
            trials[number].state = pruned ? .pruned : .completed
            trials[number].value = value
            trials[number].runID = runID
            trials[number].ended = Date()
            try store.recordTrial(trials[number])
            return .acknowledged

        case .fail(let number, let error, let runID):
            latestStates[number] = nil
            trials[number].state = .failed
            trials[number].error = error
            trials[number].runID = runID
            trials[number].ended = Date()
            try store.recordTrial(trials[number])
            return .acknowledged

        case .store(let call):
            return .stored(try call.apply(to: store))
        }
    }

    private func maxResource(_ number: Int) -> Int {
        scheduler?.maxResource(forTrial: number) ?? spec.maxResource
    }
}
