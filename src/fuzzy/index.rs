//! Exact top-k retrieval: the k memory segments with the best scores for a
//! query, the same as scoring every segment, without scoring every segment.
//!
//! Layout (flat arrays of ids and offsets, so it can later be written to disk
//! or rebuilt from a store):
//! - segments are renumbered by token count (then memory order); `tokens` and
//!   `token_offsets` hold their interned tokens, `length_starts[l]` is the first
//!   segment with at least `l` tokens;
//! - `postings` / `posting_offsets`: for each token id, the segments holding it,
//!   ascending, so the part of a list inside a length window is one binary search;
//! - `exact_hashes`, `exact_segs`: hashes of the token sequences, sorted, and
//!   their segments, for 100%/99% matches;
//! - `aux` / `aux_offsets`: each segment's numbers, then its punctuation, and
//!   `codes` its inline-code count: what the penalty points are computed from.
//!
//! Tokens here are the *scored* tokens of [`TokenSets`] (words, as a rule).
//! The score is the word score less penalty points, so a segment reaching `t`
//! has a word score of at least `t`: every filter below is a necessary
//! condition on the word score and stays exact for the full score.
//!
//! A search keeps the k best so far; the threshold `t` is `--min` until k are
//! found, then the k-th best score. A segment of `n` tokens can score `t`
//! against a query of `m` tokens only if
//! - `ceil(t*m/100) <= n <= floor(100*m/t)` (length filter, from the floor formula);
//! - it shares at least `c = ceil(t*m/100)` tokens with the query (count filter:
//!   `lev >= max(m, n) - shared`), so it holds one of the query's `m - c + 1`
//!   rarest tokens (prefix filter).
//!
//! Candidates come from the posting lists of the rarest query tokens; each is
//! verified with the bit-parallel distance cut off at the largest distance that
//! still reaches `t`. As `t` rises the prefix and the window shrink.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::score::{Pattern, TokenSets, combine, max_distance_for, word_score};
use super::vocab::{UNKNOWN_TOKEN, Vocabulary};
use crate::tm::{EntryId, TranslationMemory};

mod persist;

/// One retrieved segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexHit {
    /// The memory entry.
    pub entry: EntryId,
    /// Its score against the query.
    pub score: u8,
}

/// The retrieval index over a memory's source segments.
#[derive(Debug, Clone, Default)]
pub struct FuzzyIndex {
    vocab: Vocabulary,
    /// Internal segment → memory entry.
    entry_of: Vec<u32>,
    /// Internal segment → place in the tie order (newest changedate first, then memory order).
    tie_rank: Vec<u32>,
    token_offsets: Vec<u32>,
    tokens: Vec<u32>,
    length_starts: Vec<u32>,
    posting_offsets: Vec<u32>,
    postings: Vec<u32>,
    /// Sorted hashes of the segments' token sequences, and (at the same
    /// place) their segments: two arrays, read from disk as they are.
    exact_hashes: Vec<u64>,
    exact_segs: Vec<u32>,
    /// Segment `s`'s numbers are `aux[aux_offsets[2s]..aux_offsets[2s+1]]`,
    /// its punctuation `aux[aux_offsets[2s+1]..aux_offsets[2s+2]]`.
    aux_offsets: Vec<u32>,
    aux: Vec<u32>,
    /// Inline codes per segment.
    codes: Vec<u16>,
    /// Tokens held by many segments get a bitset over internal segments
    /// instead of being read posting by posting: `bitset_of[token]` is its
    /// row in `bits` (`u32::MAX` for none), each row `bit_words` long.
    bitset_of: Vec<u32>,
    bits: Vec<u64>,
    bit_words: usize,
}

/// How the index is built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexOptions {
    /// Tokens in at least this many segments are kept as bitsets too
    /// (default: a 32nd of the segments, at least 256).
    pub bitset_min_df: Option<usize>,
}

/// Segments tokenized per parallel work unit while building.
pub const BUILD_CHUNK: usize = 16 * 1024;

/// Consecutive memory sources, tokenized and interned into a vocabulary of
/// their own (merged when the index is assembled), so chunks can be made on
/// any thread, in any order of completion.
#[derive(Debug, Clone, Default)]
pub struct TokenChunk {
    vocab: Vocabulary,
    tokens: Vec<u32>,
    lens: Vec<u32>,
    /// Numbers then punctuation of each source, and their two lengths.
    aux: Vec<u32>,
    aux_lens: Vec<(u32, u32)>,
    sets: TokenSets,
}

impl TokenChunk {
    /// Tokenizes `sources`, in order.
    pub fn of<'a>(sources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut chunk = TokenChunk::default();
        for s in sources {
            chunk.push(s);
        }
        chunk
    }

    /// Appends one source.
    pub fn push(&mut self, source: &str) {
        let sets = &mut self.sets;
        self.vocab.intern_sets(source, sets);
        self.tokens.extend_from_slice(&sets.scored);
        self.lens.push(sets.scored.len() as u32);
        self.aux.extend_from_slice(&sets.numbers);
        self.aux.extend_from_slice(&sets.punctuation);
        self.aux_lens
            .push((sets.numbers.len() as u32, sets.punctuation.len() as u32));
    }

    /// Number of sources in the chunk.
    pub fn len(&self) -> usize {
        self.lens.len()
    }

    /// True when the chunk holds no source.
    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
}

impl FuzzyIndex {
    /// Indexes the source side of every entry of `tm`, using all cores.
    pub fn build<T: TranslationMemory + ?Sized>(tm: &T) -> FuzzyIndex {
        Self::build_with(tm, IndexOptions::default())
    }

    /// [`FuzzyIndex::build`] with options.
    pub fn build_with<T: TranslationMemory + ?Sized>(tm: &T, options: IndexOptions) -> FuzzyIndex {
        let n = tm.len();
        let starts: Vec<usize> = (0..n).step_by(BUILD_CHUNK).collect();
        let chunks: Vec<TokenChunk> = starts
            .par_iter()
            .map(|&start| {
                let end = (start + BUILD_CHUNK).min(n);
                let mut chunk = TokenChunk::default();
                for id in start..end {
                    chunk.push(tm.source(id as EntryId).as_deref().unwrap_or_default());
                }
                chunk
            })
            .collect();
        Self::assemble(tm, chunks, options)
    }

    /// Builds the index from the memory's sources already tokenized in
    /// order, chunk by chunk (see [`TokenChunk`]): how a loader tokenizes
    /// while it is still reading. The chunks must hold exactly the memory's
    /// sources, in entry order.
    pub fn from_chunks<T: TranslationMemory + ?Sized>(
        tm: &T,
        chunks: Vec<TokenChunk>,
        options: IndexOptions,
    ) -> crate::Result<FuzzyIndex> {
        let tokenized: usize = chunks.iter().map(|c| c.lens.len()).sum();
        if tokenized != tm.len() {
            return Err(crate::Error::Usage(format!(
                "index chunks hold {tokenized} segments, the memory {}",
                tm.len()
            )));
        }
        Ok(Self::assemble(tm, chunks, options))
    }

    fn assemble<T: TranslationMemory + ?Sized>(
        tm: &T,
        chunks: Vec<TokenChunk>,
        options: IndexOptions,
    ) -> FuzzyIndex {
        let n = tm.len();
        let mut chunks: Vec<TokenChunk> = chunks;
        let mut vocab = Vocabulary::default();
        let remaps: Vec<Vec<u32>> = chunks
            .iter()
            .map(|c| {
                (0..c.vocab.len() as u32)
                    .map(|i| vocab.intern(c.vocab.token(i).unwrap_or_default()))
                    .collect()
            })
            .collect();
        chunks
            .par_iter_mut()
            .zip(remaps.par_iter())
            .for_each(|(c, remap)| {
                for t in c.tokens.iter_mut().chain(c.aux.iter_mut()) {
                    *t = remap[*t as usize];
                }
            });

        // Entry-order offsets, then renumber by (length, entry).
        let mut lens: Vec<u32> = Vec::with_capacity(n);
        let mut entry_tokens: Vec<u32> = Vec::new();
        let mut entry_aux: Vec<u32> = Vec::new();
        let mut aux_lens: Vec<(u32, u32)> = Vec::with_capacity(n);
        for c in chunks {
            lens.extend_from_slice(&c.lens);
            aux_lens.extend_from_slice(&c.aux_lens);
            entry_aux.extend_from_slice(&c.aux);
            if entry_tokens.is_empty() {
                entry_tokens = c.tokens;
            } else {
                entry_tokens.extend_from_slice(&c.tokens);
            }
        }
        let mut entry_offsets = Vec::with_capacity(n + 1);
        let mut acc = 0u32;
        entry_offsets.push(0);
        for &l in &lens {
            acc += l;
            entry_offsets.push(acc);
        }
        let max_len = lens.iter().copied().max().unwrap_or(0) as usize;
        let mut length_starts = vec![0u32; max_len + 2];
        for &l in &lens {
            length_starts[l as usize + 1] += 1;
        }
        for l in 1..length_starts.len() {
            length_starts[l] += length_starts[l - 1];
        }
        let mut cursor = length_starts.clone();
        let mut entry_of = vec![0u32; n];
        for (entry, &l) in lens.iter().enumerate() {
            let slot = &mut cursor[l as usize];
            entry_of[*slot as usize] = entry as u32;
            *slot += 1;
        }
        let mut token_offsets = Vec::with_capacity(n + 1);
        let mut tokens = Vec::with_capacity(entry_tokens.len());
        token_offsets.push(0u32);
        for &e in &entry_of {
            let (a, b) = (
                entry_offsets[e as usize] as usize,
                entry_offsets[e as usize + 1] as usize,
            );
            tokens.extend_from_slice(&entry_tokens[a..b]);
            token_offsets.push(tokens.len() as u32);
        }
        drop(entry_tokens);
        let (aux_offsets, aux) = reorder_aux(&entry_of, &aux_lens, &entry_aux);
        drop(entry_aux);
        let codes: Vec<u16> = entry_of.par_iter().map(|&e| tm.source_codes(e)).collect();

        let tie_rank = tie_ranks(tm, &entry_of);
        let (posting_offsets, postings) = build_postings(vocab.len(), &token_offsets, &tokens);
        let mut exact: Vec<(u64, u32)> = (0..n)
            .into_par_iter()
            .map(|s| {
                let seg = &tokens[token_offsets[s] as usize..token_offsets[s + 1] as usize];
                (hash_tokens(seg), s as u32)
            })
            .collect();
        exact.par_sort_unstable();
        let (exact_hashes, exact_segs) = exact.into_iter().unzip();

        let min_df = options.bitset_min_df.unwrap_or((n / 32).max(256)).max(1);
        let bit_words = n.div_ceil(64);
        let mut bitset_of = vec![u32::MAX; vocab.len()];
        let mut bits: Vec<u64> = Vec::new();
        for (tok, row) in bitset_of.iter_mut().enumerate() {
            let list = &postings[posting_offsets[tok] as usize..posting_offsets[tok + 1] as usize];
            if list.len() >= min_df {
                // One row per level: segments holding the token at least 1, 2, ... times.
                *row = (bits.len() / bit_words.max(1)) as u32;
                let base = bits.len();
                bits.resize(base + BIT_LEVELS * bit_words, 0);
                for run in list.chunk_by(|x, y| x == y) {
                    let s = run[0] as usize;
                    for level in 0..run.len().min(BIT_LEVELS) {
                        bits[base + level * bit_words + s / 64] |= 1u64 << (s % 64);
                    }
                }
            }
        }

        FuzzyIndex {
            vocab,
            entry_of,
            tie_rank,
            token_offsets,
            tokens,
            length_starts,
            posting_offsets,
            postings,
            exact_hashes,
            exact_segs,
            aux_offsets,
            aux,
            codes,
            bitset_of,
            bits,
            bit_words,
        }
    }

    /// Number of indexed segments.
    pub fn len(&self) -> usize {
        self.entry_of.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entry_of.is_empty()
    }

    /// The token vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Approximate heap bytes held by the index.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.entry_of.len()
            + self.tie_rank.len()
            + self.token_offsets.len()
            + self.tokens.len()
            + self.length_starts.len()
            + self.posting_offsets.len()
            + self.postings.len())
            + 4 * (self.aux_offsets.len() + self.aux.len())
            + 2 * self.codes.len()
            + 12 * self.exact_hashes.len()
            + 8 * self.bits.len()
    }

    /// A searcher: per-thread scratch space for queries against this index.
    /// Its per-segment tables are allocated and touched here, so the first
    /// query does not pay for page faults.
    pub fn searcher(&self) -> Searcher<'_> {
        let mut visited = vec![0u32; self.len()];
        visited.fill(0);
        let mut slot = vec![0u32; self.len()];
        slot.fill(0);
        Searcher {
            index: self,
            visited,
            epoch: 0,
            pattern: Pattern::default(),
            number_pattern: Pattern::default(),
            punctuation_pattern: Pattern::default(),
            sets: TokenSets::default(),
            query_codes: 0,
            before: EntryId::MAX,
            order: Vec::new(),
            top: Vec::new(),
            verified: 0,
            scanned: 0,
            slot,
            touched: Vec::new(),
            counts: Vec::new(),
            histogram: Vec::new(),
            by_count: Vec::new(),
            slices: Vec::new(),
        }
    }

    #[inline]
    fn segment(&self, s: u32) -> &[u32] {
        let s = s as usize;
        &self.tokens[self.token_offsets[s] as usize..self.token_offsets[s + 1] as usize]
    }

    #[inline]
    fn postings_of(&self, token: u32) -> &[u32] {
        let t = token as usize;
        &self.postings[self.posting_offsets[t] as usize..self.posting_offsets[t + 1] as usize]
    }

    #[inline]
    fn doc_freq(&self, token: u32) -> u32 {
        let t = token as usize;
        self.posting_offsets[t + 1] - self.posting_offsets[t]
    }

    /// The numbers and the punctuation of segment `s`.
    #[inline]
    fn aux_of(&self, s: u32) -> (&[u32], &[u32]) {
        let s = 2 * s as usize;
        let (a, b, c) = (
            self.aux_offsets[s] as usize,
            self.aux_offsets[s + 1] as usize,
            self.aux_offsets[s + 2] as usize,
        );
        (&self.aux[a..b], &self.aux[b..c])
    }

    /// The token count of internal segment `s` (segments are numbered by
    /// length, so this reads the small `length_starts` table, not the
    /// segment's offsets).
    #[inline]
    fn length_of(&self, s: u32) -> usize {
        let n = self.length_starts.partition_point(|&start| start <= s) - 1;
        debug_assert_eq!(n, self.segment(s).len());
        n
    }

    /// Internal segments whose token count lies in `lo..=hi`.
    fn length_range(&self, lo: usize, hi: usize) -> (u32, u32) {
        let last = self.length_starts.len() - 1;
        let a = self.length_starts[lo.min(last)];
        let b = self.length_starts[(hi.saturating_add(1)).min(last)];
        (a, b.max(a))
    }
}

/// Rank of every internal segment in the tie order: newest changedate first
/// (entries without one last), then memory order.
fn tie_ranks<T: TranslationMemory + ?Sized>(tm: &T, entry_of: &[u32]) -> Vec<u32> {
    let n = entry_of.len();
    let dates: Vec<Option<String>> = (0..n as u32)
        .into_par_iter()
        .map(|id| tm.changedate(id))
        .collect();
    let mut by_entry: Vec<u32> = (0..n as u32).collect();
    if dates.iter().any(Option::is_some) {
        by_entry.par_sort_by(|&a, &b| {
            let (da, db) = (&dates[a as usize], &dates[b as usize]);
            match (da, db) {
                (Some(x), Some(y)) => y.cmp(x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then(a.cmp(&b))
        });
    }
    let mut rank_of_entry = vec![0u32; n];
    for (rank, &e) in by_entry.iter().enumerate() {
        rank_of_entry[e as usize] = rank as u32;
    }
    entry_of
        .iter()
        .map(|&e| rank_of_entry[e as usize])
        .collect()
}

/// The entries' numbers and punctuation (`lens` per entry, concatenated in
/// `aux`) in internal segment order: (offsets, tokens), two offsets per segment.
fn reorder_aux(entry_of: &[u32], lens: &[(u32, u32)], aux: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut entry_start = Vec::with_capacity(lens.len() + 1);
    let mut acc = 0u32;
    for &(a, b) in lens {
        entry_start.push(acc);
        acc += a + b;
    }
    let mut offsets = Vec::with_capacity(2 * entry_of.len() + 1);
    let mut out = Vec::with_capacity(aux.len());
    offsets.push(0u32);
    for &e in entry_of {
        let (numbers, punctuation) = lens[e as usize];
        let from = entry_start[e as usize] as usize;
        out.extend_from_slice(&aux[from..from + (numbers + punctuation) as usize]);
        offsets.push(offsets[offsets.len() - 1] + numbers);
        offsets.push(out.len() as u32);
    }
    (offsets, out)
}

/// Posting lists in CSR form: per token, the segments holding it, ascending,
/// a segment repeated once per occurrence (so counts can respect multiplicity).
fn build_postings(vocab_len: usize, offsets: &[u32], tokens: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let n = offsets.len().saturating_sub(1);
    let mut counts = vec![0u32; vocab_len + 1];
    for &t in tokens {
        counts[t as usize + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    let posting_offsets = counts.clone();
    let mut postings = vec![0u32; tokens.len()];
    for s in 0..n {
        for &t in &tokens[offsets[s] as usize..offsets[s + 1] as usize] {
            let slot = &mut counts[t as usize];
            postings[*slot as usize] = s as u32;
            *slot += 1;
        }
    }
    (posting_offsets, postings)
}

/// A stable hash of a token-id sequence (the same on every run, so it can be stored).
fn hash_tokens(tokens: &[u32]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (tokens.len() as u64).wrapping_mul(K);
    for &t in tokens {
        h = (h.rotate_left(23) ^ u64::from(t)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: u8,
    rank: u32,
    entry: u32,
}

impl Ranked {
    /// True when `self` comes before `other` in the result order.
    #[inline]
    fn before(&self, other: &Ranked) -> bool {
        self.score > other.score || (self.score == other.score && self.rank < other.rank)
    }
}

/// Reusable per-thread state for searching one [`FuzzyIndex`].
pub struct Searcher<'i> {
    index: &'i FuzzyIndex,
    /// `visited[s] == epoch` when segment `s` was already considered for this query.
    visited: Vec<u32>,
    epoch: u32,
    pattern: Pattern,
    number_pattern: Pattern,
    punctuation_pattern: Pattern,
    /// The query's tokens; `sets.scored` is what the filters work on.
    sets: TokenSets,
    query_codes: u16,
    /// Only entries numbered below this are offered (see `search_before`).
    before: EntryId,
    /// Distinct known query tokens: (document frequency, token, count in query).
    order: Vec<(u32, u32, u32)>,
    top: Vec<Ranked>,
    verified: usize,
    scanned: usize,
    /// Per segment: its place in `touched` if it is a candidate (a sparse
    /// set: `slot[s]` is only believed when `touched[slot[s]] == s`, so it is
    /// never cleared between queries).
    slot: Vec<u32>,
    /// The candidates: segments holding a query token read so far.
    touched: Vec<u32>,
    /// Beside `touched`: query tokens each holds among those read. Kept
    /// dense so the passes after reading the lists do not hop about the
    /// per-segment table.
    counts: Vec<u16>,
    /// `histogram[v]`: touched segments whose count is `v` (capped at the query length).
    histogram: Vec<u32>,
    by_count: Vec<u32>,
    /// Bit-sliced counters over the length window (see `count_bitsets`).
    slices: Vec<u64>,
}

/// A query: its plain text and how many inline codes it holds (a query read
/// from plain text has none; one from XLIFF or TMX may).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    /// The text, inline codes removed.
    pub text: &'a str,
    /// Number of inline codes.
    pub codes: u16,
}

impl<'a> From<&'a str> for Query<'a> {
    fn from(text: &'a str) -> Self {
        Query { text, codes: 0 }
    }
}

impl<'a> From<&&'a str> for Query<'a> {
    fn from(text: &&'a str) -> Self {
        Query { text, codes: 0 }
    }
}

impl<'a> From<&'a String> for Query<'a> {
    fn from(text: &'a String) -> Self {
        Query {
            text: text.as_str(),
            codes: 0,
        }
    }
}

/// What a search asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchParams {
    /// How many segments to return at most.
    pub k: usize,
    /// The lowest score returned.
    pub min_score: u8,
}

impl<'i> Searcher<'i> {
    /// The `k` best segments for `query` scoring at least `min_score`, best
    /// first (ties: newest changedate, then memory order). `source_is` tells
    /// whether an entry's raw source (and inline codes) equal the query's
    /// (100 rather than 99).
    pub fn search<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        params: SearchParams,
        source_is: &dyn Fn(EntryId) -> bool,
    ) -> Vec<IndexHit> {
        if params.k == 0 {
            return Vec::new();
        }
        if !self.prepare(query.into(), Some(params.min_score)) {
            return Vec::new();
        }
        self.seed_exact(params, source_is);
        self.scan_candidates(params, source_is);
        self.results()
    }

    /// [`Searcher::search`] among the entries numbered below `before` only
    /// (the earlier segments of a job indexed in order).
    pub fn search_before<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        params: SearchParams,
        source_is: &dyn Fn(EntryId) -> bool,
        before: EntryId,
    ) -> Vec<IndexHit> {
        self.bounded(before, |s| s.search(query, params, source_is))
    }

    /// Runs `search` offering only entries numbered below `before`.
    fn bounded(
        &mut self,
        before: EntryId,
        search: impl FnOnce(&mut Self) -> Vec<IndexHit>,
    ) -> Vec<IndexHit> {
        self.before = before;
        let hits = search(self);
        self.before = EntryId::MAX;
        hits
    }

    /// [`Searcher::search_exhaustive`] among the entries numbered below `before`.
    pub fn search_exhaustive_before<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        params: SearchParams,
        source_is: &dyn Fn(EntryId) -> bool,
        before: EntryId,
    ) -> Vec<IndexHit> {
        self.bounded(before, |s| s.search_exhaustive(query, params, source_is))
    }

    /// The same result as [`Searcher::search`], by scoring every segment (the
    /// baseline the filters are measured and tested against).
    pub fn search_exhaustive<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        params: SearchParams,
        source_is: &dyn Fn(EntryId) -> bool,
    ) -> Vec<IndexHit> {
        if params.k == 0 {
            return Vec::new();
        }
        self.prepare(query.into(), None);
        for s in 0..self.index.len() as u32 {
            let t = self.threshold(params);
            self.verify(s, t, params, source_is);
        }
        self.results()
    }

    /// How many segments the last search scored (a measure of the filters' work).
    pub fn last_verified(&self) -> usize {
        self.verified
    }

    /// How many postings the last search read.
    pub fn last_scanned(&self) -> usize {
        self.scanned
    }

    /// Readies a search for `query`. With `min_score`, returns false (and
    /// readies nothing more) when no segment has a length that can reach it
    /// (a long news sentence against a memory of short ones): nothing to read.
    fn prepare(&mut self, query: Query<'_>, min_score: Option<u8>) -> bool {
        self.verified = 0;
        self.scanned = 0;
        let n = self.index.len();
        if self.visited.len() != n {
            self.visited = vec![0; n];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.visited.fill(0);
            self.epoch = 1;
        }
        self.index.vocab.lookup_sets(query.text, &mut self.sets);
        self.query_codes = query.codes;
        self.top.clear();
        if let Some(min) = min_score {
            let (lo, hi) = length_window(self.sets.scored.len(), min);
            let (a, b) = self.index.length_range(lo, hi);
            if a == b {
                return false;
            }
        }
        self.pattern
            .reset_for_vocabulary(&self.sets.scored, self.index.vocab.len());
        self.number_pattern.reset(&self.sets.numbers);
        self.punctuation_pattern.reset(&self.sets.punctuation);
        true
    }

    fn results(&self) -> Vec<IndexHit> {
        self.top
            .iter()
            .map(|r| IndexHit {
                entry: r.entry,
                score: r.score,
            })
            .collect()
    }

    #[inline]
    fn threshold(&self, params: SearchParams) -> u8 {
        match self.top.last() {
            Some(worst) if self.top.len() >= params.k => worst.score.max(params.min_score),
            _ => params.min_score,
        }
    }

    fn offer(&mut self, candidate: Ranked, k: usize) {
        if self.top.len() >= k {
            match self.top.last() {
                Some(worst) if candidate.before(worst) => {
                    self.top.pop();
                }
                _ => return,
            }
        }
        let at = self.top.partition_point(|r| r.before(&candidate));
        self.top.insert(at, candidate);
    }

    /// Scores segment `s` if it can reach `t`, and offers it.
    #[inline]
    fn verify(&mut self, s: u32, t: u8, params: SearchParams, source_is: &dyn Fn(EntryId) -> bool) {
        let index = self.index;
        let entry = index.entry_of[s as usize];
        if entry >= self.before {
            return;
        }
        self.verified += 1;
        let seg = index.segment(s);
        let longest = self.sets.scored.len().max(seg.len());
        let max_d = max_distance_for(longest, t);
        let Some(d) = self.pattern.distance_within(seg, max_d) else {
            return;
        };
        let score = if d == 0 && source_is(entry) {
            100
        } else {
            // The word score reaches `t`; the points may take at most the difference.
            let words = word_score(d, self.sets.scored.len(), seg.len());
            // (At t = 0 every score qualifies, however many points.)
            let budget = if t == 0 {
                usize::MAX
            } else {
                usize::from(words - t)
            };
            let mut points = usize::from(self.query_codes.abs_diff(index.codes[s as usize]));
            let (numbers, punctuation) = index.aux_of(s);
            if points > budget {
                return;
            }
            let Some(p) = self
                .number_pattern
                .distance_within(numbers, budget - points)
            else {
                return;
            };
            points += p;
            let Some(p) = self
                .punctuation_pattern
                .distance_within(punctuation, budget - points)
            else {
                return;
            };
            combine(words, points + p)
        };
        if score < t {
            return;
        }
        self.offer(
            Ranked {
                score,
                rank: index.tie_rank[s as usize],
                entry,
            },
            params.k,
        );
    }

    /// Token-identical segments first: they score 99 or 100 and lift the threshold at once.
    fn seed_exact(&mut self, params: SearchParams, source_is: &dyn Fn(EntryId) -> bool) {
        if self.sets.scored.contains(&UNKNOWN_TOKEN) {
            return;
        }
        let index = self.index;
        let h = hash_tokens(&self.sets.scored);
        let from = index.exact_hashes.partition_point(|&x| x < h);
        let equal = index.exact_hashes[from..].iter().take_while(|&&x| x == h);
        for (&s, _) in index.exact_segs[from..].iter().zip(equal) {
            if index.segment(s) == self.sets.scored.as_slice() {
                self.visited[s as usize] = self.epoch;
                let t = self.threshold(params);
                self.verify(s, t, params, source_is);
            }
        }
    }

    /// Candidate generation and verification.
    ///
    /// Query tokens are read rarest first. For each segment in the length
    /// window, `counts[s]` sums the query multiplicities of the tokens read
    /// that `s` holds: with `rest` the multiplicity not yet read, `counts[s] +
    /// rest` bounds how many tokens `s` shares with the query. Reading stops
    /// once the prefix is covered and the next list costs more than the
    /// verifications it would save; then segments are verified in decreasing
    /// count order, so the best come first and the rising threshold ends the
    /// loop early.
    fn scan_candidates(&mut self, params: SearchParams, source_is: &dyn Fn(EntryId) -> bool) {
        let index = self.index;
        let m = self.sets.scored.len();
        self.order.clear();
        let mut unknown = 0usize;
        let mut sorted = self.sets.scored.clone();
        sorted.sort_unstable();
        for run in sorted.chunk_by(|a, b| a == b) {
            let tok = run[0];
            if tok == UNKNOWN_TOKEN {
                unknown = run.len();
            } else {
                self.order
                    .push((index.doc_freq(tok), tok, run.len() as u32));
            }
        }
        self.order.sort_unstable();
        if self.slot.len() != index.len() {
            self.slot = vec![0; index.len()];
        }
        self.touched.clear();
        self.counts.clear();
        self.histogram.clear();
        self.histogram.resize(m + 1, 0);

        let need = |t: u8| (usize::from(t) * m).div_ceil(100);
        let mut rest = m - unknown;
        let mut read = unknown;
        // Counts are u16: a query longer than that is scored against the whole window.
        let mut exhaustive = m >= usize::from(u16::MAX);
        let readable = if exhaustive { 0 } else { self.order.len() };
        let mut bitsets = None;
        for i in 0..readable {
            let t = self.threshold(params);
            let c = need(t);
            if c == 0 {
                exhaustive = true;
                break;
            }
            let (_, tok, mult) = self.order[i];
            let mult = mult as usize;
            let in_prefix = read <= m - c;
            if index.bitset_of[tok as usize] != u32::MAX {
                // This and every later (more frequent) token are bitsets.
                bitsets = Some((i, in_prefix));
                break;
            }
            let (lo, hi) = length_window(m, t);
            let (a, b) = index.length_range(lo, hi);
            let list = index.postings_of(tok);
            let from = list.partition_point(|&s| s < a);
            let to = list.partition_point(|&s| s < b);
            if !in_prefix {
                // Candidates now, and those sure to remain after this list.
                let floor_now = c.saturating_sub(rest);
                let floor_next = c.saturating_sub(rest - mult);
                let now: usize = self.histogram.iter().skip(floor_now).sum::<u32>() as usize;
                let sure: usize = self.histogram.iter().skip(floor_next).sum::<u32>() as usize;
                if to - from > VERIFY_COST * (now - sure) {
                    break;
                }
            }
            self.scanned += to - from;
            // A segment holding the token r times shares min(r, mult) of its occurrences.
            let part = &list[from..to];
            let mut j = 0;
            while j < part.len() {
                // The table lookups miss the cache; ask for later ones early.
                if let Some(&ahead) = part.get(j + PREFETCH) {
                    prefetch(self.slot.as_ptr().wrapping_add(ahead as usize));
                }
                let s = part[j];
                let mut run = 1;
                while part.get(j + run) == Some(&s) {
                    run += 1;
                }
                j += run;
                let add = run.min(mult) as u16;
                let at = self.slot[s as usize] as usize;
                if at < self.touched.len() && self.touched[at] == s {
                    let count = &mut self.counts[at];
                    self.histogram[usize::from(*count).min(m)] -= 1;
                    *count = count.saturating_add(add);
                    self.histogram[usize::from(*count).min(m)] += 1;
                } else if in_prefix {
                    // (Past the prefix a segment holding none of the rarer tokens cannot qualify.)
                    self.slot[s as usize] = self.touched.len() as u32;
                    self.touched.push(s);
                    self.counts.push(add);
                    self.histogram[usize::from(add).min(m)] += 1;
                }
            }
            read += mult;
            rest -= mult;
        }

        if let Some((first, generate)) = bitsets {
            let c = need(self.threshold(params));
            self.count_bitsets(first, m, c, params, generate);
            rest = 0;
        } else if !exhaustive
            && let Some(first) = self
                .order
                .iter()
                .position(|&(_, tok, _)| index.bitset_of[tok as usize] != u32::MAX)
        {
            // Reading stopped early: the bitset tokens still tighten the counts.
            let c = need(self.threshold(params));
            self.count_bitsets(first, m, c, params, false);
            rest -= self.order[first..]
                .iter()
                .map(|&(_, _, k)| k as usize)
                .sum::<usize>();
        }

        // Verify in decreasing count order (a counting sort over the histogram).
        let mut starts = vec![0u32; m + 2];
        for v in (0..=m).rev() {
            starts[v] = starts[v + 1] + self.histogram[v];
        }
        let mut by_count = std::mem::take(&mut self.by_count);
        by_count.clear();
        by_count.resize(self.touched.len(), 0);
        for (k, &count) in self.counts.iter().enumerate() {
            let v = usize::from(count).min(m);
            let slot = &mut starts[v + 1];
            by_count[*slot as usize] = k as u32;
            *slot += 1;
        }
        for &k in &by_count {
            let count = usize::from(self.counts[k as usize]);
            let t = self.threshold(params);
            let c = need(t);
            if count + rest < c {
                break;
            }
            let s = self.touched[k as usize];
            let n = index.length_of(s);
            let (lo, hi) = length_window(m, t);
            if n < lo || n > hi {
                continue;
            }
            // Longer segments need more shared tokens: ceil(t * n / 100).
            if count + rest < (usize::from(t) * n).div_ceil(100) {
                continue;
            }
            // Each candidate is listed once; only the seeds were scored
            // before, and `seed_exact` alone marks segments before this loop
            // (a lookup in O(1): a source repeated N times cost N^2/2 scanning
            // the seeds).
            if self.visited[s as usize] == self.epoch {
                continue;
            }
            self.visited[s as usize] = self.epoch;
            self.verify(s, t, params, source_is);
        }
        self.by_count = by_count;

        // The count filter cannot exclude anything at this threshold (an empty
        // query, or `min_score` 0 with fewer than k found): every segment of the
        // length window is a candidate.
        let t = self.threshold(params);
        if exhaustive || need(t) == 0 {
            let (lo, hi) = length_window(m, t);
            let (a, b) = index.length_range(lo, hi);
            for s in a..b {
                if self.visited[s as usize] != self.epoch {
                    self.visited[s as usize] = self.epoch;
                    let t = self.threshold(params);
                    self.verify(s, t, params, source_is);
                }
            }
        }
    }
}

impl Searcher<'_> {
    /// Adds the query tokens kept as bitsets (`order[first..]`) to the
    /// candidates' counts, so every count is the full bound. When the prefix
    /// reaches them (`generate`), segments holding none of the rarer tokens
    /// can still qualify: the bitsets are added up for every segment of the
    /// length window at once, 64 segments per machine word in bit-sliced
    /// counters, and those reaching `c` become candidates.
    fn count_bitsets(
        &mut self,
        first: usize,
        m: usize,
        c: usize,
        params: SearchParams,
        generate: bool,
    ) {
        let index = self.index;
        let t = self.threshold(params);
        let (lo, hi) = length_window(m, t);
        let (a, b) = index.length_range(lo, hi);
        // (bitset row, times to add): level j counts a segment's j-th occurrence;
        // beyond the last level, every further query occurrence is credited.
        let mut rows: Vec<(usize, u32)> = Vec::new();
        for &(_, tok, mult) in &self.order[first..] {
            let base = index.bitset_of[tok as usize] as usize;
            for level in 0..(mult as usize).min(BIT_LEVELS) {
                rows.push((base + level, 1));
            }
            if mult as usize > BIT_LEVELS {
                rows.push((base + BIT_LEVELS - 1, mult - BIT_LEVELS as u32));
            }
        }
        // Few candidates and none to generate: test their bits one by one.
        if !generate && self.touched.len() * 16 < (b.saturating_sub(a)) as usize {
            // Row by row: each pass reads one row (in cache) and the dense counts in order.
            for &(row, mult) in &rows {
                let bits = &index.bits[row * index.bit_words..(row + 1) * index.bit_words];
                let mult = mult.min(u32::from(u16::MAX)) as u16;
                for (k, (count, &s)) in self.counts.iter_mut().zip(&self.touched).enumerate() {
                    if let Some(&ahead) = self.touched.get(k + PREFETCH) {
                        prefetch(bits.as_ptr().wrapping_add(ahead as usize / 64));
                    }
                    let s = s as usize;
                    let bit = (bits[s / 64] >> (s % 64)) & 1;
                    *count = count.saturating_add(bit as u16 * mult);
                }
            }
            self.rebuild_histogram(m);
            return;
        }
        if a >= b {
            return;
        }
        let total: usize = rows.iter().map(|&(_, k)| k as usize).sum();
        let width = (usize::BITS - total.leading_zeros()) as usize;
        let (wa, wb) = (a as usize / 64, (b as usize).div_ceil(64));
        self.slices.clear();
        self.slices.resize((wb - wa) * width, 0);
        let before = self.touched.len();
        for w in wa..wb {
            let sl = &mut self.slices[(w - wa) * width..(w - wa + 1) * width];
            for &(row, mult) in &rows {
                let x = index.bits[row * index.bit_words + w];
                for _ in 0..mult {
                    let mut carry = x;
                    for slice in sl.iter_mut() {
                        if carry == 0 {
                            break;
                        }
                        let next = *slice & carry;
                        *slice ^= carry;
                        carry = next;
                    }
                }
            }
        }
        if generate {
            // Segments are numbered by length, so each length's share of the
            // window is a range with its own requirement: ceil(t * max(m, n) / 100).
            for n in lo..=hi.min(index.length_starts.len().saturating_sub(2)) {
                let (ra, rb) = index.length_range(n, n);
                let (ra, rb) = (ra.max(a) as usize, rb.min(b) as usize);
                if ra >= rb {
                    continue;
                }
                let need_n = c.max((usize::from(t) * n).div_ceil(100));
                for w in ra / 64..rb.div_ceil(64) {
                    let mut valid = !0u64;
                    if w == ra / 64 {
                        valid &= !0u64 << (ra % 64);
                    }
                    if w + 1 == rb.div_ceil(64) && rb % 64 != 0 {
                        valid &= !0u64 >> (64 - rb % 64);
                    }
                    let sl = &self.slices[(w - wa) * width..(w - wa + 1) * width];
                    let mut hits = at_least(sl, need_n) & valid;
                    while hits != 0 {
                        let bit = hits.trailing_zeros() as usize;
                        hits &= hits - 1;
                        let s = w * 64 + bit;
                        let at = self.slot[s] as usize;
                        if at >= before || self.touched[at] != s as u32 {
                            self.slot[s] = self.touched.len() as u32;
                            self.touched.push(s as u32);
                            self.counts.push(gather(sl, bit) as u16);
                        }
                    }
                }
            }
        }
        for k in 0..before {
            let s = self.touched[k] as usize;
            if (a as usize..b as usize).contains(&s) {
                let w = s / 64 - wa;
                let add = gather(&self.slices[w * width..(w + 1) * width], s % 64);
                self.counts[k] = self.counts[k].saturating_add(add as u16);
            }
        }
        self.rebuild_histogram(m);
    }

    fn rebuild_histogram(&mut self, m: usize) {
        self.histogram.iter_mut().for_each(|h| *h = 0);
        for &count in &self.counts {
            self.histogram[usize::from(count).min(m)] += 1;
        }
    }
}

/// Bit `i` set where the bit-sliced counter (`slices[0]` least significant) is at least `c`.
fn at_least(slices: &[u64], c: usize) -> u64 {
    if c >= 1usize << slices.len().min(63) {
        return 0;
    }
    let (mut greater, mut equal) = (0u64, !0u64);
    for (i, &s) in slices.iter().enumerate().rev() {
        if (c >> i) & 1 == 1 {
            equal &= s;
        } else {
            greater |= equal & s;
            equal &= !s;
        }
    }
    greater | equal
}

/// The counter value at bit `bit` of bit-sliced `slices`.
fn gather(slices: &[u64], bit: usize) -> usize {
    slices
        .iter()
        .enumerate()
        .map(|(i, &s)| (((s >> bit) & 1) as usize) << i)
        .sum()
}

/// How many postings ahead [`prefetch`] asks for a table entry.
const PREFETCH: usize = 16;

/// Asks the processor to bring the cache line at `p` in; a hint only: it
/// never faults, whatever the address.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing into the program and cannot fault on
    // any address; SSE is part of every x86-64 target.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Occurrence levels kept per bitset token (segments holding it at least 1, 2, 3 times).
const BIT_LEVELS: usize = 3;

/// How many postings reading one more list may cost per verification it
/// saves (a verification is a bit-parallel distance over a segment).
const VERIFY_COST: usize = 24;

/// Token counts `n` that can score at least `t` against a query of `m` tokens.
///
/// For `n <= m` the distance is at least `m - n` and may be at most
/// `m - ceil(t*m/100)`, so `n >= ceil(t*m/100)`; for `n >= m` the same argument
/// with `n` as the longer length gives `t*n <= 100*m`.
pub fn length_window(m: usize, t: u8) -> (usize, usize) {
    if t == 0 {
        return (0, usize::MAX);
    }
    let t = usize::from(t);
    ((t * m).div_ceil(100), 100 * m / t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::score::score_with_codes;
    use crate::tm::{Entry, LanguagePair, MemoryTm, Origin, PositionUnit};
    use proptest::prelude::*;

    fn memory(sources: &[String], dates: &[Option<String>]) -> MemoryTm {
        let mut tm = MemoryTm::new(LanguagePair::new(
            "en".parse().unwrap(),
            "fr".parse().unwrap(),
        ));
        let file = tm.add_file("mem.tsv").unwrap();
        for (i, s) in sources.iter().enumerate() {
            tm.push(Entry {
                source: s.clone(),
                target: format!("t{i}"),
                tuid: None,
                changedate: dates.get(i).cloned().flatten(),
                // Some entries carry inline codes, which cost points.
                source_codes: u16::from(s.contains("12")),
                origin: Origin {
                    file,
                    position: i as u32 + 1,
                    unit: PositionUnit::Line,
                },
            });
        }
        tm
    }

    /// The specification: every entry scored with [`score_with_codes`].
    fn brute_force(
        tm: &MemoryTm,
        query: &str,
        k: usize,
        min: u8,
        dates: &[Option<String>],
    ) -> Vec<IndexHit> {
        let mut all: Vec<(u8, usize)> = tm
            .entries()
            .iter()
            .enumerate()
            .map(|(i, e)| (score_with_codes(query, 0, &e.source, e.source_codes), i))
            .filter(|&(sc, _)| sc >= min)
            .collect();
        all.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| {
                    let (da, db) = (
                        dates.get(a.1).cloned().flatten(),
                        dates.get(b.1).cloned().flatten(),
                    );
                    match (da, db) {
                        (Some(x), Some(y)) => y.cmp(&x),
                        (Some(_), None) => Ordering::Less,
                        (None, Some(_)) => Ordering::Greater,
                        (None, None) => Ordering::Equal,
                    }
                })
                .then(a.1.cmp(&b.1))
        });
        all.truncate(k);
        all.into_iter()
            .map(|(score, i)| IndexHit {
                entry: i as u32,
                score,
            })
            .collect()
    }

    #[test]
    fn a_query_longer_than_any_segment_can_reach_finds_nothing_at_once() {
        // Segments of up to three words; a twelve-word query sharing them
        // reaches 75 with none (at least 9 words needed), 25 with some.
        let sources: Vec<String> = ["the storm hit", "the coast", "storm warning", "the storm"]
            .map(String::from)
            .to_vec();
        let dates = vec![None; sources.len()];
        let query = "the storm hit the coast and the storm warning stayed all night";
        for min in [75, 50, 34, 25, 1] {
            check(&sources, &dates, query, 3, min);
        }
        let tm = memory(&sources, &dates);
        let index = FuzzyIndex::build(&tm);
        let params = SearchParams {
            k: 3,
            min_score: 75,
        };
        assert!(
            index
                .searcher()
                .search(query, params, &|_| false)
                .is_empty()
        );
    }

    fn check(sources: &[String], dates: &[Option<String>], query: &str, k: usize, min: u8) {
        let tm = memory(sources, dates);
        let index = FuzzyIndex::build(&tm);
        let mut searcher = index.searcher();
        let is = |e: EntryId| {
            let entry = &tm.entries()[e as usize];
            entry.source == query && entry.source_codes == 0
        };
        let params = SearchParams { k, min_score: min };
        let expected = brute_force(&tm, query, k, min, dates);
        assert_eq!(
            searcher.search(query, params, &is),
            expected,
            "query {query:?}"
        );
        assert_eq!(searcher.search_exhaustive(query, params, &is), expected);
        // Every token of two or more segments kept as a bitset too: the
        // bit-sliced counting and candidate generation take part.
        for min_df in [2, 5] {
            let options = IndexOptions {
                bitset_min_df: Some(min_df),
            };
            let index = FuzzyIndex::build_with(&tm, options);
            assert_eq!(
                index.searcher().search(query, params, &is),
                expected,
                "query {query:?}, bitsets from {min_df} segments"
            );
        }
    }

    #[test]
    fn index_from_chunks_equals_index_built_at_once() {
        let sources: Vec<String> = (0..50)
            .map(|i| format!("the cat {} sat on {} mats", i % 7, i % 11))
            .collect();
        let tm = memory(&sources, &[]);
        let chunks: Vec<TokenChunk> = sources
            .chunks(8)
            .map(|c| TokenChunk::of(c.iter().map(String::as_str)))
            .collect();
        let streamed = FuzzyIndex::from_chunks(&tm, chunks, IndexOptions::default()).unwrap();
        let direct = FuzzyIndex::build(&tm);
        let params = SearchParams {
            k: 5,
            min_score: 40,
        };
        for q in ["the cat 3 sat on 4 mats", "a dog 3 sat", "mats"] {
            let is = |e: EntryId| tm.entries()[e as usize].source == q;
            assert_eq!(
                streamed.searcher().search(q, params, &is),
                direct.searcher().search(q, params, &is)
            );
        }
        assert!(FuzzyIndex::from_chunks(&tm, Vec::new(), IndexOptions::default()).is_err());
    }

    #[test]
    fn a_searcher_reused_across_queries_answers_as_a_fresh_one() {
        // The candidate table is a sparse set never cleared between queries:
        // what an earlier query left in it must not leak into the next.
        let sources: Vec<String> = (0..400)
            .map(|i| {
                format!(
                    "the cat {} sat on {} mats and {} hats",
                    i % 7,
                    i % 11,
                    i % 13
                )
            })
            .collect();
        let tm = memory(&sources, &[]);
        let index = FuzzyIndex::build_with(
            &tm,
            IndexOptions {
                bitset_min_df: Some(40),
            },
        );
        let mut reused = index.searcher();
        for (i, q) in [
            "the cat 3 sat on 4 mats and 5 hats",
            "a dog 3 sat",
            "the cat 3 sat on 4 mats and 5 hats",
            "mats and hats",
            "the cat 6 sat on 10 mats",
        ]
        .iter()
        .enumerate()
        {
            let params = SearchParams {
                k: 1 + i,
                min_score: 30 + 10 * i as u8,
            };
            let is = |e: EntryId| tm.entries()[e as usize].source == *q;
            let expected = brute_force(&tm, q, params.k, params.min_score, &[]);
            assert_eq!(index.searcher().search(*q, params, &is), expected);
            assert_eq!(reused.search(*q, params, &is), expected, "query {q:?}");
        }
    }

    #[test]
    fn length_of_reads_the_length_table() {
        let sources: Vec<String> = ["a b c", "", "a", "a b c d e", "x y", "p q r"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let index = FuzzyIndex::build(&memory(&sources, &[]));
        for s in 0..index.len() as u32 {
            assert_eq!(index.length_of(s), index.segment(s).len());
        }
    }

    #[test]
    fn bit_sliced_counters_compare_and_gather() {
        // Counters 0..=7 at bits 0..=7: slice i holds bit i of each value.
        let values = [0usize, 1, 2, 3, 4, 5, 6, 7];
        let mut slices = [0u64; 3];
        for (bit, v) in values.iter().enumerate() {
            for (i, s) in slices.iter_mut().enumerate() {
                *s |= (((v >> i) & 1) as u64) << bit;
            }
        }
        for c in 0..10 {
            let mask = at_least(&slices, c);
            for (bit, &v) in values.iter().enumerate() {
                assert_eq!(mask >> bit & 1 == 1, v >= c, "c={c} v={v}");
                assert_eq!(gather(&slices, bit), v);
            }
        }
    }

    #[test]
    fn finds_exact_fuzzy_and_respects_min() {
        let sources: Vec<String> = [
            "The cat sat on the mat.",
            "The cat sat on the hat.",
            "the cat sat on the mat.",
            "A dog barked loudly at night.",
            "Completely unrelated words here",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let tm = memory(&sources, &[]);
        let index = FuzzyIndex::build(&tm);
        let q = "The cat sat on the mat.";
        let is = |e: EntryId| tm.entries()[e as usize].source == q;
        let hits = index.searcher().search(
            q,
            SearchParams {
                k: 5,
                min_score: 50,
            },
            &is,
        );
        let got: Vec<(u32, u8)> = hits.iter().map(|h| (h.entry, h.score)).collect();
        assert_eq!(got, [(0, 100), (2, 99), (1, 83)]);
    }

    #[test]
    fn ties_prefer_newest_changedate_then_memory_order() {
        let sources: Vec<String> = ["a b c x", "a b c y", "a b c z"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let dates = vec![
            None,
            Some("20200101T000000Z".into()),
            Some("20240101T000000Z".into()),
        ];
        check(&sources, &dates, "a b c d", 3, 50);
        let tm = memory(&sources, &dates);
        let index = FuzzyIndex::build(&tm);
        let hits = index
            .searcher()
            .search("a b c d", SearchParams { k: 2, min_score: 0 }, &|_| false);
        assert_eq!(hits.iter().map(|h| h.entry).collect::<Vec<_>>(), [2, 1]);
    }

    #[test]
    fn empty_query_and_min_zero_are_exact() {
        let sources: Vec<String> = ["", "  ", "x", "x y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        check(&sources, &[], "", 5, 1);
        check(&sources, &[], "", 5, 0);
        check(&sources, &[], "q", 5, 0);
        check(&sources, &[], "x", 2, 0);
    }

    #[test]
    fn long_segments_use_multi_word_distance() {
        let long: Vec<String> = (0..3)
            .map(|v| {
                (0..90)
                    .map(|i| format!("w{}", (i * 7 + v) % 40))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut query = long[1].clone();
        query.push_str(" extra");
        check(&long, &[], &query, 3, 50);
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("the".to_string()),
            Just("cat".to_string()),
            Just("Cat".to_string()),
            Just("sat".to_string()),
            Just(".".to_string()),
            Just(",".to_string()),
            Just("“".to_string()),
            Just("\"".to_string()),
            Just("—".to_string()),
            Just("3.9".to_string()),
            Just("4,2".to_string()),
            Just("東".to_string()),
            Just("سلام".to_string()),
            Just("12".to_string()),
            "[a-e]{1,2}",
        ]
    }

    fn sentence() -> impl Strategy<Value = String> {
        proptest::collection::vec(word(), 0..12).prop_map(|w| w.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn index_equals_brute_force(
            sources in proptest::collection::vec(sentence(), 0..40),
            query in sentence(),
            pick in proptest::option::of(0usize..40),
            k in 1usize..6,
            min in prop_oneof![Just(0u8), Just(1u8), 30u8..=100],
            dated in proptest::collection::vec(proptest::option::of(0u8..4), 0..40),
        ) {
            // Half the time the query is a memory segment, to exercise 100/99 and ties.
            let query = match pick {
                Some(i) if i < sources.len() => sources[i].clone(),
                _ => query,
            };
            let dates: Vec<Option<String>> = dated
                .into_iter()
                .map(|d| d.map(|d| format!("2020010{d}T000000Z")))
                .collect();
            check(&sources, &dates, &query, k, min);
        }

        /// Sources repeated many times: the exact seeds and the candidates
        /// overlap heavily, and ties fall to dates and memory order.
        #[test]
        fn many_identical_segments_equal_brute_force(
            base in proptest::collection::vec(sentence(), 1..4),
            picks in proptest::collection::vec(0usize..4, 20..150),
            query in sentence(),
            exact in proptest::bool::ANY,
            k in 1usize..8,
            min in prop_oneof![Just(0u8), Just(1u8), 30u8..=100],
            dated in proptest::collection::vec(proptest::option::of(0u8..4), 0..150),
        ) {
            let sources: Vec<String> =
                picks.iter().map(|&i| base[i % base.len()].clone()).collect();
            let query = if exact { base[0].clone() } else { query };
            let dates: Vec<Option<String>> = dated
                .into_iter()
                .map(|d| d.map(|d| format!("2020010{d}T000000Z")))
                .collect();
            check(&sources, &dates, &query, k, min);
        }
    }
}
