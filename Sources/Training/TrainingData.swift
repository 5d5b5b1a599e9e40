import Datasets
import Foundation
import Learning
import Monitoring
import RingmasterCore

/// The training and validation splits of a run, standardized and checked against the
/// task, plus what the model file needs to reproduce the preprocessing.
public struct TrainingData: Sendable {
    public var train: Dataset
    public var validation: Dataset
    public var scaling: FeatureScaling?
    /// Number of model outputs: classes for multi-class, 1 for binary or regression.
    public var outputs: Int
    public var classCount: Int
    public var loss: LossKind
    /// sha256 of the source data, recorded with the run.
    public var fingerprint: String
    /// Column names and types (JSON), recorded with the dataset version.
    public var schema: String
    /// Rows in the file, both splits together.
    public var rows: Int
    /// The raw training split's profile, when ``prepare(_:profile:)`` was asked for it.
    public var profile: FeatureProfile?

    /// Reads the data named by `config.data`, splits it with the run's seed and fits
    /// standardization on the training split only. With `profile`, also profiles the raw
    /// training split for drift monitoring (only the rank that writes the model needs it).
    public static func prepare(_ config: TrainingConfiguration, profile: Bool = false) throws -> TrainingData {
        let dataset = try DatasetReader.read(
            path: config.data.path, format: config.data.format.flatMap(DatasetFormat.init(rawValue:)),
            label: config.data.label, labelsPath: config.data.labelsPath)
        guard dataset.rowCount >= 2 else {
            throw TrainingError.invalidData("\(config.data.path): needs at least 2 rows, has \(dataset.rowCount)")
        }
        var (train, validation) = dataset.split(
            validationFraction: config.data.validationFraction, seed: config.training.seed)
        var profiled: FeatureProfile?
        if profile {
            let classes = config.isRegression ? nil : train.classNames ?? (0..<max(dataset.classCount, 2)).map(String.init)
            profiled = ProfileBuilder.profile(
                features: train.features, rows: train.rowCount, names: train.featureNames, labels: train.labels,
                classNames: classes, seed: config.training.seed)
        }
        var scaling: FeatureScaling?
        if config.data.standardize {
            let fitted = FeatureScaling.fit(train)
            train = train.standardized(with: fitted)
            validation = validation.standardized(with: fitted)
            scaling = fitted
        }
        let regression = config.isRegression
        var classCount = 0
        if !regression {
            if let bad = dataset.labels.firstIndex(where: { $0 < 0 || $0 != $0.rounded() }) {
                throw TrainingError.invalidData(
                    "\(config.data.path): row \(bad + 1): label \(dataset.labels[bad]) is not a class index; set model.task: regression or model.kind: linear for a numeric target"
                )
            }
            classCount = max(dataset.classCount, 2)
        }
        let loss: LossKind
        let outputs: Int
        switch (regression, config.model.kind, classCount) {
        case (true, _, _): (loss, outputs) = (.meanSquaredError, 1)
        case (false, .linear, _):
            throw TrainingError.invalidData("model.kind linear is for regression; use logistic, softmax or mlp for classes")
        case (false, .logistic, 2): (loss, outputs) = (.binaryCrossEntropy, 1)
        default: (loss, outputs) = (.softmaxCrossEntropy, classCount)
        }
        return TrainingData(
            train: train, validation: validation, scaling: scaling, outputs: outputs, classCount: classCount,
            loss: loss, fingerprint: dataset.fingerprint, schema: dataset.schema.json, rows: dataset.rowCount,
            profile: profiled)
    }

    /// The network shape for this data.
    public func architecture(_ config: TrainingConfiguration) -> ModelArchitecture {
        ModelArchitecture(
            kind: config.model.kind, inputs: train.featureCount, outputs: outputs,
            hidden: config.model.kind == .mlp ? config.model.hidden : [],
            activation: config.model.activation, dropout: config.model.kind == .mlp ? config.model.dropout : 0,
            loss: loss)
    }
}

extension Dataset {
    /// Copies the rows at `indices` into the front of `features` and `labels` (no allocation).
    func gather(_ indices: ArraySlice<Int>, features: inout [Float], labels: inout [Float]) {
        let width = featureCount
        self.features.withUnsafeBufferPointer { source in
            features.withUnsafeMutableBufferPointer { target in
                for (row, index) in indices.enumerated() {
                    let from = source.baseAddress! + index * width
                    (target.baseAddress! + row * width).update(from: from, count: width)
                }
            }
        }
        for (row, index) in indices.enumerated() { labels[row] = self.labels[index] }
    }
}
