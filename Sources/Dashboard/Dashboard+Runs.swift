import Foundation
import RingmasterCore

extension Dashboard {
    // MARK: Experiments

    func experimentsPage() throws -> HTML {
        let experiments = try store.experiments()
        let rows = experiments.map { experiment -> HTML in
            let link = "/runs?experiment=\(urlComponent(experiment.name))"
            return "<tr><td><a href=\"\(link)\">\(experiment.name)</a></td><td class=\"num\">\(experiment.runCount)</td><td>\(Layout.time(experiment.created))</td></tr>"
        }
        let total = experiments.reduce(0) { $0 + $1.runCount }
        let table: HTML = experiments.isEmpty
            ? "<p class=\"muted\">No experiments yet: train something with <code>ringmaster train CONFIG.yaml</code>.</p>"
            : "<table id=\"experiments\"><thead><tr><th>Experiment</th><th>Runs</th><th>Created</th></tr></thead><tbody>\(rows)</tbody></table>"
        return Layout.page(title: "Experiments", section: .experiments, readOnly: readOnly, """
            <h1>Experiments</h1>
            <p>\(experiments.count) experiments, \(total) runs in <code>\(store.location)</code>. <a href="/runs">All runs</a></p>
            \(table)
            """)
    }

    // MARK: Runs

    /// Runs, one page at a time, filtered with the store's search syntax and sorted by any column.
    func runsPage(_ query: QueryParameters) throws -> HTML {
        let experiment = query.first("experiment")
        let filterText = query.first("filter") ?? ""
        let orderText = query.first("order") ?? ""
        let page = max(1, Int(query.first("page") ?? "1") ?? 1)
        let size = configuration.pageSize

        var problem: String?
        var runs: [RunRecord] = []
        var hasNext = false
        do {
            let filter = try RunFilterParser.parse(filterText)
            let order = orderText.isEmpty ? [] : try RunOrderParser.parse(orderText)
            let found = try store.searchRuns(RunQuery(
                experiment: experiment, filter: filter, orderBy: order, limit: size + 1, offset: (page - 1) * size))
            hasNext = found.count > size
            runs = Array(found.prefix(size))
        } catch let error as RunFilterError {
            problem = error.description
        } catch let error as StoreError {
            guard case .invalidQuery = error else { throw error }
            problem = error.description
        }

        let metrics = try runs.map { try store.latestMetrics(run: $0.id) }
        let asked = filterText + " " + orderText
        let metricKeys = Self.columns(metrics.map { Array($0.keys) }, limit: 5, asked: asked, field: "metrics.", rank: Self.metricRank)
        // Parameters that differ between the runs shown say more than those they share.
        var distinct: [String: Set<String>] = [:]
        for run in runs { for (key, value) in run.params { distinct[key, default: []].insert(value) } }
        let paramKeys = Self.columns(runs.map { Array($0.params.keys) }, limit: 3, asked: asked, field: "params.") { key in
            -(distinct[key]?.count ?? 0)
        }

        func link(page: Int? = nil, order: String? = nil) -> String {
            var parts: [String] = []
            if let experiment { parts.append("experiment=\(urlComponent(experiment))") }
            if !filterText.isEmpty { parts.append("filter=\(urlComponent(filterText))") }
            let sort = order ?? orderText
            if !sort.isEmpty { parts.append("order=\(urlComponent(sort))") }
            if let page, page > 1 { parts.append("page=\(page)") }
            return "/runs" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
        }
        func header(_ title: String, field: String) -> HTML {
            let descending = "\(field) DESC", ascending = "\(field) ASC"
            let next = orderText == descending ? ascending : descending
            let arrow = orderText == descending ? " ▼" : orderText == ascending ? " ▲" : ""
            return "<th><a href=\"\(link(order: next))\" title=\"sort by \(field)\">\(title)\(arrow)</a></th>"
        }

        // Metrics first: they are what a list of runs is scanned for; the experiment only when mixed.
        var headers: [HTML] = ["<th><span class=\"muted\">compare</span></th>", header("Run", field: "attributes.run_name"),
                               header("Status", field: "attributes.status"), header("Started", field: "attributes.start_time"),
                               "<th>Duration</th>"]
        if experiment == nil { headers.append(header("Experiment", field: "attributes.experiment")) }
        headers += metricKeys.map { header($0, field: "metrics.\(Self.quoted($0))") }
        headers += paramKeys.map { header($0, field: "params.\(Self.quoted($0))") }

        let rows = zip(runs, metrics).map { run, latest -> HTML in
            var cells: [HTML] = [
                "<td><input type=\"checkbox\" name=\"runs\" value=\"\(run.id)\" aria-label=\"compare \(run.name)\"></td>",
                "<td><a href=\"/runs/\(run.id)\">\(run.name)</a> <code class=\"muted\">\(run.id.prefix(8))</code></td>",
                Self.statusCell(run.status),
                "<td>\(Layout.time(run.startTime))</td>",
                "<td class=\"num\">\(Self.duration(run))</td>",
            ]
            if experiment == nil { cells.append("<td>\(run.experiment)</td>") }
            cells += metricKeys.map { key in "<td class=\"num\">\(latest[key].map { NumberText.short($0.value) } ?? "")</td>" }
            cells += paramKeys.map { key in
                let value = run.params[key] ?? ""
                let shown = value.contains(".") ? Double(value).map(NumberText.short) ?? value : value
                return "<td title=\"\(value)\">\(shown)</td>"
            }
            return "<tr>\(cells)</tr>"
        }

        let title = experiment.map { "Runs of \($0)" } ?? "Runs"
        let experimentField: HTML = experiment.map { "<input type=\"hidden\" name=\"experiment\" value=\"\($0)\">" } ?? .empty
        let orderField: HTML = orderText.isEmpty ? .empty : "<input type=\"hidden\" name=\"order\" value=\"\(orderText)\">"
        let pager: HTML = """
            <div class="pager">\(page > 1 ? "<a href=\"\(link(page: page - 1))\" rel=\"prev\">← previous</a>" as HTML : .empty)
            <span>page \(page)\(runs.isEmpty ? "" : ", runs \((page - 1) * size + 1)–\((page - 1) * size + runs.count)")</span>
            \(hasNext ? "<a href=\"\(link(page: page + 1))\" rel=\"next\">next →</a>" as HTML : .empty)</div>
            """
        let table: HTML = runs.isEmpty && problem == nil
            ? "<p class=\"muted\">No runs match.</p>"
            : """
                <form method="get" action="/compare">
                <table id="runs"><thead><tr>\(headers)</tr></thead><tbody>\(rows)</tbody></table>
                <button type="submit">Compare selected runs</button></form>
                """
        return Layout.page(title: title, section: .runs, readOnly: readOnly, """
            <h1>\(title)</h1>
            <form class="search" method="get" action="/runs">\(experimentField)\(orderField)
            <label>Filter <input type="text" name="filter" value="\(filterText)" placeholder="metrics.validation_accuracy > 0.9 and params.optimizer.learning_rate < 0.01"></label>
            <button type="submit">Search</button> <a href="/runs\(experiment.map { "?experiment=\(urlComponent($0))" } ?? "")">clear</a></form>
            \(problem.map { Layout.message($0) } ?? .empty)
            \(pager)\(table)\(pager)
            """)
    }

    /// Up to `limit` keys to show as columns, sorted by name: first those the filter or sort
    /// order names, then by `rank` (lower first), then the most widely present.
    static func columns(
        _ keySets: [[String]], limit: Int, asked: String, field: String, rank: (String) -> Int
    ) -> [String] {
        var counts: [String: Int] = [:]
        for keys in keySets { for key in keys { counts[key, default: 0] += 1 } }
        func priority(_ key: String) -> Int { asked.contains(field + key) || asked.contains(field + "`\(key)`") ? Int.min : rank(key) }
        return counts.keys
            .sorted { a, b in (priority(a), -counts[a]!, a) < (priority(b), -counts[b]!, b) }
            .prefix(limit).sorted()
    }

    /// A key as the filter syntax needs it: back-quoted when it holds anything but name characters.
    static func quoted(_ key: String) -> String {
        key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" } ? key : "`\(key)`"
    }

    /// Which metrics come first in columns and charts: validation and accuracy, then losses.
    static func metricRank(_ key: String) -> Int {
        key.hasPrefix("validation") || key.hasPrefix("val_") || key.contains("accuracy") ? 1 : key.contains("loss") ? 2 : 3
    }

    static func orderedMetrics(_ keys: some Sequence<String>) -> [String] {
        keys.sorted { (metricRank($0), $0) < (metricRank($1), $1) }
    }

    static func statusCell(_ status: RunStatus) -> HTML {
        "<td class=\"status-\(status.rawValue)\">\(status.rawValue)</td>"
    }

    static func duration(_ run: RunRecord) -> String {
        guard let end = run.endTime else { return run.status == .running ? "running" : "-" }
        return NumberText.duration(end.timeIntervalSince(run.startTime))
    }

    // MARK: One run

    func runPage(_ id: String) throws -> HTML {
        let run = try store.run(id)
        let artifacts = try store.artifacts(run: run.id)
        let artifactRows = artifacts.map { artifact -> HTML in
            "<tr><td>\(artifact.name)</td><td>\(artifact.kind)</td><td class=\"num\">\(artifact.size)</td><td><code>\(artifact.sha256.prefix(16))</code></td><td>\(Layout.time(artifact.created))</td></tr>"
        }
        let artifactTable: HTML = artifacts.isEmpty ? "<p class=\"muted\">none</p>"
            : "<table id=\"artifacts\"><thead><tr><th>Name</th><th>Kind</th><th>Bytes</th><th>sha256</th><th>Stored</th></tr></thead><tbody>\(artifactRows)</tbody></table>"
        let tree = try LineageGraph(store: store).tree(from: .run(run.id), depth: 4)
        let live: HTML = run.status == .running ? " data-live=\"/runs/\(run.id)/charts\"" : .empty
        let failure: HTML = run.failureReason.map { Layout.message("failed: \($0)") } ?? .empty
        return Layout.page(title: "Run \(run.name)", section: .runs, readOnly: readOnly, """
            <h1>Run \(run.name)</h1>
            <table class="kv" id="summary"><tr><th>id</th><td><code>\(run.id)</code></td></tr>
            <tr><th>experiment</th><td><a href="/runs?experiment=\(urlComponent(run.experiment))">\(run.experiment)</a></td></tr>
            <tr><th>status</th>\(Self.statusCell(run.status))</tr>
            <tr><th>started</th><td>\(Layout.time(run.startTime))</td></tr>
            <tr><th>duration</th><td>\(Self.duration(run))</td></tr></table>
            \(failure)
            <h2>Metrics</h2><div id="charts"\(live)>\(try runCharts(run))</div>
            <h2>Parameters</h2>\(Layout.keyValues(run.params))
            <h2>Tags</h2>\(Layout.keyValues(run.tags))\(tagForm(run))
            <h2>Artifacts</h2>\(artifactTable)
            <h2>Lineage</h2>\(Self.lineage(tree))
            <h2>Environment</h2>\(Layout.keyValues(run.environment))
            """)
    }

    /// One line chart per metric of the run (the fragment the live poll swaps in).
    func runCharts(_ run: RunRecord) throws -> HTML {
        let keys = Self.orderedMetrics(try store.latestMetrics(run: run.id).keys)
        let charts = try keys.map { key -> HTML in
            let history = try store.metricHistory(run: run.id, key: key)
            return SVGChart.line(
                title: key, xLabel: "step", yLabel: key,
                series: [SVGChart.Series(label: run.name, points: history.map { (Double($0.step), $0.value) })])
        }
        let body: HTML = charts.isEmpty ? "<p class=\"muted\">No metrics logged yet.</p>" : "<div class=\"charts\">\(charts)</div>"
        return "<div data-status=\"\(run.status.rawValue)\">\(body)</div>"
    }

    func tagForm(_ run: RunRecord) -> HTML {
        guard !readOnly else { return .empty }
        return """
            <form method="post" action="/runs/\(run.id)/tags" class="write">
            <label>key <input type="text" name="key" required></label> <label>value <input type="text" name="value"></label>
            <label>token <input type="password" name="token" required></label> <button type="submit">Set tag</button></form>
            """
    }

    static func lineage(_ tree: LineageTree) -> HTML {
        func branches(_ items: [LineageBranch]) -> HTML {
            guard !items.isEmpty else { return .empty }
            let entries = items.map { branch -> HTML in
                let note: HTML = branch.isRepeat ? " <span class=\"muted\">(seen above)</span>" : branch.isTruncated ? " <span class=\"muted\">…</span>" : .empty
                return "<li><span class=\"muted\">\(branch.relation.rawValue)</span> \(node(branch.node))\(note)\(branches(branch.children))</li>"
            }
            return "<ul>\(entries)</ul>"
        }
        guard !tree.upstream.isEmpty || !tree.downstream.isEmpty else { return "<p class=\"muted\">No lineage recorded.</p>" }
        return """
            <div class="lineage" id="lineage"><p><strong>upstream</strong> (what it came from)</p>\(tree.upstream.isEmpty ? "<p class=\"muted\">none</p>" as HTML : branches(tree.upstream))
            <p><strong>downstream</strong> (what came of it)</p>\(tree.downstream.isEmpty ? "<p class=\"muted\">none</p>" as HTML : branches(tree.downstream))</div>
            """
    }

    /// A lineage node, linked to its page where it has one.
    static func node(_ node: LineageNode) -> HTML {
        switch node {
        case .run(let id): return "run <a href=\"/runs/\(id)\"><code>\(id.prefix(8))</code></a>"
        case .artifact(let run, let name): return "artifact <code>\(name)</code> of <a href=\"/runs/\(run)\"><code>\(run.prefix(8))</code></a>"
        case .dataset(let name, let version): return "dataset <code>\(name):\(version)</code>"
        case .modelVersion(let name, let version): return "model <a href=\"/models/\(urlComponent(name))\"><code>\(name):\(version)</code></a>"
        case .modelAlias(let name, let alias): return "alias <a href=\"/models/\(urlComponent(name))\"><code>\(name)@\(alias)</code></a>"
        }
    }

    // MARK: Compare

    /// Several runs side by side: parameters that differ, and every metric overlaid.
    func comparePage(_ query: QueryParameters) throws -> HTML {
        let ids = query.all("runs").flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
        guard !ids.isEmpty else {
            throw PageError(status: .badRequest, message: "choose runs to compare: /compare?runs=ID,ID (tick them on the runs page)")
        }
        guard ids.count <= 20 else { throw PageError(status: .badRequest, message: "compare at most 20 runs at once (got \(ids.count))") }
        let runs = try ids.map { try store.run($0) }
        let latest = try runs.map { try store.latestMetrics(run: $0.id) }
        let paramKeys = Set(runs.flatMap { $0.params.keys }).sorted()
        let headerCells = runs.map { run -> HTML in "<th><a href=\"/runs/\(run.id)\">\(run.name)</a><br><code class=\"muted\">\(run.id.prefix(8))</code></th>" }
        func row(_ key: String, highlighted: Bool) -> HTML {
            let cells = runs.map { run -> HTML in "<td>\(run.params[key] ?? "–")</td>" }
            return "<tr\(highlighted ? " class=\"diff\"" as HTML : .empty)><th>\(key)</th>\(cells)</tr>"
        }
        let differing = paramKeys.filter { key in Set(runs.map { $0.params[key] ?? "\u{0}" }).count > 1 }
        let shared = paramKeys.filter { !differing.contains($0) }
        let metricKeys = Self.orderedMetrics(Set(latest.flatMap { $0.keys }))
        let metricRows = metricKeys.map { key -> HTML in
            let cells = latest.map { values -> HTML in "<td class=\"num\">\(values[key].map { NumberText.short($0.value) } ?? "–")</td>" }
            return "<tr><th>\(key)</th>\(cells)</tr>"
        }
        let charts = try metricKeys.map { key -> HTML in
            let series = try runs.map { run in
                SVGChart.Series(label: "\(run.name) (\(run.id.prefix(8)))",
                                points: try store.metricHistory(run: run.id, key: key).map { (Double($0.step), $0.value) })
            }
            return SVGChart.line(title: key, xLabel: "step", yLabel: key, series: series.filter { !$0.points.isEmpty })
        }
        let differingTable: HTML = differing.isEmpty
            ? "<p class=\"muted\">All \(paramKeys.count) parameters are the same.</p>"
            : "<table id=\"param-diff\"><thead><tr><th>parameter</th>\(headerCells)</tr></thead><tbody>\(differing.map { row($0, highlighted: true) })</tbody></table>"
        return Layout.page(title: "Compare \(runs.count) runs", section: .runs, readOnly: readOnly, """
            <h1>Compare \(runs.count) runs</h1>
            <h2>Parameters that differ</h2><p class="muted">\(differing.count) of \(paramKeys.count) differ.</p>\(differingTable)
            <details><summary>\(shared.count) parameters they share</summary>
            <table id="param-same"><thead><tr><th>parameter</th>\(headerCells)</tr></thead><tbody>\(shared.map { row($0, highlighted: false) })</tbody></table></details>
            <h2>Curves</h2><div class="charts">\(charts)</div>
            <h2>Latest metrics</h2>
            <table id="metric-diff"><thead><tr><th>metric</th>\(headerCells)</tr></thead><tbody>\(metricRows)</tbody></table>
            """)
    }
}
