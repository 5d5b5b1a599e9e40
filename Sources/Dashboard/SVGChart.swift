import Foundation

/// Charts drawn on the server as inline SVG: every chart has a title, labelled axes with ticks,
/// and a legend when it shows more than one series. Non-finite values are left out.
public enum SVGChart {
    /// One named line of a line chart.
    public struct Series: Sendable {
        public var label: String
        public var points: [(x: Double, y: Double)]

        public init(label: String, points: [(x: Double, y: Double)]) {
            self.label = label
            self.points = points
        }
    }

    /// One point of a scatter chart; `label` becomes its tooltip, `group` picks its colour.
    public struct Dot: Sendable {
        public var x: Double
        public var y: Double
        public var label: String
        public var group: Int

        public init(x: Double, y: Double, label: String, group: Int = 0) {
            self.x = x
            self.y = y
            self.label = label
            self.group = group
        }
    }

    /// One vertical axis of a parallel-coordinates chart: numeric values, or categories.
    public struct Axis: Sendable {
        public var name: String
        /// Per line: the position on this axis (numbers), nil when the line has no value.
        public var values: [Double?]
        /// For a categorical axis, the category names; values are their indices.
        public var categories: [String]?
        /// Whether the axis is drawn on a log scale (positive values only).
        public var logarithmic: Bool

        public init(name: String, values: [Double?], categories: [String]? = nil, logarithmic: Bool = false) {
            self.name = name
            self.values = values
            self.categories = categories
            self.logarithmic = logarithmic
        }
    }

    /// Colour-blind-friendly palette (Okabe–Ito), in legend order.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

    static func colour(_ index: Int) -> String { palette[((index % palette.count) + palette.count) % palette.count] }

    static let width = 600.0, height = 290.0
    static let left = 64.0, right = 20.0, top = 34.0, bottom = 46.0

    // MARK: Line chart

    /// Lines over a shared x axis (e.g. a metric by step for several runs).
    /// Past `legendLimit` series the legend is left out (each line keeps its name as a tooltip).
    public static func line(
        title: String, xLabel: String, yLabel: String, series: [Series], id: String? = nil, legendLimit: Int = 12
    ) -> HTML {
        let kept = series.map { Series(label: $0.label, points: $0.points.filter { $0.x.isFinite && $0.y.isFinite }) }
        let xs = kept.flatMap { $0.points.map(\.x) }, ys = kept.flatMap { $0.points.map(\.y) }
        guard !xs.isEmpty else { return empty(title: title, message: "no finite values to plot") }
        let legendRows = kept.count > 1 && kept.count <= legendLimit ? kept.count : 0
        let plotBottom = height - bottom
        let xScale = ChartScale(covering: xs, pixels: (left, width - right))
        let yScale = ChartScale(covering: ys, pixels: (plotBottom, top))
        var body = axes(title: title, xLabel: xLabel, yLabel: yLabel, x: xScale, y: yScale)
        for (index, line) in kept.enumerated() {
            let sorted = line.points.sorted { $0.x < $1.x }
            let path = sorted.map { "\(fmt(xScale.pixel($0.x))),\(fmt(yScale.pixel($0.y)))" }.joined(separator: " ")
            body += "<polyline fill=\"none\" stroke=\"\(colour(index))\" stroke-width=\"2\" points=\"\(path)\"><title>\(esc(line.label))</title></polyline>"
            if sorted.count <= 40 {
                for point in sorted {
                    body += "<circle cx=\"\(fmt(xScale.pixel(point.x)))\" cy=\"\(fmt(yScale.pixel(point.y)))\" r=\"2.5\" fill=\"\(colour(index))\"><title>\(esc(line.label)): \(NumberText.short(point.x)), \(NumberText.short(point.y))</title></circle>"
                }
            }
        }
        body += legend(kept.map(\.label), rows: legendRows)
        return svg(body, title: title, id: id, extraHeight: legendHeight(legendRows))
    }

    // MARK: Scatter

    /// Dots, optionally with a step line through them (e.g. best value so far).
    public static func scatter(
        title: String, xLabel: String, yLabel: String, dots: [Dot], groups: [String], stepLine: Series? = nil
    ) -> HTML {
        let kept = dots.filter { $0.x.isFinite && $0.y.isFinite }
        guard !kept.isEmpty else { return empty(title: title, message: "no finished trials with a value yet") }
        let xScale = ChartScale(covering: kept.map(\.x), pixels: (left, width - right))
        let yScale = ChartScale(covering: kept.map(\.y), pixels: (height - bottom, top))
        var body = axes(title: title, xLabel: xLabel, yLabel: yLabel, x: xScale, y: yScale)
        if let stepLine, !stepLine.points.isEmpty {
            var path: [String] = []
            for (index, point) in stepLine.points.enumerated() {
                if index > 0 { path.append("\(fmt(xScale.pixel(point.x))),\(fmt(yScale.pixel(stepLine.points[index - 1].y)))") }
                path.append("\(fmt(xScale.pixel(point.x))),\(fmt(yScale.pixel(point.y)))")
            }
            body += "<polyline fill=\"none\" stroke=\"#D55E00\" stroke-width=\"2\" points=\"\(path.joined(separator: " "))\"><title>\(esc(stepLine.label))</title></polyline>"
        }
        for dot in kept {
            body += "<circle cx=\"\(fmt(xScale.pixel(dot.x)))\" cy=\"\(fmt(yScale.pixel(dot.y)))\" r=\"4\" fill=\"\(colour(dot.group))\" fill-opacity=\"0.8\"><title>\(esc(dot.label))</title></circle>"
        }
        var labels = groups
        if let stepLine { labels.append(stepLine.label) }
        let rows = labels.count > 1 ? labels.count : 0
        var colours = groups.indices.map(colour)
        if stepLine != nil { colours.append("#D55E00") }
        body += legend(labels, rows: rows, colours: colours)
        return svg(body, title: title, id: nil, extraHeight: legendHeight(rows))
    }

    // MARK: Bars

    /// Horizontal bars, one per label, longest first as given.
    public static func bars(title: String, valueLabel: String, labels: [String], values: [Double]) -> HTML {
        guard !labels.isEmpty else { return empty(title: title, message: "nothing to show yet") }
        let rowHeight = 24.0
        let labelWidth = min(220, 12 + 7 * Double(labels.map(\.count).max() ?? 8))
        let chartHeight = top + rowHeight * Double(labels.count) + bottom
        let xScale = ChartScale(covering: values + [0], pixels: (labelWidth, width - right - 40), includeZero: true)
        var body = "<text x=\"\(fmt(width / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(esc(title))</text>"
        for tick in xScale.ticks(5) {
            let x = fmt(xScale.pixel(tick))
            body += "<line x1=\"\(x)\" y1=\"\(fmt(top))\" x2=\"\(x)\" y2=\"\(fmt(chartHeight - bottom))\" class=\"grid\"/>"
            body += "<text x=\"\(x)\" y=\"\(fmt(chartHeight - bottom + 16))\" text-anchor=\"middle\" class=\"tick\">\(NumberText.tick(tick))</text>"
        }
        for (index, label) in labels.enumerated() {
            let y = top + rowHeight * Double(index)
            let value = values[index].isFinite ? values[index] : 0
            let x0 = xScale.pixel(0), x1 = xScale.pixel(value)
            body += "<text x=\"\(fmt(labelWidth - 6))\" y=\"\(fmt(y + rowHeight * 0.65))\" text-anchor=\"end\" class=\"label\">\(esc(label))</text>"
            body += "<rect x=\"\(fmt(min(x0, x1)))\" y=\"\(fmt(y + 4))\" width=\"\(fmt(abs(x1 - x0)))\" height=\"\(fmt(rowHeight - 8))\" fill=\"\(colour(0))\"><title>\(esc(label)): \(NumberText.short(values[index]))</title></rect>"
            body += "<text x=\"\(fmt(max(x0, x1) + 4))\" y=\"\(fmt(y + rowHeight * 0.65))\" class=\"tick\">\(NumberText.short(values[index]))</text>"
        }
        body += "<text x=\"\(fmt((labelWidth + width - right) / 2))\" y=\"\(fmt(chartHeight - 8))\" text-anchor=\"middle\" class=\"axis-label\">\(esc(valueLabel))</text>"
        return svg(body, title: title, id: nil, extraHeight: chartHeight - height)
    }

    // MARK: Histogram

    /// Reference and current shares over the same bins, side by side in each bin.
    public static func histogram(
        title: String, xLabel: String, edges: [Double], reference: [Double], current: [Double]?,
        labels: (reference: String, current: String) = ("reference (training)", "current")
    ) -> HTML {
        guard edges.count == reference.count + 1, !reference.isEmpty else {
            return empty(title: title, message: "no histogram in the profile")
        }
        let shares = reference + (current ?? [])
        let xScale = ChartScale(covering: [edges.first!, edges.last!], pixels: (left, width - right))
        let yScale = ChartScale(covering: shares + [0], pixels: (height - bottom, top), includeZero: true)
        var body = axes(title: title, xLabel: xLabel, yLabel: "share of rows", x: xScale, y: yScale)
        let base = yScale.pixel(0)
        for bin in reference.indices {
            let x0 = xScale.pixel(edges[bin]), x1 = xScale.pixel(edges[bin + 1])
            let span = max(x1 - x0 - 1, 1)
            let columns = current == nil ? [(reference[bin], 0)] : [(reference[bin], 0), (current![bin], 1)]
            let each = span / Double(columns.count)
            for (offset, (share, series)) in columns.enumerated() {
                let top = yScale.pixel(share)
                let name = series == 0 ? labels.reference : labels.current
                body += "<rect x=\"\(fmt(x0 + 0.5 + each * Double(offset)))\" y=\"\(fmt(top))\" width=\"\(fmt(each))\" height=\"\(fmt(max(base - top, 0)))\" fill=\"\(colour(series))\" fill-opacity=\"0.85\"><title>\(esc(name)) [\(NumberText.short(edges[bin])), \(NumberText.short(edges[bin + 1]))): \(NumberText.short(share))</title></rect>"
            }
        }
        let names = current == nil ? [labels.reference] : [labels.reference, labels.current]
        body += legend(names, rows: names.count)
        return svg(body, title: title, id: nil, extraHeight: legendHeight(names.count))
    }

    // MARK: Parallel coordinates

    /// One polyline per item across vertical axes; lines are coloured from `colourValues`
    /// (low = blue, high = orange), whose axis is drawn last.
    public static func parallelCoordinates(title: String, axes: [Axis], colourBy: String) -> HTML {
        guard axes.count >= 2, let count = axes.first?.values.count, count > 0 else {
            return empty(title: title, message: "needs at least one parameter and one finished trial")
        }
        let plotTop = top + 14, plotBottom = height - bottom
        let step = (width - left - right) / Double(axes.count - 1)
        var scales: [ChartScale] = []
        for axis in axes {
            let values = axis.values.compactMap { $0 }.map { axis.logarithmic ? log10($0) : $0 }
            if let categories = axis.categories {
                scales.append(ChartScale(covering: [-0.5, Double(categories.count) - 0.5], pixels: (plotBottom, plotTop)))
            } else {
                scales.append(ChartScale(covering: values, pixels: (plotBottom, plotTop)))
            }
        }
        let colourAxis = axes[axes.count - 1]
        let colourScale = scales[axes.count - 1]
        var body = "<text x=\"\(fmt(width / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(esc(title))</text>"
        for item in 0..<count {
            var points: [String] = []
            for (index, axis) in axes.enumerated() {
                guard let raw = axis.values[item] else { continue }
                let value = axis.logarithmic ? log10(raw) : raw
                guard value.isFinite else { continue }
                points.append("\(fmt(left + step * Double(index))),\(fmt(scales[index].pixel(value)))")
            }
            let fraction: Double
            if let value = colourAxis.values[item], value.isFinite {
                fraction = (value - colourScale.lower) / (colourScale.upper - colourScale.lower)
            } else {
                fraction = 0
            }
            body += "<polyline fill=\"none\" stroke=\"\(gradient(fraction))\" stroke-opacity=\"0.75\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
        }
        for (index, axis) in axes.enumerated() {
            let x = left + step * Double(index)
            let scale = scales[index]
            body += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(plotTop))\" x2=\"\(fmt(x))\" y2=\"\(fmt(plotBottom))\" class=\"axis\"/>"
            let anchor = index == 0 ? "start" : index == axes.count - 1 ? "end" : "middle"
            body += "<text x=\"\(fmt(x))\" y=\"\(fmt(plotBottom + 18))\" text-anchor=\"\(anchor)\" class=\"axis-label\">\(esc(axis.name))</text>"
            let ticks: [(Double, String)]
            if let categories = axis.categories {
                ticks = categories.enumerated().map { (Double($0.offset), $0.element) }
            } else {
                // On a log axis, whole powers of ten when the range spans at least two of them.
                let decades = Array(Int(scale.lower.rounded(.up))...max(Int(scale.lower.rounded(.up)), Int(scale.upper.rounded(.down))))
                    .map(Double.init).filter { $0 >= scale.lower && $0 <= scale.upper }
                let values = axis.logarithmic && decades.count >= 2 ? decades : scale.ticks(5)
                ticks = values.map { ($0, NumberText.short(axis.logarithmic ? pow(10, $0) : $0)) }
            }
            // The last axis sits at the right edge: its tick labels go on its left.
            let last = index == axes.count - 1
            for (value, label) in ticks {
                let y = fmt(scale.pixel(value))
                body += "<line x1=\"\(fmt(x - 3))\" y1=\"\(y)\" x2=\"\(fmt(x + 3))\" y2=\"\(y)\" class=\"axis\"/>"
                body += "<text x=\"\(fmt(last ? x - 5 : x + 5))\" y=\"\(fmt(scale.pixel(value) + 4))\" text-anchor=\"\(last ? "end" : "start")\" class=\"tick pc-tick\">\(esc(label))</text>"
            }
        }
        body += "<text x=\"\(fmt(width - right))\" y=\"\(fmt(height - 8))\" text-anchor=\"end\" class=\"tick\">colour: \(esc(colourBy)) (blue low, orange high)</text>"
        return svg(body, title: title, id: nil, extraHeight: 0)
    }

    // MARK: Pieces

    static func axes(title: String, xLabel: String, yLabel: String, x: ChartScale, y: ChartScale) -> String {
        let plotBottom = height - bottom
        var body = "<text x=\"\(fmt(width / 2))\" y=\"18\" class=\"title\" text-anchor=\"middle\">\(esc(title))</text>"
        for tick in y.ticks(5) {
            let py = fmt(y.pixel(tick))
            body += "<line x1=\"\(fmt(left))\" y1=\"\(py)\" x2=\"\(fmt(width - right))\" y2=\"\(py)\" class=\"grid\"/>"
            body += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y.pixel(tick) + 4))\" text-anchor=\"end\" class=\"tick\">\(NumberText.tick(tick))</text>"
        }
        for tick in x.ticks(6) {
            let px = fmt(x.pixel(tick))
            body += "<line x1=\"\(px)\" y1=\"\(fmt(plotBottom))\" x2=\"\(px)\" y2=\"\(fmt(plotBottom + 4))\" class=\"axis\"/>"
            body += "<text x=\"\(px)\" y=\"\(fmt(plotBottom + 17))\" text-anchor=\"middle\" class=\"tick\">\(NumberText.tick(tick))</text>"
        }
        body += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(plotBottom))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(plotBottom))\" class=\"axis\"/>"
        body += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" x2=\"\(fmt(left))\" y2=\"\(fmt(plotBottom))\" class=\"axis\"/>"
        body += "<text x=\"\(fmt((left + width - right) / 2))\" y=\"\(fmt(height - 8))\" text-anchor=\"middle\" class=\"axis-label\">\(esc(xLabel))</text>"
        body += "<text transform=\"translate(14,\(fmt((top + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">\(esc(yLabel))</text>"
        return body
    }

    static func legendHeight(_ rows: Int) -> Double { rows == 0 ? 0 : Double(rows) * 16 + 6 }

    static func legend(_ labels: [String], rows: Int, colours: [String]? = nil) -> String {
        guard rows > 0 else { return "" }
        var body = ""
        for (index, label) in labels.enumerated() {
            let y = height + 4 + Double(index) * 16
            let colour = colours?[index] ?? colour(index)
            body += "<rect x=\"\(fmt(left))\" y=\"\(fmt(y))\" width=\"14\" height=\"10\" fill=\"\(colour)\"/>"
            body += "<text x=\"\(fmt(left + 20))\" y=\"\(fmt(y + 9))\" class=\"legend\">\(esc(label))</text>"
        }
        return body
    }

    static func svg(_ body: String, title: String, id: String?, extraHeight: Double) -> HTML {
        let h = fmt(height + extraHeight)
        let idAttribute = id.map { " id=\"\(esc($0))\"" } ?? ""
        return .trusted(
            "<svg class=\"chart\"\(idAttribute) xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(h)\" width=\"\(fmt(width))\" height=\"\(h)\" role=\"img\" aria-label=\"\(esc(title))\">"
                + body + "</svg>")
    }

    static func empty(title: String, message: String) -> HTML {
        "<p class=\"chart-empty\"><strong>\(title)</strong>: \(message)</p>"
    }

    /// Blue (0) through grey to orange (1).
    static func gradient(_ fraction: Double) -> String {
        let t = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        let from = (0.0, 114.0, 178.0), to = (230.0, 159.0, 0.0)
        let r = Int(from.0 + (to.0 - from.0) * t), g = Int(from.1 + (to.1 - from.1) * t), b = Int(from.2 + (to.2 - from.2) * t)
        return "rgb(\(r),\(g),\(b))"
    }

    static func esc(_ text: String) -> String { HTML.escape(text) }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
