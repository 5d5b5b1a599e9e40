import Dispatch
import Foundation
import RingmasterCore

/// Marks the run failed when the process is told to stop (SIGTERM, SIGINT, SIGHUP): what
/// `mpirun` sends the surviving ranks when another rank dies, Slurm at a time limit, or a
/// user's Ctrl-C. The store keeps everything written so far; the run's reason says why it
/// ended instead of staying `running` forever. Installed on rank 0 while a run trains.
///
/// The first reason recorded wins: a watchdog that ends the job records its own reason
/// (``recordFailure(_:)``), and the SIGTERM that mpirun then sends does not overwrite it.
final class TerminationWatch: @unchecked Sendable {
    // Invariant: `sources` is created and cancelled on the thread that owns the watch;
    // the handlers run on `queue` only; `recorded` is guarded by `lock`.
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "ringmaster-termination")
    private let lock = NSLock()
    private var recorded = false
    private let store: any MetadataStore
    private let runID: String
    private let writer: MetricWriter?

    init(store: any MetadataStore, runID: String, writer: MetricWriter?) {
        self.store = store
        self.runID = runID
        self.writer = writer
        for (signal, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT"), (SIGHUP, "SIGHUP")] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler { [unowned self] in
                recordFailure(signal == SIGTERM
                    ? "terminated (SIGTERM): the launcher stopped the job, usually because another rank failed; see mpirun's message for the rank and host"
                    : "interrupted (\(name))")
                exit(128 + signal)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Marks the run failed with `reason` unless a reason was recorded already; flushes the
    /// metrics first. Any thread; a second caller waits until the first has written, so that
    /// a signal arriving meanwhile does not end the process halfway through.
    func recordFailure(_ reason: String) {
        lock.withLock {
            guard !recorded else { return }
            recorded = true
            writer?.finish()
            try? store.endRun(runID, status: .failed, reason: reason)
            FileHandle.standardError.write(Data("ringmaster: run \(runID.prefix(8)) marked failed: \(reason)\n".utf8))
        }
    }

    /// Restores the default signal handling.
    func cancel() {
        for source in sources { source.cancel() }
        for signal in [SIGTERM, SIGINT, SIGHUP] { Foundation.signal(signal, SIG_DFL) }
        sources = []
    }
}
