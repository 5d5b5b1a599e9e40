import Foundation
import RingmasterCore

/// Records forward, backward, allreduce and optimizer spans of one rank and writes
/// all ranks' spans as one Chrome trace (`chrome://tracing`, Perfetto), one process
/// row per rank. Spans go into a preallocated array: recording does not allocate.
public final class Timeline {
    public enum Phase: String, CaseIterable, Sendable {
        case data, forward, loss, backward, allreduce, optimizer, evaluate, checkpoint
    }

    private struct Span {
        var phase: Phase
        var start: UInt64
        var duration: UInt64
    }

    private var spans: [Span]
    private let origin: UInt64
    private let capacity: Int
    public private(set) var dropped = 0

    public init(capacity: Int = 200_000) {
        self.capacity = capacity
        spans = []
        spans.reserveCapacity(capacity)
        origin = DispatchTime.now().uptimeNanoseconds
    }

    /// Times `body` as one span of `phase`.
    @inline(__always)
    public func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let end = DispatchTime.now().uptimeNanoseconds
        if spans.count < capacity {
            spans.append(Span(phase: phase, start: start, duration: end - start))
        } else {
            dropped += 1
        }
        return result
    }

    /// Total seconds spent in `phase`.
    public func seconds(in phase: Phase) -> Double {
        Double(spans.lazy.filter { $0.phase == phase }.reduce(0) { $0 + $1.duration }) / 1e9
    }

    /// Gathers every rank's spans and, on rank 0, writes the Chrome trace to `url`.
    public func write(to url: URL, communicator: any Communicator) throws {
        // Ranks on one host share the monotonic clock: align them to the earliest origin.
        let origin = UInt64(try communicator.allgather(Int64(self.origin)).min() ?? Int64(self.origin))
        var events: [String] = []
        events.reserveCapacity(spans.count)
        for span in spans {
            let ts = Double(span.start &- origin) / 1000
            let dur = Double(span.duration) / 1000
            events.append(
                "{\"name\":\"\(span.phase.rawValue)\",\"ph\":\"X\",\"pid\":\(communicator.rank),\"tid\":0,"
                    + "\"ts\":\(String(format: "%.3f", ts)),\"dur\":\(String(format: "%.3f", dur))}")
        }
        events.append(
            "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":\(communicator.rank),\"args\":{\"name\":\"rank \(communicator.rank) (\(communicator.hostName))\"}}"
        )
        let all = try communicator.allgather(events.joined(separator: ",\n"))
        guard communicator.isRoot else { return }
        let body = "{\"traceEvents\":[\n" + all.filter { !$0.isEmpty }.joined(separator: ",\n") + "\n],\"displayTimeUnit\":\"ms\"}\n"
        try AtomicFile.write(Data(body.utf8), to: url)
    }
}
