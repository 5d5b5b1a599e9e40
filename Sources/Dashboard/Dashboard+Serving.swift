import Foundation
import TrafficPolicies

extension Dashboard {
    /// Traffic split, requests, latency and reward per variant of a running model server.
    func servingPage(source: String?, _ outcome: ServingStatsSource.Outcome) throws -> HTML {
        let form: HTML = """
            <form class="search" method="get" action="/serving">
            <label>Model server <input type="text" name="url" value="\(source ?? "")" placeholder="http://127.0.0.1:8080/stats"></label>
            <button type="submit">Show</button></form>
            """
        let content: HTML
        switch outcome {
        case .none:
            content = Layout.message("Give the URL of a model server's statistics endpoint (on this machine).", kind: "note")
        case .failure(let message):
            content = Layout.message(message)
        case .stats(let stats, let url):
            content = Self.serving(stats, url: url)
        }
        return Layout.page(title: "Serving", section: .serving, readOnly: readOnly, "<h1>Serving</h1>\(form)\(content)")
    }

    static func serving(_ stats: ServingStats, url: String) -> HTML {
        let variants = stats.variants
        let rows = variants.map { v -> HTML in
            let cells: [HTML] = [
                "<td>\(v.name)</td>", "<td><code>\(v.model)</code></td>", "<td class=\"num\">\(NumberText.short(v.trafficShare * 100))%</td>",
                "<td class=\"num\">\(v.requests)</td>", "<td class=\"num\">\(v.shadowRequests)</td>", "<td class=\"num\">\(v.errors)</td>",
                "<td class=\"num\">\(ms(v.latency.p50))</td>", "<td class=\"num\">\(ms(v.latency.p95))</td>", "<td class=\"num\">\(ms(v.latency.p99))</td>",
                "<td class=\"num\">\(v.rewards.count)</td>", "<td class=\"num\">\(v.rewards.mean.map(NumberText.short) ?? "–")</td>",
                "<td class=\"num\">\(v.posteriorMean.map(NumberText.short) ?? "–")</td>",
            ]
            return "<tr>\(cells)</tr>"
        }
        let names = variants.map(\.name)
        let charts: [HTML] = [
            SVGChart.bars(title: "Traffic split", valueLabel: "share of requests sent now", labels: names, values: variants.map(\.trafficShare)),
            SVGChart.bars(title: "Requests answered", valueLabel: "requests", labels: names, values: variants.map { Double($0.requests) }),
            SVGChart.bars(title: "Latency p95 (ms)", valueLabel: "milliseconds", labels: names,
                          values: variants.map { ($0.latency.p95 ?? .nan) * 1000 }),
            SVGChart.bars(title: "Mean reward", valueLabel: "reward per request", labels: names, values: variants.map { $0.rewards.mean ?? .nan }),
        ]
        return """
            <p>From <code>\(url)</code>\(stats.policy.map { " · policy \($0)" } ?? "")</p>
            <table id="variants"><thead><tr><th>variant</th><th>model</th><th>traffic</th><th>requests</th><th>shadow</th><th>errors</th>
            <th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>rewards</th><th>mean reward</th><th>posterior mean</th></tr></thead><tbody>\(rows)</tbody></table>
            <div class="charts">\(charts)</div>
            """
    }

    static func ms(_ seconds: Double?) -> String { seconds.map { NumberText.short($0 * 1000) } ?? "–" }
}
