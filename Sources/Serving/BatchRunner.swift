import Foundation
import Learning
import RingmasterCore

/// Dynamic batching for one loaded model version: requests queue their rows, and one
/// worker thread runs whatever has gathered through ONE forward pass (one GEMM per layer).
///
/// A batch closes when it holds `maxBatch` rows or when its oldest request has waited
/// `maxDelay`, whichever comes first; a single request larger than `maxBatch` runs alone.
/// The network, the input and output buffers belong to the worker thread alone, so no
/// batch allocates except for the per-request result arrays.
///
/// After ``retire()`` the worker finishes every queued request and exits; later
/// ``submit(_:rows:)`` calls answer nil so the caller retries on the version that replaced
/// this one. That is how a hot swap finishes in-flight requests on the old version.
final class BatchRunner: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `queue`, `queuedRows` and `retired` are touched only
    // with `condition` locked; `network`, `batchInput`, `batchOutput` only by the worker thread.
    private struct Job {
        var values: [Float]
        var rows: Int
        var enqueued: ContinuousClock.Instant
        var continuation: CheckedContinuation<Prediction?, Never>
    }

    let maxBatch: Int
    let maxDelay: Duration
    private let inputs: Int
    private let outputs: Int
    private let scaling: FeatureScaling?
    private let classes: [String]?
    private let network: Network
    private let onBatch: @Sendable (Int) -> Void

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queueHead = 0
    private var queuedRows = 0
    private var retired = false

    private var batchInput: [Float] = []
    private var batchOutput: [Float] = []

    /// Builds the network (the model file must already be verified) and starts the worker.
    /// `onBatch` receives each batch's row count on the worker thread.
    init(model: ModelFile, maxBatch: Int, maxDelay: Duration, onBatch: @escaping @Sendable (Int) -> Void) throws {
        self.maxBatch = maxBatch
        self.maxDelay = maxDelay
        inputs = model.architecture.inputs
        outputs = model.architecture.outputs
        scaling = model.scaling
        classes = model.task == .classification ? model.classLabels : nil
        network = try model.makeNetwork(maxBatch: maxBatch)
        self.onBatch = onBatch
        batchInput.reserveCapacity(maxBatch * inputs)
        batchOutput = [Float](repeating: 0, count: maxBatch * outputs)
        let thread = Thread { [self] in work() }
        thread.name = "ringmaster-batch"
        thread.start()
    }

    /// Predicts `rows` rows of raw (unstandardized) `values` in the model's feature order;
    /// nil when this runner was retired before the request could join a batch.
    func submit(_ values: [Float], rows: Int) async -> Prediction? {
        precondition(values.count == rows * inputs, "BatchRunner: \(values.count) values for \(rows) rows of \(inputs)")
        return await withCheckedContinuation { continuation in
            condition.lock()
            guard !retired else {
                condition.unlock()
                continuation.resume(returning: nil)
                return
            }
            queue.append(Job(values: values, rows: rows, enqueued: .now, continuation: continuation))
            queuedRows += rows
            condition.signal()
            condition.unlock()
        }
    }

    /// Stops taking requests; the worker drains what is queued and exits.
    func retire() {
        condition.lock()
        retired = true
        condition.signal()
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            while queueHead == queue.count && !retired { condition.wait() }
            if queueHead == queue.count {
                condition.unlock()
                return
            }
            let deadline = queue[queueHead].enqueued + maxDelay
            while queuedRows < maxBatch && !retired {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else { break }
                let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            }
            var jobs: [Job] = []
            var rows = 0
            while queueHead < queue.count && (jobs.isEmpty || rows + queue[queueHead].rows <= maxBatch) {
                rows += queue[queueHead].rows
                jobs.append(queue[queueHead])
                queueHead += 1
            }
            queuedRows -= rows
            if queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            }
            condition.unlock()
            run(jobs, rows: rows)
            condition.lock()
        }
    }

    /// One forward pass over every row of `jobs`, then each request gets its rows back.
    private func run(_ jobs: [Job], rows: Int) {
        batchInput.removeAll(keepingCapacity: true)
        for job in jobs { batchInput.append(contentsOf: job.values) }
        scaling?.apply(to: &batchInput)
        if batchOutput.count < rows * outputs { batchOutput = [Float](repeating: 0, count: rows * outputs) }
        batchInput.withUnsafeBufferPointer { x in
            batchOutput.withUnsafeMutableBufferPointer { y in
                network.predict(x.baseAddress!, batch: rows, into: y.baseAddress!)
            }
        }
        onBatch(rows)
        batchOutput.withUnsafeBufferPointer { y in
            var offset = 0
            for job in jobs {
                let slice = UnsafeBufferPointer(rebasing: y[(offset * outputs)..<((offset + job.rows) * outputs)])
                job.continuation.resume(returning: Prediction(rows: job.rows, columns: outputs, outputs: slice, classes: classes))
                offset += job.rows
            }
        }
    }
}
