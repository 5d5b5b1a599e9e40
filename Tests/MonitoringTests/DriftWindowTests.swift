import Foundation
import Monitoring
import RingmasterCore
import Testing

@Suite struct DriftWindowTests {
    static let profile: FeatureProfile = {
        var profile = ProfileBuilder.profile(
            features: DriftDetectorTests.data(rows: 800, seed: 3), rows: 800, names: DriftDetectorTests.names,
            labels: (0..<800).map { Float($0 % 2) }, classNames: ["no", "yes"])
        profile.predictions = .classes(names: ["no", "yes"], counts: [400, 400])
        return profile
    }()

    static func record(_ window: DriftWindow, rows: Int, seed: UInt64, shift: Double = 0, ids: [String]? = nil) {
        let features = DriftDetectorTests.data(rows: rows, seed: seed, shift: shift)
        features.withUnsafeBufferPointer {
            window.record(features: $0, count: rows, predictions: (0..<rows).map { Double($0 % 2) }, requestIDs: ids)
        }
    }

    @Test func emptyWindowReportsNothing() {
        let window = DriftWindow(profile: Self.profile, capacity: 100)
        let snapshot = window.snapshot()
        #expect(snapshot.rows == 0 && snapshot.drift == nil && snapshot.accuracy == nil)
    }

    @Test func windowKeepsTheLatestRowsAndSeesAShift() throws {
        let window = DriftWindow(profile: Self.profile, capacity: 500)
        Self.record(window, rows: 400, seed: 10)
        let calm = try #require(window.snapshot().drift)
        #expect(!calm.datasetDrift && calm.currentRows == 400)
        #expect(calm.predictions?.drifted == false)
        // 500 shifted rows push every unshifted one out of the window.
        Self.record(window, rows: 500, seed: 11, shift: 1)
        let snapshot = window.snapshot()
        #expect(snapshot.rows == 500 && snapshot.totalRows == 900)
        let shifted = try #require(snapshot.drift)
        #expect(shifted.datasetDrift)
        #expect(abs(shifted.features[0].currentMean - 1) < 0.2)
    }

    @Test func labelsGiveLiveAccuracy() throws {
        let window = DriftWindow(profile: Self.profile, capacity: 10)
        let ids = (0..<4).map { "r\($0)" }
        Self.record(window, rows: 4, seed: 12, ids: ids)  // predictions: no, yes, no, yes
        #expect(try window.label(requestID: "r0", label: "no"))
        #expect(try window.label(requestID: "r1", label: "yes"))
        #expect(try !window.label(requestID: "r2", label: "yes"))
        #expect(window.snapshot().accuracy == 2.0 / 3)
        #expect(throws: DriftWindow.LabelError.unknownRequest("r0")) { try window.label(requestID: "r0", label: "no") }
        #expect(throws: DriftWindow.LabelError.unknownClass("maybe")) { try window.label(requestID: "r3", label: "maybe") }
        // Ids older than the window's capacity are forgotten.
        Self.record(window, rows: 20, seed: 13, ids: (0..<20).map { "s\($0)" })
        #expect(throws: DriftWindow.LabelError.unknownRequest("r3")) { try window.label(requestID: "r3", label: "yes") }
        #expect(try window.label(requestID: "s19", label: "yes"))
    }

    @Test func concurrentRecordingLosesNothing() {
        let window = DriftWindow(profile: Self.profile, capacity: 100_000)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for batch in 0..<50 { Self.record(window, rows: 10, seed: UInt64(worker * 100 + batch)) }
        }
        #expect(window.snapshot().totalRows == 4000)
    }
}
