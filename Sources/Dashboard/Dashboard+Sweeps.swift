import Foundation
import RingmasterCore
import Tuning

extension Dashboard {
    func sweepsPage() throws -> HTML {
        let sweeps = try store.sweeps()
        let rows = try sweeps.map { sweep -> HTML in
            let trials = try store.trials(sweep: sweep.id)
            let best = Self.best(trials, sweep.direction)
            return """
                <tr><td><a href="/sweeps/\(sweep.id)">\(sweep.name)</a> <code class="muted">\(sweep.id.prefix(8))</code></td>
                <td>\(sweep.experiment)</td><td>\(sweep.objective) (\(sweep.direction.rawValue))</td><td>\(sweep.status.rawValue)</td>
                <td class="num">\(trials.count)</td><td class="num">\(best.map { NumberText.short($0.value ?? .nan) } ?? "–")</td>
                <td>\(Layout.time(sweep.created))</td></tr>
                """
        }
        let table: HTML = sweeps.isEmpty ? "<p class=\"muted\">No sweeps yet: <code>ringmaster sweep SPEC.yaml</code>.</p>" : """
            <table id="sweeps"><thead><tr><th>Sweep</th><th>Experiment</th><th>Objective</th><th>Status</th><th>Trials</th><th>Best</th><th>Created</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return Layout.page(title: "Sweeps", section: .sweeps, readOnly: readOnly, "<h1>Sweeps</h1>\(table)")
    }

    /// A sampled value as a table shows it: reals to 4 significant digits.
    static func parameterText(_ value: ParameterValue) -> String {
        if case .real(let number) = value { return NumberText.short(number) }
        return value.description
    }

    static func best(_ trials: [TrialRecord], _ direction: OptimizationDirection) -> TrialRecord? {
        trials.filter { $0.state == .completed && ($0.value?.isFinite ?? false) }
            .min { direction.loss($0.value!) < direction.loss($1.value!) }
    }

    /// One sweep: optimization history, parallel coordinates, importance, intermediate values.
    func sweepPage(_ id: String) throws -> HTML {
        let sweep = try store.sweep(id)
        let trials = try store.trials(sweep: sweep.id)
        let space = try? SweepSpec.space(yaml: sweep.spec, file: "sweep \(sweep.id.prefix(8))")
        let best = Self.best(trials, sweep.direction)

        // Optimization history: every trial with a value, and the best so far.
        let states: [TrialState] = [.completed, .pruned, .failed, .running]
        let shown = states.filter { state in trials.contains { $0.state == state && $0.value != nil } }
        let dots = trials.compactMap { trial -> SVGChart.Dot? in
            guard let value = trial.value, let group = shown.firstIndex(of: trial.state) else { return nil }
            return SVGChart.Dot(x: Double(trial.number), y: value, label: "trial \(trial.number) (\(trial.state.rawValue)): \(NumberText.short(value))", group: group)
        }
        var bestSoFar: [(x: Double, y: Double)] = []
        var incumbent: Double?
        for trial in trials where trial.state == .completed {
            guard let value = trial.value, value.isFinite else { continue }
            if incumbent == nil || sweep.direction.loss(value) < sweep.direction.loss(incumbent!) { incumbent = value }
            bestSoFar.append((Double(trial.number), incumbent!))
        }
        let history = SVGChart.scatter(
            title: "Optimization history", xLabel: "trial", yLabel: sweep.objective, dots: dots,
            groups: shown.map(\.rawValue), stepLine: SVGChart.Series(label: "best so far", points: bestSoFar))

        let parallel = Self.parallelCoordinates(trials, space: space, objective: sweep.objective)

        let importance: HTML
        if let space {
            do {
                let scores = try ParameterImportance().evaluate(space: space, trials: trials.map(\.snapshot), direction: sweep.direction)
                importance = SVGChart.bars(title: "Parameter importance (PED-ANOVA)", valueLabel: "share of importance",
                                           labels: scores.map(\.parameter), values: scores.map(\.importance))
            } catch {
                importance = "<p class=\"muted chart-empty\">Parameter importance: not yet (\(String(describing: error))).</p>"
            }
        } else {
            importance = "<p class=\"muted chart-empty\">Parameter importance: the sweep's specification no longer parses.</p>"
        }

        let withIntermediate = trials.filter { !$0.intermediate.isEmpty }
        let intermediate = SVGChart.line(
            title: "Intermediate values", xLabel: "resource (epochs)", yLabel: sweep.objective,
            series: withIntermediate.map { trial in
                SVGChart.Series(label: "trial \(trial.number) (\(trial.state.rawValue))",
                                points: trial.intermediate.sorted { $0.key < $1.key }.map { (Double($0.key), $0.value) })
            }, legendLimit: 10)

        let rungs = Dictionary(grouping: withIntermediate.flatMap { trial in trial.intermediate.map { ($0.key, $0.value) } }, by: \.0)
            .sorted { $0.key < $1.key }
            .map { resource, values -> HTML in
                let sorted = values.map(\.1).filter(\.isFinite).sorted { sweep.direction.loss($0) < sweep.direction.loss($1) }
                let median = sorted.isEmpty ? Double.nan : sorted[sorted.count / 2]
                return "<tr><td class=\"num\">\(resource)</td><td class=\"num\">\(values.count)</td><td class=\"num\">\(sorted.first.map(NumberText.short) ?? "–")</td><td class=\"num\">\(NumberText.short(median))</td></tr>"
            }

        let paramNames = space?.parameters.map(\.name) ?? Set(trials.flatMap { $0.params.keys }).sorted()
        let trialRows = trials.map { trial -> HTML in
            let params = paramNames.map { name -> HTML in "<td>\(trial.params[name].map(Self.parameterText) ?? "–")</td>" }
            let run: HTML = trial.runID.map { "<a href=\"/runs/\($0)\"><code>\($0.prefix(8))</code></a>" } ?? "–"
            let marker: HTML = trial.number == best?.number ? " ★" : .empty
            return "<tr><td class=\"num\">\(trial.number)\(marker)</td><td>\(trial.state.rawValue)</td><td class=\"num\">\(trial.value.map(NumberText.short) ?? "–")</td>\(params)<td>\(run)</td><td>\(trial.error ?? "")</td></tr>"
        }
        let paramHeaders = paramNames.map { name -> HTML in "<th>\(name)</th>" }
        let compare: HTML = {
            let ids = trials.compactMap(\.runID).prefix(20)
            return ids.isEmpty ? .empty : "<p><a href=\"/compare?runs=\(ids.joined(separator: ","))\">Compare the trials' runs</a></p>"
        }()
        let bestLine: HTML = best.map { "best: trial \($0.number), \(sweep.objective) = \(NumberText.short($0.value ?? .nan))" } ?? "no completed trial yet"
        return Layout.page(title: "Sweep \(sweep.name)", section: .sweeps, readOnly: readOnly, """
            <h1>Sweep \(sweep.name)</h1>
            <p><code>\(sweep.id)</code> · experiment <a href="/runs?experiment=\(urlComponent(sweep.experiment))">\(sweep.experiment)</a> · \(sweep.direction.rawValue) \(sweep.objective) · \(sweep.status.rawValue) · \(trials.count) trials · \(bestLine)</p>
            <div class="charts" id="sweep-charts">\(history)\(parallel)\(importance)\(intermediate)</div>
            <h2>Rungs</h2>\(rungs.isEmpty ? "<p class=\"muted\">No intermediate values reported.</p>" as HTML : "<table id=\"rungs\"><thead><tr><th>resource</th><th>trials reported</th><th>best</th><th>median</th></tr></thead><tbody>\(rungs)</tbody></table>" as HTML)
            <h2>Trials</h2>\(compare)
            <table id="trials"><thead><tr><th>#</th><th>state</th><th>\(sweep.objective)</th>\(paramHeaders)<th>run</th><th>error</th></tr></thead><tbody>\(trialRows)</tbody></table>
            <h2>Specification</h2><pre><code>\(sweep.spec)</code></pre>
            """)
    }

    /// Axes: each parameter (log scale for log-uniform ones, categories for choices and text),
    /// then the objective, which also colours the lines.
    static func parallelCoordinates(_ trials: [TrialRecord], space: SearchSpace?, objective: String) -> HTML {
        let finished = trials.filter { $0.value?.isFinite ?? false }
        let names = space?.parameters.map(\.name) ?? Set(finished.flatMap { $0.params.keys }).sorted()
        var axes: [SVGChart.Axis] = []
        for name in names {
            let values = finished.map { $0.params[name] }
            let distribution = space?.parameters.first { $0.name == name }?.distribution
            let numeric = values.allSatisfy { $0 == nil || $0?.number != nil }
            var isChoice = false
            if case .choice? = distribution { isChoice = true }
            if numeric && !isChoice {
                var logarithmic = false
                if case .logUniform? = distribution { logarithmic = true }
                if case .integer(_, _, _, let log)? = distribution { logarithmic = log }
                axes.append(SVGChart.Axis(name: name, values: values.map { $0?.number }, logarithmic: logarithmic))
            } else {
                let categories = Array(Set(values.compactMap { $0?.description })).sorted()
                axes.append(SVGChart.Axis(
                    name: name, values: values.map { value in value.flatMap { categories.firstIndex(of: $0.description) }.map(Double.init) },
                    categories: categories))
            }
        }
        axes.append(SVGChart.Axis(name: objective, values: finished.map(\.value)))
        return SVGChart.parallelCoordinates(title: "Parallel coordinates", axes: axes, colourBy: objective)
    }
}
