import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Serving

/// Bad requests get 400 (413 for size) with a message in their protocol's error format,
/// and the server keeps answering.
@Suite struct BadInputTests {
    static let oipCases: [(body: String, message: String)] = [
        ("{not json", "malformed JSON"),
        ("", "body is empty"),
        (#"[1,2]"#, "must be a JSON object"),
        (#"{"inputs":[]}"#, "'inputs' must be a non-empty array"),
        (#"{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#, "rows have 3 values, the model expects 4"),
        (#"{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":[1,2,3,4]}]}"#, "has 4 values for shape [2, 4]"),
        (#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"BYTES","data":["a","b","c","d"]}]}"#, "datatype BYTES"),
        (#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,"2",3,4]}]}"#, "inputs[0].data[1] is a string"),
        (#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"INT32","data":[1,2.5,3,4]}]}"#, "not an integer"),
        (#"{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32"}]}"#, "inputs[0].data is missing"),
        (#"{"inputs":[{"name":"x","shape":[0,4],"datatype":"FP32","data":[]}]}"#, "shape must hold positive integers"),
    ]

    @Test func openInferenceErrors() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog())
        try await server.makeApplication().test(.router) { client in
            for (body, message) in Self.oipCases {
                try await client.post("/v2/models/animals/infer", body) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    let error = response.object["error"] as? String ?? ""
                    #expect(error.contains(message), "\(body): \(error)")
                }
            }
            try await client.post("/v2/models/animals/infer", oipRequest(Fixtures.rows)) { #expect($0.status == .ok) }
        }
    }

    static let mlflowCases: [(body: String, message: String)] = [
        ("{\"instances\": [[1,2,3,4]", "malformed JSON"),
        (#"{"rows":[[1,2,3,4]]}"#, "none of dataframe_split"),
        (#"{"instances":[[1,2,3,4]],"inputs":[[1,2,3,4]]}"#, "several input formats"),
        (#"{"instances":[[1,2,3,4],[1,2,3]]}"#, "instances[1] has 3 values, row 0 has 4"),
        (#"{"instances":[[1,2,3,null]]}"#, "instances[0][3] is null"),
        (#"{"dataframe_split":{"columns":["a","b","c","e"],"data":[[1,2,3,4]]}}"#, "unknown column 'e'"),
        (#"{"dataframe_split":{"columns":["a","b","c"],"data":[[1,2,3,4]]}}"#, "3 columns but rows of 4"),
        (#"{"dataframe_records":[{"a":1,"b":2,"c":3}]}"#, "missing column 'd'"),
        (#"{"dataframe_records":[{"a":1,"b":2,"c":3,"d":4},{"a":1,"b":2,"c":3,"e":4}]}"#, "lacks column 'd'"),
    ]

    @Test func mlflowErrors() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog())
        try await server.makeApplication().test(.router) { client in
            for (body, message) in Self.mlflowCases {
                try await client.post("/invocations", body) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(response.object["error_code"] as? String == "BAD_REQUEST", "\(body)")
                    let error = response.object["message"] as? String ?? ""
                    #expect(error.contains(message), "\(body): \(error)")
                }
            }
        }
    }

    @Test func bodiesOverTheLimitGet413() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog()) { $0.maxBodyBytes = 64 }
        let large = #"{"instances":[\#(Array(repeating: "[1,2,3,4]", count: 20).joined(separator: ","))]}"#
        try await server.makeApplication().test(.router) { client in
            try await client.post("/invocations", large) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.object["error_code"] as? String == "BAD_REQUEST")
                #expect((response.object["message"] as? String)?.contains("64 bytes") == true)
            }
            try await client.post("/v2/models/animals/infer", oipRequest(Fixtures.rows)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.object["error"] != nil)
            }
            try await client.post("/invocations", #"{"instances":[[1,2,3,4]]}"#) { #expect($0.status == .ok) }
        }
    }

    /// Model names are looked up among loaded models only; path tricks find nothing.
    @Test func noRouteReachesFiles() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog())
        try await server.makeApplication().test(.router) { client in
            for uri in ["/v2/models/..%2F..%2Fetc%2Fpasswd", "/v2/models/%2Fetc%2Fpasswd/infer", "/v2/models/../../etc/passwd"] {
                let method: HTTPRequest.Method = uri.hasSuffix("infer") ? .post : .get
                try await client.execute(uri: uri, method: method, body: ByteBuffer(string: oipRequest(Fixtures.rows))) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(!response.text.contains("root:"), "\(uri)")
                }
            }
        }
    }
}
