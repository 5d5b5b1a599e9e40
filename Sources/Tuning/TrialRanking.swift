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
        // Sort keys and indices, not snapshots: a snapshot holds dictionaries, and moving it
        // costs reference counting on every swap.
        var completed: [(loss: Double, number: Int, index: Int)] = []
        var pruned: [(deeper: Int, loss: Double, number: Int, index: Int)] = []
        var running: [(number: Int, index: Int)] = []
        for (index, trial) in history.enumerated() {
            switch trial.state {
            case .completed:
                if let value = trial.value, !value.isNaN { completed.append((direction.loss(value), trial.number, index)) }
            case .pruned:
                if let step = trial.intermediate.keys.max(), let value = trial.intermediate[step], !value.isNaN {
                    pruned.append((-step, direction.loss(value), trial.number, index))
                } else {
                    pruned.append((Int.max, .infinity, trial.number, index))
                }
            case .running:
                running.append((trial.number, index))
            case .failed:
                continue
            }
        }
        completed.sort { ($0.loss, $0.number) < ($1.loss, $1.number) }
        pruned.sort { ($0.deeper, $0.loss, $0.number) < ($1.deeper, $1.loss, $1.number) }
        running.sort { $0.number < $1.number }
        trials = completed.map { history[$0.index] } + pruned.map { history[$0.index] } + running.map { history[$0.index] }
        finishedCount = completed.count + pruned.count
    }
}
