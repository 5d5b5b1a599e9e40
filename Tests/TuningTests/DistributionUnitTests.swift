import RingmasterCore
import Testing
import Tuning

@Suite struct DistributionUnitTests {
    @Test func uniformMapsTheUnitIntervalLinearly() {
        let d = Distribution.uniform(low: -2, high: 6)
        #expect(d.value(unit: 0) == .real(-2))
        #expect(d.value(unit: 0.5) == .real(2))
        #expect(d.unit(of: .real(4)) == 0.75)
        #expect(d.unit(of: .real(7)) == nil)
    }

    @Test func logUniformIsUniformInLogSpace() {
        let d = Distribution.logUniform(low: 1e-4, high: 1e-1)
        guard case .real(let mid) = d.value(unit: 0.5) else { Issue.record("not real"); return }
        #expect(abs(mid - 10.0.squareRoot() * 1e-3) / mid < 1e-12, "geometric midpoint, got \(mid)")
        #expect(abs(d.unit(of: .real(1e-3))! - 1.0 / 3) < 1e-12)
    }

    /// Every integer in range gets an equal share of [0, 1) (tolerance: one bin edge sample).
    @Test func integersSplitTheIntervalEvenly() {
        let d = Distribution.integer(low: 2, high: 10, step: 2, log: false)
        var counts: [ParameterValue: Int] = [:]
        for i in 0..<1000 { counts[d.value(unit: (Double(i) + 0.5) / 1000), default: 0] += 1 }
        #expect(counts == [.integer(2): 200, .integer(4): 200, .integer(6): 200, .integer(8): 200, .integer(10): 200])
        for value in counts.keys { #expect(d.value(unit: d.unit(of: value)!) == value) }
    }

    @Test func logIntegersFavourSmallValues() {
        let d = Distribution.integer(low: 1, high: 1024, step: 1, log: true)
        var small = 0
        for i in 0..<1000 { if case .integer(let x) = d.value(unit: (Double(i) + 0.5) / 1000), x <= 32 { small += 1 } }
        #expect(small > 400 && small < 600, "half the log range lies below 32; got \(small)/1000")
        for x in [1, 7, 100, 1024] { #expect(d.value(unit: d.unit(of: .integer(x))!) == .integer(x)) }
    }

    @Test func choicesRoundTripAndGridsCoverTheRange() {
        let d = Distribution.choice([.text("relu"), .text("tanh"), .flag(true)])
        for value in d.gridValues(resolution: 5) { #expect(d.value(unit: d.unit(of: value)!) == value) }
        #expect(Distribution.uniform(low: 0, high: 1).gridValues(resolution: 3) == [.real(0), .real(0.5), .real(1)])
        #expect(Distribution.logUniform(low: 1, high: 100).gridValues(resolution: 3).count == 3)
        let logRange = Distribution.logUniform(low: 1e-5, high: 1e-1)
        for value in logRange.gridValues(resolution: 7) { #expect(logRange.unit(of: value) != nil, "\(value) outside the range") }
        #expect(Distribution.integer(low: 1, high: 3, step: 1, log: false).gridValues(resolution: 99).count == 3)
    }
}
