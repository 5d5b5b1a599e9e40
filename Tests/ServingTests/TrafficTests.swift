import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Learning
import Monitoring
import RingmasterCore
import Testing
import TrafficPolicies
@testable import Dashboard
@testable import Serving

/// Two versions of the `animals` classifier (`v1`, `v2`) behind one endpoint, routed by a
/// traffic policy; `broken` names nothing in the catalog.
enum TrafficFixtures {
    static let model1 = Fixtures.classifier(seed: 1)
    static let model2 = Fixtures.classifier(seed: 2)

    static func catalog(_ first: ModelFile = model1, _ second: ModelFile = model2) throws -> TestCatalog {
        let catalog = TestCatalog()
        catalog.set("v1", try Fixtures.resolved("animals", version: "1", first))
        catalog.set("v2", try Fixtures.resolved("animals", version: "2", second))
        return catalog
    }

    static func server(
        _ yaml: String, catalog: TestCatalog? = nil, configure: (inout ServingConfiguration) -> Void = { _ in }
    ) throws -> ModelServer {
        var configuration = ServingConfiguration()
        configuration.port = 0
        configuration.routerSeed = 7
        configure(&configuration)
        let policy = try TrafficPolicy.parse(yaml: yaml, file: "test.yaml")
        return try ModelServer(references: [], policy: policy, catalog: catalog ?? self.catalog(), configuration: configuration)
    }

    /// `rows` rows around the feature means the classifier was scaled with, shifted by `shift`.
    static func rows(_ count: Int, seed: UInt64, shift: Float = 0) -> [[Float]] {
        var rng = RandomGenerator(seed: seed)
        let mean: [Float] = [2, -2, 0.5, 3], scale: [Float] = [2, 0.5, 2, 4]
        return (0..<count).map { _ in (0..<4).map { mean[$0] + scale[$0] * Float(rng.nextNormal()) + shift } }
    }

    /// `model1` with a training profile of 2,000 in-distribution rows.
    static func profiledModel() -> ModelFile {
        var model = model1
        let training = rows(2000, seed: 99)
        var rng = RandomGenerator(seed: 5)
        model.profile = ProfileBuilder.profile(
            features: training.flatMap { $0 }, rows: training.count, names: Fixtures.features,
            labels: training.map { _ in Float(rng.nextIndex(below: 3)) }, classNames: Fixtures.classes)
        return model
    }
}

extension ModelFile {
    func withProfile(_ profile: FeatureProfile?) -> ModelFile {
        var copy = self
        copy.profile = profile
        return copy
    }
}

extension TestResponse {
    var requestID: String? { headers[HTTPField.Name("X-Request-Id")!] }
}

@Suite struct TrafficTests {
    let oneRow = oipRequest([Fixtures.rows[0]])

    @Test func canarySplitFollowsTheWeights() async throws {
        let server = try TrafficFixtures.server("""
            kind: canary
            variants:
              - {name: stable, model: v1, weight: 80}
              - {name: canary, model: v2, weight: 20}
            """)
        #expect(server.endpoints.map(\.name) == ["animals"])
        try await server.makeApplication().test(.router) { client in
            var versions: [String: Int] = [:]
            for _ in 0..<400 {
                let version = try await client.post("/v2/models/animals/infer", oneRow) { response in
                    #expect(response.status == .ok)
                    return try response.decode(OIPResponse.self).model_version
                }
                versions[version, default: 0] += 1
            }
            // 20 % of 400 is 80, binomial standard deviation 8: allow five of them.
            #expect(abs((versions["2"] ?? 0) - 80) <= 40, "\(versions)")
            #expect((versions["1"] ?? 0) + (versions["2"] ?? 0) == 400)
            let stats = try await client.execute(uri: "/stats", method: .get) { try $0.decode(ModelServer.Statistics.self) }
            #expect(stats.policy == "canary")
            #expect(stats.variants.map(\.name) == ["stable", "canary"])
            #expect(stats.variants.map(\.requests) == [versions["1"] ?? 0, versions["2"] ?? 0])
            #expect(stats.variants.allSatisfy { $0.latency.count == $0.requests })
        }
    }

    @Test func shadowAnswersAreLoggedAndNeverReturned() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("shadow-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: log) }
        let server = try TrafficFixtures.server("""
            kind: shadow
            primary: {name: live, model: v1}
            shadows: [{name: challenger, model: v2}]
            """) { $0.requestLog = RequestLog.Configuration(path: log.path, sampleRate: 1) }
        let expected1 = try Fixtures.probabilities(TrafficFixtures.model1, rows: [Fixtures.rows[0]])
        let expected2 = try Fixtures.probabilities(TrafficFixtures.model2, rows: [Fixtures.rows[0]])
        #expect(!close(expected1, expected2))
        try await server.makeApplication().test(.router) { client in
            for _ in 0..<20 {
                try await client.post("/v2/models/animals/infer", oneRow) { response in
                    let answer = try response.decode(OIPResponse.self)
                    #expect(answer.model_version == "1")
                    #expect(close(answer.probabilities, expected1))
                }
            }
            // Shadow copies run after the answers; wait until all 20 are counted.
            var stats = server.statistics(server.endpoints[0])
            for _ in 0..<200 where stats.variants[1].latency.count < 20 {
                try await Task.sleep(for: .milliseconds(50))
                stats = server.statistics(server.endpoints[0])
            }
            #expect(stats.variants.map(\.requests) == [20, 0])
            #expect(stats.variants.map(\.shadowRequests) == [0, 20])
            #expect(stats.variants[1].latency.count == 20)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(metricValue(response.text, "ringmaster_shadow_requests_total", labels: [#"variant="challenger""#]) == 20)
                #expect(metricValue(response.text, "ringmaster_requests_total", labels: [#"variant="live""#]) == 20)
            }
        }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(lines.count == 40)
        let shadows = lines.filter { $0["shadow"] as? Bool == true }
        #expect(shadows.count == 20)
        #expect(shadows.allSatisfy { $0["variant"] as? String == "challenger" && $0["version"] as? String == "2" })
        #expect(Set(shadows.compactMap { $0["request_id"] as? String }) == Set(lines.filter { $0["shadow"] == nil }.compactMap { $0["request_id"] as? String }))
        let shadowProbabilities = try #require(
            ((shadows[0]["response"] as? [String: Any])?["outputs"] as? [[String: Any]])?.first { $0["name"] as? String == "probabilities" }?["data"] as? [Double])
        #expect(zip(shadowProbabilities, expected2[0]).allSatisfy { abs(Float($0) - $1) < 1e-5 })
    }

    @Test func abAssignmentIsStickyByHeader() async throws {
        let server = try TrafficFixtures.server("""
            kind: ab
            sticky_key: {header: X-User-ID}
            salt: test
            variants:
              - {name: control, model: v1, weight: 50}
              - {name: treatment, model: v2, weight: 50}
            """)
        try await server.makeApplication().test(.router) { client in
            var seen: Set<String> = []
            for user in 0..<20 {
                var versions: Set<String> = []
                for _ in 0..<5 {
                    let version = try await client.post(
                        "/v2/models/animals/infer", oneRow, headers: [HTTPField.Name("X-User-ID")!: "user-\(user)"]
                    ) { try $0.decode(OIPResponse.self).model_version }
                    versions.insert(version)
                }
                #expect(versions.count == 1, "user-\(user) met \(versions)")
                seen.formUnion(versions)
            }
            #expect(seen == ["1", "2"])
        }
    }

    @Test func thompsonBanditLearnsFromPostedRewards() async throws {
        let server = try TrafficFixtures.server("""
            kind: bandit
            algorithm: thompson
            variants:
              - {name: good, model: v1}
              - {name: bad, model: v2}
            """)
        try await server.makeApplication().test(.router) { client in
            var lateGood = 0
            for request in 0..<400 {
                let (id, version) = try await client.post("/v2/models/animals/infer", oneRow) { response in
                    (try #require(response.requestID), try response.decode(OIPResponse.self).model_version)
                }
                if request >= 250, version == "1" { lateGood += 1 }
                let reward = version == "1" ? 1 : 0
                try await client.post("/v2/feedback", #"{"request_id":"\#(id)","reward":\#(reward)}"#) { response in
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(response.object["variant"] as? String == (version == "1" ? "good" : "bad"))
                    #expect(response.object["reward_recorded"] as? Bool == true)
                }
            }
            #expect(lateGood > 120, "the good arm answered \(lateGood) of the last 150 requests")
            let stats = server.statistics(server.endpoints[0])
            #expect(stats.variants[0].rewards.count + stats.variants[1].rewards.count == 400)
            #expect((stats.variants[0].posteriorMean ?? 0) > 0.9)
            #expect((stats.variants[1].posteriorMean ?? 1) < 0.5)
            #expect(stats.variants[0].requests > 4 * stats.variants[1].requests)
            try await client.execute(uri: "/metrics", method: .get) { response in
                let good = metricValue(response.text, "ringmaster_rewards_total", labels: [#"variant="good""#]) ?? 0
                let sum = metricValue(response.text, "ringmaster_reward_sum", labels: [#"variant="good""#]) ?? -1
                #expect(good == Double(stats.variants[0].rewards.count))
                #expect(sum == good)
            }
        }
    }

    @Test func feedbackRefusesWhatItCannotCredit() async throws {
        let server = try TrafficFixtures.server("""
            kind: canary
            variants:
              - {name: a, model: v1, weight: 50}
              - {name: b, model: v2, weight: 50}
            """)
        try await server.makeApplication().test(.router) { client in
            let id = try await client.post("/v2/models/animals/infer", oneRow, headers: [HTTPField.Name("X-Request-Id")!: "req-1"]) {
                $0.requestID
            }
            #expect(id == "req-1")
            let cases: [(String, HTTPResponse.Status)] = [
                (#"{"request_id":"nope","reward":1}"#, .notFound),
                (#"{"request_id":"req-1","reward":1.5}"#, .badRequest),
                (#"{"request_id":"req-1","reward":-0.1}"#, .badRequest),
                (#"{"request_id":"req-1","reward":"high"}"#, .badRequest),
                (#"{"reward":1}"#, .badRequest),
                (#"{"request_id":"req-1"}"#, .badRequest),
                (#"{"request_id":"req-1","label":"zebra"}"#, .badRequest),
                (#"{"request_id":"req-1","reward":1,"extra":2}"#, .badRequest),
                (#"{"request_id":"req-1","#, .badRequest),
                (#"[1]"#, .badRequest),
                (#"{"request_id":"req-1","reward":0.5}"#, .ok),
                (#"{"request_id":"req-1","reward":0.5}"#, .conflict),
            ]
            for (body, status) in cases {
                try await client.post("/v2/feedback", body) { response in
                    #expect(response.status == status, "\(body): \(response.text)")
                    if status != .ok { #expect(response.object["error"] is String, "\(body)") }
                }
            }
        }
    }

    @Test func requestIDsComeBackOnEveryInferenceResponse() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog())
        try await server.makeApplication().test(.router) { client in
            let header = HTTPField.Name("X-Request-Id")!
            try await client.post("/v2/models/animals/infer", oneRow, headers: [header: "client-7"]) { response in
                #expect(response.requestID == "client-7")
                let answer = try response.decode(OIPResponse.self)
                #expect(answer.id == "client-7")
            }
            try await client.post("/v2/models/animals/infer", oipRequest([Fixtures.rows[0]], id: "body-id")) { response in
                #expect(response.requestID == "body-id")
            }
            let tooLong = String(repeating: "x", count: 129)
            for bad in [tooLong, "tab\there"] {
                try await client.post("/v2/models/animals/infer", oneRow, headers: [header: bad]) { response in
                    let id = try #require(response.requestID)
                    #expect(id != bad && UUID(uuidString: id) != nil)
                    let answer = try response.decode(OIPResponse.self)
                    #expect(answer.id == id)
                }
            }
            try await client.post("/invocations", #"{"inputs":[[1,-2,0.5,3]]}"#) { response in
                #expect(response.status == .ok)
                #expect(response.requestID.flatMap { UUID(uuidString: $0) } != nil)
            }
            try await client.post("/v2/models/missing/infer", oneRow) { response in
                #expect(response.status == .notFound)
                #expect(response.requestID != nil)
            }
        }
    }

    @Test func adminPolicyIsReadAndReplacedWithTheToken() async throws {
        let catalog = try TrafficFixtures.catalog()
        catalog.set("prices", try Fixtures.resolved("prices", version: "1", Fixtures.regressor()))
        let server = try TrafficFixtures.server("""
            kind: canary
            variants:
              - {name: a, model: v1, weight: 100}
              - {name: b, model: v2, weight: 0}
            """, catalog: catalog) { $0.adminToken = AdminToken("tok") }
        let auth: HTTPFields = [.authorization: "Bearer tok"]
        try await server.makeApplication().test(.router) { client in
            let refused: [(HTTPFields, HTTPResponse.Status)] = [([:], .unauthorized), ([.authorization: "Bearer nope"], .forbidden)]
            for (headers, status) in refused {
                try await client.execute(uri: "/admin/policy", method: .get, headers: headers) { #expect($0.status == status) }
                try await client.execute(uri: "/admin/policy", method: .put, headers: headers, body: ByteBuffer(string: "{}")) {
                    #expect($0.status == status)
                }
            }
            let original = try await client.execute(uri: "/admin/policy", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                return try TrafficPolicy.parse(json: Data(response.text.utf8))
            }
            #expect(original.kind == .canary)
            // A variant whose model cannot be loaded: refused, the old policy keeps serving.
            let broken = #"{"kind":"canary","variants":[{"name":"a","model":"v1","weight":50},{"name":"c","model":"broken","weight":50}]}"#
            try await client.execute(uri: "/admin/policy", method: .put, headers: auth, body: ByteBuffer(string: broken)) { response in
                #expect(response.status == .conflict)
                #expect((response.object["error"] as? String)?.contains("broken") == true, "\(response.text)")
            }
            // A model that takes other features cannot join the endpoint.
            let other = #"{"kind":"canary","variants":[{"name":"a","model":"v1","weight":50},{"name":"r","model":"prices","weight":50}]}"#
            try await client.execute(uri: "/admin/policy", method: .put, headers: auth, body: ByteBuffer(string: other)) { response in
                #expect(response.status == .conflict)
                #expect((response.object["error"] as? String)?.contains("same features") == true, "\(response.text)")
            }
            try await client.execute(uri: "/admin/policy", method: .put, headers: auth, body: ByteBuffer(string: #"{"kind":"canary"}"#)) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/admin/policy", method: .get, headers: auth) { response in
                let policy = try TrafficPolicy.parse(json: Data(response.text.utf8))
                #expect(policy == original)
            }
            #expect(server.endpoints[0].variants.map(\.name) == ["a", "b"])
            let before = try await client.post("/v2/models/animals/infer", oneRow) { try $0.decode(OIPResponse.self).model_version }
            #expect(before == "1")

            // Everything to v2 under a new name; a is retired.
            let next = #"{"kind":"single","variants":[{"name":"next","model":"v2"}]}"#
            try await client.execute(uri: "/admin/policy", method: .put, headers: auth, body: ByteBuffer(string: next)) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.object["added"] as? [String] == ["next"])
                #expect(response.object["removed"] as? [String] == ["a", "b"])
            }
            #expect(server.endpoints[0].variants.map(\.name) == ["next"])
            let after = try await client.post("/v2/models/animals/infer", oneRow) { try $0.decode(OIPResponse.self).model_version }
            #expect(after == "2")
            let stats = server.statistics(server.endpoints[0])
            #expect(stats.policy == "single" && stats.variants.map(\.requests) == [1])
        }
    }

    @Test func statsDecodeOnTheDashboardsServingPage() async throws {
        let server = try TrafficFixtures.server("""
            kind: bandit
            algorithm: epsilon_greedy
            epsilon: 0.2
            variants:
              - {name: a, model: v1}
              - {name: b, model: v2}
            """)
        try await server.makeApplication().test(.live) { client in
            for _ in 0..<10 {
                try await client.post("/v2/models/animals/infer", oneRow) { #expect($0.status == .ok) }
            }
            let port = try #require(client.port)
            for url in ["http://127.0.0.1:\(port)", "http://127.0.0.1:\(port)/v2/models/animals/stats"] {
                guard case .stats(let stats, _) = await ServingStatsSource.fetch(url) else {
                    Issue.record("the dashboard could not read \(url)")
                    continue
                }
                #expect(stats.policy == "bandit")
                #expect(stats.variants.map(\.name) == ["a", "b"])
                #expect(stats.variants.reduce(0) { $0 + $1.requests } == 10)
            }
        }
    }

    @Test func liveDriftAndAccuracy() async throws {
        let model = TrafficFixtures.profiledModel()
        let server = try Fixtures.server(catalog: Fixtures.catalog(model)) {
            $0.driftWindow = 200
            $0.driftSnapshotLifetime = .zero
        }
        try await server.makeApplication().test(.router) { client in
            func send(_ rows: [[Float]]) async throws {
                for start in stride(from: 0, to: rows.count, by: 50) {
                    try await client.post("/v2/models/animals/infer", oipRequest(Array(rows[start..<(start + 50)]))) {
                        #expect($0.status == .ok)
                    }
                }
            }
            func window() async throws -> [String: Any] {
                try await client.execute(uri: "/v2/models/animals/drift", method: .get) { response in
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(response.object["model"] as? String == "animals")
                    #expect(response.object["variant"] as? String == "primary")
                    return try #require(response.object["window"] as? [String: Any])
                }
            }
            try await send(TrafficFixtures.rows(200, seed: 1))
            let calm = try await window()
            #expect(calm["rows"] as? Int == 200)
            #expect((calm["drift"] as? [String: Any])?["dataset_drift"] as? Bool == false)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(metricValue(response.text, "ringmaster_dataset_drift", labels: [#"model="animals""#]) == 0)
                #expect(metricValue(response.text, "ringmaster_drift_window_rows", labels: [#"variant="primary""#]) == 200)
            }

            try await send(TrafficFixtures.rows(200, seed: 2, shift: 4))
            let shifted = try await window()
            #expect(shifted["total_rows"] as? Int == 400)
            #expect((shifted["drift"] as? [String: Any])?["dataset_drift"] as? Bool == true)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(metricValue(response.text, "ringmaster_dataset_drift", labels: [#"model="animals""#]) == 1)
                #expect(metricValue(response.text, "ringmaster_drift_share", labels: [#"model="animals""#]) ?? 0 >= 0.5)
                #expect(metricValue(response.text, "ringmaster_feature_drift_score", labels: [#"feature="a""#]) != nil)
            }

            // Labels: the predicted class for even requests, another class for odd ones.
            for request in 0..<10 {
                let (id, label) = try await client.post("/v2/models/animals/infer", oipRequest([Fixtures.rows[request % 4]])) { response in
                    (try #require(response.requestID), try #require(try response.decode(OIPResponse.self).labels.first))
                }
                let posted = request % 2 == 0 ? Fixtures.classes[label] : Fixtures.classes[(label + 1) % 3]
                try await client.post("/v2/feedback", #"{"request_id":"\#(id)","label":"\#(posted)"}"#) { response in
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(response.object["label_recorded"] as? Bool == true)
                    #expect(response.object["correct"] as? Bool == (request % 2 == 0))
                }
            }
            let labelled = try await window()
            #expect(labelled["labelled"] as? Int == 10)
            #expect(labelled["accuracy"] as? Double == 0.5)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(metricValue(response.text, "ringmaster_live_accuracy", labels: [#"model="animals""#]) == 0.5)
            }
        }
    }

    @Test func aHotSwapStartsAFreshWindowAndPolicyVariantsFollowTheCatalog() async throws {
        let model = TrafficFixtures.profiledModel()
        let catalog = try TrafficFixtures.catalog(model, model)
        let server = try TrafficFixtures.server("""
            kind: canary
            variants:
              - {name: a, model: v1, weight: 100}
              - {name: b, model: v2, weight: 0}
            """, catalog: catalog) { $0.driftSnapshotLifetime = .zero }
        try await server.makeApplication().test(.router) { client in
            try await client.post("/v2/models/animals/infer", oipRequest(TrafficFixtures.rows(5, seed: 3))) { #expect($0.status == .ok) }
            let before = try await client.execute(uri: "/v2/models/animals/drift", method: .get) { $0.object }
            #expect(before["version"] as? String == "1")
            #expect((before["window"] as? [String: Any])?["rows"] as? Int == 5)

            catalog.set("v1", try Fixtures.resolved("animals", version: "9", Fixtures.classifier(seed: 3).withProfile(model.profile)))
            let events = server.reload()
            #expect(events.map(\.variant) == ["a"] && events.first?.to == "9" && events.first?.error == nil)
            let after = try await client.execute(uri: "/v2/models/animals/drift", method: .get) { $0.object }
            #expect(after["version"] as? String == "9")
            #expect((after["window"] as? [String: Any])?["rows"] as? Int == 0)
            let version = try await client.post("/v2/models/animals/infer", oneRow) { try $0.decode(OIPResponse.self).model_version }
            #expect(version == "9")
        }
    }

    @Test func driftIsNotFoundWithoutAProfile() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog())
        try await server.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v2/models/animals/drift", method: .get) { response in
                #expect(response.status == .notFound)
                #expect((response.object["error"] as? String)?.contains("profile") == true)
            }
        }
    }
}
