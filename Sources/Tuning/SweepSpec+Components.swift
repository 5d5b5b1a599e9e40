import RingmasterCore

extension SweepSpec {
    /// The sampler the specification names, with its settings.
    public func makeSampler() -> any Sampler {
        switch sampler.kind {
        case .random: return RandomSampler()
        case .grid: return GridSampler(resolution: sampler.gridResolution)
        case .sobol: return SobolSampler(scrambleSeed: seed)
        case .tpe:
            var tpe = TPESampler()
            if let startup = sampler.startupTrials { tpe.startupTrials = startup }
            if let candidates = sampler.candidates { tpe.candidates = candidates }
            if let gamma = sampler.gamma { tpe.gammaFraction = gamma }
            if let local = sampler.localCandidates { tpe.localCandidates = local }
            if let width = sampler.localWidth { tpe.localWidth = width }
            if let weight = sampler.priorWeight { tpe.priorWeight = weight }
            if let every = sampler.moveEvery { tpe.moveEvery = every }
            if let distance = sampler.moveDistance { tpe.moveDistance = distance }
            return tpe
        }
    }

    /// The scheduler the specification names, or nil for none (every trial trains fully).
    public func makeScheduler() throws -> (any Scheduler)? {
        let settings = scheduler
        switch settings.kind {
        case .none: return nil
        case .median:
            return try MedianStoppingScheduler(
                warmupResource: settings.warmupResource, minTrials: settings.minTrials, maxResource: maxResource)
        case .asha:
            return try ASHAScheduler(
                minResource: settings.minResource, maxResource: maxResource, reductionFactor: settings.reductionFactor)
        case .hyperband:
            return try HyperbandScheduler(
                minResource: settings.minResource, maxResource: maxResource, reductionFactor: settings.reductionFactor)
        case .pbt:
            return try PopulationBasedTraining(
                perturbationInterval: settings.perturbationInterval, quantile: settings.quantile,
                resampleProbability: settings.resampleProbability, space: space, maxResource: maxResource, seed: seed)
        }
    }
}
