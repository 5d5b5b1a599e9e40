import Foundation

extension TrainingConfiguration {
    /// The configuration as YAML that ``ConfigurationLoader`` reads back to an equal value,
    /// with every key written out (defaults included): what a run records so it can be
    /// reproduced, and what `--set` keys refer to.
    public var yaml: String {
        func quoted(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
        func number(_ value: Double) -> String {
            // Shortest text that parses back to the same Double.
            value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)"
        }
        var lines = ["experiment: \(quoted(experiment))", "data:"]
        lines.append("  path: \(quoted(data.path))")
        if let name = data.name { lines.append("  name: \(quoted(name))") }
        if let label = data.label { lines.append("  label: \(quoted(label))") }
        if let labelsPath = data.labelsPath { lines.append("  labels_path: \(quoted(labelsPath))") }
        if let format = data.format { lines.append("  format: \(format)") }
        lines += [
            "  validation_fraction: \(number(data.validationFraction))",
            "  standardize: \(data.standardize)",
            "model:",
            "  kind: \(model.kind.rawValue)",
        ]
        if let task = model.task { lines.append("  task: \(task)") }
        lines += [
            "  hidden: [\(model.hidden.map(String.init).joined(separator: ", "))]",
            "  activation: \(model.activation.rawValue)",
            "  dropout: \(number(model.dropout))",
            "optimizer:",
            "  kind: \(optimizer.kind.rawValue)",
            "  learning_rate: \(number(optimizer.learningRate))",
            "  momentum: \(number(optimizer.momentum))",
            "  nesterov: \(optimizer.nesterov)",
            "  weight_decay: \(number(optimizer.weightDecay))",
            "  schedule: \(optimizer.schedule.rawValue)",
            "  warmup_epochs: \(number(optimizer.warmupEpochs))",
            "  step_epochs: \(optimizer.stepEpochs)",
            "  gamma: \(number(optimizer.gamma))",
            "  min_learning_rate: \(number(optimizer.minLearningRate))",
            "  clip_norm: \(number(optimizer.clipNorm))",
            "  scale_lr: \(optimizer.scaleLearningRate)",
            "training:",
            "  epochs: \(training.epochs)",
            "  batch_size: \(training.batchSize)",
            "  seed: \(training.seed)",
            "  log_every: \(training.logEvery)",
            "  checkpoint_every: \(training.checkpointEvery)",
            "  early_stopping: {patience: \(training.earlyStoppingPatience), min_delta: \(number(training.earlyStoppingMinDelta))}",
            "watchdog:",
            "  stall_timeout: \(number(watchdog.stallTimeout))",
            "  lost_peer_timeout: \(number(watchdog.lostPeerTimeout))",
            "  heartbeat_interval: \(number(watchdog.heartbeatInterval))",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
