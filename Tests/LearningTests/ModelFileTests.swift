import Foundation
import Learning
import RingmasterCore
import Testing

@Suite struct ModelFileTests {
    static let architecture = ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4], activation: .gelu, dropout: 0.1)

    func sampleModel(weights: [Float]? = nil) -> ModelFile {
        let network = makeNetwork(Self.architecture, maxBatch: 4)
        return ModelFile(
            architecture: Self.architecture, task: .classification, featureNames: ["a", "b", "c/d"],
            labelName: "label", classNames: ["no", "yes"],
            scaling: FeatureScaling(mean: [0.5, -1, 2], scale: [1, 0.25, 3]),
            weights: weights ?? Array(network.parameters), created: Date(timeIntervalSince1970: 1_750_000_000.75))
    }

    func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).rmm")
    }

    @Test func roundTripPreservesEverything() throws {
        let model = sampleModel()
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try model.write(to: url)
        let read = try ModelFile.read(from: url)
        #expect(read == model)
        #expect(read.sha256 == model.sha256)
        #expect(read.sha256.count == 64)
        #expect(read.created == Date(timeIntervalSince1970: 1_750_000_000))

        let header = try String(contentsOf: url, encoding: .isoLatin1).split(separator: "\n").prefix(3)
        #expect(header.first == "ringmaster-model 1")
        #expect(header.dropFirst().first == "sha256 \(model.sha256)")
    }

    /// The network rebuilt from a file predicts exactly what the saved one did.
    @Test func makeNetworkReproducesPredictions() throws {
        let network = makeNetwork(Self.architecture, maxBatch: 4, seed: 7)
        let model = ModelFile(network: network, task: .classification, featureNames: ["a", "b", "c"], labelName: "y")
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try model.write(to: url)
        let rebuilt = try ModelFile.read(from: url).makeNetwork(maxBatch: 2)
        let input: [Float] = [0.1, -0.2, 0.3, 1, 2, 3, -1, 0, 1]
        #expect(rebuilt.predict(input, batch: 3) == network.predict(input, batch: 3))
    }

    /// Any change to the weights or the metadata changes the hash.
    @Test func hashCoversWeightsAndMetadata() {
        let model = sampleModel()
        var weights = model.weights
        weights[5] += 1e-6
        #expect(sampleModel(weights: weights).sha256 != model.sha256)
        var renamed = model
        renamed.labelName = "target"
        #expect(renamed.sha256 != model.sha256)
    }

    /// Flipping one byte of the payload, the recorded hash or the metadata is caught on read.
    @Test(arguments: [-3, 30, 100])
    func tamperingIsDetected(offset: Int) throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try sampleModel().write(to: url)
        var bytes = try Data(contentsOf: url)
        // Negative offsets count from the end (payload); byte 30 is in the hash line, 100 in the metadata.
        let index = offset < 0 ? bytes.count + offset : offset
        bytes[index] ^= 0x01
        try bytes.write(to: url)
        let error = #expect(throws: ModelFileError.self) { try ModelFile.read(from: url) }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.description.contains(url.path) == true)
    }

    @Test func rejectsFilesThatAreNotModels() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("name,age\n1,2\n".utf8).write(to: url)
        let error = #expect(throws: ModelFileError.self) { try ModelFile.read(from: url) }
        #expect(error?.code == .notAModelFile)
        #expect(error?.description.contains(url.path) == true)

        try Data("ringmaster-model 99\nsha256 x\n{}\n".utf8).write(to: url)
        let newer = #expect(throws: ModelFileError.self) { try ModelFile.read(from: url) }
        #expect(newer?.code == .unsupportedVersion)

        let missing = #expect(throws: ModelFileError.self) { try ModelFile.read(from: url.appendingPathExtension("gone")) }
        #expect(missing?.code == .unreadable)
    }

    @Test func refusesToWriteInconsistentModels() {
        let model = sampleModel(weights: [1, 2, 3])
        let error = #expect(throws: ModelFileError.self) { try model.write(to: temporaryURL()) }
        #expect(error?.code == .inconsistent)
        #expect(throws: ModelFileError.self) { try model.makeNetwork(maxBatch: 1) }

        var regression = sampleModel()
        regression.task = .regression
        #expect(throws: ModelFileError.self) { try regression.write(to: temporaryURL()) }
        var threeNames = sampleModel()
        threeNames.classNames = ["a", "b", "c"]
        #expect(throws: ModelFileError.self) { try threeNames.makeNetwork(maxBatch: 1) }
    }

    /// A 700k-parameter model (the size of a 784-800-100-10 MLP) is 2.8 MB on disk and
    /// round-trips in well under a second even in a debug build.
    @Test func largeModelsUseTheBinaryPayload() throws {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 784, outputs: 10, hidden: [800, 100])
        let network = makeNetwork(architecture, maxBatch: 1)
        let names = (0..<784).map { "pixel\($0)" }
        let model = ModelFile(network: network, task: .classification, featureNames: names, labelName: "digit")
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let start = ContinuousClock.now
        try model.write(to: url)
        let read = try ModelFile.read(from: url)
        let elapsed = ContinuousClock.now - start
        #expect(read.weights == model.weights)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
        #expect(size < 4 * architecture.parameterCount + 20_000)
        #expect(elapsed < .seconds(5))
    }
}
