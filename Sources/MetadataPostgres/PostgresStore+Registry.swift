import Foundation
import PostgresNIO
import RingmasterCore

extension PostgresStore {
    public func registerModelVersion(_ version: NewModelVersion) throws -> ModelVersionRecord {
        try ModelVersionReference.validateName(version.model)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let tags = String(decoding: try encoder.encode(version.tags), as: UTF8.self)
        let now = Date().timeIntervalSince1970
        return try connection.withSession { session in
            try session.transaction {
                if try session.query("SELECT 1 FROM runs WHERE id = \(version.runID)").isEmpty {
                    throw StoreError.unknownRun(version.runID)
                }
                // The upsert locks the model's row until commit: concurrent registrations, from
                // any process, take turns and each reads back its own number.
                let number = try session.query("""
                    INSERT INTO registered_models (name, description, created, updated, latest_version)
                    VALUES (\(version.model), \(version.description), \(now), \(now), 1)
                    ON CONFLICT (name) DO UPDATE SET latest_version = registered_models.latest_version + 1,
                        updated = excluded.updated
                    RETURNING latest_version
                    """).first!.decode(Int.self)
                try session.query("""
                    INSERT INTO model_versions
                        (model, version, run_id, artifact_name, artifact_sha256, dataset, description, tags, created)
                    VALUES (\(version.model), \(Int32(clamping: number)), \(version.runID), \(version.artifactName),
                            \(version.artifactSHA256), \(version.dataset), \(version.description), \(tags), \(now))
                    """)
                return ModelVersionRecord(
                    model: version.model, version: number, runID: version.runID, artifactName: version.artifactName,
                    artifactSHA256: version.artifactSHA256, dataset: version.dataset, description: version.description,
                    tags: version.tags, created: Date(timeIntervalSince1970: now))
            }
        }
    }

    public func registeredModels() throws -> [RegisteredModelRecord] {
        try connection.withSession { session in
            try session.query("\(unescaped: Self.modelColumns) ORDER BY name").map(Self.registeredModel)
        }
    }

    public func registeredModel(_ name: String) throws -> RegisteredModelRecord {
        try connection.withSession { try Self.requireModel(name, $0) }
    }

    public func modelVersions(model: String) throws -> [ModelVersionRecord] {
        try connection.withSession { session in
            _ = try Self.requireModel(model, session)
            return try session.query("\(unescaped: Self.versionColumns("v")) WHERE v.model = \(model) ORDER BY v.version")
                .map(Self.modelVersion)
        }
    }

    public func modelVersion(model: String, version: Int) throws -> ModelVersionRecord {
        try connection.withSession { session in
            if let row = try session.query("""
                \(unescaped: Self.versionColumns("v")) WHERE v.model = \(model) AND v.version = \(Int32(clamping: version))
                """).first
            {
                return try Self.modelVersion(row)
            }
            _ = try Self.requireModel(model, session)
            throw StoreError.unknownModelVersion(model: model, version: version)
        }
    }

    public func modelVersion(model: String, alias: String) throws -> ModelVersionRecord {
        try connection.withSession { session in
            if let row = try session.query("""
                \(unescaped: Self.versionColumns("v")) JOIN model_aliases a ON a.model = v.model AND a.version = v.version
                WHERE a.model = \(model) AND a.alias = \(alias)
                """).first
            {
                return try Self.modelVersion(row)
            }
            _ = try Self.requireModel(model, session)
            throw StoreError.unknownModelAlias(model: model, alias: alias)
        }
    }

    public func modelAliases(model: String) throws -> [ModelAliasRecord] {
        try connection.withSession { session in
            _ = try Self.requireModel(model, session)
            return try session.query("SELECT alias, version, updated FROM model_aliases WHERE model = \(model) ORDER BY alias")
                .map { row in
                    let (alias, version, updated) = try row.decode((String, Int, Double).self)
                    return ModelAliasRecord(model: model, alias: alias, version: version, updated: Date(timeIntervalSince1970: updated))
                }
        }
    }

    public func moveModelAlias(model: String, alias: String, to version: Int?, reason: String) throws -> ModelAliasEvent {
        try ModelVersionReference.validateName(alias)
        let now = Date().timeIntervalSince1970
        let target = version.map { Int32(clamping: $0) }
        return try connection.withSession { session in
            try session.transaction {
                // Lock the model's row: moves of its aliases take turns, so each event's `from`
                // is the version the alias really had.
                if try session.query("SELECT 1 FROM registered_models WHERE name = \(model) FOR UPDATE").isEmpty {
                    throw StoreError.unknownModel(model)
                }
                if let target, try session.query(
                    "SELECT 1 FROM model_versions WHERE model = \(model) AND version = \(target)").isEmpty
                {
                    throw StoreError.unknownModelVersion(model: model, version: Int(target))
                }
                let from = try session.query("SELECT version FROM model_aliases WHERE model = \(model) AND alias = \(alias)")
                    .first.map { try $0.decode(Int.self) }
                if let target {
                    try session.query("""
                        INSERT INTO model_aliases (model, alias, version, updated) VALUES (\(model), \(alias), \(target), \(now))
                        ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated = excluded.updated
                        """)
                } else {
                    guard from != nil else { throw StoreError.unknownModelAlias(model: model, alias: alias) }
                    try session.query("DELETE FROM model_aliases WHERE model = \(model) AND alias = \(alias)")
                }
                let previous = from.map { Int32(clamping: $0) }
                try session.query("""
                    INSERT INTO model_alias_events (model, alias, from_version, to_version, reason, time)
                    VALUES (\(model), \(alias), \(previous), \(target), \(reason), \(now))
                    """)
                try session.query("UPDATE registered_models SET updated = \(now) WHERE name = \(model)")
                return ModelAliasEvent(
                    model: model, alias: alias, from: from, to: version, reason: reason, time: Date(timeIntervalSince1970: now))
            }
        }
    }

    public func modelAliasEvents(model: String, alias: String?) throws -> [ModelAliasEvent] {
        try connection.withSession { session in
            _ = try Self.requireModel(model, session)
            return try session.query("""
                SELECT alias, from_version, to_version, reason, time FROM model_alias_events
                WHERE model = \(model) AND (\(alias)::text IS NULL OR alias = \(alias)) ORDER BY id
                """).map { row in
                let (alias, from, to, reason, time) = try row.decode((String, Int?, Int?, String, Double).self)
                return ModelAliasEvent(
                    model: model, alias: alias, from: from, to: to, reason: reason, time: Date(timeIntervalSince1970: time))
            }
        }
    }

    static let modelColumns = "SELECT name, description, created, updated, latest_version FROM registered_models"

    static func versionColumns(_ table: String) -> String {
        "SELECT \(table).model, \(table).version, \(table).run_id, \(table).artifact_name, \(table).artifact_sha256, "
            + "\(table).dataset, \(table).description, \(table).tags, \(table).created FROM model_versions \(table)"
    }

    static func requireModel(_ name: String, _ session: Session) throws -> RegisteredModelRecord {
        guard let row = try session.query("\(unescaped: modelColumns) WHERE name = \(name)").first else {
            throw StoreError.unknownModel(name)
        }
        return try registeredModel(row)
    }

    static func registeredModel(_ row: PostgresRow) throws -> RegisteredModelRecord {
        let (name, description, created, updated, latest) = try row.decode((String, String, Double, Double, Int).self)
        return RegisteredModelRecord(
            name: name, description: description, created: Date(timeIntervalSince1970: created),
            updated: Date(timeIntervalSince1970: updated), latestVersion: latest)
    }

    static func modelVersion(_ row: PostgresRow) throws -> ModelVersionRecord {
        let (model, version, run, artifact, sha256, dataset, description, tags, created) =
            try row.decode((String, Int, String, String, String, String?, String, String, Double).self)
        return ModelVersionRecord(
            model: model, version: version, runID: run, artifactName: artifact, artifactSHA256: sha256, dataset: dataset,
            description: description, tags: try JSONDecoder().decode([String: String].self, from: Data(tags.utf8)),
            created: Date(timeIntervalSince1970: created))
    }
}
