import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Learning
import RingmasterCore
@testable import Serving

/// Small models, a catalog whose answers a test can change, and the reference
/// predictions every served answer is compared with.
enum Fixtures {
    static let features = ["a", "b", "c", "d"]
    static let classes = ["cat", "dog", "eel"]

    /// A 4-feature, 3-class MLP with standardization; `seed` gives different weights and scaling.
    static func classifier(seed: UInt64) -> ModelFile {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 4, outputs: 3, hidden: [8], activation: .tanh)
        let network = Network(architecture: architecture, maxBatch: 1)
        var rng = RandomGenerator(seed: seed)
        network.initialize(rng: &rng)
        let shift = Float(seed % 5)
        return ModelFile(
            network: network, task: .classification, featureNames: features, labelName: "animal", classNames: classes,
            scaling: FeatureScaling(mean: [1 + shift, -2, 0.5, 3], scale: [2, 0.5, 1 + shift, 4]))
    }

    /// A 3-feature regression model without preprocessing.
    static func regressor() -> ModelFile {
        let architecture = ModelArchitecture(kind: .linear, inputs: 3, outputs: 1)
        let network = Network(architecture: architecture, maxBatch: 1)
        var rng = RandomGenerator(seed: 11)
        network.initialize(rng: &rng)
        return ModelFile(network: network, task: .regression, featureNames: ["x", "y", "z"], labelName: "target")
    }

    static func bytes(_ model: ModelFile) throws -> Data {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serving-\(UUID().uuidString).rmm")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.write(to: url)
        return try Data(contentsOf: url)
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func resolved(_ name: String, version: String, _ model: ModelFile) throws -> ResolvedModel {
        let data = try bytes(model)
        return ResolvedModel(name: name, version: version, sha256: sha256(data), load: { data })
    }

    /// Class probabilities straight from the network, standardizing first as training did:
    /// the independent reference for what the server answers.
    static func probabilities(_ model: ModelFile, rows: [[Float]]) throws -> [[Float]] {
        var values = rows.flatMap { $0 }
        model.scaling?.apply(to: &values)
        let network = try model.makeNetwork(maxBatch: rows.count)
        let outputs = values.withUnsafeBufferPointer { network.predict($0.baseAddress!, batch: rows.count) }
        let width = outputs.count / rows.count
        return (0..<rows.count).map { Array(outputs[($0 * width)..<(($0 + 1) * width)]) }
    }

    static let rows: [[Float]] = [[1, -2, 0.5, 3], [4, 0, -1, 2.5], [-3, 1.5, 2, 0], [0.25, -0.75, 8, -6]]

    /// Serves `references` from `catalog` with `configure` applied to a default configuration.
    static func server(
        _ references: [String] = ["animals"], catalog: TestCatalog, configure: (inout ServingConfiguration) -> Void = { _ in }
    ) throws -> ModelServer {
        var configuration = ServingConfiguration()
        configuration.port = 0
        configure(&configuration)
        return try ModelServer(references: references, catalog: catalog, configuration: configuration)
    }

    static func catalog(_ model: ModelFile = classifier(seed: 1), version: String = "1") throws -> TestCatalog {
        let catalog = TestCatalog()
        catalog.set("animals", try resolved("animals", version: version, model))
        return catalog
    }
}

/// An in-memory catalog: reference → version, switchable while the server runs.
final class TestCatalog: ModelCatalog, @unchecked Sendable {
    // Invariant for @unchecked Sendable: `entries` is only touched with `lock` held.
    private let lock = NSLock()
    private var entries: [String: ResolvedModel] = [:]

    func set(_ reference: String, _ resolved: ResolvedModel) {
        lock.lock()
        entries[reference] = resolved
        lock.unlock()
    }

    func resolve(_ reference: String) throws -> ResolvedModel {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[reference] else { throw TestCatalogError(reference: reference) }
        return entry
    }
}

struct TestCatalogError: Error, CustomStringConvertible {
    var reference: String
    var description: String { "no model '\(reference)'" }
}

/// The parts of an OIP infer response the tests read.
struct OIPResponse: Decodable {
    struct Output: Decodable {
        var name: String
        var shape: [Int]
        var datatype: String
        var data: [Double]
    }
    var model_name: String
    var model_version: String
    var id: String
    var outputs: [Output]

    var probabilities: [[Float]] {
        guard let output = outputs.first(where: { $0.name == "probabilities" }) else { return [] }
        let width = output.shape[1]
        return (0..<output.shape[0]).map { r in (0..<width).map { Float(output.data[r * width + $0]) } }
    }

    var labels: [Int] { outputs.first { $0.name == "label" }?.data.map { Int($0) } ?? [] }
}

struct MLflowResponse: Decodable {
    var predictions: [String]
    var probabilities: [[Float]]
    var classes: [String]
}

extension TestClientProtocol {
    /// POSTs `json` to `uri` and hands the response to `check`.
    func post<Value>(
        _ uri: String, _ json: String, headers: HTTPFields = [:], _ check: @escaping (TestResponse) throws -> Value
    ) async throws -> Value {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json), testCallback: check)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The JSON object of the body.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}

/// A one-row OIP request for `row`.
func oipRequest(_ rows: [[Float]], datatype: String = "FP32", id: String? = nil) -> String {
    let data = rows.flatMap { $0 }.map { "\($0)" }.joined(separator: ",")
    let idField = id.map { #""id":"\#($0)","# } ?? ""
    return #"{\#(idField)"inputs":[{"name":"x","shape":[\#(rows.count),\#(rows[0].count)],"datatype":"\#(datatype)","data":[\#(data)]}]}"#
}

/// Whether two probability tables agree to `tolerance` in every entry.
func close(_ a: [[Float]], _ b: [[Float]], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in
        x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= tolerance }
    }
}

/// The value of the first exposition line starting with `prefix` and containing every label in `labels`.
func metricValue(_ exposition: String, _ prefix: String, labels: [String] = []) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(prefix) {
        let head = line.split(separator: " ").dropLast().joined(separator: " ")
        guard head.hasPrefix(prefix + "{") || head == prefix, labels.allSatisfy({ head.contains($0) }) else { continue }
        return line.split(separator: " ").last.flatMap { Double($0) }
    }
    return nil
}
