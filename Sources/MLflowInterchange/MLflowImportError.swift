/// Why an MLflow tracking database cannot be read. Each case says what to do about it.
public enum MLflowImportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// There is no file at the path.
    case missingFile(String)
    /// The file is not a SQLite database, or it has none of MLflow's `runs`/`metrics` tables.
    case notMLflowDatabase(path: String, reason: String)
    /// An MLflow schema this importer does not read (`revision` is its `alembic_version`, if any);
    /// `mlflow db upgrade sqlite:///PATH` brings an old one up to date.
    case unsupportedSchema(path: String, revision: String?, reason: String)
    /// `--experiment` names no experiment of the database; `available` lists those it has.
    case unknownExperiment(name: String, path: String, available: [String])
    /// SQLite could not read the database (locked past the timeout, corrupt, unreadable).
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): no such file; give the path of MLflow's SQLite database (the file of sqlite:///PATH)"
        case .notMLflowDatabase(let path, let reason):
            return "\(path) is not an MLflow tracking database: \(reason)"
        case .unsupportedSchema(let path, let revision, let reason):
            let seen = revision.map { "schema revision \($0)" } ?? "no schema revision"
            return "\(path): unsupported MLflow schema (\(seen)): \(reason); "
                + "upgrade it with `mlflow db upgrade sqlite:///\(path)`"
        case .unknownExperiment(let name, let path, let available):
            let list = available.isEmpty ? "none" : available.map { "'\($0)'" }.joined(separator: ", ")
            return "\(path) has no experiment '\(name)' (it has: \(list))"
        case .unreadable(let path, let reason):
            return "\(path) cannot be read: \(reason)"
        }
    }
}
