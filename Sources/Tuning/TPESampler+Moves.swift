import RingmasterCore

/// Coordinate moves: every `moveEvery`-th suggestion after the startup trials is the best
/// completed trial (the incumbent) with one parameter moved far from its value — the poll step
/// of coordinate (pattern) search, in the one-exchange neighbourhood SMAC searches around its
/// incumbent, interleaved with TPE as SMAC interleaves random configurations. TPE's densities only learn about a region where good trials already are, so a
/// parameter whose best trials all sit in a poor basin stays there; a move tests the rest of
/// that parameter's range with every other parameter at its best known value.
///
/// Parameters are moved in turn, and moves stop for the rest of the sweep once a whole round of
/// them (as many consecutive moves as the incumbent has parameters) has failed to beat its
/// incumbent: on objectives where no single parameter has a better basin elsewhere this costs
/// one round of trials. Whether a past trial was a move is read back from the history (its
/// number is on the schedule and it differs from the incumbent of its time in exactly one
/// parameter), so the sampler stays a function of the trials and the generator.
extension TPESampler {
    /// What the moves so far achieved.
    struct MoveRecord: Equatable {
        /// Moves that finished (completed, pruned or failed).
        var moves = 0
        /// Consecutive finished moves, up to the latest, that did not beat their incumbent.
        var failureStreak = 0
    }

    /// Whether the trial numbered `number` is scheduled as a move.
    func isMoveNumber(_ number: Int) -> Bool {
        moveEvery > 0 && number >= startupTrials && (number - startupTrials) % moveEvery == moveEvery - 1
    }

    /// Moves in `trials` (any order), judged against the best completed trial numbered below each.
    func moveRecord(_ trials: [TrialSnapshot], direction: OptimizationDirection) -> MoveRecord {
        var record = MoveRecord()
        var incumbent: (params: ParameterAssignment, loss: Double)?
        for trial in trials.sorted(by: { $0.number < $1.number }) {
            let loss = trial.state == .completed ? trial.value.map(direction.loss).flatMap { $0.isNaN ? nil : $0 } : nil
            if let best = incumbent, trial.state != .running, isMoveNumber(trial.number),
               Self.movedParameter(from: best.params, to: trial.params) != nil {
                record.moves += 1
                if let loss, loss < best.loss { record.failureStreak = 0 } else { record.failureStreak += 1 }
            }
            if let loss, loss < incumbent?.loss ?? .infinity { incumbent = (trial.params, loss) }
        }
        return record
    }

    /// The one parameter both assignments have that differs, when there is exactly one
    /// (parameters only one of them has — a moved choice's dependants — do not count).
    static func movedParameter(from incumbent: ParameterAssignment, to trial: ParameterAssignment) -> String? {
        var moved: String?
        for (name, value) in incumbent {
            guard let other = trial[name], other != value else { continue }
            if moved != nil { return nil }
            moved = name
        }
        return moved
    }

    /// The move this suggestion makes, or nil when it is not a move (off the schedule, no
    /// completed trial, fewer than two parameters, or the moves have stopped paying off).
    func coordinateMove(
        space: SearchSpace, trials: [TrialSnapshot], ranking: TrialRanking, direction: OptimizationDirection,
        generator: inout RandomGenerator
    ) -> ParameterAssignment? {
        guard isMoveNumber(trials.count), let incumbent = ranking.trials.first, incumbent.state == .completed else {
            return nil
        }
        let active = space.parameters.filter { space.isActive($0, in: incumbent.params) && incumbent.params[$0.name] != nil }
        guard active.count >= 2 else { return nil }
        let record = moveRecord(trials, direction: direction)
        guard record.failureStreak < active.count else { return nil }
        let parameter = active[record.moves % active.count]
        var assignment = incumbent.params
        assignment[parameter.name] = farValue(of: parameter.distribution, from: incumbent.params[parameter.name]!, generator: &generator)
        // A moved choice can switch dependants on or off: drop the ones now inactive, draw the
        // new ones (parents come first, so one pass in declaration order settles the tree).
        for other in space.parameters {
            if !space.isActive(other, in: assignment) {
                assignment[other.name] = nil
            } else if assignment[other.name] == nil {
                assignment[other.name] = other.distribution.value(unit: generator.nextUnitDouble())
            }
        }
        return assignment
    }

    /// A value of `distribution` at least `moveDistance` of the range away from `value` in the
    /// unit coordinate, uniformly; for a choice, another category.
    func farValue(
        of distribution: Distribution, from value: ParameterValue, generator: inout RandomGenerator
    ) -> ParameterValue {
        let u = generator.nextUnitDouble()
        if case .choice(let values) = distribution, values.count >= 2, let index = values.firstIndex(of: value) {
            let other = Swift.min(Int(u * Double(values.count - 1)), values.count - 2)
            return values[other < index ? other : other + 1]
        }
        guard let centre = distribution.unit(of: value) else { return distribution.value(unit: u) }
        let below = Swift.max(0, centre - moveDistance), above = Swift.min(1, centre + moveDistance)
        let room = below + (1 - above)
        guard room > 0 else { return distribution.value(unit: u) }
        let r = u * room
        return distribution.value(unit: r < below ? r : above + (r - below))
    }
}
