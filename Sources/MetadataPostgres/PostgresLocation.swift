import Foundation
import PostgresNIO
import RingmasterCore

/// Where a PostgreSQL store lives: parsed from `postgres://user:password@host:port/database`
/// (or `postgresql://`), with what the URL leaves out taken from libpq's environment
/// variables `PGUSER`, `PGPASSWORD`, `PGHOST`, `PGPORT`, `PGDATABASE` and `PGSSLMODE`.
///
/// The password is kept for connecting only: ``redacted`` (used by `location` and every
/// error message) shows it as `***`, and `description` is the redacted form too, so that
/// interpolating a location into a message cannot leak it.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// Host name, IP address, or a directory holding the server's Unix socket (leading `/`).
    public var host: String
    /// TCP port, or the suffix of the socket file `.s.PGSQL.PORT`; default 5432.
    public var port: Int
    /// Role to log in as; default the operating-system user, as libpq does.
    public var user: String
    /// Never printed; see ``redacted``.
    var password: String?
    /// Database name; default the user name.
    public var database: String
    /// TLS: `disable` or `allow` (plain), `prefer` (the default: TLS when the server offers it,
    /// certificate not checked), `require` (TLS, certificate not checked), `verify-full`.
    public var sslMode: String

    /// Parses `url`; fails with ``StoreError/unavailable(_:)`` naming the redacted URL.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw StoreError.unavailable("\(Self.redact(url)): not a postgres:// or postgresql:// URL")
        }
        func decoded(_ part: String?) -> String? {
            guard let part, !part.isEmpty else { return nil }
            return part.removingPercentEncoding ?? part
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }

        user = decoded(components.percentEncodedUser) ?? environment["PGUSER"] ?? Self.systemUser(environment)
        password = decoded(components.percentEncodedPassword) ?? environment["PGPASSWORD"]
        host = decoded(components.percentEncodedHost) ?? query["host"] ?? environment["PGHOST"] ?? "localhost"
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let path = String(components.percentEncodedPath.drop(while: { $0 == "/" }))
        database = decoded(path) ?? environment["PGDATABASE"] ?? user
        sslMode = query["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer"
        let portText = components.port.map(String.init) ?? environment["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw StoreError.unavailable("\(Self.redact(url)): port '\(portText)' is not a TCP port")
        }
        self.port = port
        guard ["disable", "allow", "prefer", "require", "verify-full"].contains(sslMode) else {
            throw StoreError.unavailable(
                "\(Self.redact(url)): sslmode '\(sslMode)' is not supported; use disable, prefer, require or verify-full")
        }
    }

    /// The location as a URL with the password, if any, shown as `***`.
    public var redacted: String {
        var text = "postgres://" + Self.escape(user)
        if password != nil { text += ":***" }
        text += "@" + (host.contains(":") ? "[\(host)]" : Self.escape(host))
        return text + ":\(port)/" + Self.escape(database)
    }

    public var description: String { redacted }

    /// The same server and credentials, another database (tests create one per check).
    func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    func configuration() throws -> PostgresConnection.Configuration {
        if host.hasPrefix("/") {
            return PostgresConnection.Configuration(
                unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable", "allow":
            tls = .disable
        case "verify-full":
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default:
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            let context = try NIOSSLContext(configuration: unverified)
            tls = sslMode == "require" ? .require(context) : .prefer(context)
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// libpq's default user: the operating-system user running the process.
    private static func systemUser(_ environment: [String: String]) -> String {
        environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
    }

    private static func escape(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? part
    }

    /// `url` with anything between `user:` and `@` replaced by `***`, for messages about URLs
    /// that could not be parsed.
    static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return url }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<schemeEnd.upperBound]) + userInfo[..<colon] + ":***" + rest[at...]
    }
}
