import RingmasterCore
import Testing
import Tuning

@Suite struct SobolSamplerTests {
    /// The first eight 2-d points of the unscrambled sequence as published (Joe & Kuo's
    /// generator; SciPy documents the same values for `qmc.Sobol(d=2, scramble=False)`).
    @Test func firstPointsMatchThePublishedSequence() throws {
        let sequence = try SobolSequence(dimensions: 2)
        let published: [[Double]] = [
            [0, 0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75], [0.375, 0.375], [0.875, 0.875], [0.625, 0.125], [0.125, 0.625],
        ]
        #expect((0..<8).map { sequence.point($0) } == published)
    }

    /// Points 100 and 1000 in 21 dimensions, as SciPy 1.x's `qmc.Sobol(d=21, scramble=False)`
    /// (an independent implementation of the same Joe–Kuo table) prints them. Checks every
    /// direction-number row up to dimension 21, which the 2-d points above do not reach.
    @Test func laterPointsMatchAReferenceImplementationIn21Dimensions() throws {
        let sequence = try SobolSequence(dimensions: 21)
        let point100: [Double] = [
            0.4140625, 0.2578125, 0.7734375, 0.7265625, 0.8828125, 0.7421875, 0.0234375, 0.4765625, 0.6328125,
            0.6953125, 0.4609375, 0.6796875, 0.4765625, 0.8515625, 0.3203125, 0.4921875, 0.6796875, 0.7421875,
            0.8359375, 0.3359375, 0.7578125,
        ]
        let point1000: [Double] = [
            0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.2802734375, 0.9072265625, 0.0458984375,
            0.8994140625, 0.5009765625, 0.0693359375, 0.0849609375, 0.2548828125, 0.1611328125, 0.3837890625,
            0.1435546875, 0.3701171875, 0.7197265625, 0.3447265625, 0.9912109375, 0.7255859375, 0.5224609375,
        ]
        #expect(sequence.point(100) == point100)
        #expect(sequence.point(1000) == point1000)
        #expect(SobolSequence.maxDimensions == 40)
        #expect(throws: TuningError.self) { try SobolSequence(dimensions: 41) }
    }

    /// Scrambling keeps the net property: the first 2^k points put exactly one point in each of the
    /// 2^k equal slices of every coordinate.
    @Test func scrambledPointsStayStratified() throws {
        let sequence = try SobolSequence(dimensions: 8, scrambleSeed: 12345)
        for dimension in 0..<8 {
            let bins = Set((0..<64).map { Int(sequence.coordinate(dimension, ofPoint: $0) * 64) })
            #expect(bins.count == 64, "dimension \(dimension)")
        }
        #expect(sequence.point(0) != [Double](repeating: 0, count: 8), "the scramble moves the origin")
        #expect(try SobolSequence(dimensions: 8, scrambleSeed: 54321).point(5) != sequence.point(5))
    }

    /// Centred L2 discrepancy (Hickernell 1998) of 128 scrambled points in 6 dimensions is well
    /// below that of independent uniform points (the median of 9 random sets).
    @Test func scrambledPointsAreMoreUniformThanRandomOnes() throws {
        let n = 128, d = 6
        let sequence = try SobolSequence(dimensions: d, scrambleSeed: 2024)
        let sobol = (0..<n).map { sequence.point($0) }
        var generator = RandomGenerator(seed: 1)
        let random = (0..<9).map { _ in
            centredDiscrepancy((0..<n).map { _ in (0..<d).map { _ in generator.nextUnitDouble() } })
        }
        let scrambled = centredDiscrepancy(sobol)
        #expect(scrambled < 0.5 * median(random), "Sobol' \(scrambled) vs random \(median(random))")
    }

    /// The scramble is drawn once per sampler and kept: trial n always lands on point n of the same sequence.
    @Test func scrambleIsFixedPerSweepAndRecordable() throws {
        let space = SearchSpace(parameters: [
            ParameterSpec(name: "x", distribution: .uniform(low: 0, high: 1)),
            ParameterSpec(name: "y", distribution: .uniform(low: 0, high: 1)),
        ])
        let sampler = SobolSampler()
        #expect(sampler.scrambleSeed == nil)
        var first = RandomGenerator(seed: 1)
        let trials = try (0..<16).map { number in
            TrialSnapshot(
                number: number,
                params: try sampler.suggest(
                    space: space, trials: (0..<number).map { TrialSnapshot(number: $0, params: [:], state: .running) },
                    direction: .minimize, generator: &first),
                state: .running)
        }
        let seed = try #require(sampler.scrambleSeed)
        // Another generator later in the sweep does not change the scramble.
        var other = RandomGenerator(seed: 999)
        #expect(try sampler.suggest(space: space, trials: Array(trials[0..<3]), direction: .minimize, generator: &other) == trials[3].params)
        // A resumed sweep with the recorded seed continues the same sequence.
        var resumed = RandomGenerator(seed: 5)
        #expect(try SobolSampler(scrambleSeed: seed).suggest(space: space, trials: Array(trials[0..<7]), direction: .minimize, generator: &resumed) == trials[7].params)
        // Each coordinate of the 16 points falls in its own sixteenth.
        for name in ["x", "y"] {
            #expect(Set(trials.map { Int(($0.params[name]!.number!) * 16) }).count == 16)
        }
    }

    @Test func categoriesAndIntegersComeFromTheUnitMapping() throws {
        let space = SearchSpace(parameters: [
            ParameterSpec(name: "c", distribution: .choice([.text("a"), .text("b"), .text("c"), .text("d")])),
            ParameterSpec(name: "n", distribution: .integer(low: 1, high: 8, step: 1, log: false)),
        ])
        let trials = try sweep(SobolSampler(scrambled: false), space: space, count: 8, seed: 0) { _ in 0 }
        // Unscrambled first coordinates 0, .5, .75, .25, … pick categories a, c, d, b, … in equal shares.
        #expect(trials.prefix(4).map { $0.params["c"]! } == [.text("a"), .text("c"), .text("d"), .text("b")])
        #expect(Set(trials.map { $0.params["n"]! }).count == 8)
    }

    private func centredDiscrepancy(_ points: [[Double]]) -> Double {
        let n = Double(points.count), d = points[0].count
        var single = 0.0, pairs = 0.0
        for p in points {
            var product = 1.0
            for k in 0..<d {
                let a = abs(p[k] - 0.5)
                product *= 1 + 0.5 * a - 0.5 * a * a
            }
            single += product
            for q in points {
                var pair = 1.0
                for k in 0..<d { pair *= 1 + 0.5 * abs(p[k] - 0.5) + 0.5 * abs(q[k] - 0.5) - 0.5 * abs(p[k] - q[k]) }
                pairs += pair
            }
        }
        let base = (0..<d).reduce(1.0) { value, _ in value * 13.0 / 12.0 }
        return (base - 2 / n * single + pairs / (n * n)).squareRoot()
    }
}
