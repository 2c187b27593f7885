//! The SQLite engine: one `.tmdb` file in WAL mode (readers never wait for a
//! writer), numbered migrations under `migrations/sqlite/`, concordance through
//! an FTS5 trigram index. The file is stamped with an application id, so a
//! database that is not a tmkit store is recognized and left untouched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, TransactionBehavior, params, params_from_iter,
};

use super::unit::{self, PreparedUnit, UnitRow, finish_unit, normalize_lang, search_fold};
use super::{
    AddReport, Conflict, DuplicatePolicy, Edit, Filter, ScannedUnit, SearchQuery, Stats, Store,
    StoreLocation, StoredUnit, Unit,
};
use crate::error::{Error, Location, Result};
use crate::tmx::{Header, Tu};

/// `tmkt`: marks the file as a tmkit store (SQLite's `PRAGMA application_id`).
pub const APPLICATION_ID: i32 = 0x746D_6B74;

/// The migrations, in order; the schema version is how many have run.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/sqlite/0001_init.sql"),
    include_str!("migrations/sqlite/0002_filter_indexes.sql"),
    include_str!("migrations/sqlite/0003_drop_variant_hash_index.sql"),
    include_str!("migrations/sqlite/0004_unit_concordance.sql"),
    include_str!("migrations/sqlite/0005_change_log.sql"),
];

/// The first schema version with the change log and the concordance mark.
const CHANGE_LOG_VERSION: u32 = 5;

/// Most unit ids [`Store::changes_since`] hands out; past it the reader rebuilds.
const MAX_CHANGES: usize = 100_000;

/// Most variants a unit may have (a variant's id is its unit's id times this plus its place).
pub const VARIANTS_PER_UNIT: usize = 256;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// True when `path` starts with SQLite's file header.
pub fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| &head == b"SQLite format 3\0")
}

/// A store in an SQLite file.
pub struct SqliteStore {
    conn: Connection,
    location: StoreLocation,
    path: PathBuf,
    id: String,
    version: u32,
    /// The import into an empty store under way, if any.
    bulk: Option<Bulk>,
    /// Its index being moved into the store (true when it was).
    moving: Option<std::thread::JoinHandle<Result<bool>>>,
    /// What went wrong without failing the work (see [`Store::take_warnings`]).
    warnings: Vec<String>,
    /// Opened read-only (the process may not write the file or its folder).
    read_only: bool,
    /// Test hook: makes the next move of a side index fail.
    fail_move: bool,
    /// Whether the last bulk import's index was moved in (see [`SqliteStore::moved_index`]).
    moved: Option<bool>,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // A move cut short would only leave the units to be indexed later;
        // waiting for it spares that work, and cannot last: the move gives
        // up after MOVE_BUSY_TIMEOUT behind another writer (an import left
        // unfinished is not waited for: its side worker is detached and
        // only ever writes its own temporary database).
        if let Some(moving) = self.moving.take() {
            let _ = moving.join();
        }
    }
}

fn sql_err(path: &Path, e: rusqlite::Error) -> Error {
    Error::invalid(Location::file(path), format!("SQLite: {e}"))
}

/// Whether this process may write the store at `path`: the file, and its
/// folder (where SQLite creates the `-wal` and `-shm` files beside it) unless
/// a writable `-shm` is there already. An immutable file or a read-only file
/// system says no even to root.
fn writable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use rustix::fs::{Access, access};
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // The folder need not be writable where the -shm file is there
        // already and writable (SQLite then creates nothing).
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        access(path, Access::WRITE_OK).is_ok()
            && (access(folder, Access::WRITE_OK).is_ok()
                || access(Path::new(&shm), Access::WRITE_OK).is_ok())
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
    }
}

/// Opens a store this process may not write. SQLite reads a WAL database
/// read-only only where it can open its `-shm` file; when it cannot (a
/// folder it may not write, with no `-shm` there), and no `-wal` holds
/// changes not yet in the file, the file is read as immutable.
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags - OpenFlags::SQLITE_OPEN_URI)?;
    let probe = conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0));
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let pending = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    match probe {
        Ok(_) => Ok(conn),
        Err(e) if pending => Err(e),
        Err(_) => {
            drop(conn);
            Connection::open_with_flags(immutable_uri(path), flags)
        }
    }
}

/// `file:PATH?mode=ro&immutable=1`, the path's bytes percent-encoded
/// where a URI needs it (`?`, `#`, `%`, spaces, controls, non-ASCII).
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'?' | b'#' | b'%' | 0..=0x20 | 0x7F.. => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(char::from(*b)),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

/// Opens an immediate (write-locking) transaction: concurrent writers queue
/// on the busy timeout here instead of failing at their first write.
fn begin_write<'c>(conn: &'c mut Connection, path: &Path) -> Result<rusqlite::Transaction<'c>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| sql_err(path, e))
}

impl SqliteStore {
    /// Test hook: the next import's move of its side index fails (as when
    /// its temporary space is full), which must not fail the import.
    #[doc(hidden)]
    pub fn fail_next_index_move(&mut self) {
        self.fail_move = true;
    }

    /// Whether the index the last bulk import built beside the store was
    /// moved in (`None`: no bulk import was settled by this connection),
    /// rather than its units indexed in the store afterwards.
    #[doc(hidden)]
    pub fn moved_index(&self) -> Option<bool> {
        self.moved
    }

    /// Opens the store at `path` (creating it when `create` and it does not
    /// exist), migrating an older schema. A file that is not a tmkit store, or
    /// has a newer schema, is refused without being written to.
    pub fn open(path: &Path, create: bool) -> Result<SqliteStore> {
        Self::open_at_version(path, create, SCHEMA_VERSION)
    }

    /// [`SqliteStore::open`], migrating no further than `version` (a store
    /// of an older schema, as migration tests need).
    pub fn open_at_version(path: &Path, create: bool, version: u32) -> Result<SqliteStore> {
        let target = version.min(SCHEMA_VERSION);
        let exists = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        if !exists && !create {
            return Err(Error::invalid(
                Location::file(path),
                "no such store (create one with `tmkit tm import` or `tmkit tm add`)",
            ));
        }
        if exists && !is_sqlite_file(path) {
            return Err(Error::invalid(
                Location::file(path),
                "not a tmkit store (not an SQLite database); left untouched",
            ));
        }
        let err = |e| sql_err(path, e);
        // A store the user may not write (a team's memory on a read-only
        // share, a file of another user) is opened read-only, so that it can
        // still be searched, matched and exported; a write then fails.
        let read_only = exists && !writable(path);
        let conn = if read_only {
            open_read_only(path).map_err(err)?
        } else {
            let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if create {
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
                // SQLite creates a database with 0644 whatever the umask (and
                // its -wal and -shm files with the database's mode): a new
                // store is created here first, with 0666 & !umask as every
                // other output, so a group's umask 002 gives a group store.
                // A failure is left for SQLite to report, as before.
                if !exists {
                    let _ = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(path);
                }
            }
            Connection::open_with_flags(path, flags).map_err(err)?
        };
        conn.busy_timeout(Duration::from_secs(120)).map_err(err)?;
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(err)?;
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if exists && app_id != APPLICATION_ID {
            let tables: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(err)?;
            if tables > 0 || app_id != 0 {
                return Err(Error::invalid(
                    Location::file(path),
                    "an SQLite database but not a tmkit store; left untouched",
                ));
            }
        }
        if version > SCHEMA_VERSION {
            return Err(Error::invalid(
                Location::file(path),
                format!(
                    "store schema version {version} is newer than this tmkit's ({SCHEMA_VERSION}); upgrade tmkit; left untouched"
                ),
            ));
        }
        if !read_only {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(err)?;
        } else if version < target {
            return Err(Error::invalid(
                Location::file(path),
                format!(
                    "store schema version {version} needs migrating to {target}, but the store is read-only (no write permission on it or its folder)"
                ),
            ));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // 64 MiB of page cache (the default is 2 MiB): an import inserts into
        // indexes keyed by hashes, in random order, and a small cache turns
        // every insert into page reads and rewrites.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(err)?;
        conn.create_scalar_function(
            "tm_fold",
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| Ok(search_fold(&ctx.get::<String>(0)?)),
        )
        .map_err(err)?;
        let mut store = SqliteStore {
            conn,
            location: StoreLocation::Sqlite(path.to_path_buf()),
            path: path.to_path_buf(),
            id: String::new(),
            version,
            bulk: None,
            moving: None,
            warnings: Vec::new(),
            read_only,
            fail_move: false,
            moved: None,
        };
        store.migrate_to(target)?;
        store.id = store.meta("store_id")?.unwrap_or_default();
        Ok(store)
    }

    /// Runs the migrations after the current version up to `target`, in one transaction.
    fn migrate_to(&mut self, target: u32) -> Result<()> {
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        // Nothing to do takes no write lock (a read-only store has none to
        // take); a version read before another process migrates is only
        // older, and then the check below is made under the lock.
        if self.version >= target {
            return Ok(());
        }
        let tx = begin_write(&mut self.conn, &path)?;
        // Another process may have migrated while this one waited.
        let current: u32 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
            let version = i as u32 + 1;
            if version <= current {
                continue;
            }
            tx.execute_batch(sql).map_err(|e| {
                Error::invalid(
                    Location::file(&path),
                    format!("migration {version:04} failed: {e}"),
                )
            })?;
            if version == 1 {
                tx.pragma_update(None, "application_id", APPLICATION_ID)
                    .map_err(err)?;
                tx.execute(
                    "INSERT INTO tmkit_meta(key, value) VALUES ('store_id', ?1), ('generation', '0')",
                    [new_store_id()],
                )
                .map_err(err)?;
            }
            tx.pragma_update(None, "user_version", version)
                .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        self.version = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        Ok(())
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |e| sql_err(&self.path, e)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM tmkit_meta WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())
    }

    /// The underlying connection (for checks such as `PRAGMA integrity_check`).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn ids_where(&self, filter: &Filter) -> Result<(String, Vec<String>)> {
        super::filter::filter_sql(filter, super::filter::Dialect::Sqlite)
    }

    /// [`Store::scan_variants`], of the units with ids in `range` only.
    fn scan_units(
        &mut self,
        range: Option<(i64, i64)>,
        each: &mut dyn FnMut(ScannedUnit<'_>),
    ) -> Result<u64> {
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        let generation: String = tx
            .query_row(
                "SELECT value FROM tmkit_meta WHERE key = 'generation'",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        let (first, last) = range.unwrap_or((i64::MIN / 256, i64::MAX / 256));
        let mut units = tx
            .prepare(
                "SELECT u.id, u.tuid, coalesce(u.change_date, u.creation_date), o.name, u.origin_pos \
                 FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
                 WHERE u.id BETWEEN ?1 AND ?2 ORDER BY u.id",
            )
            .map_err(err)?;
        let mut variants = tx
            .prepare(
                "SELECT id >> 8, lang, text, codes FROM variants \
                 WHERE id BETWEEN ?1 * 256 AND ?2 * 256 + 255 ORDER BY id",
            )
            .map_err(err)?;
        let mut unit_rows = units.query([first, last]).map_err(err)?;
        let mut var_rows = Grouped::new(variants.query([first, last]).map_err(err)?, |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        });
        let mut vars: Vec<(String, String, u32)> = Vec::new();
        while let Some(r) = unit_rows.next().map_err(err)? {
            let id: i64 = r.get(0).map_err(err)?;
            let tuid: Option<String> = r.get(1).map_err(err)?;
            let date: Option<String> = r.get(2).map_err(err)?;
            let origin: Option<String> = r.get(3).map_err(err)?;
            let pos: Option<i64> = r.get(4).map_err(err)?;
            vars.clear();
            var_rows.take(id, &mut vars).map_err(err)?;
            each(ScannedUnit {
                id,
                tuid: tuid.as_deref(),
                date: date.as_deref(),
                origin: origin.as_deref().map(|o| (o, pos.unwrap_or(0) as u32)),
                variants: &vars,
            });
        }
        Ok(generation.parse().unwrap_or(0))
    }
}

impl SqliteStore {
    /// Adds units in one transaction (see [`Store::add_units`]).
    fn add_prepared_units(
        &mut self,
        units: &[PreparedUnit],
        policy: DuplicatePolicy,
    ) -> Result<AddReport> {
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let version = self.version;
        let tx = begin_write(&mut self.conn, &path)?;
        // An import into an empty store goes on building the concordance
        // index beside the store while no other client has written.
        if let Some(bulk) = &self.bulk {
            let generation = meta_int(&tx, "generation").map_err(err)?.unwrap_or(0);
            if generation as u64 != bulk.generation || concordance_mark(&tx).map_err(err)? != 0 {
                self.bulk = None;
            }
        }
        let mut side = self.bulk.as_ref().map(|_| Vec::new());
        if side.is_none() {
            index_concordance_tail(&tx, version).map_err(err)?;
        }
        // Units this write adds are indexed at once but stay above the mark
        // until its end, where the delete trigger leaves them alone.
        let mark = concordance_mark(&tx).map_err(err)?;
        let mut report = AddReport::default();
        let mut replaced = Vec::new();
        let mut origins = HashMap::new();
        {
            let mut inserts = Inserts::new(&tx).map_err(err)?;
            let mut probe = tx
                .prepare_cached(
                    "SELECT id, content_hash, origin_id, origin_pos, \
                     coalesce(change_date, creation_date) FROM units WHERE source_hash = ?1",
                )
                .map_err(err)?;
            for prepared in units {
                let unit = &prepared.unit;
                if unit.tu.tuvs.is_empty() {
                    continue;
                }
                let hashes = prepared.hashes;
                let origin = match &unit.origin {
                    Some(name) => Some(origin_id(&tx, &mut origins, name).map_err(err)?),
                    None => None,
                };
                // One probe of the source index finds both exact duplicates
                // (always skipped, whatever the policy: a re-import or the
                // same unit in another file changes nothing) and the same
                // source with other targets.
                let same_source: Vec<SameSource> = probe
                    .query_map([hashes.source as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })
                    .and_then(|rows| rows.collect())
                    .map_err(err)?;
                let duplicate = same_source.iter().any(|s| s.1 == hashes.content as i64);
                if duplicate {
                    report.duplicates += 1;
                    continue;
                }
                if !same_source.is_empty() {
                    report.conflicts += 1;
                    let dates: Vec<Option<String>> =
                        same_source.iter().map(|s| s.4.clone()).collect();
                    if !policy_admits(policy, unit.tu.last_modified(), &dates) {
                        report.kept_stored += 1;
                        continue;
                    }
                    if policy != DuplicatePolicy::Add {
                        for s in &same_source {
                            if let Some(ops) = side.as_mut() {
                                let text: String = tx
                                    .query_row(
                                        "SELECT text FROM unit_texts WHERE id = ?1",
                                        [s.0],
                                        |r| r.get(0),
                                    )
                                    .map_err(err)?;
                                ops.push(SideOp::Remove(s.0, text));
                            } else if s.0 > mark {
                                // Added earlier in this write (a later unit of the
                                // same import replaces it): its row goes by hand.
                                tx.execute(
                                    "INSERT INTO units_fts (units_fts, rowid, text) \
                                     SELECT 'delete', id, text FROM unit_texts WHERE id = ?1",
                                    [s.0],
                                )
                                .map_err(err)?;
                            }
                            tx.execute("DELETE FROM units WHERE id = ?1", [s.0])
                                .map_err(err)?;
                            report.replaced += 1;
                            replaced.push(s.0);
                        }
                    }
                }
                let id = inserts
                    .insert(prepared, origin, None, side.as_mut())
                    .map_err(err)?;
                report.added += 1;
                report.ids.push(id);
            }
        }
        if report.added > 0 && side.is_none() {
            raise_concordance_mark(&tx, version).map_err(err)?;
        }
        replaced.extend_from_slice(&report.ids);
        let generation = record_write(&tx, version, &replaced).map_err(err)?;
        tx.commit().map_err(err)?;
        if let (Some(bulk), Some(ops)) = (self.bulk.as_mut(), side) {
            bulk.generation = generation.unwrap_or(bulk.generation);
            bulk.send(ops);
        }
        Ok(report)
    }
}

/// The concordance index's declaration (as migration 0004 creates it): the
/// index an import builds beside the store must be the same b-trees.
const CONCORDANCE_FTS: &str = "text, content='unit_texts', content_rowid='id', \
     tokenize='trigram case_sensitive 0 remove_diacritics 1', detail='none', columnsize=0";

/// A change to the concordance index an import builds beside the store.
enum SideOp {
    /// Index unit `id` with this text (its variants joined by line feeds).
    Add(i64, String),
    /// Remove unit `id`, indexed with this text (replaced by a later unit).
    Remove(i64, String),
}

/// An import into an empty store: the units are written without their
/// concordance rows, which a thread of its own indexes in a private
/// temporary database; at the end its index b-trees are copied into the
/// store in one transaction that also raises the concordance mark. Until
/// then the mark stays at 0, so searches scan the new units and a crash
/// leaves them to be indexed by the next write. Another client's write
/// (seen as a generation the import did not make, or a raised mark) ends
/// the side index: the import goes on the ordinary way.
struct Bulk {
    sender: Option<std::sync::mpsc::SyncSender<Vec<SideOp>>>,
    worker: Option<std::thread::JoinHandle<rusqlite::Result<Connection>>>,
    /// The generation the import's own writes led to.
    generation: u64,
}

impl Bulk {
    fn start(generation: u64) -> Bulk {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<SideOp>>(4);
        let worker = std::thread::spawn(move || build_side_index(receiver));
        Bulk {
            sender: Some(sender),
            worker: Some(worker),
            generation,
        }
    }

    fn send(&self, ops: Vec<SideOp>) {
        if let Some(sender) = &self.sender {
            // A worker that stopped on an error reports it when joined.
            let _ = sender.send(ops);
        }
    }

    /// The side index, complete.
    fn finish(mut self) -> rusqlite::Result<Connection> {
        drop(self.sender.take());
        match self.worker.take() {
            Some(worker) => worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => Err(rusqlite::Error::InvalidQuery),
        }
    }
}

/// Builds the concordance index of the units `receiver` hands over in a
/// private temporary database (removed when its connection closes: a crash
/// leaves nothing behind), in one transaction.
fn build_side_index(
    receiver: std::sync::mpsc::Receiver<Vec<SideOp>>,
) -> rusqlite::Result<Connection> {
    let side = Connection::open("")?;
    side.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;
         CREATE TABLE unit_texts (id INTEGER PRIMARY KEY, text TEXT);
         CREATE VIRTUAL TABLE units_fts USING fts5({CONCORDANCE_FTS});
         INSERT INTO units_fts (units_fts, rank) VALUES ('hashsize', {SIDE_HASHSIZE});
         INSERT INTO units_fts (units_fts, rank) VALUES ('automerge', 16);
         INSERT INTO units_fts (units_fts, rank) VALUES ('crisismerge', 64);
         BEGIN;"
    ))?;
    {
        let mut add = side.prepare("INSERT INTO units_fts (rowid, text) VALUES (?1, ?2)")?;
        let mut remove = side
            .prepare("INSERT INTO units_fts (units_fts, rowid, text) VALUES ('delete', ?1, ?2)")?;
        for ops in receiver {
            for op in ops {
                match op {
                    SideOp::Add(id, text) => add.execute(params![id, text])?,
                    SideOp::Remove(id, text) => remove.execute(params![id, text])?,
                };
            }
        }
    }
    side.execute_batch("COMMIT")?;
    Ok(side)
}

/// Pending terms the side index holds before writing a segment (bytes):
/// FTS5's default. Its hash table then stays in the processor's cache, which
/// costs less than the merges of the smaller segments: 1M units in one
/// transaction took 12.7 s of CPU with 1 MiB, 14.6 with 4 MiB, 15.4 with
/// 16 MiB (the store's own setting, tuned for one segment per import batch).
const SIDE_HASHSIZE: usize = 1 << 20;

impl SqliteStore {
    /// Ends a bulk import: a thread of its own waits for the side index to
    /// be complete and moves it into the store (see [`move_in`]) while the
    /// caller goes on (an import then assembles its fuzzy index meanwhile);
    /// [`SqliteStore::settle`] waits for it.
    fn finish_bulk(&mut self) -> Result<()> {
        let Some(bulk) = self.bulk.take() else {
            return Ok(());
        };
        let expected = bulk.generation;
        let path = self.path.clone();
        // A path inside the store file cannot be opened: ATTACH fails.
        let target = if std::mem::take(&mut self.fail_move) {
            path.join("not-a-directory")
        } else {
            path.clone()
        };
        // The side index's last batches and its final flush run there too.
        self.moving = Some(std::thread::spawn(move || {
            let side = bulk.finish().map_err(|e| sql_err(&path, e))?;
            move_in(&side, &target, expected).map_err(|e| sql_err(&path, e))
        }));
        Ok(())
    }

    /// Waits for the move of a bulk import's index; when another client
    /// wrote meanwhile or the move failed (it was not moved), indexes the
    /// units above the mark. The units are committed either way, and mark 0
    /// is a correct state: a failed move is a warning, not an error.
    fn settle(&mut self) -> Result<()> {
        let Some(moving) = self.moving.take() else {
            return Ok(());
        };
        let moved = match moving
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        {
            Ok(moved) => moved,
            Err(e) => {
                self.warnings.push(format!(
                    "the concordance index built beside the import could not be moved in \
                     ({e}); indexing the imported units in the store instead"
                ));
                false
            }
        };
        self.moved = Some(moved);
        if !moved {
            let path = self.path.clone();
            let version = self.version;
            let tx = begin_write(&mut self.conn, &path)?;
            index_concordance_tail(&tx, version).map_err(|e| sql_err(&path, e))?;
            tx.commit().map_err(|e| sql_err(&path, e))?;
        }
        Ok(())
    }
}

/// How long a move waits for another writer. Short: a writer that holds the
/// store longer most likely changes it (the move is then refused anyway),
/// giving up only leaves the units to be indexed in the store, and a
/// dropped store waits for its move.
const MOVE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Copies the index built on `side` into the store at `path` in one
/// transaction that raises the concordance mark, when the store is still at
/// the generation the import led it to and its mark at 0 (no other client
/// wrote); returns whether it did.
///
/// The copy runs on the side connection: the store's own connection then
/// reads the new index as another client's write (FTS5 keeps its structure
/// across transactions until the file's data version changes).
fn move_in(side: &Connection, path: &Path, expected: u64) -> rusqlite::Result<bool> {
    side.busy_timeout(MOVE_BUSY_TIMEOUT)?;
    let name = path
        .to_str()
        .ok_or_else(|| rusqlite::Error::InvalidPath(path.to_path_buf()))?;
    side.execute("ATTACH DATABASE ?1 AS store", [name])?;
    side.execute_batch("BEGIN IMMEDIATE")?;
    let state: (i64, i64) = side.query_row(
        "SELECT (SELECT CAST(value AS INTEGER) FROM store.tmkit_meta WHERE key = 'generation'), \
         (SELECT CAST(value AS INTEGER) FROM store.tmkit_meta WHERE key = 'concordance_through')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if state != (expected as i64, 0) {
        side.execute_batch("ROLLBACK")?;
        return Ok(false);
    }
    side.execute_batch(
        "DELETE FROM store.units_fts_data;
         DELETE FROM store.units_fts_idx;
         INSERT INTO store.units_fts_data SELECT * FROM main.units_fts_data;
         INSERT INTO store.units_fts_idx SELECT * FROM main.units_fts_idx;
         UPDATE store.tmkit_meta SET value = (SELECT coalesce(max(id), 0) FROM store.units)
             WHERE key = 'concordance_through';
         COMMIT;",
    )?;
    Ok(true)
}

/// A random-enough id for a new store: time, process and address mixed.
fn new_store_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let local = 0u8;
    let h = unit::fnv1a(&[
        &nanos.to_le_bytes(),
        &std::process::id().to_le_bytes(),
        &(std::ptr::addr_of!(local) as usize).to_le_bytes(),
    ]);
    format!("{h:016x}")
}

/// The FTS5 query for a concordance search, or `None` when the trigram index
/// cannot serve it (under three characters): then every variant is scanned.
/// The index keeps no positions (`detail=none`, a third of the size), so the
/// candidates are then checked against the text itself. A short text asks
/// for every trigram (common words make every third one a weak filter:
/// "don't his" gave 11,595 candidates at 1M, all of them 788), a long one
/// for about eight, evenly spread (at most every third), and the last.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.len() < 3 {
        return None;
    }
    let trigram = |i: usize| {
        let t: String = chars[i..i + 3].iter().collect();
        format!("\"{}\"", t.replace('"', "\"\""))
    };
    let last = chars.len() - 3;
    let step = (last + 1).div_ceil(8).clamp(1, 3);
    let mut terms: Vec<String> = Vec::new();
    for i in (0..=last).step_by(step).chain([last]) {
        let term = trigram(i);
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    Some(terms.join(" AND "))
}

/// The concordance query: `?1` the folded text, `?2` the language (or
/// NULL), `?3` the FTS5 query (NULL when there is none), `?4` the limit.
/// Units come in id order (the trigram index gives its rowids in order),
/// each checked against its variants' text, until the limit: a common query
/// stops early instead of sorting every candidate.
fn search_sql(with_index: bool) -> String {
    let variant_matches = |unit: &str| {
        format!(
            "EXISTS (SELECT 1 FROM variants v WHERE v.id BETWEEN {unit} * 256 AND {unit} * 256 + 255 \
             AND (?2 IS NULL OR v.lang = ?2 OR v.lang LIKE ?2 || '-%') \
             AND instr(tm_fold(v.text), ?1) > 0)"
        )
    };
    if with_index {
        format!(
            "SELECT f.rowid FROM units_fts f WHERE units_fts MATCH ?3 AND {} \
             ORDER BY f.rowid LIMIT ?4",
            variant_matches("f.rowid")
        )
    } else {
        format!(
            "SELECT u.id FROM units u WHERE ?3 IS NULL AND {} ORDER BY u.id LIMIT ?4",
            variant_matches("u.id")
        )
    }
}

/// The concordance query over the units above the concordance mark (`?3`),
/// which the index does not hold yet; the other parameters as in
/// [`search_sql`].
const SEARCH_TAIL_SQL: &str = "SELECT u.id FROM units u WHERE u.id > ?3 AND EXISTS \
     (SELECT 1 FROM variants v WHERE v.id BETWEEN u.id * 256 AND u.id * 256 + 255 \
     AND (?2 IS NULL OR v.lang = ?2 OR v.lang LIKE ?2 || '-%') \
     AND instr(tm_fold(v.text), ?1) > 0) ORDER BY u.id LIMIT ?4";

/// A cursor ordered by unit id, handed out one unit's rows at a time, to
/// merge with the cursor over the units themselves.
struct Grouped<'s, T> {
    rows: rusqlite::Rows<'s>,
    pending: Option<(i64, T)>,
    read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<(i64, T)>,
}

impl<'s, T> Grouped<'s, T> {
    fn new(
        rows: rusqlite::Rows<'s>,
        read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<(i64, T)>,
    ) -> Self {
        Grouped {
            rows,
            pending: None,
            read,
        }
    }

    /// Appends the rows of unit `id` to `out` (skipping rows of earlier units).
    fn take(&mut self, id: i64, out: &mut Vec<T>) -> rusqlite::Result<()> {
        loop {
            if self.pending.is_none() {
                match self.rows.next()? {
                    Some(r) => self.pending = Some((self.read)(r)?),
                    None => return Ok(()),
                }
            }
            match self.pending.take() {
                Some((uid, v)) if uid == id => out.push(v),
                Some((uid, _)) if uid < id => {}
                other => {
                    self.pending = other;
                    return Ok(());
                }
            }
        }
    }
}

// Joins of units to their variants go through the variant's rowid range
// (`v.id BETWEEN u.id * 256 AND u.id * 256 + 255`). Left to itself, SQLite
// may instead build an automatic index on `variants.lang` and scan every
// variant of a language for each unit: quadratic (`stats` took 361 s for
// 60,000 units that way, 0.1 s on the range). `CROSS JOIN` fixes the loop
// order and a unary `+` keeps a column from being indexed; the plans are
// checked in `plan_tests`.

/// Units per (source language, other language).
const PAIRS_SQL: &str = "SELECT u.source_lang, v.lang, count(*) FROM units u CROSS JOIN variants v \
     ON v.id BETWEEN u.id * 256 AND u.id * 256 + 255 WHERE +v.lang <> +u.source_lang \
     GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2";

/// The rows of [`PAIRS_SQL`].
fn language_pairs(conn: &Connection) -> rusqlite::Result<Vec<(String, String, u64)>> {
    conn.prepare(PAIRS_SQL)?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
        })?
        .collect()
}

/// The source text of every unit.
const SOURCE_TEXTS_SQL: &str = "SELECT v.text FROM units u CROSS JOIN variants v \
     ON v.id BETWEEN u.id * 256 AND u.id * 256 + 255 AND +v.lang = +u.source_lang";

/// Units without any variant (an integrity check).
const UNITS_WITHOUT_VARIANTS_SQL: &str = "SELECT count(*) FROM units u WHERE NOT EXISTS \
     (SELECT 1 FROM variants v WHERE v.id BETWEEN u.id * 256 AND u.id * 256 + 255)";

/// The variants of the units `selected` (a subquery of ids) in id order.
fn selected_variants_sql(selected: &str) -> String {
    format!(
        "SELECT s.id, v.lang, v.text FROM {selected} s CROSS JOIN variants v \
         ON v.id BETWEEN s.id * 256 AND s.id * 256 + 255 ORDER BY v.id"
    )
}

#[cfg(test)]
mod plan_tests;

/// id, content hash, origin id, origin position, date of a unit with the same source.
type SameSource = (i64, i64, Option<i64>, Option<i64>, Option<String>);

/// tuid, date, origin name, origin position.
type ScanRow = (Option<String>, Option<String>, Option<String>, Option<i64>);

const UNIT_COLUMNS: &str = "u.id, u.tuid, u.source_lang, u.creation_date, u.creation_user, \
    u.change_date, u.change_user, u.usage_count, u.last_used, o.name, u.origin_pos, u.project, \
    u.client, u.domain, u.note, u.context_prev, u.context_next, u.tmx";

fn unit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UnitRow> {
    let usage: i64 = r.get(7)?;
    let tu = Tu {
        tuid: r.get(1)?,
        creationdate: r.get(3)?,
        creationid: r.get(4)?,
        changedate: r.get(5)?,
        changeid: r.get(6)?,
        usagecount: (usage > 0).then(|| usage.to_string()),
        lastusagedate: r.get(8)?,
        ..Tu::default()
    };
    let prev: Option<i64> = r.get(15)?;
    let next: Option<i64> = r.get(16)?;
    let note: Option<String> = r.get(14)?;
    let mut tu = tu;
    if let Some(note) = note {
        tu.notes.push(crate::tmx::Note::new(note));
    }
    Ok(UnitRow {
        id: r.get(0)?,
        unit: Unit {
            tu,
            source_lang: r.get(2)?,
            origin: r.get(9)?,
            origin_position: r.get::<_, Option<i64>>(10)?.map(|p| p as u32),
            project: r.get(11)?,
            client: r.get(12)?,
            domain: r.get(13)?,
            fields: Vec::new(),
            context: (prev.map(|h| h as u64), next.map(|h| h as u64)),
        },
        tmx: r.get(17)?,
        usage,
    })
}

/// The statements that write a unit, prepared once per transaction (the
/// statement cache hashes the SQL text at every lookup).
struct Inserts<'t> {
    unit: rusqlite::CachedStatement<'t>,
    variant: rusqlite::CachedStatement<'t>,
    concordance: rusqlite::CachedStatement<'t>,
    tx: &'t rusqlite::Transaction<'t>,
}

impl<'t> Inserts<'t> {
    fn new(tx: &'t rusqlite::Transaction<'t>) -> rusqlite::Result<Self> {
        Ok(Inserts {
            unit: tx.prepare_cached(
                "INSERT INTO units (id, tuid, source_lang, creation_date, creation_user, change_date, \
                 change_user, usage_count, last_used, origin_id, origin_pos, project, client, domain, note, \
                 content_hash, source_hash, context_prev, context_next, tmx) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
            )?,
            variant: tx.prepare_cached(
                "INSERT INTO variants (id, lang, text, codes) VALUES (?1, ?2, ?3, ?4)",
            )?,
            concordance: tx.prepare_cached("INSERT INTO units_fts (rowid, text) VALUES (?1, ?2)")?,
            tx,
        })
    }

    /// Inserts one unit (with `id` when given), its variants, its
    /// concordance row (or hands it to `side`, the index an import builds
    /// beside the store) and its fields.
    fn insert(
        &mut self,
        prepared: &PreparedUnit,
        origin_id: Option<i64>,
        id: Option<i64>,
        side: Option<&mut Vec<SideOp>>,
    ) -> rusqlite::Result<i64> {
        let unit = &prepared.unit;
        let tu = &unit.tu;
        if prepared.variants.len() > VARIANTS_PER_UNIT {
            return Err(rusqlite::Error::ToSqlConversionFailure(
                format!("a unit has more than {VARIANTS_PER_UNIT} variants").into(),
            ));
        }
        let usage: i64 = tu
            .usagecount
            .as_deref()
            .and_then(|u| u.trim().parse().ok())
            .unwrap_or(0);
        self.unit.execute(params![
            id,
            tu.tuid,
            prepared.source_lang,
            tu.creationdate,
            tu.creationid,
            tu.changedate,
            tu.changeid,
            usage,
            tu.lastusagedate,
            origin_id,
            unit.origin_position,
            unit.project,
            unit.client,
            unit.domain,
            unit.note(),
            prepared.hashes.content as i64,
            prepared.hashes.source as i64,
            unit.context.0.map(|h| h as i64),
            unit.context.1.map(|h| h as i64),
            prepared.tmx,
        ])?;
        let unit_id = self.tx.last_insert_rowid();
        // The concordance row: the variants' texts joined as the `unit_texts` view joins them.
        let mut joined = String::new();
        for (place, (lang, text, codes)) in prepared.variants.iter().enumerate() {
            self.variant.execute(params![
                unit_id * VARIANTS_PER_UNIT as i64 + place as i64,
                lang,
                text,
                codes,
            ])?;
            if place > 0 {
                joined.push('\n');
            }
            joined.push_str(text);
        }
        match side {
            Some(ops) => ops.push(SideOp::Add(unit_id, joined)),
            None => {
                self.concordance.execute(params![unit_id, joined])?;
            }
        }
        if !tu.props.is_empty() || !unit.fields.is_empty() {
            let mut field = self.tx.prepare_cached(
                "INSERT INTO fields (unit_id, kind, name, value) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for p in &tu.props {
                field.execute(params![unit_id, "prop", p.kind, p.value])?;
            }
            for (k, v) in &unit.fields {
                field.execute(params![unit_id, "field", k, v])?;
            }
        }
        Ok(unit_id)
    }
}

/// Ends a write that changed the units `ids` (added, edited or deleted): a
/// new generation and, from schema 5 on, its entry in the change log.
/// Returns the new generation (`None`: nothing changed).
fn record_write(
    tx: &rusqlite::Transaction<'_>,
    version: u32,
    ids: &[i64],
) -> rusqlite::Result<Option<u64>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let generation: i64 = tx.query_row(
        "UPDATE tmkit_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' \
         RETURNING CAST(value AS INTEGER)",
        [],
        |r| r.get(0),
    )?;
    if version >= CHANGE_LOG_VERSION {
        let mut log = tx.prepare_cached(
            "INSERT INTO tmkit_changes (generation, first_id, last_id) VALUES (?1, ?2, ?3)",
        )?;
        for (first, last) in super::ranges_of(ids) {
            log.execute([generation, first, last])?;
        }
        // The log keeps the last CHANGES_KEPT generations.
        if generation % super::PRUNE_EVERY == 0 && generation > super::CHANGES_KEPT {
            let from = generation - super::CHANGES_KEPT;
            tx.execute("DELETE FROM tmkit_changes WHERE generation <= ?1", [from])?;
            tx.execute(
                "UPDATE tmkit_meta SET value = ?1 WHERE key = 'changes_from' AND CAST(value AS INTEGER) < ?1",
                [from],
            )?;
        }
    }
    Ok(Some(generation as u64))
}

/// An integer of `tmkit_meta`.
fn meta_int(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM tmkit_meta WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()
}

/// The concordance high-water mark: the index holds exactly the units with
/// ids up to it (schema 5; before it, every unit).
fn concordance_mark(conn: &Connection) -> rusqlite::Result<i64> {
    Ok(meta_int(conn, "concordance_through")?.unwrap_or(i64::MAX))
}

/// Indexes the units above the concordance mark (left by an import that
/// built the index beside it, or by a crash) and raises the mark to the
/// last unit: what every ordinary write does first, so the units it adds
/// and indexes itself keep the mark below every unindexed unit. Returns
/// how many units it indexed.
fn index_concordance_tail(conn: &Connection, version: u32) -> rusqlite::Result<usize> {
    if version < CHANGE_LOG_VERSION {
        return Ok(0);
    }
    let mark = concordance_mark(conn)?;
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM units", [], |r| r.get(0))?;
    if last <= mark {
        return Ok(0);
    }
    let n = conn.execute(
        "INSERT INTO units_fts (rowid, text) SELECT id, text FROM unit_texts WHERE id > ?1 ORDER BY id",
        [mark],
    )?;
    set_concordance_mark(conn, last)?;
    Ok(n)
}

/// FTS5's check of the concordance index against the texts of the units it
/// holds (`Some`: the mismatch found). Units above the mark (an import
/// interrupted before it moved its index in) are not in the index and a
/// search scans them, so the check leaves them so: it compares the index
/// with the units up to the mark, by bounding the view the index reads its
/// content from in a transaction that is rolled back. The transaction is
/// immediate and reads the mark and the last unit itself: a writer that
/// indexes the tail and raises the mark between those reads and the check
/// would make a healthy index look corrupt, so writers wait while a check
/// runs. Nothing is committed: the check holds the write lock while it
/// runs, and a kill -9 during it leaves the store as it was.
fn check_concordance(conn: &mut Connection, path: &Path) -> Result<Option<String>> {
    const INTEGRITY: &str = "INSERT INTO units_fts(units_fts, rank) VALUES ('integrity-check', 1)";
    let err = |e| sql_err(path, e);
    let tx = begin_write(conn, path)?;
    let mark = concordance_mark(&tx).map_err(err)?;
    let last: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) FROM units", [], |r| r.get(0))
        .map_err(err)?;
    if last > mark {
        let view: String = tx
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'unit_texts'",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        // Every unit's row, as the schema defines it (migration 0004): the
        // view's query, whatever its text, bounded from outside.
        let select = regex::Regex::new(r"(?is)\bAS\s+(SELECT\b.*)$")
            .expect("a valid pattern")
            .captures(&view)
            .map(|c| c[1].trim_end().trim_end_matches(';').to_string());
        let Some(select) = select else {
            return Err(Error::invalid(
                Location::file(path),
                format!("unexpected definition of the view unit_texts: {view}"),
            ));
        };
        tx.execute_batch(&format!(
            "DROP VIEW unit_texts; CREATE VIEW unit_texts(id, text) AS \
             SELECT * FROM ({select}) WHERE id <= {mark}"
        ))
        .map_err(err)?;
    }
    let checked = tx.execute(INTEGRITY, []);
    tx.rollback().map_err(err)?;
    match checked {
        Ok(_) => Ok(None),
        // The integrity check's own verdict; any other failure (busy, I/O)
        // is not a finding about the index.
        Err(rusqlite::Error::SqliteFailure(e, msg))
            if e.extended_code == rusqlite::ffi::SQLITE_CORRUPT_VTAB =>
        {
            Ok(Some(msg.unwrap_or_else(|| e.to_string())))
        }
        Err(e) => Err(err(e)),
    }
}

/// Raises the concordance mark to the last unit (after a write that indexed
/// the units it added).
fn raise_concordance_mark(conn: &Connection, version: u32) -> rusqlite::Result<()> {
    if version < CHANGE_LOG_VERSION {
        return Ok(());
    }
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM units", [], |r| r.get(0))?;
    if last > concordance_mark(conn)? {
        set_concordance_mark(conn, last)?;
    }
    Ok(())
}

fn set_concordance_mark(conn: &Connection, mark: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tmkit_meta SET value = ?1 WHERE key = 'concordance_through'",
        [mark.to_string()],
    )
    .map(|_| ())
}

/// The origin id of `name`, registering it (without a header) when new.
fn origin_id(
    tx: &rusqlite::Transaction<'_>,
    cache: &mut HashMap<String, i64>,
    name: &str,
) -> rusqlite::Result<i64> {
    if let Some(&id) = cache.get(name) {
        return Ok(id);
    }
    tx.execute("INSERT OR IGNORE INTO origins (name) VALUES (?1)", [name])?;
    let id = tx.query_row("SELECT id FROM origins WHERE name = ?1", [name], |r| {
        r.get(0)
    })?;
    cache.insert(name.to_string(), id);
    Ok(id)
}

/// What the policy does with an incoming unit given the dates of the stored
/// units with the same source: `true` to add it (replacing them unless `Add`).
pub(crate) fn policy_admits(
    policy: DuplicatePolicy,
    incoming: Option<&str>,
    stored: &[Option<String>],
) -> bool {
    match policy {
        DuplicatePolicy::Add | DuplicatePolicy::Overwrite => true,
        DuplicatePolicy::Keep => false,
        DuplicatePolicy::Newest => stored.iter().all(|d| d.as_deref() < incoming),
    }
}

impl Store for SqliteStore {
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
        Ok(self
            .meta("generation")?
            .and_then(|g| g.parse().ok())
            .unwrap_or(0))
    }

    fn changes_since(&mut self, since: u64) -> Result<Option<(u64, Vec<i64>)>> {
        // The common case, nothing changed, is one read of the generation.
        let now = self.generation()?;
        if now == since {
            return Ok(Some((now, Vec::new())));
        }
        if self.version < CHANGE_LOG_VERSION || now < since {
            return Ok(None);
        }
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        let now = meta_int(&tx, "generation").map_err(err)?.unwrap_or(0);
        let from = meta_int(&tx, "changes_from").map_err(err)?;
        let since = since as i64;
        if from.is_none_or(|f| since < f) {
            return Ok(None);
        }
        let ranges: Vec<(i64, i64)> = tx
            .prepare_cached(
                "SELECT first_id, last_id FROM tmkit_changes WHERE generation > ?1 AND generation <= ?2",
            )
            .and_then(|mut s| {
                s.query_map([since, now], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(err)?;
        drop(tx);
        let mut ids: Vec<i64> = Vec::new();
        for (first, last) in ranges {
            if ids.len() as i64 + (last - first + 1) > MAX_CHANGES as i64 {
                return Ok(None);
            }
            ids.extend(first..=last);
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(Some((now as u64, ids)))
    }

    fn register_origin(&mut self, name: &str, header: Option<&Header>) -> Result<i64> {
        let doc = header.map(unit::header_to_doc).transpose()?;
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let tx = begin_write(&mut self.conn, &path)?;
        tx.execute(
            "INSERT INTO origins (name, header) VALUES (?1, ?2) \
             ON CONFLICT(name) DO UPDATE SET header = coalesce(excluded.header, header)",
            params![name, doc],
        )
        .map_err(err)?;
        let id = tx
            .query_row("SELECT id FROM origins WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(id)
    }

    fn origin_header(&mut self, name: &str) -> Result<Option<Header>> {
        let doc: Option<Option<String>> = self
            .conn
            .query_row("SELECT header FROM origins WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())?;
        doc.flatten().map(|d| unit::header_from_doc(&d)).transpose()
    }

    fn add_prepared(
        &mut self,
        units: Vec<PreparedUnit>,
        policy: DuplicatePolicy,
    ) -> Result<AddReport> {
        self.add_prepared_units(&units, policy)
    }

    fn start_import(&mut self) -> Result<()> {
        self.finish_bulk()?;
        self.settle()?;
        if self.version < CHANGE_LOG_VERSION {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let tx = begin_write(&mut self.conn, &path)?;
        let empty: bool = tx
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM units)", [], |r| r.get(0))
            .map_err(err)?;
        if empty {
            // No unit: the index holds none, whatever the mark said.
            set_concordance_mark(&tx, 0).map_err(err)?;
            let generation = meta_int(&tx, "generation").map_err(err)?.unwrap_or(0);
            tx.commit().map_err(err)?;
            // ATTACH takes the path as UTF-8: a lossy conversion of another
            // path names a different file, so those import the ordinary way.
            if self.path.to_str().is_some() {
                self.bulk = Some(Bulk::start(generation as u64));
            }
        }
        Ok(())
    }

    /// Ends a bulk import by starting the move of its index (see
    /// `SqliteStore::finish_bulk`); called again, waits for that move.
    fn finish_import(&mut self) -> Result<()> {
        if self.bulk.is_some() {
            return self.finish_bulk();
        }
        self.settle()
    }

    fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    fn for_each_unit(
        &mut self,
        filter: &Filter,
        each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        let (cond, values) = self.ids_where(filter)?;
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        // One read transaction: the three cursors see the same snapshot.
        let tx = self.conn.transaction().map_err(err)?;
        let limit = filter
            .limit
            .map(|n| format!(" LIMIT {n}"))
            .unwrap_or_default();
        let all = cond == "1 = 1" && limit.is_empty();
        let selected = format!("(SELECT u.id FROM units u WHERE {cond} ORDER BY u.id{limit})");
        let mut units = tx
            .prepare(&format!(
                "SELECT {UNIT_COLUMNS} FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
                 WHERE {cond} ORDER BY u.id{limit}"
            ))
            .map_err(err)?;
        // Variants lie in unit order: all of them is one scan, a selection
        // one range per unit.
        let variants_sql = if all {
            "SELECT id >> 8, lang, text FROM variants ORDER BY id".to_string()
        } else {
            selected_variants_sql(&selected)
        };
        let mut variants = tx.prepare(&variants_sql).map_err(err)?;
        let fields_where = if all {
            String::new()
        } else {
            format!("WHERE unit_id IN {selected}")
        };
        let mut fields = tx
            .prepare(&format!(
                "SELECT unit_id, kind, name, value FROM fields {fields_where} ORDER BY unit_id, rowid"
            ))
            .map_err(err)?;
        let mut unit_rows = units.query(params_from_iter(values.iter())).map_err(err)?;
        let mut var_rows = Grouped::new(
            variants
                .query(params_from_iter(values.iter()))
                .map_err(err)?,
            |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
        );
        let mut field_rows = Grouped::new(
            fields.query(params_from_iter(values.iter())).map_err(err)?,
            |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))),
        );
        let mut count = 0u64;
        while let Some(r) = unit_rows.next().map_err(err)? {
            let row = unit_row(r).map_err(err)?;
            let (mut vars, mut flds) = (Vec::new(), Vec::new());
            var_rows.take(row.id, &mut vars).map_err(err)?;
            field_rows.take(row.id, &mut flds).map_err(err)?;
            each(finish_unit(row, vars, flds)?)?;
            count += 1;
        }
        Ok(count)
    }

    fn count(&mut self, filter: &Filter) -> Result<u64> {
        let (cond, values) = self.ids_where(filter)?;
        let n: i64 = self
            .conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM units u WHERE {cond}{})",
                    filter
                        .limit
                        .map(|n| format!(" LIMIT {n}"))
                        .unwrap_or_default()
                ),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )
            .map_err(self.err())?;
        Ok(n as u64)
    }

    fn edit(&mut self, filter: &Filter, edit: &Edit) -> Result<u64> {
        let selected = super::collect_units(self, filter)?;
        let now = super::tmx_now();
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let version = self.version;
        let tx = begin_write(&mut self.conn, &path)?;
        index_concordance_tail(&tx, version).map_err(err)?;
        let mut origins = HashMap::new();
        {
            let mut inserts = Inserts::new(&tx).map_err(err)?;
            for stored in &selected {
                let mut unit = stored.unit.clone();
                super::apply_edit(&mut unit, edit, &now);
                tx.execute("DELETE FROM units WHERE id = ?1", [stored.id])
                    .map_err(err)?;
                let origin = match &unit.origin {
                    Some(name) => Some(origin_id(&tx, &mut origins, name).map_err(err)?),
                    None => None,
                };
                inserts
                    .insert(&PreparedUnit::new(unit)?, origin, Some(stored.id), None)
                    .map_err(err)?;
            }
        }
        let ids: Vec<i64> = selected.iter().map(|u| u.id).collect();
        record_write(&tx, version, &ids).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(selected.len() as u64)
    }

    fn delete(&mut self, filter: &Filter) -> Result<u64> {
        let (cond, values) = self.ids_where(filter)?;
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let version = self.version;
        let tx = begin_write(&mut self.conn, &path)?;
        let ids: Vec<i64> = tx
            .prepare(&format!(
                "DELETE FROM units WHERE id IN (SELECT u.id FROM units u WHERE {cond}) RETURNING id"
            ))
            .and_then(|mut s| {
                s.query_map(params_from_iter(values.iter()), |r| r.get(0))?
                    .collect()
            })
            .map_err(err)?;
        record_write(&tx, version, &ids).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(ids.len() as u64)
    }

    fn search(&mut self, query: &SearchQuery) -> Result<Vec<StoredUnit>> {
        if query.text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let folded = search_fold(&query.text);
        let lang = query.lang.as_deref().map(normalize_lang);
        let fts = fts_query(&query.text);
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        // One snapshot: the mark and the index agree.
        let tx = self.conn.transaction().map_err(err)?;
        let mut ids: Vec<i64> = tx
            .prepare_cached(&search_sql(fts.is_some()))
            .and_then(|mut s| {
                s.query_map(params![folded, lang, fts, query.limit as i64], |r| r.get(0))?
                    .collect()
            })
            .map_err(err)?;
        // Units above the concordance mark are not in the index yet: scanned.
        if fts.is_some() && ids.len() < query.limit && self.version >= CHANGE_LOG_VERSION {
            let mark = concordance_mark(&tx).map_err(err)?;
            let tail: Vec<i64> = tx
                .prepare_cached(SEARCH_TAIL_SQL)
                .and_then(|mut s| {
                    s.query_map(
                        params![folded, lang, mark, (query.limit - ids.len()) as i64],
                        |r| r.get(0),
                    )?
                    .collect()
                })
                .map_err(err)?;
            ids.extend(tail);
        }
        drop(tx);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        super::collect_units(self, &Filter::of_ids(ids))
    }

    fn record_usage(&mut self, ids: &[i64], when: &str) -> Result<()> {
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let tx = begin_write(&mut self.conn, &path)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE units SET usage_count = usage_count + 1, last_used = ?2 WHERE id = ?1",
                )
                .map_err(err)?;
            for id in ids {
                stmt.execute(params![id, when]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn stats(&mut self) -> Result<Stats> {
        let err = self.err();
        let c = &self.conn;
        let count = |sql: &str| -> Result<u64> {
            c.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(&err)
        };
        let units = count("SELECT count(*) FROM units")?;
        let variants = count("SELECT count(*) FROM variants")?;
        let conflicts = count(
            "SELECT count(*) FROM (SELECT source_hash FROM units GROUP BY source_hash \
             HAVING count(DISTINCT content_hash) > 1)",
        )?;
        let pairs_of = |sql: &str| -> Result<Vec<(String, u64)>> {
            c.prepare(sql)
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
                        .collect()
                })
                .map_err(&err)
        };
        let languages =
            pairs_of("SELECT lang, count(*) FROM variants GROUP BY lang ORDER BY 2 DESC, 1")?;
        let projects = pairs_of(
            "SELECT coalesce(project, ''), count(*) FROM units GROUP BY 1 ORDER BY 2 DESC, 1",
        )?;
        let pairs = language_pairs(c).map_err(&err)?;
        let mut source_words = 0u64;
        let mut stmt = c.prepare(SOURCE_TEXTS_SQL).map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            let text: String = r.get(0).map_err(&err)?;
            source_words += crate::text::tokenize::word_count(&text) as u64;
        }
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
        language_pairs(&self.conn).map_err(self.err())
    }

    fn conflicts(&mut self, limit: usize) -> Result<Vec<Conflict>> {
        let groups: Vec<i64> = self
            .conn
            .prepare(
                "SELECT source_hash FROM units GROUP BY source_hash \
                 HAVING count(DISTINCT content_hash) > 1 ORDER BY min(id) LIMIT ?1",
            )
            .and_then(|mut s| s.query_map([limit as i64], |r| r.get(0))?.collect())
            .map_err(self.err())?;
        let mut out = Vec::new();
        for hash in groups {
            let ids: Vec<i64> = self
                .conn
                .prepare_cached("SELECT id FROM units WHERE source_hash = ?1 ORDER BY id")
                .and_then(|mut s| s.query_map([hash], |r| r.get(0))?.collect())
                .map_err(self.err())?;
            let units = super::collect_units(self, &Filter::of_ids(ids))?;
            out.push(Conflict { units });
        }
        Ok(out)
    }

    fn dedupe(&mut self) -> Result<u64> {
        let path = self.path.clone();
        let err = |e| sql_err(&path, e);
        let version = self.version;
        let tx = begin_write(&mut self.conn, &path)?;
        let ids: Vec<i64> = tx
            .prepare(
                "DELETE FROM units WHERE id IN (SELECT u.id FROM units u WHERE EXISTS \
                 (SELECT 1 FROM units o WHERE o.source_hash = u.source_hash \
                 AND o.content_hash = u.content_hash AND o.id < u.id)) RETURNING id",
            )
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(err)?;
        record_write(&tx, version, &ids).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(ids.len() as u64)
    }

    fn check(&mut self) -> Result<Vec<String>> {
        // That check takes the write lock (it redefines a view inside a
        // transaction it rolls back); a read-only store is checked without it.
        let concordance = if self.read_only {
            self.warnings.push(
                "the store is read-only: its concordance index was not checked (that check needs the write lock)"
                    .into(),
            );
            None
        } else {
            check_concordance(&mut self.conn, &self.path)?
        };
        let err = self.err();
        let c = &self.conn;
        let mut problems = Vec::new();
        let rows: Vec<String> = c
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(&err)?;
        problems.extend(rows.into_iter().filter(|r| r != "ok"));
        let fk: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .map_err(&err)?;
        if fk > 0 {
            problems.push(format!("{fk} row(s) point to missing units"));
        }
        if let Some(e) = concordance {
            problems.push(format!(
                "the concordance index does not match the variants: {e}"
            ));
        }
        let empty: i64 = c
            .query_row(UNITS_WITHOUT_VARIANTS_SQL, [], |r| r.get(0))
            .map_err(&err)?;
        if empty > 0 {
            problems.push(format!("{empty} unit(s) without any variant"));
        }
        for key in ["store_id", "generation"] {
            if self.meta(key)?.is_none() {
                problems.push(format!("metadata '{key}' is missing"));
            }
        }
        Ok(problems)
    }

    fn scan_variants(&mut self, each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<u64> {
        self.scan_units(None, each)
    }

    fn scan_range(
        &mut self,
        first: i64,
        last: i64,
        each: &mut dyn FnMut(ScannedUnit<'_>),
    ) -> Result<u64> {
        self.scan_units(Some((first, last)), each)
    }

    fn scan_ids(&mut self, ids: &[i64], each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<()> {
        let err = self.err();
        let mut unit = self
            .conn
            .prepare_cached(
                "SELECT u.tuid, coalesce(u.change_date, u.creation_date), o.name, u.origin_pos \
                 FROM units u LEFT JOIN origins o ON o.id = u.origin_id WHERE u.id = ?1",
            )
            .map_err(&err)?;
        let mut variants = self
            .conn
            .prepare_cached(
                "SELECT lang, text, codes FROM variants WHERE id BETWEEN ?1 * 256 AND ?1 * 256 + 255 ORDER BY id",
            )
            .map_err(&err)?;
        for &id in ids {
            let row: Option<ScanRow> = unit
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()
                .map_err(&err)?;
            let Some((tuid, date, origin, pos)) = row else {
                continue;
            };
            let vars: Vec<(String, String, u32)> = variants
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect())
                .map_err(&err)?;
            each(ScannedUnit {
                id,
                tuid: tuid.as_deref(),
                date: date.as_deref(),
                origin: origin.as_deref().map(|o| (o, pos.unwrap_or(0) as u32)),
                variants: &vars,
            });
        }
        Ok(())
    }
}
