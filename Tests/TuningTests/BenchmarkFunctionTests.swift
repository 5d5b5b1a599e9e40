import RingmasterCore
import Testing
import Tuning

@Suite struct BenchmarkFunctionTests {
    /// Each function at its published minimisers equals its published minimum (tolerance 1e-6,
    /// the precision the minimisers are given with) and no random point goes below it.
    @Test(arguments: BenchmarkFunction.all.map(\.name))
    func minimumIsAttainedAtThePublishedPoints(name: String) throws {
        let function = try #require(BenchmarkFunction.named(name))
        for point in function.minimizers {
            #expect(abs(function(point) - function.optimum) < 1e-6, "\(name) at \(point): \(function(point))")
        }
        var generator = RandomGenerator(seed: 4)
        for _ in 0..<2000 {
            let params = try RandomSampler().suggest(space: function.space, trials: [], direction: .minimize, generator: &generator)
            #expect(function.value(at: params) >= function.optimum - 1e-9)
        }
    }

    @Test func publishedOptimaAndDomains() {
        #expect(abs(BenchmarkFunction.branin.optimum - 0.397887) < 1e-6)
        #expect(abs(BenchmarkFunction.hartmann6.optimum + 3.32237) < 1e-5)
        #expect(abs(BenchmarkFunction.styblinskiTang5.optimum + 39.16617 * 5) < 1e-4)
        #expect(BenchmarkFunction.all.map(\.dimensions) == [2, 6, 4, 5, 5])
        #expect(BenchmarkFunction.branin.space.parameters[1].distribution == .uniform(low: 0, high: 15))
        // Away from the optimum the functions are clearly worse.
        #expect(BenchmarkFunction.ackley5([1, 1, 1, 1, 1]) > 3)
        #expect(BenchmarkFunction.rosenbrock4([0, 0, 0, 0]) == 3)
    }
}
