import Foundation
import RingmasterCore

extension Dashboard {
    func modelsPage() throws -> HTML {
        let models = try store.registeredModels()
        let rows = try models.map { model -> HTML in
            let aliases = try store.modelAliases(model: model.name)
                .map { alias -> HTML in "<code>@\(alias.alias)</code>→\(alias.version)" }.joined(separator: ", ")
            return """
                <tr><td><a href="/models/\(urlComponent(model.name))">\(model.name)</a></td><td class="num">\(model.latestVersion)</td>
                <td>\(aliases)</td><td>\(model.description)</td><td>\(Layout.time(model.updated))</td></tr>
                """
        }
        let table: HTML = models.isEmpty ? "<p class=\"muted\">No registered models: <code>ringmaster models register NAME RUN</code>.</p>" : """
            <table id="models"><thead><tr><th>Model</th><th>Latest version</th><th>Aliases</th><th>Description</th><th>Updated</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return Layout.page(title: "Models", section: .models, readOnly: readOnly, "<h1>Registered models</h1>\(table)")
    }

    /// A model: its versions with the run and dataset each came from, its aliases, every alias
    /// move, and the chain from dataset to the aliases that serve it.
    func modelPage(_ name: String) throws -> HTML {
        let model = try store.registeredModel(name)
        let versions = try store.modelVersions(model: model.name)
        let aliases = try store.modelAliases(model: model.name)
        let events = try store.modelAliasEvents(model: model.name, alias: nil)
        let aliasesByVersion = Dictionary(grouping: aliases, by: \.version)

        var validation: [(label: String, key: String, value: Double)] = []
        let versionRows = try versions.reversed().map { version -> HTML in
            let run = try? store.run(version.runID)
            let latest = try store.latestMetrics(run: version.runID)
            if let key = Self.orderedMetrics(latest.keys).first(where: { $0.hasPrefix("validation") }), let point = latest[key] {
                let pointers = (aliasesByVersion[version.version] ?? []).map { "@" + $0.alias }.joined(separator: " ")
                validation.append(("\(version.model):\(version.version)" + (pointers.isEmpty ? "" : " " + pointers), key, point.value))
            }
            let accuracy = latest
                .sorted { $0.key < $1.key }.filter { $0.key.hasPrefix("validation") }
                .map { "\($0.key) \(NumberText.short($0.value.value))" }.joined(separator: ", ")
            let pointers = (aliasesByVersion[version.version] ?? []).map { alias -> HTML in "<code>@\(alias.alias)</code>" }.joined(separator: " ")
            let runCell: HTML = run.map { "<a href=\"/runs/\($0.id)\">\($0.name)</a> <code class=\"muted\">\($0.id.prefix(8))</code>" }
                ?? "<span class=\"muted\">run \(version.runID.prefix(8)) is gone</span>"
            return """
                <tr><td class="num">\(version.version)</td><td>\(pointers)</td><td>\(runCell)</td><td>\(version.dataset ?? "–")</td>
                <td>\(accuracy)</td><td>\(version.description)</td><td>\(Layout.time(version.created))</td>
                <td><a href="/drift?model=\(urlComponent(version.reference))">profile and drift</a></td></tr>
                """
        }
        let aliasRows = aliases.map { alias -> HTML in
            "<tr><td><code>@\(alias.alias)</code></td><td class=\"num\">\(alias.version)</td><td>\(Layout.time(alias.updated))</td></tr>"
        }
        let eventRows = events.reversed().map { event -> HTML in
            "<tr><td>\(Layout.time(event.time))</td><td><code>@\(event.alias)</code></td><td class=\"num\">\(event.from.map(String.init) ?? "–")</td><td class=\"num\">\(event.to.map(String.init) ?? "deleted")</td><td>\(event.reason)</td></tr>"
        }
        let chains = versions.reversed().map { version -> HTML in
            let served = (aliasesByVersion[version.version] ?? []).map { alias -> HTML in "<code>@\(alias.alias)</code>" }.joined(separator: " ")
            let dataset: HTML = version.dataset.map { "dataset <code>\($0)</code> → " } ?? "<span class=\"muted\">dataset not recorded</span> → "
            let deployment: HTML = served == .empty ? .empty : " → served as \(served)"
            return "<li class=\"chain\">\(dataset)run <a href=\"/runs/\(version.runID)\"><code>\(version.runID.prefix(8))</code></a> → artifact <code>\(version.artifactName)</code> (<code>\(version.artifactSHA256.prefix(12))</code>) → <strong>\(version.model):\(version.version)</strong>\(deployment)</li>"
        }
        return Layout.page(title: "Model \(model.name)", section: .models, readOnly: readOnly, """
            <h1>Model \(model.name)</h1>
            <p>\(model.description.isEmpty ? "" : model.description + " · ")\(versions.count) versions · updated \(Layout.time(model.updated))</p>
            <h2>Aliases</h2>\(aliases.isEmpty ? "<p class=\"muted\">none</p>" as HTML : "<table id=\"aliases\"><thead><tr><th>alias</th><th>version</th><th>since</th></tr></thead><tbody>\(aliasRows)</tbody></table>" as HTML)
            \(aliasForm(model.name))
            <h2>Versions</h2>\(Self.versionChart(validation))
            <table id="versions"><thead><tr><th>version</th><th>aliases</th><th>run</th><th>dataset</th><th>validation</th><th>description</th><th>registered</th><th></th></tr></thead><tbody>\(versionRows)</tbody></table>
            <h2>Lineage, dataset to deployment</h2><ul id="model-lineage">\(chains)</ul>
            <h2>Alias history</h2>\(events.isEmpty ? "<p class=\"muted\">no moves yet</p>" as HTML : "<table id=\"alias-history\"><thead><tr><th>when</th><th>alias</th><th>from</th><th>to</th><th>reason</th></tr></thead><tbody>\(eventRows)</tbody></table>" as HTML)
            """)
    }

    /// The first validation metric of each version (newest first), when they share one.
    static func versionChart(_ points: [(label: String, key: String, value: Double)]) -> HTML {
        guard let key = points.first?.key, points.allSatisfy({ $0.key == key }) else { return .empty }
        return SVGChart.bars(title: "\(key) by version", valueLabel: key, labels: points.map(\.label), values: points.map(\.value))
    }

    func aliasForm(_ model: String) -> HTML {
        guard !readOnly else { return .empty }
        return """
            <form method="post" action="/models/\(urlComponent(model))/aliases" class="write">
            <label>alias <input type="text" name="alias" required></label> <label>version <input type="number" name="version" min="1" required></label>
            <label>reason <input type="text" name="reason"></label> <label>token <input type="password" name="token" required></label>
            <button type="submit">Move alias</button></form>
            """
    }
}
