/// Reads the LIBSVM sparse text format, one row per line: `label index:value index:value …`
/// with 1-based, strictly increasing indices (as LIBSVM's own tools require), into a dense
/// ``Dataset`` whose features are named `f1`…`fN`. Features a row omits are 0.
enum LIBSVMParser {
    static func read(
        path: String, bytes: UnsafeBufferPointer<UInt8>, labelName: String, featureCount expected: Int?,
        fingerprint: String
    ) throws -> Dataset {
        // The file is read once into sparse form because the width is known only at its end.
        var labels: [Float] = []
        var rowEnds: [Int] = []
        var indices: [Int32] = []
        var values: [Float] = []
        var widest = 0
        var numbers = NumberParser()
        var position = 0
        var line = 0

        while position < bytes.count {
            line += 1
            var end = position
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let text = UnsafeBufferPointer(rebasing: bytes[position..<end])
            position = end + 1
            var tokens = Tokens(text)
            guard let labelToken = tokens.next() else {
                if bytes[min(position, bytes.count)...].allSatisfy(isLineSpace) { break }
                throw DatasetError(.malformedRow, path: path, line: line, message: "empty line inside the data")
            }
            guard let label = numbers.float(labelToken) else {
                throw DatasetError(
                    .invalidValue, path: path, line: line, column: labelName,
                    message: "label \(quoted(labelToken)) is not a finite number")
            }
            labels.append(label)
            var previous = 0
            while let token = tokens.next() {
                guard let colon = token.firstIndex(of: UInt8(ascii: ":")),
                    let index = NumberParser.index(UnsafeBufferPointer(rebasing: token[..<colon])), index > previous
                else {
                    throw DatasetError(
                        .malformedRow, path: path, line: line,
                        message: "\(quoted(token)) is not index:value with a 1-based index above \(previous)")
                }
                guard let value = numbers.float(UnsafeBufferPointer(rebasing: token[(colon + 1)...])) else {
                    throw DatasetError(
                        .invalidValue, path: path, line: line, column: "f\(index)",
                        message: "\(quoted(token)) does not hold a finite number")
                }
                if let expected, index > expected {
                    throw DatasetError(
                        .featureCountMismatch, path: path, line: line, column: "f\(index)",
                        message: "index \(index) is beyond the expected \(expected) features")
                }
                indices.append(Int32(index - 1))
                values.append(value)
                previous = index
            }
            widest = max(widest, previous)
            rowEnds.append(indices.count)
        }

        let width = expected ?? widest
        var features = [Float](repeating: 0, count: labels.count * width)
        var entry = 0
        for (row, rowEnd) in rowEnds.enumerated() {
            while entry < rowEnd {
                features[row * width + Int(indices[entry])] = values[entry]
                entry += 1
            }
        }
        return Dataset(
            source: path, featureNames: (0..<width).map { "f\($0 + 1)" }, labelName: labelName,
            features: features, labels: labels, fingerprint: fingerprint)
    }

    private static func isLineSpace(_ byte: UInt8) -> Bool {
        NumberParser.isBlank(byte) || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        DatasetError.quoted(String(decoding: bytes, as: UTF8.self))
    }

    /// The whitespace-separated tokens of one line (a trailing `\r` counts as whitespace).
    private struct Tokens {
        let text: UnsafeBufferPointer<UInt8>
        var position = 0

        init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

        mutating func next() -> UnsafeBufferPointer<UInt8>? {
            while position < text.count, LIBSVMParser.isLineSpace(text[position]) { position += 1 }
            guard position < text.count else { return nil }
            let start = position
            while position < text.count, !LIBSVMParser.isLineSpace(text[position]) { position += 1 }
            return UnsafeBufferPointer(rebasing: text[start..<position])
        }
    }
}
