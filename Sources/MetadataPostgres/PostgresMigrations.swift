import Foundation
import PostgresNIO
import RingmasterCore

/// Schema steps of the PostgreSQL store, with the same names and tables as the SQLite
/// store's migrations, in PostgreSQL types: `double precision` for times (Unix seconds) and
/// values, `bigint` for steps and sizes, `bigserial` where SQLite has an implicit rowid, and
/// `bytea` for artifact bytes, which live in the database (`blobs`) so that a team server
/// needs no shared disk. Applied steps are recorded by name in `ringmaster_migrations`.
///
/// Each step is shipped: never edit one, add a new one. Steps are raw SQL, one statement
/// per string (the extended query protocol runs one statement at a time).
enum PostgresMigrations {
    static let steps: [(name: String, statements: [String])] = [
        ("v1-runs-metrics-artifacts", [
            """
            CREATE TABLE experiments (
                id bigserial PRIMARY KEY,
                name text NOT NULL UNIQUE,
                created double precision NOT NULL
            )
            """,
            // Run ids are compared bytewise ("C") so that prefix lookups are index range scans
            // whatever the database's collation.
            """
            CREATE TABLE runs (
                id text COLLATE "C" PRIMARY KEY,
                seq bigserial NOT NULL,
                experiment_id bigint NOT NULL REFERENCES experiments(id),
                name text NOT NULL,
                status text NOT NULL,
                start_time double precision NOT NULL,
                end_time double precision,
                failure_reason text
            )
            """,
            "CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time)",
            keyValueTable("run_params"),
            keyValueTable("run_tags"),
            keyValueTable("run_environment"),
            """
            CREATE TABLE metrics (
                seq bigserial PRIMARY KEY,
                run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                key text NOT NULL,
                step bigint NOT NULL,
                value double precision,
                timestamp double precision NOT NULL
            )
            """,
            "CREATE INDEX metrics_by_run_key_step ON metrics(run_id, key, step)",
            """
            CREATE TABLE latest_metrics (
                run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                key text NOT NULL,
                step bigint NOT NULL,
                value double precision,
                timestamp double precision NOT NULL,
                PRIMARY KEY (run_id, key)
            )
            """,
            """
            CREATE TABLE artifacts (
                run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                name text NOT NULL,
                kind text NOT NULL,
                sha256 text NOT NULL,
                size bigint NOT NULL,
                created double precision NOT NULL,
                PRIMARY KEY (run_id, name)
            )
            """,
            "CREATE INDEX artifacts_by_sha ON artifacts(sha256)",
            """
            CREATE TABLE blobs (
                sha256 text PRIMARY KEY,
                size bigint NOT NULL,
                data bytea NOT NULL
            )
            """,
        ]),
        ("v2-datasets-lineage", [
            """
            CREATE TABLE dataset_versions (
                name text NOT NULL,
                version integer NOT NULL,
                fingerprint text NOT NULL,
                schema text NOT NULL,
                rows bigint NOT NULL,
                source text NOT NULL,
                created double precision NOT NULL,
                PRIMARY KEY (name, version),
                UNIQUE (name, fingerprint)
            )
            """,
            "CREATE INDEX dataset_versions_by_fingerprint ON dataset_versions(fingerprint)",
            """
            CREATE TABLE lineage (
                source text NOT NULL,
                target text NOT NULL,
                relation text NOT NULL,
                created double precision NOT NULL,
                PRIMARY KEY (source, target, relation)
            )
            """,
            "CREATE INDEX lineage_by_target ON lineage(target)",
            "CREATE INDEX run_params_by_key ON run_params(key, value)",
            "CREATE INDEX run_tags_by_key ON run_tags(key, value)",
            "CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value)",
        ]),
        ("v3-sweeps", [
            """
            CREATE TABLE sweeps (
                id text COLLATE "C" PRIMARY KEY,
                seq bigserial NOT NULL,
                name text NOT NULL,
                experiment text NOT NULL,
                spec text NOT NULL,
                objective text NOT NULL,
                direction text NOT NULL,
                status text NOT NULL,
                created double precision NOT NULL,
                ended double precision
            )
            """,
            """
            CREATE TABLE trials (
                sweep_id text NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
                number integer NOT NULL,
                params text NOT NULL,
                state text NOT NULL,
                value double precision,
                run_id text,
                error text,
                started double precision NOT NULL,
                ended double precision,
                PRIMARY KEY (sweep_id, number)
            )
            """,
            """
            CREATE TABLE trial_values (
                sweep_id text NOT NULL,
                number integer NOT NULL,
                resource integer NOT NULL,
                value double precision,
                PRIMARY KEY (sweep_id, number, resource),
                FOREIGN KEY (sweep_id, number) REFERENCES trials(sweep_id, number) ON DELETE CASCADE
            )
            """,
        ]),
        ("v4-model-registry", [
            """
            CREATE TABLE registered_models (
                name text COLLATE "C" PRIMARY KEY,
                description text NOT NULL,
                created double precision NOT NULL,
                updated double precision NOT NULL,
                latest_version integer NOT NULL
            )
            """,
            """
            CREATE TABLE model_versions (
                model text COLLATE "C" NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE,
                version integer NOT NULL,
                run_id text NOT NULL REFERENCES runs(id),
                artifact_name text NOT NULL,
                artifact_sha256 text NOT NULL,
                dataset text,
                description text NOT NULL,
                tags text NOT NULL,
                created double precision NOT NULL,
                PRIMARY KEY (model, version)
            )
            """,
            "CREATE INDEX model_versions_by_run ON model_versions(run_id)",
            """
            CREATE TABLE model_aliases (
                model text COLLATE "C" NOT NULL,
                alias text COLLATE "C" NOT NULL,
                version integer NOT NULL,
                updated double precision NOT NULL,
                PRIMARY KEY (model, alias),
                FOREIGN KEY (model, version) REFERENCES model_versions(model, version) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE model_alias_events (
                id bigserial PRIMARY KEY,
                model text COLLATE "C" NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE,
                alias text NOT NULL,
                from_version integer,
                to_version integer,
                reason text NOT NULL,
                time double precision NOT NULL
            )
            """,
            "CREATE INDEX model_alias_events_by_alias ON model_alias_events(model, alias, id)",
        ]),
        ("v5-pipelines", [
            """
            CREATE TABLE pipeline_runs (
                id text PRIMARY KEY,
                seq bigserial NOT NULL,
                pipeline text COLLATE "C" NOT NULL,
                spec_sha256 text NOT NULL,
                status text NOT NULL,
                trigger text NOT NULL,
                started double precision NOT NULL,
                ended double precision,
                error text
            )
            """,
            "CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs(pipeline, started)",
            """
            CREATE TABLE pipeline_steps (
                run_id text NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
                step text COLLATE "C" NOT NULL,
                uses text NOT NULL,
                status text NOT NULL,
                cache_key text NOT NULL,
                inputs text NOT NULL,
                outputs text NOT NULL,
                error text,
                started double precision NOT NULL,
                ended double precision,
                PRIMARY KEY (run_id, step)
            )
            """,
            "CREATE INDEX pipeline_steps_by_cache_key ON pipeline_steps(cache_key, step)",
        ]),
    ]

    private static func keyValueTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            key text NOT NULL,
            value text NOT NULL,
            PRIMARY KEY (run_id, key)
        )
        """
    }

    /// Serializes migrations between processes opening the same fresh database at once.
    private static let advisoryLock = 0x5249_4E47_4D41_5354  // "RINGMAST"

    /// Applies pending steps in one transaction. Refuses a database with a step this build does
    /// not know: migrating or writing it could lose what a newer Ringmaster recorded. A database
    /// that is up to date is only read, so a role without CREATE privilege can open it.
    static func migrate(_ session: Session) throws {
        let known = steps.map(\.name)
        if try pending(session, known: known).isEmpty { return }
        try session.transaction {
            try session.query("SELECT pg_advisory_xact_lock(\(advisoryLock))")
            try session.query("""
                CREATE TABLE IF NOT EXISTS ringmaster_migrations (
                    name text PRIMARY KEY,
                    applied double precision NOT NULL
                )
                """)
            let now = Date().timeIntervalSince1970
            for step in try pending(session, known: known) {
                for statement in step.statements { try session.query(PostgresQuery(unsafeSQL: statement)) }
                try session.query("INSERT INTO ringmaster_migrations (name, applied) VALUES (\(step.name), \(now))")
            }
        }
    }

    /// The known steps not yet applied, after checking that every applied step is known.
    private static func pending(_ session: Session, known: [String]) throws -> [(name: String, statements: [String])] {
        let exists = try session.query("SELECT to_regclass('ringmaster_migrations') IS NOT NULL")
            .first!.decode(Bool.self)
        let applied = exists
            ? try session.query("SELECT name FROM ringmaster_migrations ORDER BY applied, name").map { try $0.decode(String.self) }
            : []
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw StoreError.newerSchema(location: session.location, migration: unknown)
        }
        return steps.filter { !applied.contains($0.name) }
    }
}
