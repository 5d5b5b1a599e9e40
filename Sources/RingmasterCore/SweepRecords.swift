import Foundation

/// The lifecycle of a sweep.
public enum SweepStatus: String, Codable, Sendable, CaseIterable {
    case running, finished, failed, stopped
}

/// A hyperparameter sweep as recorded in the store.
public struct SweepRecord: Codable, Sendable, Equatable {
    /// 32 lowercase hex digits; any unique prefix of at least 4 resolves it.
    public var id: String
    public var name: String
    /// Experiment the trials' runs are recorded under.
    public var experiment: String
    /// The sweep specification as given (YAML), so the sweep can be resumed or repeated.
    public var spec: String
    public var objective: String
    public var direction: OptimizationDirection
    public var status: SweepStatus
    public var created: Date
    public var ended: Date?

    public init(
        id: String, name: String, experiment: String, spec: String, objective: String, direction: OptimizationDirection,
        status: SweepStatus, created: Date, ended: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.experiment = experiment
        self.spec = spec
        self.objective = objective
        self.direction = direction
        self.status = status
        self.created = created
        self.ended = ended
    }
}

/// One trial of a sweep.
public struct TrialRecord: Codable, Sendable, Equatable {
    public var sweepID: String
    /// 0, 1, 2, … in the order the coordinator created them.
    public var number: Int
    public var params: ParameterAssignment
    public var state: TrialState
    /// Final objective value (completed trials; the last reported value for pruned ones).
    public var value: Double?
    /// Objective after each epoch (or reported step), by resource.
    public var intermediate: [Int: Double]
    /// The training run that carried the trial out.
    public var runID: String?
    /// Why a failed trial failed.
    public var error: String?
    public var started: Date
    public var ended: Date?

    public init(
        sweepID: String, number: Int, params: ParameterAssignment, state: TrialState, value: Double? = nil,
        intermediate: [Int: Double] = [:], runID: String? = nil, error: String? = nil, started: Date = Date(),
        ended: Date? = nil
    ) {
        self.sweepID = sweepID
        self.number = number
        self.params = params
        self.state = state
        self.value = value
        self.intermediate = intermediate
        self.runID = runID
        self.error = error
        self.started = Date(timeIntervalSince1970: started.timeIntervalSince1970)
        self.ended = ended
    }

    /// The trial as samplers and schedulers see it.
    public var snapshot: TrialSnapshot {
        TrialSnapshot(number: number, params: params, state: state, value: value, intermediate: intermediate)
    }

    /// Seconds from start to end, while known.
    public var duration: Double? { ended.map { $0.timeIntervalSince(started) } }
}
