//! The PostgreSQL engine, for a team sharing one memory: the same schema as
//! SQLite (numbered migrations under `migrations/postgres/`), units written
//! with `COPY`, concordance through pg_trgm over a folded copy of each text.
//! Writers take a transaction-level advisory lock, so concurrent clients
//! never add the same unit twice; readers are never blocked.
//!
//! An import into an empty store is a *bulk load*: the secondary indexes and
//! foreign keys are dropped, the units go through `COPY` on a second
//! connection (so the caller parses the next batch while the server writes
//! this one), several batches per transaction, and the indexes are built
//! once at the end. A store left by a killed bulk load holds exactly its
//! committed transactions; the next connection rebuilds what is missing.
//!
//! Every write logs the ids it touched per generation (`tmkit_changes`), so
//! a long-lived fuzzy index catches up with other clients' writes
//! ([`Store::changes_since`]) instead of being rebuilt.

use std::collections::HashMap;
use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Statement, Transaction};

use super::filter::{Dialect, filter_sql, like_pattern};
use super::pgcopy::CopyRows;
use super::unit::{self, UnitRow, finish_unit, normalize_lang, search_fold};
use super::{
    AddReport, Conflict, DuplicatePolicy, Edit, Filter, PreparedUnit, ScannedUnit, SearchQuery,
    Stats, Store, StoreLocation, StoredUnit, Unit,
};
use crate::error::{Error, Location, Result};
use crate::tmx::{Header, Note, Tu};

/// The migrations, in order; the schema version is how many have run.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_init.sql"),
    include_str!("migrations/postgres/0002_filter_indexes.sql"),
    include_str!("migrations/postgres/0003_change_log.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock writers hold (`tmkt`).
const WRITE_LOCK: i64 = 0x746D_6B74;

/// Units read per round trip when streaming.
const PAGE: i64 = 5000;

/// The connections this session's role may still open to this database:
/// the fewest that the server (`max_connections` less the slots reserved
/// for superusers and, from PostgreSQL 16, `reserved_connections`), the
/// role's `CONNECTION LIMIT` and the database's leave, counting the
/// client sessions open now (a superuser's are not limited by the role's).
const FREE_CONNECTIONS: &str = "\
    WITH a AS (SELECT usename, datname FROM pg_stat_activity WHERE backend_type = 'client backend') \
    SELECT least( \
      current_setting('max_connections')::bigint \
        - current_setting('superuser_reserved_connections')::bigint \
        - coalesce(nullif(current_setting('reserved_connections', true), '')::bigint, 0) \
        - (SELECT count(*) FROM a), \
      CASE WHEN r.rolconnlimit < 0 OR r.rolsuper THEN NULL \
        ELSE r.rolconnlimit - (SELECT count(*) FROM a WHERE usename = current_user) END, \
      CASE WHEN d.datconnlimit < 0 THEN NULL \
        ELSE d.datconnlimit - (SELECT count(*) FROM a WHERE datname = current_database()) END) \
    FROM pg_roles r, pg_database d \
    WHERE r.rolname = current_user AND d.datname = current_database()";

/// The secondary b-tree indexes of the current schema (what a bulk load
/// drops and builds again; `indexes_match_the_migrations` checks the list).
const BTREE_INDEXES: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS units_content ON units(content_hash)",
    "CREATE INDEX IF NOT EXISTS units_source ON units(source_hash)",
    "CREATE INDEX IF NOT EXISTS units_change_date ON units(change_date)",
    "CREATE INDEX IF NOT EXISTS units_project ON units(project)",
    "CREATE INDEX IF NOT EXISTS units_tuid ON units(tuid)",
    "CREATE INDEX IF NOT EXISTS variants_unit ON variants(unit_id)",
    "CREATE INDEX IF NOT EXISTS fields_unit ON fields(unit_id)",
    "CREATE INDEX IF NOT EXISTS fields_name ON fields(name, value)",
];

/// The concordance index (built on a connection of its own, beside the b-trees).
const TRIGRAM_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS variants_folded ON variants USING gin (folded gin_trgm_ops)";

/// The foreign keys a bulk load drops: (table, constraint, definition).
const FOREIGN_KEYS: &[(&str, &str, &str)] = &[
    (
        "units",
        "units_origin_id_fkey",
        "FOREIGN KEY (origin_id) REFERENCES origins(id)",
    ),
    (
        "variants",
        "variants_unit_id_fkey",
        "FOREIGN KEY (unit_id) REFERENCES units(id) ON DELETE CASCADE",
    ),
    (
        "fields",
        "fields_unit_id_fkey",
        "FOREIGN KEY (unit_id) REFERENCES units(id) ON DELETE CASCADE",
    ),
];

/// Batches at least this large into an empty store start a bulk load.
const BULK_MIN_BATCH: usize = 1000;

/// Batches per bulk transaction (a killed load keeps whole transactions:
/// 100,000 units at the default batch of 20,000).
const BULK_BATCHES_PER_TX: usize = 5;

/// Memory for index builds after a bulk load (the session's setting only).
const BULK_MAINTENANCE_MEM: &str = "SET maintenance_work_mem = '1GB'";

/// Changed units past which [`Store::changes_since`] says "rebuild".
const MAX_CHANGES: usize = 100_000;

/// The generation (prepared: asked per lookup by a long-lived index).
const GENERATION: &str = "SELECT value FROM tmkit_meta WHERE key = 'generation'";

/// What [`Store::scan_ids`] reads, for all the ids at once.
const SCAN_IDS: &str = "SELECT u.id, u.tuid, coalesce(u.change_date, u.creation_date), o.name, \
    u.origin_pos, v.lang, v.text, v.codes FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
    JOIN variants v ON v.unit_id = u.id WHERE u.id = ANY($1) ORDER BY u.id, v.id";

/// Concordance: the first `$3` units by id with a variant whose folded text
/// matches a LIKE pattern, in an optional language.
const SEARCH: &str = "SELECT DISTINCT v.unit_id FROM variants v WHERE v.folded LIKE $1 \
    AND ($2::text IS NULL OR v.lang = $2 OR v.lang LIKE $2 || '-%') ORDER BY v.unit_id LIMIT $3";

/// A store in a PostgreSQL database. Its tables are named without a schema,
/// so they are found along the connection's `search_path` like any other
/// name (a store in a later schema, `public` say, is the one used) and
/// created in its first schema when none is found.
pub struct PgStore {
    client: Conn,
    uri: String,
    location: StoreLocation,
    id: String,
    version: u32,
    /// Prepared statements of the hot paths, by their SQL.
    statements: HashMap<&'static str, Statement>,
    /// The bulk load in progress.
    bulk: Option<Bulk>,
    /// False until the first `add_units` asked whether the store is empty.
    bulk_checked: bool,
    /// The trigram index a finished bulk load is still building (the
    /// session's write lock is held until it is done).
    trigram: Option<JoinHandle<Result<()>>>,
}

/// A connection that can be dropped anywhere: `postgres::Client` closes
/// itself by blocking on a runtime of its own, which panics on a thread
/// already inside one (a server dropping its stores at shutdown), so there
/// it is closed on a thread of its own.
struct Conn(Option<Client>);

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.0.as_ref().expect("an open connection")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        self.0.as_mut().expect("an open connection")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

/// A bulk load in progress (see the module's documentation).
struct Bulk {
    sender: Option<SyncSender<BulkBatch>>,
    writer: Option<JoinHandle<Result<Client>>>,
    /// The id the next admitted unit gets (ids are handed out here, under the
    /// session's write lock, and the sequence is moved past them per commit).
    next_id: i64,
    /// First id of the open transaction.
    tx_first: i64,
    /// Batches sent in the open transaction.
    tx_batches: usize,
    /// What the load has added (the store was empty when it began).
    by_content: HashMap<i64, Vec<Place>>,
    by_source: HashMap<i64, Vec<(i64, Option<String>)>>,
    origins: HashMap<String, i64>,
}

/// One batch for the bulk writer thread: COPY texts, ids to delete (units
/// of earlier batches an incoming one replaced), and whether to commit
/// (with the id range the transaction added).
struct BulkBatch {
    copy: CopyText,
    removed: Vec<i64>,
    commit: Option<(i64, i64)>,
}

/// COPY text rows for `units`, `variants` and `fields`.
#[derive(Default)]
struct CopyText {
    units: String,
    variants: String,
    fields: String,
}

fn pg_err(location: &StoreLocation) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| store_failure(location, format!("PostgreSQL: {}", pg_detail(&e)))
}

/// What the server said, else the client's error.
fn pg_detail(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_string())
}

/// A failure of the work on the store at `location` (a broken connection,
/// a server-side error, a helper thread that stopped): the kind [`pg_err`]
/// reports, which the CLI maps to exit status 1, not to bad usage.
fn store_failure(location: &StoreLocation, message: impl Into<String>) -> Error {
    Error::invalid(Location::file(location.redacted()), message)
}

/// [`store_failure`] for an I/O error of a `COPY` stream.
fn copy_err(location: &StoreLocation) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| {
        // A failed message of the stream carries the server's error.
        let detail = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<postgres::Error>())
            .map_or_else(|| e.to_string(), pg_detail);
        store_failure(location, format!("PostgreSQL COPY: {detail}"))
    }
}

/// Drops and re-creates `schema` in the database at `uri`, with pg_trgm
/// available (tests give each case a schema of its own).
pub fn reset_schema(uri: &str, schema: &str) -> Result<()> {
    let location = StoreLocation::Postgres(uri.to_string());
    let mut client = Client::connect(uri, NoTls).map_err(pg_err(&location))?;
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    // Two sessions running `CREATE EXTENSION IF NOT EXISTS` at once on a
    // fresh database collide on pg_extension's unique index (tests reset
    // their schemas in parallel): the transaction-level lock serialises them.
    client
        .batch_execute(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({RESET_LOCK}); \
             CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public; \
             DROP SCHEMA IF EXISTS {quoted} CASCADE; CREATE SCHEMA {quoted}; COMMIT;"
        ))
        .map_err(pg_err(&location))
}

/// The advisory lock [`reset_schema`] holds (`tmkr`), distinct from the
/// writers' lock so a reset never waits for another schema's writer.
const RESET_LOCK: i64 = 0x746d_6b72;

impl PgStore {
    /// Connects, refusing a database whose tables are not a tmkit store's or
    /// whose schema is newer, and migrating an older one (or an empty database).
    pub fn connect(uri: &str) -> Result<PgStore> {
        Self::connect_at_version(uri, SCHEMA_VERSION)
    }

    /// [`PgStore::connect`], migrating no further than `version`.
    pub fn connect_at_version(uri: &str, version: u32) -> Result<PgStore> {
        let location = StoreLocation::Postgres(uri.to_string());
        let client = Client::connect(uri, NoTls).map_err(pg_err(&location))?;
        let mut store = PgStore {
            client: Conn(Some(client)),
            uri: uri.to_string(),
            location,
            id: String::new(),
            version: 0,
            statements: HashMap::new(),
            bulk: None,
            bulk_checked: false,
            trigram: None,
        };
        store.migrate_to(version.min(SCHEMA_VERSION))?;
        let id: Option<String> = store
            .client
            .query_opt("SELECT value FROM tmkit_meta WHERE key = 'store_id'", &[])
            .map_err(pg_err(&store.location))?
            .map(|r| r.get(0));
        store.id = id.unwrap_or_default();
        if store.version >= 3 {
            store.recover_bulk()?;
        }
        Ok(store)
    }

    /// A prepared statement for `sql` (prepared once per connection).
    fn prepared(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).map_err(pg_err(&self.location))?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    /// [`Store::for_each_unit`] for a selection too large for one page:
    /// units, variants and fields each come through a binary `COPY` on a
    /// connection of its own (all three in one snapshot), so the server
    /// streams them without a sort or a join; this thread merges them by
    /// unit id, builds each unit and hands it to `each` (serialising TMX,
    /// say), as [`read_copies`] tells. The COPYs (2, or 3 when the store
    /// has fields) open only when the server, the role and the database
    /// leave that many connections free ([`FREE_CONNECTIONS`]); else the
    /// units are read in pages on this connection ([`PgStore::page_units`]).
    fn stream_units(
        &mut self,
        filter: &Filter,
        each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let (cond, values) = filter_sql(filter, Dialect::Postgres)?;
        let mut tx = read_snapshot(&mut self.client, &err)?;
        // COPY takes no parameters: the filter's values become literals.
        let literals = values
            .iter()
            .map(|v| quote_literal(v))
            .collect::<Result<Vec<String>>>()?;
        let cond = inline_params(&cond, &literals);
        let limit = filter
            .limit
            .map(|n| format!(" LIMIT {n}"))
            .unwrap_or_default();
        let of_selected = if cond == "1 = 1" && limit.is_empty() {
            String::new()
        } else {
            format!("WHERE unit_id IN (SELECT u.id FROM units u WHERE {cond} ORDER BY u.id{limit})")
        };
        let has_fields: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM fields)", &[])
            .map_err(&err)?
            .get(0);
        // A COPY per table read, each on a connection of its own: only
        // when the server, the role and the database leave that many free.
        let streams = if has_fields { 3 } else { 2 };
        let free: i64 = tx.query_one(FREE_CONNECTIONS, &[]).map_err(&err)?.get(0);
        if free < streams {
            drop(tx);
            return self.page_units(filter, each);
        }
        let snapshot: String = tx
            .query_one("SELECT pg_export_snapshot()", &[])
            .map_err(&err)?
            .get(0);
        let copy = |select: String| format!("COPY ({select}) TO STDOUT (FORMAT binary)");
        // Origin names are put in here: a join per unit doubled the
        // server's time for this stream.
        let origins: HashMap<i64, String> = tx
            .query("SELECT id, name FROM origins", &[])
            .map_err(&err)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let units_sql = copy(format!(
            "SELECT {} FROM units u WHERE {cond} ORDER BY u.id{limit}",
            copy_unit_columns()
        ));
        // Variants in unit order only (an index scan); each unit's few are
        // put in id order as they are read.
        let variants_sql = copy(format!(
            "SELECT unit_id, id, lang, text FROM variants {of_selected} ORDER BY unit_id"
        ));
        let fields_sql = has_fields.then(|| {
            copy(format!(
                "SELECT unit_id, kind, name, value FROM fields {of_selected} ORDER BY unit_id, ctid"
            ))
        });
        let copies = Copies {
            uri: &self.uri,
            snapshot: &snapshot,
            units: &units_sql,
            variants: &variants_sql,
            fields: fields_sql.as_deref(),
            origins: &origins,
        };
        let count = read_copies(&copies, each, &location)?;
        // The snapshot's transaction was kept open until the readers had it;
        // it wrote nothing, so its end cannot fail the export (a server's
        // idle_in_transaction_session_timeout may have ended it meanwhile).
        let _ = tx.rollback();
        Ok(count)
    }

    /// [`Store::for_each_unit`] a page of units at a time on this
    /// connection: for a small selection, or when the server leaves too
    /// few connections for [`PgStore::stream_units`].
    fn page_units(
        &mut self,
        filter: &Filter,
        each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        let (cond, mut values) = filter_sql(filter, Dialect::Postgres)?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = read_snapshot(&mut self.client, &err)?;
        values.push(String::new());
        let last_param = values.len();
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
             WHERE {cond} AND u.id > ${last_param}::text::bigint ORDER BY u.id LIMIT {PAGE}"
        );
        let mut after = 0i64;
        let mut count = 0u64;
        let limit = filter.limit.unwrap_or(u64::MAX);
        while count < limit {
            values[last_param - 1] = after.to_string();
            let rows = tx.query(&sql, &params(&values)).map_err(&err)?;
            if rows.is_empty() {
                break;
            }
            let units = rows
                .iter()
                .map(unit_row)
                .collect::<std::io::Result<Vec<UnitRow>>>()
                .map_err(copy_err(&location))?;
            let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
            after = *ids.last().unwrap_or(&after);
            let mut vars: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for r in tx
                .query(
                    "SELECT unit_id, lang, text FROM variants WHERE unit_id = ANY($1) ORDER BY unit_id, id",
                    &[&ids],
                )
                .map_err(&err)?
            {
                vars.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
            }
            let mut flds: HashMap<i64, Vec<(String, String, String)>> = HashMap::new();
            for r in tx
                .query(
                    "SELECT unit_id, kind, name, value FROM fields WHERE unit_id = ANY($1) ORDER BY unit_id, ctid",
                    &[&ids],
                )
                .map_err(&err)?
            {
                flds.entry(r.get(0))
                    .or_default()
                    .push((r.get(1), r.get(2), r.get(3)));
            }
            for row in units {
                if count >= limit {
                    break;
                }
                let id = row.id;
                let v = vars.remove(&id).unwrap_or_default();
                let f = flds.remove(&id).unwrap_or_default();
                each(finish_unit(row, v, f)?)?;
                count += 1;
            }
        }
        tx.commit().map_err(&err)?;
        Ok(count)
    }

    /// Builds the indexes and foreign keys a killed bulk load left out,
    /// unless a bulk load is running (it holds the write lock for its whole
    /// length, and builds them itself). The lock is waited for a moment: a
    /// killed client's sessions end a little after it.
    fn recover_bulk(&mut self) -> Result<()> {
        let err = pg_err(&self.location);
        let pending: bool = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM tmkit_meta WHERE key = 'bulk_load')",
                &[],
            )
            .map_err(&err)?
            .get(0);
        if !pending {
            return Ok(());
        }
        let mut tx = self.client.transaction().map_err(&err)?;
        tx.batch_execute("SET LOCAL lock_timeout = '1s'")
            .map_err(&err)?;
        match tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK]) {
            Ok(_) => {}
            Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
                return Ok(());
            }
            Err(e) => return Err(err(e)),
        }
        tx.batch_execute("SET LOCAL lock_timeout = 0")
            .map_err(&err)?;
        restore_indexes(&mut tx, true).map_err(&err)?;
        tx.commit().map_err(&err)
    }

    fn migrate_to(&mut self, target: u32) -> Result<()> {
        let location = self.location.clone();
        let err = pg_err(&location);
        // A store at the version asked needs no lock (a bulk load holds it
        // for minutes, and readers must not wait for it).
        let has_meta: bool = self
            .client
            .query_one("SELECT to_regclass('tmkit_meta') IS NOT NULL", &[])
            .map_err(&err)?
            .get(0);
        let current: Option<String> = if has_meta {
            self.client
                .query_opt(
                    "SELECT value FROM tmkit_meta WHERE key = 'schema_version'",
                    &[],
                )
                .map_err(&err)?
                .map(|r| r.get(0))
        } else {
            None
        };
        if let Some(v) = current.and_then(|v| v.parse::<u32>().ok())
            && v >= target
            && v <= SCHEMA_VERSION
        {
            self.version = v;
            return Ok(());
        }
        let mut tx = self.client.transaction().map_err(&err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(&err)?;
        let has_meta: bool = tx
            .query_one("SELECT to_regclass('tmkit_meta') IS NOT NULL", &[])
            .map_err(&err)?
            .get(0);
        let current: u32 = if has_meta {
            let v: Option<String> = tx
                .query_opt(
                    "SELECT value FROM tmkit_meta WHERE key = 'schema_version'",
                    &[],
                )
                .map_err(&err)?
                .map(|r| r.get(0));
            v.and_then(|v| v.parse().ok()).ok_or_else(|| {
                Error::invalid(
                    Location::file(location.redacted()),
                    "tmkit_meta has no schema version: not a tmkit store; left untouched",
                )
            })?
        } else {
            let foreign: bool = tx
                .query_one(
                    "SELECT to_regclass('units') IS NOT NULL OR to_regclass('variants') IS NOT NULL",
                    &[],
                )
                .map_err(&err)?
                .get(0);
            if foreign {
                return Err(Error::invalid(
                    Location::file(location.redacted()),
                    "the database has tables named like a store's but is not a tmkit store; left untouched",
                ));
            }
            0
        };
        if current > SCHEMA_VERSION {
            return Err(Error::invalid(
                Location::file(location.redacted()),
                format!(
                    "store schema version {current} is newer than this tmkit's ({SCHEMA_VERSION}); upgrade tmkit; left untouched"
                ),
            ));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
            let version = i as u32 + 1;
            if version <= current {
                continue;
            }
            tx.batch_execute(sql).map_err(|e| {
                Error::invalid(
                    Location::file(location.redacted()),
                    format!("migration {version:04} failed: {e}"),
                )
            })?;
            if version == 1 {
                tx.execute(
                    "INSERT INTO tmkit_meta(key, value) VALUES ('store_id', $1), ('generation', '0'), ('schema_version', '1')",
                    &[&new_store_id()],
                )
                .map_err(&err)?;
            }
            tx.execute(
                "UPDATE tmkit_meta SET value = $1 WHERE key = 'schema_version'",
                &[&version.to_string()],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        self.version = current.max(target);
        Ok(())
    }

    /// A transaction holding the write lock, on a store with its indexes
    /// (a bulk load of this handle is finished first; one another process
    /// left unfinished is repaired).
    fn write_tx(&mut self) -> Result<Transaction<'_>> {
        self.finish_all()?;
        let err = pg_err(&self.location);
        let mut tx = self.client.transaction().map_err(&err)?;
        let sql = if self.version >= 3 {
            "SELECT EXISTS (SELECT 1 FROM tmkit_meta WHERE key = 'bulk_load') FROM pg_advisory_xact_lock($1)"
        } else {
            "SELECT false FROM pg_advisory_xact_lock($1)"
        };
        let pending: bool = tx.query_one(sql, &[&WRITE_LOCK]).map_err(&err)?.get(0);
        if pending {
            restore_indexes(&mut tx, false).map_err(&err)?;
        }
        Ok(tx)
    }

    /// True when the store holds no unit, taking the session's write lock
    /// when it does not (a bulk load holds it to its end).
    fn lock_if_empty(&mut self) -> Result<bool> {
        let err = pg_err(&self.location);
        let empty = |c: &mut Client| -> Result<bool> {
            Ok(c.query_one("SELECT NOT EXISTS (SELECT 1 FROM units)", &[])
                .map_err(&err)?
                .get(0))
        };
        if self.version < 3 || !empty(&mut self.client)? {
            return Ok(false);
        }
        self.client
            .execute("SELECT pg_advisory_lock($1)", &[&WRITE_LOCK])
            .map_err(&err)?;
        if empty(&mut self.client)? {
            return Ok(true);
        }
        self.client
            .execute("SELECT pg_advisory_unlock($1)", &[&WRITE_LOCK])
            .map_err(&err)?;
        Ok(false)
    }

    /// Starts a bulk load (the session's write lock is held): drops the
    /// secondary indexes and foreign keys (marking the store so, in the same
    /// transaction) and starts the writer thread on a second connection.
    fn start_bulk(&mut self) -> Result<()> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut writer = Client::connect(&self.uri, NoTls).map_err(&err)?;
        let mut tx = self.client.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO tmkit_meta(key, value) VALUES ('bulk_load', 'indexes dropped') \
             ON CONFLICT (key) DO NOTHING",
            &[],
        )
        .map_err(&err)?;
        let mut ddl = String::new();
        for (table, name, _) in FOREIGN_KEYS {
            ddl.push_str(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};"
            ));
        }
        for create in BTREE_INDEXES.iter().chain([&TRIGRAM_INDEX]) {
            ddl.push_str(&format!("DROP INDEX IF EXISTS {};", index_name(create)));
        }
        tx.batch_execute(&ddl).map_err(&err)?;
        let next_id: i64 = tx
            .query_one("SELECT nextval(pg_get_serial_sequence('units', 'id'))", &[])
            .map_err(&err)?
            .get(0);
        tx.commit().map_err(&err)?;
        writer
            .batch_execute("SET synchronous_commit = on")
            .map_err(&err)?;
        let (sender, receiver) = sync_channel::<BulkBatch>(2);
        let thread_location = location.clone();
        let writer = std::thread::Builder::new()
            .name("tmkit-pg-copy".into())
            .spawn(move || bulk_writer(writer, receiver, &thread_location))
            .map_err(|e| store_failure(&location, format!("cannot start the COPY thread: {e}")))?;
        self.bulk = Some(Bulk {
            sender: Some(sender),
            writer: Some(writer),
            next_id,
            tx_first: next_id,
            tx_batches: 0,
            by_content: HashMap::new(),
            by_source: HashMap::new(),
            origins: HashMap::new(),
        });
        Ok(())
    }

    /// Hands a batch to the writer thread; on its failure, its error.
    fn send_bulk(&mut self, batch: BulkBatch) -> Result<()> {
        let bulk = self.bulk.as_mut().expect("a bulk load");
        let sent = bulk.sender.as_ref().map(|s| s.send(batch).is_ok());
        if sent == Some(true) {
            return Ok(());
        }
        // The writer stopped: its error says why.
        bulk.sender = None;
        let result = bulk.writer.take().map(JoinHandle::join);
        self.bulk = None;
        self.unlock_session();
        match result {
            Some(Ok(Err(e))) => Err(e),
            _ => Err(store_failure(
                &self.location,
                "PostgreSQL COPY thread stopped",
            )),
        }
    }

    fn unlock_session(&mut self) {
        let _ = self
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&WRITE_LOCK]);
    }

    /// Adds prepared units in one transaction (see [`Store::add_units`]),
    /// or to the bulk load of an import into an empty store.
    fn add_prepared_units(
        &mut self,
        units: &[PreparedUnit],
        policy: DuplicatePolicy,
    ) -> Result<AddReport> {
        if self.bulk.is_none() && !self.bulk_checked && units.len() >= BULK_MIN_BATCH {
            self.bulk_checked = true;
            if self.lock_if_empty()?
                && let Err(e) = self.start_bulk()
            {
                self.unlock_session();
                return Err(e);
            }
        }
        if self.bulk.is_some() {
            return self.bulk_add(units, policy);
        }
        let location = self.location.clone();
        let err = pg_err(&location);
        let version = self.version;
        let mut tx = self.write_tx()?;
        let names: Vec<&str> = units
            .iter()
            .filter_map(|u| u.unit.origin.as_deref())
            .collect();
        let origins = origin_ids(&mut tx, &names, &err)?;
        let contents: Vec<i64> = units.iter().map(|u| u.hashes.content as i64).collect();
        let sources: Vec<i64> = units.iter().map(|u| u.hashes.source as i64).collect();
        // What the store holds of this batch's hashes; the batch's own units
        // join these maps as they are admitted.
        let mut by_content: HashMap<i64, Vec<Place>> = HashMap::new();
        for r in tx
            .query(
                "SELECT content_hash, origin_id, origin_pos FROM units WHERE content_hash = ANY($1)",
                &[&contents],
            )
            .map_err(&err)?
        {
            by_content.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
        }
        let mut by_source: HashMap<i64, Vec<(i64, Option<String>)>> = HashMap::new();
        for r in tx
            .query(
                "SELECT source_hash, id, coalesce(change_date, creation_date) FROM units WHERE source_hash = ANY($1)",
                &[&sources],
            )
            .map_err(&err)?
        {
            by_source.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
        }
        let places = places_of(units, &origins);
        let (mut report, admitted, removed) =
            admit(units, &places, policy, &mut by_content, &mut by_source);
        if !removed.is_empty() {
            tx.execute("DELETE FROM units WHERE id = ANY($1)", &[&removed])
                .map_err(&err)?;
        }
        let keep: Vec<usize> = admitted.into_iter().flatten().collect();
        if !keep.is_empty() {
            let ids: Vec<i64> = tx
                .query(
                    "SELECT nextval(pg_get_serial_sequence('units', 'id')) FROM generate_series(1, $1::bigint)",
                    &[&(keep.len() as i64)],
                )
                .map_err(&err)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let rows: Vec<(i64, &PreparedUnit, Option<i64>)> = keep
                .iter()
                .zip(&ids)
                .map(|(&i, &id)| (id, &units[i], places[i].0))
                .collect();
            copy_units(&mut tx, &rows, &location, &err)?;
            report.ids = ids;
        }
        let touched: Vec<i64> = report.ids.iter().chain(&removed).copied().collect();
        record_write(&mut tx, version, &touched, &err)?;
        tx.commit().map_err(&err)?;
        Ok(report)
    }

    /// Adds a batch to the bulk load: duplicates and conflicts are resolved
    /// against what the load added (the store was empty), the units get ids
    /// here, and their COPY text goes to the writer thread.
    fn bulk_add(&mut self, units: &[PreparedUnit], policy: DuplicatePolicy) -> Result<AddReport> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let bulk = self.bulk.as_mut().expect("a bulk load");
        for name in units.iter().filter_map(|u| u.unit.origin.as_deref()) {
            if !bulk.origins.contains_key(name) {
                let one = origin_ids(&mut *self.client, &[name], &err)?;
                bulk.origins.extend(one);
            }
        }
        let places = places_of(units, &bulk.origins);
        let (mut report, admitted, removed) = admit(
            units,
            &places,
            policy,
            &mut bulk.by_content,
            &mut bulk.by_source,
        );
        let first = bulk.next_id;
        let mut slot_ids = vec![0i64; admitted.len()];
        let mut keep = Vec::new();
        for (slot, unit) in admitted.iter().enumerate() {
            if let Some(i) = unit {
                slot_ids[slot] = bulk.next_id;
                bulk.next_id += 1;
                keep.push(*i);
            }
        }
        let ids: Vec<i64> = (first..bulk.next_id).collect();
        // The memo knows this batch's units by their slot: give them their ids.
        for h in units.iter().map(|u| u.hashes) {
            if let Some(same) = bulk.by_source.get_mut(&(h.source as i64)) {
                for (id, _) in same.iter_mut().filter(|(id, _)| *id < 0) {
                    *id = slot_ids[(-*id - 1) as usize];
                }
            }
        }
        let rows: Vec<(i64, &PreparedUnit, Option<i64>)> = keep
            .iter()
            .zip(&ids)
            .map(|(&i, &id)| (id, &units[i], places[i].0))
            .collect();
        let copy = copy_text(&rows);
        bulk.tx_batches += 1;
        let commit = (bulk.tx_batches >= BULK_BATCHES_PER_TX).then(|| {
            let range = (bulk.tx_first, bulk.next_id - 1);
            bulk.tx_first = bulk.next_id;
            bulk.tx_batches = 0;
            range
        });
        report.ids = ids;
        self.send_bulk(BulkBatch {
            copy,
            removed,
            commit,
        })?;
        Ok(report)
    }

    /// Ends this handle's bulk load, if any: commits the open transaction and
    /// builds the b-tree indexes and foreign keys, while the trigram index
    /// is built on the second connection ([`PgStore::finish_trigram`] waits
    /// for it and releases the write lock).
    fn finish_bulk(&mut self) -> Result<()> {
        let Some(bulk) = self.bulk.as_ref() else {
            return Ok(());
        };
        let last = (bulk.tx_first, bulk.next_id - 1);
        self.send_bulk(BulkBatch {
            copy: CopyText::default(),
            removed: Vec::new(),
            commit: Some(last),
        })?;
        let mut bulk = self.bulk.take().expect("a bulk load");
        bulk.sender = None;
        let joined = bulk.writer.take().map(JoinHandle::join);
        let result = match joined {
            Some(Ok(Ok(second))) => self.build_bulk_indexes(second),
            Some(Ok(Err(e))) => Err(e),
            _ => Err(store_failure(
                &self.location,
                "PostgreSQL COPY thread stopped",
            )),
        };
        if result.is_err() {
            self.finish_trigram().ok();
            self.unlock_session();
        }
        result
    }

    /// Waits for the trigram index a bulk load is building, then clears
    /// the load's mark and releases the write lock.
    fn finish_trigram(&mut self) -> Result<()> {
        let Some(build) = self.trigram.take() else {
            return Ok(());
        };
        let built = build.join().unwrap_or_else(|_| {
            Err(store_failure(
                &self.location,
                "building the concordance index failed",
            ))
        });
        let cleared = built.and_then(|()| {
            self.client
                .batch_execute("DELETE FROM tmkit_meta WHERE key = 'bulk_load'")
                .map_err(pg_err(&self.location))
        });
        self.unlock_session();
        cleared
    }

    /// Finishes a bulk load to the end, trigram index included (before a
    /// concordance search or a write).
    fn finish_all(&mut self) -> Result<()> {
        self.finish_bulk()?;
        self.finish_trigram()
    }

    /// What `filter` needs finished: everything when it searches text.
    fn finish_for(&mut self, filter: &Filter) -> Result<()> {
        if filter.search.is_some() {
            self.finish_all()
        } else {
            self.finish_bulk()
        }
    }

    fn build_bulk_indexes(&mut self, mut second: Client) -> Result<()> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let gin_location = location.clone();
        let trigram = std::thread::Builder::new()
            .name("tmkit-pg-gin".into())
            .spawn(move || {
                second
                    .batch_execute(&format!(
                        "{BULK_MAINTENANCE_MEM}; {TRIGRAM_INDEX}; ANALYZE variants"
                    ))
                    .map_err(pg_err(&gin_location))
            })
            .map_err(|e| store_failure(&location, format!("cannot start the index thread: {e}")))?;
        let btrees = self
            .client
            .batch_execute(BULK_MAINTENANCE_MEM)
            .and_then(|()| restore_indexes(&mut *self.client, false));
        // The trigram index goes on building while the caller reads (the
        // fuzzy index is built from the store meanwhile).
        self.trigram = Some(trigram);
        btrees.map_err(&err)?;
        self.client
            .batch_execute("ANALYZE units; ANALYZE fields; RESET maintenance_work_mem")
            .map_err(&err)
    }
}

impl PgStore {
    /// The ids of the first units (by id) with a variant containing the
    /// query (folded: case and accents ignored), in one round trip planned
    /// for the pattern at hand ([`Client::query_typed`]; a prepared, generic
    /// plan cannot weigh the pattern): a rare text through the trigram
    /// index, a frequent one by reading variants in id order until enough
    /// match (the per-column statistics of migration 3 tell them apart).
    fn search_ids(&mut self, query: &SearchQuery) -> Result<Vec<i64>> {
        if query.text.trim().is_empty() || query.limit == 0 {
            return Ok(Vec::new());
        }
        let pattern = like_pattern(&search_fold(&query.text));
        let lang = query.lang.as_deref().map(normalize_lang);
        let rows = self
            .client
            .query_typed(
                SEARCH,
                &search_params(&pattern, &lang, &(query.limit as i64)),
            )
            .map_err(pg_err(&self.location))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The plan PostgreSQL runs a concordance query with (`EXPLAIN ANALYZE`).
    pub fn explain_search(&mut self, query: &SearchQuery) -> Result<String> {
        self.finish_all()?;
        let pattern = like_pattern(&search_fold(&query.text));
        let lang = query.lang.as_deref().map(normalize_lang);
        let rows = self
            .client
            .query_typed(
                &format!("EXPLAIN ANALYZE {SEARCH}"),
                &search_params(&pattern, &lang, &(query.limit as i64)),
            )
            .map_err(pg_err(&self.location))?;
        Ok(rows
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// The typed parameters of [`SEARCH`].
fn search_params<'a>(
    pattern: &'a String,
    lang: &'a Option<String>,
    limit: &'a i64,
) -> [(&'a (dyn ToSql + Sync), postgres::types::Type); 3] {
    use postgres::types::Type;
    [
        (pattern, Type::TEXT),
        (lang, Type::TEXT),
        (limit, Type::INT8),
    ]
}

/// Units per (source language, other language), most first.
fn language_pairs(
    c: &mut Client,
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<Vec<(String, String, u64)>> {
    Ok(c.query(
        "SELECT u.source_lang, v.lang, count(*) FROM units u JOIN variants v ON v.unit_id = u.id \
         WHERE v.lang <> u.source_lang GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        &[],
    )
    .map_err(err)?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get::<_, i64>(2) as u64))
    .collect())
}

/// A read-only transaction over one consistent snapshot.
fn read_snapshot<'c>(
    client: &'c mut Client,
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<Transaction<'c>> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(err)
}

/// The name `CREATE INDEX IF NOT EXISTS name ON ...` creates.
fn index_name(create: &str) -> &str {
    create
        .split_whitespace()
        .nth(5)
        .expect("CREATE INDEX IF NOT EXISTS <name>")
}

/// Builds every secondary index (the trigram one too when `trigram`) and
/// foreign key that is missing, and clears the bulk-load mark when all are.
fn restore_indexes(
    c: &mut impl GenericClient,
    trigram: bool,
) -> std::result::Result<(), postgres::Error> {
    let mut sql = String::new();
    for create in BTREE_INDEXES {
        sql.push_str(create);
        sql.push(';');
    }
    if trigram {
        sql.push_str(TRIGRAM_INDEX);
        sql.push(';');
    }
    c.batch_execute(&sql)?;
    for (table, name, definition) in FOREIGN_KEYS {
        let present: bool = c
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = $1 \
                 AND conrelid = to_regclass($2))",
                &[name, table],
            )?
            .get(0);
        if !present {
            c.batch_execute(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
            ))?;
        }
    }
    if trigram {
        c.batch_execute("DELETE FROM tmkit_meta WHERE key = 'bulk_load'")?;
    }
    Ok(())
}

/// The bulk writer thread: COPY of each batch on its own connection, a
/// transaction over several batches. Gives the connection back at the end
/// (the trigram index is built on it).
fn bulk_writer(
    mut client: Client,
    batches: Receiver<BulkBatch>,
    location: &StoreLocation,
) -> Result<Client> {
    let err = pg_err(location);
    let mut open = false;
    // Units of earlier batches replaced in this transaction.
    let mut removed: Vec<i64> = Vec::new();
    for batch in batches {
        if !open {
            client.batch_execute("BEGIN").map_err(&err)?;
            open = true;
        }
        send_copy(&mut client, &batch.copy, location, &err)?;
        if !batch.removed.is_empty() {
            // No index on unit_id during the load: these scan, but replacing
            // a unit of an earlier batch of the same import is rare.
            for sql in [
                "DELETE FROM variants WHERE unit_id = ANY($1)",
                "DELETE FROM fields WHERE unit_id = ANY($1)",
                "DELETE FROM units WHERE id = ANY($1)",
            ] {
                client.execute(sql, &[&batch.removed]).map_err(&err)?;
            }
            removed.extend(&batch.removed);
        }
        if let Some((first, last)) = batch.commit {
            let mut touched: Vec<(i64, i64)> = removed.drain(..).map(|id| (id, id)).collect();
            if last >= first {
                client
                    .execute(
                        "SELECT setval(pg_get_serial_sequence('units', 'id'), $1)",
                        &[&last],
                    )
                    .map_err(&err)?;
                touched.push((first, last));
            }
            if !touched.is_empty() {
                let generation = bump_generation(&mut client, &err)?;
                log_ranges(&mut client, generation, &touched, &err)?;
            }
            client.batch_execute("COMMIT").map_err(&err)?;
            open = false;
        }
    }
    if open {
        client.batch_execute("ROLLBACK").map_err(&err)?;
    }
    Ok(client)
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if self.bulk.is_none() && self.trigram.is_none() {
            return;
        }
        // The blocking client cannot run on a thread inside a runtime.
        let result = if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| s.spawn(|| self.finish_all()).join()).unwrap_or_else(|_| {
                Err(store_failure(
                    &self.location,
                    "finishing the bulk load panicked",
                ))
            })
        } else {
            self.finish_all()
        };
        if let Err(e) = result {
            // Nothing else can report it; the next connection repairs.
            crate::diag!("tmkit: finishing the PostgreSQL bulk load failed: {e}");
        }
    }
}

fn new_store_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let h = unit::fnv1a(&[&nanos.to_le_bytes(), &std::process::id().to_le_bytes()]);
    format!("{h:016x}")
}

fn params(values: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// Appends `value` to a COPY text row (`\N` for none), then `sep`.
fn copy_field(row: &mut String, value: Option<&str>, sep: char) {
    match value {
        None => row.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => row.push_str("\\\\"),
                    '\t' => row.push_str("\\t"),
                    '\n' => row.push_str("\\n"),
                    '\r' => row.push_str("\\r"),
                    c => row.push(c),
                }
            }
        }
    }
    row.push(sep);
}

/// Writes units with the given ids through COPY.
fn copy_units(
    c: &mut impl GenericClient,
    rows: &[(i64, &PreparedUnit, Option<i64>)],
    location: &StoreLocation,
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<()> {
    send_copy(c, &copy_text(rows), location, err)
}

/// The COPY text rows of units with the given ids (and origin ids), from
/// what their preparation computed: hashes, normalized languages, plain
/// texts, code counts, the `<tu>` when the columns do not suffice.
fn copy_text(rows: &[(i64, &PreparedUnit, Option<i64>)]) -> CopyText {
    let (mut units, mut variants, mut fields) = (String::new(), String::new(), String::new());
    for &(id, prepared, origin) in rows {
        let (unit, hashes) = (&prepared.unit, prepared.hashes);
        let tu = &unit.tu;
        let usage: i64 = tu
            .usagecount
            .as_deref()
            .and_then(|u| u.trim().parse().ok())
            .unwrap_or(0);
        let nums = [
            Some(id.to_string()),
            Some(usage.to_string()),
            origin.map(|o| o.to_string()),
            unit.origin_position.map(|p| p.to_string()),
            Some((hashes.content as i64).to_string()),
            Some((hashes.source as i64).to_string()),
            unit.context.0.map(|h| (h as i64).to_string()),
            unit.context.1.map(|h| (h as i64).to_string()),
        ];
        let note = unit.note();
        let fields_in_order: [Option<&str>; 20] = [
            nums[0].as_deref(),
            tu.tuid.as_deref(),
            Some(&prepared.source_lang),
            tu.creationdate.as_deref(),
            tu.creationid.as_deref(),
            tu.changedate.as_deref(),
            tu.changeid.as_deref(),
            nums[1].as_deref(),
            tu.lastusagedate.as_deref(),
            nums[2].as_deref(),
            nums[3].as_deref(),
            unit.project.as_deref(),
            unit.client.as_deref(),
            unit.domain.as_deref(),
            note.as_deref(),
            nums[4].as_deref(),
            nums[5].as_deref(),
            nums[6].as_deref(),
            nums[7].as_deref(),
            prepared.tmx.as_deref(),
        ];
        for (i, v) in fields_in_order.iter().enumerate() {
            copy_field(&mut units, *v, if i == 19 { '\n' } else { '\t' });
        }
        for (lang, text, codes) in &prepared.variants {
            copy_field(&mut variants, Some(&id.to_string()), '\t');
            copy_field(&mut variants, Some(lang), '\t');
            copy_field(&mut variants, Some(text), '\t');
            copy_field(&mut variants, Some(&codes.to_string()), '\t');
            copy_field(
                &mut variants,
                Some(&(unit::text_hash(text) as i64).to_string()),
                '\t',
            );
            copy_field(&mut variants, Some(&search_fold(text)), '\n');
        }
        let props = tu
            .props
            .iter()
            .map(|p| ("prop", p.kind.as_str(), p.value.as_str()));
        let free = unit
            .fields
            .iter()
            .map(|(k, v)| ("field", k.as_str(), v.as_str()));
        for (kind, name, value) in props.chain(free) {
            copy_field(&mut fields, Some(&id.to_string()), '\t');
            copy_field(&mut fields, Some(kind), '\t');
            copy_field(&mut fields, Some(name), '\t');
            copy_field(&mut fields, Some(value), '\n');
        }
    }
    CopyText {
        units,
        variants,
        fields,
    }
}

/// Sends COPY text rows.
fn send_copy(
    c: &mut impl GenericClient,
    text: &CopyText,
    location: &StoreLocation,
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<()> {
    for (sql, data) in [
        (
            "COPY units (id, tuid, source_lang, creation_date, creation_user, change_date, change_user, \
             usage_count, last_used, origin_id, origin_pos, project, client, domain, note, content_hash, \
             source_hash, context_prev, context_next, tmx) FROM STDIN",
            &text.units,
        ),
        (
            "COPY variants (unit_id, lang, text, codes, text_hash, folded) FROM STDIN",
            &text.variants,
        ),
        (
            "COPY fields (unit_id, kind, name, value) FROM STDIN",
            &text.fields,
        ),
    ] {
        if data.is_empty() {
            continue;
        }
        let mut writer = c.copy_in(sql).map_err(err)?;
        writer
            .write_all(data.as_bytes())
            .map_err(copy_err(location))?;
        writer.finish().map_err(err)?;
    }
    Ok(())
}

fn origin_ids(
    tx: &mut impl GenericClient,
    names: &[&str],
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for name in names {
        if out.contains_key(*name) {
            continue;
        }
        tx.execute(
            "INSERT INTO origins (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
            &[name],
        )
        .map_err(err)?;
        let id: i64 = tx
            .query_one("SELECT id FROM origins WHERE name = $1", &[name])
            .map_err(err)?
            .get(0);
        out.insert(name.to_string(), id);
    }
    Ok(out)
}

/// Raises the generation; returns the new one.
fn bump_generation(
    c: &mut impl GenericClient,
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<i64> {
    let v: String = c
        .query_one(
            "UPDATE tmkit_meta SET value = (value::bigint + 1)::text WHERE key = 'generation' RETURNING value",
            &[],
        )
        .map_err(err)?
        .get(0);
    Ok(v.parse().unwrap_or(0))
}

/// Records the id ranges `generation` touched.
fn log_ranges(
    c: &mut impl GenericClient,
    generation: i64,
    ranges: &[(i64, i64)],
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<()> {
    let firsts: Vec<i64> = ranges.iter().map(|r| r.0).collect();
    let lasts: Vec<i64> = ranges.iter().map(|r| r.1).collect();
    c.execute(
        "INSERT INTO tmkit_changes (generation, first_id, last_id) \
         SELECT $1, f, l FROM unnest($2::bigint[], $3::bigint[]) AS r(f, l)",
        &[&generation, &firsts, &lasts],
    )
    .map_err(err)?;
    // The log keeps the last CHANGES_KEPT generations.
    if generation % super::PRUNE_EVERY == 0 && generation > super::CHANGES_KEPT {
        let from = generation - super::CHANGES_KEPT;
        c.execute("DELETE FROM tmkit_changes WHERE generation <= $1", &[&from])
            .map_err(err)?;
        c.execute(
            "UPDATE tmkit_meta SET value = $1::bigint::text \
             WHERE key = 'changes_from' AND value::bigint < $1::bigint",
            &[&from],
        )
        .map_err(err)?;
    }
    Ok(())
}

/// Ends a write that changed `ids`: a new generation, and its log.
fn record_write(
    tx: &mut Transaction<'_>,
    version: u32,
    ids: &[i64],
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let generation = bump_generation(tx, err)?;
    if version < 3 {
        return Ok(());
    }
    log_ranges(tx, generation, &super::ranges_of(ids), err)
}

/// Origin id and position of each unit, as stored.
fn places_of(units: &[PreparedUnit], origins: &HashMap<String, i64>) -> Vec<Place> {
    units
        .iter()
        .map(|p| &p.unit)
        .map(|u| {
            (
                u.origin.as_deref().and_then(|n| origins.get(n).copied()),
                u.origin_position.map(i64::from),
            )
        })
        .collect()
}

/// Decides which of `units` to add, given what the store holds of their
/// hashes (`by_content`: places of units with that content; `by_source`:
/// ids and dates of units with that source), updating both maps with the
/// admitted units (ids < 0 name their slots: `-slot - 1`). Returns the
/// report, the admitted unit (index into `units`) per slot (`None`: a later
/// unit of the batch replaced it) and the stored ids replaced.
fn admit(
    units: &[PreparedUnit],
    places: &[Place],
    policy: DuplicatePolicy,
    by_content: &mut HashMap<i64, Vec<Place>>,
    by_source: &mut HashMap<i64, Vec<(i64, Option<String>)>>,
) -> (AddReport, Vec<Option<usize>>, Vec<i64>) {
    let mut report = AddReport::default();
    let mut admitted: Vec<Option<usize>> = Vec::new();
    let mut removed: Vec<i64> = Vec::new();
    for (i, prepared) in units.iter().enumerate() {
        let unit = &prepared.unit;
        if unit.tu.tuvs.is_empty() {
            continue;
        }
        let h = prepared.hashes;
        let place = places[i];
        let known = by_content.get(&(h.content as i64));
        let duplicate = known.is_some_and(|k| !k.is_empty());
        if duplicate {
            report.duplicates += 1;
            continue;
        }
        let same = by_source.entry(h.source as i64).or_default();
        if !same.is_empty() {
            report.conflicts += 1;
            let dates: Vec<Option<String>> = same.iter().map(|(_, d)| d.clone()).collect();
            if !super::sqlite::policy_admits(policy, unit.tu.last_modified(), &dates) {
                report.kept_stored += 1;
                continue;
            }
            if policy != DuplicatePolicy::Add {
                for (id, _) in same.drain(..) {
                    report.replaced += 1;
                    if id < 0 {
                        admitted[(-id - 1) as usize] = None;
                        report.added -= 1;
                    } else {
                        removed.push(id);
                    }
                }
            }
        }
        let slot = admitted.len() as i64;
        admitted.push(Some(i));
        same.push((-slot - 1, unit.tu.last_modified().map(str::to_string)));
        by_content.entry(h.content as i64).or_default().push(place);
        report.added += 1;
    }
    (report, admitted, removed)
}

/// Origin id and position of a stored unit (what makes a re-import a duplicate).
type Place = (Option<i64>, Option<i64>);

/// Language, plain text and inline-code count of a scanned variant.
type Variant = (String, String, u32);

/// Id, tuid, date, origin name and position of a scanned unit.
type ScanHead = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// `value` as an SQL string literal, whatever `standard_conforming_strings`
/// says: quotes doubled, and with a backslash, an escape string (`E'…'`)
/// with the backslashes doubled (what the server's `quote_literal` gives).
/// A text value cannot hold NUL, which is refused.
fn quote_literal(value: &str) -> Result<String> {
    if value.contains('\0') {
        return Err(Error::Usage(format!(
            "{value:?}: a filter value cannot contain a NUL character"
        )));
    }
    let mut out = String::with_capacity(value.len() + 3);
    if value.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// `sql` with each `$n::text` parameter replaced by `literals[n - 1]`, in
/// one pass (a literal is never read again).
fn inline_params(sql: &str, literals: &[String]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let literal = after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| literals.get(n.wrapping_sub(1)))
            .filter(|_| after[digits..].starts_with("::text"));
        match literal {
            Some(lit) => {
                out.push_str(lit);
                rest = &after[digits + "::text".len()..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The binary `COPY`s of [`PgStore::stream_units`], and the snapshot they
/// read in.
struct Copies<'a> {
    uri: &'a str,
    snapshot: &'a str,
    units: &'a str,
    variants: &'a str,
    fields: Option<&'a str>,
    /// Origin names by id (the units stream has the ids).
    origins: &'a HashMap<i64, String>,
}

/// The messages of a COPY, as the connection thread hands them over.
type Messages = Vec<std::result::Result<bytes::Bytes, tokio_postgres::Error>>;

/// Messages per hand-over at most (what the connection has at hand).
const HANDED: usize = 512;

/// Hand-overs in flight per COPY.
const IN_FLIGHT: usize = 8;

/// The messages of one COPY on the merging thread: a blocking read of what
/// the connection thread handed over (so it is never pending).
struct Handed {
    receiver: tokio::sync::mpsc::Receiver<Messages>,
    at_hand: std::vec::IntoIter<std::result::Result<bytes::Bytes, tokio_postgres::Error>>,
}

impl futures_util::Stream for Handed {
    type Item = std::result::Result<bytes::Bytes, tokio_postgres::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        loop {
            if let Some(message) = self.at_hand.next() {
                return std::task::Poll::Ready(Some(message));
            }
            match self.receiver.blocking_recv() {
                Some(messages) => self.at_hand = messages.into_iter(),
                None => return std::task::Poll::Ready(None),
            }
        }
    }
}

/// A binary COPY stream from the server.
type PgRows = CopyRows<Handed, bytes::Bytes>;

/// Reads `copies`, each on a connection of its own in the exported
/// snapshot, and hands their units to `each`; returns how many.
///
/// Two threads: the connections (tokio-postgres's, on a runtime of their
/// own) read the sockets on one, which hands the messages over in chunks,
/// and the caller's thread parses the rows where they lie, builds each
/// unit and calls `each`. Every unit's strings are allocated and freed on
/// the caller's thread: when units were built on the connection thread,
/// freeing them on the other cost more in the allocator's locks than the
/// work shared. The rows are read with no blocking call (and entry into a
/// runtime) per row as `postgres`'s `CopyOutReader` makes, which took a
/// fifth of the export's client time.
fn read_copies(
    copies: &Copies<'_>,
    each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    location: &StoreLocation,
) -> Result<u64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| store_failure(location, format!("cannot start the COPY reader: {e}")))?;
    let copy_err = copy_err(location);
    let sqls: Vec<&str> = [Some(copies.units), Some(copies.variants), copies.fields]
        .into_iter()
        .flatten()
        .collect();
    let (senders, receivers): (Vec<_>, Vec<_>) = sqls
        .iter()
        .map(|_| tokio::sync::mpsc::channel::<Messages>(IN_FLIGHT))
        .unzip();
    let (started, start) = sync_channel::<Result<()>>(1);
    std::thread::scope(|scope| {
        let connections = std::thread::Builder::new()
            .name("tmkit-pg-copy".into())
            .spawn_scoped(scope, move || {
                runtime.block_on(run_copies(copies, &sqls, senders, started, location));
            })
            .map_err(|e| store_failure(location, format!("cannot start the COPY reader: {e}")))?;
        let merged = match start.recv() {
            Ok(Ok(())) => {
                let streams = receivers.into_iter().map(|receiver| Handed {
                    receiver,
                    at_hand: Vec::new().into_iter(),
                });
                let merging = merge_streams(streams, copies.origins, each, &copy_err);
                // Never pending: each read blocks until its messages are here.
                futures_util::FutureExt::now_or_never(merging)
                    .unwrap_or_else(|| Err(store_failure(location, "the COPY merge waited")))
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(store_failure(location, "PostgreSQL COPY thread stopped")),
        };
        // The streams were dropped with the merge: the connection thread's
        // reads end if it stopped early.
        let joined = connections
            .join()
            .map_err(|_| store_failure(location, "the PostgreSQL COPY thread panicked"));
        merged.and_then(|n| joined.map(|()| n))
    })
}

/// The connection thread of [`read_copies`]: starts each COPY of `sqls`
/// on a connection of its own in the snapshot (saying so, or why not, on
/// `started`), then hands each one's messages to its sender until it ends
/// or the merge stops reading; the connections then close.
async fn run_copies(
    copies: &Copies<'_>,
    sqls: &[&str],
    senders: Vec<tokio::sync::mpsc::Sender<Messages>>,
    started: SyncSender<Result<()>>,
    location: &StoreLocation,
) {
    let err = pg_err(location);
    let copy = |sql: &str| {
        let sql = sql.to_string();
        let err = &err;
        async move {
            let (client, connection) = tokio_postgres::connect(copies.uri, NoTls)
                .await
                .map_err(err)?;
            // Its failures reach the client's calls; it is awaited at
            // the end, so the connection closes with a Terminate.
            let connection = tokio::spawn(connection);
            client
                .batch_execute(&format!(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
                     SET TRANSACTION SNAPSHOT '{}'",
                    copies.snapshot
                ))
                .await
                .map_err(err)?;
            let stream = client.copy_out(sql.as_str()).await.map_err(err)?;
            Ok::<_, Error>((client, connection, Box::pin(stream)))
        }
    };
    let opened = futures_util::future::try_join_all(sqls.iter().map(|sql| copy(sql))).await;
    let opened = match opened {
        Ok(opened) => opened,
        Err(e) => {
            let _ = started.send(Err(e));
            return;
        }
    };
    let _ = started.send(Ok(()));
    let mut clients = Vec::new();
    let mut connections = Vec::new();
    let mut forwards = Vec::new();
    for ((client, connection, mut stream), sender) in opened.into_iter().zip(senders) {
        clients.push(client);
        connections.push(connection);
        forwards.push(async move {
            use futures_util::{FutureExt, StreamExt};
            // Not polled again once it has ended (tokio-postgres would
            // read the next request's messages).
            let mut ended = false;
            while !ended && let Some(first) = stream.next().await {
                let mut messages = Vec::with_capacity(HANDED);
                messages.push(first);
                // What else the connection has read already.
                while messages.len() < HANDED {
                    match stream.next().now_or_never() {
                        Some(Some(message)) => messages.push(message),
                        Some(None) => {
                            ended = true;
                            break;
                        }
                        None => break,
                    }
                }
                if sender.send(messages).await.is_err() {
                    return;
                }
            }
        });
    }
    futures_util::future::join_all(forwards).await;
    // Dropped clients let their connections send Terminate and end
    // (else the server logs an unexpected EOF per connection).
    drop(clients);
    for connection in connections {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), connection).await;
    }
}

/// One binary COPY stream in unit order, read a unit's rows at a time.
struct Grouped {
    rows: PgRows,
    /// The unit id of the current row; `None` at the end.
    key: Option<i64>,
}

impl Grouped {
    async fn new(rows: PgRows) -> std::io::Result<Grouped> {
        let mut grouped = Grouped { rows, key: None };
        grouped.advance().await?;
        Ok(grouped)
    }

    async fn advance(&mut self) -> std::io::Result<()> {
        self.key = if self.rows.advance().await? {
            self.rows.int8(0)?
        } else {
            None
        };
        Ok(())
    }

    /// Moves past the rows of units before `id` (which the selection does
    /// not hold); true when the current row is one of `id`'s.
    async fn at(&mut self, id: i64) -> std::io::Result<bool> {
        while let Some(key) = self.key {
            if key >= id {
                return Ok(key == id);
            }
            self.advance().await?;
        }
        Ok(false)
    }
}

/// The units of [`PgStore::stream_units`]' streams (units, variants,
/// fields if any), handed to `each` in unit order (its error stops the
/// merge); returns how many.
async fn merge_streams(
    mut streams: impl Iterator<Item = Handed>,
    origins: &HashMap<i64, String>,
    each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    copy_err: &dyn Fn(std::io::Error) -> Error,
) -> Result<u64> {
    let mut next = async || match streams.next() {
        Some(stream) => CopyRows::new(stream).await.map(Some),
        None => Ok(None),
    };
    let (Some(mut units), Some(variants)) = (
        next().await.map_err(copy_err)?,
        next().await.map_err(copy_err)?,
    ) else {
        return Err(copy_err(std::io::Error::other("a COPY is missing")));
    };
    let fields = next().await.map_err(copy_err)?;
    let mut variants = Grouped::new(variants).await.map_err(copy_err)?;
    let mut fields = match fields {
        Some(f) => Some(Grouped::new(f).await.map_err(copy_err)?),
        None => None,
    };
    fn text(r: &PgRows, i: usize) -> std::io::Result<String> {
        Ok(r.text(i)?.unwrap_or_default().to_string())
    }
    let mut count = 0u64;
    let mut ids: Vec<i64> = Vec::new();
    while units.advance().await.map_err(copy_err)? {
        let row = unit_row(&CopyUnit {
            rows: &units,
            origins,
        })
        .map_err(copy_err)?;
        let mut vars: Vec<(String, String)> = Vec::with_capacity(2);
        ids.clear();
        while variants.at(row.id).await.map_err(copy_err)? {
            let r = &variants.rows;
            let mut read = || -> std::io::Result<()> {
                let id = r.int8(1)?.unwrap_or(0);
                let at = ids.partition_point(|&i| i < id);
                ids.insert(at, id);
                vars.insert(at, (text(r, 2)?, text(r, 3)?));
                Ok(())
            };
            read().map_err(copy_err)?;
            variants.advance().await.map_err(copy_err)?;
        }
        let mut flds = Vec::new();
        if let Some(fields) = fields.as_mut() {
            while fields.at(row.id).await.map_err(copy_err)? {
                let r = &fields.rows;
                let field = (|| Ok((text(r, 1)?, text(r, 2)?, text(r, 3)?)))();
                flds.push(field.map_err(copy_err)?);
                fields.advance().await.map_err(copy_err)?;
            }
        }
        each(finish_unit(row, vars, flds)?)?;
        count += 1;
    }
    Ok(count)
}

/// A scanned unit from its head and variants.
fn scanned<'a>(head: &'a ScanHead, variants: &'a [Variant]) -> ScannedUnit<'a> {
    ScannedUnit {
        id: head.0,
        tuid: head.1.as_deref(),
        date: head.2.as_deref(),
        origin: head.3.as_deref().map(|o| (o, head.4.unwrap_or(0) as u32)),
        variants,
    }
}

const UNIT_COLUMNS: &str = "u.id, u.tuid, u.source_lang, u.creation_date, u.creation_user, \
    u.change_date, u.change_user, u.usage_count, u.last_used, o.name, u.origin_pos, u.project, \
    u.client, u.domain, u.note, u.context_prev, u.context_next, u.tmx";

/// The columns of a unit row ([`UNIT_COLUMNS`]), from a query's rows or a
/// binary COPY's.
trait UnitColumns {
    fn text(&self, i: usize) -> std::io::Result<Option<String>>;
    fn int(&self, i: usize) -> std::io::Result<Option<i64>>;
}

impl UnitColumns for postgres::Row {
    fn text(&self, i: usize) -> std::io::Result<Option<String>> {
        Ok(self.get(i))
    }
    fn int(&self, i: usize) -> std::io::Result<Option<i64>> {
        Ok(self.get(i))
    }
}

/// The column of [`UNIT_COLUMNS`] that holds the origin's name.
const ORIGIN_COLUMN: usize = 9;

/// [`UNIT_COLUMNS`] with the origin's id in place of its name (the units
/// `COPY` has no join: the names are looked up in [`CopyUnit`]).
fn copy_unit_columns() -> String {
    UNIT_COLUMNS.replacen("o.name", "u.origin_id", 1)
}

/// A row of the units `COPY` ([`copy_unit_columns`]), with the origin names.
struct CopyUnit<'a> {
    rows: &'a PgRows,
    origins: &'a HashMap<i64, String>,
}

impl UnitColumns for CopyUnit<'_> {
    fn text(&self, i: usize) -> std::io::Result<Option<String>> {
        if i == ORIGIN_COLUMN {
            return Ok(self
                .rows
                .int8(i)?
                .and_then(|id| self.origins.get(&id).cloned()));
        }
        Ok(self.rows.text(i)?.map(str::to_string))
    }
    fn int(&self, i: usize) -> std::io::Result<Option<i64>> {
        self.rows.int8(i)
    }
}

fn unit_row(r: &impl UnitColumns) -> std::io::Result<UnitRow> {
    let usage = r.int(7)?.unwrap_or(0);
    let mut tu = Tu {
        tuid: r.text(1)?,
        creationdate: r.text(3)?,
        creationid: r.text(4)?,
        changedate: r.text(5)?,
        changeid: r.text(6)?,
        usagecount: (usage > 0).then(|| usage.to_string()),
        lastusagedate: r.text(8)?,
        ..Tu::default()
    };
    if let Some(note) = r.text(14)? {
        tu.notes.push(Note::new(note));
    }
    let prev = r.int(15)?;
    let next = r.int(16)?;
    Ok(UnitRow {
        id: r.int(0)?.unwrap_or(0),
        unit: Unit {
            tu,
            source_lang: r.text(2)?.unwrap_or_default(),
            origin: r.text(9)?,
            origin_position: r.int(10)?.map(|p| p as u32),
            project: r.text(11)?,
            client: r.text(12)?,
            domain: r.text(13)?,
            fields: Vec::new(),
            context: (prev.map(|h| h as u64), next.map(|h| h as u64)),
        },
        tmx: r.text(17)?,
        usage,
    })
}

impl Store for PgStore {
    fn location(&self) -> &StoreLocation {
        &self.location
    }

    fn store_id(&self) -> &str {
        &self.id
    }

    fn schema_version(&self) -> u32 {
        self.version
    }

    fn generation(&mut self) -> Result<u64> {
        let statement = self.prepared(GENERATION)?;
        let v: String = self
            .client
            .query_one(&statement, &[])
            .map_err(pg_err(&self.location))?
            .get(0);
        Ok(v.parse().unwrap_or(0))
    }

    fn changes_since(&mut self, since: u64) -> Result<Option<(u64, Vec<i64>)>> {
        // The common case, nothing changed, is one prepared round trip.
        let now = self.generation()?;
        if now == since {
            return Ok(Some((now, Vec::new())));
        }
        if self.version < 3 || now < since {
            return Ok(None);
        }
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = read_snapshot(&mut self.client, &err)?;
        let row = tx
            .query_one(
                "SELECT (SELECT value::bigint FROM tmkit_meta WHERE key = 'generation'), \
                 (SELECT value::bigint FROM tmkit_meta WHERE key = 'changes_from')",
                &[],
            )
            .map_err(&err)?;
        let (now, from): (i64, Option<i64>) = (row.get(0), row.get(1));
        let since = since as i64;
        if from.is_none_or(|f| since < f) {
            return Ok(None);
        }
        let mut ids: Vec<i64> = Vec::new();
        for r in tx
            .query(
                "SELECT first_id, last_id FROM tmkit_changes WHERE generation > $1 AND generation <= $2",
                &[&since, &now],
            )
            .map_err(&err)?
        {
            let (first, last): (i64, i64) = (r.get(0), r.get(1));
            if ids.len() as i64 + (last - first + 1) > MAX_CHANGES as i64 {
                return Ok(None);
            }
            ids.extend(first..=last);
        }
        tx.commit().map_err(&err)?;
        ids.sort_unstable();
        ids.dedup();
        Ok(Some((now as u64, ids)))
    }

    fn register_origin(&mut self, name: &str, header: Option<&Header>) -> Result<i64> {
        let doc = header.map(unit::header_to_doc).transpose()?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.write_tx()?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO origins (name, header) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET header = coalesce(excluded.header, origins.header) RETURNING id",
                &[&name, &doc],
            )
            .map_err(&err)?
            .get(0);
        tx.commit().map_err(&err)?;
        Ok(id)
    }

    fn origin_header(&mut self, name: &str) -> Result<Option<Header>> {
        let doc: Option<Option<String>> = self
            .client
            .query_opt("SELECT header FROM origins WHERE name = $1", &[&name])
            .map_err(pg_err(&self.location))?
            .map(|r| r.get(0));
        doc.flatten().map(|d| unit::header_from_doc(&d)).transpose()
    }

    fn add_prepared(
        &mut self,
        units: Vec<PreparedUnit>,
        policy: DuplicatePolicy,
    ) -> Result<AddReport> {
        self.add_prepared_units(&units, policy)
    }

    fn finish_import(&mut self) -> Result<()> {
        self.finish_bulk()
    }

    fn for_each_unit(
        &mut self,
        filter: &Filter,
        each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        self.finish_for(filter)?;
        if filter.ids.is_empty() && filter.limit.is_none_or(|n| n > PAGE as u64) {
            return self.stream_units(filter, each);
        }
        self.page_units(filter, each)
    }

    fn count(&mut self, filter: &Filter) -> Result<u64> {
        self.finish_for(filter)?;
        let (cond, values) = filter_sql(filter, Dialect::Postgres)?;
        let limit = filter
            .limit
            .map(|n| format!(" LIMIT {n}"))
            .unwrap_or_default();
        let n: i64 = self
            .client
            .query_one(
                &format!("SELECT count(*) FROM (SELECT 1 FROM units u WHERE {cond}{limit}) s"),
                &params(&values),
            )
            .map_err(pg_err(&self.location))?
            .get(0);
        Ok(n as u64)
    }

    fn edit(&mut self, filter: &Filter, edit: &Edit) -> Result<u64> {
        self.finish_all()?;
        let selected = super::collect_units(self, filter)?;
        let now = super::tmx_now();
        let location = self.location.clone();
        let err = pg_err(&location);
        let version = self.version;
        let mut tx = self.write_tx()?;
        let mut edited: Vec<(i64, PreparedUnit)> = Vec::new();
        for stored in &selected {
            let mut unit = stored.unit.clone();
            super::apply_edit(&mut unit, edit, &now);
            edited.push((stored.id, PreparedUnit::new(unit)?));
        }
        let ids: Vec<i64> = edited.iter().map(|(id, _)| *id).collect();
        tx.execute("DELETE FROM units WHERE id = ANY($1)", &[&ids])
            .map_err(&err)?;
        let names: Vec<&str> = edited
            .iter()
            .filter_map(|(_, p)| p.unit.origin.as_deref())
            .collect();
        let origins = origin_ids(&mut tx, &names, &err)?;
        let rows: Vec<(i64, &PreparedUnit, Option<i64>)> = edited
            .iter()
            .map(|(id, p)| {
                let origin = p
                    .unit
                    .origin
                    .as_deref()
                    .and_then(|n| origins.get(n).copied());
                (*id, p, origin)
            })
            .collect();
        copy_units(&mut tx, &rows, &location, &err)?;
        record_write(&mut tx, version, &ids, &err)?;
        tx.commit().map_err(&err)?;
        Ok(rows.len() as u64)
    }

    fn delete(&mut self, filter: &Filter) -> Result<u64> {
        let (cond, values) = filter_sql(filter, Dialect::Postgres)?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let version = self.version;
        let mut tx = self.write_tx()?;
        let ids: Vec<i64> = tx
            .query(
                &format!(
                    "DELETE FROM units WHERE id IN (SELECT u.id FROM units u WHERE {cond}) RETURNING id"
                ),
                &params(&values),
            )
            .map_err(&err)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        record_write(&mut tx, version, &ids, &err)?;
        tx.commit().map_err(&err)?;
        Ok(ids.len() as u64)
    }

    fn search(&mut self, query: &SearchQuery) -> Result<Vec<StoredUnit>> {
        self.finish_all()?;
        let ids = self.search_ids(query)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        super::collect_units(self, &Filter::of_ids(ids))
    }

    fn record_usage(&mut self, ids: &[i64], when: &str) -> Result<()> {
        self.finish_all()?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.client.transaction().map_err(&err)?;
        for id in ids {
            tx.execute(
                "UPDATE units SET usage_count = usage_count + 1, last_used = $2 WHERE id = $1",
                &[id, &when],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    fn stats(&mut self) -> Result<Stats> {
        self.finish_bulk()?;
        let err = pg_err(&self.location);
        let c = &mut self.client;
        let mut count = |sql: &str| -> Result<u64> {
            Ok(c.query_one(sql, &[]).map_err(&err)?.get::<_, i64>(0) as u64)
        };
        let units = count("SELECT count(*) FROM units")?;
        let variants = count("SELECT count(*) FROM variants")?;
        let conflicts = count(
            "SELECT count(*) FROM (SELECT source_hash FROM units GROUP BY source_hash \
             HAVING count(DISTINCT content_hash) > 1) s",
        )?;
        let pairs_of = |c: &mut Client, sql: &str| -> Result<Vec<(String, u64)>> {
            Ok(c.query(sql, &[])
                .map_err(&err)?
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
                .collect())
        };
        let languages = pairs_of(
            c,
            "SELECT lang, count(*) FROM variants GROUP BY lang ORDER BY 2 DESC, 1",
        )?;
        let projects = pairs_of(
            c,
            "SELECT coalesce(project, ''), count(*) FROM units GROUP BY 1 ORDER BY 2 DESC, 1",
        )?;
        let pairs = language_pairs(c, &err)?;
        let mut source_words = 0u64;
        let mut tx = c.transaction().map_err(&err)?;
        let rows = tx
            .query_raw(
                "SELECT v.text FROM units u JOIN variants v ON v.unit_id = u.id AND v.lang = u.source_lang",
                std::iter::empty::<&str>(),
            )
            .map_err(&err)?;
        use postgres::fallible_iterator::FallibleIterator;
        let mut rows = rows;
        while let Some(r) = rows.next().map_err(&err)? {
            source_words += crate::text::tokenize::word_count(r.get::<_, &str>(0)) as u64;
        }
        drop(rows);
        tx.commit().map_err(&err)?;
        Ok(Stats {
            units,
            variants,
            languages,
            pairs,
            source_words,
            projects,
            conflicts,
            schema_version: self.version,
        })
    }

    fn pairs(&mut self) -> Result<Vec<(String, String, u64)>> {
        // What an import reindexes: not the rest of the counts (the source
        // words alone read every source text).
        self.finish_bulk()?;
        let err = pg_err(&self.location);
        language_pairs(&mut self.client, &err)
    }

    fn conflicts(&mut self, limit: usize) -> Result<Vec<Conflict>> {
        self.finish_bulk()?;
        let groups: Vec<i64> = self
            .client
            .query(
                "SELECT source_hash FROM units GROUP BY source_hash \
                 HAVING count(DISTINCT content_hash) > 1 ORDER BY min(id) LIMIT $1",
                &[&(limit as i64)],
            )
            .map_err(pg_err(&self.location))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::new();
        for hash in groups {
            let ids: Vec<i64> = self
                .client
                .query(
                    "SELECT id FROM units WHERE source_hash = $1 ORDER BY id",
                    &[&hash],
                )
                .map_err(pg_err(&self.location))?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let units = super::collect_units(self, &Filter::of_ids(ids))?;
            out.push(Conflict { units });
        }
        Ok(out)
    }

    fn dedupe(&mut self) -> Result<u64> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let version = self.version;
        let mut tx = self.write_tx()?;
        let ids: Vec<i64> = tx
            .query(
                "DELETE FROM units u WHERE EXISTS \
                 (SELECT 1 FROM units o WHERE o.content_hash = u.content_hash AND o.id < u.id) RETURNING id",
                &[],
            )
            .map_err(&err)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        record_write(&mut tx, version, &ids, &err)?;
        tx.commit().map_err(&err)?;
        Ok(ids.len() as u64)
    }

    fn check(&mut self) -> Result<Vec<String>> {
        self.finish_all()?;
        let err = pg_err(&self.location);
        let mut problems = Vec::new();
        let checks = [
            (
                "SELECT count(*) FROM units u WHERE NOT EXISTS (SELECT 1 FROM variants v WHERE v.unit_id = u.id)",
                "unit(s) without any variant",
            ),
            (
                "SELECT count(*) FROM variants WHERE folded IS NULL",
                "variant(s) missing from the concordance",
            ),
            (
                "SELECT 2 - count(*) FROM tmkit_meta WHERE key IN ('store_id', 'generation')",
                "metadata row(s) missing",
            ),
        ];
        for (sql, what) in checks {
            let n: i64 = self.client.query_one(sql, &[]).map_err(&err)?.get(0);
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        Ok(problems)
    }

    fn scan_variants(&mut self, each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<u64> {
        self.finish_bulk()?;
        use postgres::fallible_iterator::FallibleIterator;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = read_snapshot(&mut self.client, &err)?;
        let generation: String = tx
            .query_one("SELECT value FROM tmkit_meta WHERE key = 'generation'", &[])
            .map_err(&err)?
            .get(0);
        let mut rows = tx
            .query_raw(
                "SELECT u.id, u.tuid, coalesce(u.change_date, u.creation_date), o.name, u.origin_pos, \
                 v.lang, v.text, v.codes FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
                 JOIN variants v ON v.unit_id = u.id ORDER BY u.id, v.id",
                std::iter::empty::<&str>(),
            )
            .map_err(&err)?;
        let mut current: Option<ScanHead> = None;
        let mut vars: Vec<Variant> = Vec::new();
        let mut emit = |head: &ScanHead, vars: &[Variant]| each(scanned(head, vars));
        while let Some(r) = rows.next().map_err(&err)? {
            let id: i64 = r.get(0);
            if current.as_ref().is_none_or(|c| c.0 != id) {
                if let Some(head) = current.take() {
                    emit(&head, &vars);
                }
                vars.clear();
                current = Some((id, r.get(1), r.get(2), r.get(3), r.get(4)));
            }
            let codes: i32 = r.get(7);
            vars.push((r.get(5), r.get(6), codes.max(0) as u32));
        }
        if let Some(head) = current.take() {
            emit(&head, &vars);
        }
        drop(rows);
        tx.commit().map_err(&err)?;
        Ok(generation.parse().unwrap_or(0))
    }

    fn scan_ids(&mut self, ids: &[i64], each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<()> {
        self.finish_bulk()?;
        if ids.is_empty() {
            return Ok(());
        }
        // One prepared round trip for all of them (a lookup reads its
        // candidates' texts here).
        let statement = self.prepared(SCAN_IDS)?;
        let rows = self
            .client
            .query(&statement, &[&ids])
            .map_err(pg_err(&self.location))?;
        let mut found: HashMap<i64, (ScanHead, Vec<Variant>)> = HashMap::new();
        for r in &rows {
            let id: i64 = r.get(0);
            let (_, vars) = found
                .entry(id)
                .or_insert_with(|| ((id, r.get(1), r.get(2), r.get(3), r.get(4)), Vec::new()));
            let codes: i32 = r.get(7);
            vars.push((r.get(5), r.get(6), codes.max(0) as u32));
        }
        for id in ids {
            if let Some((head, vars)) = found.get(id) {
                each(scanned(head, vars));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_literals_in_one_pass() {
        let literals = ["'$2::text'".to_string(), "'b'".to_string()];
        assert_eq!(
            inline_params("u.p = $1::text AND (x = $2::text OR y = $2)", &literals),
            "u.p = '$2::text' AND (x = 'b' OR y = $2)"
        );
        assert_eq!(inline_params("$3::text $ $", &literals), "$3::text $ $");
    }

    #[test]
    fn literals_are_quoted_as_the_server_would() {
        assert_eq!(quote_literal("plain").unwrap(), "'plain'");
        assert_eq!(quote_literal("it's").unwrap(), "'it''s'");
        assert_eq!(quote_literal(r"a\b'c").unwrap(), r"E'a\\b''c'");
        assert_eq!(quote_literal("Ünï 日本").unwrap(), "'Ünï 日本'");
        assert_eq!(quote_literal("").unwrap(), "''");
        let nul = quote_literal("a\0b").unwrap_err();
        assert!(nul.to_string().contains("NUL"), "{nul}");
    }

    #[test]
    fn the_units_copy_reads_the_origin_id_where_the_query_reads_its_name() {
        let names: Vec<&str> = UNIT_COLUMNS.split(", ").collect();
        let columns = copy_unit_columns();
        let ids: Vec<&str> = columns.split(", ").collect();
        assert_eq!(names[ORIGIN_COLUMN], "o.name");
        assert_eq!(ids[ORIGIN_COLUMN], "u.origin_id");
        assert_eq!(names.len(), ids.len());
        assert!(!columns.contains("o."), "{columns}");
    }

    #[test]
    fn a_broken_copy_is_a_failure_of_the_work_not_bad_usage() {
        // The CLI maps Error::Usage to exit status 2 and the store's errors
        // (what pg_err gives) to 1.
        let location = StoreLocation::Postgres("postgres://u:secret@127.0.0.1/db".into());
        let broken = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset");
        let errors = [
            copy_err(&location)(broken),
            store_failure(&location, "PostgreSQL COPY thread stopped"),
        ];
        for e in errors {
            assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
            let text = e.to_string();
            assert!(text.contains("127.0.0.1/db"), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
    }
}
