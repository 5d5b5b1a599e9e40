import Foundation
import GRDB
import RingmasterCore

extension SQLiteStore {
    public func registerModelVersion(_ version: NewModelVersion) throws -> ModelVersionRecord {
        try ModelVersionReference.validateName(version.model)
        let tags = String(decoding: try JSONEncoder.sorted.encode(version.tags), as: UTF8.self)
        let now = Date().timeIntervalSince1970
        // One write transaction: the pool serializes writers in this process and SQLite's
        // write lock those of other processes, so the number read back is this writer's own.
        return try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?)", arguments: [version.runID])!
            else { throw StoreError.unknownRun(version.runID) }
            try db.execute(
                sql: """
                    INSERT INTO registered_models (name, description, created, updated, latest_version) VALUES (?, ?, ?, ?, 1)
                    ON CONFLICT (name) DO UPDATE SET latest_version = latest_version + 1, updated = excluded.updated
                    """,
                arguments: [version.model, version.description, now, now])
            let number = try Int.fetchOne(
                db, sql: "SELECT latest_version FROM registered_models WHERE name = ?", arguments: [version.model])!
            try db.execute(
                sql: """
                    INSERT INTO model_versions
                        (model, version, run_id, artifact_name, artifact_sha256, dataset, description, tags, created)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [version.model, number, version.runID, version.artifactName, version.artifactSHA256,
                            version.dataset, version.description, tags, now])
            return ModelVersionRecord(
                model: version.model, version: number, runID: version.runID, artifactName: version.artifactName,
                artifactSHA256: version.artifactSHA256, dataset: version.dataset, description: version.description,
                tags: version.tags, created: Date(timeIntervalSince1970: now))
        }
    }

    public func registeredModels() throws -> [RegisteredModelRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM registered_models ORDER BY name").map(Self.registeredModel)
        }
    }

    public func registeredModel(_ name: String) throws -> RegisteredModelRecord {
        try read { db in try Self.requireModel(name, db: db) }
    }

    public func modelVersions(model: String) throws -> [ModelVersionRecord] {
        try read { db in
            _ = try Self.requireModel(model, db: db)
            return try Row.fetchAll(db, sql: "SELECT * FROM model_versions WHERE model = ? ORDER BY version", arguments: [model])
                .map(Self.modelVersion)
        }
    }

    public func modelVersion(model: String, version: Int) throws -> ModelVersionRecord {
        try read { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM model_versions WHERE model = ? AND version = ?", arguments: [model, version])
            {
                return try Self.modelVersion(row)
            }
            _ = try Self.requireModel(model, db: db)
            throw StoreError.unknownModelVersion(model: model, version: version)
        }
    }

    public func modelVersion(model: String, alias: String) throws -> ModelVersionRecord {
        try read { db in
            if let row = try Row.fetchOne(
                db, sql: """
                    SELECT v.* FROM model_aliases a JOIN model_versions v ON v.model = a.model AND v.version = a.version
                    WHERE a.model = ? AND a.alias = ?
                    """, arguments: [model, alias])
            {
                return try Self.modelVersion(row)
            }
            _ = try Self.requireModel(model, db: db)
            throw StoreError.unknownModelAlias(model: model, alias: alias)
        }
    }

    public func modelAliases(model: String) throws -> [ModelAliasRecord] {
        try read { db in
            _ = try Self.requireModel(model, db: db)
            return try Row.fetchAll(
                db, sql: "SELECT alias, version, updated FROM model_aliases WHERE model = ? ORDER BY alias", arguments: [model]
            ).map { row in
                ModelAliasRecord(model: model, alias: row["alias"], version: row["version"],
                                 updated: Date(timeIntervalSince1970: row["updated"]))
            }
        }
    }

    public func moveModelAlias(model: String, alias: String, to version: Int?, reason: String) throws -> ModelAliasEvent {
        try ModelVersionReference.validateName(alias)
        let now = Date().timeIntervalSince1970
        return try write { db in
            _ = try Self.requireModel(model, db: db)
            if let version, try !Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM model_versions WHERE model = ? AND version = ?)",
                arguments: [model, version])!
            {
                throw StoreError.unknownModelVersion(model: model, version: version)
            }
            let from = try Int.fetchOne(
                db, sql: "SELECT version FROM model_aliases WHERE model = ? AND alias = ?", arguments: [model, alias])
            if let version {
                try db.execute(
                    sql: """
                        INSERT INTO model_aliases (model, alias, version, updated) VALUES (?, ?, ?, ?)
                        ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated = excluded.updated
                        """,
                    arguments: [model, alias, version, now])
            } else {
                guard from != nil else { throw StoreError.unknownModelAlias(model: model, alias: alias) }
                try db.execute(sql: "DELETE FROM model_aliases WHERE model = ? AND alias = ?", arguments: [model, alias])
            }
            try db.execute(
                sql: """
                    INSERT INTO model_alias_events (model, alias, from_version, to_version, reason, time)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [model, alias, from, version, reason, now])
            try db.execute(sql: "UPDATE registered_models SET updated = ? WHERE name = ?", arguments: [now, model])
            return ModelAliasEvent(
                model: model, alias: alias, from: from, to: version, reason: reason, time: Date(timeIntervalSince1970: now))
        }
    }

    public func modelAliasEvents(model: String, alias: String?) throws -> [ModelAliasEvent] {
        try read { db in
            _ = try Self.requireModel(model, db: db)
            return try Row.fetchAll(
                db, sql: """
                    SELECT * FROM model_alias_events WHERE model = ? AND (? IS NULL OR alias = ?) ORDER BY id
                    """, arguments: [model, alias, alias]
            ).map { row in
                ModelAliasEvent(
                    model: model, alias: row["alias"], from: row["from_version"], to: row["to_version"],
                    reason: row["reason"], time: Date(timeIntervalSince1970: row["time"]))
            }
        }
    }

    private static func requireModel(_ name: String, db: Database) throws -> RegisteredModelRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM registered_models WHERE name = ?", arguments: [name]) else {
            throw StoreError.unknownModel(name)
        }
        return registeredModel(row)
    }

    private static func registeredModel(_ row: Row) -> RegisteredModelRecord {
        RegisteredModelRecord(
            name: row["name"], description: row["description"], created: Date(timeIntervalSince1970: row["created"]),
            updated: Date(timeIntervalSince1970: row["updated"]), latestVersion: row["latest_version"])
    }

    private static func modelVersion(_ row: Row) throws -> ModelVersionRecord {
        ModelVersionRecord(
            model: row["model"], version: row["version"], runID: row["run_id"], artifactName: row["artifact_name"],
            artifactSHA256: row["artifact_sha256"], dataset: row["dataset"], description: row["description"],
            tags: try JSONDecoder().decode([String: String].self, from: Data((row["tags"] as String).utf8)),
            created: Date(timeIntervalSince1970: row["created"]))
    }
}
