import Datasets
import Testing
import TestSupport

/// The CSVs shipped in examples/data read with the expected shapes, and their fingerprints
/// stay those of the files `export.py` writes (a change here is a new dataset version).
@Suite struct ExampleDataTests {
    private func read(_ name: String) throws -> Dataset {
        try DatasetReader.read(path: ProcessRunner.packageRoot.appendingPathComponent("examples/data/\(name)").path)
    }

    @Test func digits() throws {
        let data = try read("digits.csv")
        #expect(data.rowCount == 1797 && data.featureCount == 64)
        #expect(data.featureNames.first == "pixel_0_0" && data.featureNames.last == "pixel_7_7")
        #expect(data.isIntegerLabeled && data.classCount == 10)
        #expect(data.features.allSatisfy { $0 >= 0 && $0 <= 16 })
        #expect(data.fingerprint == "7a93e51f73dadeb4429b4fc0718b334d12864332b906bdf44f9da7599a7e0e01")
    }

    @Test func breastCancer() throws {
        let data = try read("breast_cancer.csv")
        #expect(data.rowCount == 569 && data.featureCount == 30)
        #expect(data.featureNames.first == "mean_radius")
        #expect(data.isIntegerLabeled && data.classCount == 2)
        // sklearn's copy: 212 malignant (0), 357 benign (1).
        #expect(data.labels.filter { $0 == 1 }.count == 357)
        #expect(data.fingerprint == "5c3e458a6f8780b7dd2bc07e65dc975d149b6f8324cb7442a6ead4c5c9858d07")
    }

    @Test func diabetes() throws {
        let data = try read("diabetes.csv")
        #expect(data.rowCount == 442 && data.featureCount == 10)
        #expect(data.labelName == "target")
        #expect(data.featureNames == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"])
        #expect(data.labels.min() == 25 && data.labels.max() == 346)
        #expect(data.fingerprint == "08779b698e32fc83ab9ac1f20196760b3347fc986927f652310d1a8b865219e8")
    }
}
