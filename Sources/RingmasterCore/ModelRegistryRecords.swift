import Foundation

/// A named model in the registry: a series of versions, each the model artifact of one run.
public struct RegisteredModelRecord: Codable, Sendable, Equatable {
    public var name: String
    /// Given at the first registration; empty when none was.
    public var description: String
    public var created: Date
    /// When the last version was registered or an alias last moved.
    public var updated: Date
    /// The highest version number; 0 before the first version is registered.
    public var latestVersion: Int

    public init(name: String, description: String, created: Date, updated: Date, latestVersion: Int) {
        self.name = name
        self.description = description
        self.created = created
        self.updated = updated
        self.latestVersion = latestVersion
    }
}

/// What `models register` asks the store to record: the model artifact of a run.
public struct NewModelVersion: Codable, Sendable, Equatable {
    /// The registered model (created when new); checked by ``ModelVersionReference/validateName(_:)``.
    public var model: String
    /// The run whose model artifact this version is (full id).
    public var runID: String
    /// The run's model artifact: its name within the run and its sha256.
    public var artifactName: String
    public var artifactSHA256: String
    /// The dataset version the run read (`NAME:VERSION`), when lineage records one.
    public var dataset: String?
    public var description: String
    public var tags: [String: String]

    public init(
        model: String, runID: String, artifactName: String, artifactSHA256: String, dataset: String? = nil,
        description: String = "", tags: [String: String] = [:]
    ) {
        self.model = model
        self.runID = runID
        self.artifactName = artifactName
        self.artifactSHA256 = artifactSHA256
        self.dataset = dataset
        self.description = description
        self.tags = tags
    }
}

/// One registered version of a model. Versions count up from 1 per model and never change.
public struct ModelVersionRecord: Codable, Sendable, Equatable {
    public var model: String
    public var version: Int
    public var runID: String
    public var artifactName: String
    public var artifactSHA256: String
    /// `NAME:VERSION` of the dataset the run read, when known.
    public var dataset: String?
    public var description: String
    public var tags: [String: String]
    public var created: Date

    public init(
        model: String, version: Int, runID: String, artifactName: String, artifactSHA256: String, dataset: String?,
        description: String, tags: [String: String], created: Date
    ) {
        self.model = model
        self.version = version
        self.runID = runID
        self.artifactName = artifactName
        self.artifactSHA256 = artifactSHA256
        self.dataset = dataset
        self.description = description
        self.tags = tags
        self.created = created
    }

    /// `NAME:VERSION`, how commands refer to it.
    public var reference: String { "\(model):\(version)" }
    public var node: LineageNode { .modelVersion(name: model, version: version) }
    /// The lineage node of the run's model artifact.
    public var artifactNode: LineageNode { .artifact(run: runID, name: artifactName) }
}

/// An alias of a model (`production`, `staging`, any name) and the version it points at now.
public struct ModelAliasRecord: Codable, Sendable, Equatable {
    public var model: String
    public var alias: String
    public var version: Int
    /// When it last moved.
    public var updated: Date

    public init(model: String, alias: String, version: Int, updated: Date) {
        self.model = model
        self.alias = alias
        self.version = version
        self.updated = updated
    }
}

/// One move of an alias: set (`from` nil), moved, or deleted (`to` nil). Every move is kept.
public struct ModelAliasEvent: Codable, Sendable, Equatable {
    public var model: String
    public var alias: String
    public var from: Int?
    public var to: Int?
    public var reason: String
    public var time: Date

    public init(model: String, alias: String, from: Int?, to: Int?, reason: String, time: Date) {
        self.model = model
        self.alias = alias
        self.from = from
        self.to = to
        self.reason = reason
        self.time = time
    }
}
