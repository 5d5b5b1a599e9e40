import Foundation

/// What the training data looked like, saved with every model so that drift monitoring can
/// compare new data against it: per feature the moments, quantiles, a histogram, the decile
/// bins and a seeded sample of raw values; the label distribution; and the distribution of
/// the model's own predictions on its training split.
///
/// Values are raw (before standardization). Non-finite values count as missing and are left
/// out of every statistic. Built by `Monitoring.ProfileBuilder`; compared by
/// `Monitoring.DriftDetector`.
public struct FeatureProfile: Codable, Sendable, Equatable {
    /// Rows the profile describes.
    public var rows: Int
    /// One summary per input feature, in the model's feature order.
    public var features: [ValueSummary]
    /// Distribution of the training labels.
    public var labels: Distribution?
    /// Distribution of the model's predictions on the training split.
    public var predictions: Distribution?

    public init(rows: Int, features: [ValueSummary], labels: Distribution? = nil, predictions: Distribution? = nil) {
        self.rows = rows
        self.features = features
        self.labels = labels
        self.predictions = predictions
    }

    /// Levels of ``ValueSummary/quantiles``: 0, 0.01, …, 1.
    public static let quantileLevels: [Double] = (0...100).map { Double($0) / 100 }

    /// The summary of one numeric column.
    public struct ValueSummary: Codable, Sendable, Equatable {
        public var name: String
        /// Finite values.
        public var count: Int
        /// Non-finite (missing) values.
        public var missing: Int
        public var mean: Double
        /// Population standard deviation.
        public var standardDeviation: Double
        public var minimum: Double
        public var maximum: Double
        /// Values at ``FeatureProfile/quantileLevels`` (linear interpolation between order
        /// statistics, NumPy's default).
        public var quantiles: [Double]
        /// Equal-width histogram over [minimum, maximum] for display and Jensen–Shannon distance.
        public var histogram: Histogram
        /// Bins at the (distinct) deciles for the population stability index.
        public var deciles: Histogram
        /// Up to ``sampleLimit`` finite values drawn without replacement (all of them when
        /// there are fewer), sorted: the reference for Kolmogorov–Smirnov and Wasserstein.
        public var sample: PackedFloats

        public init(
            name: String, count: Int, missing: Int, mean: Double, standardDeviation: Double, minimum: Double,
            maximum: Double, quantiles: [Double], histogram: Histogram, deciles: Histogram, sample: PackedFloats
        ) {
            self.name = name
            self.count = count
            self.missing = missing
            self.mean = mean
            self.standardDeviation = standardDeviation
            self.minimum = minimum
            self.maximum = maximum
            self.quantiles = quantiles
            self.histogram = histogram
            self.deciles = deciles
            self.sample = sample
        }

        /// Largest reference sample kept per column.
        public static let sampleLimit = 1000
    }

    /// Counts over bins. `edges` has one more element than `counts`; bin i holds values in
    /// [edges[i], edges[i+1]) (the last bin is closed).
    public struct Histogram: Codable, Sendable, Equatable {
        public var edges: [Double]
        public var counts: [Int]

        public init(edges: [Double], counts: [Int]) {
            precondition(edges.count == counts.count + 1, "a histogram needs one more edge than bins")
            self.edges = edges
            self.counts = counts
        }

        /// Bin of `value` inside the edges: binary search over the inner edges.
        public func bin(of value: Double) -> Int {
            var low = 0, high = counts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if value >= edges[middle] { low = middle } else { high = middle - 1 }
            }
            return low
        }

        /// Counts of the finite `values` in these bins, each value inside the edges.
        public func counting<S: Sequence>(_ values: S) -> [Int] where S.Element == Double {
            var result = [Int](repeating: 0, count: counts.count)
            for value in values where value.isFinite { result[bin(of: value)] += 1 }
            return result
        }

        /// Counts of the finite `values` as [below the first edge, each bin…, above the last
        /// edge]: new data outside the training range is a change in itself, and must not
        /// disappear into the end bins.
        public func countingWithOverflow<S: Sequence>(_ values: S) -> [Int] where S.Element == Double {
            var result = [Int](repeating: 0, count: counts.count + 2)
            let low = edges[0], high = edges[edges.count - 1]
            for value in values where value.isFinite {
                if value < low {
                    result[0] += 1
                } else if value > high {
                    result[result.count - 1] += 1
                } else {
                    result[bin(of: value) + 1] += 1
                }
            }
            return result
        }

        /// ``counts`` laid out like ``countingWithOverflow(_:)``: nothing below or above.
        public var countsWithOverflow: [Int] { [0] + counts + [0] }
    }

    /// A label or prediction distribution: class counts, or a numeric summary for regression.
    public enum Distribution: Codable, Sendable, Equatable {
        case classes(names: [String], counts: [Int])
        case numeric(ValueSummary)
    }
}

/// Float32 values stored as base64 of their little-endian bytes: a thousand values take 5.3 kB
/// of JSON instead of up to 12 kB as decimal numbers, and round-trip exactly.
public struct PackedFloats: Codable, Sendable, Equatable {
    public var values: [Float]

    public init(_ values: [Float]) { self.values = values }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not base64 of Float32 values"))
        }
        var bits = [UInt32](repeating: 0, count: data.count / 4)
        _ = bits.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        values = bits.map { Float(bitPattern: UInt32(littleEndian: $0)) }
    }

    public func encode(to encoder: Encoder) throws {
        let bits = values.map { $0.bitPattern.littleEndian }
        var container = encoder.singleValueContainer()
        try container.encode(bits.withUnsafeBytes { Data($0) }.base64EncodedString())
    }
}
