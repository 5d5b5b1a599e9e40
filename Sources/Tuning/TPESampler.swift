import Foundation
import RingmasterCore

/// Tree-structured Parzen Estimator (Bergstra et al., NeurIPS 2011; components as analysed by
/// Watanabe, "Tree-structured Parzen Estimator: Understanding Its Algorithm Components and Why
/// They Matter", 2023).
///
/// The first `startupTrials` trials are drawn at random. After that the finished trials are split into the best `gamma(n) = min(⌈gammaFraction · n⌉, gammaCap)`
/// and the rest; a kernel density l(x) is fitted to the first and g(x) to the second,
/// `candidates` points are drawn from l, `localCandidates` more from the kernels of the best
/// trials narrowed by `localWidth`, and the one with the largest l(x)/g(x) is suggested.
/// Densities are joint (multivariate) over the parameters that are active together, in the unit
/// cube of each parameter's mapping, so log ranges are modelled in log space and integers are
/// scored at the centre of their bin.
///
/// Conditional parameters are handled by grouping: the unconditional parameters are sampled
/// jointly from every trial; then the parameters their values activate are sampled jointly from
/// the trials in which all of them were active, and so on down the tree.
///
/// Running trials are constant liars: they join g(x) as if worse than any observed result, so
/// parallel workers spread out instead of piling onto one point. Pruned trials rank after
/// completed ones (deeper first, then by their last intermediate value); failed trials are
/// ignored. Cost per suggestion: O((candidates + localCandidates) × trials × parameters), without
/// allocation in the density loops.
///
/// Every 4th suggestion after the startup trials is a coordinate move instead (the best trial
/// with one parameter moved far, `TPESampler+Moves.swift`) until a whole round of moves fails.
///
/// Defaults differ from Optuna's in four measured ways (docs/tuning.md, "Sampler benchmark"):
/// 15 % of trials count as good rather than 10 %, 96 candidates are scored rather than 24,
/// 24 local candidates at 0.4 of the best trial's kernel width join them, and coordinate moves
/// are interleaved (Optuna has neither).
public struct TPESampler: Sampler {
    /// How wide the numeric kernels are, in unit coordinates (always clipped to
    /// [max(minimumWidth, 1 / min(100, kernels + 1)^clipExponent), 1], the "magic clip" of
    /// Bergstra et al. with Watanabe's exponent and floor).
    public enum Bandwidth: Sendable, Equatable, Codable {
        /// Each kernel as wide as the larger gap to its neighbours on that coordinate (the
        /// Hyperopt/Optuna rule): wide where observations are sparse, narrow where they crowd.
        case neighbours
        /// factor · n^(−1/(d+4)) for n observations in d numeric dimensions: Scott's rule with
        /// the data spread replaced by a fixed fraction of the range.
        case scott(factor: Double)
    }

    /// Finished (completed or pruned) trials before the model is used. Default 10.
    public var startupTrials: Int
    /// Points drawn from l(x) per suggestion. Default 96.
    public var candidates: Int
    /// Share of finished trials counted as good. Default 0.15.
    public var gammaFraction: Double
    /// At most this many trials count as good. Default 25.
    public var gammaCap: Int
    /// Weight of the prior kernel against 1 per observation. Default 1.
    public var priorWeight: Double
    /// Joint densities over the parameters active together (true) or one per parameter. Default true.
    public var multivariate: Bool
    /// Kernel width rule. Default `.neighbours`.
    public var bandwidth: Bandwidth
    /// Exponent of the magic clip: numeric kernels are at least 1 / min(100, kernels + 1)^clipExponent
    /// wide (unit coordinates). Default 1 (Bergstra et al., Optuna).
    public var clipExponent: Double
    /// Numeric kernels are at least this wide (unit coordinates), whatever the clip. Default 0.
    public var minimumWidth: Double
    /// Extra candidates per suggestion drawn close to the best trials rather than from l(x),
    /// scored by the same l(x)/g(x). Default 24; 0 gives plain TPE.
    public var localCandidates: Int
    /// Width of a local candidate's Gaussian, as a fraction of the width its centre's kernel has
    /// in l(x) (so it shrinks as good trials crowd together). Default 0.4.
    public var localWidth: Double
    /// Local candidates are centred on the best this many trials (at most the good ones), in
    /// turn. Default 1.
    public var localCentres: Int
    /// Every this many suggestions after the startup trials, one is a coordinate move: the best
    /// trial with one parameter moved far (see `TPESampler+Moves.swift`). Default 4; 0 turns
    /// moves off.
    public var moveEvery: Int
    /// How far a move takes its parameter: at least this much of the range (unit coordinate)
    /// from the best trial's value. Default 0.25.
    public var moveDistance: Double

    public init(
        startupTrials: Int = 10, candidates: Int = 96, gammaFraction: Double = 0.15, gammaCap: Int = 25,
        priorWeight: Double = 1, multivariate: Bool = true, bandwidth: Bandwidth = .neighbours,
        clipExponent: Double = 1, minimumWidth: Double = 0, localCandidates: Int = 24, localWidth: Double = 0.4,
        localCentres: Int = 1, moveEvery: Int = 4, moveDistance: Double = 0.25
    ) {
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.gammaFraction = gammaFraction
        self.gammaCap = gammaCap
        self.priorWeight = priorWeight
        self.multivariate = multivariate
        self.bandwidth = bandwidth
        self.clipExponent = clipExponent
        self.minimumWidth = minimumWidth
        self.localCandidates = localCandidates
        self.localWidth = localWidth
        self.localCentres = localCentres
        self.moveEvery = moveEvery
        self.moveDistance = moveDistance
    }

    /// How many of `n` finished trials count as good.
    public func gamma(_ n: Int) -> Int {
        Swift.min(Int((gammaFraction * Double(n)).rounded(.up)), gammaCap)
    }

    public func suggest(
        space: SearchSpace, trials: [TrialSnapshot], direction: OptimizationDirection,
        generator: inout RandomGenerator
    ) throws -> ParameterAssignment {
        guard candidates >= 1 else {
            throw TuningError.invalidSetting(field: "candidates", reason: "must be at least 1, got \(candidates)")
        }
        guard priorWeight > 0, priorWeight.isFinite else {
            throw TuningError.invalidSetting(field: "prior_weight", reason: "must be above 0, got \(priorWeight)")
        }
        guard clipExponent > 0 else {
            throw TuningError.invalidSetting(field: "clip_exponent", reason: "must be above 0, got \(clipExponent)")
        }
        guard minimumWidth >= 0, minimumWidth <= 1 else {
            throw TuningError.invalidSetting(field: "minimum_width", reason: "must be in [0, 1], got \(minimumWidth)")
        }
        guard localCandidates >= 0 else {
            throw TuningError.invalidSetting(field: "local_candidates", reason: "must be at least 0, got \(localCandidates)")
        }
        guard localWidth > 0, localWidth <= 1 else {
            throw TuningError.invalidSetting(field: "local_width", reason: "must be in (0, 1], got \(localWidth)")
        }
        guard localCentres >= 1 else {
            throw TuningError.invalidSetting(field: "local_centres", reason: "must be at least 1, got \(localCentres)")
        }
        guard moveEvery >= 0 else {
            throw TuningError.invalidSetting(field: "move_every", reason: "must be at least 0, got \(moveEvery)")
        }
        guard moveDistance > 0, moveDistance <= 0.5 else {
            throw TuningError.invalidSetting(field: "move_distance", reason: "must be in (0, 0.5], got \(moveDistance)")
        }
        let ranking = TrialRanking(trials, direction: direction)
        if ranking.finishedCount < startupTrials {
            return RandomSampler.draw(space.parameters, in: space, onto: [:], generator: &generator)
        }
        if let move = coordinateMove(space: space, trials: trials, ranking: ranking, direction: direction, generator: &generator) {
            return move
        }
        var assignment: ParameterAssignment = [:]
        var decided = Set<String>()
        while true {
            let group = space.parameters.filter { !decided.contains($0.name) && space.isActive($0, in: assignment) }
            if group.isEmpty { break }
            for parameter in group { decided.insert(parameter.name) }
            for part in multivariate ? [group] : group.map({ [$0] }) {
                for (name, value) in sample(part, from: ranking, generator: &generator) { assignment[name] = value }
            }
        }
        return assignment
    }

    /// Values for `group`, modelled on the ranked trials in which every parameter of the group has a value.
    private func sample(
        _ group: [ParameterSpec], from ranking: TrialRanking, generator: inout RandomGenerator
    ) -> ParameterAssignment {
        let numericIndices = group.indices.filter { !group[$0].distribution.isCategorical }
        let categoricalIndices = group.indices.filter { group[$0].distribution.isCategorical }
        let categoryCounts = categoricalIndices.map { index -> Int in
            if case .choice(let values) = group[index].distribution { return values.count }
            return 0
        }
        let dn = numericIndices.count, dc = categoricalIndices.count
        // Observations, best first: numeric (rows, dn) unit coordinates, categories (rows, dc).
        var numeric: [Double] = [], categories: [Int] = []
        var rows = 0, finished = 0
        let names = group.map(\.name), distributions = group.map(\.distribution)
        var units = [Double](repeating: 0, count: group.count)
        trials: for (rank, trial) in ranking.trials.enumerated() {
            for index in group.indices {
                guard let value = trial.params[names[index]], let u = distributions[index].unit(of: value) else {
                    continue trials
                }
                units[index] = u
            }
            for index in numericIndices { numeric.append(units[index]) }
            for (c, index) in categoricalIndices.enumerated() {
                categories.append(Swift.min(Int(units[index] * Double(categoryCounts[c])), categoryCounts[c] - 1))
            }
            rows += 1
            if rank < ranking.finishedCount { finished += 1 }
        }
        guard finished >= 2 else {
            return RandomSampler.draw(group, in: SearchSpace(parameters: group), onto: [:], generator: &generator)
        }
        // Running trials rank last and `below` never exceeds the finished count, so liars
        // always land in g(x).
        let below = Swift.max(1, Swift.min(gamma(finished), finished))
        let good = ParzenEstimator(
            numeric: Array(numeric[0..<below * dn]), categories: Array(categories[0..<below * dc]), count: below,
            numericCount: dn, categoryCounts: categoryCounts, bandwidth: bandwidth, priorWeight: priorWeight,
            clipExponent: clipExponent, minimumWidth: minimumWidth)
        let bad = ParzenEstimator(
            numeric: Array(numeric[below * dn..<rows * dn]), categories: Array(categories[below * dc..<rows * dc]),
            count: rows - below, numericCount: dn, categoryCounts: categoryCounts, bandwidth: bandwidth,
            priorWeight: priorWeight, clipExponent: clipExponent, minimumWidth: minimumWidth)

        // Candidates: (total, dn) unit coordinates and (total, dc) category indices; the first
        // `candidates` drawn from l(x), the rest narrow draws around the best good trials (the
        // first kernels of l, which holds them best first).
        let total = candidates + localCandidates
        let centres = Swift.min(localCentres, below)
        var candidateUnits = [Double](repeating: 0, count: total * dn)
        var candidateCategories = [Int](repeating: 0, count: total * dc)
        candidateUnits.withUnsafeMutableBufferPointer { units in
            candidateCategories.withUnsafeMutableBufferPointer { cats in
                for i in 0..<total {
                    let point = UnsafeMutableBufferPointer(rebasing: units[i * dn..<(i + 1) * dn])
                    let pointCategories = UnsafeMutableBufferPointer(rebasing: cats[i * dc..<(i + 1) * dc])
                    if i < candidates {
                        good.sample(numeric: point, categories: pointCategories, generator: &generator)
                    } else {
                        good.sample(
                            kernel: (i - candidates) % centres, widthScale: localWidth, numeric: point,
                            categories: pointCategories, generator: &generator)
                    }
                }
            }
        }
        // Integers are scored where they will land: at the centre of their bin.
        for (j, index) in numericIndices.enumerated() {
            let distribution = group[index].distribution
            guard case .integer = distribution else { continue }
            for i in 0..<total {
                candidateUnits[i * dn + j] = distribution.unit(of: distribution.value(unit: candidateUnits[i * dn + j]))!
            }
        }
        var logGood = [Double](repeating: 0, count: total)
        var logBad = [Double](repeating: 0, count: total)
        candidateUnits.withUnsafeBufferPointer { units in
            candidateCategories.withUnsafeBufferPointer { cats in
                logGood.withUnsafeMutableBufferPointer { good.logDensities(numeric: units, categories: cats, count: total, into: $0) }
                logBad.withUnsafeMutableBufferPointer { bad.logDensities(numeric: units, categories: cats, count: total, into: $0) }
            }
        }
        var best = 0
        for i in 1..<total where logGood[i] - logBad[i] > logGood[best] - logBad[best] { best = i }

        var assignment: ParameterAssignment = [:]
        for (j, index) in numericIndices.enumerated() {
            assignment[group[index].name] = group[index].distribution.value(unit: candidateUnits[best * dn + j])
        }
        for (c, index) in categoricalIndices.enumerated() {
            let unit = (Double(candidateCategories[best * dc + c]) + 0.5) / Double(categoryCounts[c])
            assignment[group[index].name] = group[index].distribution.value(unit: unit)
        }
        return assignment
    }
}
