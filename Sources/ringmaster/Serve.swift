import ArgumentParser
import Dispatch
import Foundation
import Logging
import Serving
import TrafficPolicies

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve models over HTTP (Open Inference Protocol v2 and MLflow scoring).",
        discussion: """
            Each MODEL_REF is one model, served under its name: NAME=REF, else a file's name \
            without extension or a run's experiment. /invocations serves the first. The server \
            polls each reference and swaps in a new version when it moves. --policy serves \
            several models or versions behind one endpoint (canary, shadow, A/B, bandit), named \
            after the model its first variant resolves to; that endpoint comes first. See \
            docs/serving.md and docs/serving-policies.md.
            """)

    @Argument(help: ArgumentHelp("Models to serve: model files or run ids, optionally NAME=REF.", valueName: "model-ref"))
    var models: [String] = []

    @Option(help: "Traffic policy (YAML) whose variants share one endpoint; see docs/serving-policies.md.")
    var policy: String?

    @Option(help: "Rows in each served version's live drift window (0: off).")
    var driftWindow = 1000

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "TCP port (0: any free port).")
    var port = 8080

    @Option(help: "Most rows in one forward pass.")
    var maxBatch = 32

    @Option(help: "Longest a request waits for others to batch with, in milliseconds.")
    var maxDelayMs = 2.0

    @Option(help: "Largest request body accepted, in bytes (larger: 413).")
    var maxBodyBytes = 1 << 20

    @Option(help: "Append a sampled request/response log (JSON lines) to FILE.")
    var requestLog: String?

    @Option(help: "Fraction of requests the request log keeps.")
    var logSampleRate = 0.01

    @Option(help: "Seconds between checks for a moved model reference.")
    var pollInterval = 1.0

    @Option(help: "File holding the bearer token for /admin endpoints (default: $RINGMASTER_ADMIN_TOKEN).")
    var adminTokenFile: String?

    @Option(help: World.storeHelp)
    var store: String?

    func validate() throws {
        guard !models.isEmpty || policy != nil else { throw ValidationError("give a model reference or --policy FILE") }
        guard driftWindow >= 0 else { throw ValidationError("--drift-window must not be negative") }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is outside 0...65535") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1") }
        guard maxDelayMs >= 0, maxDelayMs <= 1000 else { throw ValidationError("--max-delay-ms must be within 0...1000") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be positive") }
        guard (0...1).contains(logSampleRate) else { throw ValidationError("--log-sample-rate must be within 0...1") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
    }

    func run() throws {
        var configuration = ServingConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBatch = maxBatch
        configuration.maxDelay = .microseconds(Int((maxDelayMs * 1000).rounded()))
        configuration.maxBodyBytes = maxBodyBytes
        configuration.pollInterval = .milliseconds(Int((pollInterval * 1000).rounded()))
        configuration.requestLog = requestLog.map { RequestLog.Configuration(path: $0, sampleRate: logSampleRate) }
        configuration.adminToken = try adminToken()
        configuration.driftWindow = driftWindow
        let trafficPolicy: TrafficPolicy?
        do {
            trafficPolicy = try policy.map { try TrafficPolicy.load(path: $0) }
        } catch {
            throw CLIError(message: "\(error)")
        }

        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "ringmaster.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let server: ModelServer
        do {
            server = try ModelServer(
                references: models, policy: trafficPolicy, catalog: ServeCatalog(
                    store: store, files: models + (trafficPolicy?.variants.map(\.model) ?? [])), configuration: configuration,
                logger: logger)
        } catch let error as ModelLoadError {
            throw CLIError(message: error.description)
        }
        let names = server.endpoints.map(\.name).joined(separator: ", ")
        let app = server.makeApplication { port in
            FileHandle.standardOutput.write(Data("serving \(names) on http://\(host):\(port)\n".utf8))
        }
        let finished = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Task {
            do {
                try await app.runService()
            } catch {
                failure.error = error
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.error { throw CLIError(message: "server stopped: \(error)") }
    }

    /// From `--admin-token-file`, else `$RINGMASTER_ADMIN_TOKEN`; nil leaves /admin disabled.
    private func adminToken() throws -> AdminToken? {
        if let adminTokenFile {
            let text: String
            do {
                text = try String(contentsOfFile: adminTokenFile, encoding: .utf8)
            } catch {
                throw CLIError(message: "\(adminTokenFile): cannot read the admin token: \(error.localizedDescription)")
            }
            guard let token = AdminToken(text) else { throw CLIError(message: "\(adminTokenFile): the admin token file is empty") }
            return token
        }
        return ProcessInfo.processInfo.environment["RINGMASTER_ADMIN_TOKEN"].flatMap(AdminToken.init)
    }
}

/// Carries the server task's error back to the blocked command.
private final class ErrorBox: @unchecked Sendable {
    // Invariant for @unchecked Sendable: written by the server task before it signals the
    // semaphore, read by the command thread only after waiting on it.
    var error: (any Error)?
}
