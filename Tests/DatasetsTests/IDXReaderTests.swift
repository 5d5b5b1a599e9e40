import Datasets
import Foundation
import Testing

/// An IDX file: magic (0, 0, type, dimension count), big-endian dimensions, then `payload`.
private func idx(type: UInt8, dimensions: [UInt32], payload: [UInt8]) -> Data {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for size in dimensions { withUnsafeBytes(of: size.bigEndian) { bytes += $0 } }
    return Data(bytes + payload)
}

/// Three 2×2 ubyte images holding 0…11, labelled 7, 0, 9.
private let images = idx(type: 0x08, dimensions: [3, 2, 2], payload: Array(0..<12))
private let labels = idx(type: 0x08, dimensions: [3], payload: [7, 0, 9])

@Suite struct IDXReaderTests {
    @Test func readsMNISTStylePairInferringTheLabelsFile() throws {
        let folder = try temporaryFolder(["train-images-idx3-ubyte": images, "train-labels-idx1-ubyte": labels])
        let path = folder.appendingPathComponent("train-images-idx3-ubyte").path
        let data = try DatasetReader.read(path: path)
        #expect(data.source == path)
        #expect(data.rowCount == 3 && data.featureCount == 4)
        #expect(data.featureNames == ["pixel_0_0", "pixel_0_1", "pixel_1_0", "pixel_1_1"])
        // Raw byte values, not scaled to [0, 1].
        #expect(data.features == (0..<12).map(Float.init))
        #expect(data.labels == [7, 0, 9])
        #expect(data.classCount == 10)
        // sha256 of the images file's bytes followed by the labels file's (hashlib on the same bytes).
        #expect(data.fingerprint == "b33ee32dbe5b630ff457e3f0b7075c05d7f3fd6c339c7b77818e9e958e21ad81")
    }

    @Test func readsFloatImagesAndInt16LabelsFromAnExplicitLabelsPath() throws {
        var floats: [UInt8] = []
        for value: Float in [1.5, -2, 0.25, 3] { withUnsafeBytes(of: value.bitPattern.bigEndian) { floats += $0 } }
        var shorts: [UInt8] = []
        for value: Int16 in [1, 300] { withUnsafeBytes(of: value.bigEndian) { shorts += $0 } }
        let folder = try temporaryFolder([
            "x.idx": idx(type: 0x0D, dimensions: [2, 2], payload: floats),
            "y.idx": idx(type: 0x0B, dimensions: [2], payload: shorts),
        ])
        let data = try DatasetReader.read(
            path: folder.appendingPathComponent("x.idx").path,
            labelsPath: folder.appendingPathComponent("y.idx").path)
        #expect(data.featureNames == ["pixel_0", "pixel_1"])
        #expect(data.features == [1.5, -2, 0.25, 3])
        #expect(data.labels == [1, 300])
    }

    @Test func badFilesAreNamedInErrors() throws {
        let cases: [(String, Data, DatasetError.Code)] = [
            ("bad-magic", Data([1, 2, 8, 1, 0, 0, 0, 3, 1, 2, 3]), .invalidHeader),
            ("unknown-type", idx(type: 0x07, dimensions: [3, 2, 2], payload: Array(0..<12)), .invalidHeader),
            ("gzip", Data([0x1F, 0x8B, 8, 0]), .invalidHeader),
            ("short-header", Data([0, 0, 8, 3, 0, 0]), .truncated),
            ("truncated", idx(type: 0x08, dimensions: [3, 2, 2], payload: Array(0..<11)), .truncated),
            ("too-long", idx(type: 0x08, dimensions: [3, 2, 2], payload: Array(0..<13)), .truncated),
            ("huge", idx(type: 0x08, dimensions: [.max, .max, .max], payload: []), .invalidHeader),
            ("one-dimension", idx(type: 0x08, dimensions: [3], payload: [1, 2, 3]), .invalidHeader),
        ]
        for (name, bytes, code) in cases {
            let folder = try temporaryFolder(["\(name)-images.idx": bytes, "\(name)-labels.idx": labels])
            let path = folder.appendingPathComponent("\(name)-images.idx").path
            let error = #expect(throws: DatasetError.self) { try DatasetReader.read(path: path) }
            #expect(error?.code == code, "\(name)")
            #expect(error?.path == path, "\(name)")
        }
    }

    @Test func labelsMustMatchTheImages() throws {
        let folder = try temporaryFolder([
            "a-images.idx": images, "a-labels.idx": idx(type: 0x08, dimensions: [2], payload: [1, 2]),
        ])
        let error = #expect(throws: DatasetError.self) {
            try DatasetReader.read(path: folder.appendingPathComponent("a-images.idx").path)
        }
        #expect(error?.code == .rowCountMismatch)
        #expect(error?.path == folder.appendingPathComponent("a-labels.idx").path)
    }

    @Test func missingLabelsFileIsNamed() throws {
        let folder = try temporaryFolder(["t10k-images-idx3-ubyte": images])
        let error = #expect(throws: DatasetError.self) {
            try DatasetReader.read(path: folder.appendingPathComponent("t10k-images-idx3-ubyte").path)
        }
        #expect(error?.code == .fileNotFound)
        #expect(error?.path == folder.appendingPathComponent("t10k-labels-idx1-ubyte").path)

        let unnamed = try temporaryFolder(["pixels.idx": images])
        let noName = #expect(throws: DatasetError.self) {
            try DatasetReader.read(path: unnamed.appendingPathComponent("pixels.idx").path)
        }
        #expect(noName?.code == .invalidArgument)
    }
}
