import Foundation
import Testing
import TestSupport
@testable import Dashboard

/// `ringmaster ui` refusing bad input in one line, and the serving page's HTTP fetch.
@Suite struct DashboardCommandTests {
    func ui(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        let store = try ProcessRunner.temporaryDirectory("dashboard-cli")
        return try ProcessRunner.run(
            [ProcessRunner.executable("ringmaster"), "ui", "--store", store.path] + arguments,
            environment: environment, directory: store, timeout: 30)
    }

    @Test func aMissingOrEmptyTokenFileIsAOneLineError() throws {
        let missing = try ui(["--token-file", "/nonexistent/token", "--port", "0"])
        #expect(missing.status == 1 && !missing.timedOut)
        #expect(missing.stderr.hasPrefix("ringmaster: error: --token-file /nonexistent/token: cannot read it"))
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-token-\(UUID().uuidString)")
        try Data("  \n".utf8).write(to: empty)
        let blank = try ui(["--token-file", empty.path, "--port", "0"])
        #expect(blank.status == 1 && blank.stderr.contains("the file is empty"))
        #expect(blank.stderr.split(separator: "\n").count == 1)
    }

    @Test func aBadPortIsRefusedBeforeListening() throws {
        let result = try ui(["--port", "70000"])
        #expect(result.status == 1 && result.stderr.contains("--port: 70000 is not a port number"))
    }

    @Test func servingStatisticsAreFetchedOverHTTP() async throws {
        let server = try await StatsServer.start()
        defer { server.stop() }
        guard case .stats(let stats, let url) = await ServingStatsSource.fetch("http://127.0.0.1:\(server.port)") else {
            Issue.record("no statistics from the stand-in server")
            return
        }
        #expect(url.hasSuffix("/stats"))
        #expect(stats.policy == "canary" && stats.variants.map(\.name) == ["stable", "canary"])
        guard case .failure(let message) = await ServingStatsSource.fetch("http://127.0.0.1:\(server.port)/missing") else {
            Issue.record("a 404 is not statistics")
            return
        }
        #expect(message.contains("HTTP 404"))
    }
}
