//! Merging memories in two streaming passes: units from several files,
//! duplicates removed, conflicts reported and resolved by a policy.
//!
//! Two units are duplicates when they hold the same text (inline codes as
//! placeholders) in the same languages, compared case-insensitively. Of a
//! group of duplicates the newest (by `changedate`, else `creationdate`;
//! the first on a tie) is kept, where it stands in the inputs; the props and
//! notes of the others are merged into it (each distinct one once).
//!
//! A unit is also redundant when another unit holds every one of its
//! variants and more: an English–French pair already present, with the same
//! texts, in an English–French–German unit (merging a bilingual memory into
//! a multilingual one). The larger unit is kept, with the smaller one's
//! props and notes. A unit with even one variant of its own is kept.
//!
//! Units *conflict* when they have the same source text and the same target
//! languages but other target texts. Each is reported (see [`Conflict`]);
//! [`Policy`] says which are written.
//!
//! Memory is bounded by the number of distinct units, not by their text: the
//! first pass keeps a 128-bit key and a few numbers per distinct unit and
//! 64-bit keys of its variants, plus one 32-bit entry per unit read; the
//! second pass reads the inputs again and writes the units chosen. (When
//! duplicates carry different props or notes, a pass in between collects
//! those, and only those.) Every input is read to its end before the
//! output is complete, so the output may be one of the inputs.

use std::hash::{BuildHasher, Hash, Hasher};
use std::io::{Read, Write};

use serde::Serialize;

use super::model::{Header, MetaKind, Note, Prop, Tu, Tuv};
use super::reader::{Notice, NoticeKind, TmxReader};
use super::stats::lang_key;
use super::writer::TmxWriter;
use crate::error::{Error, Location, Result};

/// Which of a group of conflicting units are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// All of them (each is still reported).
    #[default]
    All,
    /// The one seen first.
    First,
    /// The newest (`changedate`, else `creationdate`; the first on a tie).
    Newest,
}

/// How to merge.
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Conflicting units to write.
    pub policy: Policy,
    /// Skip broken units (handed to the callback) instead of stopping.
    pub lenient: bool,
}

/// Counts of a merge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// Units read, all inputs together.
    pub read: u64,
    /// Duplicates removed.
    pub duplicates: u64,
    /// Duplicates that replaced the kept unit because they were newer.
    pub replaced_by_newer: u64,
    /// Units removed because a larger unit holds all their variants (not
    /// counted in `duplicates`).
    pub subsumed: u64,
    /// Groups of conflicting units.
    pub conflict_groups: u64,
    /// Units in those groups.
    pub conflicting: u64,
    /// Conflicting units left out by the policy.
    pub dropped_by_policy: u64,
    /// Broken units skipped (lenient).
    pub broken: u64,
    /// Pieces of the inputs a TMX output cannot hold (text where TMX
    /// allows only elements, ...), handed to the callback.
    pub lost: u64,
    /// Units in the result.
    pub written: u64,
}

/// A problem of an input met in the first pass.
#[derive(Debug)]
pub enum Problem<'a> {
    /// A broken unit, skipped (lenient).
    Broken(&'a Error),
    /// Something a TMX output cannot hold.
    Lost(&'a Notice),
}

/// One unit of a group of conflicting units, handed to the caller as the
/// second pass meets it.
#[derive(Debug)]
pub struct Conflict<'a> {
    /// The group (numbered from 1 in order of first appearance).
    pub group: u64,
    /// Whether the policy writes it.
    pub kept: bool,
    /// Which input (index into the inputs).
    pub input: usize,
    /// Where the unit starts.
    pub location: Location,
    /// The unit.
    pub tu: &'a Tu,
    /// Its source variant.
    pub source: &'a Tuv,
}

const NONE: u32 = u32::MAX;

/// What the first pass keeps per distinct unit.
struct Distinct {
    /// Ordinal of the first occurrence, and of the one kept.
    first: u32,
    winner: u32,
    /// Newest date of the kept occurrence, as YYYYMMDDhhmmss.
    date: u64,
    /// Hash of the props and notes of the first occurrence.
    meta: u64,
    /// Source text and target languages (0: no conflict possible).
    source_key: u64,
    /// The larger unit it is merged into, or NONE.
    absorbed_into: u32,
    /// Conflict group, or NONE.
    group: u32,
    /// Duplicates carry other props or notes; or units absorbed into it do.
    needs_extras: bool,
    /// Left out by the conflict policy.
    dropped: bool,
}

/// Hashing of units: their keys, variants' keys, source keys, metadata.
/// Languages are interned by their canonical tag (memories have few), and
/// texts are built in one reused buffer: no allocation per variant.
struct Keys {
    hasher: ahash::RandomState,
    hasher2: ahash::RandomState,
    /// Language spellings seen and their interned canonical tag.
    spellings: Vec<(String, u16)>,
    /// Canonical tags (lowercase), by interned number.
    canonical: Vec<String>,
    /// The current unit's texts, one after the other.
    texts: String,
    /// The current unit's variants: language, and the range of its text.
    variants: Vec<(u16, u32, u32)>,
}

impl Keys {
    fn new() -> Self {
        Keys {
            hasher: ahash::RandomState::with_seeds(11, 12, 13, 14),
            hasher2: ahash::RandomState::with_seeds(21, 22, 23, 24),
            spellings: Vec::new(),
            canonical: Vec::new(),
            texts: String::new(),
            variants: Vec::new(),
        }
    }

    /// The interned number of a language as written.
    fn lang(&mut self, lang: &str) -> u16 {
        if let Some(&(_, n)) = self.spellings.iter().find(|(l, _)| l == lang) {
            return n;
        }
        let key = lang_key(lang).to_ascii_lowercase();
        let n = match self.canonical.iter().position(|c| *c == key) {
            Some(n) => n,
            None => {
                self.canonical.push(key);
                self.canonical.len() - 1
            }
        };
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        if self.spellings.len() < 1024 {
            self.spellings.push((lang.to_string(), n));
        }
        n
    }

    fn text(&self, v: (u16, u32, u32)) -> &str {
        &self.texts[v.1 as usize..v.2 as usize]
    }

    /// Fills `self.variants` with the unit's variants, in order, and
    /// returns the index of its source variant: the one in the unit's or
    /// the file's `srclang` (exactly, else the same primary language), else
    /// the first.
    fn variants(&mut self, tu: &Tu, srclang: Option<&str>) -> Option<usize> {
        self.texts.clear();
        self.variants.clear();
        for tuv in &tu.tuvs {
            let lang = self.lang(&tuv.lang);
            let start = self.texts.len() as u32;
            tuv.seg.push_text_with_placeholders(&mut self.texts);
            self.variants.push((lang, start, self.texts.len() as u32));
        }
        if self.variants.is_empty() {
            return None;
        }
        let src = match tu.srclang.as_deref().or(srclang) {
            Some(s) if s != "*all*" => self.lang(s),
            _ => return Some(0),
        };
        let primary = |c: &str| c.split('-').next().unwrap_or(c).to_string();
        let src_primary = primary(&self.canonical[src as usize]);
        self.variants
            .iter()
            .position(|v| v.0 == src)
            .or_else(|| {
                self.variants
                    .iter()
                    .position(|v| primary(&self.canonical[v.0 as usize]) == src_primary)
            })
            .or(Some(0))
    }

    /// The index of the unit's source variant.
    fn source(&mut self, tu: &Tu, srclang: Option<&str>) -> Option<usize> {
        self.variants(tu, srclang)
    }

    /// The unit's key, its variants' sorted keys (into `out`), and its
    /// source key (0 when it has no source and target).
    fn unit(&mut self, tu: &Tu, srclang: Option<&str>, out: &mut Vec<u64>) -> (u128, u64) {
        let source = self.variants(tu, srclang);
        let mut variants = std::mem::take(&mut self.variants);
        let source_key = match source {
            Some(i) if variants.len() > 1 => {
                let mut h = self.hasher.build_hasher();
                let src = variants[i];
                (src.0, self.text(src)).hash(&mut h);
                let mut targets: smallvec::SmallVec<[u16; 8]> = variants
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, v)| v.0)
                    .collect();
                targets.sort_unstable();
                targets.hash(&mut h);
                h.finish().max(1)
            }
            _ => 0,
        };
        variants
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| self.text(*a).cmp(self.text(*b))));
        out.clear();
        let mut h1 = self.hasher.build_hasher();
        let mut h2 = self.hasher2.build_hasher();
        for &v in &variants {
            let pair = (v.0, self.text(v));
            out.push(self.hasher2.hash_one(pair));
            pair.hash(&mut h1);
            pair.hash(&mut h2);
        }
        out.sort_unstable();
        out.dedup();
        let key = (u128::from(h1.finish()) << 64) | u128::from(h2.finish());
        self.variants = variants;
        (key, source_key)
    }

    fn meta(&self, tu: &Tu) -> u64 {
        self.hasher.hash_one((&tu.props, &tu.notes))
    }
}

/// A TMX date (`YYYYMMDDThhmmssZ`) as a number that sorts as the dates do.
fn date_number(tu: &Tu) -> u64 {
    tu.last_modified().map_or(0, |d| {
        d.bytes()
            .filter(u8::is_ascii_digit)
            .take(14)
            .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
    })
}

/// The first pass's result.
struct Plan {
    header: Header,
    distinct: Vec<Distinct>,
    /// The distinct unit of each unit read.
    of_unit: Vec<u32>,
    /// The sorted keys of each distinct unit's variants, one after the
    /// other, and where each unit's end (freed once resolved).
    variant_keys: Vec<u64>,
    variant_ends: Vec<u64>,
    /// The props and notes of every unit read, by distinct unit, when they
    /// fit in [`EXTRAS_BUDGET`]; else `None` and a pass collects them.
    early_extras: Option<Extras>,
}

/// Bytes the first pass may spend keeping props and notes (each distinct
/// one once) so that no pass is needed to collect them; beyond it they are
/// dropped and read again in a pass of their own.
const EXTRAS_BUDGET: usize = 64 << 20;

/// Merges the memories `open(0)`, …, `open(inputs - 1)` (each opened once
/// per pass) into `out`, in two streaming passes. Conflicting units are
/// handed to `on_conflict` in the second pass; broken units (with
/// `opts.lenient`) and what the output cannot hold ([`NoticeKind::Lost`])
/// to `on_problem` in the first.
///
/// ```
/// use tmkit::tmx::merge::{merge, MergeOptions, Policy};
/// use tmkit::tmx::{Tmx, TmxReader};
/// let a = r#"<tmx version="1.4"><header srclang="en"/><body>
///   <tu><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="fr"><seg>Bonjour</seg></tuv></tu>
///   <tu changedate="20240101T000000Z"><tuv xml:lang="en"><seg>Bye</seg></tuv><tuv xml:lang="fr"><seg>Salut</seg></tuv></tu>
/// </body></tmx>"#;
/// let b = r#"<tmx version="1.4"><header srclang="en"/><body>
///   <tu><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="fr"><seg>Bonjour</seg></tuv></tu>
///   <tu changedate="20250101T000000Z"><tuv xml:lang="en"><seg>Bye</seg></tuv><tuv xml:lang="fr"><seg>Au revoir</seg></tuv></tu>
/// </body></tmx>"#;
/// let docs = [a, b];
/// let opts = MergeOptions { policy: Policy::Newest, lenient: false };
/// let mut conflicts = Vec::new();
/// let (report, out) = merge(
///     &mut |i| TmxReader::from_reader(docs[i].as_bytes(), None),
///     docs.len(),
///     &opts,
///     Vec::new(),
///     |c| Ok(conflicts.push((c.kept, c.tu.tuvs[1].seg.plain_text()))),
///     |_, _| {},
/// ).unwrap();
/// assert_eq!((report.duplicates, report.conflict_groups, report.written), (1, 1, 2));
/// assert_eq!(conflicts, [(false, "Salut".to_string()), (true, "Au revoir".to_string())]);
/// let merged = Tmx::parse_str(std::str::from_utf8(&out).unwrap()).unwrap();
/// assert_eq!(merged.tus[1].tuvs[1].seg.plain_text(), "Au revoir");
/// ```
pub fn merge<R: Read, W: Write>(
    open: &mut dyn FnMut(usize) -> Result<TmxReader<R>>,
    inputs: usize,
    opts: &MergeOptions,
    out: W,
    on_conflict: impl FnMut(&Conflict<'_>) -> Result<()>,
    on_problem: impl FnMut(usize, Problem<'_>),
) -> Result<(MergeReport, W)> {
    merge_within(
        open,
        inputs,
        opts,
        out,
        on_conflict,
        on_problem,
        EXTRAS_BUDGET,
    )
}

/// [`merge`], keeping props and notes in the first pass up to `budget` bytes.
fn merge_within<R: Read, W: Write>(
    open: &mut dyn FnMut(usize) -> Result<TmxReader<R>>,
    inputs: usize,
    opts: &MergeOptions,
    out: W,
    mut on_conflict: impl FnMut(&Conflict<'_>) -> Result<()>,
    mut on_problem: impl FnMut(usize, Problem<'_>),
    budget: usize,
) -> Result<(MergeReport, W)> {
    let mut report = MergeReport::default();
    let mut plan = first_pass(open, inputs, opts, &mut report, &mut on_problem, budget)?;
    resolve(&mut plan, opts.policy, &mut report);
    let extras = if !plan.distinct.iter().any(|d| d.needs_extras) {
        Extras::default()
    } else if let Some(mut early) = plan.early_extras.take() {
        early.move_to_homes(&plan.distinct);
        early
    } else {
        collect_extras(open, inputs, &plan)?
    };
    // Second pass: write the units chosen, report the conflicting ones.
    let mut w = TmxWriter::new(out, &plan.header)?;
    let mut trailer = Vec::new();
    let mut keys = Keys::new();
    let mut ordinal = 0usize;
    let mut tu = Tu::default();
    for input in 0..inputs {
        let mut reader = open(input)?;
        let srclang = reader.header().srclang.clone();
        while let Some(result) = reader.next_into(&mut tu) {
            if skip_broken(result, opts.lenient)? {
                continue;
            }
            let d = &plan.distinct[plan.of_unit[ordinal] as usize];
            let is_winner = d.winner as usize == ordinal;
            ordinal += 1;
            if !is_winner || d.absorbed_into != NONE {
                continue;
            }
            if d.group != NONE {
                let source = keys.source(&tu, srclang.as_deref());
                if let Some(source) = source.and_then(|s| tu.tuvs.get(s)) {
                    on_conflict(&Conflict {
                        group: u64::from(d.group) + 1,
                        kept: !d.dropped,
                        input,
                        location: reader.last_tu_location(),
                        tu: &tu,
                        source,
                    })?;
                }
            }
            if d.dropped {
                continue;
            }
            extras.absorb_into(plan.of_unit[ordinal - 1], &mut tu);
            w.write_tu(&tu)?;
            report.written += 1;
        }
        trailer.extend_from_slice(reader.trailer());
    }
    Ok((report, w.finish_with(&trailer)?))
}

/// Reads every input, keeping keys and numbers per distinct unit.
fn first_pass<R: Read>(
    open: &mut dyn FnMut(usize) -> Result<TmxReader<R>>,
    inputs: usize,
    opts: &MergeOptions,
    report: &mut MergeReport,
    on_problem: &mut impl FnMut(usize, Problem<'_>),
    budget: usize,
) -> Result<Plan> {
    let mut index: ahash::AHashMap<u128, u32> = ahash::AHashMap::new();
    let mut distinct: Vec<Distinct> = Vec::new();
    let mut of_unit: Vec<u32> = Vec::new();
    let mut header: Option<Header> = None;
    let mut variant_keys: Vec<u64> = Vec::new();
    let mut variant_ends: Vec<u64> = Vec::new();
    let mut keys = Keys::new();
    let mut vkeys = Vec::new();
    let mut tu = Tu::default();
    let mut early = Some(Extras::default());
    for input in 0..inputs {
        let mut reader = open(input)?;
        let srclang = reader.header().srclang.clone();
        merge_header(&mut header, reader.header());
        loop {
            let next = reader.next_into(&mut tu);
            for notice in reader.take_notices() {
                if notice.kind == NoticeKind::Lost {
                    report.lost += 1;
                    on_problem(input, Problem::Lost(&notice));
                }
            }
            let Some(result) = next else { break };
            match result {
                Ok(()) => {}
                Err(e @ Error::Syntax { .. }) if opts.lenient => {
                    report.broken += 1;
                    on_problem(input, Problem::Broken(&e));
                    continue;
                }
                Err(e) => return Err(e),
            }
            report.read += 1;
            let ordinal = u32::try_from(of_unit.len())
                .map_err(|_| Error::Usage("more than 4 billion units to merge".into()))?;
            let (key, source_key) = keys.unit(&tu, srclang.as_deref(), &mut vkeys);
            let date = date_number(&tu);
            let meta = keys.meta(&tu);
            let next = distinct.len() as u32;
            let d = *index.entry(key).or_insert(next);
            if d == next {
                distinct.push(Distinct {
                    first: ordinal,
                    winner: ordinal,
                    date,
                    meta,
                    source_key,
                    absorbed_into: NONE,
                    group: NONE,
                    needs_extras: false,
                    dropped: false,
                });
                variant_keys.extend_from_slice(&vkeys);
                variant_ends.push(variant_keys.len() as u64);
            } else {
                report.duplicates += 1;
                let kept = &mut distinct[d as usize];
                if date > kept.date {
                    report.replaced_by_newer += 1;
                    kept.winner = ordinal;
                    kept.date = date;
                }
                kept.needs_extras |= meta != kept.meta;
            }
            of_unit.push(d);
            if let Some(extras) = &mut early
                && !(tu.props.is_empty() && tu.notes.is_empty())
            {
                extras.add(
                    d,
                    std::mem::take(&mut tu.props),
                    std::mem::take(&mut tu.notes),
                );
                if extras.bytes > budget {
                    early = None;
                }
            }
        }
    }
    Ok(Plan {
        header: header.unwrap_or_else(|| Header::new("*all*")),
        distinct,
        of_unit,
        variant_keys,
        variant_ends,
        early_extras: early,
    })
}

/// The first input's header; `srclang="*all*"` when the inputs disagree.
fn merge_header(merged: &mut Option<Header>, next: &Header) {
    match merged {
        None => *merged = Some(next.clone()),
        Some(h) => {
            let same = h
                .srclang
                .as_deref()
                .zip(next.srclang.as_deref())
                .is_some_and(|(x, y)| super::lang_eq(x, y));
            if !same {
                h.srclang = Some("*all*".into());
            }
        }
    }
}

/// True when a unit read in a later pass is a broken one to skip (it was
/// reported in the first pass).
fn skip_broken(result: Result<()>, lenient: bool) -> Result<bool> {
    match result {
        Ok(()) => Ok(false),
        Err(Error::Syntax { .. }) if lenient => Ok(true),
        Err(e) => Err(e),
    }
}

impl Plan {
    fn variants_of(&self, d: usize) -> &[u64] {
        let start = if d == 0 {
            0
        } else {
            self.variant_ends[d - 1] as usize
        };
        &self.variant_keys[start..self.variant_ends[d] as usize]
    }
}

/// Between the passes: finds the units merged into larger ones and the
/// conflict groups, and decides what the policy drops.
fn resolve(plan: &mut Plan, policy: Policy, report: &mut MergeReport) {
    // Units by variant key, to find larger units without comparing pairs.
    // Only units with more variants than the smallest can hold another one
    // (in a bilingual memory merged into a multilingual one, a few).
    let fewest = (0..plan.distinct.len())
        .map(|d| plan.variants_of(d).len())
        .min()
        .unwrap_or(0);
    let mut by_variant: Vec<(u64, u32)> = Vec::new();
    for d in 0..plan.distinct.len() {
        let keys = plan.variants_of(d);
        if keys.len() > fewest {
            by_variant.extend(keys.iter().map(|&k| (k, d as u32)));
        }
    }
    by_variant.sort_unstable();
    let empty_meta = Keys::new().meta(&Tu::default());
    for d in 0..plan.distinct.len() {
        let keys = plan.variants_of(d);
        let Some(&first) = keys.first() else { continue };
        let from = by_variant.partition_point(|&(k, _)| k < first);
        let larger = by_variant[from..]
            .iter()
            .take_while(|&&(k, _)| k == first)
            .map(|&(_, j)| j as usize)
            .find(|&j| {
                let big = plan.variants_of(j);
                j != d
                    && big.len() > keys.len()
                    && keys.iter().all(|k| big.binary_search(k).is_ok())
            });
        if let Some(j) = larger {
            plan.distinct[d].absorbed_into = j as u32;
            report.subsumed += 1;
        }
    }
    drop(by_variant);
    plan.variant_keys = Vec::new();
    plan.variant_ends = Vec::new();
    // Each absorbed unit's final home (chains end in the largest unit),
    // which needs the absorbed unit's props and notes.
    for d in 0..plan.distinct.len() {
        if plan.distinct[d].absorbed_into == NONE {
            continue;
        }
        let home = final_home(&plan.distinct, d);
        plan.distinct[d].absorbed_into = home as u32;
        let carries = plan.distinct[d].meta != empty_meta || plan.distinct[d].needs_extras;
        plan.distinct[home].needs_extras |= carries;
    }
    // Conflict groups: units written on their own with the same source key.
    let mut order: Vec<u32> = (0..plan.distinct.len() as u32)
        .filter(|&d| {
            let d = &plan.distinct[d as usize];
            d.absorbed_into == NONE && d.source_key != 0
        })
        .collect();
    order.sort_unstable_by_key(|&d| {
        let d = &plan.distinct[d as usize];
        (d.source_key, d.first)
    });
    let mut groups: Vec<(u32, u32)> = Vec::new(); // (first unit's ordinal, group start in order)
    let mut i = 0;
    while i < order.len() {
        let key = plan.distinct[order[i] as usize].source_key;
        let end = i + order[i..]
            .iter()
            .take_while(|&&d| plan.distinct[d as usize].source_key == key)
            .count();
        if end - i > 1 {
            groups.push((plan.distinct[order[i] as usize].first, i as u32));
            report.conflicting += (end - i) as u64;
            let keep = match policy {
                Policy::All => None,
                Policy::First => Some(order[i]),
                Policy::Newest => order[i..end].iter().copied().max_by_key(|&d| {
                    (
                        plan.distinct[d as usize].date,
                        std::cmp::Reverse(plan.distinct[d as usize].first),
                    )
                }),
            };
            if let Some(keep) = keep {
                for &d in &order[i..end] {
                    if d != keep {
                        plan.distinct[d as usize].dropped = true;
                        report.dropped_by_policy += 1;
                    }
                }
            }
        }
        i = end;
    }
    // Groups numbered in order of first appearance.
    groups.sort_unstable();
    report.conflict_groups = groups.len() as u64;
    for (number, &(_, start)) in groups.iter().enumerate() {
        let key = plan.distinct[order[start as usize] as usize].source_key;
        for &d in &order[start as usize..] {
            let d = &mut plan.distinct[d as usize];
            if d.source_key != key {
                break;
            }
            d.group = number as u32;
        }
    }
}

/// The unit that `d` is finally merged into.
fn final_home(distinct: &[Distinct], d: usize) -> usize {
    let mut at = d;
    // Each step goes to a unit with more variants: the chain is short.
    for _ in 0..distinct.len() {
        match distinct[at].absorbed_into {
            NONE => return at,
            next => at = next as usize,
        }
    }
    at
}

/// The props and notes that duplicates and absorbed units add to the unit
/// kept, by distinct unit. Each distinct prop and note is stored once and
/// referred to by number: memories repeat a few (`x-batch`, a client)
/// across many units.
#[derive(Default)]
struct Extras {
    props: Vec<Prop>,
    prop_ids: ahash::AHashMap<Prop, u32>,
    notes: Vec<Note>,
    note_ids: ahash::AHashMap<Note, u32>,
    by_unit: ahash::AHashMap<u32, (Vec<u32>, Vec<u32>)>,
    /// About how many bytes all this holds.
    bytes: usize,
}

impl Extras {
    /// Gives the props and notes of each unit merged into a larger one to
    /// that unit (the first pass keeps them by the unit they belong to).
    fn move_to_homes(&mut self, distinct: &[Distinct]) {
        let mut moved: Vec<u32> = self
            .by_unit
            .keys()
            .copied()
            .filter(|&d| distinct[d as usize].absorbed_into != NONE)
            .collect();
        // In first-seen order, as the pass of their own adds them: the map's
        // order is random, and the output must not depend on it.
        moved.sort_unstable();
        for d in moved {
            let Some((props, notes)) = self.by_unit.remove(&d) else {
                continue;
            };
            let home = distinct[d as usize].absorbed_into;
            let (home_props, home_notes) = self.by_unit.entry(home).or_default();
            for id in props {
                if !home_props.contains(&id) {
                    home_props.push(id);
                }
            }
            for id in notes {
                if !home_notes.contains(&id) {
                    home_notes.push(id);
                }
            }
        }
    }

    fn add(&mut self, unit: u32, props: Vec<Prop>, notes: Vec<Note>) {
        let (unit_props, unit_notes) = self.by_unit.entry(unit).or_insert_with(|| {
            self.bytes += 64;
            Default::default()
        });
        // Most props and notes were seen before: look up without cloning.
        for p in props {
            let id = match self.prop_ids.get(&p) {
                Some(&id) => id,
                None => {
                    let id = self.props.len() as u32;
                    self.bytes += 2 * (p.kind.len() + p.value.len()) + 128;
                    self.prop_ids.insert(p.clone(), id);
                    self.props.push(p);
                    id
                }
            };
            if !unit_props.contains(&id) {
                unit_props.push(id);
                self.bytes += 4;
            }
        }
        for n in notes {
            let id = match self.note_ids.get(&n) {
                Some(&id) => id,
                None => {
                    let id = self.notes.len() as u32;
                    self.bytes += 2 * n.text.len() + 128;
                    self.note_ids.insert(n.clone(), id);
                    self.notes.push(n);
                    id
                }
            };
            if !unit_notes.contains(&id) {
                unit_notes.push(id);
                self.bytes += 4;
            }
        }
    }

    /// Adds to `kept` the props and notes of `unit` it does not have yet.
    fn absorb_into(&self, unit: u32, kept: &mut Tu) {
        let Some((props, notes)) = self.by_unit.get(&unit) else {
            return;
        };
        for p in props.iter().map(|&i| &self.props[i as usize]) {
            if !kept.props.contains(p) {
                kept.props.push(p.clone());
                kept.meta_order.push(MetaKind::Prop);
            }
        }
        for n in notes.iter().map(|&i| &self.notes[i as usize]) {
            if !kept.notes.contains(n) {
                kept.notes.push(n.clone());
                kept.meta_order.push(MetaKind::Note);
            }
        }
    }
}

/// A pass over the inputs collecting, for each unit kept that needs them,
/// the props and notes of its duplicates and of the units merged into it.
fn collect_extras<R: Read>(
    open: &mut dyn FnMut(usize) -> Result<TmxReader<R>>,
    inputs: usize,
    plan: &Plan,
) -> Result<Extras> {
    let mut extras = Extras::default();
    let mut ordinal = 0usize;
    let mut tu = Tu::default();
    for input in 0..inputs {
        let mut reader = open(input)?;
        while let Some(result) = reader.next_into(&mut tu) {
            // The first pass stopped at any error it did not skip.
            if skip_broken(result, true)? {
                continue;
            }
            let d = plan.of_unit[ordinal] as usize;
            let home = match plan.distinct[d].absorbed_into {
                NONE => d,
                home => home as usize,
            };
            let is_kept = d == home && plan.distinct[d].winner as usize == ordinal;
            ordinal += 1;
            if is_kept || !plan.distinct[home].needs_extras {
                continue;
            }
            let props = std::mem::take(&mut tu.props);
            let notes = std::mem::take(&mut tu.notes);
            extras.add(home as u32, props, notes);
        }
    }
    Ok(extras)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::{Tmx, TmxWriter, Tuv};

    fn unit(en: &str, fr: &str, date: Option<&str>, prop: &str) -> Tu {
        let mut tu = Tu::new(vec![Tuv::new("en-US", en), Tuv::new("fr-FR", fr)]);
        tu.changedate = date.map(str::to_string);
        tu.props.push(crate::tmx::Prop::new("x-src", prop));
        tu
    }

    fn doc(units: &[Tu]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = TmxWriter::new(&mut out, &Header::new("en-US")).unwrap();
        for tu in units {
            w.write_tu(tu).unwrap();
        }
        w.finish().unwrap();
        out
    }

    fn run(docs: &[Vec<u8>], policy: Policy) -> (Vec<Tu>, MergeReport, Vec<(u64, bool)>) {
        // Props and notes kept in the first pass, or read again in a pass
        // of their own (over budget): the same result.
        let [early, late] = [EXTRAS_BUDGET, 0].map(|budget| {
            let opts = MergeOptions {
                policy,
                lenient: false,
            };
            let mut conflicts = Vec::new();
            let (report, out) = merge_within(
                &mut |i| TmxReader::from_reader(docs[i].as_slice(), None),
                docs.len(),
                &opts,
                Vec::new(),
                |c| {
                    conflicts.push((c.group, c.kept));
                    Ok(())
                },
                |_, _| {},
                budget,
            )
            .unwrap();
            let tmx = Tmx::from_reader(out.as_slice(), None).unwrap();
            (tmx.tus, report, conflicts)
        });
        assert_eq!(early, late);
        early
    }

    #[test]
    fn a_pair_inside_a_larger_unit_is_merged_into_it() {
        let mut three = unit("Hello", "Bonjour", None, "trilingual");
        three.tuvs.push(Tuv::new("de", "Hallo"));
        let mut four = three.clone();
        four.tuvs.push(Tuv::new("it", "Ciao"));
        four.props[0] = crate::tmx::Prop::new("x-src", "quadrilingual");
        let input = doc(&[
            unit("Hello", "Bonjour", None, "bilingual"),
            // A pair with one text of its own is not redundant.
            unit("Hello", "Salut", None, "own text"),
            three,
            four,
        ]);
        let (units, report, _) = run(&[input], Policy::All);
        assert_eq!(report.subsumed, 2);
        assert_eq!(report.duplicates, 0);
        assert_eq!(report.written, 2);
        assert_eq!(units[0].tuvs[1].seg.plain_text(), "Salut");
        assert_eq!(units[1].tuvs.len(), 4);
        let mut props: Vec<&str> = units[1].props.iter().map(|p| p.value.as_str()).collect();
        props.sort_unstable();
        assert_eq!(props, ["bilingual", "quadrilingual", "trilingual"]);
    }

    #[test]
    fn keeps_the_newest_duplicate_and_merges_props() {
        let mut dup = unit("Hello", "Bonjour", Some("20230101T000000Z"), "b");
        dup.tuvs[1] = Tuv::new("FR-fr", "Bonjour");
        let a = doc(&[
            unit("Hello", "Bonjour", Some("20200101T000000Z"), "a"),
            unit("Other", "Autre", None, "a"),
        ]);
        let b = doc(&[dup]);
        let (units, report, conflicts) = run(&[a, b], Policy::All);
        assert_eq!(report.read, 3);
        assert_eq!(report.duplicates, 1);
        assert_eq!(report.replaced_by_newer, 1);
        assert!(conflicts.is_empty());
        assert_eq!(units.len(), 2);
        // The newest stands where it was read: after "Other".
        assert_eq!(units[1].changedate(), Some("20230101T000000Z"));
        let props: Vec<&str> = units[1].props.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(props, ["b", "a"]);
    }

    #[test]
    fn conflicts_are_reported_and_resolved_by_policy() {
        let a = doc(&[
            unit("Open", "Ouvrir", Some("20200101T000000Z"), "a"),
            unit("Close", "Fermer", None, "a"),
        ]);
        let b = doc(&[
            unit("Open", "Ouvrez", Some("20240101T000000Z"), "b"),
            unit("Open", "Ouvre", Some("20220101T000000Z"), "b"),
        ]);
        let texts = |units: &[Tu]| -> Vec<String> {
            units.iter().map(|t| t.tuvs[1].seg.plain_text()).collect()
        };
        let (units, report, conflicts) = run(&[a.clone(), b.clone()], Policy::All);
        assert_eq!(texts(&units), ["Ouvrir", "Fermer", "Ouvrez", "Ouvre"]);
        assert_eq!((report.conflict_groups, report.conflicting), (1, 3));
        assert_eq!(conflicts, [(1, true), (1, true), (1, true)]);
        let (units, report, conflicts) = run(&[a.clone(), b.clone()], Policy::First);
        assert_eq!(texts(&units), ["Ouvrir", "Fermer"]);
        assert_eq!(report.dropped_by_policy, 2);
        assert_eq!(conflicts, [(1, true), (1, false), (1, false)]);
        let (units, _, _) = run(&[a, b], Policy::Newest);
        assert_eq!(texts(&units), ["Fermer", "Ouvrez"]);
    }
}
