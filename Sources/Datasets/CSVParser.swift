import Foundation

private let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")

/// Reads a CSV file (RFC 4180: a header row, `,` separators, `"`-quoted fields that may hold
/// commas, doubled quotes and line breaks, LF or CRLF line ends) into a ``Dataset``.
///
/// It walks the file's bytes once, records each field as a byte range and parses numbers in
/// place, so a 100 MB file costs no per-field allocation. Line numbers in errors are those
/// where the faulty record starts, counting the header as line 1.
struct CSVParser {
    /// A field's bytes are `bytes[start..<end]`, quotes removed; doubled quotes still doubled.
    private struct Field {
        var start: Int
        var end: Int
        var hasDoubledQuote: Bool
    }

    /// Thrown internally when a label is not a number: the file is then read again with text labels.
    private struct TextLabelFound: Error {}

    private let path: String
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var line = 1
    private var fields: [Field] = []

    private init(path: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.path = path
        self.bytes = bytes
        // A UTF-8 byte order mark, as spreadsheet exports write, is not part of the first name.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    /// Reads the whole file. Labels are tried as numbers first; if one is not a number, the
    /// file is read again taking every label as a class name (classes sorted, labels indices).
    /// With `labelRequired` false, a file without the label column reads as unlabelled
    /// (every label 0, `labelName` empty), as prediction inputs are.
    static func read(
        path: String, bytes: UnsafeBufferPointer<UInt8>, label: String?, labelRequired: Bool = true,
        fingerprint: String
    ) throws -> Dataset {
        do {
            var parser = CSVParser(path: path, bytes: bytes)
            return try parser.read(label: label, labelRequired: labelRequired, textLabels: false, fingerprint: fingerprint)
        } catch is TextLabelFound {
            var parser = CSVParser(path: path, bytes: bytes)
            return try parser.read(label: label, labelRequired: labelRequired, textLabels: true, fingerprint: fingerprint)
        }
    }

    private mutating func read(label: String?, labelRequired: Bool, textLabels: Bool, fingerprint: String) throws
        -> Dataset
    {
        guard try nextRecord() != nil, !isBlankRecord else {
            throw DatasetError(.emptyFile, path: path, message: "no header row; a CSV dataset starts with column names")
        }
        let header = fields.map(text)
        let labelIndex: Int
        do {
            labelIndex = try labelColumn(in: header, named: label)
        } catch let error as DatasetError where !labelRequired && error.code == .missingLabelColumn {
            labelIndex = -1
        }
        var features: [Float] = []
        var labels: [Float] = []
        var classIDs: [String: Int] = [:]
        var numbers = NumberParser()

        while let recordLine = try nextRecord() {
            if isBlankRecord {
                if restIsBlank() { break }
                throw DatasetError(
                    .malformedRow, path: path, line: recordLine,
                    message: "empty line inside the data; expected \(header.count) fields")
            }
            guard fields.count == header.count else {
                throw DatasetError(
                    .malformedRow, path: path, line: recordLine,
                    message: "expected \(header.count) fields as in the header, found \(fields.count)")
            }
            for (column, field) in fields.enumerated() {
                let value = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
                if column == labelIndex && textLabels {
                    let name = text(field)
                    guard !name.isEmpty else { throw missing(header[column], recordLine) }
                    let id = classIDs[name] ?? classIDs.count
                    classIDs[name] = id
                    labels.append(Float(id))
                } else if let number = numbers.float(value) {
                    if column == labelIndex { labels.append(number) } else { features.append(number) }
                } else if value.allSatisfy(NumberParser.isBlank) {
                    throw missing(header[column], recordLine)
                } else if column == labelIndex {
                    throw TextLabelFound()
                } else {
                    throw DatasetError(
                        .invalidValue, path: path, line: recordLine, column: header[column],
                        message: "\(DatasetError.quoted(text(field))) is not a finite number")
                }
            }
        }

        var classNames: [String]? = nil
        if textLabels {
            let sorted = classIDs.keys.sorted()
            var sortedID = [Float](repeating: 0, count: sorted.count)
            for (position, name) in sorted.enumerated() { sortedID[classIDs[name]!] = Float(position) }
            labels = labels.map { sortedID[Int($0)] }
            classNames = sorted
        }
        var featureNames = header
        if labelIndex < 0 {
            return Dataset(
                source: path, featureNames: featureNames, labelName: "", features: features,
                labels: [Float](repeating: 0, count: features.count / max(header.count, 1)), fingerprint: fingerprint)
        }
        featureNames.remove(at: labelIndex)
        return Dataset(
            source: path, featureNames: featureNames, labelName: header[labelIndex], features: features,
            labels: labels, classNames: classNames, fingerprint: fingerprint)
    }

    /// The label column: the one named, else `label`, else `target`.
    private func labelColumn(in header: [String], named name: String?) throws -> Int {
        let candidates = name.map { [$0] } ?? ["label", "target"]
        for candidate in candidates {
            if let index = header.firstIndex(of: candidate) { return index }
        }
        let wanted = name.map { "no column '\($0)'" } ?? "no column named 'label' or 'target'"
        throw DatasetError(
            .missingLabelColumn, path: path, line: 1,
            message: "\(wanted) for the label; columns are: \(header.joined(separator: ", ")); name one with `label`")
    }

    private func missing(_ column: String, _ line: Int) -> DatasetError {
        DatasetError(
            .missingValue, path: path, line: line, column: column, message: "empty value; fill or drop the row")
    }

    /// Splits the next record into `fields` and returns the line it starts on, or nil at the end.
    private mutating func nextRecord() throws -> Int? {
        guard position < bytes.count else { return nil }
        let startLine = line
        fields.removeAll(keepingCapacity: true)
        while true {
            if bytes[position] == quote {
                try readQuotedField(startLine: startLine)
            } else {
                let start = position
                while position < bytes.count, bytes[position] != comma, bytes[position] != newline { position += 1 }
                // The `\r` of a CRLF line end is not part of the last field.
                let crlf = position > start && bytes[position - 1] == carriageReturn && atRecordEnd
                fields.append(Field(start: start, end: crlf ? position - 1 : position, hasDoubledQuote: false))
            }
            guard position < bytes.count, bytes[position] == comma else { break }
            position += 1
            if position == bytes.count {
                fields.append(Field(start: position, end: position, hasDoubledQuote: false))
                break
            }
        }
        if position < bytes.count {  // at the record's line break
            position += 1
            line += 1
        }
        return startLine
    }

    /// Reads a field starting at an opening quote, up to and past its closing quote.
    private mutating func readQuotedField(startLine: Int) throws {
        position += 1
        let start = position
        var doubled = false
        while true {
            guard position < bytes.count else {
                throw DatasetError(
                    .malformedRow, path: path, line: startLine,
                    message: "quoted field is never closed; check for a stray '\"'")
            }
            if bytes[position] == quote {
                guard position + 1 < bytes.count, bytes[position + 1] == quote else { break }
                doubled = true
                position += 2
                continue
            }
            if bytes[position] == newline { line += 1 }
            position += 1
        }
        fields.append(Field(start: start, end: position, hasDoubledQuote: doubled))
        position += 1
        if position < bytes.count, bytes[position] == carriageReturn { position += 1 }
        guard atRecordEnd || bytes[position] == comma else {
            throw DatasetError(
                .malformedRow, path: path, line: startLine,
                message: "unexpected text after a closing quote; a quote inside a quoted field is written \"\"")
        }
    }

    /// Whether `position` is at a line break or the end of the file.
    private var atRecordEnd: Bool { position == bytes.count || bytes[position] == newline }

    /// Whether the record just read is an empty line.
    private var isBlankRecord: Bool { fields.count == 1 && fields[0].start == fields[0].end }

    /// Whether only line breaks remain, which trailing empty lines are allowed to be.
    private func restIsBlank() -> Bool {
        bytes[position...].allSatisfy { $0 == newline || $0 == carriageReturn }
    }

    private func text(_ field: Field) -> String {
        let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]), as: UTF8.self)
        return field.hasDoubledQuote ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
    }
}
