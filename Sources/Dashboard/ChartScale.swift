import Foundation

/// A linear map from data values to pixels, with "nice" tick values (1, 2 or 5 × 10ⁿ apart).
struct ChartScale {
    var lower: Double
    var upper: Double
    var pixelLower: Double
    var pixelUpper: Double

    /// A scale covering `values` (non-finite ones ignored), widened a little when they are all equal.
    init(covering values: [Double], pixels: (Double, Double), includeZero: Bool = false) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if includeZero { low = min(low, 0); high = max(high, 0) }
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = abs(high) > 0 ? abs(high) * 0.05 : 1
            low -= pad
            high += pad
        }
        lower = low
        upper = high
        pixelLower = pixels.0
        pixelUpper = pixels.1
    }

    func pixel(_ value: Double) -> Double {
        pixelLower + (value - lower) / (upper - lower) * (pixelUpper - pixelLower)
    }

    /// About `count` round values inside the domain.
    func ticks(_ count: Int = 5) -> [Double] {
        let span = upper - lower
        guard span > 0, span.isFinite else { return [lower] }
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = (lower / step).rounded(.up) * step
        while value <= upper + step * 1e-9 && ticks.count < 50 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }
}

/// Short labels for axis ticks and table cells: up to 4 significant digits, no trailing zeros.
enum NumberText {
    static func short(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 { return String(format: "%.3g", value) }
        var text = String(format: "%.4g", value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Axis tick labels: like ``short(_:)``, with thousands and millions as `k` and `M` so that
    /// labels stay narrower than the margin.
    static func tick(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 && magnitude < 1e12 { return short(value / 1e6) + "M" }
        if magnitude >= 1e4 && magnitude < 1e6 { return short(value / 1e3) + "k" }
        return short(value)
    }

    /// Seconds as `1.2 s`, `3 min 4 s`, `2 h 5 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \((whole % 3600) / 60) min"
    }
}
