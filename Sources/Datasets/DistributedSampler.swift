import RingmasterCore

/// Which rows one rank trains on in an epoch, with the semantics of PyTorch's
/// `torch.utils.data.DistributedSampler`, so that every rank gets the same number of
/// samples and therefore runs the same number of steps (and collectives).
///
/// Every rank builds the same global order from `(seed, epoch)` alone, with no
/// communication: a permutation from `RandomGenerator(seed: seed, stream: epoch)` (PyTorch
/// seeds with `seed + epoch`; the orders differ from PyTorch's, the rules do not), or
/// `0..<count` without shuffling. The order is padded to `samplesPerReplica × replicas` by
/// repeating its start (cycling when there are fewer rows than ranks), or truncated to that
/// size with `dropLast`, and rank `r` takes positions `r, r + replicas, r + 2·replicas, …`.
public struct DistributedSampler: Sendable, Equatable {
    /// Number of rows in the dataset being sampled.
    public let count: Int
    /// Number of ranks sharing the dataset.
    public let replicas: Int
    /// This rank, in `0..<replicas`.
    public let rank: Int
    /// Whether each epoch draws a fresh permutation; if false, rows go in file order.
    public let shuffle: Bool
    /// Seed of the per-epoch permutations; the same on every rank.
    public let seed: UInt64
    /// Whether to drop the tail that does not fill a round across all ranks instead of
    /// padding it with repeated rows.
    public let dropLast: Bool

    public init(count: Int, replicas: Int, rank: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) {
        precondition(count >= 0, "count must not be negative")
        precondition(replicas >= 1, "there must be at least one replica")
        precondition(rank >= 0 && rank < replicas, "rank \(rank) is outside 0..<\(replicas)")
        self.count = count
        self.replicas = replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// Samples each rank gets per epoch: `ceil(count / replicas)`, or `floor(count / replicas)`
    /// with `dropLast` (PyTorch's `num_samples`).
    public var samplesPerReplica: Int {
        dropLast ? count / replicas : (count + replicas - 1) / replicas
    }

    /// Samples per epoch over all ranks, padding included (PyTorch's `total_size`).
    public var totalSize: Int { samplesPerReplica * replicas }

    /// This rank's row indices for `epoch`, in the order to visit them; always
    /// ``samplesPerReplica`` of them.
    /// - Precondition: `epoch >= 0`.
    public func indices(epoch: Int) -> [Int] {
        precondition(epoch >= 0, "epoch must not be negative")
        let order: [Int]
        if shuffle {
            var generator = RandomGenerator(seed: seed, stream: UInt64(epoch))
            order = generator.permutation(count)
        } else {
            order = Array(0..<count)
        }
        // Position p of the padded order is order[p % count]: PyTorch's
        // `indices += indices[:padding]` (or the repeated list when padding > count).
        // With dropLast, totalSize <= count, so the modulo never wraps.
        return stride(from: rank, to: totalSize, by: replicas).map { order[$0 % count] }
    }
}
