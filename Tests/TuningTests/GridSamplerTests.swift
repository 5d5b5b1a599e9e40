import RingmasterCore
import Testing
import Tuning

@Suite struct GridSamplerTests {
    private func suggestions(_ sampler: GridSampler, _ space: SearchSpace) throws -> [ParameterAssignment] {
        var generator = RandomGenerator(seed: 0)
        var trials: [TrialSnapshot] = []
        while true {
            do {
                let params = try sampler.suggest(space: space, trials: trials, direction: .minimize, generator: &generator)
                trials.append(TrialSnapshot(number: trials.count, params: params, state: .completed, value: 0))
            } catch TuningError.spaceExhausted {
                return trials.map(\.params)
            }
        }
    }

    @Test func walksTheProductWithTheFirstParameterSlowest() throws {
        let space = SearchSpace(parameters: [
            ParameterSpec(name: "a", distribution: .choice([.text("x"), .text("y")])),
            ParameterSpec(name: "b", distribution: .uniform(low: 0, high: 1)),
        ])
        let points = try suggestions(GridSampler(resolution: 3), space)
        let expected: [ParameterAssignment] = [
            ["a": .text("x"), "b": .real(0)], ["a": .text("x"), "b": .real(0.5)], ["a": .text("x"), "b": .real(1)],
            ["a": .text("y"), "b": .real(0)], ["a": .text("y"), "b": .real(0.5)], ["a": .text("y"), "b": .real(1)],
        ]
        #expect(points == expected)
        #expect(try GridSampler(resolution: 3).pointCount(of: space) == 6)
    }

    /// momentum (3 values) only under sgd, beta1 (2 values) only under adam: 3 + 2 points, not 2 × 3 × 2.
    @Test func conditionalParametersMultiplyOnlyTheirBranch() throws {
        let space = SearchSpace(parameters: [
            ParameterSpec(name: "optimizer", distribution: .choice([.text("sgd"), .text("adam")])),
            ParameterSpec(
                name: "momentum", distribution: .uniform(low: 0, high: 0.9),
                condition: ParameterCondition(parent: "optimizer", values: [.text("sgd")])),
            ParameterSpec(
                name: "beta1", distribution: .choice([.real(0.9), .real(0.99)]),
                condition: ParameterCondition(parent: "optimizer", values: [.text("adam")])),
            ParameterSpec(name: "layers", distribution: .integer(low: 1, high: 2, step: 1, log: false)),
        ])
        let points = try suggestions(GridSampler(resolution: 3), space)
        #expect(points.count == (3 + 2) * 2)
        #expect(Set(points).count == points.count, "no duplicates")
        #expect(points.filter { $0["optimizer"] == .text("sgd") }.allSatisfy { $0["beta1"] == nil && $0["momentum"] != nil })
        #expect(points.filter { $0["optimizer"] == .text("adam") }.allSatisfy { $0["momentum"] == nil && $0["beta1"] != nil })
        #expect(points.first == ["optimizer": .text("sgd"), "momentum": .real(0), "layers": .integer(1)])
    }

    @Test func repeatedGridValuesAreKeptOnce() throws {
        let space = SearchSpace(parameters: [
            ParameterSpec(name: "c", distribution: .choice([.text("a"), .text("a"), .text("b")])),
            ParameterSpec(name: "flat", distribution: .uniform(low: 2, high: 2)),
        ])
        let points = try suggestions(GridSampler(resolution: 5), space)
        #expect(points == [["c": .text("a"), "flat": .real(2)], ["c": .text("b"), "flat": .real(2)]])
    }

    /// Trial n gets point n whatever state the earlier trials are in, so parallel workers never repeat a point.
    @Test func trialNumberPicksThePointRegardlessOfRunningTrials() throws {
        let space = SearchSpace(parameters: [ParameterSpec(name: "x", distribution: .integer(low: 0, high: 9, step: 1, log: false))])
        var generator = RandomGenerator(seed: 0)
        let earlier = [
            TrialSnapshot(number: 0, params: ["x": .integer(0)], state: .running),
            TrialSnapshot(number: 1, params: ["x": .integer(1)], state: .failed),
            TrialSnapshot(number: 2, params: ["x": .integer(2)], state: .running),
        ]
        let before = generator
        let next = try GridSampler().suggest(space: space, trials: earlier, direction: .minimize, generator: &generator)
        #expect(next == ["x": .integer(3)])
        #expect(generator == before, "the grid draws no randomness")
    }

    @Test func exhaustionThrowsAndLargeGridsAreCountedNotListed() throws {
        let space = SearchSpace(parameters: [ParameterSpec(name: "x", distribution: .uniform(low: 0, high: 1))])
        let trials = (0..<4).map { TrialSnapshot(number: $0, params: [:], state: .completed, value: 0) }
        var generator = RandomGenerator(seed: 0)
        #expect(throws: TuningError.spaceExhausted) {
            try GridSampler(resolution: 4).suggest(space: space, trials: trials, direction: .minimize, generator: &generator)
        }
        let wide = SearchSpace(parameters: (0..<12).map { ParameterSpec(name: "p\($0)", distribution: .uniform(low: 0, high: 1)) })
        #expect(try GridSampler(resolution: 10).pointCount(of: wide) == 1_000_000_000_000)
        #expect(throws: TuningError.self) { try GridSampler(resolution: 0).pointCount(of: space) }
    }
}
