import Foundation

/// An experiment: a named group of runs.
public struct ExperimentRecord: Codable, Sendable, Equatable {
    public var name: String
    public var created: Date
    public var runCount: Int

    public init(name: String, created: Date, runCount: Int) {
        self.name = name
        self.created = created
        self.runCount = runCount
    }
}

/// What `ringmaster data import` and training record about a dataset file.
public struct NewDatasetVersion: Codable, Sendable, Equatable {
    public var name: String
    /// sha256 of the data (hex).
    public var fingerprint: String
    /// Column names and types as JSON.
    public var schema: String
    public var rows: Int
    /// Where it was read from (a path or URL).
    public var source: String

    public init(name: String, fingerprint: String, schema: String, rows: Int, source: String) {
        self.name = name
        self.fingerprint = fingerprint
        self.schema = schema
        self.rows = rows
        self.source = source
    }
}

/// A recorded version of a named dataset. Versions count up from 1 per name; recording
/// content whose fingerprint the name already has returns that version instead.
public struct DatasetVersionRecord: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var fingerprint: String
    public var schema: String
    public var rows: Int
    public var source: String
    public var created: Date

    public init(
        name: String, version: Int, fingerprint: String, schema: String, rows: Int, source: String, created: Date
    ) {
        self.name = name
        self.version = version
        self.fingerprint = fingerprint
        self.schema = schema
        self.rows = rows
        self.source = source
        self.created = created
    }

    /// `NAME:VERSION`, how commands refer to it.
    public var reference: String { "\(name):\(version)" }
    public var node: LineageNode { .dataset(name: name, version: version) }
}

/// Something lineage connects: a dataset version, a run, an artifact of a run, a
/// registered model version, or an alias a pipeline promoted a version to.
public enum LineageNode: Sendable, Hashable, CustomStringConvertible, Codable {
    case dataset(name: String, version: Int)
    case run(String)
    case artifact(run: String, name: String)
    case modelVersion(name: String, version: Int)
    case modelAlias(name: String, alias: String)

    /// `dataset:NAME:VERSION`, `run:ID`, `artifact:RUN/NAME`, `model:NAME:VERSION`, `alias:NAME@ALIAS`: the stored form.
    public var description: String {
        switch self {
        case .dataset(let name, let version): return "dataset:\(name):\(version)"
        case .run(let id): return "run:\(id)"
        case .artifact(let run, let name): return "artifact:\(run)/\(name)"
        case .modelVersion(let name, let version): return "model:\(name):\(version)"
        case .modelAlias(let name, let alias): return "alias:\(name)@\(alias)"
        }
    }

    /// Parses the stored form.
    public init?(_ text: String) {
        if text.hasPrefix("run:") {
            self = .run(String(text.dropFirst(4)))
        } else if text.hasPrefix("artifact:"), let slash = text.firstIndex(of: "/") {
            self = .artifact(run: String(text[text.index(text.startIndex, offsetBy: 9)..<slash]),
                             name: String(text[text.index(after: slash)...]))
        } else if text.hasPrefix("dataset:"), let colon = text.lastIndex(of: ":"), colon > text.index(text.startIndex, offsetBy: 7),
                  let version = Int(text[text.index(after: colon)...]) {
            self = .dataset(name: String(text[text.index(text.startIndex, offsetBy: 8)..<colon]), version: version)
        } else if text.hasPrefix("model:"), let colon = text.lastIndex(of: ":"), colon > text.index(text.startIndex, offsetBy: 5),
                  let version = Int(text[text.index(after: colon)...]) {
            self = .modelVersion(name: String(text[text.index(text.startIndex, offsetBy: 6)..<colon]), version: version)
        } else if text.hasPrefix("alias:"), let at = text.lastIndex(of: "@"), at > text.index(text.startIndex, offsetBy: 6) {
            self = .modelAlias(name: String(text[text.index(text.startIndex, offsetBy: 6)..<at]),
                               alias: String(text[text.index(after: at)...]))
        } else {
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let node = LineageNode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad lineage node \(text)"))
        }
        self = node
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How two lineage nodes relate.
public enum LineageRelation: String, Codable, Sendable, CaseIterable {
    /// A run read a dataset version (source: dataset, target: run).
    case input
    /// A run produced an artifact (source: run, target: artifact).
    case output
    /// A run started another (source: parent run, target: child run).
    case parent
    /// A model artifact was registered as a model version (source: artifact, target: model version).
    case registered
    /// A pipeline moved an alias to a model version after its gate passed (source: model version, target: alias).
    case promoted
}

/// A directed lineage edge, e.g. `dataset:digits:1 --input--> run:ab12…`.
public struct LineageEdge: Codable, Sendable, Hashable {
    public var source: LineageNode
    public var target: LineageNode
    public var relation: LineageRelation
    public var created: Date

    public init(source: LineageNode, target: LineageNode, relation: LineageRelation, created: Date = Date()) {
        self.source = source
        self.target = target
        self.relation = relation
        self.created = Date(timeIntervalSince1970: created.timeIntervalSince1970.rounded(.down))
    }
}
