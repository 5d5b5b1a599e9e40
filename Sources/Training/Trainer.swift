import Crypto
import Datasets
import Foundation
import Learning
import Monitoring
import RingmasterCore
import Tensors

/// Options of one `ringmaster train` invocation that are not part of the configuration.
public struct TrainingOptions: Sendable {
    /// Continue from the newest checkpoint of this configuration and rank count.
    public var resume = false
    /// With ``resume``: start afresh, as a new run, when there is no checkpoint yet (a job
    /// restarted after failing before its first checkpoint).
    public var startIfNothingToResume = false
    /// Folder for checkpoints and model files (normally `.ringmaster`).
    public var workDirectory: URL
    /// Write a Chrome trace of every rank's phases here.
    public var timelinePath: String?
    /// Draw a progress line on standard error (rank 0, terminals only).
    public var showProgress = false
    /// The command line, recorded with the run.
    public var commandLine: [String] = CommandLine.arguments
    /// Extra environment facts to record (MPI library, …).
    public var environment: [String: String] = [:]
    /// Tags to set on the new run (`--tag key=value`).
    public var tags: [String: String] = [:]
    /// A run (id or prefix) this one continues or derives from: recorded as a parent lineage edge.
    public var parentRun: String?
    /// Mark the run failed if the process is terminated (rank 0; off for sweep trials, whose
    /// coordinator shares the process and records the sweep itself).
    public var watchSignals = true
    /// Called on every rank after each epoch's evaluation (see ``EpochContext``); a sweep's
    /// scheduler answers through it. Must return the same decision on every rank.
    public var epochHook: (@Sendable (EpochContext) throws -> EpochDecision)?
    /// A watchdog that may end the job from another thread (a lost rank); rank 0 marks the
    /// run failed with its reason first.
    public var failureNotifier: (any JobFailureNotifier)?

    public init(workDirectory: URL) { self.workDirectory = workDirectory }
}

/// What a finished run reports; printed as the last line of `ringmaster train --json`.
public struct TrainingResult: Codable, Sendable {
    public struct Validation: Codable, Sendable {
        public var loss: Double
        public var accuracy: Double?
        public var r2: Double?

        /// The values under their recorded metric names (`validation_loss`, …).
        public var metrics: [String: Double] {
            var metrics = ["validation_loss": loss]
            if let accuracy { metrics["validation_accuracy"] = accuracy }
            if let r2 { metrics["validation_r2"] = r2 }
            return metrics
        }
    }
    public var runID: String
    public var validation: Validation
    public var modelPath: String
    public var modelSHA256: String
    /// sha256 of the raw final parameters: equal values mean bit-identical weights.
    public var weightsSHA256: String
    public var ranks: Int
    public var seconds: Double
    public var epochs: Int
    public var steps: Int
    public var samplesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case validation, ranks, seconds, epochs, steps
        case runID = "run_id"
        case modelPath = "model_path"
        case modelSHA256 = "model_sha256"
        case weightsSHA256 = "weights_sha256"
        case samplesPerSecond = "samples_per_sec"
    }
}

/// The data-parallel training loop. Every rank runs `run()`; rank 0 alone talks to
/// the store and the terminal. Reads top to bottom: agree on the configuration, load
/// and shard the data, create the run, initialise or resume, then per epoch: steps of
/// forward → loss → backward → fused gradient allreduce → optimizer, sharded
/// evaluation, checkpoint; finally the model file and the run's end.
public final class Trainer {
    let config: TrainingConfiguration
    let comm: any Communicator
    let store: (any MetadataStore)?
    let options: TrainingOptions

    /// `store` is used on rank 0 only and may be nil on other ranks.
    public init(
        configuration: TrainingConfiguration, communicator: any Communicator, store: (any MetadataStore)?,
        options: TrainingOptions
    ) {
        config = configuration
        comm = communicator
        self.store = store
        self.options = options
    }

    public func run() throws -> TrainingResult {
        let started = Date()
        let ranks = comm.size

        // 1. Every rank must hold the same configuration and data.
        let data = try comm.agreeing { try TrainingData.prepare(config, profile: comm.isRoot) }
        let fingerprint = try Self.fingerprint(config, data: data)
        let rootFingerprint = try comm.broadcast(fingerprint, root: 0)
        try comm.agree(Result {
            if fingerprint != rootFingerprint {
                throw TrainingError.configurationMismatch(rank: comm.rank, expected: rootFingerprint, actual: fingerprint)
            }
        })
        let architecture = data.architecture(config)
        let checkpointDirectory = options.workDirectory.appendingPathComponent("checkpoints")
            .appendingPathComponent("\(config.experiment)-\(fingerprint.prefix(12))-np\(ranks)")

        // 2. Resume state, read on rank 0 and broadcast so that ranks need no shared disk.
        var resumed: Checkpoint?
        if options.resume {
            let bytes = try comm.agreeing { () -> Data in
                guard comm.isRoot else { return Data() }
                guard let file = Checkpoint.files(in: checkpointDirectory).last else {
                    if options.startIfNothingToResume { return Data() }
                    throw TrainingError.nothingToResume(directory: checkpointDirectory.path)
                }
                return try Data(contentsOf: file)
            }
            let shared = try comm.broadcast(bytes, root: 0)
            resumed = shared.isEmpty ? nil : try Checkpoint.decode(shared, source: checkpointDirectory.path)
            if let resumed, resumed.header.ranks != ranks || resumed.header.configFingerprint != fingerprint {
                throw TrainingError.incompatibleCheckpoint(
                    path: checkpointDirectory.path, reason: "it was written by another configuration or rank count")
            }
        }

        // 3. The run record, created (or reopened) on rank 0; every rank learns its id.
        let runID = try comm.agreeing { () -> String in
            guard comm.isRoot, let store else { return "" }
            if let resumed {
                try store.setTags(run: resumed.header.runID, ["ringmaster.resumed_at_epoch": "\(resumed.header.epoch)"])
                return resumed.header.runID
            }
            return try RunRecorder(store: store).start(
                config: config, data: data, params: Self.params(config, architecture: architecture, data: data, ranks: ranks),
                fingerprint: fingerprint,
                environment: RunEnvironment.capture(communicator: comm, extra: options.environment,
                                                    commandLine: options.commandLine),
                tags: options.tags, parent: try options.parentRun.map { try store.run($0).id })
        }
        let sharedRunID = try comm.broadcast(runID, root: 0)
        let writer = comm.isRoot ? store.map { MetricWriter(store: $0, runID: sharedRunID) } : nil
        let watch = comm.isRoot && options.watchSignals ? store.map { TerminationWatch(store: $0, runID: sharedRunID, writer: writer) } : nil
        defer { watch?.cancel() }
        if let watch, let notifier = options.failureNotifier {
            notifier.onFailure { reason in watch.recordFailure(reason) }
        }

        do {
            let result = try train(
                data: data, architecture: architecture, runID: sharedRunID, fingerprint: fingerprint,
                checkpointDirectory: checkpointDirectory, resumed: resumed, writer: writer, started: started)
            if let problem = writer?.finish() { FileHandle.standardError.write(Data("ringmaster: warning: \(problem)\n".utf8)) }
            if comm.isRoot, let store { try store.endRun(sharedRunID, status: .finished, reason: nil) }
            return result
        } catch {
            writer?.finish()
            if comm.isRoot, let store { try? store.endRun(sharedRunID, status: .failed, reason: "\(error)") }
            throw error
        }
    }

    private func train(
        data: TrainingData, architecture: ModelArchitecture, runID: String, fingerprint: String,
        checkpointDirectory: URL, resumed: Checkpoint?, writer: MetricWriter?, started: Date
    ) throws -> TrainingResult {
        let ranks = comm.size
        let batchSize = config.training.batchSize
        let features = data.train.featureCount
        let sampler = DistributedSampler(
            count: data.train.rowCount, replicas: ranks, rank: comm.rank, shuffle: true, seed: config.training.seed)
        let stepsPerEpoch = (sampler.samplesPerReplica + batchSize - 1) / batchSize
        // Parameters: initialised from the seed on rank 0 and broadcast (or restored).
        let network = Network(architecture: architecture, maxBatch: batchSize)
        let timeline = options.timelinePath == nil ? nil : Timeline()
        var rule = try UpdateRule(config.optimizer, network: network, communicator: comm, timeline: timeline)
        var generator = RandomGenerator(seed: config.training.seed, stream: 1_000 + UInt64(comm.rank))
        var epoch = 0
        var step = 0
        var bestLoss = Double.infinity
        var epochsWithoutImprovement = 0
        if let resumed {
            let header = resumed.header
            rule.restore(resumed, into: network)
            generator = RandomGenerator(state: header.generatorStates[comm.rank])
            (epoch, step) = (header.epoch, header.step)
            (bestLoss, epochsWithoutImprovement) = (header.bestValidationLoss, header.epochsWithoutImprovement)
        } else {
            var initGenerator = RandomGenerator(seed: config.training.seed, stream: 1)
            network.initialize(rng: &initGenerator)
            try comm.broadcast(UnsafeMutableRawBufferPointer(network.parameters), root: 0)
        }

        var inputs = [Float](repeating: 0, count: batchSize * features)
        var targets = [Float](repeating: 0, count: batchSize)
        var window = [Double](repeating: 0, count: 3)  // loss sum, correct, rows since last log
        var lastValidation = TrainingResult.Validation(loss: .nan)
        var trainedSamples = 0
        let trainStart = Date()
        let progress = ProgressLine(enabled: comm.isRoot && options.showProgress)

        while epoch < config.training.epochs {
            let epochStart = Date()
            let order = sampler.indices(epoch: epoch)
            for batchStart in stride(from: 0, to: order.count, by: batchSize) {
                let rows = min(batchSize, order.count - batchStart)
                data.train.gather(order[batchStart..<(batchStart + rows)], features: &inputs, labels: &targets)
                let rate = rule.schedule.rate(base: rule.baseRate, step: step, stepsPerEpoch: stepsPerEpoch,
                                         totalEpochs: config.training.epochs)
                let (loss, correct) = try inputs.withUnsafeBufferPointer { x in
                    try targets.withUnsafeBufferPointer { y in
                        try rule.stepper.step(input: x.baseAddress!, targets: y.baseAddress!, batch: rows,
                                         learningRate: Float(rate), generator: &generator)
                    }
                }
                step += 1
                window[0] += loss * Double(rows)
                window[1] += Double(correct)
                window[2] += Double(rows)
                if step % config.training.logEvery == 0 || batchStart + rows >= order.count {
                    try comm.allreduce(&window, op: .sum)
                    let meanLoss = window[0] / window[2]
                    guard meanLoss.isFinite else {
                        throw NonFiniteLossError(underlying: .nonFiniteLoss(epoch: epoch, step: step, value: meanLoss))
                    }
                    var points = [MetricPoint(key: "train_loss", step: step, value: meanLoss),
                                  MetricPoint(key: "learning_rate", step: step, value: rate)]
                    if data.loss != .meanSquaredError {
                        points.append(MetricPoint(key: "train_accuracy", step: step, value: window[1] / window[2]))
                    }
                    writer?.log(points)
                    progress.update(epoch: epoch, epochs: config.training.epochs, step: step, loss: meanLoss,
                                    accuracy: data.loss == .meanSquaredError ? nil : window[1] / window[2])
                    window = [0, 0, 0]
                }
            }
            trainedSamples += order.count * ranks
            epoch += 1

            // Sharded evaluation: each rank scores every ranks-th validation row, sums are reduced.
            lastValidation = try timeline?.measure(.evaluate) { try evaluate(network, data: data) }
                ?? evaluate(network, data: data)
            let epochSeconds = Date().timeIntervalSince(epochStart)
            var points = [MetricPoint(key: "validation_loss", step: step, value: lastValidation.loss),
                          MetricPoint(key: "epoch", step: step, value: Double(epoch)),
                          MetricPoint(key: "samples_per_sec", step: step, value: Double(order.count * ranks) / epochSeconds)]
            if let accuracy = lastValidation.accuracy { points.append(MetricPoint(key: "validation_accuracy", step: step, value: accuracy)) }
            if let r2 = lastValidation.r2 { points.append(MetricPoint(key: "validation_r2", step: step, value: r2)) }
            writer?.log(points)
            progress.epochDone(epoch: epoch, validation: lastValidation)

            if lastValidation.loss < bestLoss - config.training.earlyStoppingMinDelta {
                (bestLoss, epochsWithoutImprovement) = (lastValidation.loss, 0)
            } else {
                epochsWithoutImprovement += 1
            }
            var stopEarly = config.training.earlyStoppingPatience > 0
                && epochsWithoutImprovement >= config.training.earlyStoppingPatience
            if let hook = options.epochHook {
                let context = EpochContext(epoch: epoch, metrics: lastValidation.metrics) {
                    try rule.snapshot(of: network, epoch: epoch, step: step).encoded()
                }
                switch try hook(context) {
                case .proceed: break
                case .stop: stopEarly = true
                case .replace(let state, let optimizerSection):
                    // Population-based training: continue from another trial's weights and
                    // optimizer state with perturbed hyperparameters, keeping this trial's clock.
                    rule = try UpdateRule(optimizerSection, network: network, communicator: comm, timeline: timeline)
                    rule.restore(try Checkpoint.decode(state, source: "exploited trial state"), into: network)
                }
            }

            if config.training.checkpointEvery > 0 && (epoch % config.training.checkpointEvery == 0 || stopEarly) {
                let states = try comm.allgather(generator.state.map { String($0) }.joined(separator: ","))
                    .map { $0.split(separator: ",").compactMap { UInt64($0) } }
                if comm.isRoot {
                    let header = Checkpoint.Header(
                        runID: runID, configFingerprint: fingerprint, ranks: ranks, epoch: epoch, step: step,
                        generatorStates: states, optimizerStep: 0,
                        bestValidationLoss: bestLoss, epochsWithoutImprovement: epochsWithoutImprovement, arrays: [])
                    try comm.agree(Result { _ = try rule.checkpoint(header, network: network).write(to: checkpointDirectory) })
                } else {
                    try comm.agree(.success(()))
                }
            }
            if stopEarly { break }
        }
        progress.finish()
        if lastValidation.loss.isNaN {
            // Resumed from the final checkpoint: no epoch ran, score the restored weights.
            lastValidation = try evaluate(network, data: data)
        }

        if let path = options.timelinePath, let timeline {
            try timeline.write(to: URL(fileURLWithPath: path), communicator: comm)
        }
        let weightsSHA = SHA256.hash(data: UnsafeRawBufferPointer(network.parameters)).hexString
        let trainSeconds = Date().timeIntervalSince(trainStart)

        // The model file, written on rank 0 and recorded as the run's artifact.
        var modelPath = ""
        var modelSHA = ""
        try comm.agree(Result {
            guard comm.isRoot else { return }
            let model = ModelFile(
                architecture: architecture, task: config.isRegression ? .regression : .classification,
                featureNames: data.train.featureNames, labelName: data.train.labelName,
                classNames: data.train.classNames, scaling: data.scaling, weights: Array(network.parameters),
                profile: data.profile.map { profileWithPredictions($0, network: network, data: data) })
            let url = options.workDirectory.appendingPathComponent("models").appendingPathComponent(runID)
                .appendingPathComponent("model.rmm")
            try model.write(to: url)
            modelPath = url.path
            let bytes = try Data(contentsOf: url)
            modelSHA = SHA256.hash(data: bytes).hexString
            if let store {
                try RunRecorder(store: store).finish(runID: runID, model: bytes, weightsSHA256: weightsSHA)
                writer?.log([MetricPoint(key: "train_seconds", step: step, value: trainSeconds)])
            }
        })
        return TrainingResult(
            runID: runID, validation: lastValidation, modelPath: modelPath, modelSHA256: modelSHA,
            weightsSHA256: weightsSHA, ranks: ranks, seconds: Date().timeIntervalSince(started), epochs: epoch,
            steps: step, samplesPerSecond: Double(trainedSamples) / max(trainSeconds, 1e-9))
    }

    /// `profile` with the distribution of the trained network's predictions on the (standardized)
    /// training split, the reference for prediction drift.
    private func profileWithPredictions(_ profile: FeatureProfile, network: Network, data: TrainingData) -> FeatureProfile {
        var profile = profile
        let train = data.train
        let outputs = train.features.withUnsafeBufferPointer { network.predict($0.baseAddress!, batch: train.rowCount) }
        if config.isRegression {
            profile.predictions = ProfileBuilder.distribution(of: outputs, classNames: nil, name: "prediction", seed: config.training.seed)
        } else if case .classes(let names, _)? = profile.labels {
            let classes = network.architecture.predictedClasses(outputs)
            profile.predictions = ProfileBuilder.distribution(of: classes.map(Float.init), classNames: names, name: "prediction")
        }
        return profile
    }

    /// Validation loss and accuracy (or R²) over all ranks' shards.
    private func evaluate(_ network: Network, data: TrainingData) throws -> TrainingResult.Validation {
        let validation = data.validation
        let batch = config.training.batchSize
        var sums = [Double](repeating: 0, count: 4)  // loss sum, correct, rows, squared error
        var inputs = [Float](repeating: 0, count: batch * validation.featureCount)
        var targets = [Float](repeating: 0, count: batch)
        let mine = Array(stride(from: comm.rank, to: validation.rowCount, by: comm.size))
        for start in stride(from: 0, to: mine.count, by: batch) {
            let rows = min(batch, mine.count - start)
            validation.gather(mine[start..<(start + rows)], features: &inputs, labels: &targets)
            let result = inputs.withUnsafeBufferPointer { x in
                targets.withUnsafeBufferPointer { y in network.evaluate(input: x.baseAddress!, targets: y.baseAddress!, batch: rows) }
            }
            sums[0] += result.lossSum
            sums[1] += Double(result.correct)
            sums[2] += Double(rows)
            sums[3] += result.squaredErrorSum
        }
        try comm.allreduce(&sums, op: .sum)
        guard sums[2] > 0 else { return .init(loss: .nan) }
        if data.loss == .meanSquaredError {
            let mean = validation.labels.reduce(0.0) { $0 + Double($1) } / Double(validation.rowCount)
            let total = validation.labels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
            return .init(loss: sums[0] / sums[2], r2: total > 0 ? 1 - sums[3] / total : nil)
        }
        return .init(loss: sums[0] / sums[2], accuracy: sums[1] / sums[2])
    }

    static func fingerprint(_ config: TrainingConfiguration, data: TrainingData) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var trained = config
        trained.watchdog = .init()  // how the job is watched does not change what it trains
        var bytes = try encoder.encode(trained)
        bytes.append(Data(data.fingerprint.utf8))
        return SHA256.hash(data: bytes).hexString
    }

    static func params(_ c: TrainingConfiguration, architecture: ModelArchitecture, data: TrainingData, ranks: Int)
        -> [String: String]
    {
        [
            "data.path": c.data.path, "data.validation_fraction": "\(c.data.validationFraction)",
            "data.standardize": "\(c.data.standardize)", "data.rows": "\(data.train.rowCount + data.validation.rowCount)",
            "model.kind": c.model.kind.rawValue, "model.hidden": c.model.hidden.map(String.init).joined(separator: ","),
            "model.activation": c.model.activation.rawValue, "model.dropout": "\(c.model.dropout)",
            "model.loss": architecture.loss.rawValue, "model.outputs": "\(architecture.outputs)",
            "optimizer.kind": c.optimizer.kind.rawValue, "optimizer.learning_rate": "\(c.optimizer.learningRate)",
            "optimizer.momentum": "\(c.optimizer.momentum)", "optimizer.nesterov": "\(c.optimizer.nesterov)",
            "optimizer.weight_decay": "\(c.optimizer.weightDecay)", "optimizer.schedule": c.optimizer.schedule.rawValue,
            "optimizer.warmup_epochs": "\(c.optimizer.warmupEpochs)", "optimizer.clip_norm": "\(c.optimizer.clipNorm)",
            "optimizer.scale_lr": "\(c.optimizer.scaleLearningRate)",
            "training.epochs": "\(c.training.epochs)", "training.batch_size": "\(c.training.batchSize)",
            "training.global_batch_size": "\(c.training.batchSize * ranks)", "training.seed": "\(c.training.seed)",
            "training.ranks": "\(ranks)",
        ]
    }
}
