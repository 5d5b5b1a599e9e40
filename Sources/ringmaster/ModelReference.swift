import Foundation
import Learning
import MetadataSQLite
import RingmasterCore

/// Resolves what the user named as a model: a model file path; a registered model version,
/// `NAME@ALIAS` or `NAME:VERSION`; or a run id (or unique prefix) whose `model.rmm` artifact
/// is read from the store. Bytes from the store are verified against their sha256.
enum ModelReference {
    static func load(_ reference: String, store location: String?) throws -> ModelFile {
        if FileManager.default.fileExists(atPath: reference) {
            return try ModelFile.read(from: URL(fileURLWithPath: reference))
        }
        let store = try World.openStore(location)
        if ModelVersionReference.isSpelledAsReference(reference) {
            let registry = ModelRegistry(store: store)
            let resolved = try registry.resolve(try ModelVersionReference(parsing: reference))
            return try ModelFile.decode(
                try registry.contents(resolved),
                source: "\(resolved.version.reference) (run \(resolved.version.runID.prefix(8)) \(resolved.artifact.name))")
        }
        let (run, artifact, bytes) = try runModel(reference, store: store)
        return try ModelFile.decode(bytes, source: "run \(run.id.prefix(8)) \(artifact.name)")
    }

    /// The run `reference` names (id or unique prefix), its model artifact and the
    /// artifact's bytes, unverified.
    static func runModel(_ reference: String, store: any MetadataStore) throws -> (RunRecord, ArtifactRecord, Data) {
        let run: RunRecord
        do {
            run = try store.run(reference)
        } catch StoreError.unknownRun {
            throw CLIError(message: "\(reference): no such model file, no run with this id in \(store.location), "
                           + "and not a model reference (NAME@ALIAS or NAME:VERSION)")
        }
        guard let artifact = try store.artifacts(run: run.id).first(where: { $0.kind == "model" }) else {
            throw CLIError(message: "run \(run.id) has no model artifact (status: \(run.status.rawValue))")
        }
        return (run, artifact, try store.artifactContents(artifact))
    }

    /// The help of every MODEL argument.
    static let help: String = "A model file, a run id, or a registered model as NAME@ALIAS or NAME:VERSION."
}
