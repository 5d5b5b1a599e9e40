import ArgumentParser
import RingmasterCore
import Tuning

/// `ringmaster bench sampler`: a sampler on the standard test functions, one JSON line per function.
struct BenchSampler: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sampler",
        abstract: "Median best value, regret and time per trial of a sampler on standard test functions.")

    @Option(help: "tpe, random, sobol or grid.") var sampler = "tpe"
    @Option(help: "branin, hartmann6, rosenbrock, styblinski_tang, ackley, or all.") var function = "all"
    @Option(help: "Trials per seed.") var trials = 100
    @Option(help: "Independent sweeps, seeded first-seed, first-seed + 1, …") var seeds = 10
    @Option(help: "Seed of the first sweep (choose settings on one range of seeds, report another).") var firstSeed = 0
    @Option(help: "TPE: random trials before the model is used (default 10).") var startupTrials: Int?
    @Option(help: "TPE: candidates scored per suggestion (default 96).") var candidates: Int?
    @Option(help: "TPE: share of trials counted as good (default 0.15).") var gamma: Double?
    @Option(help: "TPE: kernel widths, neighbours or scott (0.2 of the range, shrinking with n).") var bandwidth = "neighbours"
    @Flag(help: "TPE: one density per parameter instead of joint densities.") var univariate = false
    @Option(help: "TPE: kernels at least 1/min(100, kernels+1)^this wide (default 1).") var clipExponent: Double?
    @Option(help: "TPE: kernels at least this share of the range wide (default 0).") var minimumWidth: Double?
    @Option(help: "TPE: extra candidates drawn close to the best trials (default 24; 0: plain TPE).") var localCandidates: Int?
    @Option(help: "TPE: local candidates' width, a fraction of their centre's kernel width (default 0.4).") var localWidth: Double?
    @Option(help: "TPE: how many of the best trials local candidates are centred on (default 1).") var localCentres: Int?
    @Option(help: "TPE: weight of the prior kernel against 1 per observation (default 1).") var priorWeight: Double?
    @Option(help: "TPE: every this many suggestions, the best trial with one parameter moved far (default 4; 0: none).") var moveEvery: Int?
    @Option(help: "TPE: a move takes its parameter at least this share of the range away (default 0.25).") var moveDistance: Double?

    func run() throws {
        let makeSampler: @Sendable () -> any Sampler
        switch sampler {
        case "tpe":
            var tpe = TPESampler()
            if let startupTrials { tpe.startupTrials = startupTrials }
            if let candidates { tpe.candidates = candidates }
            if let gamma { tpe.gammaFraction = gamma }
            tpe.multivariate = !univariate
            if let clipExponent { tpe.clipExponent = clipExponent }
            if let minimumWidth { tpe.minimumWidth = minimumWidth }
            if let localCandidates { tpe.localCandidates = localCandidates }
            if let localWidth { tpe.localWidth = localWidth }
            if let localCentres { tpe.localCentres = localCentres }
            if let priorWeight { tpe.priorWeight = priorWeight }
            if let moveEvery { tpe.moveEvery = moveEvery }
            if let moveDistance { tpe.moveDistance = moveDistance }
            switch bandwidth {
            case "neighbours": tpe.bandwidth = .neighbours
            case "scott": tpe.bandwidth = .scott(factor: 0.2)
            default: throw CLIError(message: "--bandwidth: '\(bandwidth)' is not one of neighbours, scott")
            }
            let configured = tpe
            makeSampler = { configured }
        case "random": makeSampler = { RandomSampler() }
        case "sobol": makeSampler = { SobolSampler() }
        case "grid": makeSampler = { GridSampler() }
        default: throw CLIError(message: "--sampler: '\(sampler)' is not one of tpe, random, sobol, grid")
        }
        let functions: [BenchmarkFunction]
        if function == "all" {
            functions = BenchmarkFunction.all
        } else if let named = BenchmarkFunction.named(function) {
            functions = [named]
        } else {
            throw CLIError(message: "--function: '\(function)' is not one of \(BenchmarkFunction.all.map(\.name).joined(separator: ", ")), all")
        }
        for function in functions {
            let result = try SamplerBenchmark(
                samplerName: sampler, function: function, trials: trials, seeds: seeds, firstSeed: firstSeed,
                makeSampler: makeSampler
            ).run()
            print(try JSONOutput.line(result))
        }
    }
}
