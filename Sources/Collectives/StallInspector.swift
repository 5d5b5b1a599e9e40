/// Rank 0's judgement over every rank's latest report: which collective waits for whom and
/// for how long, and which rank has gone silent. Pure, so tests drive it with made-up
/// reports and clock values; ``StallWatchdog`` feeds it from heartbeats.
public struct StallInspector: Sendable {
    /// What rank 0 last heard from one rank.
    public struct Report: Sendable, Equatable {
        /// The rank's position in its collectives when it sent the report.
        public var position: CollectivePosition
        /// When rank 0 received it, in seconds on rank 0's monotonic clock.
        public var heardAt: Double
        /// The rank has finished and sends no more heartbeats.
        public var departed = false

        public init(position: CollectivePosition, heardAt: Double, departed: Bool = false) {
            self.position = position
            self.heardAt = heardAt
            self.departed = departed
        }
    }

    /// Something rank 0 must act on.
    public enum Finding: Sendable, Equatable {
        /// A collective has waited past the stall timeout: one line to warn with.
        case stall(String)
        /// A rank has sent no heartbeat for longer than the lost-peer timeout.
        case lost(rank: Int, silentFor: Double)
    }

    public let settings: StallWatchdog.Settings
    /// Host name of every rank, for messages.
    public let hosts: [String]
    /// The collective some ranks wait in while others have not arrived, and since when.
    private var waiting: (sequence: Int, since: Double)?
    private var lastWarning: Double?

    public init(settings: StallWatchdog.Settings, hosts: [String]) {
        self.settings = settings
        self.hosts = hosts
    }

    /// What to do now, given `reports[r]` for every rank `r` (rank 0's own up to date) at
    /// time `now`. A lost rank is reported rather than a stall, since it explains the stall.
    public mutating func inspect(_ reports: [Report], now: Double) -> [Finding] {
        if settings.lostPeerTimeout > 0 {
            let lost = reports.indices.filter { !reports[$0].departed && now - reports[$0].heardAt > settings.lostPeerTimeout }
            if !lost.isEmpty { return lost.map { .lost(rank: $0, silentFor: now - reports[$0].heardAt) } }
        }
        guard settings.stallTimeout > 0 else { return [] }
        let present = reports.indices.filter { !reports[$0].departed }
        guard let newest = present.map({ reports[$0].position.entered }).max() else { return [] }
        let missing = present.filter { reports[$0].position.entered < newest }
        guard !missing.isEmpty else {
            waiting = nil
            return []
        }
        if waiting?.sequence != newest { waiting = (newest, now) }
        let waited = now - waiting!.since
        guard waited >= settings.stallTimeout, lastWarning.map({ now - $0 >= settings.stallTimeout }) ?? true else { return [] }
        lastWarning = now
        let kind = present.first { reports[$0].position.entered == newest }.map { reports[$0].position.kind } ?? .allreduce
        let names = missing.map { rank -> String in
            let silent = now - reports[rank].heardAt
            let note = silent > 2 * settings.heartbeatInterval ? ", no heartbeat for \(Self.seconds(silent))" : ""
            return "\(rank) (\(host(rank))\(note))"
        }
        let who = missing.count == 1 ? "rank \(names[0]) has not arrived" : "ranks \(names.joined(separator: ", ")) have not arrived"
        return [.stall("stall: \(kind) #\(newest) waiting \(Self.seconds(waited)); \(who)")]
    }

    /// The host of `rank`, or `?` when unknown.
    public func host(_ rank: Int) -> String { hosts.indices.contains(rank) ? hosts[rank] : "?" }

    /// Whole seconds, as messages show them.
    static func seconds(_ value: Double) -> String { "\(Int(value.rounded(.down))) s" }
}
