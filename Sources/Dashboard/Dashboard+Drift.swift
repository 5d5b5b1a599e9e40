import Datasets
import Foundation
import Learning
import Monitoring
import RingmasterCore

extension Dashboard {
    /// `/drift?model=REF` shows the training profile saved with a model (a registered
    /// `NAME@ALIAS` / `NAME:VERSION` or a run id); adding `&data=PATH` compares a data file with
    /// it. PATH must lie under one of ``DashboardConfiguration/dataRoots`` (symbolic links resolved).
    func driftPage(_ query: QueryParameters) throws -> HTML {
        let reference = query.first("model") ?? ""
        let dataPath = query.first("data") ?? ""
        let form: HTML = """
            <form class="search" method="get" action="/drift">
            <label>Model <input type="text" name="model" value="\(reference)" placeholder="digits@production, digits:2 or a run id" required></label>
            <label>Data <input type="text" name="data" value="\(dataPath)" placeholder="path under the working or store directory"></label>
            <button type="submit">Compare</button></form>
            """
        guard !reference.isEmpty else {
            let models = try store.registeredModels()
            let links = try models.map { model -> HTML in
                let aliases = try store.modelAliases(model: model.name)
                let ref = aliases.first.map { "\(model.name)@\($0.alias)" } ?? "\(model.name):\(model.latestVersion)"
                return "<li><a href=\"/drift?model=\(urlComponent(ref))\">\(ref)</a></li>"
            }
            return Layout.page(title: "Drift", section: .drift, readOnly: readOnly, """
                <h1>Drift</h1><p>Compare data with the training profile saved in a model.</p>\(form)
                \(links.isEmpty ? .empty : "<h2>Registered models</h2><ul>\(links)</ul>" as HTML)
                """)
        }
        let model = try loadModel(reference)
        guard let profile = model.profile else { throw PageError(status: .notFound, message: DriftError.noProfile(model: reference).description) }

        var report: DriftReport?
        var problem: HTML = .empty
        if !dataPath.isEmpty {
            do {
                let url = try allowedDataFile(dataPath)
                let dataset = try DatasetReader.readFeatures(path: url.path, label: model.labelName.isEmpty ? nil : model.labelName)
                report = try DriftDetector().compare(
                    reference: profile, features: dataset.features, rows: dataset.rowCount, names: dataset.featureNames,
                    source: dataPath)
            } catch let error as PageError {
                problem = Layout.message(error.message)
            } catch {
                problem = Layout.message("\(dataPath): \(error)")
            }
        }
        let byName = Dictionary((report?.features ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = profile.features.map { feature -> HTML in
            let drift = byName[feature.name]
            let verdict: HTML = drift.map { $0.drifted ? "<strong class=\"status-failed\">drifted</strong>" : "no" } ?? "–"
            let cells: [HTML] = [
                "<td>\(feature.name)</td>", "<td class=\"num\">\(NumberText.short(feature.mean))</td>",
                "<td class=\"num\">\(NumberText.short(feature.standardDeviation))</td>",
                "<td class=\"num\">\(NumberText.short(feature.minimum))</td>", "<td class=\"num\">\(NumberText.short(feature.maximum))</td>",
                "<td class=\"num\">\(drift.map { NumberText.short($0.currentMean) } ?? "–")</td>",
                "<td>\(drift?.method.rawValue ?? "–")</td>", "<td class=\"num\">\(drift.map { NumberText.short($0.score) } ?? "–")</td>",
                "<td class=\"num\">\(drift.map { NumberText.short($0.psi) } ?? "–")</td>",
                "<td class=\"num\">\(drift.map { NumberText.short($0.ksPValue) } ?? "–")</td>",
                "<td class=\"num\">\(drift.map { NumberText.short($0.wasserstein) } ?? "–")</td>", "<td>\(verdict)</td>",
            ]
            return "<tr>\(cells)</tr>"
        }
        // Histograms: drifted features first, the most shifted (by PSI) first; without data, the
        // widest features. At most 12 charts; the table has every feature.
        let ordered = profile.features.filter { $0.maximum > $0.minimum }.sorted { a, b in
            let da = byName[a.name], db = byName[b.name]
            if let da, let db {
                return (da.drifted ? 1 : 0, da.psi) > (db.drifted ? 1 : 0, db.psi)
            }
            return a.standardDeviation > b.standardDeviation
        }
        let informative = ordered.prefix(12)
        let histograms = informative.map { feature -> HTML in
            let total = Double(max(feature.histogram.counts.reduce(0, +), 1))
            let referenceShares = feature.histogram.counts.map { Double($0) / total }
            var currentShares: [Double]?
            var outside = ""
            if let drift = byName[feature.name], drift.currentHistogram.count == feature.histogram.counts.count + 2 {
                let inside = Array(drift.currentHistogram.dropFirst().dropLast())
                let all = Double(max(drift.currentHistogram.reduce(0, +), 1))
                currentShares = inside.map { Double($0) / all }
                let beyond = Double(drift.currentHistogram.first! + drift.currentHistogram.last!) / all
                if beyond > 0 { outside = ", \(NumberText.short(beyond * 100))% of current outside the training range" }
            }
            return SVGChart.histogram(
                title: feature.name + (byName[feature.name]?.drifted == true ? " (drifted)" : "") + outside, xLabel: feature.name,
                edges: feature.histogram.edges, reference: referenceShares, current: currentShares)
        }
        let summary: HTML = report.map { report in
            Layout.message(
                "\(report.driftedFeatures) of \(report.features.count) features drifted (share \(NumberText.short(report.driftedShare)), threshold \(NumberText.short(report.thresholds.driftShare))): "
                    + (report.datasetDrift ? "dataset DRIFTED" : "no dataset drift") + " · reference \(report.referenceRows) rows, current \(report.currentRows)",
                kind: report.datasetDrift ? "error" : "note")
        } ?? Layout.message("Showing the training profile only; give data to compare.", kind: "note")
        let skipped = profile.features.count - informative.count
        return Layout.page(title: "Drift of \(reference)", section: .drift, readOnly: readOnly, """
            <h1>Drift of \(reference)</h1>\(form)\(problem)\(summary)
            <h2>Histograms, reference vs current</h2>
            \(skipped > 0 ? "<p class=\"muted\">\(informative.count) of \(profile.features.count) features drawn (constant ones never); all are in the table below.</p>" as HTML : .empty)
            <div class="charts">\(histograms)</div>
            <h2>Every feature</h2>
            <table id="drift"><thead><tr><th>feature</th><th>mean (train)</th><th>std (train)</th><th>min</th><th>max</th><th>mean (now)</th><th>method</th><th>score</th><th>PSI</th><th>KS p</th><th>Wasserstein/σ</th><th>drift</th></tr></thead><tbody>\(rows)</tbody></table>
            """)
    }

    /// The model file behind a registered reference or a run's `model` artifact, verified by sha256.
    func loadModel(_ reference: String) throws -> ModelFile {
        if ModelVersionReference.isSpelledAsReference(reference) {
            let registry = ModelRegistry(store: store)
            let resolved = try registry.resolve(try ModelVersionReference(parsing: reference))
            return try ModelFile.decode(try registry.contents(resolved), source: resolved.version.reference)
        }
        let run = try store.run(reference)
        guard let artifact = try store.artifacts(run: run.id).first(where: { $0.kind == "model" }) else {
            throw PageError(status: .notFound, message: "run \(run.id) has no model artifact (status: \(run.status.rawValue))")
        }
        return try ModelFile.decode(try store.artifactContents(artifact), source: "run \(run.id.prefix(8)) \(artifact.name)")
    }

    /// `path` (relative to the first root, or absolute) if, with symbolic links resolved, it lies
    /// inside one of the configured roots; anything else is refused without touching the file.
    func allowedDataFile(_ path: String) throws -> URL {
        guard let base = configuration.dataRoots.first else {
            throw PageError(status: .forbidden, message: "this dashboard reads no data files")
        }
        let candidate = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path))
            .standardizedFileURL.resolvingSymlinksInPath()
        let inside = configuration.dataRoots.contains { root in
            let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
            return candidate.path.hasPrefix(rootPath.hasSuffix("/") ? rootPath : rootPath + "/")
        }
        guard inside else {
            throw PageError(status: .forbidden, message: "\(path): only files under the working directory or the store's directory can be read")
        }
        return candidate
    }
}
