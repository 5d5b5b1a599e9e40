import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Serving

@Suite struct BatchingTests {
    /// With a long delay, batches close on size alone: 16 concurrent one-row requests and
    /// a batch size of 8 make exactly two forward passes of 8 rows, and every request gets
    /// the probabilities its own row gives unbatched.
    @Test func concurrentRequestsShareForwardPasses() async throws {
        let model = Fixtures.classifier(seed: 4)
        let rows = (0..<16).map { i -> [Float] in [Float(i), -Float(i) / 2, 1, Float(i % 3)] }
        let expected = try rows.map { try Fixtures.probabilities(model, rows: [$0])[0] }
        let server = try Fixtures.server(catalog: Fixtures.catalog(model, version: "1")) {
            $0.maxBatch = 8
            $0.maxDelay = .seconds(600)
        }
        try await server.makeApplication().test(.router) { client in
            let answers = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (i, row) in rows.enumerated() {
                    group.addTask {
                        try await client.post("/v2/models/animals/infer", oipRequest([row])) { response in
                            #expect(response.status == .ok)
                            return (i, try response.decode(OIPResponse.self).probabilities.first ?? [])
                        }
                    }
                }
                return try await group.reduce(into: [Int: [Float]]()) { $0[$1.0] = $1.1 }
            }
            #expect(close(rows.indices.map { answers[$0] ?? [] }, expected))
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = response.text
                let labels = [#"model="animals""#, #"version="1""#, #"variant="primary""#]
                #expect(metricValue(text, "ringmaster_batch_size_count", labels: labels) == 2)
                #expect(metricValue(text, "ringmaster_batch_size_sum", labels: labels) == 16)
                #expect(metricValue(text, "ringmaster_requests_total", labels: labels) == 16)
                #expect(metricValue(text, "ringmaster_request_duration_seconds_count", labels: labels) == 16)
            }
        }
    }

    /// A request with more rows than the batch size runs alone, split into passes by the network.
    @Test func largeRequestsRunAlone() async throws {
        let model = Fixtures.classifier(seed: 5)
        let rows = (0..<11).map { i -> [Float] in [Float(i), 2, -Float(i), 0.5] }
        let expected = try Fixtures.probabilities(model, rows: rows)
        let server = try Fixtures.server(catalog: Fixtures.catalog(model)) { $0.maxBatch = 4 }
        try await server.makeApplication().test(.router) { client in
            let answer = try await client.post("/v2/models/animals/infer", oipRequest(rows)) { try $0.decode(OIPResponse.self) }
            #expect(close(answer.probabilities, expected))
        }
    }

    @Test func errorsAreCountedPerVersion() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog(version: "3"))
        try await server.makeApplication().test(.router) { client in
            try await client.post("/invocations", "{") { #expect($0.status == .badRequest) }
            try await client.post("/invocations", #"{"instances":[[1,2,3,4]]}"#) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let labels = [#"version="3""#]
                #expect(metricValue(response.text, "ringmaster_request_errors_total", labels: labels) == 1)
                #expect(metricValue(response.text, "ringmaster_requests_total", labels: labels) == 2)
                #expect(metricValue(response.text, "ringmaster_model_loaded", labels: labels) == 1)
            }
        }
    }
}
