import Foundation
import PostgresNIO
import RingmasterCore

/// One connection to the server, used from synchronous code.
///
/// ``MetadataStore`` is synchronous and postgres-nio is asynchronous. Every statement here is
/// sent through postgres-nio's `EventLoopFuture` interface and the *calling* thread blocks on
/// the result with `EventLoopFuture.wait()`. The I/O itself runs on NIO's shared event-loop
/// threads, never on the caller's thread and never on Swift concurrency's cooperative pool,
/// so a caller that blocks a cooperative thread (a test, a server handler) cannot starve the
/// work it waits for. `wait()` traps when called on an event-loop thread, where it would
/// deadlock; nothing in this module runs on one.
///
/// Callers are serialized by `lock`: PostgreSQL runs one statement at a time per connection,
/// and a transaction must not interleave with another thread's statements. A connection the
/// server closed (restart, idle timeout) is replaced on the next call; the call that saw it
/// close fails with ``StoreError/unavailable(_:)`` and is not retried, so no write is applied twice.
final class BlockingConnection: @unchecked Sendable {
    // @unchecked Sendable: `connection` is read and written only while `lock` is held;
    // every other property is immutable and Sendable.
    let location: PostgresLocation
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private let logger: Logger

    /// Connects now, so that a wrong URL or a stopped server is reported when the store opens.
    init(location: PostgresLocation) throws {
        self.location = location
        var logger = Logger(label: "ringmaster.postgres")
        // postgres-nio logs through swift-log, whose default handler prints; the CLI's
        // output (JSON lines, tables) must stay clean, and errors are reported as values.
        logger.logLevel = .critical
        self.logger = logger
        try withSession { _ in }
    }

    deinit {
        // Nothing waits here, as deinit may run on any thread; the callback keeps the
        // connection alive until it is closed, as postgres-nio requires.
        guard let connection else { return }
        connection.close().whenComplete { _ in _ = connection }
    }

    /// Runs `body` with exclusive use of the connection, connecting first if needed.
    @discardableResult
    func withSession<T>(_ body: (Session) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let live: PostgresConnection
        if let connection, !connection.isClosed {
            live = connection
        } else {
            live = try connect()
            connection = live
        }
        return try body(Session(connection: live, location: location.redacted, logger: logger))
    }

    /// Closes the connection and waits until the server has seen it go.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        try? connection?.close().wait()
        connection = nil
    }

    private func connect() throws -> PostgresConnection {
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try location.configuration(),
                id: 1, logger: logger
            ).wait()
        } catch {
            throw StoreError.unavailable("\(location.redacted): \(Session.reason(error))")
        }
    }
}

/// Exclusive use of the connection for the length of one ``BlockingConnection/withSession(_:)``.
struct Session {
    let connection: PostgresConnection
    /// The redacted URL, for messages.
    let location: String
    let logger: Logger

    /// Runs one statement and returns all of its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw translate(error)
        }
    }

    /// Runs `body` inside `BEGIN` … `COMMIT`, rolling back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    /// Server-side refusals become ``PostgresServerError``; a lost connection or a server
    /// that is shutting down becomes ``StoreError/unavailable(_:)``. Both carry the redacted URL.
    private func translate(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "error"
            // Class 08 is connection exceptions, 57P0x is the server shutting down.
            if state.hasPrefix("08") || state.hasPrefix("57P") {
                return StoreError.unavailable("\(location): \(message)")
            }
            return PostgresServerError(location: location, sqlState: state, message: message)
        }
        return StoreError.unavailable("\(location): \(Self.reason(error))")
    }

    /// A short, password-free reason for a failed connection or statement.
    static func reason(_ error: any Error) -> String {
        if let error = error as? StoreError, case .unavailable(let reason) = error { return reason }
        guard let error = error as? PSQLError else { return describe(error) }
        if let info = error.serverInfo, let message = info[.message] { return message }
        if let underlying = error.underlying { return describe(underlying) }
        switch error.code {
        case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
        case .clientClosedConnection: return "the connection was closed"
        case .sslUnsupported: return "the server does not offer TLS, which this sslmode requires"
        case .authMechanismRequiresPassword: return "the server asks for a password and none was given (URL or PGPASSWORD)"
        case .unsupportedAuthMechanism: return "the server asks for an authentication method this client does not support"
        default: return "\(error.code)"
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return "cannot connect: \(describe(first.error))" }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve host \(error.host)" }
            return "cannot connect to \(error.host):\(error.port)"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? ChannelError, case .connectTimeout = error { return "connection timed out" }
        return "\(error)"
    }
}

/// A statement the PostgreSQL server refused, with its SQLSTATE code.
///
/// Connection problems are ``StoreError/unavailable(_:)`` instead; this error means the
/// server was reached and said no (a permission, a constraint, a full disk).
public struct PostgresServerError: Error, CustomStringConvertible, Sendable {
    /// The store's URL, password redacted.
    public var location: String
    /// The five-character SQLSTATE, e.g. `42501` for a missing privilege.
    public var sqlState: String
    /// The server's message.
    public var message: String

    public var description: String { "\(location): \(message) (SQLSTATE \(sqlState))" }
}
