import ArgumentParser
import Collectives
import Foundation
import MetadataPostgres
import MetadataSQLite
import RingmasterCore

/// Runs a command body on every rank of the job and turns failures into one line and
/// a non-zero exit on every rank, without leaving any rank waiting in a collective.
///
/// Failures that all ranks agreed on (``RankFailure``) are printed once, by the rank that
/// failed, and every rank exits cleanly; so are errors every rank raises identically
/// (``UniformError``), printed by rank 0. Any other error means the ranks may be out of
/// step, so the failing rank aborts the whole job with a message naming itself.
enum World {
    static func run(_ body: (any Communicator) throws -> Void) throws {
        let comm: any Communicator
        do {
            comm = try Collectives.makeWorld()
        } catch {
            throw CLIError(message: "cannot start MPI: \(error)")
        }
        do {
            try body(comm)
            try? Collectives.shutdown()
        } catch let failure as RankFailure {
            if failure.isLocal { CLIError.report(prefix(comm, failure.rank) + failure.message) }
            try? Collectives.shutdown()
            Foundation.exit(1)
        } catch let error as any UniformError where comm.size > 1 {
            if comm.isRoot { CLIError.report("\(error)") }
            try? Collectives.shutdown()
            Foundation.exit(1)
        } catch let error as CLIError where comm.size == 1 {
            try? Collectives.shutdown()
            throw error
        } catch {
            if comm.size == 1 {
                try? Collectives.shutdown()
                throw CLIError(message: "\(error)")
            }
            comm.abort(message: "\(error)", code: 1)
        }
    }

    static func prefix(_ comm: any Communicator, _ rank: Int) -> String {
        comm.size > 1 ? "rank \(rank): " : ""
    }

    /// Opens the store named by `--store` or `RINGMASTER_STORE`, default `./.ringmaster`: a
    /// `postgres://` or `postgresql://` URL opens the PostgreSQL store, anything else is the
    /// directory of the embedded SQLite store.
    static func openStore(_ location: String?) throws -> any MetadataStore {
        let path = resolved(location)
        if isPostgresURL(path) { return try PostgresStore(url: path) }
        return try SQLiteStore(directory: URL(fileURLWithPath: path))
    }

    /// Where checkpoints and model files go: the store directory, or `./.ringmaster` when the
    /// store is a PostgreSQL URL (which must not become a path: it may hold a password).
    static func workDirectory(_ location: String?) -> URL {
        let path = resolved(location)
        return URL(fileURLWithPath: isPostgresURL(path) ? ".ringmaster" : path)
    }

    /// `--store`, else `$RINGMASTER_STORE`, else `./.ringmaster`.
    private static func resolved(_ location: String?) -> String {
        location ?? ProcessInfo.processInfo.environment["RINGMASTER_STORE"] ?? ".ringmaster"
    }

    /// The help every `--store` option shows.
    static let storeHelp: ArgumentHelp = "Store directory or postgres:// URL (default ./.ringmaster, or $RINGMASTER_STORE)."

    private static func isPostgresURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }
}
