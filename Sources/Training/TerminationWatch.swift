import Dispatch
import Foundation
import RingmasterCore

/// Marks the run failed when the process is told to stop (SIGTERM, SIGINT, SIGHUP): what
/// `mpirun` sends the surviving ranks when another rank dies, Slurm at a time limit, or a
/// user's Ctrl-C. The store keeps everything written so far; the run's reason says why it
/// ended instead of staying `running` forever. Installed on rank 0 while a run trains.
final class TerminationWatch: @unchecked Sendable {
    // Invariant: `sources` is created and cancelled on the thread that owns the watch;
    // the handlers run on `queue` only.
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "ringmaster-termination")

    init(store: any MetadataStore, runID: String, writer: MetricWriter?) {
        for (signal, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT"), (SIGHUP, "SIGHUP")] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler {
                writer?.finish()
                let reason = signal == SIGTERM
                    ? "terminated (SIGTERM): the launcher stopped the job, usually because another rank failed; see mpirun's message for the rank and host"
                    : "interrupted (\(name))"
                try? store.endRun(runID, status: .failed, reason: reason)
                FileHandle.standardError.write(Data("ringmaster: run \(runID.prefix(8)) marked failed: \(reason)\n".utf8))
                exit(128 + signal)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default signal handling.
    func cancel() {
        for source in sources { source.cancel() }
        for signal in [SIGTERM, SIGINT, SIGHUP] { Foundation.signal(signal, SIG_DFL) }
        sources = []
    }
}
