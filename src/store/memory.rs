//! A store served to the fuzzy matcher: the entries of one language pair,
//! read from the store on demand, and the fuzzy index persisted in a file
//! beside the store (for PostgreSQL, in the user's cache directory), rebuilt
//! when the store has changed since it was written.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use super::{ScannedUnit, Store, StoreLocation};
use crate::error::{Error, Result};
use crate::fuzzy::FuzzyIndex;
use crate::text::{LangMatch, LanguageTag};
use crate::tm::{
    Entry, EntryId, LanguagePair, MemoryTm, Origin, PositionUnit, RegionFallback, TranslationMemory,
};
use crate::tmx::Seg;

// 02: with the region fallbacks of the entries.
const MAGIC: &[u8; 8] = b"TMKSIX02";

/// One language pair of a store, as a [`TranslationMemory`]: entry `i` is
/// the `i`-th unit (in id order) with variants serving both languages.
pub struct StoreMemory {
    pair: LanguagePair,
    name: String,
    store: Mutex<Box<dyn Store>>,
    ids: Vec<i64>,
    /// Entries whose source or target is another region of the asked language.
    fallbacks: HashMap<EntryId, RegionFallback>,
    /// Entries read ahead by [`TranslationMemory::prefetch`].
    fetched: Mutex<HashMap<EntryId, Entry>>,
}

/// Prefetched entries kept at most (the cache is emptied past it).
const FETCHED_MAX: usize = 4096;

/// The file the fuzzy index of `pair` is kept in for the store at `location`.
pub fn index_path(location: &StoreLocation, store_id: &str, pair: &LanguagePair) -> PathBuf {
    let name = format!("{}_{}.fzi", pair.source, pair.target);
    match location {
        StoreLocation::Sqlite(path) => {
            let mut os = path.clone().into_os_string();
            os.push(format!(".{name}"));
            PathBuf::from(os)
        }
        StoreLocation::Postgres(_) => crate::tm::cache::user_cache_dir()
            .unwrap_or_else(|| std::env::temp_dir().join("tmkit"))
            .join(format!("{store_id}.{name}")),
    }
}

/// How the index was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexSource {
    /// Read from its file (the store had not changed).
    Loaded,
    /// Built from the store (and written to its file when possible).
    Built,
}

impl StoreMemory {
    /// The `pair` entries of `store` and their fuzzy index: read from the
    /// index file when it is current, else built from the store and saved.
    pub fn open(
        mut store: Box<dyn Store>,
        pair: LanguagePair,
    ) -> Result<(StoreMemory, FuzzyIndex, IndexSource)> {
        let path = index_path(store.location(), store.store_id(), &pair);
        let generation = store.generation()?;
        let name = store.location().redacted();
        if let Some((ids, fallbacks, index)) =
            read_index(&path, store.store_id(), generation, &pair)
        {
            let memory = StoreMemory {
                pair,
                name,
                store: Mutex::new(store),
                ids,
                fallbacks,
                fetched: Mutex::default(),
            };
            return Ok((memory, index, IndexSource::Loaded));
        }
        let (ids, tm, generation, fallbacks) = entries_of_pair(store.as_mut(), &pair)?;
        let index = FuzzyIndex::build(&tm);
        drop(tm);
        // A store on a read-only medium still answers; the index is rebuilt next time.
        let _ = write_index(
            &path,
            store.store_id(),
            generation,
            &pair,
            (&ids, &fallbacks),
            &index,
        );
        let memory = StoreMemory {
            pair,
            name,
            store: Mutex::new(store),
            ids,
            fallbacks,
            fetched: Mutex::default(),
        };
        Ok((memory, index, IndexSource::Built))
    }

    /// Rebuilds and saves the index of `pair` (what `tmkit tm reindex` does).
    pub fn reindex(store: &mut dyn Store, pair: &LanguagePair) -> Result<usize> {
        let path = index_path(store.location(), store.store_id(), pair);
        let (ids, tm, generation, fallbacks) = entries_of_pair(store, pair)?;
        let index = FuzzyIndex::build(&tm);
        write_index(
            &path,
            store.store_id(),
            generation,
            pair,
            (&ids, &fallbacks),
            &index,
        )?;
        Ok(ids.len())
    }

    /// How many entries use another region of a language of the pair, by
    /// (tag used, tag asked): a store holding `en`/`fr-CA` asked for
    /// `en-US`/`fr-FR` says so, as memory files do.
    pub fn region_fallback_counts(&self) -> Vec<((LanguageTag, LanguageTag), usize)> {
        crate::tm::fallback_counts(self.fallbacks.values(), &self.pair)
    }

    /// The store's unit id of entry `id`.
    pub fn unit_id(&self, id: EntryId) -> Option<i64> {
        self.ids.get(id as usize).copied()
    }

    /// The source and target segments, with their inline codes, of the
    /// entries `wanted` (the plain text of an entry drops them; a unit
    /// imported with codes keeps its whole `<tu>` in the store). Entries no
    /// longer in the store are left out.
    pub fn marked_up(&self, wanted: &[EntryId]) -> Result<HashMap<EntryId, (Seg, Seg)>> {
        let mut entry_of_unit: HashMap<i64, EntryId> = HashMap::new();
        for &e in wanted {
            if let Some(unit) = self.unit_id(e) {
                entry_of_unit.insert(unit, e);
            }
        }
        let mut out = HashMap::new();
        if entry_of_unit.is_empty() {
            return Ok(out);
        }
        let mut ids: Vec<i64> = entry_of_unit.keys().copied().collect();
        ids.sort_unstable();
        let filter = super::Filter {
            ids,
            ..super::Filter::default()
        };
        let (src, tgt) = (&self.pair.source, &self.pair.target);
        let mut store = self
            .store
            .lock()
            .map_err(|_| Error::Usage("store lock poisoned".into()))?;
        store.for_each_unit(&filter, &mut |u| {
            let tuvs = &u.unit.tu.tuvs;
            let pick =
                |lang| crate::tm::best_variant(tuvs.iter().map(|t| (t.lang.as_str(), t)), lang);
            if let (Some(s), Some(t), Some(&e)) = (pick(src), pick(tgt), entry_of_unit.get(&u.id)) {
                out.insert(e, (s.seg.clone(), t.seg.clone()));
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The entries `wanted` as the store holds them now, in one read.
    fn read_entries(&self, wanted: &[EntryId]) -> HashMap<EntryId, Entry> {
        let mut entry_of_unit: HashMap<i64, EntryId> = HashMap::new();
        for &e in wanted {
            if let Some(unit) = self.unit_id(e) {
                entry_of_unit.insert(unit, e);
            }
        }
        let units: Vec<i64> = entry_of_unit.keys().copied().collect();
        let mut out = HashMap::new();
        let Ok(mut store) = self.store.lock() else {
            return out;
        };
        let (src, tgt) = (&self.pair.source, &self.pair.target);
        let _ = store.scan_ids(&units, &mut |u| {
            if let (Some((mut e, _)), Some(&id)) =
                (entry_of(&u, src, tgt), entry_of_unit.get(&u.id))
            {
                e.origin.position = u32::try_from(u.id).unwrap_or(u32::MAX);
                out.insert(id, e);
            }
        });
        out
    }

    /// Records one use of each entry (`--update-usage`).
    pub fn record_usage(&self, entries: &[EntryId]) -> Result<()> {
        let ids: Vec<i64> = entries.iter().filter_map(|&e| self.unit_id(e)).collect();
        let mut store = self
            .store
            .lock()
            .map_err(|_| Error::Usage("store lock poisoned".into()))?;
        store.record_usage(&ids, &super::tmx_now())
    }
}

impl TranslationMemory for StoreMemory {
    fn pair(&self) -> &LanguagePair {
        &self.pair
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
        if let Some(e) = self.fetched.lock().ok()?.get(&id) {
            return Some(Cow::Owned(e.clone()));
        }
        self.read_entries(&[id]).remove(&id).map(Cow::Owned)
    }

    fn prefetch(&self, ids: &[EntryId]) {
        let Ok(fetched) = self.fetched.lock() else {
            return;
        };
        let missing: Vec<EntryId> = ids
            .iter()
            .copied()
            .filter(|id| !fetched.contains_key(id))
            .collect();
        drop(fetched);
        if missing.len() < 2 {
            return;
        }
        let read = self.read_entries(&missing);
        if let Ok(mut fetched) = self.fetched.lock() {
            if fetched.len() + read.len() > FETCHED_MAX {
                fetched.clear();
            }
            fetched.extend(read);
        }
    }

    fn describe_origin(&self, origin: &Origin) -> String {
        format!("{}#{}", self.name, origin.position)
    }

    fn region_fallback(&self, id: EntryId) -> Option<&RegionFallback> {
        self.fallbacks.get(&id)
    }
}

/// The entry a scanned unit gives for the pair, as [`MemoryTm`] makes it
/// from a TMX unit, with the other regions it used.
pub fn entry_of(
    u: &ScannedUnit<'_>,
    src: &LanguageTag,
    tgt: &LanguageTag,
) -> Option<(Entry, Option<RegionFallback>)> {
    let pick = |lang: &LanguageTag| {
        crate::tm::best_variant(u.variants.iter().map(|v| (v.0.as_str(), v)), lang)
    };
    let (s, t) = (pick(src)?, pick(tgt)?);
    if s.1.trim().is_empty() {
        return None;
    }
    let other_region = |lang: &str, asked: &LanguageTag| {
        LanguageTag::parse(lang)
            .ok()
            .filter(|tag| asked.resolve(tag) == Some(LangMatch::OtherRegion))
    };
    let fallback = RegionFallback {
        source: other_region(&s.0, src),
        target: other_region(&t.0, tgt),
    };
    let fallback = (fallback.source.is_some() || fallback.target.is_some()).then_some(fallback);
    let entry = Entry {
        source: s.1.clone(),
        target: t.1.clone(),
        tuid: u.tuid.map(str::to_string),
        changedate: u.date.map(str::to_string),
        source_codes: u16::try_from(s.2).unwrap_or(u16::MAX),
        origin: Origin {
            file: 0,
            position: 0,
            unit: PositionUnit::TranslationUnit,
        },
    };
    Some((entry, fallback))
}

/// What a pair of a store gives: unit ids in entry order, the entries, the
/// generation read, and the entries' region fallbacks.
type PairEntries = (Vec<i64>, MemoryTm, u64, HashMap<EntryId, RegionFallback>);

/// Unit ids and an in-memory copy of the pair's entries, with the generation read.
fn entries_of_pair(store: &mut dyn Store, pair: &LanguagePair) -> Result<PairEntries> {
    let mut tm = MemoryTm::new(pair.clone());
    let mut ids = Vec::new();
    let mut fallbacks = HashMap::new();
    let generation = store.scan_variants(&mut |u| {
        if let Some((e, fallback)) = entry_of(&u, &pair.source, &pair.target) {
            if let Some(f) = fallback {
                fallbacks.insert(ids.len() as EntryId, f);
            }
            ids.push(u.id);
            tm.push(e);
        }
    })?;
    Ok((ids, tm, generation, fallbacks))
}

fn write_index(
    path: &std::path::Path,
    store_id: &str,
    generation: u64,
    pair: &LanguagePair,
    (ids, fallbacks): (&[i64], &HashMap<EntryId, RegionFallback>),
    index: &FuzzyIndex,
) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut out = crate::files::AtomicFile::create(path)?;
    let io = |e| Error::io(path, e);
    {
        out.write_all(MAGIC).map_err(io)?;
        out.write_all(&generation.to_le_bytes()).map_err(io)?;
        for s in [store_id.to_string(), pair.key()] {
            out.write_all(&(s.len() as u64).to_le_bytes()).map_err(io)?;
            out.write_all(s.as_bytes()).map_err(io)?;
        }
        out.write_all(&(ids.len() as u64).to_le_bytes())
            .map_err(io)?;
        let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
        out.write_all(&bytes).map_err(io)?;
        // Region fallbacks: entry, then the tags used (empty: none), in entry order.
        let mut sorted: Vec<(&EntryId, &RegionFallback)> = fallbacks.iter().collect();
        sorted.sort_by_key(|(e, _)| **e);
        out.write_all(&(sorted.len() as u64).to_le_bytes())
            .map_err(io)?;
        for (entry, f) in sorted {
            out.write_all(&entry.to_le_bytes()).map_err(io)?;
            for tag in [&f.source, &f.target] {
                let s = tag.as_ref().map(ToString::to_string).unwrap_or_default();
                out.write_all(&(s.len() as u64).to_le_bytes()).map_err(io)?;
                out.write_all(s.as_bytes()).map_err(io)?;
            }
        }
        index.write_to(&mut out).map_err(io)?;
    }
    out.commit_unsynced()
}

/// The ids, region fallbacks and index in `path` when it was written for
/// this store, generation and pair.
fn read_index(
    path: &std::path::Path,
    store_id: &str,
    generation: u64,
    pair: &LanguagePair,
) -> Option<(Vec<i64>, HashMap<EntryId, RegionFallback>, FuzzyIndex)> {
    let bytes = std::fs::read(path).ok()?;
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = bytes.get(at..at.checked_add(n)?)?;
        at += n;
        Some(s)
    };
    if take(8)? != MAGIC {
        return None;
    }
    let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    if u64_of(take(8)?) != generation {
        return None;
    }
    for expected in [store_id.to_string(), pair.key()] {
        let len = u64_of(take(8)?) as usize;
        if take(len)? != expected.as_bytes() {
            return None;
        }
    }
    let n = u64_of(take(8)?) as usize;
    let ids: Vec<i64> = take(n.checked_mul(8)?)?
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    let mut fallbacks = HashMap::new();
    for _ in 0..u64_of(take(8)?) {
        let entry = EntryId::from_le_bytes(take(size_of::<EntryId>())?.try_into().ok()?);
        let mut tags = [None, None];
        for tag in &mut tags {
            let len = u64_of(take(8)?) as usize;
            let text = std::str::from_utf8(take(len)?).ok()?;
            *tag = (!text.is_empty())
                .then(|| LanguageTag::parse(text).ok())
                .flatten();
        }
        let [source, target] = tags;
        fallbacks.insert(entry, RegionFallback { source, target });
    }
    let index = FuzzyIndex::from_bytes(&bytes[at..]).ok()?;
    (index.len() == ids.len()).then_some((ids, fallbacks, index))
}

/// Builds the fuzzy index of a store while an import fills it: each batch
/// the import commits is read back (its id range, on a connection of its
/// own) and tokenized on a thread beside the writing one, so at the end of
/// the import only the assembly of the index is left.
///
/// It serves an import into an empty store of one language pair (a
/// bilingual memory file): [`IndexFeed::finish`] checks that the store holds
/// exactly what was fed, one pair, and that no other writer changed it
/// meanwhile (by its generation); otherwise it gives `None` and the caller
/// reindexes from the store as before.
pub struct IndexFeed {
    sender: Option<std::sync::mpsc::Sender<(i64, i64)>>,
    worker: Option<std::thread::JoinHandle<Result<Fed>>>,
}

/// What the feeding thread gathered.
struct Fed {
    /// The pair of the first unit (source language, first other language).
    pair: Option<LanguagePair>,
    ids: Vec<i64>,
    tm: Option<MemoryTm>,
    fallbacks: HashMap<EntryId, RegionFallback>,
    chunks: Vec<crate::fuzzy::TokenChunk>,
    /// Units read that gave no entry of the pair.
    skipped: u64,
    /// The pair's two languages as stored (those of the first unit).
    langs: Option<(String, String)>,
    /// A unit had other variants than one in each of those languages.
    mixed: bool,
    /// Generation read with the last batch.
    generation: u64,
}

impl IndexFeed {
    /// Starts the feeding thread with its own handle on the store (`reader`,
    /// opened by the caller on the same store as the import's).
    pub fn start(mut reader: Box<dyn Store>) -> IndexFeed {
        let (sender, receiver) = std::sync::mpsc::channel::<(i64, i64)>();
        let worker = std::thread::spawn(move || -> Result<Fed> {
            let mut fed = Fed {
                pair: None,
                ids: Vec::new(),
                tm: None,
                fallbacks: HashMap::new(),
                chunks: Vec::new(),
                skipped: 0,
                langs: None,
                mixed: false,
                generation: 0,
            };
            for (first, last) in receiver {
                let mut chunk = crate::fuzzy::TokenChunk::default();
                fed.generation = reader.scan_range(first, last, &mut |u| {
                    if fed.pair.is_none() {
                        fed.pair = pair_of(&u);
                        if let Some(pair) = &fed.pair {
                            fed.tm = Some(MemoryTm::new(pair.clone()));
                            let a = &u.variants[0].0;
                            let b = u.variants.iter().find(|v| v.0 != *a).map(|v| &v.0);
                            fed.langs = b.map(|b| (a.clone(), b.clone()));
                        }
                    }
                    // The store then holds one pair (what the import's
                    // reindex of every pair would otherwise be needed for).
                    if let Some((a, b)) = &fed.langs {
                        let vs = u.variants;
                        fed.mixed |= !(vs.len() == 2
                            && ((vs[0].0 == *a && vs[1].0 == *b)
                                || (vs[0].0 == *b && vs[1].0 == *a)));
                    }
                    let (Some(pair), Some(tm)) = (&fed.pair, fed.tm.as_mut()) else {
                        fed.skipped += 1;
                        return;
                    };
                    match entry_of(&u, &pair.source, &pair.target) {
                        Some((entry, fallback)) => {
                            if let Some(f) = fallback {
                                fed.fallbacks.insert(fed.ids.len() as EntryId, f);
                            }
                            chunk.push(&entry.source);
                            fed.ids.push(u.id);
                            tm.push(entry);
                        }
                        None => fed.skipped += 1,
                    }
                })?;
                if !chunk.is_empty() {
                    fed.chunks.push(chunk);
                }
            }
            Ok(fed)
        });
        IndexFeed {
            sender: Some(sender),
            worker: Some(worker),
        }
    }

    /// Hands over the units with ids `first..=last`, committed by the import.
    pub fn batch(&self, first: i64, last: i64) {
        if let Some(sender) = &self.sender {
            // A worker that stopped on an error reports it at `finish`.
            let _ = sender.send((first, last));
        }
    }

    /// Assembles and saves the index when the store holds exactly what was
    /// fed and is at `generation` (the generation the import's own batches
    /// led to); returns the pair and its number of entries, or `None` when
    /// the store must be reindexed from its content instead.
    pub fn finish(
        mut self,
        store: &mut dyn Store,
        generation: u64,
    ) -> Result<Option<(LanguagePair, usize)>> {
        drop(self.sender.take());
        let Some(worker) = self.worker.take() else {
            return Ok(None);
        };
        let fed = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        let (Some(pair), Some(tm)) = (fed.pair, fed.tm) else {
            return Ok(None);
        };
        // Every unit was fed (their number, and no other writer: the
        // generation), each with one variant in each language of the pair.
        // (A unit whose source language is the pair's target adds the
        // reverse pair to the store; that pair's index is built when first
        // asked for, as any missing index.)
        let units = store.count(&super::Filter::default())?;
        if fed.mixed
            || fed.skipped > 0
            || units != fed.ids.len() as u64
            || fed.generation != generation
            || store.generation()? != generation
        {
            return Ok(None);
        }
        let index =
            FuzzyIndex::from_chunks(&tm, fed.chunks, crate::fuzzy::IndexOptions::default())?;
        let path = index_path(store.location(), store.store_id(), &pair);
        write_index(
            &path,
            store.store_id(),
            generation,
            &pair,
            (&fed.ids, &fed.fallbacks),
            &index,
        )?;
        Ok(Some((pair, fed.ids.len())))
    }
}

/// The pair a unit gives: its source language (its first variant's) and the
/// first other language.
fn pair_of(u: &ScannedUnit<'_>) -> Option<LanguagePair> {
    let source = u.variants.first()?;
    let target = u.variants.iter().find(|v| v.0 != source.0)?;
    Some(LanguagePair::new(
        LanguageTag::parse(&source.0).ok()?,
        LanguageTag::parse(&target.0).ok()?,
    ))
}
