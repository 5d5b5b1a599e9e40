import Datasets
import Foundation
import Learning
import RingmasterCore

/// Applies a model file to a dataset: checks the feature count, applies the saved
/// standardization and runs the network in batches.
struct ModelScoring {
    struct Score: Codable {
        var rows: Int
        var loss: Double
        var accuracy: Double?
        var r2: Double?
    }

    struct Prediction: Codable {
        var prediction: String
        var probabilities: [Float]
    }

    let model: ModelFile
    let batch = 256

    func prepared(_ dataset: Dataset) throws -> Dataset {
        let expected = model.architecture.inputs
        guard dataset.featureCount == expected else {
            throw CLIError(message: "\(dataset.source): has \(dataset.featureCount) features, the model expects \(expected) (\(model.featureNames.prefix(3).joined(separator: ", ")), …)")
        }
        guard let scaling = model.scaling else { return dataset }
        return dataset.standardized(with: scaling)
    }

    func score(_ raw: Dataset) throws -> Score {
        let dataset = try prepared(raw)
        let network = try model.makeNetwork(maxBatch: batch)
        var sums = (loss: 0.0, correct: 0, squared: 0.0)
        try forEachBatch(dataset) { x, y, rows in
            let r = network.evaluate(input: x, targets: y, batch: rows)
            sums.loss += r.lossSum
            sums.correct += r.correct
            sums.squared += r.squaredErrorSum
        }
        let n = Double(dataset.rowCount)
        if model.task == .regression {
            let mean = dataset.labels.reduce(0.0) { $0 + Double($1) } / n
            let total = dataset.labels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
            return Score(rows: dataset.rowCount, loss: sums.loss / n, r2: total > 0 ? 1 - sums.squared / total : nil)
        }
        return Score(rows: dataset.rowCount, loss: sums.loss / n, accuracy: Double(sums.correct) / n)
    }

    func predict(_ raw: Dataset) throws -> [Prediction] {
        let dataset = try prepared(raw)
        let network = try model.makeNetwork(maxBatch: batch)
        var result: [Prediction] = []
        result.reserveCapacity(dataset.rowCount)
        let classes = model.classLabels
        try forEachBatch(dataset) { x, _, rows in
            let outputs = network.predict(x, batch: rows)
            let width = outputs.count / rows
            for r in 0..<rows {
                let row = Array(outputs[(r * width)..<((r + 1) * width)])
                if model.task == .regression {
                    result.append(Prediction(prediction: "\(row[0])", probabilities: []))
                } else if width == 1 {
                    result.append(Prediction(prediction: classes[row[0] > 0.5 ? 1 : 0], probabilities: [1 - row[0], row[0]]))
                } else {
                    let best = row.indices.max { row[$0] < row[$1] }!
                    result.append(Prediction(prediction: classes[best], probabilities: row))
                }
            }
        }
        return result
    }

    private func forEachBatch(
        _ dataset: Dataset, _ body: (UnsafePointer<Float>, UnsafePointer<Float>, Int) throws -> Void
    ) throws {
        let width = dataset.featureCount
        try dataset.features.withUnsafeBufferPointer { x in
            try dataset.labels.withUnsafeBufferPointer { y in
                for start in stride(from: 0, to: dataset.rowCount, by: batch) {
                    let rows = min(batch, dataset.rowCount - start)
                    try body(x.baseAddress! + start * width, y.baseAddress! + start, rows)
                }
            }
        }
    }
}
