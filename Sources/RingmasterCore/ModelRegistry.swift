import Foundation

/// The model registry over a store: registering a run's model, resolving references,
/// promoting with a requirement and rolling an alias back. The store keeps the records
/// (``MetadataStore/registerModelVersion(_:)`` and the calls next to it); this type composes
/// them into the operations the CLI and the model server use.
///
/// Resolving is cheap: ``version(_:)`` is one query, ``resolve(_:)`` two (the version, then its
/// run's artifacts), so a server can poll an alias every few seconds and fetch the bytes with
/// ``contents(_:)`` only when the version or sha256 it gets back has changed.
///
/// Safe from any thread the store may be used from.
public struct ModelRegistry: Sendable {
    public let store: any MetadataStore

    public init(store: any MetadataStore) {
        self.store = store
    }

    /// A model version with the run artifact that holds its model file.
    public struct Resolved: Sendable, Equatable, Codable {
        public var version: ModelVersionRecord
        public var artifact: ArtifactRecord

        public init(version: ModelVersionRecord, artifact: ArtifactRecord) {
            self.version = version
            self.artifact = artifact
        }
    }

    // MARK: Resolving

    /// The version a reference names now (one query). Throws ``StoreError/unknownModel(_:)``,
    /// ``StoreError/unknownModelVersion(model:version:)`` or ``StoreError/unknownModelAlias(model:alias:)``.
    public func version(_ reference: ModelVersionReference) throws -> ModelVersionRecord {
        switch reference.selector {
        case .version(let number): return try store.modelVersion(model: reference.model, version: number)
        case .alias(let alias): return try store.modelVersion(model: reference.model, alias: alias)
        }
    }

    /// The version a reference names now and its model artifact (two queries).
    public func resolve(_ reference: ModelVersionReference) throws -> Resolved {
        let version = try version(reference)
        guard let artifact = try store.artifacts(run: version.runID).first(where: {
            $0.name == version.artifactName && $0.sha256 == version.artifactSHA256
        }) else {
            throw ModelRegistryError.artifactMissing(reference: version.reference, run: version.runID, name: version.artifactName)
        }
        return Resolved(version: version, artifact: artifact)
    }

    /// The model file's bytes, verified against the sha256 recorded at registration.
    public func contents(_ resolved: Resolved) throws -> Data {
        try store.artifactContents(resolved.artifact)
    }

    // MARK: Changing

    /// Registers the model artifact of `run` (id or unique prefix) as the next version of
    /// `model`, with the dataset version the run read when lineage records one, and records
    /// the lineage edge from the artifact to the new version.
    public func register(
        model: String, run: String, description: String = "", tags: [String: String] = [:]
    ) throws -> ModelVersionRecord {
        try ModelVersionReference.validateName(model)
        let record = try store.run(run)
        guard let artifact = try store.artifacts(run: record.id).first(where: { $0.kind == "model" }) else {
            throw StoreError.noModelArtifact(run: record.id, status: record.status.rawValue)
        }
        let dataset = try store.lineageEdges(touching: .run(record.id)).lazy.compactMap { edge -> String? in
            guard edge.relation == .input, edge.target == .run(record.id),
                  case .dataset(let name, let version) = edge.source else { return nil }
            return "\(name):\(version)"
        }.first
        let version = try store.registerModelVersion(NewModelVersion(
            model: model, runID: record.id, artifactName: artifact.name, artifactSHA256: artifact.sha256,
            dataset: dataset, description: description, tags: tags))
        try store.addLineage(LineageEdge(source: version.artifactNode, target: version.node, relation: .registered))
        return version
    }

    /// Points `alias` at `version` after checking `requirement` (the run search syntax, e.g.
    /// `metrics.validation_accuracy >= 0.97`) against the version's run. Throws
    /// ``ModelRegistryError/requirementNotMet(reference:requirement:failures:)`` naming each
    /// failing condition with the run's actual value, and ``RunFilterError`` for a requirement
    /// that does not parse.
    public func promote(
        model: String, version: Int, alias: String, requirement: String? = nil, reason: String? = nil
    ) throws -> ModelAliasEvent {
        try ModelVersionReference.validateName(alias)
        let record = try store.modelVersion(model: model, version: version)
        if let requirement, let filter = try RunFilterParser.parse(requirement) {
            let run = try store.run(record.runID)
            let metrics = try store.latestMetrics(run: run.id).mapValues(\.value)
            let failures = filter.failures(run: run, metrics: metrics)
            if !failures.isEmpty {
                throw ModelRegistryError.requirementNotMet(reference: record.reference, requirement: requirement, failures: failures)
            }
        }
        let because = reason ?? (requirement.map { "promoted: \($0)" } ?? "promoted")
        return try store.moveModelAlias(model: model, alias: alias, to: version, reason: because)
    }

    /// Moves `alias` back to the version it pointed at before its last move (restoring a
    /// deleted alias too), recorded as a new event. Throws
    /// ``ModelRegistryError/nothingToRollBack(model:alias:)`` when the last move was the first
    /// time the alias was set.
    public func rollback(model: String, alias: String, reason: String? = nil) throws -> ModelAliasEvent {
        _ = try store.registeredModel(model)
        guard let last = try store.modelAliasEvents(model: model, alias: alias).last else {
            throw StoreError.unknownModelAlias(model: model, alias: alias)
        }
        guard let previous = last.from else { throw ModelRegistryError.nothingToRollBack(model: model, alias: alias) }
        let current = last.to.map { "version \($0)" } ?? "deleted"
        return try store.moveModelAlias(
            model: model, alias: alias, to: previous, reason: reason ?? "rollback from \(current)")
    }
}

/// A registry request that cannot be carried out as asked.
public enum ModelRegistryError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Text that is neither `NAME@ALIAS` nor `NAME:VERSION`.
    case invalidReference(String, reason: String)
    /// A promotion's `--require` did not hold for the version's run; each failure names the
    /// condition and the run's actual value.
    case requirementNotMet(reference: String, requirement: String, failures: [String])
    /// The alias's last move was its first setting: there is no earlier version to go back to.
    case nothingToRollBack(model: String, alias: String)
    /// The run artifact a version was registered from is no longer in the store (its run was deleted).
    case artifactMissing(reference: String, run: String, name: String)

    public var description: String {
        switch self {
        case .invalidReference(let text, let reason): return "model reference '\(text)': \(reason)"
        case .requirementNotMet(let reference, let requirement, let failures):
            return "\(reference) does not meet '\(requirement)': \(failures.joined(separator: "; "))"
        case .nothingToRollBack(let model, let alias):
            return "alias '\(alias)' of model '\(model)' has no earlier version to roll back to"
        case .artifactMissing(let reference, let run, let name):
            return "\(reference) was registered from artifact \(name) of run \(run), which is no longer in the store"
        }
    }
}
