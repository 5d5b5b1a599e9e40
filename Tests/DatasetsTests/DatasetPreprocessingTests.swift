import Datasets
import RingmasterCore
import Testing

/// `rows` rows whose single feature is the row's own index, so a row can be traced
/// through subsets and splits.
private func numbered(_ rows: Int) -> Dataset {
    Dataset(
        source: "memory", featureNames: ["id"], labelName: "label", features: (0..<rows).map(Float.init),
        labels: (0..<rows).map { Float($0 % 3) }, fingerprint: "test")
}

@Suite struct DatasetPreprocessingTests {
    @Test func subsetGathersRowsInOrder() {
        let data = Dataset(
            source: "memory", featureNames: ["a", "b"], labelName: "label", features: [1, 2, 3, 4, 5, 6],
            labels: [0, 1, 2], classNames: ["x", "y", "z"], fingerprint: "f")
        let picked = data.subset([2, 0, 2])
        #expect(picked.features == [5, 6, 1, 2, 5, 6])
        #expect(picked.labels == [2, 0, 2])
        #expect(picked.classNames == ["x", "y", "z"] && picked.fingerprint == "f")
        #expect(data.subset([]).rowCount == 0)
    }

    @Test func splitSizesAreRounded() {
        let (train, validation) = numbered(101).split(validationFraction: 0.2, seed: 1)
        #expect(validation.rowCount == 20 && train.rowCount == 81)
        let (all, none) = numbered(10).split(validationFraction: 0, seed: 1)
        #expect(none.rowCount == 0)
        #expect(all.features == numbered(10).features)
        // A fraction just under 1 still leaves a training row.
        #expect(numbered(3).split(validationFraction: 0.99, seed: 1).train.rowCount == 1)
    }

    @Test func splitIsDisjointAndCoversEveryRow() {
        let (train, validation) = numbered(500).split(validationFraction: 0.3, seed: 9)
        let trainRows = Set(train.features), validationRows = Set(validation.features)
        #expect(trainRows.isDisjoint(with: validationRows))
        #expect(trainRows.union(validationRows) == Set((0..<500).map(Float.init)))
        // Rows keep file order within each part, and labels travel with their rows.
        #expect(train.features == train.features.sorted())
        #expect(zip(train.features, train.labels).allSatisfy { Float(Int($0) % 3) == $1 })
    }

    @Test func splitIsDeterministicPerSeed() {
        let data = numbered(200)
        let first = data.split(validationFraction: 0.25, seed: 42)
        let again = data.split(validationFraction: 0.25, seed: 42)
        let other = data.split(validationFraction: 0.25, seed: 43)
        #expect(first.validation.features == again.validation.features)
        #expect(first.validation.features != other.validation.features)
        // Not simply the first or last rows.
        #expect(first.validation.features != (0..<50).map(Float.init))
        #expect(first.validation.features != (150..<200).map(Float.init))
    }

    /// Against hand computation: column a = 1, 3, 5 has mean 3 and population standard
    /// deviation sqrt(8/3); column b is constant 5, so its scale is 1. Tolerance 1e-6.
    @Test func scalingMatchesHandComputation() {
        let data = Dataset(
            source: "memory", featureNames: ["a", "b"], labelName: "label", features: [1, 5, 3, 5, 5, 5],
            labels: [0, 0, 1], fingerprint: "f")
        let scaling = FeatureScaling.fit(data)
        #expect(scaling.mean == [3, 5])
        #expect(abs(scaling.scale[0] - Float((8.0 / 3.0).squareRoot())) < 1e-6)
        #expect(scaling.scale[1] == 1)

        let standardized = data.standardized(with: scaling)
        let z = Float(1.5.squareRoot())  // 2 / sqrt(8/3)
        for (got, want) in zip(standardized.features, [-z, 0, 0, 0, z, 0]) { #expect(abs(got - want) < 1e-6) }
        #expect(standardized.labels == data.labels)
    }

    /// Standardized training data has mean 0 and population variance 1 per feature, even
    /// for a large offset where a one-pass sum of squares in Float would cancel entirely.
    /// Tolerance 1e-3: Float32 values near 10⁴ are spaced 2⁻¹⁰ ≈ 1e-3 apart, 3e-4 in
    /// standard units for a standard deviation of 3.
    @Test func standardizedFeaturesHaveUnitVariance() {
        var generator = RandomGenerator(seed: 5)
        let rows = 1000
        let features = (0..<rows).flatMap { _ in
            [Float(generator.nextNormal() * 3 + 10_000), Float(generator.nextNormal() * 0.01 - 2)]
        }
        let data = Dataset(
            source: "memory", featureNames: ["a", "b"], labelName: "label", features: features,
            labels: [Float](repeating: 0, count: rows), fingerprint: "f")
        let standardized = data.standardized(with: FeatureScaling.fit(data))
        for j in 0..<2 {
            let column = stride(from: j, to: rows * 2, by: 2).map { Double(standardized.features[$0]) }
            let mean = column.reduce(0, +) / Double(rows)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rows)
            #expect(abs(mean) < 1e-3 && abs(variance - 1) < 1e-3, "feature \(j): mean \(mean), variance \(variance)")
        }
    }

    @Test func emptyDatasetScalesToIdentity() {
        let scaling = FeatureScaling.fit(numbered(0))
        #expect(scaling.mean == [0] && scaling.scale == [1])
    }
}
