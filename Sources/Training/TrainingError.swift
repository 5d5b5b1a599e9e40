import RingmasterCore

/// Why a training run stopped before finishing.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    /// The loss became NaN or infinite; lower the learning rate or enable clipping.
    case nonFiniteLoss(epoch: Int, step: Int, value: Double)
    /// Ranks were started with different configurations (or different data).
    case configurationMismatch(rank: Int, expected: String, actual: String)
    /// A checkpoint file cannot be read.
    case corruptCheckpoint(path: String, reason: String)
    /// `--resume` found nothing to resume.
    case nothingToResume(directory: String)
    /// The checkpoint belongs to another configuration or rank count.
    case incompatibleCheckpoint(path: String, reason: String)
    /// The data does not fit the model or the task.
    case invalidData(String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let step, let value):
            return "training loss became \(value) at epoch \(epoch + 1), step \(step); lower optimizer.learning_rate or set optimizer.clip_norm"
        case .configurationMismatch(let rank, let expected, let actual):
            return "rank \(rank) was started with a different configuration (fingerprint \(actual.prefix(12)), rank 0 has \(expected.prefix(12))); start every rank with the same config and --set options"
        case .corruptCheckpoint(let path, let reason): return "\(path): corrupt checkpoint: \(reason)"
        case .nothingToResume(let directory): return "--resume: no checkpoint in \(directory); start without --resume"
        case .incompatibleCheckpoint(let path, let reason): return "\(path): cannot resume: \(reason)"
        case .invalidData(let reason): return reason
        }
    }
}

/// A loss that is non-finite after the allreduce is non-finite on every rank at the same step.
public struct NonFiniteLossError: UniformError, CustomStringConvertible, Sendable {
    public var underlying: TrainingError
    public var description: String { underlying.description }
}
