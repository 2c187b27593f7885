//! The memories a server holds and how they are read and written.
//!
//! - Each `--tm` is a [`ServedTm`]: a store (one connection that every write
//!   goes through, under one lock, so writes are serialised; one for
//!   concordance and unit reads) or memory files (lookups only).
//! - Each language pair looked up gets a [`PairIndex`], opened on first use
//!   from the store's persisted fuzzy index; its `View` (base index plus
//!   small indexes of later changes) is swapped whole after each write, so a
//!   lookup never waits for a write and always sees the writes that answered
//!   before it started.
//! - Lookups reuse per-thread search state from a pool: a searcher's tables
//!   are as long as the memory (6 bytes per segment), too costly to allocate
//!   per request at a million segments.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

mod catch_up;
mod context;
pub mod subset;

use super::delta::{Change, DeltaTm, View};
use crate::error::{Error, Result};
use crate::fuzzy::json::{LookupJson, MatchJson};
use crate::fuzzy::{MatchOptions, MatchSession, Matcher, Query};
use crate::pretranslate::{Markup, MarkupSource, is_tmx_origin};
use crate::store::{self, ScannedUnit, Stats, Store, StoreLocation};
use crate::text::LanguageTag;
use crate::tm::coded::CodedTargets;
use crate::tm::{
    Entry, EntryId, LanguagePair, MemoryTm, OpenedMemory, RegionFallback, TranslationMemory,
};
use crate::tmx::Seg;
use subset::{SubsetEntry, SubsetTm};

/// Changed entries in the levels past which the base is rebuilt from the store.
const REBASE_DELTA: usize = 50_000;
/// Hidden base entries past which the base is rebuilt (each one widens every base search).
const REBASE_HIDDEN: usize = 2_000;

type Base = Matcher<OpenedMemory>;
type BaseSession<'a> = MatchSession<'a, OpenedMemory>;

self_cell::self_cell!(
    /// A lookup session that owns (a share of) the matcher it searches.
    struct PooledSession {
        owner: Arc<Base>,
        #[covariant]
        dependent: BaseSession,
    }
);

/// Where a served memory's units come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A store.
    Store(StoreLocation),
    /// Memory files (`.tmx`, `.tsv`, ...): read-only, lookups only.
    Files(Vec<PathBuf>),
}

impl Source {
    /// What `--tm` names: a store when it is one, else memory files.
    pub fn of_spec(spec: &str) -> Source {
        match StoreLocation::parse(spec) {
            Some(loc) => Source::Store(loc),
            None => Source::Files(vec![PathBuf::from(spec)]),
        }
    }
}

/// A pair's index, set once; `opening` makes one request open it while
/// others for the same pair wait.
#[derive(Default)]
struct PairSlot {
    index: OnceLock<Arc<PairIndex>>,
    opening: Mutex<()>,
}

/// One memory served under a name.
pub struct ServedTm {
    name: String,
    source: Source,
    /// The connection every write goes through; locking it serialises writes.
    writer: Option<Mutex<Box<dyn Store>>>,
    /// Concordance and unit reads.
    reader: Option<Mutex<Box<dyn Store>>>,
    /// Raised (under the writer lock) by every write.
    seq: Arc<AtomicU64>,
    pairs: Mutex<HashMap<(String, String), Arc<PairSlot>>>,
    /// The last counts computed, and the number of writes they had seen.
    stats: Mutex<Option<(Stats, u64)>>,
    /// Writes so far (what makes counts stale).
    writes: AtomicU64,
    stats_refreshing: AtomicBool,
    /// Other clients' writes seen so far.
    catch_up: catch_up::CatchUp,
}

impl ServedTm {
    /// Opens the memory `source` names (a store is opened and checked now;
    /// indexes are loaded when a pair is first looked up).
    pub fn open(name: &str, source: Source) -> Result<ServedTm> {
        let (writer, reader) = match &source {
            Source::Store(loc) => (
                Some(Mutex::new(open_store(loc)?)),
                Some(Mutex::new(open_store(loc)?)),
            ),
            Source::Files(paths) => {
                if let Some(missing) = paths.iter().find(|p| !p.exists()) {
                    return Err(Error::io(
                        missing,
                        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
                    ));
                }
                (None, None)
            }
        };
        Ok(ServedTm {
            name: name.to_string(),
            source,
            writer,
            reader,
            seq: Arc::new(AtomicU64::new(0)),
            pairs: Mutex::new(HashMap::new()),
            stats: Mutex::new(None),
            writes: AtomicU64::new(0),
            stats_refreshing: AtomicBool::new(false),
            catch_up: catch_up::CatchUp::default(),
        })
    }

    /// Its name in URLs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it comes from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// True for a store (writable unless the server is read-only).
    pub fn is_store(&self) -> bool {
        self.writer.is_some()
    }

    /// The store's counts; `None` for files. Counting a million units takes
    /// a while, so after a write the last counts are answered while fresh
    /// ones are computed on a thread of their own (on a connection of their
    /// own); only the first call waits.
    pub fn stats(self: &Arc<Self>) -> Result<Option<Stats>> {
        if self.reader.is_none() {
            return Ok(None);
        }
        let mut cached = lock(&self.stats);
        let writes = self.writes.load(Ordering::SeqCst);
        match &*cached {
            None => {
                let stats = self.connect()?.stats()?;
                *cached = Some((stats.clone(), writes));
                Ok(Some(stats))
            }
            Some((stats, seen)) => {
                if *seen != writes && !self.stats_refreshing.swap(true, Ordering::SeqCst) {
                    let tm = self.clone();
                    let spawned = std::thread::Builder::new()
                        .name("tmkit-stats".into())
                        .spawn(move || {
                            let fresh = tm.connect().and_then(|mut s| s.stats());
                            match fresh {
                                Ok(fresh) => *lock(&tm.stats) = Some((fresh, writes)),
                                Err(e) => crate::diag!("tmkit serve: counting units failed: {e}"),
                            }
                            tm.stats_refreshing.store(false, Ordering::SeqCst);
                        });
                    if spawned.is_err() {
                        self.stats_refreshing.store(false, Ordering::SeqCst);
                    }
                }
                Ok(Some(stats.clone()))
            }
        }
    }

    /// The pairs opened so far, with their entry counts (for memory files).
    pub fn opened_pairs(&self) -> Vec<(String, String, usize)> {
        let pairs: Vec<_> = lock(&self.pairs)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut out: Vec<_> = pairs
            .into_iter()
            .filter_map(|((s, t), slot)| {
                let n = slot.index.get()?.view().base.memory().len();
                Some((s, t, n))
            })
            .collect();
        out.sort();
        out
    }

    /// Runs `f` on the read connection.
    pub fn read<R>(&self, f: impl FnOnce(&mut dyn Store) -> Result<R>) -> Result<R> {
        let reader = self.reader.as_ref().ok_or_else(not_a_store)?;
        f(lock(reader).as_mut())
    }

    /// A new connection to the store (for a long read such as an export,
    /// which must not hold the shared read connection).
    pub fn connect(&self) -> Result<Box<dyn Store>> {
        match &self.source {
            Source::Store(loc) => open_store(loc),
            Source::Files(_) => Err(not_a_store()),
        }
    }

    /// Runs the write `f` under the writer lock; `f` returns its result and
    /// the ids of the units it changed (added, edited or deleted). Every
    /// opened pair then sees the changes before the lock is released.
    pub fn write<R>(&self, f: impl FnOnce(&mut dyn Store) -> Result<(R, Vec<i64>)>) -> Result<R> {
        let writer = self.writer.as_ref().ok_or_else(not_a_store)?;
        let mut store = lock(writer);
        let (result, changed) = f(store.as_mut())?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        if !changed.is_empty() {
            let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
            self.apply(store.as_mut(), seq, &changed)?;
        }
        Ok(result)
    }

    /// Tells every opened pair of the state of `changed` units (read back
    /// from the store: a unit no longer there was deleted).
    fn apply(&self, store: &mut dyn Store, seq: u64, changed: &[i64]) -> Result<()> {
        let indexes: Vec<Arc<PairIndex>> = lock(&self.pairs)
            .values()
            .filter_map(|slot| slot.index.get().cloned())
            .collect();
        if indexes.is_empty() {
            return Ok(());
        }
        let mut units: HashMap<i64, Vec<(String, String, u32)>> = HashMap::new();
        let mut meta: HashMap<i64, (Option<String>, Option<String>)> = HashMap::new();
        for chunk in changed.chunks(1000) {
            store.scan_ids(chunk, &mut |u: ScannedUnit<'_>| {
                units.insert(u.id, u.variants.to_vec());
                meta.insert(
                    u.id,
                    (u.tuid.map(str::to_string), u.date.map(str::to_string)),
                );
            })?;
        }
        for index in indexes {
            let changes = changed
                .iter()
                .map(|&unit| {
                    let entry = units.get(&unit).and_then(|variants| {
                        let (tuid, date) = meta.get(&unit).cloned().unwrap_or_default();
                        store::entry_of(
                            &ScannedUnit {
                                id: unit,
                                tuid: tuid.as_deref(),
                                date: date.as_deref(),
                                origin: None,
                                variants,
                            },
                            &index.pair.source,
                            &index.pair.target,
                        )
                        .map(|(entry, _fallback)| entry)
                    });
                    Change { unit, entry }
                })
                .collect();
            index.apply(seq, changes);
            if index.wants_rebase() {
                self.spawn_rebase(index, false);
            }
        }
        Ok(())
    }

    /// Rebuilds every opened pair's base from the store (after a write
    /// whose effects on other units are not known one by one).
    pub fn rebase_all(&self) {
        let indexes: Vec<Arc<PairIndex>> = lock(&self.pairs)
            .values()
            .filter_map(|slot| slot.index.get().cloned())
            .collect();
        for index in indexes {
            self.spawn_rebase(index, true);
        }
    }

    /// Rebuilds a pair's base from the store on a thread of its own (the
    /// store persists the new index), then swaps it in. Asked while a
    /// rebuild runs (which may have read the store before what made this one
    /// wanted), it makes that thread rebuild once more after it
    /// ([`catch_up::Rebuilds`]) when `again` (the store changed in ways the
    /// running one may have missed); a change level that merely grew too big
    /// (`again` false) only starts one when none runs.
    fn spawn_rebase(&self, index: Arc<PairIndex>, again: bool) {
        let Source::Store(loc) = self.source.clone() else {
            return;
        };
        let start = if again {
            index.rebuilds.ask()
        } else {
            index.rebuilds.ask_if_idle()
        };
        if !start {
            return;
        }
        let seq = self.seq.clone();
        let asked = index.clone();
        let result = std::thread::Builder::new()
            .name("tmkit-rebase".into())
            .spawn(move || {
                index.rebuilds.run(|| {
                    // Every change up to now is in the store, so in the new base.
                    let seq0 = seq.load(Ordering::SeqCst);
                    match open_base(&Source::Store(loc.clone()), &index.pair) {
                        Ok(base) => index.rebase(Arc::new(base), seq0),
                        Err(e) => crate::diag!("tmkit serve: rebuilding an index failed: {e}"),
                    }
                });
            });
        if let Err(e) = result {
            asked.rebuilds.give_up();
            crate::diag!("tmkit serve: cannot start an index rebuild: {e}");
        }
    }

    /// Per opened pair: its name (`en→fr`), the changes held since the base
    /// was loaded, and the bytes they take (see `View`'s change levels).
    pub fn change_levels(&self) -> Vec<(String, usize, usize)> {
        let slots: Vec<Arc<PairSlot>> = lock(&self.pairs).values().cloned().collect();
        let mut out: Vec<_> = slots
            .iter()
            .filter_map(|slot| {
                let index = slot.index.get()?;
                let view = index.view();
                let pair = format!("{}→{}", index.pair.source, index.pair.target);
                Some((pair, view.delta_len(), view.delta_bytes()))
            })
            .collect();
        out.sort();
        out
    }

    /// [`PairIndex::subset`] of `index` (one of this memory's pairs), the
    /// inline codes of store units read on the read connection.
    pub fn subset(
        &self,
        index: &PairIndex,
        queries: &[LookupQuery<'_>],
        options: &MatchOptions,
    ) -> Result<Matcher<SubsetTm>> {
        index.subset(queries, options, |units| {
            self.read(|store| subset::marked_up_units(store, index.pair(), units))
        })
    }

    /// The index of `pair`, opened (from the persisted index, or built) on
    /// first use; for a language into itself, an index of nothing. Blocks: call from a blocking thread.
    pub fn pair(&self, src: &LanguageTag, tgt: &LanguageTag) -> Result<Arc<PairIndex>> {
        if src == tgt {
            // A language into itself is a pair no memory holds: an index of
            // nothing answers it (no matches, as a lookup answers). It is
            // not kept among the pairs, so no write ever reaches it.
            let pair = LanguagePair::new(src.clone(), tgt.clone());
            let nothing = Matcher::new(OpenedMemory::Files(MemoryTm::new(pair.clone())));
            return Ok(self.pair_index(pair, nothing));
        }
        let key = (src.to_string(), tgt.to_string());
        let slot = lock(&self.pairs).entry(key).or_default().clone();
        if let Some(index) = slot.index.get() {
            self.catch_up();
            return Ok(index.clone());
        }
        let _opening = lock(&slot.opening);
        if let Some(index) = slot.index.get() {
            return Ok(index.clone());
        }
        // Writes wait while the base loads, so it holds every change made
        // before it is published and each later one is applied to it.
        let pair = LanguagePair::new(src.clone(), tgt.clone());
        let mut writes = self.writer.as_ref().map(lock);
        if let Some(store) = writes.as_mut() {
            self.note_generation(store.as_mut());
        }
        let base = open_base(&self.source, &pair)?;
        let index = self.pair_index(pair, base);
        let _ = slot.index.set(index.clone());
        Ok(index)
    }

    /// The index of `pair` over `base`.
    fn pair_index(&self, pair: LanguagePair, base: Base) -> Arc<PairIndex> {
        // Origins name the memory as clients know it, never the store's path.
        let name: Arc<str> = Arc::from(self.name.as_str());
        let coded = CodedTargets::load_with_segs(base.memory().files(), &pair);
        Arc::new(PairIndex {
            pair,
            name,
            view: RwLock::new(Arc::new(View::new(Arc::new(base)))),
            pool: Mutex::new(Vec::new()),
            coded,
            rebuilds: catch_up::Rebuilds::default(),
        })
    }
}

fn open_base(source: &Source, pair: &LanguagePair) -> Result<Base> {
    match source {
        Source::Store(loc) => {
            let store = open_store(loc)?;
            let (memory, index, _) = store::StoreMemory::open(store, pair.clone())?;
            Matcher::with_index(OpenedMemory::Store(memory), index)
        }
        Source::Files(paths) => crate::tm::open_matcher(pair.clone(), paths),
    }
}

/// SQLite page cache per server connection, in KiB. The store's own default
/// (64 MiB, for imports) let each of the server's three long-lived
/// connections grow by that much as lookups and writes touched pages, which
/// is what made a server's RSS climb for minutes under a mixed load. The
/// file's pages stay in the OS cache, so a small private cache costs only a
/// copy per page read: lookups read a few random units of a large file
/// (nearly always a miss in any cache that fits in memory), and the B-tree
/// pages every read or write passes through fit in 2 MiB.
const SERVER_CACHE_KIB: i64 = 2 * 1024;

/// Opens the store at `loc` for the server (SQLite with a small cache).
fn open_store(loc: &StoreLocation) -> Result<Box<dyn Store>> {
    match loc {
        StoreLocation::Sqlite(path) => {
            let store = store::sqlite::SqliteStore::open(path, false)?;
            store
                .connection()
                .pragma_update(None, "cache_size", -SERVER_CACHE_KIB)
                .map_err(|e| {
                    Error::invalid(crate::error::Location::file(path), format!("SQLite: {e}"))
                })?;
            Ok(Box::new(store))
        }
        StoreLocation::Postgres(_) => store::open_location(loc, false),
    }
}

fn not_a_store() -> Error {
    Error::Usage(
        "this memory is served from files and is read-only; serve a store (.tmdb, postgres://) to search, edit, import or export"
            .into(),
    )
}

/// Locks `m`, going on after a panic elsewhere (every guarded state is
/// replaced whole, never left half-changed).
pub(crate) fn lock<T: ?Sized>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One language pair of a served memory.
pub struct PairIndex {
    pair: LanguagePair,
    /// The served memory's name: what every origin shown starts with.
    name: Arc<str>,
    view: RwLock<Arc<View>>,
    pool: Mutex<Vec<PooledSession>>,
    coded: CodedTargets,
    rebuilds: catch_up::Rebuilds,
}

/// One query of a lookup.
#[derive(Debug, Clone, Copy)]
pub struct LookupQuery<'a> {
    /// The text.
    pub text: &'a str,
    /// The segment before it in the document (for 101% context matches).
    pub previous: Option<&'a str>,
    /// Inline codes in it (a segment read from XLIFF may have some).
    pub codes: u16,
}

impl PairIndex {
    /// The language pair.
    pub fn pair(&self) -> &LanguagePair {
        &self.pair
    }

    pub(crate) fn view(&self) -> Arc<View> {
        self.view
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn apply(&self, seq: u64, changes: Vec<Change>) {
        let mut view = self.view.write().unwrap_or_else(PoisonError::into_inner);
        let next = view.with_changes(&self.name, seq, changes);
        *view = Arc::new(next);
    }

    fn wants_rebase(&self) -> bool {
        let view = self.view();
        matches!(view.base.memory(), OpenedMemory::Store(_))
            && (view.delta_len() > REBASE_DELTA || view.base_hidden > REBASE_HIDDEN)
    }

    fn rebase(&self, base: Arc<Base>, seq0: u64) {
        let mut view = self.view.write().unwrap_or_else(PoisonError::into_inner);
        let next = view.rebased(base, &self.name, seq0);
        *view = Arc::new(next);
        lock(&self.pool).clear();
    }

    /// The best matches for each query, as `tmkit match` gives them: the
    /// persisted index and later changes searched together, best first.
    /// Blocks (CPU work and store reads): call from a blocking thread.
    pub fn lookup(&self, queries: &[LookupQuery<'_>], options: &MatchOptions) -> Vec<LookupJson> {
        self.search(queries, options)
            .into_iter()
            .zip(queries)
            .map(|((hits, ms), q)| LookupJson {
                query: q.text.to_string(),
                matches: hits.into_iter().map(|h| h.json).collect(),
                ms: (ms * 1000.0).round() / 1000.0,
            })
            .collect()
    }

    /// A memory of the entries that are the best matches of `queries` (with
    /// `options`): looking those queries up in it gives the same matches as
    /// looking them up here, at the cost of a small index. For library code
    /// that takes an in-memory memory (pretranslation): the entries keep
    /// their origins, region fallbacks and inline codes, read back from
    /// memory files, or from store units through `units` (given the ids of
    /// those with codes: see `subset::marked_up_units`).
    pub fn subset(
        &self,
        queries: &[LookupQuery<'_>],
        options: &MatchOptions,
        units: impl FnOnce(&[i64]) -> Result<HashMap<i64, (Seg, Seg)>>,
    ) -> Result<Matcher<SubsetTm>> {
        let mut seen = std::collections::HashSet::new();
        let mut hits = Vec::new();
        for (found, _) in self.search(queries, options) {
            for h in found {
                let key = (
                    h.json.origin.clone(),
                    h.entry.source.clone(),
                    h.entry.target.clone(),
                );
                if seen.insert(key) {
                    hits.push(h);
                }
            }
        }
        let coded = hits.iter().filter(|h| h.entry.source_codes > 0);
        let unit_ids: Vec<i64> = coded
            .clone()
            .filter_map(|h| match h.at {
                HitAt::Unit(u) => Some(u),
                HitAt::BaseEntry(_) => None,
            })
            .collect();
        let base_ids: Vec<EntryId> = coded
            .filter_map(|h| match h.at {
                HitAt::BaseEntry(e) => Some(e),
                HitAt::Unit(_) => None,
            })
            .collect();
        let mut by_unit = if unit_ids.is_empty() {
            HashMap::new()
        } else {
            units(&unit_ids)?
        };
        let view = self.view();
        let by_entry = match view.base.memory() {
            _ if base_ids.is_empty() => Markup::default(),
            // Read when the pair opened: no TMX is parsed again per request.
            OpenedMemory::Files(tm) => base_ids
                .iter()
                .filter_map(|&id| {
                    let entry = tm.entry(id)?;
                    let path = tm.files().get(entry.origin.file as usize)?;
                    is_tmx_origin(path, entry.origin.unit)
                        .then(|| self.coded.segs(&entry))
                        .flatten()
                        .map(|segs| (id, segs.clone()))
                })
                .collect(),
            memory => memory.markup(&base_ids)?,
        };
        let entries = hits
            .into_iter()
            .map(|h| {
                let marked = if h.entry.source_codes == 0 {
                    None
                } else {
                    match h.at {
                        HitAt::Unit(u) => by_unit.remove(&u),
                        HitAt::BaseEntry(e) => by_entry.get(e).cloned(),
                    }
                };
                SubsetEntry {
                    entry: h.entry,
                    origin: h.json.origin,
                    fallback: h.fallback,
                    marked,
                }
            })
            .collect();
        Ok(Matcher::new(SubsetTm::new(self.pair.clone(), entries)))
    }

    /// The best score of each query (at least `min_score`; 101 for an exact
    /// match in context), as [`PairIndex::lookup`] with `max = 1` would
    /// give it, for an analysis: the queries are shared among the cores,
    /// and only the index is searched (no entry is read, no JSON built).
    /// Blocks: call from a blocking thread (not a rayon worker).
    ///
    /// A big document must not hold every rayon worker until it is done:
    /// the queries go in chunks of `ANALYSIS_CHUNK`, a round of one chunk
    /// per worker at a time, each round a job of its own in rayon's queue,
    /// so another request's work queued meanwhile runs between two rounds.
    pub fn best_scores(&self, queries: &[LookupQuery<'_>], min_score: u8) -> Vec<Option<u8>> {
        use rayon::prelude::*;
        let view = self.view();
        let round = ANALYSIS_CHUNK * rayon::current_num_threads().max(1);
        let mut scores = Vec::with_capacity(queries.len());
        for batch in queries.chunks(round) {
            scores.par_extend(batch.par_chunks(ANALYSIS_CHUNK).flat_map_iter(|chunk| {
                let mut session = self.take_session(&view.base);
                let mut levels = view.level_sessions();
                let chunk_scores: Vec<_> = chunk
                    .iter()
                    .map(|q| best_score(&view, &mut session, &mut levels, q, min_score))
                    .collect();
                self.give_back(session);
                chunk_scores
            }));
        }
        scores
    }

    /// The matches of each query with their entries, and the time taken (ms).
    fn search(&self, queries: &[LookupQuery<'_>], options: &MatchOptions) -> Vec<(Vec<Hit>, f64)> {
        let view = self.view();
        let mut session = self.take_session(&view.base);
        // Enough from each index that `max` remain once hidden ones are dropped.
        let widened = MatchOptions {
            max_results: options.max_results.saturating_add(view.base_hidden),
            ..*options
        };
        // A level may hide its own entries of units changed again in a newer
        // level (an added unit edited later), at most one per change held.
        let level_widened = MatchOptions {
            max_results: options.max_results.saturating_add(view.delta_len()),
            ..*options
        };
        let mut levels = view.level_sessions();
        let mut out = Vec::with_capacity(queries.len());
        for q in queries {
            let started = std::time::Instant::now();
            let query = Query {
                text: q.text,
                codes: q.codes,
            };
            let mut results = session.with_dependent_mut(|base, s| {
                let store = base.memory().store();
                let shown = |m: &crate::fuzzy::Match<'_>| {
                    view.base_hidden == 0
                        || store
                            .and_then(|st| st.unit_id(m.entry_id))
                            .is_none_or(|u| view.base_shows(u))
                };
                // Most lookups meet no hidden unit: ask for a few more than
                // `max`, and for enough to be exact only when they fall short.
                let mut want = options.max_results.saturating_add(view.base_hidden.min(4));
                loop {
                    let asked = MatchOptions {
                        max_results: want,
                        ..*options
                    };
                    let matches = s.lookup(query, &asked);
                    let exhausted = matches.len() < want;
                    let kept: Vec<Hit> = matches
                        .iter()
                        .filter(|m| shown(m))
                        .take(options.max_results)
                        .map(|m| Hit {
                            json: self.served_json(m, q.text, base.memory()),
                            entry: m.entry.clone().into_owned(),
                            at: store
                                .and_then(|st| st.unit_id(m.entry_id))
                                .map_or(HitAt::BaseEntry(m.entry_id), HitAt::Unit),
                            fallback: base.memory().region_fallback(m.entry_id).cloned(),
                        })
                        .collect();
                    if kept.len() >= options.max_results || exhausted || want >= widened.max_results
                    {
                        break kept;
                    }
                    want = widened.max_results;
                }
            });
            for (tm, s) in levels.iter_mut() {
                for m in s.lookup(query, &level_widened) {
                    let Some((unit, seq)) = tm.unit(m.entry_id) else {
                        continue;
                    };
                    if view.level_shows(unit, seq) {
                        let hit = Hit {
                            json: MatchJson::new(&m, q.text, *tm, Some(&self.coded)),
                            entry: m.entry.clone().into_owned(),
                            at: HitAt::Unit(unit),
                            fallback: None,
                        };
                        insert_ranked(&mut results, hit);
                    }
                }
            }
            results.truncate(options.max_results);
            // Only an exact best match with a segment before it pays for the check.
            if let (Some(first), Some(previous)) = (results.first_mut(), q.previous)
                && first.json.score == 100
                && session.with_dependent_mut(|_, s| {
                    context::in_context(&view, s, &mut levels, q.text, previous)
                })
            {
                first.json.score = 101;
            }
            out.push((results, started.elapsed().as_secs_f64() * 1000.0));
        }
        self.give_back(session);
        out
    }

    /// The JSON of a base match, its origin named as clients may see it: the
    /// memory's name and unit id (`team#7`) for a store, the file name
    /// without its folders for memory files.
    fn served_json(
        &self,
        m: &crate::fuzzy::Match<'_>,
        query: &str,
        memory: &OpenedMemory,
    ) -> MatchJson {
        let mut json = MatchJson::new(m, query, memory, Some(&self.coded));
        json.origin = match memory {
            OpenedMemory::Store(_) => format!("{}#{}", self.name, m.entry.origin.position),
            OpenedMemory::Files(_) | OpenedMemory::Tsv(_) => {
                without_folders(&json.origin).to_string()
            }
        };
        json
    }

    fn take_session(&self, base: &Arc<Base>) -> PooledSession {
        let mut pool = lock(&self.pool);
        while let Some(s) = pool.pop() {
            if Arc::ptr_eq(s.borrow_owner(), base) {
                return s;
            }
        }
        drop(pool);
        PooledSession::new(base.clone(), |m| m.session())
    }

    fn give_back(&self, session: PooledSession) {
        let current = self.view();
        if Arc::ptr_eq(session.borrow_owner(), &current.base) {
            lock(&self.pool).push(session);
        }
    }
}

/// Queries an analysis scores on one rayon worker before it lets go of it
/// ([`PairIndex::best_scores`]): small enough that concurrent requests wait
/// for a few tens of ms, not for a whole document.
const ANALYSIS_CHUNK: usize = 64;

/// The best score of `q` in `view` (see [`PairIndex::best_scores`]): the
/// base's best shown hit (past hidden units, as [`PairIndex::lookup`] looks
/// past them), the levels' best shown ones, and 101 for an exact match in
/// context ([`context::in_context`], over base and levels alike).
fn best_score(
    view: &View,
    session: &mut PooledSession,
    levels: &mut [(&DeltaTm, MatchSession<'_, DeltaTm>)],
    q: &LookupQuery<'_>,
    min_score: u8,
) -> Option<u8> {
    let query = Query {
        text: q.text,
        codes: q.codes,
    };
    let asked = |max_results| MatchOptions {
        min_score,
        max_results,
        exhaustive: false,
    };
    let base = session.with_dependent_mut(|base, s| {
        let store = base.memory().store();
        let shown = |entry| {
            view.base_hidden == 0
                || store
                    .and_then(|st| st.unit_id(entry))
                    .is_none_or(|u| view.base_shows(u))
        };
        let mut want = 1 + view.base_hidden.min(4);
        loop {
            let hits = s.best(query, &asked(want));
            if let Some(h) = hits.iter().find(|h| shown(h.entry)) {
                break Some(h.score);
            }
            if hits.len() < want || want > view.base_hidden {
                break None;
            }
            want = 1 + view.base_hidden;
        }
    });
    let mut best = base;
    let level_asked = asked(1 + view.delta_len());
    for (tm, s) in levels.iter_mut() {
        let shown = s.best(query, &level_asked).into_iter().find(|h| {
            tm.unit(h.entry)
                .is_some_and(|(unit, seq)| view.level_shows(unit, seq))
        });
        best = best.max(shown.map(|h| h.score));
    }
    match q.previous {
        Some(previous)
            if best == Some(100)
                && session.with_dependent_mut(|_, s| {
                    context::in_context(view, s, levels, q.text, previous)
                }) =>
        {
            Some(101)
        }
        _ => best,
    }
}

/// Inserts a match from a change level among base results: before the first
/// that scores lower, or as much with an older date (a change is newer than
/// the base); the base's own order is kept.
fn insert_ranked(results: &mut Vec<Hit>, h: Hit) {
    let (score, date) = (h.json.score, &h.json.changedate);
    let at = results
        .iter()
        .position(|r| r.json.score < score || (r.json.score == score && r.json.changedate < *date))
        .unwrap_or(results.len());
    results.insert(at, h);
}

/// A match and its entry.
struct Hit {
    json: MatchJson,
    entry: Entry,
    at: HitAt,
    fallback: Option<RegionFallback>,
}

/// Where a hit's entry is kept (to read its inline codes back).
#[derive(Debug, Clone, Copy)]
enum HitAt {
    /// A store's unit.
    Unit(i64),
    /// An entry of the base (memory files).
    BaseEntry(EntryId),
}

/// `origin` (`dir/file.tmx#tu3`) without the folders of its file name.
fn without_folders(origin: &str) -> &str {
    origin
        .rfind(['/', '\\'])
        .map_or(origin, |i| &origin[i + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_ranks_before_older_equals_and_after_better() {
        let m = |score, date: Option<&str>| Hit {
            at: HitAt::Unit(0),
            fallback: None,
            entry: Entry {
                source: String::new(),
                target: String::new(),
                tuid: None,
                changedate: None,
                source_codes: 0,
                origin: crate::tm::Origin {
                    file: 0,
                    position: 0,
                    unit: crate::tm::PositionUnit::TranslationUnit,
                },
            },
            json: MatchJson {
                score,
                source: String::new(),
                target: String::new(),
                target_placeholders: String::new(),
                target_xml: String::new(),
                tuid: None,
                origin: String::new(),
                changedate: date.map(str::to_string),
                penalties: Vec::new(),
                adapted_target: None,
                diff: Vec::new(),
            },
        };
        let mut r = vec![
            m(100, Some("20240101T000000Z")),
            m(90, Some("20200101T000000Z")),
        ];
        insert_ranked(&mut r, m(90, Some("20250101T000000Z")));
        insert_ranked(&mut r, m(50, None));
        let got: Vec<_> = r
            .iter()
            .map(|m| (m.json.score, m.json.changedate.clone()))
            .collect();
        assert_eq!(got[1], (90, Some("20250101T000000Z".into())));
        assert_eq!(got[3].0, 50);
    }
}
