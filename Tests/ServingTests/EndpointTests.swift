import Foundation
import Hummingbird
import HummingbirdTesting
import Learning
import Testing
@testable import Serving

@Suite struct EndpointTests {
    @Test func healthMetadataAndReadinessRoutes() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog(version: "7"))
        try await server.makeApplication().test(.router) { client in
            for uri in ["/v2/health/live", "/v2/health/ready", "/ping", "/health", "/v2"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
            try await client.execute(uri: "/v2/models/animals", method: .get) { response in
                #expect(response.status == .ok)
                let object = response.object
                #expect(object["name"] as? String == "animals")
                #expect(object["versions"] as? [String] == ["7"])
                let parameters = object["parameters"] as? [String: Any]
                #expect(parameters?["feature_names"] as? [String] == Fixtures.features)
                #expect(parameters?["class_names"] as? [String] == Fixtures.classes)
                let inputs = object["inputs"] as? [[String: Any]]
                #expect(inputs?.first?["shape"] as? [Int] == [-1, 4])
            }
            try await client.execute(uri: "/v2/models/animals/versions/7", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/models/animals/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["ready"] as? Bool == true)
            }
            try await client.execute(uri: "/v2/models/animals/versions/7/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/models/animals/versions/6", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((response.object["error"] as? String)?.contains("version 6 is not loaded") == true)
            }
            try await client.execute(uri: "/v2/models/zebras", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.object["error"] as? String == "no model named 'zebras'")
            }
        }
    }

    /// OIP answers the network's own probabilities after the saved standardization, and
    /// the argmax as label; the version route answers too.
    @Test func openInferenceAppliesPreprocessing() async throws {
        let model = Fixtures.classifier(seed: 1)
        let expected = try Fixtures.probabilities(model, rows: Fixtures.rows)
        let server = try Fixtures.server(catalog: Fixtures.catalog(model, version: "1"))
        try await server.makeApplication().test(.router) { client in
            for uri in ["/v2/models/animals/infer", "/v2/models/animals/versions/1/infer"] {
                let answer = try await client.post(uri, oipRequest(Fixtures.rows, id: "req-1")) { response in
                    #expect(response.status == .ok, "\(response.text)")
                    return try response.decode(OIPResponse.self)
                }
                #expect(answer.model_name == "animals")
                #expect(answer.model_version == "1")
                #expect(answer.id == "req-1")
                #expect(answer.outputs.map(\.datatype) == ["FP32", "INT64"])
                #expect(close(answer.probabilities, expected))
                #expect(answer.labels == expected.map { row in row.indices.max { row[$0] < row[$1] }! })
            }
            // Standardization matters: the raw rows give other probabilities.
            var unscaled = model
            unscaled.scaling = nil
            #expect(!close(try Fixtures.probabilities(unscaled, rows: Fixtures.rows), expected))
        }
    }

    /// Every numeric datatype, nested data, a rank-1 single row and one input per feature
    /// give the same answer.
    @Test func openInferenceInputForms() async throws {
        let model = Fixtures.classifier(seed: 2)
        let integral: [[Float]] = [[1, -2, 3, 4], [0, 5, -1, 2]]
        let expected = try Fixtures.probabilities(model, rows: integral)
        let server = try Fixtures.server(catalog: Fixtures.catalog(model))
        let nested = #"{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP64","data":[[1,-2,3,4],[0,5,-1,2]]}]}"#
        let columns = zip(Fixtures.features, [[1, 0], [-2, 5], [3, -1], [4, 2]]).reversed().map { name, values in
            #"{"name":"\#(name)","shape":[2,1],"datatype":"INT32","data":[\#(values.map(String.init).joined(separator: ","))]}"#
        }
        let perFeature = #"{"inputs":[\#(columns.joined(separator: ","))]}"#
        try await server.makeApplication().test(.router) { client in
            for body in [oipRequest(integral, datatype: "INT64"), oipRequest(integral, datatype: "INT32"), nested, perFeature] {
                let answer = try await client.post("/v2/models/animals/infer", body) { response in
                    #expect(response.status == .ok, "\(body): \(response.text)")
                    return try response.decode(OIPResponse.self)
                }
                #expect(close(answer.probabilities, expected), "\(body)")
            }
            let single = #"{"inputs":[{"name":"x","shape":[4],"datatype":"FP32","data":[1,-2,3,4]}]}"#
            let answer = try await client.post("/v2/models/animals/infer", single) { try $0.decode(OIPResponse.self) }
            #expect(close(answer.probabilities, [expected[0]]))
        }
    }

    /// MLflow's four input formats, with columns named in another order where they carry names.
    @Test func mlflowInputFormats() async throws {
        let model = Fixtures.classifier(seed: 3)
        let rows = Array(Fixtures.rows.prefix(2))
        let expected = try Fixtures.probabilities(model, rows: rows)
        let server = try Fixtures.server(catalog: Fixtures.catalog(model))
        func list(_ row: [Float]) -> String { "[" + row.map { "\($0)" }.joined(separator: ",") + "]" }
        let reversedNames = Fixtures.features.reversed().map { "\"\($0)\"" }.joined(separator: ",")
        let split = #"{"dataframe_split":{"columns":[\#(reversedNames)],"data":[\#(rows.map { list($0.reversed()) }.joined(separator: ","))]}}"#
        let records = "[" + rows.map { row in
            "{" + zip(Fixtures.features, row).reversed().map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
        }.joined(separator: ",") + "]"
        let columnar = "{" + Fixtures.features.indices.map { j in
            "\"\(Fixtures.features[j])\":" + list(rows.map { $0[j] })
        }.joined(separator: ",") + "}"
        let bodies = [
            split,
            #"{"dataframe_records":\#(records)}"#,
            #"{"instances":[\#(rows.map(list).joined(separator: ","))]}"#,
            #"{"instances":\#(records)}"#,
            #"{"inputs":[\#(rows.map(list).joined(separator: ","))]}"#,
            #"{"inputs":\#(columnar)}"#,
        ]
        try await server.makeApplication().test(.router) { client in
            for body in bodies {
                let answer = try await client.post("/invocations", body) { response in
                    #expect(response.status == .ok, "\(body): \(response.text)")
                    return try response.decode(MLflowResponse.self)
                }
                #expect(close(answer.probabilities, expected), "\(body)")
                #expect(answer.classes == Fixtures.classes)
                #expect(answer.predictions == expected.map { row in Fixtures.classes[row.indices.max { row[$0] < row[$1] }!] })
            }
        }
    }

    @Test func regressionModelsAnswerPredictions() async throws {
        let model = Fixtures.regressor()
        let catalog = TestCatalog()
        catalog.set("prices", try Fixtures.resolved("prices", version: "1", model))
        let server = try Fixtures.server(["prices"], catalog: catalog)
        let rows: [[Float]] = [[1, 2, 3], [-1, 0.5, 4]]
        let expected = try Fixtures.probabilities(model, rows: rows).map { $0[0] }
        try await server.makeApplication().test(.router) { client in
            try await client.post("/v2/models/prices/infer", oipRequest(rows)) { response in
                #expect(response.status == .ok)
                let answer = try response.decode(OIPResponse.self)
                #expect(answer.outputs.map(\.name) == ["predictions"])
                #expect(answer.outputs[0].shape == [2, 1])
                #expect(zip(answer.outputs[0].data, expected).allSatisfy { abs(Float($0) - $1) < 1e-5 })
            }
            try await client.post("/invocations", #"{"instances":[[1,2,3],[-1,0.5,4]]}"#) { response in
                let predictions = response.object["predictions"] as? [Double] ?? []
                #expect(predictions.count == 2)
                #expect(zip(predictions, expected).allSatisfy { abs(Float($0) - $1) < 1e-5 })
            }
        }
    }

    /// Several models are served side by side, each under its own name; /invocations is the first.
    @Test func servesSeveralModelsByName() async throws {
        let catalog = try Fixtures.catalog()
        catalog.set("prices", try Fixtures.resolved("prices", version: "4", Fixtures.regressor()))
        let server = try Fixtures.server(["prices", "animals"], catalog: catalog)
        try await server.makeApplication().test(.router) { client in
            let answer = try await client.post("/v2/models/animals/infer", oipRequest(Fixtures.rows)) { try $0.decode(OIPResponse.self) }
            #expect(answer.model_name == "animals")
            try await client.post("/invocations", #"{"instances":[[1,2,3]]}"#) { response in
                #expect(response.status == .ok)
                #expect(response.object["classes"] == nil)
            }
        }
        #expect(throws: ModelLoadError.self) { try Fixtures.server(["animals", "animals"], catalog: catalog) }
    }
}
