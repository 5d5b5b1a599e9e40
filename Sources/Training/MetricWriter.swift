import Foundation
import RingmasterCore

/// Buffers metric points on rank 0 and writes them to the store in batched
/// transactions from a background thread, so the training loop never waits on the
/// store for longer than it takes to append to an array.
///
/// A failed write is retried with exponential backoff; points stay buffered until a
/// write succeeds, so nothing acknowledged by ``log(_:)`` is dropped while the store
/// recovers. ``finish()`` flushes what is left and reports any points it could not write.
public final class MetricWriter: @unchecked Sendable {
    // Invariant: `pending`, `closed` and `lastError` are only touched with `condition` locked.
    private let store: any MetadataStore
    private let runID: String
    private let flushInterval: TimeInterval
    private let batchSize: Int
    private let condition = NSCondition()
    private var pending: [MetricPoint] = []
    private var closed = false
    private var lastError: String?
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    public init(store: any MetadataStore, runID: String, flushInterval: TimeInterval = 0.5, batchSize: Int = 512) {
        self.store = store
        self.runID = runID
        self.flushInterval = flushInterval
        self.batchSize = batchSize
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "ringmaster-metric-writer"
        self.thread = thread
        thread.start()
    }

    /// Queues points for writing; never blocks on the store.
    public func log(_ points: [MetricPoint]) {
        condition.lock()
        pending.append(contentsOf: points)
        if pending.count >= batchSize { condition.signal() }
        condition.unlock()
    }

    /// Writes everything queued and stops the writer. Returns an error message if
    /// some points could not be written after retrying.
    @discardableResult
    public func finish() -> String? {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
        // Signalled again at once, so a second call (a signal handler racing the normal end)
        // returns too instead of waiting forever.
        finished.wait()
        finished.signal()
        condition.lock()
        defer { condition.unlock() }
        if pending.isEmpty { return nil }
        return "\(pending.count) metric points could not be written to \(store.location): \(lastError ?? "unknown error")"
    }

    private func loop() {
        var attempt = 0
        var failuresWhileClosing = 0
        while true {
            condition.lock()
            if attempt > 0 {
                // Back off after a failed write (0.1 s, 0.4 s, 1.6 s, then 5 s), closing or not.
                _ = condition.wait(until: Date().addingTimeInterval(min(5, 0.1 * pow(4, Double(attempt - 1)))))
            } else if !closed && pending.count < batchSize {
                _ = condition.wait(until: Date().addingTimeInterval(flushInterval))
            }
            let batch = pending
            let isClosing = closed
            condition.unlock()

            if !batch.isEmpty {
                do {
                    try store.logMetrics(run: runID, batch)
                    condition.lock()
                    pending.removeFirst(batch.count)
                    lastError = nil
                    condition.unlock()
                    attempt = 0
                } catch {
                    attempt += 1
                    condition.lock()
                    if lastError == nil {
                        FileHandle.standardError.write(Data("ringmaster: warning: metric write failed, retrying: \(error)\n".utf8))
                    }
                    lastError = "\(error)"
                    condition.unlock()
                    // While closing, give the store four more tries (about 7 s), then give up.
                    if isClosing {
                        failuresWhileClosing += 1
                        if failuresWhileClosing >= 4 { break }
                    }
                    continue
                }
            }
            if isClosing {
                condition.lock()
                let empty = pending.isEmpty
                condition.unlock()
                if empty { break }
            }
        }
        finished.signal()
    }
}
