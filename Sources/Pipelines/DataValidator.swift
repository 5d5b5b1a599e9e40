import Foundation

/// The checks of a `validate-data` step on a CSV file: the expected columns, per-column
/// ranges, the share of missing values per column and a minimum row count. Rows are counted
/// from 1 after the header; a failure names the column and the first row at fault.
///
/// Read here rather than through `Datasets`, whose CSV reader rejects a missing value outright:
/// counting them is the point of this step.
struct DataValidator {
    var columns: [String]?
    var label: String?
    var ranges: [String: ClosedRange<Double>] = [:]
    /// Largest share of missing values a column may have (0: none).
    var maxMissing: Double = 0
    var minRows: Int = 0

    /// Values that count as missing (besides an empty field), compared case-insensitively.
    static let missingMarkers: Set<String> = ["na", "nan", "null", "none", "?"]

    struct Summary {
        var rows: Int
        var columns: [String]
    }

    func validate(_ url: URL) throws -> Summary {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw PipelineStepError(message: "\(url.path): cannot read the file")
        }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw PipelineStepError(message: "\(url.path): empty file, no header row") }
        let header = Self.fields(headerLine)
        if let columns {
            if let absent = columns.first(where: { !header.contains($0) }) {
                throw PipelineStepError(message: "\(url.path): column '\(absent)' is missing (header has \(header.count) columns)")
            }
            if let extra = header.first(where: { !columns.contains($0) }) {
                throw PipelineStepError(message: "\(url.path): column '\(extra)' is not in the expected columns")
            }
        }
        if let label, !header.contains(label) {
            throw PipelineStepError(message: "\(url.path): label column '\(label)' is missing")
        }
        for column in ranges.keys.sorted() where !header.contains(column) {
            throw PipelineStepError(message: "\(url.path): ranges names column '\(column)', which the file does not have")
        }
        let rows = lines.count - 1
        if rows < minRows {
            throw PipelineStepError(message: "\(url.path): \(rows) rows, fewer than min_rows \(minRows)")
        }
        var missing = [Int](repeating: 0, count: header.count)
        var firstMissing = [Int?](repeating: nil, count: header.count)
        let checked = header.enumerated().compactMap { index, name in ranges[name].map { (index, name, $0) } }
        for (offset, line) in lines.dropFirst().enumerated() {
            let row = offset + 1
            let values = Self.fields(line)
            guard values.count == header.count else {
                throw PipelineStepError(message: "\(url.path): row \(row) has \(values.count) fields, the header \(header.count)")
            }
            for (column, value) in values.enumerated() where Self.isMissing(value) {
                missing[column] += 1
                if firstMissing[column] == nil { firstMissing[column] = row }
            }
            for (column, name, range) in checked where !Self.isMissing(values[column]) {
                guard let number = Double(values[column].trimmingCharacters(in: .whitespaces)) else {
                    throw PipelineStepError(message: "\(url.path): row \(row), column '\(name)': '\(values[column])' is not a number")
                }
                guard range.contains(number) else {
                    throw PipelineStepError(message: "\(url.path): row \(row), column '\(name)': \(values[column]) is outside [\(Self.format(range.lowerBound)), \(Self.format(range.upperBound))]")
                }
            }
        }
        for (column, count) in missing.enumerated() where rows > 0 && Double(count) / Double(rows) > maxMissing {
            throw PipelineStepError(message: "\(url.path): column '\(header[column])': \(count) of \(rows) values missing (first at row \(firstMissing[column]!)), more than max_missing \(Self.format(maxMissing))")
        }
        return Summary(rows: rows, columns: header)
    }

    static func isMissing(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || missingMarkers.contains(trimmed.lowercased())
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    /// The fields of one CSV line; double quotes group a field and `""` inside them is a quote.
    static func fields<S: StringProtocol>(_ line: S) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else {
                            quoted = false
                            if next == "," { fields.append(current); current = "" } else { current.append(next) }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
