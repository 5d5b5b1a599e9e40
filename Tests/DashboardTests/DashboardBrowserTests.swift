import Foundation
import Hummingbird
import Testing
import TestSupport
@testable import Dashboard

/// Headless Chromium, when installed (the Debian package `chromium`; scripts/test.sh installs it).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Chromium's arguments for one headless visit; root needs --no-sandbox.
    static func arguments(_ action: [String], url: String, profile: URL) -> [String] {
        [path!, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--user-data-dir=\(profile.path)", "--window-size=1280,1700"] + action + [url]
    }
}

/// The dashboard end to end: a real `ringmaster ui` over a store made by the CLI (two digits
/// trainings, a training sweep, a registered model with aliases), visited by headless Chromium.
/// Each page's DOM is checked, and its screenshot saved under docs/screenshots for the docs.
@Suite(.serialized) struct DashboardBrowserTests {
    @Test(.enabled(if: Chromium.path != nil, "headless Chromium is not installed (apt-get install chromium)"))
    func pagesRenderInAHeadlessBrowser() async throws {
        let store = try ProcessRunner.temporaryDirectory("dashboard-browser")
        let binary = ProcessRunner.executable("ringmaster")
        func ringmaster(_ arguments: [String], timeout: Double = 300) throws -> String {
            let result = try ProcessRunner.run([binary] + arguments + ["--store", store.path], directory: store, timeout: timeout)
            guard result.status == 0 else {
                throw Failure("ringmaster \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr.suffix(1500))")
            }
            return result.stdout
        }
        let config = ProcessRunner.packageRoot.appendingPathComponent("examples/digits.yaml").path
        func train(_ settings: [String]) throws -> String {
            let output = try ringmaster(["train", config, "--json"] + (["training.checkpoint_every=0"] + settings).flatMap { ["--set", $0] })
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let id = object?["run_id"] as? String else { throw Failure("train printed no run id: \(output.suffix(500))") }
            return id
        }
        let slow = try train(["training.epochs=6", "optimizer.learning_rate=0.001"])
        let fast = try train(["training.epochs=6", "optimizer.learning_rate=0.01"])

        let spec = store.appendingPathComponent("sweep.yaml")
        try """
            name: digits-lr
            base: \(config)
            space:
              optimizer.learning_rate: {type: loguniform, low: 1.0e-4, high: 3.0e-2}
              model.hidden: {type: choice, values: [[16], [32], [64]]}
            objective: {metric: validation_accuracy, direction: maximize}
            budget: {max_trials: 14}
            sampler: random
            scheduler: {type: asha, min_resource: 1, max_resource: 4, reduction_factor: 2}
            seed: 1
            """.write(to: spec, atomically: true, encoding: .utf8)
        let sweepOutput = try ringmaster(["sweep", spec.path, "--json"], timeout: 600)
        let sweepID = (try JSONSerialization.jsonObject(with: Data((sweepOutput.split(separator: "\n").last ?? "").utf8)) as? [String: Any])?["sweep_id"] as? String ?? ""
        #expect(sweepID.count == 32, "sweep printed its id: \(sweepOutput.suffix(300))")

        _ = try ringmaster(["models", "register", "digits", "--run", slow, "--description", "first try"])
        _ = try ringmaster(["models", "register", "digits", "--run", fast, "--description", "higher learning rate"])
        _ = try ringmaster(["models", "alias", "digits", "production", "--version", "1"])
        _ = try ringmaster(["models", "alias", "digits", "staging", "--version", "2"])
        _ = try ringmaster(["models", "promote", "digits", "--version", "2", "--reason", "better validation accuracy"])

        // New data that drifted: four pixel columns brighter than in training.
        let digits = try String(contentsOf: ProcessRunner.packageRoot.appendingPathComponent("examples/data/digits.csv"), encoding: .utf8)
        let lines = digits.split(separator: "\n").map(String.init)
        let drifted = [lines[0]] + lines.dropFirst().prefix(400).map { line in
            var cells = line.split(separator: ",").map(String.init)
            for column in [19, 20, 27, 28] where column < cells.count - 1 {
                cells[column] = String((Double(cells[column]) ?? 0) + 7)
            }
            return cells.joined(separator: ",")
        }
        try (drifted.joined(separator: "\n") + "\n").write(to: store.appendingPathComponent("incoming.csv"), atomically: true, encoding: .utf8)

        let stats = try await StatsServer.start()
        defer { stats.stop() }
        let ui = try UIProcess(binary: binary, store: store)
        defer { ui.stop() }
        let base = "http://127.0.0.1:\(ui.port)"

        let shots = ProcessRunner.packageRoot.appendingPathComponent("docs/screenshots")
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        let profile = try ProcessRunner.temporaryDirectory("chromium-profile")
        let pages: [(name: String, path: String, expect: [String])] = [
            ("experiments", "/", [">digits</a>", "<h1>Experiments</h1>"]),
            ("runs", "/runs?experiment=digits&order=" + "metrics.validation_accuracy%20DESC", [String(slow.prefix(8)), String(fast.prefix(8)), "validation_accuracy ▼"]),
            ("run", "/runs/\(slow)", ["optimizer.learning_rate", "model.rmm", "aria-label=\"validation_accuracy\"", "digits:1"]),
            ("compare", "/compare?runs=\(slow),\(fast)", ["class=\"diff\"", "(\(slow.prefix(8)))", "aria-label=\"train_loss\""]),
            ("sweep", "/sweeps/\(sweepID)", ["aria-label=\"Optimization history\"", "aria-label=\"Parallel coordinates\"",
                                             "aria-label=\"Parameter importance (PED-ANOVA)\"", "aria-label=\"Intermediate values\""]),
            ("models", "/models/digits", ["<code>@production</code>", "better validation accuracy", "served as"]),
            ("drift", "/drift?model=digits@production&data=incoming.csv", ["pixel_2_3 (drifted)", "features drifted", "reference (training)"]),
            ("serving", "/serving?url=" + "http://127.0.0.1:\(stats.port)/stats", ["aria-label=\"Traffic split\"", "canary", "digits@staging"]),
        ]
        for page in pages {
            let dom = try ProcessRunner.run(Chromium.arguments(["--dump-dom"], url: base + page.path, profile: profile), timeout: 90)
            #expect(dom.status == 0, "\(page.name): chromium exited \(dom.status): \(dom.stderr.suffix(500))")
            for text in page.expect {
                #expect(dom.stdout.contains(text), "\(page.name) (\(page.path)) shows \(text)")
            }
            #expect(!dom.stdout.contains("class=\"message error\"") || page.name == "drift", "\(page.name) shows no error")
            let file = shots.appendingPathComponent("\(page.name).png")
            try? FileManager.default.removeItem(at: file)
            let shot = try ProcessRunner.run(
                Chromium.arguments(["--screenshot=\(file.path)"], url: base + page.path, profile: profile), timeout: 90)
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
            #expect(shot.status == 0 && size > 20_000, "\(page.name): screenshot of \(size) bytes: \(shot.stderr.suffix(300))")
        }
    }
}

extension DashboardBrowserTests {
    /// The live-update script in a real browser, under the dashboard's Content-Security-Policy:
    /// a page whose chart container polls a fragment gets the fragment swapped in, and the
    /// polling stops once the fragment's run is no longer running.
    @Test(.enabled(if: Chromium.path != nil, "headless Chromium is not installed (apt-get install chromium)"))
    func liveChartsAreSwappedInByTheScript() async throws {
        let polls = PollCounter()
        let router = Router()
        router.get("/page") { _, _ in
            Dashboard.html(.ok, Layout.page(title: "live", section: nil, readOnly: true, """
                <div id="charts" data-live="/fragment"><div data-status="running">stale chart</div></div>
                """))
        }
        router.get("/fragment") { _, _ in
            let count = polls.increment()
            return Dashboard.html(.ok, "<div data-status=\"finished\">fresh chart after \(count) poll</div>")
        }
        router.get("/live.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript"], body: .init(byteBuffer: ByteBuffer(string: Layout.script)))
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { task.cancel() }
        var port = 0
        for await bound in stream { port = bound; break }

        let profile = try ProcessRunner.temporaryDirectory("chromium-profile")
        let dom = try ProcessRunner.run(
            Chromium.arguments(["--virtual-time-budget=9000", "--dump-dom"], url: "http://127.0.0.1:\(port)/page", profile: profile),
            timeout: 90)
        #expect(dom.status == 0, "\(dom.stderr.suffix(500))")
        #expect(dom.stdout.contains("fresh chart after 1 poll") && !dom.stdout.contains("stale chart"), "\(dom.stdout.suffix(400))")
        #expect(polls.value == 1, "polling stops once the run is no longer running (9 s of virtual time, polls every 2 s)")
    }
}

/// Counts fragment requests; the server's handlers run on any thread.
final class PollCounter: @unchecked Sendable {
    // Guarded by `lock`.
    private var count = 0
    private let lock = NSLock()

    func increment() -> Int { lock.withLock { count += 1; return count } }
    var value: Int { lock.withLock { count } }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `ringmaster ui --port 0` in the background; the port is read from its first line.
final class UIProcess: @unchecked Sendable {
    // Set once in init, then only read; `stop` is called from the test's task.
    let process = Process()
    private(set) var port = 0

    init(binary: String, store: URL) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["ui", "--port", "0", "--store", store.path]
        process.currentDirectoryURL = store
        process.environment = ProcessRunner.environment()
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("\n") && Date() < deadline && process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { usleep(50_000) } else { text += String(decoding: chunk, as: UTF8.self) }
        }
        guard let range = text.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression),
              let port = Int(text[range].dropFirst("http://127.0.0.1:".count).dropLast())
        else {
            stop()
            throw Failure("ringmaster ui did not say where it listens: \(text)")
        }
        self.port = port
    }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }
}

/// A stand-in model server that answers `/stats` with a canary policy's variant statistics, in
/// the shape `TrafficRouter.snapshot()` encodes.
final class StatsServer: @unchecked Sendable {
    // Written by the server's start callback before `start` returns, read afterwards.
    private(set) var port = 0
    private var task: Task<Void, any Error>?

    static let document = """
        {"policy": "canary", "variants": [
          {"name": "stable", "model": "digits@production", "requests": 9120, "shadowRequests": 0, "errors": 3,
           "latency": {"count": 9120, "mean": 0.0021, "p50": 0.0018, "p95": 0.0042, "p99": 0.0090},
           "rewards": {"count": 812, "sum": 690.2, "mean": 0.85}, "trafficShare": 0.9},
          {"name": "canary", "model": "digits@staging", "requests": 1013, "shadowRequests": 0, "errors": 0,
           "latency": {"count": 1013, "mean": 0.0024, "p50": 0.0020, "p95": 0.0051, "p99": 0.011},
           "rewards": {"count": 97, "sum": 85.4, "mean": 0.88}, "trafficShare": 0.1}]}
        """

    static func start() async throws -> StatsServer {
        let server = StatsServer()
        let router = Router()
        router.get("/stats") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        server.task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for await port in stream {
            server.port = port
            break
        }
        return server
    }

    func stop() { task?.cancel() }
}
