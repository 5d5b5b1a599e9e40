import RingmasterCore

extension Dataset {
    /// The random stream splits draw from, apart from the per-epoch streams a
    /// ``DistributedSampler`` uses with the same seed.
    static let splitStream: UInt64 = 0x5350_4C49_54  // "SPLIT"

    /// Splits the rows at random into a training and a validation set.
    ///
    /// The validation set gets `round(validationFraction × rowCount)` rows (but never every
    /// row), chosen by a permutation seeded with `seed`, so every rank that splits the same
    /// file with the same seed gets the same two sets. Each set keeps the rows in file order.
    /// - Precondition: `0 <= validationFraction < 1`.
    public func split(validationFraction: Double, seed: UInt64) -> (train: Dataset, validation: Dataset) {
        precondition(
            validationFraction >= 0 && validationFraction < 1,
            "validation fraction must be in [0, 1), got \(validationFraction)")
        let validationCount = min(Int((validationFraction * Double(rowCount)).rounded()), max(rowCount - 1, 0))
        var generator = RandomGenerator(seed: seed, stream: Self.splitStream)
        let order = generator.permutation(rowCount)
        let validation = order[..<validationCount].sorted()
        let train = order[validationCount...].sorted()
        return (subset(train), subset(validation))
    }

    /// The dataset with `scaling` applied to every row.
    /// - Precondition: `scaling.featureCount == featureCount`.
    public func standardized(with scaling: FeatureScaling) -> Dataset {
        precondition(
            scaling.featureCount == featureCount,
            "scaling fitted on \(scaling.featureCount) features, dataset has \(featureCount)")
        var scaled = features
        scaling.apply(to: &scaled)
        return Dataset(
            source: source, featureNames: featureNames, labelName: labelName, features: scaled, labels: labels,
            classNames: classNames, fingerprint: fingerprint)
    }
}

extension FeatureScaling {
    /// Fits per-feature mean and population standard deviation on `dataset`; a constant
    /// feature (or an empty dataset) gets scale 1, so applying the scaling never divides by 0.
    ///
    /// Sums run in Double over two passes (mean, then squared deviations), which stays
    /// accurate where one-pass sum-of-squares loses every digit to cancellation.
    public static func fit(_ dataset: Dataset) -> FeatureScaling {
        let width = dataset.featureCount, rows = dataset.rowCount
        var means = [Double](repeating: 0, count: width)
        var squares = [Double](repeating: 0, count: width)
        dataset.features.withUnsafeBufferPointer { values in
            for row in 0..<rows {
                for j in 0..<width { means[j] += Double(values[row * width + j]) }
            }
            if rows > 0 { for j in 0..<width { means[j] /= Double(rows) } }
            for row in 0..<rows {
                for j in 0..<width {
                    let deviation = Double(values[row * width + j]) - means[j]
                    squares[j] += deviation * deviation
                }
            }
        }
        let scale = squares.map { sum -> Float in
            let deviation = rows > 0 ? Float((sum / Double(rows)).squareRoot()) : 0
            return deviation > 0 ? deviation : 1
        }
        return FeatureScaling(mean: means.map(Float.init), scale: scale)
    }
}
