import Dashboard
import Foundation
import Hummingbird
import HummingbirdTesting
import MetadataSQLite
import RingmasterCore
import TestSupport

/// A scratch SQLite store with hand-made runs, a sweep and a registered model, and helpers to
/// request dashboard pages from it through Hummingbird's in-process router test client.
struct DashboardFixture {
    let store: SQLiteStore
    let directory: URL
    /// Runs by name: `alpha`…`golf` in experiment `grid` (loss 0.7 … 0.1, lr 0.001 … 0.1), and
    /// `hostile` in experiment `xss`, whose name and a tag hold markup.
    var runs: [String: RunRecord] = [:]
    var sweepID = ""

    static let hostile = "<script>alert('x')</script>"
    static let names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]

    init() throws {
        directory = try ProcessRunner.temporaryDirectory("dashboard-store")
        store = try SQLiteStore(directory: directory)
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        for (index, name) in Self.names.enumerated() {
            let run = RunRecord(
                id: String(format: "%08x", index + 1) + String(repeating: "ab", count: 12), experiment: "grid", name: name,
                status: .finished, startTime: start.addingTimeInterval(Double(index) * 60),
                endTime: start.addingTimeInterval(Double(index) * 60 + 30),
                params: ["lr": ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1"][index], "layers": index < 4 ? "2" : "3"])
            let loss = 0.7 - 0.1 * Double(index)
            try store.importRun(run, metrics: (1...5).map { step in
                MetricPoint(key: "loss", step: step, value: loss + 0.5 / Double(step), timestamp: run.startTime)
            } + [MetricPoint(key: "accuracy", step: 5, value: 1 - loss, timestamp: run.startTime)])
            runs[name] = run
        }
        let hostile = try store.createRun(
            experiment: "xss", name: Self.hostile, params: ["p": Self.hostile], tags: ["note": Self.hostile], environment: [:])
        try store.logMetrics(run: hostile.id, [MetricPoint(key: "loss", step: 1, value: 1), MetricPoint(key: "loss", step: 2, value: 0.5)])
        runs["hostile"] = hostile

        // A model: the hostile run stores a model artifact and is registered twice, with aliases.
        _ = try store.storeArtifact(run: hostile.id, name: "model.rmm", kind: "model", contents: Data("weights".utf8))
        let registry = ModelRegistry(store: store)
        _ = try registry.register(model: "digits", run: hostile.id, description: "first")
        _ = try registry.register(model: "digits", run: hostile.id, description: "second")
        _ = try registry.promote(model: "digits", version: 1, alias: "production")
        _ = try registry.promote(model: "digits", version: 2, alias: "production", reason: "better")
        _ = try registry.promote(model: "digits", version: 2, alias: "staging")

        let sweep = try store.createSweep(
            name: "lr-sweep", experiment: "grid", spec: """
                function: branin
                space:
                  x0: {type: uniform, low: -5, high: 10}
                  x1: {type: loguniform, low: 0.01, high: 15}
                budget: {max_trials: 12}
                """, objective: "loss", direction: .minimize)
        for number in 0..<12 {
            let x0 = -5 + Double(number), x1 = 0.01 + Double(number)
            try store.recordTrial(TrialRecord(
                sweepID: sweep.id, number: number, params: ["x0": .real(x0), "x1": .real(x1)],
                state: number == 3 ? .pruned : .completed, value: abs(x0) + x1 / 10,
                intermediate: [1: abs(x0) + 1, 3: abs(x0) + x1 / 10], runID: runs[Self.names[number % 7]]!.id))
        }
        sweepID = sweep.id
    }

    func dashboard(token: String? = nil, pageSize: Int = 50) -> Dashboard {
        Dashboard(store: store, configuration: DashboardConfiguration(token: token, dataRoots: [directory], pageSize: pageSize))
    }

    /// GETs `uri` and returns the status and body.
    func get(_ uri: String, token: String? = nil, pageSize: Int = 50) async throws -> (status: HTTPResponse.Status, body: String) {
        let app = Application(router: dashboard(token: token, pageSize: pageSize).router())
        return try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { ($0.status, String(buffer: $0.body)) }
        }
    }

    /// POSTs a form to `uri` on a dashboard configured with `token`.
    func post(_ uri: String, form: String, token: String?) async throws -> (status: HTTPResponse.Status, location: String?, body: String) {
        let app = Application(router: dashboard(token: token).router())
        return try await app.test(.router) { client in
            try await client.execute(
                uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form)
            ) { ($0.status, $0.headers[.location], String(buffer: $0.body)) }
        }
    }
}

extension String {
    func occurrences(of text: String) -> Int { components(separatedBy: text).count - 1 }
}
