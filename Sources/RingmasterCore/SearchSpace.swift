/// A hyperparameter value as sampled: a real number, an integer, or a category.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case real(Double)
    case integer(Int)
    case text(String)
    case flag(Bool)

    private enum CodingKeys: String, CodingKey { case real, integer, text, flag }

    /// Stored as a one-key object (`{"real": 0.01}`), so 3 and 3.0 stay different values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let value = try container.decodeIfPresent(Double.self, forKey: .real) { self = .real(value) }
        else if let value = try container.decodeIfPresent(Int.self, forKey: .integer) { self = .integer(value) }
        else if let value = try container.decodeIfPresent(String.self, forKey: .text) { self = .text(value) }
        else if let value = try container.decodeIfPresent(Bool.self, forKey: .flag) { self = .flag(value) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected real, integer, text or flag"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .real(let value): try container.encode(value, forKey: .real)
        case .integer(let value): try container.encode(value, forKey: .integer)
        case .text(let value): try container.encode(value, forKey: .text)
        case .flag(let value): try container.encode(value, forKey: .flag)
        }
    }

    /// The value as a number, for models over numeric parameters (TPE, importance).
    public var number: Double? {
        switch self {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case .text, .flag: return nil
        }
    }

    /// How the value is written into a configuration override (`section.key=VALUE`) and the store.
    public var description: String {
        switch self {
        case .real(let value): return "\(value)"
        case .integer(let value): return "\(value)"
        case .text(let value): return value
        case .flag(let value): return "\(value)"
        }
    }
}

/// Values of the active parameters of one trial, by parameter name.
public typealias ParameterAssignment = [String: ParameterValue]

/// The prior a parameter is drawn from.
public enum Distribution: Sendable, Equatable {
    /// Uniform on [low, high].
    case uniform(low: Double, high: Double)
    /// Log-uniform on [low, high]; low > 0.
    case logUniform(low: Double, high: Double)
    /// Integers in [low, high] (inclusive) on a grid of `step`, uniform or log-uniform.
    case integer(low: Int, high: Int, step: Int, log: Bool)
    /// One of a fixed list of values.
    case choice([ParameterValue])
}

/// A parameter is active only when `parent` took one of `values` (`when:` in sweep specs).
public struct ParameterCondition: Sendable, Equatable {
    public var parent: String
    public var values: [ParameterValue]

    public init(parent: String, values: [ParameterValue]) {
        self.parent = parent
        self.values = values
    }
}

/// One searched parameter; `name` is the configuration key it sets (`optimizer.learning_rate`).
public struct ParameterSpec: Sendable, Equatable {
    public var name: String
    public var distribution: Distribution
    public var condition: ParameterCondition?

    public init(name: String, distribution: Distribution, condition: ParameterCondition? = nil) {
        self.name = name
        self.distribution = distribution
        self.condition = condition
    }
}

/// The parameters of a sweep, in declaration order; a condition's parent comes before it.
public struct SearchSpace: Sendable, Equatable {
    public var parameters: [ParameterSpec]

    public init(parameters: [ParameterSpec]) {
        self.parameters = parameters
    }

    /// Whether `parameter` is active given the values chosen so far.
    public func isActive(_ parameter: ParameterSpec, in assignment: ParameterAssignment) -> Bool {
        guard let condition = parameter.condition else { return true }
        guard let parentValue = assignment[condition.parent] else { return false }
        return condition.values.contains(parentValue)
    }
}

/// Whether the objective is to be made small or large.
public enum OptimizationDirection: String, Sendable, Codable, CaseIterable {
    case minimize, maximize

    /// `value` turned into a loss: smaller is always better.
    public func loss(_ value: Double) -> Double { self == .minimize ? value : -value }
}

/// A trial as samplers and schedulers see it.
public enum TrialState: String, Sendable, Codable, CaseIterable {
    case running, completed, pruned, failed
}

/// What is known of one trial: its parameters, state, objective and intermediate values.
public struct TrialSnapshot: Sendable, Equatable {
    /// 0, 1, 2, … in the order trials were created.
    public var number: Int
    public var params: ParameterAssignment
    public var state: TrialState
    /// The final objective (completed trials), as reported — not direction-adjusted.
    public var value: Double?
    /// Objective after each unit of resource (epoch), by resource, as reported.
    public var intermediate: [Int: Double]

    public init(number: Int, params: ParameterAssignment, state: TrialState, value: Double? = nil,
                intermediate: [Int: Double] = [:]) {
        self.number = number
        self.params = params
        self.state = state
        self.value = value
        self.intermediate = intermediate
    }
}

/// Proposes parameters for new trials.
///
/// Contract: deterministic — the same space, trial history, direction and generator state
/// give the same assignment. Called by the sweep coordinator only (world rank 0), one call
/// at a time. `trials` holds every trial created so far, including running ones (samplers
/// that model results treat them with a constant liar). Throws when the space is exhausted
/// (a finished grid) with ``TuningError/spaceExhausted``.
public protocol Sampler: Sendable {
    func suggest(
        space: SearchSpace, trials: [TrialSnapshot], direction: OptimizationDirection,
        generator: inout RandomGenerator
    ) throws -> ParameterAssignment
}

/// What the scheduler tells a running trial after it reports an intermediate value.
public enum SchedulerDecision: Sendable, Equatable {
    /// Keep training.
    case proceed
    /// Stop now; the trial is recorded as pruned.
    case stop
    /// Population-based training: load the weights of trial `source` and continue with `params`.
    case exploit(source: Int, params: ParameterAssignment)
}

/// Decides, as results come in, which trials continue (early stopping, successive
/// halving, population-based training).
///
/// Contract: called by the coordinator only, one call at a time; may keep state (rungs,
/// brackets). `maxResource(forTrial:)` is asked once when a trial starts and bounds how many
/// epochs it may train; `report` is called after every epoch.
public protocol Scheduler: AnyObject {
    func maxResource(forTrial number: Int) -> Int
    func report(
        trial number: Int, resource: Int, value: Double, trials: [TrialSnapshot], direction: OptimizationDirection
    ) -> SchedulerDecision
}

/// A sweep cannot continue as asked.
public enum TuningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every point of a grid has been tried.
    case spaceExhausted
    /// A search space or scheduler setting is invalid; names the field.
    case invalidSetting(field: String, reason: String)

    public var description: String {
        switch self {
        case .spaceExhausted: return "the search space is exhausted"
        case .invalidSetting(let field, let reason): return "\(field): \(reason)"
        }
    }
}
