import Foundation
import Testing
import TestSupport

/// Runs the built `ringmaster` executable, alone or under mpirun, in a scratch store.
struct CLI {
    let store: URL

    init() throws {
        store = try ProcessRunner.temporaryDirectory("cli-store")
    }

    static var binary: String { ProcessRunner.executable("ringmaster") }
    static func example(_ name: String) -> String {
        ProcessRunner.packageRoot.appendingPathComponent("examples/\(name)").path
    }

    /// `ringmaster ARGS --store STORE` on `ranks` ranks (1: no mpirun).
    @discardableResult
    func run(
        _ arguments: [String], ranks: Int = 1, timeout: Double = 240, withStore: Bool = true, environment: [String: String] = [:]
    ) throws -> ProcessResult {
        let args = [Self.binary] + arguments + (withStore ? ["--store", store.path] : [])
        if ranks == 1 { return try ProcessRunner.run(args, environment: environment, directory: store, timeout: timeout) }
        return try ProcessRunner.mpirun(ranks: ranks, args, environment: environment, directory: store, timeout: timeout)
    }

    /// Trains and decodes the `--json` result line, failing the test with stderr if training failed.
    func train(
        _ config: String, ranks: Int = 1, _ extra: [String] = [], environment: [String: String] = [:]
    ) throws -> TrainResult {
        let result = try run(["train", config, "--json"] + extra, ranks: ranks, environment: environment)
        guard result.status == 0, let line = result.stdout.split(separator: "\n").last else {
            throw CLIFailure(message: "train exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return try JSONDecoder().decode(TrainResult.self, from: Data(line.utf8))
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct TrainResult: Decodable {
    struct Validation: Decodable {
        var loss: Double
        var accuracy: Double?
        var r2: Double?
    }
    var run_id: String
    var validation: Validation
    var model_path: String
    var model_sha256: String
    var weights_sha256: String
    var ranks: Int
    var seconds: Double
    var epochs: Int
    var steps: Int
}

extension ProcessResult {
    /// Non-empty lines of standard error that come from ringmaster itself (not mpirun's banners).
    var ringmasterErrors: [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ringmaster:") }
    }
}
