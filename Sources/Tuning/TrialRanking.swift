import RingmasterCore

/// Trials ordered best first, as TPE splits them: completed trials by loss, then pruned trials
/// (the ones that got further first, then by their last intermediate loss; those that reported
/// nothing last), then running trials, which count as worse than anything observed (constant
/// liar). Failed trials, and completed ones without a usable value, are left out. Ties keep
/// trial-number order so the split is deterministic.
struct TrialRanking {
    /// Best first.
    let trials: [TrialSnapshot]
    /// Completed and pruned trials: a prefix of `trials`.
    let finishedCount: Int

    init(_ history: [TrialSnapshot], direction: OptimizationDirection) {
        var completed: [(loss: Double, trial: TrialSnapshot)] = []
        var pruned: [(step: Int, loss: Double, trial: TrialSnapshot)] = []
        var running: [TrialSnapshot] = []
        for trial in history {
            switch trial.state {
            case .completed:
                if let value = trial.value, !value.isNaN { completed.append((direction.loss(value), trial)) }
            case .pruned:
                if let step = trial.intermediate.keys.max(), let value = trial.intermediate[step], !value.isNaN {
                    pruned.append((step, direction.loss(value), trial))
                } else {
                    pruned.append((Int.min, .infinity, trial))
                }
            case .running:
                running.append(trial)
            case .failed:
                continue
            }
        }
        completed.sort { ($0.loss, $0.trial.number) < ($1.loss, $1.trial.number) }
        pruned.sort { $0.step != $1.step ? $0.step > $1.step : ($0.loss, $0.trial.number) < ($1.loss, $1.trial.number) }
        running.sort { $0.number < $1.number }
        trials = completed.map(\.trial) + pruned.map(\.trial) + running
        finishedCount = completed.count + pruned.count
    }
}
