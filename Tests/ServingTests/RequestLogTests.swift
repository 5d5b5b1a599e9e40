import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Serving

@Suite struct RequestLogTests {
    @Test func sampledRequestsAreLoggedAsJSONLines() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("requests-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try Fixtures.server(catalog: Fixtures.catalog(version: "2")) {
            $0.requestLog = RequestLog.Configuration(path: path, sampleRate: 1)
        }
        try await server.makeApplication().test(.router) { client in
            try await client.post("/invocations", #"{"instances":[[1,2,3,4]]}"#, headers: [ModelServer.requestIDField: "abc-1"]) { response in
                #expect(response.headers[ModelServer.requestIDField] == "abc-1")
            }
            try await client.post("/v2/models/animals/infer", "{oops", headers: [ModelServer.requestIDField: "abc-2"]) {
                #expect($0.status == .badRequest)
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(entries.count == 2)
        #expect(entries.map { $0["request_id"] as? String } == ["abc-1", "abc-2"])
        #expect(entries.map { $0["status"] as? Int } == [200, 400])
        #expect(entries.map { $0["protocol"] as? String } == ["mlflow", "oip"])
        #expect(entries[0]["version"] as? String == "2")
        #expect((entries[0]["request"] as? [String: Any])?["instances"] != nil)
        #expect((entries[0]["response"] as? [String: Any])?["predictions"] != nil)
        #expect(entries[1]["request"] as? String == "{oops")
        #expect((entries[1]["response"] as? [String: Any])?["error"] != nil)
    }

    @Test func unsampledRequestsAreNotLogged() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("requests-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try Fixtures.server(catalog: Fixtures.catalog()) {
            $0.requestLog = RequestLog.Configuration(path: path, sampleRate: 0)
        }
        try await server.makeApplication().test(.router) { client in
            try await client.post("/invocations", #"{"instances":[[1,2,3,4]]}"#) { #expect($0.status == .ok) }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty)
    }
}
