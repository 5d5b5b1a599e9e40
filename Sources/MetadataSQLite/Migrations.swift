import GRDB

/// Schema migrations of the embedded store. Each migration is a named, shipped step:
/// never edit one after release; add a new one instead. They use raw SQL only, never
/// application types, so that old migrations keep meaning what they meant.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-metrics-artifacts") { db in
            try db.execute(sql: """
                CREATE TABLE experiments (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    created REAL NOT NULL
                );
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY,
                    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    start_time REAL NOT NULL,
                    end_time REAL,
                    failure_reason TEXT
                );
                CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
                CREATE TABLE run_params (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (run_id, key)
                ) WITHOUT ROWID;
                CREATE TABLE run_tags (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (run_id, key)
                ) WITHOUT ROWID;
                CREATE TABLE run_environment (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (run_id, key)
                ) WITHOUT ROWID;
                CREATE TABLE metrics (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    value REAL,
                    timestamp REAL NOT NULL
                );
                CREATE INDEX metrics_by_run_key_step ON metrics(run_id, key, step);
                CREATE TABLE latest_metrics (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    value REAL,
                    timestamp REAL NOT NULL,
                    PRIMARY KEY (run_id, key)
                ) WITHOUT ROWID;
                CREATE TABLE artifacts (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    created REAL NOT NULL,
                    PRIMARY KEY (run_id, name)
                );
                CREATE INDEX artifacts_by_sha ON artifacts(sha256);
                """)
        }
        registerLineage(&migrator)
        registerSweeps(&migrator)
        registerModelRegistry(&migrator)
        registerPipelines(&migrator)
        return migrator
    }
}

extension Migrations {
    /// Dataset versions and lineage edges (issue: complete metadata store).
    static func registerLineage(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-datasets-lineage") { db in
            try db.execute(sql: """
                CREATE TABLE dataset_versions (
                    name TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    schema TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    created REAL NOT NULL,
                    PRIMARY KEY (name, version),
                    UNIQUE (name, fingerprint)
                );
                CREATE INDEX dataset_versions_by_fingerprint ON dataset_versions(fingerprint);
                CREATE TABLE lineage (
                    source TEXT NOT NULL,
                    target TEXT NOT NULL,
                    relation TEXT NOT NULL,
                    created REAL NOT NULL,
                    PRIMARY KEY (source, target, relation)
                ) WITHOUT ROWID;
                CREATE INDEX lineage_by_target ON lineage(target);
                CREATE INDEX run_params_by_key ON run_params(key, value);
                CREATE INDEX run_tags_by_key ON run_tags(key, value);
                CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value);
                """)
        }
    }
}

extension Migrations {
    /// Sweeps, their trials and the trials' intermediate values.
    static func registerSweeps(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-sweeps") { db in
            try db.execute(sql: """
                CREATE TABLE sweeps (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    experiment TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    objective TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created REAL NOT NULL,
                    ended REAL
                );
                CREATE TABLE trials (
                    sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
                    number INTEGER NOT NULL,
                    params TEXT NOT NULL,
                    state TEXT NOT NULL,
                    value REAL,
                    run_id TEXT,
                    error TEXT,
                    started REAL NOT NULL,
                    ended REAL,
                    PRIMARY KEY (sweep_id, number)
                ) WITHOUT ROWID;
                CREATE TABLE trial_values (
                    sweep_id TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    resource INTEGER NOT NULL,
                    value REAL,
                    PRIMARY KEY (sweep_id, number, resource),
                    FOREIGN KEY (sweep_id, number) REFERENCES trials(sweep_id, number) ON DELETE CASCADE
                ) WITHOUT ROWID;
                """)
        }
    }
}

extension Migrations {
    /// Registered models, their versions, aliases and every move of an alias.
    static func registerModelRegistry(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-model-registry") { db in
            try db.execute(sql: """
                CREATE TABLE registered_models (
                    name TEXT PRIMARY KEY,
                    description TEXT NOT NULL,
                    created REAL NOT NULL,
                    updated REAL NOT NULL,
                    latest_version INTEGER NOT NULL
                );
                CREATE TABLE model_versions (
                    model TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    artifact_name TEXT NOT NULL,
                    artifact_sha256 TEXT NOT NULL,
                    dataset TEXT,
                    description TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    created REAL NOT NULL,
                    PRIMARY KEY (model, version)
                ) WITHOUT ROWID;
                CREATE INDEX model_versions_by_run ON model_versions(run_id);
                CREATE TABLE model_aliases (
                    model TEXT NOT NULL,
                    alias TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    updated REAL NOT NULL,
                    PRIMARY KEY (model, alias),
                    FOREIGN KEY (model, version) REFERENCES model_versions(model, version) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE TABLE model_alias_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    model TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE,
                    alias TEXT NOT NULL,
                    from_version INTEGER,
                    to_version INTEGER,
                    reason TEXT NOT NULL,
                    time REAL NOT NULL
                );
                CREATE INDEX model_alias_events_by_alias ON model_alias_events(model, alias, id);
                """)
        }
    }
}

extension Migrations {
    /// Pipeline runs and every execution of their steps, with the cache key an unchanged step is found by.
    static func registerPipelines(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-pipelines") { db in
            try db.execute(sql: """
                CREATE TABLE pipeline_runs (
                    id TEXT PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    spec_sha256 TEXT NOT NULL,
                    status TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    started REAL NOT NULL,
                    ended REAL,
                    error TEXT
                );
                CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs(pipeline, started);
                CREATE TABLE pipeline_steps (
                    run_id TEXT NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
                    step TEXT NOT NULL,
                    uses TEXT NOT NULL,
                    status TEXT NOT NULL,
                    cache_key TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    outputs TEXT NOT NULL,
                    error TEXT,
                    started REAL NOT NULL,
                    ended REAL,
                    PRIMARY KEY (run_id, step)
                ) WITHOUT ROWID;
                CREATE INDEX pipeline_steps_by_cache_key ON pipeline_steps(cache_key, step);
                """)
        }
    }
}
