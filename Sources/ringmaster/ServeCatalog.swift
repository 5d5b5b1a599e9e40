import Crypto
import Foundation
import Learning
import RingmasterCore
import Serving

/// The server's catalog for the references the CLI knows: a model file path or a run id
/// (or unique prefix), optionally named `NAME=REFERENCE`.
///
/// Without a name, a file serves under its file name without extension and a run under
/// its experiment's name. A file's version is the first 12 hex digits of its sha256, so
/// rewriting the file (atomically, as `ringmaster train` does) is a new version the server
/// swaps in; polls re-read it only when its size or modification time changed. A run's
/// model never changes, so it is read from the store once.
final class ServeCatalog: ModelCatalog, @unchecked Sendable {
    // Invariant for @unchecked Sendable: `files` and `runs` are only touched with `lock` held.
    private let storeLocation: String?
    private let lock = NSLock()
    private var files: [String: (size: Int, modified: Date, resolved: ResolvedModel)] = [:]
    private var runs: [String: ResolvedModel] = [:]

    init(store: String?) {
        storeLocation = store
    }

    func resolve(_ reference: String) throws -> ResolvedModel {
        let (name, target) = Self.split(reference)
        if FileManager.default.fileExists(atPath: target) { return try file(target, name: name) }
        lock.lock()
        defer { lock.unlock() }
        if let known = runs[reference] { return known }
        let (run, artifact, bytes) = try ModelReference.runModel(target, store: World.openStore(storeLocation))
        let resolved = ResolvedModel(
            name: name ?? run.experiment, version: String(run.id.prefix(8)), sha256: artifact.sha256, load: { bytes })
        runs[reference] = resolved
        return resolved
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
        let sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
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
