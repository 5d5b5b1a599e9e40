/// What a model answered for the rows of one request.
struct Prediction: Sendable {
    enum Kind: Sendable {
        /// Class index per row, and the class names by index.
        case classifier(labels: [Int], classes: [String])
        case regressor
    }

    var rows: Int
    /// Values per row: class probabilities (one per class, also for binary models) or
    /// regression outputs.
    var width: Int
    /// (rows, width) row-major.
    var outputs: [Float]
    var kind: Kind

    /// Reads the network's transformed outputs (``Learning/Network/predict(_:batch:into:)``)
    /// for `rows` rows of `columns` values.
    init(rows: Int, columns: Int, outputs raw: UnsafeBufferPointer<Float>, classes: [String]?) {
        self.rows = rows
        guard let classes else {
            width = columns
            outputs = Array(raw)
            kind = .regressor
            return
        }
        if columns == 1 {
            // A sigmoid output is P(class 1); report both classes like softmax models do.
            width = 2
            outputs = raw.flatMap { [1 - $0, $0] }
            kind = .classifier(labels: raw.map { $0 > 0.5 ? 1 : 0 }, classes: classes)
            return
        }
        width = columns
        outputs = Array(raw)
        var labels: [Int] = []
        labels.reserveCapacity(rows)
        for r in 0..<rows {
            var best = 0
            for c in 1..<columns where raw[r * columns + c] > raw[r * columns + best] { best = c }
            labels.append(best)
        }
        kind = .classifier(labels: labels, classes: classes)
    }

    func rowsOfOutputs() -> [[Float]] {
        (0..<rows).map { Array(outputs[($0 * width)..<(($0 + 1) * width)]) }
    }
}
