//! A store served to the fuzzy matcher: the entries of one language pair,
//! read from the store on demand, and the fuzzy index persisted in a file
//! beside the store (for PostgreSQL, in the user's cache directory), rebuilt
//! when the store has changed since it was written.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use super::{ScannedUnit, Store, StoreLocation};
use crate::error::{Error, Result};
use crate::fuzzy::FuzzyIndex;
use crate::text::LanguageTag;
use crate::tm::{Entry, EntryId, LanguagePair, MemoryTm, Origin, PositionUnit, TranslationMemory};

const MAGIC: &[u8; 8] = b"TMKSIX01";

/// One language pair of a store, as a [`TranslationMemory`]: entry `i` is
/// the `i`-th unit (in id order) with variants serving both languages.
pub struct StoreMemory {
    pair: LanguagePair,
    name: String,
    store: Mutex<Box<dyn Store>>,
    ids: Vec<i64>,
}

/// The file the fuzzy index of `pair` is kept in for the store at `location`.
pub fn index_path(location: &StoreLocation, store_id: &str, pair: &LanguagePair) -> PathBuf {
    let name = format!("{}_{}.fzi", pair.source, pair.target);
    match location {
        StoreLocation::Sqlite(path) => {
            let mut os = path.clone().into_os_string();
            os.push(format!(".{name}"));
            PathBuf::from(os)
        }
        StoreLocation::Postgres(_) => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .unwrap_or_else(std::env::temp_dir);
            base.join("tmkit").join(format!("{store_id}.{name}"))
        }
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
        if let Some((ids, index)) = read_index(&path, store.store_id(), generation, &pair) {
            let memory = StoreMemory {
                pair,
                name,
                store: Mutex::new(store),
                ids,
            };
            return Ok((memory, index, IndexSource::Loaded));
        }
        let (ids, tm, generation) = entries_of_pair(store.as_mut(), &pair)?;
        let index = FuzzyIndex::build(&tm);
        drop(tm);
        // A store on a read-only medium still answers; the index is rebuilt next time.
        let _ = write_index(&path, store.store_id(), generation, &pair, &ids, &index);
        let memory = StoreMemory {
            pair,
            name,
            store: Mutex::new(store),
            ids,
        };
        Ok((memory, index, IndexSource::Built))
    }

    /// Rebuilds and saves the index of `pair` (what `tmkit tm reindex` does).
    pub fn reindex(store: &mut dyn Store, pair: &LanguagePair) -> Result<usize> {
        let path = index_path(store.location(), store.store_id(), pair);
        let (ids, tm, generation) = entries_of_pair(store, pair)?;
        let index = FuzzyIndex::build(&tm);
        write_index(&path, store.store_id(), generation, pair, &ids, &index)?;
        Ok(ids.len())
    }

    /// The store's unit id of entry `id`.
    pub fn unit_id(&self, id: EntryId) -> Option<i64> {
        self.ids.get(id as usize).copied()
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
        let unit_id = self.unit_id(id)?;
        let mut store = self.store.lock().ok()?;
        let mut found = None;
        let (src, tgt) = (&self.pair.source, &self.pair.target);
        store
            .scan_ids(&[unit_id], &mut |u| {
                found = entry_of(&u, src, tgt).map(|mut e| {
                    e.origin.position = u32::try_from(unit_id).unwrap_or(u32::MAX);
                    e
                });
            })
            .ok()?;
        found.map(Cow::Owned)
    }

    fn describe_origin(&self, origin: &Origin) -> String {
        format!("{}#{}", self.name, origin.position)
    }
}

/// The entry a scanned unit gives for the pair, as [`MemoryTm`] makes it
/// from a TMX unit (its origin left at zero: the caller places it).
pub fn entry_of(u: &ScannedUnit<'_>, src: &LanguageTag, tgt: &LanguageTag) -> Option<Entry> {
    let pick = |lang: &LanguageTag| {
        crate::tm::best_variant(u.variants.iter().map(|v| (v.0.as_str(), v)), lang)
    };
    let (s, t) = (pick(src)?, pick(tgt)?);
    if s.1.trim().is_empty() {
        return None;
    }
    Some(Entry {
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
    })
}

/// Unit ids and an in-memory copy of the pair's entries, with the generation read.
fn entries_of_pair(
    store: &mut dyn Store,
    pair: &LanguagePair,
) -> Result<(Vec<i64>, MemoryTm, u64)> {
    let mut tm = MemoryTm::new(pair.clone());
    let mut ids = Vec::new();
    let generation = store.scan_variants(&mut |u| {
        if let Some(e) = entry_of(&u, &pair.source, &pair.target) {
            ids.push(u.id);
            tm.push(e);
        }
    })?;
    Ok((ids, tm, generation))
}

fn write_index(
    path: &std::path::Path,
    store_id: &str,
    generation: u64,
    pair: &LanguagePair,
    ids: &[i64],
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
        for s in [store_id.to_string(), pair_key(pair)] {
            out.write_all(&(s.len() as u64).to_le_bytes()).map_err(io)?;
            out.write_all(s.as_bytes()).map_err(io)?;
        }
        out.write_all(&(ids.len() as u64).to_le_bytes())
            .map_err(io)?;
        let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
        out.write_all(&bytes).map_err(io)?;
        index.write_to(&mut out).map_err(io)?;
    }
    out.commit_unsynced()
}

fn pair_key(pair: &LanguagePair) -> String {
    format!("{}\t{}", pair.source, pair.target)
}

/// The ids and index in `path` when it was written for this store, generation and pair.
fn read_index(
    path: &std::path::Path,
    store_id: &str,
    generation: u64,
    pair: &LanguagePair,
) -> Option<(Vec<i64>, FuzzyIndex)> {
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
    for expected in [store_id.to_string(), pair_key(pair)] {
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
    let index = FuzzyIndex::from_bytes(&bytes[at..]).ok()?;
    (index.len() == ids.len()).then_some((ids, index))
}
