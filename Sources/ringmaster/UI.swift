import ArgumentParser
import Dashboard
import Foundation
import RingmasterCore

/// `ringmaster ui`: the web dashboard over the store, until interrupted.
struct UI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve the web dashboard over the store (runs, sweeps, models, drift, serving).",
        discussion: """
            Read-only unless a token is given with --token-file or $RINGMASTER_UI_TOKEN; writes \
            (tags, aliases) then need that token. Prints the address it listens on; --port 0 picks a free port.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8090

    @Option(help: World.storeHelp)
    var store: String?

    @Option(help: "File holding the token that allows writes (default: $RINGMASTER_UI_TOKEN; neither: read-only).")
    var tokenFile: String?

    @Option(help: "Model server statistics URL the serving page shows by default (a loopback address).")
    var servingURL: String?

    func run() throws {
        guard (0...65535).contains(port) else { throw CLIError(message: "--port: \(port) is not a port number (0–65535)") }
        let token = try readToken()
        let metadata = try World.openStore(store)
        let roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), World.workDirectory(store)]
        let dashboard = Dashboard(
            store: metadata,
            configuration: DashboardConfiguration(token: token, dataRoots: roots, servingURL: servingURL))
        let mode = token == nil ? "read-only" : "writes need the token"
        let host = self.host
        let port = self.port
        let location = metadata.location
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        Task {
            do {
                try await dashboard.serve(host: host, port: port) { bound in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    // Written unbuffered: scripts wait for this line to learn the port.
                    FileHandle.standardOutput.write(Data("ringmaster ui: serving \(location) at http://\(shown):\(bound)/ (\(mode))\n".utf8))
                }
            } catch {
                outcome.error = error
            }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error { throw CLIError(message: "ui: \(error)") }
    }

    /// The token from --token-file (surrounding whitespace removed) or $RINGMASTER_UI_TOKEN.
    func readToken() throws -> String? {
        if let tokenFile {
            let text: String
            do {
                text = try String(contentsOfFile: tokenFile, encoding: .utf8)
            } catch {
                throw CLIError(message: "--token-file \(tokenFile): cannot read it (\(error.localizedDescription))")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw CLIError(message: "--token-file \(tokenFile): the file is empty") }
            return token
        }
        let fromEnvironment = ProcessInfo.processInfo.environment["RINGMASTER_UI_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        return fromEnvironment.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The server task's error, written once by that task before it signals and read after the wait.
    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }
}
