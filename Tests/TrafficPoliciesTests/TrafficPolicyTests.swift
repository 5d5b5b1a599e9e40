import Foundation
import TestSupport
import Testing
@testable import TrafficPolicies

@Suite struct TrafficPolicyTests {
    @Test(arguments: ["single", "canary", "shadow", "ab", "bandit-thompson", "bandit-epsilon", "bandit-gaussian"])
    func exampleFilesParseAndRoundTripThroughJSON(name: String) throws {
        let path = ProcessRunner.packageRoot.appendingPathComponent("examples/policies/\(name).yaml").path
        let policy = try TrafficPolicy.load(path: path)
        #expect(name.hasPrefix(policy.kind.rawValue))
        let json = try JSONEncoder().encode(policy)
        #expect(try TrafficPolicy.parse(json: json) == policy)
        #expect(try JSONDecoder().decode(TrafficPolicy.self, from: json) == policy)
    }

    @Test func canaryFileReadsWeightsInPercent() throws {
        let policy = try TrafficPolicy.parse(yaml: """
            kind: canary
            variants:
              - {name: stable, model: digits@production, weight: 90}
              - {name: candidate, model: "digits:4", weight: 10}
            """, file: "p.yaml")
        #expect(policy.rule == .canary([
            WeightedVariant(Variant(name: "stable", model: "digits@production"), weight: 90),
            WeightedVariant(Variant(name: "candidate", model: "digits:4"), weight: 10),
        ]))
        #expect(policy.variants.map(\.model) == ["digits@production", "digits:4"])
    }

    @Test func aVariantIsNamedAfterItsModelByDefault() throws {
        let policy = try TrafficPolicy.parse(yaml: "kind: single\nvariants: [{model: digits@production}]\n", file: "p.yaml")
        #expect(policy.variants == [Variant(name: "digits@production", model: "digits@production")])
        #expect(throws: TrafficPolicyError.self) {
            try TrafficPolicy.parse(yaml: "kind: single\nvariants: [{model: models/run/model.rmm}]\n", file: "p.yaml")
        }
    }

    @Test func shadowAndBanditDefaults() throws {
        let shadow = try TrafficPolicy.parse(yaml: """
            kind: shadow
            primary: {name: live, model: m@production}
            shadows: [{name: s1, model: "m:2"}, {name: s2, model: "m:3"}]
            """, file: "p.yaml")
        #expect(shadow.rule == .shadow(
            primary: Variant(name: "live", model: "m@production"),
            shadows: [Variant(name: "s1", model: "m:2"), Variant(name: "s2", model: "m:3")], sampleRate: 1))
        let bandit = try TrafficPolicy.parse(yaml: """
            kind: bandit
            algorithm: epsilon_greedy
            variants: [{name: a, model: "m:1"}, {name: b, model: "m:2"}]
            """, file: "p.yaml")
        #expect(bandit.rule == .bandit([Variant(name: "a", model: "m:1"), Variant(name: "b", model: "m:2")], .epsilonGreedy(epsilon: 0.1)))
    }

    @Test func jsonBodyParses() throws {
        let body = #"{"kind":"ab","sticky_key":{"json_field":"user_id"},"variants":[{"name":"a","model":"m:1","weight":30},{"name":"b","model":"m:2","weight":70}]}"#
        let policy = try TrafficPolicy.parse(json: Data(body.utf8))
        #expect(policy.stickyKey == .jsonField("user_id"))
        #expect(policy.rule == .ab([
            WeightedVariant(Variant(name: "a", model: "m:1"), weight: 30), WeightedVariant(Variant(name: "b", model: "m:2"), weight: 70),
        ], stickyKey: .jsonField("user_id"), salt: ""))
    }

    static let canaryHead = "kind: canary\nvariants:\n"

    /// Each invalid document, the field its error must name, and the place it must start with.
    @Test(arguments: [
        (canaryHead + "  - {name: a, model: m1, weight: 90}\n  - {name: b, model: m2, weight: 5}\n", "variants", "p.yaml:2"),
        (canaryHead + "  - {name: a, model: m1, weight: 90}\n  - {name: b, model: m2, weight: 110}\n", "variants[1].weight", "p.yaml:4"),
        (canaryHead + "  - {name: a, model: m1, weight: 50}\n  - {name: a, model: m2, weight: 50}\n", "variants[1].name", "p.yaml:4"),
        (canaryHead + "  - {name: a, model: m1, weight: fifty}\n  - {name: b, model: m2, weight: 50}\n", "variants[0].weight", "p.yaml:3"),
        (canaryHead + "  - {name: a, model: m1}\n  - {name: b, model: m2, weight: 50}\n", "variants[0].weight", "p.yaml:3"),
        (canaryHead + "  - {name: 'a b', model: m1, weight: 50}\n  - {name: b, model: m2, weight: 50}\n", "variants[0].name", "p.yaml:3"),
        (canaryHead + "  - {name: a, model: m1, weight: 100}\n", "variants", "p.yaml:2"),
        ("kind: canary\nsample_rate: 1\nvariants: []\n", "sample_rate", "p.yaml:2"),
        ("kind: lottery\n", "kind", "p.yaml:1"),
        ("variants: []\n", "kind", "p.yaml:1"),
        ("kind: shadow\nprimary: {name: p, model: m1}\nshadows: [{name: s, model: m2}]\nsample_rate: 2\n", "sample_rate", "p.yaml:4"),
        ("kind: shadow\nprimary: {name: p, model: m1}\nshadows: []\n", "shadows", "p.yaml:3"),
        ("kind: ab\nvariants:\n  - {name: a, model: m1, weight: 50}\n  - {name: b, model: m2, weight: 50}\n", "sticky_key", "p.yaml:1"),
        ("kind: ab\nsticky_key: {cookie: uid}\nvariants: []\n", "sticky_key.cookie", "p.yaml:2"),
        ("kind: bandit\nalgorithm: ucb\nvariants: []\n", "algorithm", "p.yaml:2"),
        ("kind: bandit\nalgorithm: epsilon_greedy\nepsilon: 1.5\nvariants: [{name: a, model: m1}, {name: b, model: m2}]\n", "epsilon", "p.yaml:3"),
        ("kind: bandit\nalgorithm: thompson\nprior: {alpha: 0, beta: 1}\nvariants: [{name: a, model: m1}, {name: b, model: m2}]\n", "prior.alpha", "p.yaml:3"),
        ("kind: bandit\nalgorithm: thompson\nvariants:\n  - {name: a, model: m1, weight: 50}\n  - {name: b, model: m2}\n", "variants[0].weight", "p.yaml:4"),
        ("kind: single\nvariants:\n  - {name: a}\n", "variants[0].model", "p.yaml:3"),
        ("kind: single\nvariants:\n  - {model: m1, name: ''}\n", "variants[0].name", "p.yaml:3"),
        ("kind: [canary\n", "", "p.yaml: not valid YAML"),
    ])
    func invalidPoliciesNameTheFieldAndLine(yaml: String, field: String, place: String) {
        do {
            let policy = try TrafficPolicy.parse(yaml: yaml, file: "p.yaml")
            Issue.record("accepted \(policy) for \(field)")
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix(place), "\(message)")
            if !field.isEmpty {
                #expect(message.hasPrefix("\(place): \(field): "), "\(message)")
            }
        }
    }

    @Test func invalidJSONBodiesNameTheField() {
        func message(_ body: String) -> String {
            do {
                _ = try TrafficPolicy.parse(json: Data(body.utf8))
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(message(#"{"kind":"canary","variants":[{"name":"a","model":"m","weight":60},{"name":"b","model":"n","weight":30}]}"#)
            .hasPrefix("request body: variants: weights must sum to 100"))
        #expect(message(#"{"kind":"bandit","algorithm":"thompson","reward":"poisson","variants":[]}"#).hasPrefix("request body: reward: "))
        #expect(message("{not json") == "request body: not valid JSON")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TrafficPolicy.self, from: Data(#"{"kind":"single","variants":[]}"#.utf8))
        }
    }

    @Test func policiesBuiltInCodeAreCheckedToo() throws {
        let a = Variant(name: "a", model: "m:1"), b = Variant(name: "b", model: "m:2")
        #expect(throws: TrafficPolicyError(file: "", line: nil, key: "variants", reason: "weights must sum to 100 (percent), they sum to 80.0")) {
            try TrafficPolicy(.canary([WeightedVariant(a, weight: 40), WeightedVariant(b, weight: 40)]))
        }
        #expect(throws: TrafficPolicyError.self) { try TrafficPolicy(.bandit([a, a], .epsilonGreedy(epsilon: 0.1))) }
        #expect(throws: TrafficPolicyError.self) { try TrafficPolicy(.ab([WeightedVariant(a, weight: 50), WeightedVariant(b, weight: 50)], stickyKey: .header("X User"), salt: "")) }
        _ = try TrafficPolicy(.canary([WeightedVariant(a, weight: 33.3), WeightedVariant(b, weight: 66.7)]))
    }

    @Test func changeListsModelsToLoadAndUnload() throws {
        let old = try TrafficPolicy(.canary([
            WeightedVariant(Variant(name: "stable", model: "m:1"), weight: 90), WeightedVariant(Variant(name: "canary", model: "m:2"), weight: 10),
        ]))
        let new = try TrafficPolicy(.canary([
            WeightedVariant(Variant(name: "stable", model: "m:1"), weight: 50), WeightedVariant(Variant(name: "canary", model: "m:3"), weight: 50),
        ]))
        let change = PolicyChange(from: old, to: new)
        #expect(change.added == [Variant(name: "canary", model: "m:3")])
        #expect(change.removed == [Variant(name: "canary", model: "m:2")])
        #expect(change.modelsToLoad == ["m:3"])
        #expect(change.modelsToUnload == ["m:2"])
    }
}

/// Every YAML and JSON snippet in docs/serving-policies.md is a valid policy.
@Suite struct ServingPoliciesDocumentTests {
    @Test func documentedPoliciesParse() throws {
        let path = ProcessRunner.packageRoot.appendingPathComponent("docs/serving-policies.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var checked = 0
        for block in text.components(separatedBy: "```").enumerated() where block.offset % 2 == 1 {
            if block.element.hasPrefix("yaml\n") {
                _ = try TrafficPolicy.parse(yaml: String(block.element.dropFirst(5)), file: "docs/serving-policies.md")
                checked += 1
            } else if block.element.hasPrefix("json\n") {
                _ = try TrafficPolicy.parse(json: Data(block.element.dropFirst(5).utf8), source: "docs/serving-policies.md")
                checked += 1
            }
        }
        #expect(checked == 5)
    }
}
