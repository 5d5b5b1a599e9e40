import Foundation
import Testing
@testable import TrafficPolicies

@Suite struct TrafficRouterTests {
    static func variant(_ name: String) -> Variant { Variant(name: name, model: "digits:\(name)") }

    static func weighted(_ weights: [(String, Double)]) -> [WeightedVariant] {
        weights.map { WeightedVariant(variant($0.0), weight: $0.1) }
    }

    /// |count − n·p| within 5 binomial standard deviations, √(n·p·(1−p)): a correct router
    /// fails this about once in 1.7 million runs, a 1-point bias at n = 100,000 always does.
    static func withinFiveSigma(_ count: Int, of n: Int, share p: Double) -> Bool {
        abs(Double(count) - Double(n) * p) <= 5 * (Double(n) * p * (1 - p)).squareRoot()
    }

    @Test func canarySplitsByWeight() throws {
        let weights = [("a", 70.0), ("b", 20.0), ("c", 10.0)]
        let router = TrafficRouter(policy: try TrafficPolicy(.canary(Self.weighted(weights))), seed: 7)
        let n = 100_000
        var counts: [String: Int] = [:]
        for request in 0..<n {
            let route = router.route(requestID: "r\(request)")
            counts[route.variant.name, default: 0] += 1
            #expect(route.shadows.isEmpty)
        }
        for (name, weight) in weights {
            #expect(Self.withinFiveSigma(counts[name] ?? 0, of: n, share: weight / 100), "\(name): \(counts[name] ?? 0)")
        }
        let statistics = router.snapshot()
        #expect(statistics.map(\.requests) == weights.map { counts[$0.0] ?? 0 })
        #expect(statistics.map(\.trafficShare) == [0.7, 0.2, 0.1])
    }

    @Test func canaryIsRepeatableForASeed() throws {
        let policy = try TrafficPolicy(.canary(Self.weighted([("a", 50), ("b", 50)])))
        func names(_ seed: UInt64) -> [String] {
            let router = TrafficRouter(policy: policy, seed: seed)
            return (0..<200).map { router.route(requestID: "r\($0)").variant.name }
        }
        #expect(names(3) == names(3))
        #expect(names(3) != names(4))
    }

    @Test func abIsStickyPerKeyAndSplitsKeysByWeight() throws {
        let policy = try TrafficPolicy(.ab(Self.weighted([("control", 80), ("treatment", 20)]), stickyKey: .header("X-User-ID"), salt: "exp-1"))
        let router = TrafficRouter(policy: policy, seed: 1)
        let other = TrafficRouter(policy: policy, seed: 99)
        let keys = (0..<20_000).map { "user-\($0)" }
        let first = keys.map { router.route(requestID: UUID().uuidString, key: $0).variant.name }
        let again = keys.reversed().map { router.route(requestID: UUID().uuidString, key: $0).variant.name }.reversed()
        #expect(Array(again) == first, "the same key meets the same variant")
        #expect(keys.map { other.route(requestID: "x", key: $0).variant.name } == first, "and the seed does not matter")
        let treated = first.filter { $0 == "treatment" }.count
        #expect(Self.withinFiveSigma(treated, of: keys.count, share: 0.2), "\(treated) of \(keys.count)")

        let resalted = TrafficRouter(
            policy: try TrafficPolicy(.ab(Self.weighted([("control", 80), ("treatment", 20)]), stickyKey: .header("X-User-ID"), salt: "exp-2")),
            seed: 1)
        let moved = keys.indices.filter { resalted.route(requestID: "x", key: keys[$0]).variant.name != first[$0] }.count
        #expect(moved > 2_000, "a new salt reshuffles the users (\(moved) moved)")
    }

    @Test func shadowAnswersWithThePrimaryAndCopiesToShadows() throws {
        let policy = try TrafficPolicy(.shadow(primary: Self.variant("live"), shadows: [Self.variant("s1"), Self.variant("s2")], sampleRate: 1))
        let router = TrafficRouter(policy: policy, seed: 1)
        for request in 0..<100 {
            let route = router.route(requestID: "r\(request)")
            #expect(route.variant == Self.variant("live"))
            #expect(route.shadows == [Self.variant("s1"), Self.variant("s2")])
        }
        let statistics = router.snapshot()
        #expect(statistics.map(\.requests) == [100, 0, 0])
        #expect(statistics.map(\.shadowRequests) == [0, 100, 100])
        #expect(statistics.map(\.trafficShare) == [1, 0, 0])

        let sampled = TrafficRouter(
            policy: try TrafficPolicy(.shadow(primary: Self.variant("live"), shadows: [Self.variant("s1")], sampleRate: 0.25)), seed: 2)
        let n = 20_000
        let copied = (0..<n).filter { !sampled.route(requestID: "r\($0)").shadows.isEmpty }.count
        #expect(Self.withinFiveSigma(copied, of: n, share: 0.25), "\(copied) of \(n)")
        #expect(sampled.snapshot().map(\.requests) == [n, 0])
    }

    @Test func rewardsAreCreditedToTheAnsweringVariantOnce() throws {
        let router = TrafficRouter(policy: try TrafficPolicy(.canary(Self.weighted([("a", 50), ("b", 50)]))), seed: 5)
        var answered: [String: String] = [:]
        for request in 0..<100 { answered["r\(request)"] = router.route(requestID: "r\(request)").variant.name }
        for request in 0..<100 { #expect(try router.reward(requestID: "r\(request)", value: 1) == answered["r\(request)"]) }
        let statistics = router.snapshot()
        for entry in statistics {
            let expected = answered.values.filter { $0 == entry.name }.count
            #expect(entry.rewards == RewardSummary(count: expected, sum: Double(expected), mean: expected == 0 ? nil : 1))
        }
        #expect(throws: TrafficRouterError.alreadyRewarded(id: "r3")) { try router.reward(requestID: "r3", value: 1) }
        #expect(throws: TrafficRouterError.unknownRequest(id: "nope", remembered: 100_000)) { try router.reward(requestID: "nope", value: 1) }
        #expect(throws: TrafficRouterError.self) { try router.reward(requestID: "r4", value: .nan) }
    }

    @Test func onlyTheMostRecentRequestsCanBeRewarded() throws {
        let router = TrafficRouter(policy: try TrafficPolicy(.single(Self.variant("a"))), seed: 1, rememberedRequests: 10)
        for request in 0..<25 { _ = router.route(requestID: "r\(request)") }
        #expect(throws: TrafficRouterError.unknownRequest(id: "r14", remembered: 10)) { try router.reward(requestID: "r14", value: 1) }
        try router.reward(requestID: "r15", value: 1)
        try router.reward(requestID: "r24", value: 1)
        // An id routed again is remembered from its latest routing, not forgotten with its first.
        _ = router.route(requestID: "r20")
        for request in 25..<34 { _ = router.route(requestID: "r\(request)") }
        try router.reward(requestID: "r20", value: 1)
    }

    @Test func thompsonBernoulliRejectsRewardsOutsideTheUnitInterval() throws {
        let router = TrafficRouter(
            policy: try TrafficPolicy(.bandit([Self.variant("a"), Self.variant("b")], .thompsonBernoulli(alpha: 1, beta: 1))), seed: 1)
        _ = router.route(requestID: "r")
        #expect(throws: TrafficRouterError.self) { try router.reward(requestID: "r", value: 2) }
        try router.reward(requestID: "r", value: 0.5)
    }

    @Test func resultsFeedLatencyAndErrors() throws {
        let router = TrafficRouter(policy: try TrafficPolicy(.single(Self.variant("a"))), seed: 1)
        for millisecond in 1...100 { router.recordResult(variant: "a", latencySeconds: Double(millisecond) / 1000, failed: millisecond % 10 == 0) }
        router.recordResult(variant: "gone", latencySeconds: 1, failed: true)
        let latency = router.snapshot()[0].latency
        #expect(router.snapshot()[0].errors == 10)
        #expect(latency.count == 100)
        #expect(abs(latency.mean! - 0.0505) < 1e-12)
        #expect(abs(latency.p50! / 0.050 - 1) < 0.045, "\(latency.p50!)")
        #expect(abs(latency.p99! / 0.099 - 1) < 0.045, "\(latency.p99!)")
    }

    @Test func replaceKeepsStatisticsOfRemainingVariants() throws {
        let router = TrafficRouter(policy: try TrafficPolicy(.canary(Self.weighted([("a", 50), ("b", 50)]))), seed: 3)
        var answered: [String] = []
        for request in 0..<1_000 {
            let route = router.route(requestID: "r\(request)")
            answered.append(route.variant.name)
            router.recordResult(variant: route.variant.name, latencySeconds: 0.01, failed: false)
        }
        let byA = answered.indices.filter { answered[$0] == "a" }.map { "r\($0)" }
        try #require(byA.count >= 2)
        let byB = try #require(answered.firstIndex(of: "b"))
        try router.reward(requestID: byA[0], value: 1)
        let before = router.snapshot()

        let next = try TrafficPolicy(.canary([
            WeightedVariant(Self.variant("a"), weight: 90), WeightedVariant(Variant(name: "c", model: "digits:c"), weight: 10),
        ]))
        let change = router.replace(policy: next)
        #expect(change == PolicyChange(from: try TrafficPolicy(.canary(Self.weighted([("a", 50), ("b", 50)]))), to: next))
        #expect(change.added == [Variant(name: "c", model: "digits:c")])
        #expect(change.removed == [Self.variant("b")])
        #expect(change.modelsToLoad == ["digits:c"] && change.modelsToUnload == ["digits:b"])
        #expect(router.policy == next)

        let after = router.snapshot()
        #expect(after.map(\.name) == ["a", "c"])
        #expect(after[0].requests == before[0].requests && after[0].latency == before[0].latency)
        #expect(after[0].rewards == before[0].rewards && after[0].rewards.count == 1)
        #expect(after[1].requests == 0 && after[1].latency.count == 0 && after[1].rewards.count == 0)
        #expect(after.map(\.trafficShare) == [0.9, 0.1])

        // Requests answered before the change: a's can still be rewarded, b's cannot.
        #expect(try router.reward(requestID: byA[1], value: 1) == "a")
        #expect(throws: TrafficRouterError.variantRemoved(id: "r\(byB)", variant: "b")) {
            try router.reward(requestID: "r\(byB)", value: 1)
        }
        for request in 0..<1_000 { _ = router.route(requestID: "n\(request)") }
        #expect(router.snapshot()[1].requests > 0)
    }

    @Test func concurrentRoutesLoseNoCounts() throws {
        let router = TrafficRouter(policy: try TrafficPolicy(.canary(Self.weighted([("a", 60), ("b", 40)]))), seed: 11)
        let threads = 8, perThread = 5_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for request in 0..<perThread {
                let id = "t\(thread)-\(request)"
                let route = router.route(requestID: id)
                router.recordResult(variant: route.variant.name, latencySeconds: 0.001, failed: false)
                _ = try? router.reward(requestID: id, value: 1)
                if request % 1_000 == 0 { _ = router.snapshot() }
            }
        }
        let statistics = router.snapshot()
        #expect(statistics.map(\.requests).reduce(0, +) == threads * perThread)
        #expect(statistics.map(\.latency.count).reduce(0, +) == threads * perThread)
        #expect(statistics.map(\.rewards.count).reduce(0, +) == threads * perThread)
    }
}
