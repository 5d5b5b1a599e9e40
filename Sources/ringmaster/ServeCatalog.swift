import Crypto
import Foundation
import Learning
import RingmasterCore
import Serving

/// The server's catalog for the references the CLI knows: a model file path, a registered
/// version (`NAME@ALIAS`, `NAME:VERSION`) or a run id (or unique prefix), optionally named
/// `NAME=REFERENCE`.
///
/// Without a name, a file serves under its file name without extension, a registered model
/// under its registered name and a run under its experiment's name. A registered reference
/// is one store query per poll (the version the alias points at now), so moving the alias
/// (`models promote`, a pipeline's promote step, `models rollback`) swaps the server over. A file's version is the first 12 hex digits of its sha256, so
/// rewriting the file (atomically, as `ringmaster train` does) is a new version the server
/// swaps in; polls re-read it only when its size or modification time changed. A run's
/// model never changes, so it is read from the store once.
final class ServeCatalog: ModelCatalog, @unchecked Sendable {
    // Invariant for @unchecked Sendable: `files` and `runs` are only touched with `lock` held.
    private let storeLocation: String?
    private let lock = NSLock()
    private var files: [String: (size: Int, modified: Date, resolved: ResolvedModel)] = [:]
    private var runs: [String: ResolvedModel] = [:]
    private var openedStore: (any MetadataStore)?

    /// Model files may be served only when named at start-up (`files`, the command line and
    /// the policy file): a policy sent later to the admin endpoint names store models
    /// (registered versions, runs), so no request can make the server read another file.
    private let allowedFiles: Set<String>

    init(store: String?, files: [String] = []) {
        storeLocation = store
        allowedFiles = Set(files.map { Self.split($0).target })
    }

    func resolve(_ reference: String) throws -> ResolvedModel {
        let (name, target) = Self.split(reference)
        if FileManager.default.fileExists(atPath: target) {
            guard allowedFiles.contains(target) else {
                throw CLIError(message: "\(target): model files are served only when named on the command line or in the --policy file; name a registered model (NAME@ALIAS, NAME:VERSION) or a run")
            }
            return try file(target, name: name)
        }
        lock.lock()
        defer { lock.unlock() }
        if ModelVersionReference.isSpelledAsReference(target) {
            let registry = ModelRegistry(store: try store())
            let version = try registry.version(try ModelVersionReference(parsing: target))
            return ResolvedModel(
                name: name ?? version.model, version: "\(version.version)", sha256: version.artifactSHA256,
                load: { try registry.contents(try registry.resolve(ModelVersionReference(model: version.model, selector: .version(version.version)))) })
        }
        if let known = runs[reference] { return known }
        let (run, artifact, bytes) = try ModelReference.runModel(target, store: try store())
        let resolved = ResolvedModel(
            name: name ?? run.experiment, version: String(run.id.prefix(8)), sha256: artifact.sha256, load: { bytes })
        runs[reference] = resolved
        return resolved
    }

    /// The store, opened once and kept for every poll.
    private func store() throws -> any MetadataStore {
        if let openedStore { return openedStore }
        let opened = try World.openStore(storeLocation)
        openedStore = opened
        return opened
    }

    private func file(_ path: String, name: String?) throws -> ResolvedModel {
        let url = URL(fileURLWithPath: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        lock.lock()
        defer { lock.unlock() }
        if let known = files[path], known.size == size, known.modified == modified { return known.resolved }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw CLIError(message: "\(path): cannot read: \(error.localizedDescription)")
        }
        let sha256 = SHA256.hash(data: bytes).hexString
        let resolved = ResolvedModel(
            name: name ?? url.deletingPathExtension().lastPathComponent, version: String(sha256.prefix(12)), sha256: sha256,
            load: { try Data(contentsOf: url) })
        files[path] = (size, modified, resolved)
        return resolved
    }

    /// `NAME=REFERENCE` into its parts; a reference without `=` has no name.
    static func split(_ reference: String) -> (name: String?, target: String) {
        guard let equals = reference.firstIndex(of: "="), equals != reference.startIndex else { return (nil, reference) }
        return (String(reference[..<equals]), String(reference[reference.index(after: equals)...]))
    }
}
