import Foundation
import Hummingbird
import HummingbirdTesting
import Learning
import Testing
@testable import Serving

@Suite struct HotReloadTests {
    /// Eight clients keep sending requests while the catalog moves `animals` from version 1
    /// to version 2: no request fails, every answer is exactly what the version it names
    /// predicts (its own weights and standardization), and version 2 answers in the end.
    @Test func swapUnderLoadLosesNoRequest() async throws {
        let (first, second) = (Fixtures.classifier(seed: 1), Fixtures.classifier(seed: 2))
        let row: [Float] = [1, -2, 0.5, 3]
        let expected = ["1": try Fixtures.probabilities(first, rows: [row]), "2": try Fixtures.probabilities(second, rows: [row])]
        #expect(!close(expected["1"]!, expected["2"]!))
        let catalog = try Fixtures.catalog(first, version: "1")
        let server = try Fixtures.server(catalog: catalog) {
            $0.pollInterval = .milliseconds(20)
            $0.maxDelay = .microseconds(200)
        }
        let next = try Fixtures.resolved("animals", version: "2", second)
        let completed = RequestCounter()
        try await server.makeApplication().test(.router) { client in
            let results = try await withThrowingTaskGroup(of: (failures: Int, wrong: Int, versions: [String]).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var (failures, wrong, versions, newAnswers) = (0, 0, [String](), 0)
                        // Bounded so that a swap that never happens fails the test instead of hanging it.
                        for _ in 0..<20_000 where newAnswers < 50 {
                            try await client.post("/v2/models/animals/infer", oipRequest([row])) { response in
                                guard response.status == .ok, let answer = try? response.decode(OIPResponse.self) else {
                                    failures += 1
                                    return
                                }
                                if !close(answer.probabilities, expected[answer.model_version] ?? []) { wrong += 1 }
                                if versions.last != answer.model_version { versions.append(answer.model_version) }
                                if answer.model_version == "2" { newAnswers += 1 }
                            }
                            if completed.increment() == 200 { catalog.set("animals", next) }
                        }
                        return (failures, wrong, versions)
                    }
                }
                return try await group.reduce(into: [(failures: Int, wrong: Int, versions: [String])]()) { $0.append($1) }
            }
            #expect(results.map(\.failures).reduce(0, +) == 0)
            #expect(results.map(\.wrong).reduce(0, +) == 0)
            // Each client sees version 1 (unless it first ran after the swap), then only version 2.
            for result in results { #expect(result.versions == ["1", "2"] || result.versions == ["2"]) }
            #expect(results.contains { $0.versions.first == "1" })
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(metricValue(response.text, "ringmaster_model_reloads_total", labels: [#"model="animals""#]) == 1)
                #expect(metricValue(response.text, "ringmaster_model_loaded", labels: [#"version="1""#]) == 0)
                #expect(metricValue(response.text, "ringmaster_model_loaded", labels: [#"version="2""#]) == 1)
            }
        }
    }

    /// A version whose bytes do not match the recorded sha256, and one whose file is
    /// corrupt, are reported and leave the old version serving; a good version afterwards
    /// is swapped in.
    @Test func badVersionsLeaveTheOldOneServing() async throws {
        let catalog = try Fixtures.catalog(Fixtures.classifier(seed: 1), version: "1")
        let server = try Fixtures.server(catalog: catalog)
        let good = try Fixtures.bytes(Fixtures.classifier(seed: 2))
        var damaged = good
        damaged[damaged.count - 3] ^= 0xff
        let corrupt = damaged

        catalog.set("animals", ResolvedModel(name: "animals", version: "2", sha256: String(repeating: "0", count: 64)) { good })
        var events = server.reload()
        #expect(events.count == 1)
        #expect(events.first?.error?.contains("version 2: sha256 mismatch") == true)
        #expect(server.reload().isEmpty, "a known failure is reported once")

        catalog.set("animals", ResolvedModel(name: "animals", version: "3", sha256: Fixtures.sha256(corrupt)) { corrupt })
        events = server.reload()
        #expect(events.first?.error?.contains("checksum mismatch") == true)

        catalog.set("animals", ResolvedModel(name: "animals", version: "4", sha256: Fixtures.sha256(good)) { throw TestCatalogError(reference: "disk") })
        events = server.reload()
        #expect(events.first?.error?.contains("no model 'disk'") == true)

        try await server.makeApplication().test(.router) { client in
            let answer = try await client.post("/v2/models/animals/infer", oipRequest(Fixtures.rows)) { try $0.decode(OIPResponse.self) }
            #expect(answer.model_version == "1")
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(metricValue(response.text, "ringmaster_model_reload_failures_total", labels: [#"model="animals""#]) == 3)
            }
        }
        #expect(server.status().models.first?.variants.first?.last_reload_error?.contains("no model 'disk'") == true)

        catalog.set("animals", ResolvedModel(name: "animals", version: "5", sha256: Fixtures.sha256(good)) { good })
        events = server.reload()
        #expect(events.first?.error == nil)
        #expect(events.first?.to == "5")
        #expect(server.status().models.first?.variants.first?.version == "5")
        #expect(server.status().models.first?.variants.first?.last_reload_error == nil)
    }

    /// A reference that stops resolving keeps the loaded version serving.
    @Test func unresolvableReferenceKeepsServing() async throws {
        let catalog = try Fixtures.catalog()
        let server = try Fixtures.server(catalog: catalog)
        catalog.set("animals", try Fixtures.resolved("birds", version: "9", Fixtures.classifier(seed: 3)))
        let events = server.reload()
        #expect(events.first?.error?.contains("now names model 'birds'") == true)
        #expect(server.status().models.first?.variants.first?.version == "1")
    }
}

/// Counts requests across the load test's clients.
final class RequestCounter: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `count` is only touched with `lock` held.
    private let lock = NSLock()
    private var count = 0

    /// Adds one and returns the new count.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
