import GRDB

/// The named migrations of the SQLite store, applied in order. A shipped migration is never edited: a schema
/// change is a new migration appended to `all`.
///
/// Other modules extend the same database by registering their own migrations after these:
///
/// ```swift
/// var migrator = StoreMigrations.migrator()
/// migrator.registerMigration("v3.reports") { db in try db.create(table: "run") { ... } }
/// let store = try SQLiteCustomerStore(path: "decide.sqlite", migrator: migrator)
/// ```
public enum StoreMigrations {
    /// The store's migrations, oldest first, as (identifier, migration).
    public static let all: [(String, @Sendable (Database) throws -> Void)] = [
        ("v1.customers", createCustomers),
        ("v1.segments", createSegments),
        ("v2.runs", createRuns),
        ("v2.runResults", createRunResults),
        ("v3.runLimits", addRunLimits),
        ("v4.chunks", createChunks),
        ("v5.volume", addVolumeConstraints),
        ("v6.interactions", createInteractions),
        ("v7.historyIndex", coverHistoryReads),
    ]

    /// A migrator with every store migration registered.
    public static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, migrate) in all {
            migrator.registerMigration(identifier, migrate: migrate)
        }
        return migrator
    }

    /// The attribute catalogue and the customer table, which starts with `id` alone and gains one typed column per
    /// attribute (`ALTER TABLE ADD COLUMN`) as imports bring them.
    private static func createCustomers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE attribute (
                name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE
                    CHECK (name GLOB '[A-Za-z_]*' AND name NOT GLOB '*[^A-Za-z0-9_]*' AND name <> 'id'),
                type TEXT NOT NULL CHECK (type IN ('integer', 'real', 'text', 'boolean')),
                position INTEGER NOT NULL UNIQUE CHECK (position > 0)
            ) STRICT;
            CREATE TABLE customer (
                id TEXT NOT NULL PRIMARY KEY CHECK (id <> '')
            ) STRICT, WITHOUT ROWID;
            """)
    }

    /// The sandbox limits a run asked for (NULL: the default).
    private static func addRunLimits(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE run ADD COLUMN memory_limit_mib INTEGER CHECK (memory_limit_mib IS NULL OR memory_limit_mib > 0);
            ALTER TABLE run ADD COLUMN instruction_budget INTEGER CHECK (instruction_budget IS NULL OR instruction_budget > 0);
            ALTER TABLE run ADD COLUMN deadline_seconds REAL CHECK (deadline_seconds IS NULL OR deadline_seconds > 0);
            """)
    }

    /// Runs shared between worker processes: a run's audience frozen when it starts (`run_member`), cut into chunks
    /// of key ranges that workers claim with a lease and a fencing token (`run_chunk`, with each chunk's own
    /// progress), the worker processes and their heartbeats (`worker`), and what each process decided of a run
    /// (`run_participant`).
    private static func createChunks(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE run ADD COLUMN chunk_size INTEGER NOT NULL DEFAULT 10000 CHECK (chunk_size > 0);
            CREATE TABLE run_member (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT NOT NULL,
                PRIMARY KEY (run_seq, customer_id)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE run_chunk (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL CHECK (chunk >= 0),
                first_customer_id TEXT NOT NULL,
                last_customer_id TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size > 0),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done')),
                token INTEGER NOT NULL DEFAULT 0,
                worker_id TEXT,
                lease_until TEXT,
                abandoned INTEGER NOT NULL DEFAULT 0 CHECK (abandoned >= 0),
                committed_through TEXT,
                processed INTEGER NOT NULL DEFAULT 0 CHECK (processed >= 0),
                last_error TEXT,
                PRIMARY KEY (run_seq, chunk),
                CHECK ((state = 'claimed') = (worker_id IS NOT NULL))
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX run_chunk_claimable ON run_chunk (state, run_seq, chunk);
            CREATE TABLE worker (
                id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                threads INTEGER NOT NULL CHECK (threads > 0),
                run_id TEXT,
                started_at TEXT NOT NULL,
                heartbeat_at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE run_participant (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                name TEXT NOT NULL,
                host TEXT NOT NULL,
                customers INTEGER NOT NULL CHECK (customers >= 0),
                PRIMARY KEY (run_seq, name)
            ) STRICT, WITHOUT ROWID;
            """)
    }

    /// Runs with volume constraints: the constraints in force and what the allocation did with them (JSON), the
    /// run's phase, an end waiting for the allocation (JSON: a run failed or cancelled while deciding allocates what
    /// it decided first), and the allocation chunk's kind (claimed, leased and fenced like the others). Such a run's
    /// pass 1 writes every candidate into `run_result` with its candidate rank; the allocation records the ones it
    /// drops in `run_drop`, in key order, with a reason code (0 `max_offers reached`, k the k-th constraint full). Its
    /// recommendations are the rows without a drop, once the allocation is done, numbered 1..k by readers; its
    /// `run_customer.recommendation_count` counts the customer's candidates.
    private static func addVolumeConstraints(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE run ADD COLUMN constraints TEXT;
            ALTER TABLE run ADD COLUMN phase TEXT CHECK (phase IS NULL OR phase IN ('deciding', 'allocating'));
            ALTER TABLE run ADD COLUMN ending TEXT;
            ALTER TABLE run ADD COLUMN constraint_tallies TEXT;
            ALTER TABLE run_chunk ADD COLUMN kind TEXT NOT NULL DEFAULT 'customers' CHECK (kind IN ('customers', 'allocation'));
            CREATE TABLE run_drop (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT NOT NULL,
                rank INTEGER NOT NULL CHECK (rank > 0),
                reason INTEGER NOT NULL CHECK (reason >= 0),
                PRIMARY KEY (run_seq, customer_id, rank)
            ) STRICT, WITHOUT ROWID;
            """)
    }

    /// Interaction history: what customers were sent and how they answered, times in milliseconds since 1970. An
    /// interaction's own id is unique when given; the index serves "these customers, this window". A run gains its
    /// decision time (`--as-of`; its creation time otherwise) and when it was released into the history.
    private static func createInteractions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE interaction (
                seq INTEGER PRIMARY KEY,
                id TEXT UNIQUE,
                customer_id TEXT NOT NULL,
                offer_id TEXT NOT NULL,
                channel TEXT,
                outcome TEXT NOT NULL,
                at INTEGER NOT NULL,
                stored_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX interaction_by_customer ON interaction (customer_id, at);
            ALTER TABLE run ADD COLUMN decided_at TEXT;
            ALTER TABLE run ADD COLUMN released_at TEXT;
            """)
    }

    /// The index that serves a batch's history reads (these customers, before the decision time, stored by the run's
    /// creation) holds every column those reads return, so a read never visits the table: ten times faster than
    /// `(customer_id, at)` alone once the history is larger than the cache (docs/performance.md).
    private static func coverHistoryReads(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX interaction_history ON interaction (customer_id, at, stored_at, outcome, offer_id, channel);
            DROP INDEX interaction_by_customer;
            """)
    }

    /// Saved segments, with the segment `all` that always exists and cannot be changed or deleted.
    private static func createSegments(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE segment (
                name TEXT NOT NULL PRIMARY KEY CHECK (name <> '' AND name NOT GLOB '*[^A-Za-z0-9_.-]*'),
                description TEXT NOT NULL DEFAULT '',
                filter TEXT NOT NULL,
                created_at TEXT NOT NULL
            ) STRICT;
            INSERT INTO segment (name, description, filter, created_at)
                VALUES ('all', 'Every customer', '', strftime('%Y-%m-%d %H:%M:%f', 'now'));
            CREATE TRIGGER segment_all_kept_on_delete BEFORE DELETE ON segment WHEN old.name = 'all'
                BEGIN SELECT RAISE(ABORT, 'the segment "all" cannot be deleted'); END;
            CREATE TRIGGER segment_all_kept_on_update BEFORE UPDATE ON segment WHEN old.name = 'all'
                BEGIN SELECT RAISE(ABORT, 'the segment "all" cannot be changed'); END;
            """)
    }

    /// Runs and their status history. `seq` orders runs by creation; `id` is the public key the other tables refer
    /// to. The options, error, progress and totals are columns; the flow snapshot is kept as the host encoded it.
    private static func createRuns(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE CHECK (id <> ''),
                name TEXT NOT NULL,
                flow_key TEXT NOT NULL,
                flow_version TEXT NOT NULL,
                flow_snapshot TEXT NOT NULL,
                segment TEXT,
                filter TEXT,
                workers INTEGER NOT NULL CHECK (workers > 0),
                batch_size INTEGER NOT NULL CHECK (batch_size > 0),
                seed INTEGER,
                max_errors INTEGER NOT NULL CHECK (max_errors >= 0),
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
                created_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                error_message TEXT,
                error_file TEXT,
                error_line INTEGER,
                error_customer_id TEXT,
                interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
                partial INTEGER NOT NULL DEFAULT 0 CHECK (partial IN (0, 1)),
                cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
                processed INTEGER NOT NULL DEFAULT 0 CHECK (processed >= 0),
                total INTEGER CHECK (total >= 0),
                last_customer_id TEXT,
                heartbeat_at TEXT,
                total_customers INTEGER NOT NULL DEFAULT 0 CHECK (total_customers >= 0),
                customers_with_recommendations INTEGER NOT NULL DEFAULT 0 CHECK (customers_with_recommendations >= 0),
                total_recommendations INTEGER NOT NULL DEFAULT 0 CHECK (total_recommendations >= 0),
                execution_time_ms INTEGER NOT NULL DEFAULT 0 CHECK (execution_time_ms >= 0),
                errors_recorded INTEGER NOT NULL DEFAULT 0 CHECK (errors_recorded >= 0),
                CHECK ((segment IS NULL) <> (filter IS NULL)),
                CHECK (status <> 'failed' OR error_message IS NOT NULL),
                CHECK (interrupted = 0 OR status = 'failed')
            ) STRICT;
            CREATE INDEX run_by_status ON run (status, seq);
            CREATE TABLE run_event (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
                at TEXT NOT NULL,
                message TEXT,
                PRIMARY KEY (run_seq, seq)
            ) STRICT, WITHOUT ROWID;
            """)
    }

    /// What runs decided, per customer and in aggregate. Every table is clustered by run then key (`WITHOUT
    /// ROWID`), so a batch appends in order, a run's rows are read in customer order and deleting a run cascades
    /// over a contiguous range.
    private static func createRunResults(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run_customer (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT NOT NULL,
                recommendation_count INTEGER NOT NULL CHECK (recommendation_count >= 0),
                error TEXT,
                PRIMARY KEY (run_seq, customer_id)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE run_result (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT NOT NULL,
                rank INTEGER NOT NULL CHECK (rank > 0),
                offer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                score REAL,
                PRIMARY KEY (run_seq, customer_id, rank)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE run_offer_count (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                offer_id TEXT NOT NULL,
                offer_name TEXT NOT NULL,
                count INTEGER NOT NULL CHECK (count >= 0),
                PRIMARY KEY (run_seq, offer_id)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE run_channel_count (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                channel TEXT NOT NULL,
                count INTEGER NOT NULL CHECK (count >= 0),
                PRIMARY KEY (run_seq, channel)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE run_rank_count (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                rank INTEGER NOT NULL CHECK (rank > 0),
                count INTEGER NOT NULL CHECK (count >= 0),
                PRIMARY KEY (run_seq, rank)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE run_stage_count (
                run_seq INTEGER NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                stage_index INTEGER NOT NULL CHECK (stage_index >= 0),
                stage_name TEXT NOT NULL,
                kind TEXT NOT NULL,
                received INTEGER NOT NULL CHECK (received >= 0),
                dropped INTEGER NOT NULL CHECK (dropped >= 0),
                PRIMARY KEY (run_seq, stage_index)
            ) STRICT, WITHOUT ROWID;
            """)
    }
}
