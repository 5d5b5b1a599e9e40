import Dispatch
import Foundation
import RingmasterCore

/// A stall inspector in the spirit of Horovod's: it tells a slow collective from a lost rank
/// and says which rank and host a job is waiting for.
///
/// Every rank's ``MPICommunicator`` numbers its collectives (``CollectiveProgress``). A
/// thread on each rank sends its position as a small non-blocking heartbeat on a duplicate of
/// the world communicator, so the messages never mix with training traffic and the training
/// thread never waits for them: every ``Settings/heartbeatInterval`` from the other ranks to
/// rank 0, and from rank 0 to the others.
///
/// - Rank 0 warns on standard error, one line at most every ``Settings/stallTimeout``, when a
///   collective has waited that long for ranks that have not entered it (rank 0 included),
///   naming them, their hosts and the collective.
/// - A rank silent for longer than ``Settings/lostPeerTimeout`` is lost: a stopped or dead
///   process or a cut link. The rank that notices (rank 0 for the others, the others for
///   rank 0) calls the failure handlers, writes one line naming the lost rank and host, and
///   ends the job with `MPI_Abort`, since the collective it waits in would never return.
///
/// `@unchecked Sendable`: `stopping` and `handlers` are guarded by `lock`; everything else is
/// immutable or touched only by the watchdog's thread. MPI must provide
/// `MPI_THREAD_MULTIPLE`, since that thread calls MPI while the training thread does.
public final class StallWatchdog: JobFailureNotifier, @unchecked Sendable {
    /// When to warn and when to give up on a rank; times in seconds.
    public struct Settings: Sendable, Equatable {
        /// Seconds a collective may wait for missing ranks before rank 0 warns (and between
        /// repeated warnings); 0 disables warnings. Default 60.
        public var stallTimeout: Double = 60
        /// Seconds without a heartbeat after which a rank counts as lost and the job is
        /// ended; 0 disables. Default 10.
        public var lostPeerTimeout: Double = 10
        /// Seconds between heartbeats. Default 1.
        public var heartbeatInterval: Double = 1

        public init(stallTimeout: Double = 60, lostPeerTimeout: Double = 10, heartbeatInterval: Double = 1) {
            self.stallTimeout = stallTimeout
            self.lostPeerTimeout = lostPeerTimeout
            self.heartbeatInterval = heartbeatInterval
        }
    }

    private let world: MPICommunicator
    private let channel: MPICommunicator
    private let settings: Settings
    private let hosts: [String]
    private let lock = NSLock()
    private var stopping = false
    private var handlers: [@Sendable (String) -> Void] = []
    private let finished = DispatchSemaphore(value: 0)

    /// The heartbeat's tag on the private communicator.
    private static let tag = 1
    /// A report's `entered` when the rank has stopped its watchdog.
    private static let departed: Int64 = -1

    /// Starts the watchdog over `world`. Collective: every rank calls it with the same
    /// settings, from the thread that will call ``stop()``. Returns nil (on every rank) when
    /// the job has one rank, both timeouts are 0, or MPI lacks `MPI_THREAD_MULTIPLE`.
    public static func start(on world: MPICommunicator, settings: Settings) throws -> StallWatchdog? {
        guard world.size > 1, settings.stallTimeout > 0 || settings.lostPeerTimeout > 0,
              world.supportsConcurrentCalls, settings.heartbeatInterval > 0
        else { return nil }
        let handle = try MPI.duplicate(world.handle, rank: world.worldRank)
        let channel: MPICommunicator
        do {
            channel = try MPICommunicator(handle: handle, ownsHandle: true, threadMultiple: true)
        } catch {
            MPI.free(handle)
            throw error
        }
        let hosts = try channel.allgather(world.hostName)
        let watchdog = StallWatchdog(world: world, channel: channel, settings: settings, hosts: hosts)
        let thread = Thread { watchdog.watch() }
        thread.name = "ringmaster-stall-watchdog"
        thread.start()
        MPIEnvironment.current?.onFinalize { watchdog.stop() }
        return watchdog
    }

    private init(world: MPICommunicator, channel: MPICommunicator, settings: Settings, hosts: [String]) {
        self.world = world
        self.channel = channel
        self.settings = settings
        self.hosts = hosts
    }

    public func onFailure(_ handler: @escaping @Sendable (String) -> Void) {
        lock.withLock { handlers.append(handler) }
    }

    /// Stops the thread after it tells the other ranks this one departed, so that they do
    /// not take the silence for a loss. Call on every rank before MPI is finalized (which
    /// calls it too, as a safety net); every call returns once the thread has ended.
    public func stop() {
        lock.withLock { stopping = true }
        finished.wait()
        finished.signal()  // for the next caller
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    // MARK: The watchdog's thread

    private func watch() {
        defer { finished.signal() }
        let rank = channel.rank
        let peers = rank == 0 ? Array(1..<channel.size) : [0]
        // Per peer, one slot for heartbeats and one for the last message, so that the last one
        // never overwrites a heartbeat still on its way.
        let outbox = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 6 * channel.size)
        outbox.initialize(repeating: 0)
        defer { outbox.deallocate() }
        var sends = [MPI.Request](repeating: .null, count: channel.size)
        let start = Self.now()
        var reports = [StallInspector.Report](repeating: .init(position: .init(), heardAt: start), count: channel.size)
        var inspector = StallInspector(settings: settings, hosts: hosts)
        var nextBeat = start
        let poll = min(0.1, settings.heartbeatInterval / 4)
        do {
            var lastTick = start
            while !isStopping {
                if Self.now() - lastTick > max(1, 2 * settings.heartbeatInterval) {
                    // This process was stopped or starved itself: its peers' silence meanwhile
                    // says nothing about them, so they get a fresh timeout.
                    for rank in reports.indices { reports[rank].heardAt = Self.now() }
                }
                try receiveReports(into: &reports)
                let now = Self.now()
                lastTick = now
                if now >= nextBeat {
                    let position = world.progress.current
                    for peer in peers {
                        try send(Int64(position.entered), position.inside ? 1 : 0, Int64(position.kind.rawValue),
                                 to: peer, from: outbox, requests: &sends)
                    }
                    nextBeat = now + settings.heartbeatInterval
                }
                if rank == 0 {
                    reports[0] = .init(position: world.progress.current, heardAt: now)
                    for finding in inspector.inspect(reports, now: now) {
                        switch finding {
                        case .stall(let line): writeLine("ringmaster: \(line)")
                        case .lost(let lost, let silent): fail(lost: lost, silentFor: silent)
                        }
                    }
                } else if settings.lostPeerTimeout > 0, !reports[0].departed, now - reports[0].heardAt > settings.lostPeerTimeout {
                    fail(lost: 0, silentFor: now - reports[0].heardAt)
                }
                Thread.sleep(forTimeInterval: poll)
            }
            for peer in peers {
                try send(Self.departed, 0, 0, to: peer, from: outbox, requests: &sends, force: true)
            }
            let deadline = Self.now() + 1
            while Self.now() < deadline, try !sends.indices.allSatisfy({ try MPI.test(&sends[$0], rank: world.worldRank) }) {
                Thread.sleep(forTimeInterval: 0.01)
            }
        } catch {
            writeWarningLine("stall watchdog stopped on rank \(world.worldRank): \(error)")
        }
        for index in sends.indices { MPI.release(&sends[index]) }
    }

    /// Reads every heartbeat that has arrived.
    private func receiveReports(into reports: inout [StallInspector.Report]) throws {
        var message = [Int64](repeating: 0, count: 3)
        while let (source, count) = try channel.probe(from: nil, tag: Self.tag, wait: false) {
            guard count == 24 else {
                var discard = [UInt8](repeating: 0, count: count)
                try discard.withUnsafeMutableBytes { try channel.receive(into: $0, from: source, tag: Self.tag) }
                continue
            }
            try message.withUnsafeMutableBytes { try channel.receive(into: $0, from: source, tag: Self.tag) }
            if message[0] == Self.departed {
                reports[source].departed = true
            } else {
                reports[source].position = CollectivePosition(
                    entered: Int(message[0]), inside: message[1] != 0, kind: CollectiveKind(rawValue: Int(message[2])) ?? .allreduce)
            }
            reports[source].heardAt = Self.now()
        }
    }

    /// Starts a heartbeat to `peer` unless the previous one is still on its way (a peer that
    /// takes none gets no pile of them); `force` sends regardless, for the last message,
    /// from its own slot of `outbox`.
    private func send(
        _ entered: Int64, _ inside: Int64, _ kind: Int64, to peer: Int, from outbox: UnsafeMutableBufferPointer<Int64>,
        requests: inout [MPI.Request], force: Bool = false
    ) throws {
        if try !MPI.test(&requests[peer], rank: world.worldRank) {
            guard force else { return }
            MPI.release(&requests[peer])
        }
        let slot = outbox.baseAddress! + 3 * (force ? channel.size + peer : peer)
        slot[0] = entered
        slot[1] = inside
        slot[2] = kind
        requests[peer] = try MPI.startSend(
            slot, count: 24, to: Int32(peer), tag: Int32(Self.tag), on: channel.handle, rank: world.worldRank)
    }

    /// Records the loss through the handlers, then ends every process of the job.
    private func fail(lost rank: Int, silentFor seconds: Double) -> Never {
        let reason = "lost rank \(rank) (host \(hosts[rank])): no heartbeat for \(StallInspector.seconds(seconds))"
            + " (lost-peer timeout \(StallInspector.seconds(settings.lostPeerTimeout)))"
        for handler in lock.withLock({ handlers }) { handler(reason) }
        world.abort(message: reason + "; ending the job", code: 1)
    }

    private func writeLine(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Seconds on a monotonic clock.
    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
