import Testing
import RingmasterCore

@Suite struct RandomGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func streamsDiffer() {
        var a = RandomGenerator(seed: 42, stream: 1), b = RandomGenerator(seed: 42, stream: 2)
        #expect(a.next() != b.next())
    }

    @Test func stateRoundTripContinuesSequence() {
        var a = RandomGenerator(seed: 7)
        _ = a.next()
        var b = RandomGenerator(state: a.state)
        for _ in 0..<10 { #expect(a.next() == b.next()) }
    }

    @Test func permutationIsAPermutation() {
        var g = RandomGenerator(seed: 3)
        let p = g.permutation(1000)
        #expect(Set(p).count == 1000)
        #expect(p != Array(0..<1000))
    }

    /// Uniform draws over 10 buckets: chi-square with 9 dof stays below 27.9 (p = 0.001).
    @Test func indicesAreUniform() {
        var g = RandomGenerator(seed: 11)
        var counts = [Int](repeating: 0, count: 10)
        let n = 100_000
        for _ in 0..<n { counts[g.nextIndex(below: 10)] += 1 }
        let expected = Double(n) / 10
        let chi = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi < 27.9)
    }

    /// Normal draws: mean within 0.02 and variance within 0.03 of (0, 1) over 50,000 samples.
    @Test func normalMoments() {
        var g = RandomGenerator(seed: 5)
        let xs = (0..<50_000).map { _ in g.nextNormal() }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.03)
    }
}
