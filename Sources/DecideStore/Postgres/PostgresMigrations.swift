import Foundation
import Logging
import PostgresNIO

/// The named migrations of the PostgreSQL store, applied in order, each in its own transaction under an advisory
/// lock (so that processes starting together apply each once). A shipped migration is never edited: a schema
/// change is a new migration appended to `all`.
///
/// The tables mirror the SQLite store's, with two differences: ids sort in byte order (`COLLATE "C"`), and a run's
/// counters are kept per chunk claim (`run_tally` and the `run_*_count` tables keyed by chunk and token) and summed
/// when read, so that workers never queue behind one row.
enum PostgresMigrations {
    static let all: [(id: String, sql: String)] = [
        ("v1.customers", """
            CREATE TABLE attribute (
                name TEXT NOT NULL PRIMARY KEY CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]*$' AND lower(name) <> 'id'),
                type TEXT NOT NULL CHECK (type IN ('integer', 'real', 'text', 'boolean')),
                position INTEGER NOT NULL UNIQUE CHECK (position > 0)
            );
            CREATE UNIQUE INDEX attribute_by_lower_name ON attribute (lower(name));
            CREATE TABLE customer (id TEXT COLLATE "C" NOT NULL PRIMARY KEY CHECK (id <> ''));
            CREATE TABLE segment (
                name TEXT NOT NULL PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]+$'),
                description TEXT NOT NULL DEFAULT '',
                filter TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            INSERT INTO segment (name, description, filter, created_at) VALUES ('all', 'Every customer', '', now());
            """),
        ("v1.runs", """
            CREATE TABLE run (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE CHECK (id <> ''),
                name TEXT NOT NULL,
                flow_key TEXT NOT NULL,
                flow_version TEXT NOT NULL,
                flow_snapshot TEXT NOT NULL,
                segment TEXT,
                filter TEXT,
                workers INTEGER NOT NULL CHECK (workers > 0),
                batch_size INTEGER NOT NULL CHECK (batch_size > 0),
                seed BIGINT,
                max_errors BIGINT NOT NULL CHECK (max_errors >= 0),
                memory_limit_mib INTEGER CHECK (memory_limit_mib IS NULL OR memory_limit_mib > 0),
                instruction_budget BIGINT CHECK (instruction_budget IS NULL OR instruction_budget > 0),
                deadline_seconds DOUBLE PRECISION CHECK (deadline_seconds IS NULL OR deadline_seconds > 0),
                chunk_size INTEGER NOT NULL CHECK (chunk_size > 0),
                status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
                created_at TIMESTAMPTZ NOT NULL,
                started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                error_message TEXT,
                error_file TEXT,
                error_line INTEGER,
                error_customer_id TEXT,
                interrupted BOOLEAN NOT NULL DEFAULT false,
                partial BOOLEAN NOT NULL DEFAULT false,
                cancel_requested BOOLEAN NOT NULL DEFAULT false,
                total BIGINT CHECK (total >= 0),
                heartbeat_at TIMESTAMPTZ,
                CHECK ((segment IS NULL) <> (filter IS NULL)),
                CHECK (status <> 'failed' OR error_message IS NOT NULL),
                CHECK (NOT interrupted OR status = 'failed')
            );
            CREATE INDEX run_by_status ON run (status, seq);
            CREATE TABLE run_event (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                status TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                message TEXT,
                PRIMARY KEY (run_seq, seq)
            );
            CREATE TABLE run_customer (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT COLLATE "C" NOT NULL,
                recommendation_count INTEGER NOT NULL CHECK (recommendation_count >= 0),
                error TEXT,
                PRIMARY KEY (run_seq, customer_id)
            );
            CREATE TABLE run_result (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT COLLATE "C" NOT NULL,
                rank INTEGER NOT NULL CHECK (rank > 0),
                offer_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                score DOUBLE PRECISION,
                PRIMARY KEY (run_seq, customer_id, rank)
            );
            CREATE TABLE run_tally (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL,
                token BIGINT NOT NULL,
                processed BIGINT NOT NULL DEFAULT 0,
                with_recommendations BIGINT NOT NULL DEFAULT 0,
                recommendations BIGINT NOT NULL DEFAULT 0,
                errors BIGINT NOT NULL DEFAULT 0,
                execution_ms BIGINT NOT NULL DEFAULT 0,
                first_at TIMESTAMPTZ NOT NULL,
                last_at TIMESTAMPTZ NOT NULL,
                last_customer_id TEXT COLLATE "C",
                PRIMARY KEY (run_seq, chunk, token)
            );
            CREATE TABLE run_offer_count (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL, token BIGINT NOT NULL,
                offer_id TEXT NOT NULL, offer_name TEXT NOT NULL, count BIGINT NOT NULL,
                PRIMARY KEY (run_seq, chunk, token, offer_id)
            );
            CREATE TABLE run_channel_count (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL, token BIGINT NOT NULL,
                channel TEXT NOT NULL, count BIGINT NOT NULL,
                PRIMARY KEY (run_seq, chunk, token, channel)
            );
            CREATE TABLE run_rank_count (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL, token BIGINT NOT NULL,
                rank INTEGER NOT NULL, count BIGINT NOT NULL,
                PRIMARY KEY (run_seq, chunk, token, rank)
            );
            CREATE TABLE run_stage_count (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL, token BIGINT NOT NULL,
                stage_index INTEGER NOT NULL, stage_name TEXT NOT NULL, kind TEXT NOT NULL,
                received BIGINT NOT NULL, dropped BIGINT NOT NULL,
                PRIMARY KEY (run_seq, chunk, token, stage_index)
            );
            """),
        ("v1.chunks", """
            CREATE TABLE run_member (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (run_seq, customer_id)
            );
            CREATE TABLE run_chunk (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                chunk INTEGER NOT NULL CHECK (chunk >= 0),
                first_customer_id TEXT COLLATE "C" NOT NULL,
                last_customer_id TEXT COLLATE "C" NOT NULL,
                size INTEGER NOT NULL CHECK (size > 0),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done')),
                token BIGINT NOT NULL DEFAULT 0,
                worker_id TEXT,
                lease_until TIMESTAMPTZ,
                abandoned INTEGER NOT NULL DEFAULT 0,
                committed_through TEXT COLLATE "C",
                processed BIGINT NOT NULL DEFAULT 0,
                last_error TEXT,
                PRIMARY KEY (run_seq, chunk),
                CHECK ((state = 'claimed') = (worker_id IS NOT NULL))
            );
            CREATE INDEX run_chunk_claimable ON run_chunk (run_seq, chunk) WHERE state <> 'done';
            CREATE TABLE worker (
                id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                threads INTEGER NOT NULL,
                run_id TEXT,
                started_at TIMESTAMPTZ NOT NULL,
                heartbeat_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE run_participant (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                name TEXT NOT NULL,
                host TEXT NOT NULL,
                customers BIGINT NOT NULL,
                PRIMARY KEY (run_seq, name)
            );
            """),
        // Times to the millisecond, as the SQLite store keeps them, so that a store copied either way reads back the
        // same times.
        ("v2.milliseconds", """
            ALTER TABLE segment ALTER COLUMN created_at TYPE TIMESTAMPTZ(3);
            ALTER TABLE run ALTER COLUMN created_at TYPE TIMESTAMPTZ(3), ALTER COLUMN started_at TYPE TIMESTAMPTZ(3),
                ALTER COLUMN finished_at TYPE TIMESTAMPTZ(3), ALTER COLUMN heartbeat_at TYPE TIMESTAMPTZ(3);
            ALTER TABLE run_event ALTER COLUMN at TYPE TIMESTAMPTZ(3);
            ALTER TABLE worker ALTER COLUMN started_at TYPE TIMESTAMPTZ(3), ALTER COLUMN heartbeat_at TYPE TIMESTAMPTZ(3);
            """),
        // Volume constraints: as in the SQLite store's v5.volume (the constraints in force and their tallies as JSON,
        // the phase, an end waiting for the allocation, the allocation chunk's kind, the dropped candidates).
        ("v3.volume", """
            ALTER TABLE run ADD COLUMN constraints TEXT, ADD COLUMN phase TEXT CHECK (phase IS NULL OR phase IN ('deciding', 'allocating')),
                ADD COLUMN ending TEXT, ADD COLUMN constraint_tallies TEXT;
            ALTER TABLE run_chunk ADD COLUMN kind TEXT NOT NULL DEFAULT 'customers' CHECK (kind IN ('customers', 'allocation'));
            CREATE TABLE run_drop (
                run_seq BIGINT NOT NULL REFERENCES run (seq) ON DELETE CASCADE,
                customer_id TEXT COLLATE "C" NOT NULL,
                rank INTEGER NOT NULL CHECK (rank > 0),
                reason INTEGER NOT NULL CHECK (reason >= 0),
                PRIMARY KEY (run_seq, customer_id, rank)
            );
            """),
        // Interaction history, as in the SQLite store's v6.interactions.
        ("v4.interactions", """
            CREATE TABLE interaction (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT UNIQUE,
                customer_id TEXT COLLATE "C" NOT NULL,
                offer_id TEXT NOT NULL,
                channel TEXT,
                outcome TEXT NOT NULL,
                at BIGINT NOT NULL,
                stored_at BIGINT NOT NULL
            );
            CREATE INDEX interaction_by_customer ON interaction (customer_id, at);
            ALTER TABLE run ADD COLUMN decided_at TIMESTAMPTZ(3), ADD COLUMN released_at TIMESTAMPTZ(3);
            """),
        // History reads served by the index alone, as in the SQLite store's v7.historyIndex.
        ("v5.historyIndex", """
            CREATE INDEX interaction_history ON interaction (customer_id, at) INCLUDE (stored_at, outcome, offer_id, channel);
            DROP INDEX interaction_by_customer;
            """),
        // The tables a run writes a row per customer or recommendation into lose their foreign key to `run`: its
        // check is a trigger per inserted row, which tripled the cost of every insert (200,000 result rows: 1.0 s
        // against 0.35 s). The store deletes their rows itself before it deletes a run (`bulkRunTables`).
        ("v6.bulkWithoutForeignKeys", """
            ALTER TABLE run_member DROP CONSTRAINT IF EXISTS run_member_run_seq_fkey;
            ALTER TABLE run_customer DROP CONSTRAINT IF EXISTS run_customer_run_seq_fkey;
            ALTER TABLE run_result DROP CONSTRAINT IF EXISTS run_result_run_seq_fkey;
            ALTER TABLE run_drop DROP CONSTRAINT IF EXISTS run_drop_run_seq_fkey;
            """),
    ]

    /// The tables with a row per customer or recommendation of a run and no foreign key to it: deleting a run
    /// deletes their rows first (``PostgresCustomerStore`` does, in the same transaction).
    static let bulkRunTables = ["run_member", "run_customer", "run_result", "run_drop"]

    /// Applies the migrations not applied yet, on one connection of its own, each in a transaction under an
    /// advisory lock.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        for migration in all {
            try await connection.send("BEGIN", logger: logger)
            do {
                try await connection.send("SELECT pg_advisory_xact_lock(727274)", logger: logger)
                try await connection.send(
                    "CREATE TABLE IF NOT EXISTS decide_migration (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: logger)
                let applied = try await connection.send("SELECT 1 FROM decide_migration WHERE id = \(migration.id)", logger: logger).collect()
                if applied.isEmpty {
                    try await connection.execute(unsafeSQL: migration.sql, logger: logger)
                    try await connection.send("INSERT INTO decide_migration (id) VALUES (\(migration.id))", logger: logger)
                }
                try await connection.send("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.send("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}

extension PostgresConnection {
    /// Runs SQL text of one or more statements (separated by `;` at the end of a line) without parameters.
    func execute(unsafeSQL sql: String, logger: Logger) async throws {
        for statement in sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            try await query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
    }
}
