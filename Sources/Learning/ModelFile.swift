import Foundation
import RingmasterCore

/// What a model predicts, which decides how its outputs are read and scored.
public enum ModelTask: String, Codable, Sendable {
    case classification, regression
}

/// A trained model as saved to disk: the architecture, the weights in arena order, and
/// everything needed to apply it to raw data (feature order, preprocessing, class names).
///
/// On disk (see `ModelFile+Encoding.swift`) it is a short text preamble, one line of JSON
/// metadata, and the weights as little-endian Float32, with a sha256 over metadata and
/// weights that ``read(from:)`` verifies. The binary payload keeps a 700k-parameter
/// model at 2.8 MB, read and written in milliseconds.
public struct ModelFile: Sendable, Equatable {
    /// The format this code writes; ``read(from:)`` accepts it and older versions.
    public static let currentFormatVersion = 1

    /// Format of the file this came from, or ``currentFormatVersion`` for a new model.
    public var formatVersion: Int
    public var architecture: ModelArchitecture
    public var task: ModelTask
    /// Input column names, in the order the first layer expects them.
    public var featureNames: [String]
    /// Name of the target column in the training data.
    public var labelName: String
    /// Class names by class index (`classNames[i]` names label i): one per output for
    /// softmax cross-entropy, two (label 0, label 1) for binary cross-entropy; nil for
    /// regression or when labels were numeric.
    public var classNames: [String]?
    /// Standardization fitted on the training split, to apply before the network.
    public var scaling: FeatureScaling?
    /// All parameters in ``ModelArchitecture/parameterLayout`` order.
    public var weights: [Float]
    /// When the model was produced, to whole seconds so it survives the round trip exactly.
    public var created: Date
    /// The raw training data's profile (features, labels, predictions) for drift monitoring;
    /// nil for models saved before profiles were recorded.
    public var profile: FeatureProfile?

    public init(
        architecture: ModelArchitecture, task: ModelTask, featureNames: [String], labelName: String,
        classNames: [String]? = nil, scaling: FeatureScaling? = nil, weights: [Float], created: Date = Date(),
        profile: FeatureProfile? = nil
    ) {
        self.profile = profile
        formatVersion = Self.currentFormatVersion
        self.architecture = architecture
        self.task = task
        self.featureNames = featureNames
        self.labelName = labelName
        self.classNames = classNames
        self.scaling = scaling
        self.weights = weights
        self.created = Date(timeIntervalSinceReferenceDate: created.timeIntervalSinceReferenceDate.rounded(.down))
    }

    /// A model file holding `network`'s current parameters.
    public init(
        network: Network, task: ModelTask, featureNames: [String], labelName: String,
        classNames: [String]? = nil, scaling: FeatureScaling? = nil, created: Date = Date()
    ) {
        self.init(
            architecture: network.architecture, task: task, featureNames: featureNames, labelName: labelName,
            classNames: classNames, scaling: scaling, weights: Array(network.parameters), created: created)
    }

    /// Hex sha256 of the canonical metadata and the weights: the model's identity in the
    /// registry and the checksum ``read(from:)`` verifies. Computed on each access (a few
    /// milliseconds for a million weights).
    public var sha256: String { Self.digest(header: encodedHeader(), weights: weights) }

    /// Class names in output order: the saved names, or the class indices ("0", "1", …);
    /// two for a binary (one-output) classifier.
    public var classLabels: [String] {
        if let classNames { return classNames }
        let count = architecture.outputs == 1 ? 2 : architecture.outputs
        return (0..<count).map(String.init)
    }

    /// A network with `maxBatch` rows of buffers and this file's weights.
    public func makeNetwork(maxBatch: Int) throws -> Network {
        try checkConsistency(path: "<model>")
        let network = Network(architecture: architecture, maxBatch: maxBatch)
        network.loadParameters(weights)
        return network
    }

    /// The checks both writing and reading rely on: a valid architecture, a weight for
    /// every parameter, and metadata that agrees with the architecture.
    func checkConsistency(path: String) throws(ModelFileError) {
        do {
            try architecture.validate()
        } catch {
            throw ModelFileError(code: .inconsistent, path: path, detail: error.description)
        }
        guard weights.count == architecture.parameterCount else {
            throw ModelFileError(
                code: .inconsistent, path: path,
                detail: "\(weights.count) weights for an architecture with \(architecture.parameterCount) parameters")
        }
        guard featureNames.count == architecture.inputs else {
            throw ModelFileError(
                code: .inconsistent, path: path,
                detail: "\(featureNames.count) feature names for \(architecture.inputs) inputs")
        }
        guard (task == .classification) == architecture.isClassifier else {
            throw ModelFileError(
                code: .inconsistent, path: path,
                detail: "task \(task.rawValue) does not fit loss \(architecture.loss.rawValue)")
        }
        if let classNames {
            let expected = architecture.loss == .binaryCrossEntropy ? 2 : architecture.outputs
            guard task == .classification, classNames.count == expected else {
                throw ModelFileError(
                    code: .inconsistent, path: path,
                    detail: "\(classNames.count) class names for a \(task.rawValue) model with \(expected) classes")
            }
        }
        if let scaling, scaling.featureCount != architecture.inputs {
            throw ModelFileError(
                code: .inconsistent, path: path,
                detail: "feature scaling for \(scaling.featureCount) features, model has \(architecture.inputs) inputs")
        }
    }
}

/// A model file could not be written or read; `description` names the file and says what
/// is wrong with it.
public struct ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The category of problem, for callers that react differently to each.
    public struct Code: Equatable, Sendable {
        fileprivate let name: String
        /// The file cannot be opened or read.
        public static let unreadable = Code(name: "cannot read")
        /// The file does not start with the model file preamble.
        public static let notAModelFile = Code(name: "not a ringmaster model file")
        /// Written by a newer version of ringmaster.
        public static let unsupportedVersion = Code(name: "unsupported format version")
        /// The preamble or metadata cannot be parsed, or the payload has the wrong size.
        public static let malformed = Code(name: "malformed")
        /// The contents do not match the recorded sha256: modified or corrupted.
        public static let checksumMismatch = Code(name: "checksum mismatch")
        /// Metadata and weights disagree with the architecture.
        public static let inconsistent = Code(name: "inconsistent")
    }

    public var code: Code
    public var path: String
    public var detail: String

    public var description: String { "model file \(path): \(code.name): \(detail)" }
}
