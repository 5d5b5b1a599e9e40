import RingmasterCore

/// Measures what ``MPICommunicator``'s averaging allreduce costs over the bare MPI call it wraps.
///
/// For each size, "ours" is ``MPICommunicator/allreduce(_:op:)`` with `.average`; "raw" is one
/// `MPI_Allreduce(MPI_IN_PLACE, …, MPI_SUM)` followed by a multiply-by-1/size loop, the least a
/// caller could write. Both run on the same buffer, alternating which goes first, so that cache
/// state and drifting machine load hit them alike. Each iteration starts after a barrier and is
/// timed as the slowest rank saw it, since a collective is done only when every rank is.
public struct AllreduceBenchmark: Sendable {
    /// Buffer sizes to time, in Float elements per rank, each in `1...Int32.max`; default
    /// 1 Ki, 64 Ki, 1 Mi and 4 Mi elements (4 KiB to 16 MiB).
    public var elementCounts: [Int]
    /// Timed repetitions of each path per size; default 20.
    public var iterations: Int
    /// Untimed repetitions of each path per size first; default 3. A communicator's first
    /// allreduce of a size sets up connections and buffers and is many times slower.
    public var warmupIterations: Int

    public init(elementCounts: [Int] = [1 << 10, 1 << 16, 1 << 20, 1 << 22], iterations: Int = 20, warmupIterations: Int = 3) {
        self.elementCounts = elementCounts
        self.iterations = iterations
        self.warmupIterations = warmupIterations
    }

    /// The timings for one size; every rank returns the same values.
    public struct Result: Codable, Sendable, Equatable {
        /// Float elements per rank.
        public var elements: Int
        /// Bytes per rank: `elements × 4`.
        public var bytes: Int
        /// Ranks taking part.
        public var ranks: Int
        /// Timed repetitions behind each median.
        public var iterations: Int
        /// Median over iterations of the slowest rank's seconds for our averaging allreduce.
        public var oursMedianSeconds: Double
        /// Median over iterations of the slowest rank's seconds for `MPI_Allreduce` plus scaling.
        public var rawMedianSeconds: Double
        /// `oursMedianSeconds / rawMedianSeconds`: 1 means no overhead.
        public var ratio: Double
        /// `bytes / oursMedianSeconds` in GB/s (10⁹ bytes per second): the algorithm bandwidth.
        public var bandwidthGBps: Double
    }

    /// Runs every size. Collective: every rank of `comm` calls it with the same settings.
    ///
    /// - Throws: ``CommunicatorError`` for a size outside `1...Int32.max`, fewer than one
    ///   iteration, or a failed MPI call.
    public func run(on comm: MPICommunicator) throws -> [Result] {
        guard iterations > 0, warmupIterations >= 0, elementCounts.allSatisfy({ (1...MPI.maxCount).contains($0) }) else {
            throw CommunicatorError.invalidArgument(
                "AllreduceBenchmark", rank: comm.worldRank,
                "sizes must be in 1...\(MPI.maxCount) and iterations at least 1; got \(elementCounts), \(iterations)")
        }
        return try elementCounts.map { try measure(elements: $0, on: comm) }
    }

    private func measure(elements: Int, on comm: MPICommunicator) throws -> Result {
        // Ones stay ones under averaging, so repeated runs never drift into overflow or denormals.
        var buffer = [Float](repeating: 1, count: elements)
        var ours = [Double](repeating: 0, count: iterations)
        var raw = [Double](repeating: 0, count: iterations)
        try buffer.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<warmupIterations {
                try comm.allreduce(buffer, op: .average)
                try Self.rawAverage(buffer, on: comm)
            }
            for iteration in 0..<iterations {
                if iteration.isMultiple(of: 2) {
                    ours[iteration] = try Self.timed(comm) { try comm.allreduce(buffer, op: .average) }
                    raw[iteration] = try Self.timed(comm) { try Self.rawAverage(buffer, on: comm) }
                } else {
                    raw[iteration] = try Self.timed(comm) { try Self.rawAverage(buffer, on: comm) }
                    ours[iteration] = try Self.timed(comm) { try comm.allreduce(buffer, op: .average) }
                }
            }
        }
        try comm.allreduce(&ours, op: .max)
        try comm.allreduce(&raw, op: .max)
        let oursMedian = Self.median(ours), rawMedian = Self.median(raw)
        let bytes = elements * MemoryLayout<Float>.stride
        return Result(
            elements: elements, bytes: bytes, ranks: comm.size, iterations: iterations,
            oursMedianSeconds: oursMedian, rawMedianSeconds: rawMedian, ratio: oursMedian / rawMedian,
            bandwidthGBps: Double(bytes) / oursMedian / 1e9)
    }

    /// Seconds `body` took on this rank, starting together with the other ranks.
    private static func timed(_ comm: MPICommunicator, _ body: () throws -> Void) throws -> Double {
        try comm.barrier()
        let start = MPI.wallTime()
        try body()
        return MPI.wallTime() - start
    }

    /// The reference: the bare MPI call, then one scaling pass.
    private static func rawAverage(_ buffer: UnsafeMutableBufferPointer<Float>, on comm: MPICommunicator) throws {
        try MPI.allreduceInPlace(
            buffer.baseAddress!, count: Int32(buffer.count), .float, .sum, on: comm.handle, rank: comm.worldRank)
        let scale = 1 / Float(comm.size)
        for index in buffer.indices { buffer[index] *= scale }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}
