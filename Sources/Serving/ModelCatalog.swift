import Foundation

/// Where the server finds the models it serves: turns a reference the user gave
/// (`digits@production`, `digits:3`, a run id, a model file) into the version it names now.
///
/// The server calls ``resolve(_:)`` once per reference at start-up and then every poll
/// interval from one background task; a reference whose answer changes (another version
/// or another sha256) is loaded, verified and swapped in. Implementations must be cheap to
/// call repeatedly and must not load the weights in `resolve`: that is ``ResolvedModel/load``'s
/// job, called only when the version changed.
public protocol ModelCatalog: Sendable {
    /// The version `reference` names now. Throws when the reference names nothing; the
    /// server keeps serving what it has and reports the error.
    func resolve(_ reference: String) throws -> ResolvedModel
}

/// One version of a model as a catalog names it, not yet loaded.
public struct ResolvedModel: Sendable {
    /// The name clients use in OIP routes (`/v2/models/{name}/infer`).
    public var name: String
    /// The version label reported in responses and metrics (`3`, a run id prefix, …).
    public var version: String
    /// Hex sha256 of the model file's bytes as the catalog recorded it (the store's
    /// artifact checksum, `train --json`'s `model_sha256`); the loaded bytes must match it.
    public var sha256: String
    /// Reads the model file's bytes; may be slow (file or store I/O) and may throw.
    public var load: @Sendable () throws -> Data

    public init(name: String, version: String, sha256: String, load: @escaping @Sendable () throws -> Data) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.load = load
    }
}
