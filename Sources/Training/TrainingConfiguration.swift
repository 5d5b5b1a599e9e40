import Foundation
import Learning

/// Everything that defines a training run, as read from `CONFIG.yaml` plus `--set` overrides.
/// Every rank must hold an identical value (checked through ``fingerprint``).
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Experiment the run is recorded under; default: the config file's base name.
    public var experiment: String = "default"
    public var data = DataSection()
    public var model = ModelSection()
    public var optimizer = OptimizerSection()
    public var training = TrainingSection()
    /// How the job watches for stalled collectives and lost ranks. Not part of the
    /// configuration's fingerprint: changing it does not change what is trained, so a run may
    /// be resumed with other timeouts.
    public var watchdog = WatchdogSection()

    public init() {}

    public struct DataSection: Codable, Sendable, Equatable {
        /// Data file (CSV, LIBSVM or IDX images), relative to the config file's folder. Required.
        public var path: String = ""
        /// Dataset name its versions are recorded under; default: the file's base name.
        public var name: String?
        /// Label column (CSV); default `label`, else `target`.
        public var label: String?
        /// IDX labels file; default: derived from `path` (`-images-idx3` → `-labels-idx1`).
        public var labelsPath: String?
        /// `csv`, `libsvm` or `idx`; default: from the file extension.
        public var format: String?
        /// Fraction of rows held out for validation, in [0, 1). Default 0.2.
        public var validationFraction: Double = 0.2
        /// Standardize features with statistics fitted on the training split. Default true.
        public var standardize: Bool = true
        public init() {}
    }

    public struct ModelSection: Codable, Sendable, Equatable {
        /// `linear`, `logistic`, `softmax` or `mlp`. Default `mlp`.
        public var kind: ModelKind = .mlp
        /// `classification` or `regression`; default: regression for `linear`, else classification.
        public var task: String?
        /// Hidden layer widths for `mlp`. Default [64].
        public var hidden: [Int] = [64]
        /// Hidden activation for `mlp`: relu, tanh, sigmoid, gelu. Default relu.
        public var activation: Activation = .relu
        /// Dropout probability after each hidden activation, in [0, 1). Default 0.
        public var dropout: Double = 0
        public init() {}
    }

    public struct OptimizerSection: Codable, Sendable, Equatable {
        /// `sgd`, `adam` or `adamw`. Default `adam`.
        public var kind: OptimizerKind = .adam
        /// Base learning rate (before warmup, schedule and scaling). Default 0.001.
        public var learningRate: Double = 0.001
        /// SGD momentum in [0, 1). Default 0.
        public var momentum: Double = 0
        /// Nesterov momentum (SGD with momentum > 0). Default false.
        public var nesterov: Bool = false
        /// L2 penalty (SGD, Adam) or decoupled decay (AdamW). Default 0.
        public var weightDecay: Double = 0
        /// `constant`, `step` or `cosine`. Default `constant`.
        public var schedule: LearningRateSchedule.Kind = .constant
        /// Epochs of linear warmup from 0 to the learning rate. Default 0.
        public var warmupEpochs: Double = 0
        /// `step` schedule: epochs between decays. Default 10.
        public var stepEpochs: Int = 10
        /// `step` schedule: decay factor. Default 0.1.
        public var gamma: Double = 0.1
        /// `cosine` schedule: final learning rate. Default 0.
        public var minLearningRate: Double = 0
        /// Clip the global gradient norm to this value; 0 disables. Default 0.
        public var clipNorm: Double = 0
        /// Linear scaling rule: multiply the learning rate by the number of ranks. Default false.
        public var scaleLearningRate: Bool = false
        public init() {}
    }

    public struct TrainingSection: Codable, Sendable, Equatable {
        /// Passes over the training split. Default 10.
        public var epochs: Int = 10
        /// Rows per rank per step; the global batch is `batch_size × ranks`. Default 32.
        public var batchSize: Int = 32
        /// Seed for the split, initialisation, shuffling and dropout. Default 0.
        public var seed: UInt64 = 0
        /// Steps between logged training metrics. Default 10.
        public var logEvery: Int = 10
        /// Epochs between checkpoints; 0 disables. Default 1.
        public var checkpointEvery: Int = 1
        /// Stop after this many epochs without validation-loss improvement; 0 disables. Default 0.
        public var earlyStoppingPatience: Int = 0
        /// Smallest validation-loss decrease that counts as improvement. Default 0.
        public var earlyStoppingMinDelta: Double = 0
        public init() {}
    }

    public struct WatchdogSection: Codable, Sendable, Equatable {
        /// Seconds a collective may wait for missing ranks before rank 0 warns, naming them
        /// (and between repeated warnings); 0 disables. Default 60.
        public var stallTimeout: Double = 60
        /// Seconds without a heartbeat after which a rank counts as lost and the job ends,
        /// marked failed; 0 disables. Default 10.
        public var lostPeerTimeout: Double = 10
        /// Seconds between heartbeats. Default 1.
        public var heartbeatInterval: Double = 1
        public init() {}
    }

    /// The name the data's versions are recorded under.
    public var datasetName: String {
        data.name ?? URL(fileURLWithPath: data.path).deletingPathExtension().lastPathComponent
    }

    /// The model's task, resolved from `model.task` and `model.kind`.
    public var isRegression: Bool {
        if let task = model.task { return task == "regression" }
        return model.kind == .linear
    }
}
