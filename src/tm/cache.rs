//! A persistent cache of the fuzzy index of memory files, as a store keeps
//! its `.fzi` beside it: a memory file is parsed on every run, but its index
//! (tokenizing every source, the postings, the exact-match table) is built
//! once and read back while the memory does not change.
//!
//! The cache lives in the user's cache folder (`$XDG_CACHE_HOME/tmkit`, else
//! `~/.cache/tmkit`), never beside the memory: one file per memory, named by
//! the canonical paths of what `--tm` names and the language pair, so an
//! edited memory replaces its cache instead of adding one. A cache file is
//! used only when it was built from the same sources: it records a 128-bit
//! hash of everything the index is made of, which the loaded memory is
//! checked against: for TSV files ([`TsvMemory`]) their whole text, which
//! the entries are cut from, else each entry's source, inline-code count and
//! change date, in entry order. That hash, not the files' sizes and times,
//! decides, so a touched or restored file keeps its cache and an edit that
//! keeps the size and time is still seen. A stale, damaged or unreadable cache file is rebuilt; one
//! that cannot be written (a read-only folder) just leaves the run uncached.
//! Files are written atomically (a temporary file renamed into place).
//!
//! The folder is kept from growing: when a run writes a cache file, it also
//! removes (once per run) the cache files of memories that no longer exist
//! and those not used for [`MAX_UNUSED_DAYS`] days (a file's modification
//! time, refreshed when it is read, says when it was last used). Only files
//! named `*.fzc` that start with a tmkit cache file's magic are removed.
//!
//! `TMKIT_NO_CACHE=1` (or `--no-cache`) turns it off.

use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use super::{LanguagePair, MemoryTm, TranslationMemory, TsvMemory};
use crate::fuzzy::FuzzyIndex;

// 02: the version in the key, a one-hasher checksum; 03: the checksum fed
// piece by piece as the index is written and read; 04: the memory's paths
// in the header; 05: a change date's length hashed as a u64 in the key (a
// u8 before: other keys, so older files are rebuilt, never misread).
const MAGIC: &[u8; 8] = b"TMKFCI05";

/// What every version of a cache file starts with.
const MAGIC_STEM: &[u8; 6] = b"TMKFCI";

/// Cache files not used for this many days are removed.
pub const MAX_UNUSED_DAYS: u64 = 30;

/// A cache file read longer ago than this is touched when read again (so
/// most reads change nothing on disk).
const TOUCH_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Set once the cache folder has been pruned in this process.
static PRUNED: AtomicBool = AtomicBool::new(false);

/// Memories with fewer entries are not cached: they index faster than a
/// cache file is read.
pub const MIN_CACHED_ENTRIES: usize = 5_000;

/// The environment variable that turns the cache off (any non-empty value but `0`).
pub const NO_CACHE_ENV: &str = "TMKIT_NO_CACHE";

/// tmkit's folder in the user's cache: `$XDG_CACHE_HOME/tmkit` (an absolute
/// path), else `$HOME/.cache/tmkit`.
pub fn user_cache_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })
        .map(|d| d.join("tmkit"))
}

/// Where the fuzzy indexes of memory files are kept (see the module docs).
#[derive(Debug, Clone)]
pub struct IndexCache {
    dir: PathBuf,
    min_entries: usize,
}

/// How [`IndexCache::index`] got an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// Read from the cache.
    Read,
    /// Built (the cache had none for these sources, or a damaged one), and
    /// written to the cache when its folder allows.
    Built,
    /// Built without the cache: the memory is too small to gain from one.
    Small,
}

impl IndexCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        IndexCache {
            dir: dir.into(),
            min_entries: MIN_CACHED_ENTRIES,
        }
    }

    /// The user's cache ([`user_cache_dir`]), unless [`NO_CACHE_ENV`] is set
    /// or there is no such folder.
    pub fn from_env() -> Option<Self> {
        let off = std::env::var_os(NO_CACHE_ENV).is_some_and(|v| !v.is_empty() && v != "0");
        if off {
            return None;
        }
        user_cache_dir().map(Self::new)
    }

    /// Caches memories of at least `n` entries ([`MIN_CACHED_ENTRIES`] by default).
    pub fn with_min_entries(mut self, n: usize) -> Self {
        self.min_entries = n;
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the index of the memory that `specs` (files and folders, as
    /// given to `--tm`) give for `pair` is kept: the paths are made
    /// canonical here, once for a whole load.
    pub fn slot(&self, pair: &LanguagePair, specs: &[PathBuf]) -> CacheSlot {
        let mut hashes = StableHash::new();
        let mut paths = Vec::new();
        for path in canonical(specs) {
            let bytes = path.as_os_str().as_encoded_bytes();
            // Hashed path by path, as cache files have always been named.
            hashes.write(bytes);
            hashes.write(&[0]);
            paths.extend_from_slice(bytes);
            paths.push(0);
        }
        hashes.write(pair.key().as_bytes());
        let [a, b] = hashes.finish();
        CacheSlot {
            file: self.dir.join(format!("{a:016x}{b:016x}.fzc")),
            paths,
        }
    }

    /// The cache file of the memory that `specs` give for `pair`.
    pub fn path_for(&self, pair: &LanguagePair, specs: &[PathBuf]) -> PathBuf {
        self.slot(pair, specs).file
    }

    /// The index of `tm`, kept in `slot` ([`IndexCache::slot`] of its
    /// pair): read from the cache when it holds one built from the same
    /// sources, else built (on all cores) and written to the cache, a
    /// failure to write leaving it uncached.
    pub fn index<T: CachedMemory>(&self, tm: &T, slot: &CacheSlot) -> (FuzzyIndex, CacheUse) {
        if tm.len() < self.min_entries {
            return (FuzzyIndex::build(tm), CacheUse::Small);
        }
        let key = tm.content_key();
        if let Some(index) = read(&slot.file, &key, tm) {
            return (index, CacheUse::Read);
        }
        let index = FuzzyIndex::build(tm);
        self.write(slot, &key, &index);
        (index, CacheUse::Built)
    }

    /// Writes `index`, built by the caller from `tm` (e.g. while loading), to
    /// the cache: [`CacheUse::Built`], or [`CacheUse::Small`] for a memory
    /// too small to cache. A failure to write leaves it uncached.
    pub fn store<T: CachedMemory>(&self, tm: &T, slot: &CacheSlot, index: &FuzzyIndex) -> CacheUse {
        if tm.len() < self.min_entries {
            return CacheUse::Small;
        }
        self.write(slot, &tm.content_key(), index);
        CacheUse::Built
    }

    /// Writes a cache file, then prunes the folder once per run. Best
    /// effort: a read-only or full cache folder means no cache.
    fn write(&self, slot: &CacheSlot, key: &[u8; 24], index: &FuzzyIndex) {
        if write(&slot.file, key, &slot.paths, index).is_ok()
            && !PRUNED.swap(true, Ordering::Relaxed)
        {
            self.prune(SystemTime::now());
        }
    }

    /// Removes the cache files of memories that no longer exist, and those
    /// not used for [`MAX_UNUSED_DAYS`] days before `now`; says how many.
    /// Only `*.fzc` files that start with a cache file's magic are removed
    /// (the memory's paths are known for files of this version; older ones
    /// go by age alone).
    pub fn prune(&self, now: SystemTime) -> usize {
        let Ok(listing) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let oldest = now.checked_sub(Duration::from_secs(MAX_UNUSED_DAYS * 24 * 3600));
        let mut removed = 0;
        for item in listing.flatten() {
            let path = item.path();
            if path.extension().is_none_or(|e| e != "fzc") {
                continue;
            }
            let Some(paths) = cache_file_paths(&path) else {
                continue;
            };
            let unused = item
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| oldest.is_some_and(|o| t < o));
            let gone = paths.is_some_and(|p| p.iter().any(|p| !p.exists()));
            if (unused || gone) && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// True when the cache may hold an index for `slot` (a file exists;
    /// whether it is current is known once the memory is loaded).
    pub fn may_hold(&self, slot: &CacheSlot) -> bool {
        slot.file.is_file()
    }
}

/// Where the cache keeps one memory's index ([`IndexCache::slot`]): its
/// file, and the canonical paths of what named the memory, which the file
/// records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSlot {
    file: PathBuf,
    paths: Vec<u8>,
}

impl CacheSlot {
    /// The cache file.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

/// A memory whose index the cache keeps.
pub trait CachedMemory: TranslationMemory {
    /// What the memory's index is built from, hashed (128 bits, then the
    /// entry count): an index read from a cache file whose key is the
    /// same holds exactly this memory's sources.
    fn content_key(&self) -> [u8; 24];
}

/// tmkit's version (another version may tokenize differently, so its index
/// is not read) and the pair, which every key starts with.
fn key_hasher(pair: &LanguagePair) -> StableHash {
    let mut h = StableHash::new();
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    h.write(&[0]);
    h.write(pair.key().as_bytes());
    h
}

/// The key: the hash, then the entry count.
fn finish_key(h: &StableHash, len: usize) -> [u8; 24] {
    let [a, b] = h.finish();
    let mut key = [0u8; 24];
    key[..8].copy_from_slice(&a.to_le_bytes());
    key[8..16].copy_from_slice(&b.to_le_bytes());
    key[16..].copy_from_slice(&(len as u64).to_le_bytes());
    key
}

/// The version, the pair, and each entry's source, inline-code count and
/// change date, in entry order.
impl CachedMemory for MemoryTm {
    fn content_key(&self) -> [u8; 24] {
        let mut h = key_hasher(self.pair());
        hash_entries(&mut h, self);
        finish_key(&h, self.len())
    }
}

/// The version, the pair, and each file's text and orientation, in load
/// order: the entries are cut from them alone, so this covers every
/// source, and costs one pass over the bytes instead of one per entry.
impl CachedMemory for TsvMemory {
    fn content_key(&self) -> [u8; 24] {
        let mut h = key_hasher(self.pair());
        // "decoded": indexes cached before TSV escapes were decoded were
        // built on the raw text; they are not this memory's.
        h.write(b"\0tsv text, escapes decoded\0");
        for (text, swapped) in self.texts() {
            h.write(&[u8::from(swapped)]);
            h.write(&(text.len() as u64).to_le_bytes());
            h.write(text.as_bytes());
        }
        finish_key(&h, self.len())
    }
}

/// Where the bytes of a key go: its hasher, or (in tests) a buffer, to
/// see that they say where each piece ends.
trait KeyFeed {
    fn feed(&mut self, bytes: &[u8]);
}

impl KeyFeed for StableHash {
    fn feed(&mut self, bytes: &[u8]) {
        self.write(bytes);
    }
}

/// Each entry's source, inline-code count and change date, every text
/// after its length (a `u64`), so the bytes say where each ends.
fn hash_entries(h: &mut impl KeyFeed, tm: &MemoryTm) {
    for e in tm.entries() {
        h.feed(&(e.source.len() as u64).to_le_bytes());
        h.feed(e.source.as_bytes());
        h.feed(&e.source_codes.to_le_bytes());
        match &e.changedate {
            Some(d) => {
                h.feed(&[1]);
                h.feed(&(d.len() as u64).to_le_bytes());
                h.feed(d.as_bytes());
            }
            None => h.feed(&[0]),
        }
    }
}

/// Two fixed-seed hashers, for a 128-bit hash that is the same in every run
/// (and, ahash's output not being promised stable across its versions, a
/// cache written by another build may just miss).
struct StableHash([ahash::AHasher; 2]);

/// A fixed-seed hasher.
fn seeded(s: u64) -> ahash::AHasher {
    ahash::RandomState::with_seeds(s, s ^ 0x9e37_79b9_7f4a_7c15, 0x243f_6a88, 0x85a3_08d3)
        .build_hasher()
}

impl StableHash {
    fn new() -> Self {
        StableHash([seeded(0x746d_6b69_7401), seeded(0x746d_6b69_7402)])
    }

    fn write(&mut self, bytes: &[u8]) {
        for h in &mut self.0 {
            h.write(bytes);
        }
    }

    fn finish(&self) -> [u64; 2] {
        [self.0[0].finish(), self.0[1].finish()]
    }
}

#[cfg(test)]
thread_local! {
    /// How many paths this thread made canonical (tests count them).
    pub(super) static CANONICALIZED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The canonical paths of `specs` (as given when they cannot be made canonical).
fn canonical(specs: &[PathBuf]) -> impl Iterator<Item = PathBuf> + '_ {
    specs.iter().map(|spec| {
        #[cfg(test)]
        CANONICALIZED.with(|c| c.set(c.get() + 1));
        std::fs::canonicalize(spec).unwrap_or_else(|_| spec.clone())
    })
}

/// The paths a [`CacheSlot`]'s list holds (`None` for paths this system cannot
/// spell).
fn paths_of(list: &[u8]) -> Option<Vec<PathBuf>> {
    let items = list.strip_suffix(&[0]).unwrap_or(list);
    items
        .split(|&b| b == 0)
        .map(|bytes| {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                Some(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
            }
            #[cfg(not(unix))]
            {
                std::str::from_utf8(bytes).ok().map(PathBuf::from)
            }
        })
        .collect()
}

/// A cache file's header up to its key: the magic, the key, and the length
/// of the memory's paths that follow.
const HEAD: usize = 8 + 24 + 4;

/// When `path` is a tmkit cache file (of any version: it starts with the
/// magic), the paths of its memory when its version records them.
fn cache_file_paths(path: &Path) -> Option<Option<Vec<PathBuf>>> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut head = Vec::with_capacity(HEAD);
    (&mut file).take(HEAD as u64).read_to_end(&mut head).ok()?;
    if !head.starts_with(MAGIC_STEM) {
        return None;
    }
    if !head.starts_with(MAGIC) || head.len() < HEAD {
        return Some(None);
    }
    let size = file.metadata().ok()?.len();
    let len = u32::from_le_bytes(head[32..HEAD].try_into().ok()?);
    if u64::from(len) > size {
        return Some(None);
    }
    let mut list = vec![0; len as usize];
    Some(
        file.read_exact(&mut list)
            .ok()
            .and_then(|()| paths_of(&list)),
    )
}

/// The index in `path` when it was built from sources hashing to `key` and
/// its bytes are whole (their length and hash are checked, so a damaged
/// file is never read as another index). The header is read first, so a
/// stale file costs one small read; the index's arrays are then read
/// straight into place. A file read is touched (see the module docs).
fn read<T: TranslationMemory>(path: &Path, key: &[u8; 24], tm: &T) -> Option<FuzzyIndex> {
    let mut file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let mut head = [0u8; HEAD];
    file.read_exact(&mut head).ok()?;
    let rest = head
        .strip_prefix(MAGIC.as_slice())?
        .strip_prefix(key.as_slice())?;
    let paths = u32::from_le_bytes(rest.try_into().ok()?);
    let size = meta
        .len()
        .checked_sub(HEAD as u64 + u64::from(paths) + 16)?;
    let mut list = vec![0; paths as usize];
    file.read_exact(&mut list).ok()?;
    let mut sizes = [0u8; 16];
    file.read_exact(&mut sizes).ok()?;
    let (len, sum) = sizes.split_first_chunk::<8>()?;
    let len = u64::from_le_bytes(*len);
    if len != size {
        return None;
    }
    let mut hasher = checksum();
    hasher.write(&list);
    let index = FuzzyIndex::read_hashed(&mut file, len, &mut hasher).ok()?;
    if u64::from_le_bytes(sum.try_into().ok()?) != hasher.finish() || index.len() != tm.len() {
        return None;
    }
    let now = SystemTime::now();
    if meta
        .modified()
        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > TOUCH_AFTER))
    {
        let _ = file.set_modified(now);
    }
    Some(index)
}

/// The hasher of a 64-bit check of a cache file's memory paths and body,
/// fed as the index is written and read (one hasher: damage, not an adversary, is what it
/// guards against).
fn checksum() -> ahash::AHasher {
    seeded(0x746d_6b69_7403)
}

/// Writes a cache file: `paths` is the memory's ([`CacheSlot`]).
fn write(path: &Path, key: &[u8; 24], paths: &[u8], index: &FuzzyIndex) -> crate::Result<()> {
    let mut body = Vec::new();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    }
    let mut hasher = checksum();
    hasher.write(paths);
    index
        .write_hashed(&mut body, &mut hasher)
        .map_err(|e| crate::Error::io(path, e))?;
    let mut out = crate::files::AtomicFile::create(path)?;
    let io = |e| crate::Error::io(path, e);
    out.write_all(MAGIC).map_err(io)?;
    out.write_all(key).map_err(io)?;
    out.write_all(&(paths.len() as u32).to_le_bytes())
        .map_err(io)?;
    out.write_all(paths).map_err(io)?;
    out.write_all(&(body.len() as u64).to_le_bytes())
        .map_err(io)?;
    out.write_all(&hasher.finish().to_le_bytes()).map_err(io)?;
    out.write_all(&body).map_err(io)?;
    out.commit_unsynced()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tm::{Entry, Origin, PositionUnit};

    fn pair() -> LanguagePair {
        LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap())
    }

    /// A TSV memory of `n` distinct lines in `dir`, the first one `first`.
    fn memory(dir: &Path, first: &str, n: usize) -> PathBuf {
        let mut text = format!("{first}\tpremier\n");
        for i in 1..n {
            text.push_str(&format!("Line number {i} of the memory.\tLigne {i}.\n"));
        }
        let path = dir.join("m.tsv");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes [`memory`] again in `dir` with another first line, keeping
    /// the file's modification time.
    fn rewrite_keeping_time(dir: &Path, first: &str) {
        let path = dir.join("m.tsv");
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        memory(dir, first, 40);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
    }

    fn load(path: &Path) -> MemoryTm {
        MemoryTm::load(pair(), &[path.to_path_buf()]).unwrap()
    }

    fn cache_files(cache: &IndexCache) -> Vec<PathBuf> {
        std::fs::read_dir(cache.dir())
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }

    /// The index `cache` gives for the memory at `path`, and how.
    fn indexed(cache: &IndexCache, path: &Path) -> (MemoryTm, FuzzyIndex, CacheUse) {
        let tm = load(path);
        let (index, used) = cache.index(&tm, &cache.slot(&pair(), &[path.to_path_buf()]));
        (tm, index, used)
    }

    /// Which file is at `path` (its inode, and when it was written): a
    /// cache file written again (a temporary renamed over it) is another
    /// file, one only read is the same. What the cache did is checked by
    /// this, not only by what it says it did.
    fn file_id(path: &Path) -> (u64, SystemTime) {
        let meta = std::fs::metadata(path).unwrap();
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        (inode, meta.modified().unwrap())
    }

    /// The same index as one built from scratch: same segments, same
    /// vocabulary, same best hit for a query.
    fn assert_current(tm: MemoryTm, index: FuzzyIndex, query: &str, expected: &str) {
        assert_eq!(index.len(), tm.len());
        let fresh = FuzzyIndex::build(&tm);
        assert_eq!(index.vocabulary().len(), fresh.vocabulary().len());
        let matcher = crate::fuzzy::Matcher::with_index(tm, index).unwrap();
        let hits = matcher
            .session()
            .lookup(query, &crate::fuzzy::MatchOptions::default());
        assert_eq!(hits[0].entry.source, expected);
    }

    #[test]
    fn an_index_is_built_once_then_read() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = memory(dir.path(), "The storm hit the coast.", 40);
        let cache = IndexCache::new(home.path().join("tmkit")).with_min_entries(10);
        assert_eq!(indexed(&cache, &path).2, CacheUse::Built);
        assert_eq!(cache_files(&cache).len(), 1);
        let file = cache.path_for(&pair(), std::slice::from_ref(&path));
        let written = file_id(&file);
        let (tm, index, used) = indexed(&cache, &path);
        assert_eq!(used, CacheUse::Read);
        // Read, not written again.
        assert_eq!(file_id(&file), written);
        assert_current(
            tm,
            index,
            "The storm hit the coast",
            "The storm hit the coast.",
        );
        // Nothing is written beside the memory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_changed_memory_rebuilds_its_cache_even_with_the_same_size_and_time() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let cache = IndexCache::new(home.path()).with_min_entries(10);
        let path = memory(dir.path(), "The storm hit the coast.", 40);
        indexed(&cache, &path);
        let file = cache.path_for(&pair(), std::slice::from_ref(&path));
        let first = file_id(&file);
        // Same length, same modification time, another first sentence.
        rewrite_keeping_time(dir.path(), "The train hit the coast.");
        let (tm, index, used) = indexed(&cache, &path);
        assert_eq!(used, CacheUse::Built);
        // Written again: another file took the stale one's place.
        let rebuilt = file_id(&file);
        assert_ne!(rebuilt.0, first.0);
        assert_current(
            tm,
            index,
            "The train hit the coast",
            "The train hit the coast.",
        );
        // The stale file was replaced, not joined by another.
        assert_eq!(cache_files(&cache).len(), 1);
        assert_eq!(indexed(&cache, &path).2, CacheUse::Read);
        assert_eq!(file_id(&file), rebuilt);
    }

    #[test]
    fn a_tsv_memory_kept_as_text_is_keyed_by_its_text() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let cache = IndexCache::new(home.path()).with_min_entries(10);
        let path = memory(dir.path(), "The storm hit the coast.", 40);
        let specs = [path.clone()];
        let slot = cache.slot(&pair(), &specs);
        let text = |specs: &[PathBuf]| TsvMemory::load(&pair(), specs).unwrap().unwrap();
        assert_eq!(cache.index(&text(&specs), &slot).1, CacheUse::Built);
        let written = file_id(slot.file());
        let tm = text(&specs);
        let (index, used) = cache.index(&tm, &slot);
        assert_eq!(used, CacheUse::Read);
        assert_eq!(file_id(slot.file()), written);
        let matcher = crate::fuzzy::Matcher::with_index(tm, index).unwrap();
        let hits = matcher
            .session()
            .lookup("The storm hit the coast", &Default::default());
        assert_eq!(hits[0].entry.source, "The storm hit the coast.");
        // One byte changed, same size and time: rebuilt.
        rewrite_keeping_time(dir.path(), "The storm hit the coasT.");
        assert_eq!(cache.index(&text(&specs), &slot).1, CacheUse::Built);
        let rebuilt = file_id(slot.file());
        assert_ne!(rebuilt.0, written.0);
        // A loaded memory of the same file has another key: it never reads
        // the index written for the text, nor the other way round.
        assert_ne!(load(&path).content_key(), text(&specs).content_key());
        assert_eq!(cache.index(&load(&path), &slot).1, CacheUse::Built);
        let for_loaded = file_id(slot.file());
        assert_ne!(for_loaded.0, rebuilt.0);
        assert_eq!(cache.index(&text(&specs), &slot).1, CacheUse::Built);
        assert_ne!(file_id(slot.file()).0, for_loaded.0);
    }

    /// A memory in `dir` whose index is cached in `home`: the cache, the
    /// memory's path and its cache file's.
    fn cached(dir: &Path, home: &Path) -> (IndexCache, PathBuf, PathBuf) {
        let cache = IndexCache::new(home).with_min_entries(10);
        let path = memory(dir, "The storm hit the coast.", 40);
        indexed(&cache, &path);
        let file = cache.path_for(&pair(), std::slice::from_ref(&path));
        (cache, path, file)
    }

    /// Sets the modification time of `path` to `days` days ago.
    fn age(path: &Path, days: u64) {
        let then = SystemTime::now() - Duration::from_secs(days * 24 * 3600);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(then)
            .unwrap();
    }

    fn modified(path: &Path) -> SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn pruning_removes_gone_and_unused_cache_files_and_nothing_else() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let cache = IndexCache::new(home.path()).with_min_entries(10);
        // Three memories, each with its cache file.
        let mut files = Vec::new();
        for name in ["kept", "gone", "unused"] {
            let folder = dir.path().join(name);
            std::fs::create_dir(&folder).unwrap();
            let path = memory(&folder, "The storm hit the coast.", 40);
            assert_eq!(indexed(&cache, &path).2, CacheUse::Built);
            files.push((path.clone(), cache.path_for(&pair(), &[path])));
        }
        std::fs::remove_file(&files[1].0).unwrap();
        age(&files[2].1, MAX_UNUSED_DAYS + 1);
        age(&files[0].1, MAX_UNUSED_DAYS - 1);
        // Old files that are not this version's cache files: an older
        // version's (by age alone), and others, whatever their age.
        let old = |name: &str, bytes: &[u8], days: u64| {
            let path = home.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            age(&path, days);
            path
        };
        let older_unused = old("a.fzc", b"TMKFCI02 and the rest", MAX_UNUSED_DAYS + 1);
        let older_used = old("b.fzc", b"TMKFCI02 and the rest", 1);
        let others = [
            old("c.fzc", b"not a cache file", 400),
            old("d.fzc", b"TMK", 400),
            old("e.fzi", b"TMKFCI04 but not named so", 400),
            old("f.txt", b"notes", 400),
        ];
        assert_eq!(cache.prune(SystemTime::now()), 3);
        assert!(files[0].1.exists());
        assert!(!files[1].1.exists() && !files[2].1.exists());
        assert!(!older_unused.exists() && older_used.exists());
        assert!(others.iter().all(|p| p.exists()));
        // Nothing more to remove.
        assert_eq!(cache.prune(SystemTime::now()), 0);
        // A month on, the kept file has not been used for too long.
        let later = SystemTime::now() + Duration::from_secs(3 * 24 * 3600);
        assert_eq!(cache.prune(later), 1);
        assert!(!files[0].1.exists());
    }

    #[test]
    fn reading_a_cache_file_touches_it() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (cache, path, file) = cached(dir.path(), home.path());
        age(&file, 10);
        let before = modified(&file);
        assert_eq!(indexed(&cache, &path).2, CacheUse::Read);
        let touched = modified(&file);
        assert!(touched > before + Duration::from_secs(9 * 24 * 3600));
        // Read again within a day: not touched again.
        assert_eq!(indexed(&cache, &path).2, CacheUse::Read);
        assert_eq!(modified(&file), touched);
        // A file that is not current is not touched.
        age(&file, 10);
        let before = modified(&file);
        rewrite_keeping_time(dir.path(), "The train hit the coast.");
        let tm = load(&path);
        assert!(read(&file, &tm.content_key(), &tm).is_none());
        assert_eq!(modified(&file), before);
    }

    #[test]
    fn a_damaged_cache_file_is_rebuilt() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (cache, path, file) = cached(dir.path(), home.path());
        let bytes = std::fs::read(&file).unwrap();
        for damaged in [
            bytes[..bytes.len() / 2].to_vec(),
            b"garbage".to_vec(),
            [&bytes[..60], &[0xff; 64][..], &bytes[124..]].concat(),
        ] {
            std::fs::write(&file, damaged).unwrap();
            let (tm, index, used) = indexed(&cache, &path);
            assert_eq!(used, CacheUse::Built);
            assert_current(
                tm,
                index,
                "The storm hit the coast",
                "The storm hit the coast.",
            );
            assert_eq!(std::fs::read(&file).unwrap(), bytes);
        }
        // Any byte changed: never read.
        for at in (0..bytes.len()).step_by(bytes.len() / 150) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            std::fs::write(&file, damaged).unwrap();
            assert_eq!(indexed(&cache, &path).2, CacheUse::Built, "byte {at}");
        }
    }

    #[test]
    fn a_cache_folder_that_cannot_be_written_just_means_no_cache() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = memory(dir.path(), "The storm hit the coast.", 40);
        // A folder that cannot be made (a file is in the way) ...
        let blocker = home.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let mut unwritable = vec![blocker.join("tmkit")];
        // ... and a read-only one (which root writes anyway).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let locked = home.path().join("locked");
            std::fs::create_dir(&locked).unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
            if tempfile::tempfile_in(&locked).is_err() {
                unwritable.extend([locked.clone(), locked.join("tmkit")]);
            }
        }
        for folder in unwritable {
            let cache = IndexCache::new(&folder).with_min_entries(10);
            for _ in 0..2 {
                let (tm, index, used) = indexed(&cache, &path);
                assert_eq!(used, CacheUse::Built, "{}", folder.display());
                assert_current(
                    tm,
                    index,
                    "The storm hit the coast",
                    "The storm hit the coast.",
                );
            }
            assert!(cache_files(&cache).is_empty());
        }
    }

    #[test]
    fn small_memories_and_other_pairs_are_kept_apart() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = memory(dir.path(), "The storm hit the coast.", 40);
        let cache = IndexCache::new(home.path()).with_min_entries(41);
        assert_eq!(indexed(&cache, &path).2, CacheUse::Small);
        assert!(cache_files(&cache).is_empty());
        let de = LanguagePair::new("en".parse().unwrap(), "de".parse().unwrap());
        assert_ne!(
            cache.path_for(&pair(), std::slice::from_ref(&path)),
            cache.path_for(&de, std::slice::from_ref(&path))
        );
        // A relative path names the same file as its absolute one.
        let here = std::env::current_dir().unwrap();
        let relative = pathdiff(&path, &here);
        assert_eq!(
            cache.path_for(&pair(), &[relative]),
            cache.path_for(&pair(), &[path])
        );
    }

    /// `path` relative to `base` (both absolute), through `..` as needed.
    fn pathdiff(path: &Path, base: &Path) -> PathBuf {
        let common = path
            .components()
            .zip(base.components())
            .take_while(|(a, b)| a == b)
            .count();
        let mut out = PathBuf::new();
        for _ in base.components().skip(common) {
            out.push("..");
        }
        for c in path.components().skip(common) {
            out.push(c);
        }
        out
    }

    #[test]
    fn cache_file_names_are_kept_across_formats() {
        // The name main's TMKFCI02 gave: a newer format replaces the older
        // file in place instead of leaving it to be pruned.
        let spec = PathBuf::from("/no/such/memory.tsv");
        let mut hashes = StableHash::new();
        hashes.write(spec.as_os_str().as_encoded_bytes());
        hashes.write(&[0]);
        hashes.write(b"en\tfr");
        let [a, b] = hashes.finish();
        let cache = IndexCache::new("/cache");
        assert_eq!(
            cache.path_for(&pair(), &[spec]),
            Path::new(&format!("/cache/{a:016x}{b:016x}.fzc"))
        );
    }

    #[test]
    fn the_user_cache_folder_follows_xdg() {
        // Only reads the environment: the folder is the variable's, plus tmkit.
        if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| Path::new(v).is_absolute())
        {
            assert_eq!(user_cache_dir(), Some(PathBuf::from(xdg).join("tmkit")));
        } else if let Some(home) = std::env::var_os("HOME").filter(|v| Path::new(v).is_absolute()) {
            assert_eq!(
                user_cache_dir(),
                Some(PathBuf::from(home).join(".cache").join("tmkit"))
            );
        }
    }

    impl KeyFeed for Vec<u8> {
        fn feed(&mut self, bytes: &[u8]) {
            self.extend_from_slice(bytes);
        }
    }

    /// A change date of 256 bytes had its length fed to the key as a `u8`
    /// (0): the bytes could not tell where it ended, and this memory's were
    /// another's (an empty date, then an entry made of the long date's
    /// bytes). The hasher happened to tell the two apart; the bytes now do.
    #[test]
    fn a_long_change_date_cannot_pass_for_the_next_entry() {
        let entry = |source: &str, date: Option<&str>| Entry {
            source: source.into(),
            target: "t".into(),
            tuid: None,
            changedate: date.map(str::to_string),
            source_codes: 0,
            origin: Origin {
                file: 0,
                position: 1,
                unit: PositionUnit::Line,
            },
        };
        let filler = "y".repeat(248);
        // What the second memory's second entry hashes as: its length (256
        // as a u64), its text, its code count and no date...
        let long_source = format!("{filler}{}", "\0".repeat(8));
        // ... is the first memory's date, then its second entry (empty).
        let long_date = format!("\0\u{1}\0\0\0\0\0\0{filler}");
        assert_eq!(long_date.len(), 256);
        let memory = |entries: [Entry; 2]| {
            let mut tm = MemoryTm::new(pair());
            tm.add_file("m.tmx").unwrap();
            for e in entries {
                tm.push(e);
            }
            tm
        };
        let a = memory([entry("a", Some(&long_date)), entry("", None)]);
        let b = memory([entry("a", Some("")), entry(&long_source, None)]);
        let fed = |tm: &MemoryTm| {
            let mut bytes = Vec::new();
            hash_entries(&mut bytes, tm);
            bytes
        };
        assert_ne!(fed(&a), fed(&b));
        assert_ne!(a.content_key(), b.content_key());
    }
}
