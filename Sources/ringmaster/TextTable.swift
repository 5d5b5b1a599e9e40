/// A plain-text table: columns padded to their widest cell, two spaces apart, numbers
/// right-aligned. Widths count characters, which is right for the ASCII and Latin text
/// runs are named with.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// Columns whose cells are right-aligned.
    var rightAligned: Set<Int> = []

    init(headers: [String], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// The header line followed by one line per row, without trailing spaces.
    func lines() -> [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                let fill = String(repeating: " ", count: max(0, widths[column] - cell.count))
                if column > 0 { text += "  " }
                text += rightAligned.contains(column) ? fill + cell : cell + fill
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return [line(headers)] + rows.map(line)
    }
}
