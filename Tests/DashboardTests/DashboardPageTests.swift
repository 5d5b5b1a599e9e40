import Foundation
import Hummingbird
import RingmasterCore
import Testing
import TrafficPolicies
@testable import Dashboard

@Suite struct DashboardPageTests {
    let fixture: DashboardFixture

    init() throws { fixture = try DashboardFixture() }

    /// Names of the runs in the runs table, in order.
    func listedNames(_ body: String) -> [String] {
        DashboardFixture.names.compactMap { name in body.range(of: ">\(name)</a>").map { (name, $0.lowerBound) } }
            .sorted { $0.1 < $1.1 }.map(\.0)
    }

    @Test func experimentsPageListsEveryExperimentWithItsRunCount() async throws {
        let (status, body) = try await fixture.get("/")
        #expect(status == .ok)
        #expect(body.contains("href=\"/runs?experiment=grid\">grid</a></td><td class=\"num\">7</td>"))
        #expect(body.contains(">xss</a></td><td class=\"num\">1</td>"))
    }

    @Test func storedMarkupIsEscapedEverywhere() async throws {
        let hostile = fixture.runs["hostile"]!
        for uri in ["/runs", "/runs?experiment=xss", "/runs/\(hostile.id)", "/compare?runs=\(hostile.id)", "/models/digits"] {
            let (status, body) = try await fixture.get(uri)
            #expect(status == .ok, "\(uri)")
            #expect(!body.contains("<script>alert"), "\(uri) echoes stored markup")
            #expect(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(uri) shows the escaped name")
        }
        let (_, search) = try await fixture.get("/runs?filter=" + urlComponent("tags.note = \"<script>\""))
        #expect(!search.contains("<script>\""), "the search box echoes the filter escaped")
    }

    @Test func runsArePaginated() async throws {
        let first = try await fixture.get("/runs?experiment=grid", pageSize: 3)
        #expect(listedNames(first.body) == ["golf", "foxtrot", "echo"], "newest first")
        #expect(first.body.contains("rel=\"next\"") && !first.body.contains("rel=\"prev\""))
        let last = try await fixture.get("/runs?experiment=grid&page=3", pageSize: 3)
        #expect(listedNames(last.body) == ["alpha"])
        #expect(last.body.contains("rel=\"prev\"") && !last.body.contains("rel=\"next\""))
        #expect(last.body.contains("runs 7–7"))
    }

    @Test func runsSortByAMetricAndFilterWithTheSearchSyntax() async throws {
        let ascending = try await fixture.get("/runs?experiment=grid&order=" + urlComponent("metrics.accuracy ASC"))
        #expect(listedNames(ascending.body) == DashboardFixture.names)
        #expect(ascending.body.contains("accuracy ▲"))
        let filtered = try await fixture.get("/runs?filter=" + urlComponent("params.lr >= 0.02 and params.layers = '3'"))
        #expect(Set(listedNames(filtered.body)) == ["echo", "foxtrot", "golf"])
        let byParam = try await fixture.get("/runs?experiment=grid&order=" + urlComponent("params.lr DESC"))
        #expect(listedNames(byParam.body).first == "golf")
    }

    @Test func aBadFilterIsAMessageNotAServerError() async throws {
        let (status, body) = try await fixture.get("/runs?filter=" + urlComponent("metrics.loss >>> 3"))
        #expect(status == .ok)
        #expect(body.contains("class=\"message error\"") && body.contains("position"))
        let badOrder = try await fixture.get("/runs?order=" + urlComponent("sideways"))
        #expect(badOrder.status == .ok && badOrder.body.contains("class=\"message error\""))
    }

    @Test func runPageShowsParamsChartsArtifactsAndLineage() async throws {
        let hostile = fixture.runs["hostile"]!
        let (status, body) = try await fixture.get("/runs/\(hostile.id.prefix(8))")
        #expect(status == .ok)
        #expect(body.contains("<svg class=\"chart\"") && body.contains("aria-label=\"loss\""))
        #expect(body.contains(">step</text>"), "the x axis is labelled")
        #expect(body.contains("model.rmm"))
        #expect(body.contains("model <a href=\"/models/digits\"><code>digits:1</code></a>"), "lineage reaches the registered versions")
        #expect(body.contains("data-live=\"/runs/\(hostile.id)/charts\""), "a running run polls for fresh charts")
        let finished = try await fixture.get("/runs/\(fixture.runs["alpha"]!.id)")
        #expect(!finished.body.contains("data-live"))
        let fragment = try await fixture.get("/runs/\(hostile.id)/charts")
        #expect(fragment.body.hasPrefix("<div data-status=\"running\">") && !fragment.body.contains("<html"))
        let missing = try await fixture.get("/runs/ffffffff")
        #expect(missing.status == .notFound && missing.body.contains("no run matches"))
    }

    @Test func compareShowsDifferingParamsAndOverlaidCurves() async throws {
        let a = fixture.runs["alpha"]!, e = fixture.runs["echo"]!
        let (status, body) = try await fixture.get("/compare?runs=\(a.id.prefix(8)),\(e.id.prefix(8))")
        #expect(status == .ok)
        #expect(body.contains("<tr class=\"diff\"><th>layers</th><td>2</td><td>3</td></tr>"))
        #expect(body.contains("2 of 2 differ"))
        #expect(body.contains("alpha (\(a.id.prefix(8)))") && body.contains("echo (\(e.id.prefix(8)))"), "the legend names both runs")
        let repeated = try await fixture.get("/compare?runs=\(a.id)&runs=\(e.id)")
        #expect(repeated.status == .ok && repeated.body.contains("Compare 2 runs"))
        #expect(try await fixture.get("/compare").status == .badRequest)
    }

    @Test func sweepPageDrawsHistoryParallelCoordinatesImportanceAndRungs() async throws {
        let list = try await fixture.get("/sweeps")
        #expect(list.body.contains(">lr-sweep</a>") && list.body.contains("<td class=\"num\">12</td>"))
        let (status, body) = try await fixture.get("/sweeps/\(fixture.sweepID.prefix(6))")
        #expect(status == .ok)
        for title in ["Optimization history", "Parallel coordinates", "Parameter importance (PED-ANOVA)", "Intermediate values"] {
            #expect(body.contains("aria-label=\"\(title)\""), "\(title) chart")
        }
        #expect(body.contains(">best so far</text>") && body.contains(">pruned</text>"))
        // Best completed trial: value |x0| + x1/10 is least for trial 5 (x0 = 0, x1 = 5.01).
        #expect(body.contains("best: trial 5, loss = 0.501"))
        #expect(body.contains("<td class=\"num\">5 ★</td>"))
        #expect(body.contains("<tr><td class=\"num\">3</td><td class=\"num\">12</td>"), "rung 3 has all 12 trials")
    }

    @Test func modelPageShowsVersionsAliasesHistoryAndLineage() async throws {
        let list = try await fixture.get("/models")
        #expect(list.body.contains("<code>@production</code>→2"))
        let (status, body) = try await fixture.get("/models/digits")
        #expect(status == .ok)
        #expect(body.contains("<tr><td><code>@production</code></td><td class=\"num\">2</td>"))
        #expect(body.contains("<td class=\"num\">1</td><td class=\"num\">2</td><td>better</td>"), "the move from 1 to 2 with its reason")
        #expect(body.contains("<strong>digits:2</strong> → served as <code>@production</code> <code>@staging</code>"))
        #expect(try await fixture.get("/models/nothing").status == .notFound)
    }

    @Test func writesNeedTheConfiguredToken() async throws {
        let alpha = fixture.runs["alpha"]!
        let readOnly = try await fixture.post("/runs/\(alpha.id)/tags", form: "key=team&value=vision&token=x", token: nil)
        #expect(readOnly.status == .forbidden && readOnly.body.contains("read-only"))
        let wrong = try await fixture.post("/runs/\(alpha.id)/tags", form: "key=team&value=vision&token=nope", token: "s3cret")
        #expect(wrong.status == .forbidden)
        #expect(try fixture.store.run(alpha.id).tags["team"] == nil)
        let right = try await fixture.post("/runs/\(alpha.id)/tags", form: "key=team&value=computer+vision%21&token=s3cret", token: "s3cret")
        #expect(right.status == .seeOther && right.location == "/runs/\(alpha.id)")
        #expect(try fixture.store.run(alpha.id).tags["team"] == "computer vision!")

        let moved = try await fixture.post("/models/digits/aliases", form: "alias=production&version=1&reason=rollback+test&token=s3cret", token: "s3cret")
        #expect(moved.status == .seeOther)
        #expect(try fixture.store.modelVersion(model: "digits", alias: "production").version == 1)
        #expect(try fixture.store.modelAliasEvents(model: "digits", alias: "production").last?.reason == "rollback test")
        let badVersion = try await fixture.post("/models/digits/aliases", form: "alias=production&version=9&token=s3cret", token: "s3cret")
        #expect(badVersion.status == .badRequest && badVersion.body.contains("has no version 9"))
    }

    @Test func writeFormsAppearOnlyWithAToken() async throws {
        let alpha = fixture.runs["alpha"]!
        #expect(!(try await fixture.get("/runs/\(alpha.id)").body.contains("action=\"/runs/\(alpha.id)/tags\"")))
        #expect(try await fixture.get("/runs/\(alpha.id)", token: "t").body.contains("action=\"/runs/\(alpha.id)/tags\""))
    }

    @Test func driftReadsOnlyFilesUnderItsRoots() throws {
        let dashboard = fixture.dashboard()
        let inside = fixture.directory.appendingPathComponent("data.csv")
        try Data("a\n1\n".utf8).write(to: inside)
        #expect(try dashboard.allowedDataFile("data.csv").path == inside.resolvingSymlinksInPath().path)
        for outside in ["/etc/passwd", "../../etc/passwd", fixture.directory.path + "/../x.csv"] {
            #expect(throws: PageError.self) { try dashboard.allowedDataFile(outside) }
        }
        let link = fixture.directory.appendingPathComponent("escape.csv")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/hostname")
        #expect(throws: PageError.self, "a symbolic link out of the roots is refused") { try dashboard.allowedDataFile("escape.csv") }
    }

    @Test func servingAcceptsOnlyLoopbackSourcesAndRendersVariantStatistics() async throws {
        #expect(throws: PageError.self) { try ServingStatsSource.endpoint("http://example.com/stats") }
        #expect(try ServingStatsSource.endpoint("http://127.0.0.1:9000").path == "/stats")
        let refused = try await fixture.get("/serving?url=" + urlComponent("http://10.0.0.1:80/stats"))
        #expect(refused.body.contains("only a model server on this machine"))
        let document = """
            {"policy": "canary", "variants": [
              {"name": "stable", "model": "digits@production", "requests": 900, "shadowRequests": 0, "errors": 1,
               "latency": {"count": 900, "mean": 0.002, "p50": 0.0015, "p95": 0.004, "p99": 0.009},
               "rewards": {"count": 10, "sum": 8, "mean": 0.8}, "trafficShare": 0.9},
              {"name": "<b>canary</b>", "model": "digits:3", "requests": 100, "shadowRequests": 0, "errors": 0,
               "latency": {"count": 100, "p50": 0.002, "p95": 0.005, "p99": 0.01},
               "rewards": {"count": 0, "sum": 0}, "trafficShare": 0.1}]}
            """
        let stats = try JSONDecoder().decode(ServingStats.self, from: Data(document.utf8))
        let page = try fixture.dashboard().servingPage(source: "http://127.0.0.1:1", .stats(stats, url: "http://127.0.0.1:1/stats")).text
        #expect(page.contains("<td>stable</td><td><code>digits@production</code></td><td class=\"num\">90%</td><td class=\"num\">900</td>"))
        #expect(page.contains("&lt;b&gt;canary&lt;/b&gt;") && !page.contains("<b>canary"))
        #expect(page.contains("aria-label=\"Traffic split\"") && page.contains("aria-label=\"Latency p95 (ms)\""))
        let bare = try JSONDecoder().decode(ServingStats.self, from: Data("[\(document.split(separator: "[", maxSplits: 1)[1])".dropLast().utf8))
        #expect(bare.variants.count == 2 && bare.policy == nil)
    }

    @Test func responsesForbidFramingAndInlineScripts() async throws {
        let app = Application(router: fixture.dashboard().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src") == false, "default-src 'self' allows only /live.js")
            }
        }
    }
}
