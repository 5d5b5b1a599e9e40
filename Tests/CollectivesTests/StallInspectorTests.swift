import Collectives
import Testing

/// Rank 0's reading of heartbeats, driven with made-up reports and clock values.
@Suite struct StallInspectorTests {
    let hosts = ["node0", "node1", "node2", "node3"]

    func report(_ entered: Int, inside: Bool = true, heard: Double = 0) -> StallInspector.Report {
        .init(position: .init(entered: entered, inside: inside, kind: .allreduce), heardAt: heard)
    }

    /// `reports` as just heard, at `now`.
    func heard(_ reports: [StallInspector.Report], at now: Double) -> [StallInspector.Report] {
        reports.map { var report = $0; report.heardAt = now; return report }
    }

    @Test func warnsAfterTheTimeoutNamingTheMissingRankAndHost() {
        var inspector = StallInspector(settings: .init(stallTimeout: 60, lostPeerTimeout: 0), hosts: hosts)
        let reports = [report(1234), report(1234), report(1234), report(1233, inside: false)]
        #expect(inspector.inspect(heard(reports, at: 0), now: 0).isEmpty)
        #expect(inspector.inspect(heard(reports, at: 59), now: 59).isEmpty)
        #expect(inspector.inspect(heard(reports, at: 60.5), now: 60.5)
            == [.stall("stall: allreduce #1234 waiting 60 s; rank 3 (node3) has not arrived")])
        // Repeated at most once per timeout.
        #expect(inspector.inspect(heard(reports, at: 100), now: 100).isEmpty)
        #expect(inspector.inspect(heard(reports, at: 121), now: 121).count == 1)
    }

    @Test func namesRankZeroAndSeveralRanks() {
        var inspector = StallInspector(settings: .init(stallTimeout: 5, lostPeerTimeout: 0), hosts: hosts)
        let reports = [report(7, inside: false), report(8), report(7, inside: false), report(8)]
        _ = inspector.inspect(reports, now: 0)
        #expect(inspector.inspect(heard(reports, at: 5), now: 5) == [.stall("stall: allreduce #8 waiting 5 s; ranks 0 (node0), 2 (node2) have not arrived")])
    }

    @Test func progressRestartsTheClock() {
        var inspector = StallInspector(settings: .init(stallTimeout: 5, lostPeerTimeout: 0), hosts: hosts)
        _ = inspector.inspect([report(1), report(2)], now: 0)
        // Collective 2 completed and 3 now waits: a new wait, not a 6-second one.
        #expect(inspector.inspect([report(3), report(2, inside: false)], now: 4).isEmpty)
        #expect(inspector.inspect([report(3), report(2, inside: false)], now: 8).isEmpty)
        #expect(inspector.inspect([report(3), report(3)], now: 20).isEmpty)
    }

    @Test func silentRanksAreLostAfterTheirTimeoutAndNotedBefore() {
        var inspector = StallInspector(settings: .init(stallTimeout: 2, lostPeerTimeout: 10), hosts: hosts)
        let reports = [report(5, heard: 9), report(4, inside: false, heard: 0)]
        _ = inspector.inspect(reports, now: 1)
        #expect(inspector.inspect(reports, now: 9) == [.stall("stall: allreduce #5 waiting 8 s; rank 1 (node1, no heartbeat for 9 s) has not arrived")])
        #expect(inspector.inspect(reports, now: 10.5) == [.lost(rank: 1, silentFor: 10.5)])
    }

    @Test func departedRanksAreNeitherLostNorMissing() {
        var inspector = StallInspector(settings: .init(stallTimeout: 1, lostPeerTimeout: 2), hosts: hosts)
        var gone = report(3, inside: false)
        gone.departed = true
        #expect(inspector.inspect([report(9, heard: 99), gone], now: 0).isEmpty)
        #expect(inspector.inspect([report(9, heard: 99), gone], now: 99).isEmpty)
    }
}
