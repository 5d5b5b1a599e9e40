import RingmasterCore

/// Builds ``FeatureProfile``s from columns of raw values.
public enum ProfileBuilder {
    /// Bins of the equal-width histogram.
    public static let histogramBins = 20

    /// The profile of `rows` × `names.count` row-major `features`, with the label
    /// distribution when `labels` are given (class indices into `classNames` when those are
    /// given, numeric targets otherwise). The samples are drawn with `seed`, so the same data
    /// always gives the same profile.
    public static func profile(
        features: [Float], rows: Int, names: [String], labels: [Float]? = nil, classNames: [String]? = nil,
        seed: UInt64 = 0
    ) -> FeatureProfile {
        let width = names.count
        precondition(features.count == rows * width, "features must hold rows × names.count values")
        var column = [Double](repeating: 0, count: rows)
        var summaries: [FeatureProfile.ValueSummary] = []
        summaries.reserveCapacity(width)
        for (j, name) in names.enumerated() {
            features.withUnsafeBufferPointer { buffer in
                for row in 0..<rows { column[row] = Double(buffer[row * width + j]) }
            }
            summaries.append(summary(name: name, values: column, seed: seed &+ UInt64(j)))
        }
        let labelDistribution = labels.map { distribution(of: $0, classNames: classNames, name: "label", seed: seed) }
        return FeatureProfile(rows: rows, features: summaries, labels: labelDistribution)
    }

    /// Class counts when `classNames` are given (values are indices), a numeric summary otherwise.
    public static func distribution(
        of values: [Float], classNames: [String]?, name: String, seed: UInt64 = 0
    ) -> FeatureProfile.Distribution {
        guard let classNames else {
            return .numeric(summary(name: name, values: values.map(Double.init), seed: seed))
        }
        var counts = [Int](repeating: 0, count: classNames.count)
        for value in values where value >= 0 && Int(value) < counts.count { counts[Int(value)] += 1 }
        return .classes(names: classNames, counts: counts)
    }

    /// Moments, quantiles, both histograms and the reference sample of one column.
    public static func summary(name: String, values: [Double], seed: UInt64 = 0) -> FeatureProfile.ValueSummary {
        var finite = values.filter(\.isFinite)
        let missing = values.count - finite.count
        finite.sort()
        let n = finite.count
        guard n > 0 else {
            let empty = FeatureProfile.Histogram(edges: [0, 0], counts: [0])
            return .init(
                name: name, count: 0, missing: missing, mean: .nan, standardDeviation: .nan, minimum: .nan,
                maximum: .nan, quantiles: [], histogram: empty, deciles: empty, sample: PackedFloats([]))
        }
        let mean = finite.reduce(0, +) / Double(n)
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let quantiles = FeatureProfile.quantileLevels.map { quantile(sorted: finite, level: $0) }
        let minimum = finite[0], maximum = finite[n - 1]

        var widthEdges = [minimum]
        if maximum > minimum {
            let bins = histogramBins
            for i in 1..<bins { widthEdges.append(minimum + (maximum - minimum) * Double(i) / Double(bins)) }
        }
        widthEdges.append(maximum)
        var histogram = FeatureProfile.Histogram(edges: widthEdges, counts: .init(repeating: 0, count: widthEdges.count - 1))
        histogram.counts = histogram.counting(finite)

        var decileEdges: [Double] = []
        for level in stride(from: 0.0, through: 1.0, by: 0.1) {
            let edge = quantile(sorted: finite, level: level)
            if decileEdges.last != edge { decileEdges.append(edge) }
        }
        if decileEdges.count == 1 { decileEdges.append(decileEdges[0]) }
        var deciles = FeatureProfile.Histogram(edges: decileEdges, counts: .init(repeating: 0, count: decileEdges.count - 1))
        deciles.counts = deciles.counting(finite)

        return .init(
            name: name, count: n, missing: missing, mean: mean, standardDeviation: variance.squareRoot(),
            minimum: minimum, maximum: maximum, quantiles: quantiles, histogram: histogram, deciles: deciles,
            sample: PackedFloats(sample(sorted: finite, seed: seed).map(Float.init)))
    }

    /// The value at `level` of sorted values, interpolating linearly between order statistics.
    public static func quantile(sorted values: [Double], level: Double) -> Double {
        let position = level * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    /// All values when there are at most ``FeatureProfile/ValueSummary/sampleLimit``, otherwise
    /// that many drawn without replacement (partial Fisher–Yates); sorted either way.
    static func sample(sorted values: [Double], seed: UInt64) -> [Double] {
        let limit = FeatureProfile.ValueSummary.sampleLimit
        guard values.count > limit else { return values }
        var pool = values
        var generator = RandomGenerator(seed: seed, stream: 0x6d6f6e69746f72)  // "monitor"
        for i in 0..<limit { pool.swapAt(i, i + generator.nextIndex(below: pool.count - i)) }
        return pool[0..<limit].sorted()
    }
}
