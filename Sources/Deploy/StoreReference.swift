import Foundation

/// Where a deployed job records its runs, as given by `--store`, with the credentials kept
/// out of anything a generator writes: a password may be read from the job's environment at
/// run time, never copied into a script or manifest.
public enum StoreReference: Sendable, Equatable {
    /// A PostgreSQL server shared by every node; `hasPassword` when the URL carries one.
    case postgres(url: String, hasPassword: Bool)
    /// The embedded SQLite store: a directory on one node's file system.
    case directory(String)

    /// Classifies a `--store` value; a PostgreSQL URL that does not parse is refused, so a
    /// typo is caught before a job waits in a queue.
    public static func parse(_ location: String) throws -> StoreReference {
        guard location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") else {
            return .directory(location)
        }
        guard let components = URLComponents(string: location), components.host?.isEmpty == false else {
            throw DeployError(option: "--store", reason: "not a valid PostgreSQL URL (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        let inQuery = components.queryItems?.contains { $0.name.lowercased() == "password" } ?? false
        return .postgres(url: location, hasPassword: components.password != nil || inQuery)
    }

    /// The location with any password replaced by `***`, safe to print.
    public var redacted: String {
        switch self {
        case .directory(let path): return path
        case .postgres(let url, let hasPassword):
            guard hasPassword, var components = URLComponents(string: url) else { return url }
            if components.password != nil { components.password = "***" }
            components.queryItems = components.queryItems?.map {
                $0.name.lowercased() == "password" ? URLQueryItem(name: $0.name, value: "***") : $0
            }
            return components.string ?? "postgres://***"
        }
    }
}
