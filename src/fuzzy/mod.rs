//! The CAT-style fuzzy match score and an exact top-k retrieval index.
//!
//! - [`score`](mod@score): the match percentage (word edits, bit-parallel, less
//!   listed penalty points; `docs/SCORING.md` defines it).
//! - [`vocab`]: token interning to dense ids.
//! - [`index`]: candidate retrieval that returns exactly the k best segments.
//! - [`diff`]: word diffs of a memory source against a query.
//! - [`adapt`]: the penalties behind a score, number auto-propagation.
//! - [`numbers`]: decimal marks and thousands separators per language.
//! - [`analysis`]: the match-band report that translation work is quoted from.
//! - [`report`]: that report as one self-contained HTML page.
//!
//! [`Matcher`] joins a [`TranslationMemory`] and its [`FuzzyIndex`]:
//!
//! ```
//! use tmkit::fuzzy::{MatchOptions, Matcher};
//! use tmkit::tm::{LanguagePair, MemoryTm, parse_tsv};
//!
//! let mut tm = MemoryTm::new(LanguagePair::new("en".parse()?, "fr".parse()?));
//! let file = tm.add_file("memory.tsv")?;
//! let mut entries = Vec::new();
//! parse_tsv("The red car.\tLa voiture rouge.\nThe cat.\tLe chat.\n", None, file, &mut entries)?;
//! entries.into_iter().for_each(|e| tm.push(e));
//!
//! let matcher = Matcher::new(tm);
//! let mut session = matcher.session();
//! let matches = session.lookup("The blue car", &MatchOptions::default());
//! assert_eq!(matches[0].score, 65); // one word of three changed, "." missing
//! assert_eq!(matches[0].penalties[0].detail, "\".\" removed");
//! assert_eq!(matches[0].entry.target, "La voiture rouge.");
//! # Ok::<(), tmkit::Error>(())
//! ```

use std::borrow::Cow;

pub mod adapt;
pub mod analysis;
mod ascii;
pub mod diff;
pub mod index;
pub mod json;
pub mod numbers;
pub mod report;
pub mod score;
pub mod vocab;

pub use adapt::{Assessment, Penalty, PenaltyKind, assess};
pub use diff::{DiffKind, DiffPart, diff_words};
pub use index::{FuzzyIndex, IndexHit, IndexOptions, Query, SearchParams, Searcher, TokenChunk};
pub use score::{Pattern, TokenSets, levenshtein, score, score_with_codes};
pub use vocab::Vocabulary;
/// Exact matches a 101% check examines, first in the matcher's tie order.
pub const CONTEXT_EXACT_MATCHES: usize = 64;

use crate::tm::{Entry, EntryId, LanguagePair, MemoryTm, TranslationMemory};

/// What a lookup returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchOptions {
    /// Lowest score returned (0–100).
    pub min_score: u8,
    /// Most matches returned per query.
    pub max_results: usize,
    /// Score every segment instead of using the index (same results; a baseline).
    pub exhaustive: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            min_score: 50,
            max_results: 5,
            exhaustive: false,
        }
    }
}

/// One suggestion from the memory.
#[derive(Debug, Clone)]
pub struct Match<'a> {
    /// The match percentage (101 for an exact match in context, see
    /// [`MatchSession::in_context`]).
    pub score: u8,
    /// Which entry.
    pub entry_id: EntryId,
    /// The entry.
    pub entry: Cow<'a, Entry>,
    /// The points taken off besides word edits, each with its reason.
    pub penalties: Vec<Penalty>,
    /// The target with the query's numbers in the target language's convention.
    pub adapted_target: Option<String>,
}

/// A memory and its index.
pub struct Matcher<T> {
    tm: T,
    index: FuzzyIndex,
}

impl<T: TranslationMemory> Matcher<T> {
    /// Indexes `tm` (on all cores).
    pub fn new(tm: T) -> Self {
        let index = FuzzyIndex::build(&tm);
        Matcher { tm, index }
    }

    /// Joins `tm` with an index built from it earlier (a store keeps its
    /// index on disk: see [`FuzzyIndex::from_bytes`]). The index must hold
    /// exactly `tm`'s sources in entry order, as [`FuzzyIndex::build`] makes it.
    pub fn with_index(tm: T, index: FuzzyIndex) -> crate::Result<Self> {
        if index.len() != tm.len() {
            return Err(crate::Error::Usage(format!(
                "the index holds {} segments, the memory {}",
                index.len(),
                tm.len()
            )));
        }
        Ok(Matcher { tm, index })
    }

    /// The memory and its index, taken apart.
    pub fn into_parts(self) -> (T, FuzzyIndex) {
        (self.tm, self.index)
    }

    /// The memory.
    pub fn memory(&self) -> &T {
        &self.tm
    }

    /// The index.
    pub fn index(&self) -> &FuzzyIndex {
        &self.index
    }

    /// A lookup session (per thread: it owns the search scratch space).
    pub fn session(&self) -> MatchSession<'_, T> {
        MatchSession {
            matcher: self,
            searcher: self.index.searcher(),
        }
    }
}

impl Matcher<MemoryTm> {
    /// Loads memory files (see [`MemoryTm::load`]) and indexes them,
    /// tokenizing on a second thread while the files are still being read;
    /// TSV files are parsed and tokenized in one pass, piece by piece, on
    /// all cores.
    pub fn load(pair: LanguagePair, paths: &[std::path::PathBuf]) -> crate::Result<Self> {
        Self::load_files(pair, &crate::tm::MemoryFiles::find(paths)?)
    }

    /// [`Matcher::load`] of files already found.
    pub fn load_files(pair: LanguagePair, files: &crate::tm::MemoryFiles) -> crate::Result<Self> {
        /// What the reader hands the tokenizer, in entry order.
        enum Batch {
            /// Sources still to tokenize.
            Sources(Vec<String>),
            /// A TSV file's pieces, tokenized as they were parsed.
            Tokenized(Vec<TokenChunk>),
        }
        let (tm, chunks) = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(8);
            let tokenizer = scope.spawn(move || {
                use rayon::prelude::*;
                // Blocking receives stay on this thread (a rayon worker waiting
                // on the channel could starve the reader's own parallel work);
                // whatever has arrived is tokenized on all free cores.
                let mut chunks = Vec::new();
                while let Ok(first) = rx.recv() {
                    let mut sources = Vec::new();
                    for batch in std::iter::once(first).chain(rx.try_iter()) {
                        match batch {
                            Batch::Sources(s) => sources.push(s),
                            Batch::Tokenized(ready) => {
                                chunks.par_extend(sources.par_drain(..).map(tokenize));
                                chunks.extend(ready);
                            }
                        }
                    }
                    chunks.par_extend(sources.par_drain(..).map(tokenize));
                }
                chunks
            });
            let tx_ready = tx.clone();
            let tm = MemoryTm::load_with(
                pair,
                files,
                index::BUILD_CHUNK,
                &mut |entries| {
                    let sources = entries.iter().map(|e| e.source.clone()).collect();
                    // The receiver only stops when this thread has stopped sending.
                    let _ = tx.send(Batch::Sources(sources));
                },
                Some(crate::tm::TsvPrepare {
                    prepare: &|entries: &[crate::tm::Entry]| {
                        TokenChunk::of(entries.iter().map(|e| e.source.as_str()))
                    },
                    on_prepared: &mut |ready| {
                        let _ = tx_ready.send(Batch::Tokenized(ready));
                    },
                }),
            );
            drop((tx, tx_ready));
            let chunks = tokenizer.join().unwrap_or_default();
            tm.map(|tm| (tm, chunks))
        })?;
        let index = FuzzyIndex::from_chunks(&tm, chunks, IndexOptions::default())?;
        Ok(Matcher { tm, index })
    }
}

/// Tokenizes a run of sources for the index.
fn tokenize(sources: Vec<String>) -> TokenChunk {
    TokenChunk::of(sources.iter().map(String::as_str))
}

/// Looks up queries against a [`Matcher`], reusing buffers between queries.
pub struct MatchSession<'a, T> {
    matcher: &'a Matcher<T>,
    searcher: Searcher<'a>,
}

impl<'a, T: TranslationMemory> MatchSession<'a, T> {
    /// The best entries for `query` (retrieval only: scores, no penalties).
    pub fn best<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        options: &MatchOptions,
    ) -> Vec<IndexHit> {
        self.best_before(query, options, EntryId::MAX)
    }

    /// [`MatchSession::best`] among the entries numbered below `before`.
    pub fn best_before<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        options: &MatchOptions,
        before: EntryId,
    ) -> Vec<IndexHit> {
        let query = query.into();
        let tm = &self.matcher.tm;
        let source_is = |id: EntryId| {
            tm.entry(id)
                .is_some_and(|e| e.source == query.text && e.source_codes == query.codes)
        };
        let params = SearchParams {
            k: options.max_results,
            min_score: options.min_score,
        };
        if options.exhaustive {
            self.searcher
                .search_exhaustive_before(query, params, &source_is, before)
        } else {
            self.searcher
                .search_before(query, params, &source_is, before)
        }
    }

    /// The memory this session looks up.
    pub fn memory(&self) -> &'a T {
        &self.matcher.tm
    }

    /// The search statistics of the last query: (postings read, segments scored).
    pub fn last_work(&self) -> (usize, usize) {
        (self.searcher.last_scanned(), self.searcher.last_verified())
    }

    /// The best entries for `query`, with penalties and adapted targets.
    ///
    /// A hit whose entry no longer gives the index's score is stale (a memory
    /// read live from a store whose unit changed after the index was built)
    /// and is left out; the index is then asked for as many more, so up to
    /// `max_results` current matches still come back.
    pub fn lookup<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        options: &MatchOptions,
    ) -> Vec<Match<'a>> {
        let query = query.into();
        let tm: &'a T = &self.matcher.tm;
        let mut asked = *options;
        loop {
            let hits = self.best(query, &asked);
            tm.prefetch(&hits.iter().map(|h| h.entry).collect::<Vec<_>>());
            let found = hits.len();
            let mut stale = 0;
            let mut matches: Vec<Match<'a>> = hits
                .into_iter()
                .filter_map(|hit| {
                    let entry = tm.entry(hit.entry)?;
                    let a = assess(
                        query,
                        &entry.source,
                        entry.source_codes,
                        &entry.target,
                        tm.pair(),
                    );
                    if a.score != hit.score {
                        // Only an entry read live (owned) can have changed
                        // under the index; one borrowed from the memory
                        // itself disagreeing is a bug.
                        debug_assert!(
                            matches!(entry, Cow::Owned(_)),
                            "{:?} vs {:?}: {} vs {}",
                            query,
                            entry.source,
                            a.score,
                            hit.score
                        );
                        stale += 1;
                        return None;
                    }
                    let mut penalties = a.penalties;
                    let mut score = hit.score;
                    if let Some(f) = tm.region_fallback(hit.entry) {
                        // Another region's text is not the asked one: one
                        // point, as every other listed difference, so a
                        // fr-FR target is no exact match in a fr-CA job.
                        score = score.saturating_sub(1);
                        penalties.push(Penalty::new(
                            PenaltyKind::RegionFallback,
                            1,
                            f.describe(tm.pair()),
                        ));
                    }
                    if score < options.min_score {
                        return None;
                    }
                    Some(Match {
                        score,
                        entry_id: hit.entry,
                        entry,
                        penalties,
                        adapted_target: a.adapted_target,
                    })
                })
                .collect();
            // Hits come in the same order however many are asked for, so
            // asking for `max_results` plus the stale ones seen gives the
            // next current ones; that count grows on each round.
            // A region fallback's point may put a match below the next.
            matches.sort_by_key(|m| std::cmp::Reverse(m.score));
            if stale == 0 || found < asked.max_results || found - stale >= options.max_results {
                matches.truncate(options.max_results);
                return matches;
            }
            asked.max_results = options.max_results.saturating_add(stale);
        }
    }

    /// True when one of the memory's exact (100%) matches for `segment`
    /// follows, in the same memory file, an entry whose source is `previous`:
    /// the memory translated this sentence in the same place of a document
    /// (a 101% context match).
    pub fn in_context(&mut self, segment: &str, previous: &str) -> bool {
        let exact = MatchOptions {
            min_score: 100,
            max_results: CONTEXT_EXACT_MATCHES,
            exhaustive: false,
        };
        let tm = self.memory();
        self.best(segment, &exact).iter().any(|hit| {
            let (Some(entry), Some(before)) = (
                tm.entry(hit.entry),
                hit.entry.checked_sub(1).and_then(|p| tm.entry(p)),
            ) else {
                return false;
            };
            before.origin.file == entry.origin.file && before.source.trim() == previous.trim()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder memory whose TSV is parsed in several pieces: loading with
    /// the index built piece by piece gives the entries and the index that
    /// loading first and indexing after gives, byte for byte.
    #[test]
    fn load_indexes_tsv_pieces_as_a_whole_build_does() {
        let dir = tempfile::tempdir().unwrap();
        let words = [
            "the", "Cat", "sat", "on", "mat", "déjà", "vu", "3.9", "Tom's", "東京",
        ];
        let mut tsv = String::from("en\tfr\n");
        for i in 0..6000usize {
            let n = 1 + i % 9;
            let s: Vec<&str> = (0..n)
                .map(|k| words[(i * 7 + k * 3) % words.len()])
                .collect();
            let end = if i % 13 == 0 { "\r\n\n" } else { "\n" };
            tsv.push_str(&format!("{} {i}.\tt{i}{end}", s.join(" ")));
        }
        assert!(tsv.len() > 3 * (64 << 10));
        std::fs::write(dir.path().join("a.tsv"), &tsv).unwrap();
        std::fs::write(
            dir.path().join("b.tmx"),
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\
             <tu><tuv xml:lang=\"en\"><seg>The cat sat.</seg></tuv><tuv xml:lang=\"fr\"><seg>Le chat.</seg></tuv></tu>\
             </body></tmx>",
        )
        .unwrap();
        std::fs::write(dir.path().join("c.tsv"), "On the mat.\tSur le tapis.\n").unwrap();
        let pair = LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap());
        let paths = [dir.path().to_path_buf()];
        let loaded = Matcher::load(pair.clone(), &paths).unwrap();
        let whole = MemoryTm::load(pair, &paths).unwrap();
        assert_eq!(loaded.memory().entries(), whole.entries());
        assert_eq!(whole.len(), 6002, "the header row is left out");
        assert_eq!(whole.entries()[0].origin.position, 2);
        let built = Matcher::new(whole);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        loaded.index().write_to(&mut a).unwrap();
        built.index().write_to(&mut b).unwrap();
        assert!(a == b, "the indexes differ");
        let options = MatchOptions::default();
        let entries = built.memory().entries();
        let queries = [
            entries[100].source.clone(),
            format!("{} mat", entries[2000].source),
            "On the mat.".to_string(),
        ];
        for query in &queries {
            let ids = |m: &Matcher<MemoryTm>| -> Vec<(EntryId, u8)> {
                let mut session = m.session();
                let hits = session.lookup(query.as_str(), &options);
                hits.iter().map(|h| (h.entry_id, h.score)).collect()
            };
            assert_eq!(ids(&loaded), ids(&built), "{query}");
            assert!(!ids(&loaded).is_empty(), "{query}: {:?}", ids(&loaded));
        }
    }

    /// A memory read live, like a store's: entries are copied out, and a
    /// source may be edited after the index was built from it.
    struct LiveTm {
        tm: MemoryTm,
        edited: std::sync::Mutex<std::collections::HashMap<EntryId, String>>,
    }

    impl TranslationMemory for LiveTm {
        fn pair(&self) -> &LanguagePair {
            self.tm.pair()
        }

        fn len(&self) -> usize {
            self.tm.len()
        }

        fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
            let mut entry = self.tm.entry(id)?.into_owned();
            if let Some(source) = self.edited.lock().unwrap().get(&id) {
                entry.source = source.clone();
            }
            Some(Cow::Owned(entry))
        }

        fn describe_origin(&self, origin: &crate::tm::Origin) -> String {
            self.tm.describe_origin(origin)
        }
    }

    /// A live memory of three entries (two near-identical, in one file),
    /// with a matcher over it.
    fn live_matcher() -> Matcher<LiveTm> {
        let pair = LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap());
        let mut tm = MemoryTm::new(pair);
        let file = tm.add_file("memory.tsv").unwrap();
        let mut entries = Vec::new();
        let tsv = "The red car is fast.\tLa voiture rouge est rapide.\n\
                   The red car is slow.\tLa voiture rouge est lente.\n\
                   The cat sat.\tLe chat.\n";
        crate::tm::parse_tsv(tsv, None, file, &mut entries).unwrap();
        entries.into_iter().for_each(|e| tm.push(e));
        Matcher::new(LiveTm {
            tm,
            edited: Default::default(),
        })
    }

    /// A source edited under the index is not a 101% context match either,
    /// though the entry before it is still the previous segment: a 100 is
    /// only given when the live source is the segment itself (`best`'s
    /// `source_is`), so `in_context` needs no stale check of its own.
    #[test]
    fn an_entry_edited_under_the_index_is_not_in_context() {
        let matcher = live_matcher();
        let (segment, previous) = ("The red car is slow.", "The red car is fast.");
        assert!(matcher.session().in_context(segment, previous));
        matcher
            .memory()
            .edited
            .lock()
            .unwrap()
            .insert(1, "A new sentence about boats.".to_string());
        assert!(!matcher.session().in_context(segment, previous));
    }

    /// A source edited under the index: the entry no longer gives the
    /// index's score, so it is left out (no debug assertion), and the next
    /// current match fills its place.
    #[test]
    fn an_entry_edited_under_the_index_is_left_out() {
        let matcher = live_matcher();
        let one = MatchOptions {
            max_results: 1,
            ..MatchOptions::default()
        };
        let query = "The red car is fast.";
        let ids = |options: &MatchOptions| -> Vec<(EntryId, u8)> {
            let mut session = matcher.session();
            let found = session.lookup(query, options);
            found.iter().map(|m| (m.entry_id, m.score)).collect()
        };
        assert_eq!(ids(&one), [(0, 100)]);
        let edited = "A new sentence about boats.";
        matcher
            .memory()
            .edited
            .lock()
            .unwrap()
            .insert(0, edited.to_string());
        let fresh = ids(&one);
        assert_eq!(fresh.len(), 1, "{fresh:?}");
        assert_eq!(fresh[0].0, 1, "{fresh:?}");
        let mut session = matcher.session();
        for m in session.lookup(query, &MatchOptions::default()) {
            assert_ne!(m.entry_id, 0);
            let a = assess(
                query.into(),
                &m.entry.source,
                m.entry.source_codes,
                &m.entry.target,
                matcher.memory().pair(),
            );
            assert_eq!(a.score, m.score, "{:?}", m.entry.source);
        }
    }
}
