import Testing
@testable import Dashboard

@Suite struct SVGChartTests {
    @Test func ticksAreRoundNumbersInsideTheDomain() {
        let unit = ChartScale(covering: [0, 1], pixels: (0, 100))
        #expect(unit.ticks(5).map { ($0 * 10).rounded() / 10 } == [0, 0.2, 0.4, 0.6, 0.8, 1], "steps of 0.2, up to rounding")
        let wide = ChartScale(covering: [13, 987], pixels: (0, 100))
        #expect(wide.ticks(5) == [200, 400, 600, 800])
        let flat = ChartScale(covering: [3, 3], pixels: (0, 100))
        #expect(flat.lower < 3 && flat.upper > 3, "a constant series still gets a visible range")
        #expect(unit.pixel(0.5) == 50)
    }

    @Test func numbersAreShortAndAxisLabelsCompact() {
        #expect(NumberText.short(0.98613) == "0.9861")
        #expect(NumberText.short(3) == "3")
        #expect(NumberText.short(0.00012345) == "0.000123")
        #expect(NumberText.tick(120_000) == "120k")
        #expect(NumberText.tick(2_500_000) == "2.5M")
        #expect(NumberText.short(.nan) == "NaN")
    }

    @Test func interpolationEscapesTextButNotMarkup() {
        let name = "<img src=x onerror=alert(1)> & \"quotes\" 'single'"
        let inner: HTML = "<b>\(name)</b>"
        let page: HTML = "<p title=\"\(name)\">\(inner)</p>"
        #expect(page.text == "<p title=\"&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;single&#39;\"><b>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;single&#39;</b></p>")
    }

    @Test func lineChartLabelsAxesEscapesLegendsAndSkipsNonFiniteValues() {
        let chart = SVGChart.line(
            title: "loss <1>", xLabel: "step", yLabel: "loss",
            series: [.init(label: "<a>", points: [(1, 2), (2, .nan), (3, 1)]), .init(label: "b", points: [(1, 3), (3, .infinity)])]).text
        #expect(chart.contains("aria-label=\"loss &lt;1&gt;\"") && chart.contains(">step</text>") && chart.contains(">loss</text>"))
        #expect(chart.contains(">&lt;a&gt;</text>") && !chart.contains("<a>"), "legend entries are escaped")
        #expect(!chart.contains("nan") && !chart.contains("inf"))
        #expect(chart.components(separatedBy: "<polyline").count - 1 == 2)
        let empty = SVGChart.line(title: "t", xLabel: "x", yLabel: "y", series: [.init(label: "s", points: [(1, .nan)])]).text
        #expect(empty.contains("no finite values"))
    }

    @Test func histogramsPairReferenceAndCurrentBarsInEveryBin() {
        let chart = SVGChart.histogram(title: "f", xLabel: "f", edges: [0, 1, 2, 3], reference: [0.2, 0.5, 0.3], current: [0.1, 0.1, 0.8]).text
        #expect(chart.components(separatedBy: "<rect").count - 1 == 6 + 2, "6 bars and 2 legend swatches")
        #expect(chart.contains(">reference (training)</text>") && chart.contains(">current</text>"))
    }

    @Test func parallelCoordinatesUseDecadesOnLogAxesAndCategoryNames() {
        let chart = SVGChart.parallelCoordinates(title: "pc", axes: [
            .init(name: "lr", values: [1e-4, 1e-3, 1e-2], logarithmic: true),
            .init(name: "hidden", values: [0, 1, 1], categories: ["[32]", "[64]"]),
            .init(name: "accuracy", values: [0.5, 0.9, 0.7]),
        ], colourBy: "accuracy").text
        for label in [">0.0001</text>", ">0.001</text>", ">0.01</text>", ">[32]</text>", ">[64]</text>"] {
            #expect(chart.contains(label), "\(label)")
        }
        #expect(chart.components(separatedBy: "<polyline").count - 1 == 3)
    }
}
