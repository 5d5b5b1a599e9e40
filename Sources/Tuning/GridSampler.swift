import RingmasterCore

/// Walks the Cartesian product of every parameter's grid values in a fixed order: the first
/// parameter varies slowest, as in nested loops over the declaration order.
///
/// A conditional parameter multiplies the grid only below parent values that activate it, so
/// no two points differ only in an inactive parameter; repeated grid values of one parameter
/// (a choice listed twice, a degenerate range) are kept once. Trial `n` gets point `n` whatever
/// the state of earlier trials, so the grid is covered exactly once even with trials running
/// in parallel; past the last point ``suggest(space:trials:direction:generator:)`` throws
/// ``TuningError/spaceExhausted``. Needs no randomness and leaves the generator untouched.
public struct GridSampler: Sampler {
    /// Points per continuous range (ends included, log-spaced for log ranges); integers and
    /// choices always contribute every value. Default 10.
    public var resolution: Int

    public init(resolution: Int = 10) {
        self.resolution = resolution
    }

    public func suggest(
        space: SearchSpace, trials: [TrialSnapshot], direction: OptimizationDirection,
        generator: inout RandomGenerator
    ) throws -> ParameterAssignment {
        var grid = try Grid(space: space, resolution: resolution)
        guard let point = grid.point(at: trials.count) else { throw TuningError.spaceExhausted }
        return point
    }

    /// How many distinct points the grid of `space` has (saturating at `Int.max`).
    public func pointCount(of space: SearchSpace) throws -> Int {
        var grid = try Grid(space: space, resolution: resolution)
        return grid.count(from: 0, given: [:])
    }
}

/// The grid of one space; finds point `n` by counting the points below each choice instead of
/// listing them, so a large product costs nothing until it is walked.
private struct Grid {
    let space: SearchSpace
    /// values[i]: the deduplicated grid values of parameter i, in grid order.
    let values: [[ParameterValue]]
    /// parentsAhead[i]: indices j < i whose value decides whether some parameter ≥ i is active;
    /// the number of completions below position i depends on nothing else.
    let parentsAhead: [[Int]]
    var memo: [MemoKey: Int] = [:]

    struct MemoKey: Hashable {
        var position: Int
        var parents: [ParameterValue?]
    }

    init(space: SearchSpace, resolution: Int) throws {
        guard resolution >= 1 else {
            throw TuningError.invalidSetting(field: "resolution", reason: "must be at least 1, got \(resolution)")
        }
        self.space = space
        let values = space.parameters.map { parameter in
            var seen = Set<ParameterValue>()
            return parameter.distribution.gridValues(resolution: resolution).filter { seen.insert($0).inserted }
        }
        self.values = values
        if let empty = space.parameters.indices.first(where: { values[$0].isEmpty }) {
            throw TuningError.invalidSetting(field: space.parameters[empty].name, reason: "has no values to grid over")
        }
        let index = Dictionary(space.parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let parentOf: [Int?] = space.parameters.map { $0.condition.flatMap { index[$0.parent] } }
        parentsAhead = (0...space.parameters.count).map { position in
            Set(parentOf[position...].compactMap { $0 }.filter { $0 < position }).sorted()
        }
    }

    /// Number of grid points that complete `assignment` (which holds parameters before `position`).
    mutating func count(from position: Int, given assignment: ParameterAssignment) -> Int {
        let parameters = space.parameters
        guard position < parameters.count else { return 1 }
        let key = MemoKey(position: position, parents: parentsAhead[position].map { assignment[parameters[$0].name] })
        if let known = memo[key] { return known }
        let parameter = parameters[position]
        var total = 0
        if space.isActive(parameter, in: assignment) {
            var extended = assignment
            for value in values[position] {
                extended[parameter.name] = value
                let (sum, overflow) = total.addingReportingOverflow(count(from: position + 1, given: extended))
                total = overflow ? Int.max : sum
            }
        } else {
            total = count(from: position + 1, given: assignment)
        }
        memo[key] = total
        return total
    }

    /// Point `n` in grid order, or nil past the last one.
    mutating func point(at n: Int) -> ParameterAssignment? {
        guard n >= 0, n < count(from: 0, given: [:]) else { return nil }
        var remaining = n
        var assignment: ParameterAssignment = [:]
        for (position, parameter) in space.parameters.enumerated() where space.isActive(parameter, in: assignment) {
            for value in values[position] {
                assignment[parameter.name] = value
                let below = count(from: position + 1, given: assignment)
                if remaining < below { break }
                remaining -= below
            }
        }
        return assignment
    }
}
