/// A small line chart in Unicode braille: each character cell holds 2×4 dots, so a
/// 60×10 cell chart resolves 120×40 points. The y axis is labelled with the series' max
/// (top) and min (bottom), the x axis with its first and last step.
struct LineChart {
    /// Plot area in character cells.
    var width = 60
    var height = 10

    /// The chart lines for `points` (step, value); non-finite values are left out and counted in the caption.
    func render(title: String, points: [(step: Int, value: Double)]) -> [String] {
        let finite = points.filter { $0.value.isFinite }
        let skipped = points.count - finite.count
        var caption = "\(title)  \(points.count) point\(points.count == 1 ? "" : "s")"
        if skipped > 0 { caption += ", \(skipped) not finite and not drawn" }
        guard let first = finite.first else { return [caption] }
        if let last = points.last { caption += ", last \(Format.number(last.value))" }

        let low = finite.map(\.value).min()!, high = finite.map(\.value).max()!
        let firstStep = finite.map(\.step).min()!, lastStep = finite.map(\.step).max()!
        let columns = width * 2, rows = height * 4
        func x(_ step: Int) -> Int {
            lastStep == firstStep ? columns / 2
                : Int((Double(step - firstStep) / Double(lastStep - firstStep) * Double(columns - 1)).rounded())
        }
        func y(_ value: Double) -> Int {
            high == low ? rows / 2 : Int(((high - value) / (high - low) * Double(rows - 1)).rounded())
        }

        // dots[row][column]: whether the dot is set; consecutive points are joined by straight segments.
        var dots = Array(repeating: Array(repeating: false, count: columns), count: rows)
        var previous = (x: x(first.step), y: y(first.value))
        dots[previous.y][previous.x] = true
        for point in finite.dropFirst() {
            let next = (x: x(point.step), y: y(point.value))
            let steps = max(abs(next.x - previous.x), abs(next.y - previous.y))
            for i in 0...max(steps, 0) {
                let t = steps == 0 ? 1 : Double(i) / Double(steps)
                let px = previous.x + Int((Double(next.x - previous.x) * t).rounded())
                let py = previous.y + Int((Double(next.y - previous.y) * t).rounded())
                dots[py][px] = true
            }
            previous = next
        }

        // Braille dot bits by (column within the cell, row within the cell).
        let bits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        let top = Format.number(high), bottom = Format.number(low)
        let labelWidth = max(top.count, bottom.count)
        func label(_ text: String) -> String { String(repeating: " ", count: labelWidth - text.count) + text }
        var lines = [caption]
        for cellRow in 0..<height {
            var text = ""
            for cellColumn in 0..<width {
                var code: UInt32 = 0x2800
                for dx in 0..<2 {
                    for dy in 0..<4 where dots[cellRow * 4 + dy][cellColumn * 2 + dx] { code |= bits[dx][dy] }
                }
                text.unicodeScalars.append(Unicode.Scalar(code)!)
            }
            let axis: String
            switch cellRow {
            case 0: axis = label(top) + " ┤"
            case height - 1: axis = label(bottom) + " ┤"
            default: axis = String(repeating: " ", count: labelWidth) + " │"
            }
            lines.append(axis + text)
        }
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: width))
        let left = "step \(firstStep)", right = "\(lastStep)"
        let gap = max(1, width - left.count - right.count)
        lines.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: gap) + right)
        return lines
    }
}
