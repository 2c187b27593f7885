//! Merging memories in two streaming passes: units from several files,
//! duplicates removed, conflicts reported and resolved by a policy.
//!
//! Two units are duplicates when they hold the same text (inline codes as
//! placeholders) in the same languages, compared case-insensitively: the
//! definition `tmx stats` counts by (see [`super::duplicates`]). Of a
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
//!
//! Inputs are read on as many threads as there are cores, in every pass;
//! the result is what reading them one after the other gives (see
//! [`merge`]). The second pass only tokenizes the units it does not write
//! ([`TmxReader::skip_into`]).

use std::hash::{BuildHasher, Hash, Hasher};
use std::io::{Read, Write};

use serde::Serialize;

use super::duplicates::UnitKeys;
use super::model::{Header, MetaKind, Note, Prop, RawElement, Tu, Tuv};
use super::reader::{Notice, NoticeKind, TmxReader};
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

/// Hashing of units: their keys and variants' keys (the definition of a
/// duplicate that `tmx stats` counts by, [`UnitKeys`]), source keys and
/// metadata.
struct Keys {
    keys: UnitKeys,
}

impl Keys {
    fn new() -> Self {
        Keys {
            keys: UnitKeys::new(),
        }
    }

    /// Reads the unit's variants, in order, and returns the index of its
    /// source variant: the one in the unit's or the file's `srclang`
    /// (exactly, else the same primary language), else the first.
    fn variants(&mut self, tu: &Tu, srclang: Option<&str>) -> Option<usize> {
        self.keys.read(tu);
        if self.keys.variants.is_empty() {
            return None;
        }
        let src = match tu.srclang.as_deref().or(srclang) {
            Some(s) if s != "*all*" => self.keys.lang(s),
            _ => return Some(0),
        };
        let primary = |c: &str| c.split('-').next().unwrap_or(c).to_string();
        let src_primary = primary(self.keys.canonical(src));
        let variants = &self.keys.variants;
        variants
            .iter()
            .position(|v| v.0 == src)
            .or_else(|| {
                variants
                    .iter()
                    .position(|v| primary(self.keys.canonical(v.0)) == src_primary)
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
        let k = &self.keys;
        let variants = &k.variants;
        let source_key = match source {
            Some(i) if variants.len() > 1 => {
                let mut h = k.hasher().build_hasher();
                let src = variants[i];
                (k.lang_hash(src), k.text(src)).hash(&mut h);
                let mut targets: smallvec::SmallVec<[u64; 8]> = variants
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, &v)| k.lang_hash(v))
                    .collect();
                targets.sort_unstable();
                targets.hash(&mut h);
                h.finish().max(1)
            }
            _ => 0,
        };
        (self.keys.key(Some(out)), source_key)
    }

    fn meta(&self, tu: &Tu) -> u64 {
        self.keys.hasher().hash_one((&tu.props, &tu.notes))
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
    /// The ordinal of each input's first unit, and one past the last.
    starts: Vec<u32>,
    /// Each input's `srclang`.
    srclangs: Vec<Option<String>>,
    /// The sorted keys of each distinct unit's variants, one after the
    /// other, and where each unit's end (freed once resolved).
    variant_keys: Vec<u64>,
    variant_ends: Vec<u64>,
    /// The props and notes of every unit read, by distinct unit, when they
    /// fit in [`EXTRAS_BUDGET`]; else `None` and a pass collects them.
    early_extras: Option<Extras>,
}

/// A stream (standard input) kept in an anonymous temporary file, so that
/// the passes of a merge can read it again, several readers at once. The
/// file has no name (`O_TMPFILE`, or unlinked as soon as it is created), so
/// nothing is left behind however the process ends: a signal, a crash.
///
/// ```
/// use std::io::Read;
/// let spool = tmkit::tmx::merge::Spool::new(&b"<tmx/>"[..]).unwrap();
/// let (mut a, mut b) = (spool.reader(), spool.reader());
/// let (mut x, mut y) = (String::new(), String::new());
/// a.read_to_string(&mut x).unwrap();
/// b.read_to_string(&mut y).unwrap();
/// assert_eq!((x.as_str(), y.as_str()), ("<tmx/>", "<tmx/>"));
/// ```
#[derive(Debug, Clone)]
pub struct Spool {
    file: std::sync::Arc<std::fs::File>,
}

impl Spool {
    /// Copies `from` to its end into a new anonymous temporary file (in the
    /// folder `TMPDIR` names, else the system's).
    pub fn new(mut from: impl Read) -> std::io::Result<Spool> {
        let mut file = tempfile::tempfile()?;
        std::io::copy(&mut from, &mut file)?;
        Ok(Spool {
            file: std::sync::Arc::new(file),
        })
    }

    /// A reader from the start of the stream. Each reader keeps its own
    /// offset (positioned reads: the file's shared offset is never used),
    /// so readers on several threads do not disturb each other.
    pub fn reader(&self) -> SpoolReader {
        SpoolReader {
            file: self.file.clone(),
            at: 0,
        }
    }
}

/// One reading of a [`Spool`].
#[derive(Debug)]
pub struct SpoolReader {
    file: std::sync::Arc<std::fs::File>,
    at: u64,
}

impl Read for SpoolReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.at)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&*self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// Bytes the first pass may spend keeping props and notes (each distinct
/// one once) so that no pass is needed to collect them; beyond it they are
/// dropped and read again in a pass of their own. Each thread reading an
/// input keeps its own within this budget until its input is merged in.
const EXTRAS_BUDGET: usize = 64 << 20;

/// Units handed from a reading thread to the writing one at a time.
const BATCH: usize = 64;
/// Batches an input's reading thread may read ahead of the writer.
const BATCHES_AHEAD: usize = 16;

/// Merges the memories `open(0)`, …, `open(inputs - 1)` (each opened once
/// per pass) into `out`, in two streaming passes. Conflicting units are
/// handed to `on_conflict` in the second pass; broken units (with
/// `opts.lenient`) and what the output cannot hold ([`NoticeKind::Lost`])
/// to `on_problem` in the first.
///
/// Inputs are read on as many threads as there are cores (one input per
/// thread at a time), in both passes; what is kept, written and reported,
/// and in which order, is what reading them one after the other gives.
/// Units are written and `on_conflict` and `on_problem` are called on the
/// calling thread.
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
///     &|i| TmxReader::from_reader(docs[i].as_bytes(), None),
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
pub fn merge<R: Read + Send, W: Write>(
    open: &Opener<'_, R>,
    inputs: usize,
    opts: &MergeOptions,
    out: W,
    on_conflict: impl FnMut(&Conflict<'_>) -> Result<()>,
    on_problem: impl FnMut(usize, Problem<'_>),
) -> Result<(MergeReport, W)> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    merge_within(
        open,
        inputs,
        opts,
        out,
        on_conflict,
        on_problem,
        EXTRAS_BUDGET,
        threads,
    )
}

/// Opens input `i` for a pass; called from the reading threads.
pub type Opener<'a, R> = dyn Fn(usize) -> Result<TmxReader<R>> + Sync + 'a;

/// [`merge`], keeping props and notes in the first pass up to `budget`
/// bytes, reading on up to `threads` threads.
#[allow(clippy::too_many_arguments)]
fn merge_within<R: Read + Send, W: Write>(
    open: &Opener<'_, R>,
    inputs: usize,
    opts: &MergeOptions,
    out: W,
    mut on_conflict: impl FnMut(&Conflict<'_>) -> Result<()>,
    mut on_problem: impl FnMut(usize, Problem<'_>),
    budget: usize,
    threads: usize,
) -> Result<(MergeReport, W)> {
    let threads = threads.clamp(1, inputs.max(1));
    let mut report = MergeReport::default();
    let mut plan = first_pass(
        open,
        inputs,
        opts,
        &mut report,
        &mut on_problem,
        budget,
        threads,
    )?;
    resolve(&mut plan, opts.policy, &mut report);
    let extras = if !plan.distinct.iter().any(|d| d.needs_extras) {
        Extras::default()
    } else if let Some(mut early) = plan.early_extras.take() {
        early.move_to_homes(&plan.distinct);
        early
    } else {
        collect_extras(open, inputs, &plan, threads)?
    };
    // Second pass: write the units chosen, report the conflicting ones.
    let mut w = TmxWriter::new(out, &plan.header)?;
    let mut trailer = Vec::new();
    let mut keys = Keys::new();
    let plan = &plan;
    let lenient = opts.lenient;
    in_parallel(
        inputs,
        threads,
        BATCHES_AHEAD,
        |input, tx: &dyn Fn(Kept) -> bool| pick_units(open, input, plan, lenient, tx),
        |input, kept| match kept {
            Kept::Units(units) => {
                for (mut tu, d, location) in units {
                    let dist = &plan.distinct[d as usize];
                    if dist.group != NONE {
                        let srclang = plan.header_srclang(input);
                        let source = keys.source(&tu, srclang);
                        if let Some(source) = source.and_then(|s| tu.tuvs.get(s)) {
                            on_conflict(&Conflict {
                                group: u64::from(dist.group) + 1,
                                kept: !dist.dropped,
                                input,
                                location: location.unwrap_or_default(),
                                tu: &tu,
                                source,
                            })?;
                        }
                    }
                    if dist.dropped {
                        continue;
                    }
                    extras.absorb_into(d, &mut tu);
                    w.write_tu(&tu)?;
                    report.written += 1;
                }
                Ok(false)
            }
            Kept::End(rest) => {
                trailer.extend(rest);
                Ok(true)
            }
        },
    )?;
    Ok((report, w.finish_with(&trailer)?))
}

/// What the second pass's reading threads hand over: the units to write
/// (with their distinct unit and, for conflicting ones, where they start),
/// then the elements after the input's last unit.
enum Kept {
    Units(Vec<(Tu, u32, Option<Location>)>),
    End(Vec<RawElement>),
}

/// Reads input `input` in the second pass and hands `send` the units kept
/// or reported, a batch at a time. Stops early when `send` says the writer
/// has stopped.
fn pick_units<R: Read>(
    open: &Opener<'_, R>,
    input: usize,
    plan: &Plan,
    lenient: bool,
    send: &dyn Fn(Kept) -> bool,
) -> Result<()> {
    let mut reader = open(input)?;
    let (mut ordinal, end) = (plan.starts[input], plan.starts[input + 1]);
    let mut batch = Vec::new();
    let mut tu = Tu::default();
    let wanted = |ordinal: u32| {
        ordinal >= end || {
            let dist = &plan.distinct[plan.of_unit[ordinal as usize] as usize];
            dist.winner == ordinal && dist.absorbed_into == NONE
        }
    };
    loop {
        // Units not written are only tokenized: the first pass read them in
        // full. Not when skipping broken units, which only a full read finds
        // (and which have no ordinal).
        let next = if lenient || wanted(ordinal) {
            reader.next_into(&mut tu)
        } else {
            reader.skip_into(&mut tu)
        };
        let Some(result) = next else { break };
        if skip_broken(result, lenient)? {
            continue;
        }
        if ordinal >= end {
            return Err(changed(&reader));
        }
        let keep = wanted(ordinal);
        let d = plan.of_unit[ordinal as usize];
        let dist = &plan.distinct[d as usize];
        ordinal += 1;
        if !keep {
            continue;
        }
        let location = (dist.group != NONE).then(|| reader.last_tu_location());
        batch.push((std::mem::take(&mut tu), d, location));
        if batch.len() == BATCH && !send(Kept::Units(std::mem::take(&mut batch))) {
            return Ok(());
        }
    }
    if ordinal != end {
        return Err(changed(&reader));
    }
    if !batch.is_empty() && !send(Kept::Units(batch)) {
        return Ok(());
    }
    send(Kept::End(reader.trailer().to_vec()));
    Ok(())
}

/// The error for an input whose units are not those of the first pass.
fn changed<R: Read>(reader: &TmxReader<R>) -> Error {
    Error::invalid(
        reader.last_tu_location(),
        "the file changed while it was being merged",
    )
}

/// Runs `read(input, send)` for every input on up to `threads` threads
/// (each takes the next input not yet taken), and hands what each sends to
/// `take(input, item)` on the calling thread, input after input in order.
/// An input's thread may send up to `ahead` items before they are taken,
/// then waits. `take` returns true after the last item of its input; an
/// error from either side stops every thread and is returned (the first in
/// input order).
fn in_parallel<T: Send>(
    inputs: usize,
    threads: usize,
    ahead: usize,
    read: impl Fn(usize, &dyn Fn(T) -> bool) -> Result<()> + Sync,
    mut take: impl FnMut(usize, T) -> Result<bool>,
) -> Result<()> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
    enum Msg<T> {
        Item(T),
        Failed(Error),
    }
    let (senders, receivers): (Vec<_>, Vec<Receiver<Msg<T>>>) = (0..inputs)
        .map(|_| {
            let (tx, rx): (SyncSender<Msg<T>>, _) = sync_channel(ahead);
            (Mutex::new(Some(tx)), rx)
        })
        .unzip();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let input = next.fetch_add(1, Ordering::Relaxed);
                    if input >= inputs || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    // Owned by the thread, so that a panic drops it and
                    // the receiving side sees the end of the input.
                    let Some(tx) = senders[input].lock().ok().and_then(|mut s| s.take()) else {
                        break;
                    };
                    let send =
                        |item: T| !stop.load(Ordering::Relaxed) && tx.send(Msg::Item(item)).is_ok();
                    if let Err(e) = read(input, &send) {
                        let _ = tx.send(Msg::Failed(e));
                    }
                }
            });
        }
        let taken = (|| {
            for (input, rx) in receivers.iter().enumerate() {
                loop {
                    match rx.recv() {
                        Ok(Msg::Item(item)) => {
                            if take(input, item)? {
                                break;
                            }
                        }
                        Ok(Msg::Failed(e)) => return Err(e),
                        // Every reader ends with an item `take` accepts as
                        // the last, or with `Failed`: a thread that stopped
                        // without either panicked. Stop here (waiting for the
                        // next input could hang) and let the scope re-raise it.
                        Err(_) => {
                            return Err(Error::invalid(
                                Location::default(),
                                format!("input {} was not read to its end", input + 1),
                            ));
                        }
                    }
                }
            }
            Ok(())
        })();
        if taken.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        // Unblocks the threads still sending.
        drop(receivers);
        taken
    })
}

/// What the first pass finds in one input, read on its own thread: the
/// input's distinct units numbered from 0 and ordinals counted from its
/// first unit, merged into the [`Plan`] in input order.
#[derive(Default)]
struct Scan {
    header: Header,
    distinct: Vec<ScanDistinct>,
    of_unit: Vec<u32>,
    variant_keys: Vec<u64>,
    variant_ends: Vec<u64>,
    /// After the first occurrence of a distinct unit, each one newer than
    /// every earlier one (distinct unit, date), by distinct unit: what a
    /// later input's kept unit is compared with, to count replacements.
    newer: Vec<(u32, u64)>,
    extras: Option<Extras>,
    problems: Vec<OwnedProblem>,
    /// Read to the end without an error.
    complete: bool,
}

struct ScanDistinct {
    key: u128,
    first: u32,
    winner: u32,
    first_date: u64,
    date: u64,
    meta: u64,
    source_key: u64,
    needs_extras: bool,
}

enum OwnedProblem {
    Broken(Error),
    Lost(Notice),
}

/// Reads every input, keeping keys and numbers per distinct unit.
fn first_pass<R: Read + Send>(
    open: &Opener<'_, R>,
    inputs: usize,
    opts: &MergeOptions,
    report: &mut MergeReport,
    on_problem: &mut impl FnMut(usize, Problem<'_>),
    budget: usize,
    threads: usize,
) -> Result<Plan> {
    let mut index: ahash::AHashMap<u128, u32> = ahash::AHashMap::new();
    let mut plan = Plan {
        header: Header::new("*all*"),
        distinct: Vec::new(),
        of_unit: Vec::new(),
        starts: vec![0],
        srclangs: Vec::new(),
        variant_keys: Vec::new(),
        variant_ends: Vec::new(),
        early_extras: Some(Extras::default()),
    };
    let mut header: Option<Header> = None;
    let mut to_global: Vec<u32> = Vec::new();
    in_parallel(
        inputs,
        threads,
        // A rendezvous: a finished scan waits for its turn instead of
        // queueing, so at most one scan per thread is held at once.
        0,
        |input, send: &dyn Fn(Box<Scan>) -> bool| {
            let mut scan = Box::<Scan>::default();
            let result = scan_input(open, input, opts.lenient, budget, &mut scan);
            // The problems met before an error are reported before it.
            scan.complete = result.is_ok();
            send(scan);
            result
        },
        |input, mut scan| {
            for problem in std::mem::take(&mut scan.problems) {
                match &problem {
                    OwnedProblem::Broken(e) => {
                        report.broken += 1;
                        on_problem(input, Problem::Broken(e));
                    }
                    OwnedProblem::Lost(n) => {
                        report.lost += 1;
                        on_problem(input, Problem::Lost(n));
                    }
                }
            }
            if !scan.complete {
                // Its error comes next.
                return Ok(false);
            }
            merge_header(&mut header, &scan.header);
            plan.srclangs.push(scan.header.srclang.clone());
            absorb_scan(&mut plan, &mut index, &mut to_global, *scan, report, budget)?;
            Ok(true)
        },
    )?;
    plan.header = header.unwrap_or_else(|| Header::new("*all*"));
    Ok(plan)
}

/// Reads one input for the first pass into `scan`.
fn scan_input<R: Read>(
    open: &Opener<'_, R>,
    input: usize,
    lenient: bool,
    budget: usize,
    scan: &mut Scan,
) -> Result<()> {
    let mut reader = open(input)?;
    scan.header = reader.header().clone();
    let srclang = reader.header().srclang.clone();
    let mut index: ahash::AHashMap<u128, u32> = ahash::AHashMap::new();
    let mut keys = Keys::new();
    let mut vkeys = Vec::new();
    let mut tu = Tu::default();
    let mut extras = Some(Extras::default());
    loop {
        let next = reader.next_into(&mut tu);
        for notice in reader.take_notices() {
            if notice.kind == NoticeKind::Lost {
                scan.problems.push(OwnedProblem::Lost(notice));
            }
        }
        let Some(result) = next else { break };
        match result {
            Ok(()) => {}
            Err(e @ Error::Syntax { .. }) if lenient => {
                scan.problems.push(OwnedProblem::Broken(e));
                continue;
            }
            Err(e) => return Err(e),
        }
        let ordinal = u32::try_from(scan.of_unit.len()).map_err(|_| too_many())?;
        let (key, source_key) = keys.unit(&tu, srclang.as_deref(), &mut vkeys);
        let date = date_number(&tu);
        let meta = keys.meta(&tu);
        let next = scan.distinct.len() as u32;
        let d = *index.entry(key).or_insert(next);
        if d == next {
            scan.distinct.push(ScanDistinct {
                key,
                first: ordinal,
                winner: ordinal,
                first_date: date,
                date,
                meta,
                source_key,
                needs_extras: false,
            });
            scan.variant_keys.extend_from_slice(&vkeys);
            scan.variant_ends.push(scan.variant_keys.len() as u64);
        } else {
            let kept = &mut scan.distinct[d as usize];
            if date > kept.date {
                kept.winner = ordinal;
                kept.date = date;
                scan.newer.push((d, date));
            }
            kept.needs_extras |= meta != kept.meta;
        }
        scan.of_unit.push(d);
        if let Some(x) = &mut extras
            && !(tu.props.is_empty() && tu.notes.is_empty())
        {
            x.add(d, &tu.props, &tu.notes);
            if x.bytes > budget {
                extras = None;
            }
        }
    }
    // Stable: each distinct unit's dates stay in the order read (rising).
    scan.newer.sort_by_key(|&(d, _)| d);
    scan.extras = extras;
    Ok(())
}

fn too_many() -> Error {
    Error::Usage("more than 4 billion units to merge".into())
}

/// Adds one input's scan to the plan, as if its units had been read right
/// after those of the inputs before it.
fn absorb_scan(
    plan: &mut Plan,
    index: &mut ahash::AHashMap<u128, u32>,
    to_global: &mut Vec<u32>,
    scan: Scan,
    report: &mut MergeReport,
    budget: usize,
) -> Result<()> {
    let offset = *plan.starts.last().unwrap_or(&0);
    let units = u32::try_from(scan.of_unit.len()).map_err(|_| too_many())?;
    let end = offset.checked_add(units).ok_or_else(too_many)?;
    report.read += u64::from(units);
    to_global.clear();
    let mut newer = scan.newer.as_slice();
    for (l, s) in scan.distinct.iter().enumerate() {
        let here = newer.partition_point(|&(d, _)| d as usize == l);
        let (dates, rest) = newer.split_at(here);
        newer = rest;
        let next = plan.distinct.len() as u32;
        let g = *index.entry(s.key).or_insert(next);
        if g == next {
            plan.distinct.push(Distinct {
                first: offset + s.first,
                winner: offset + s.winner,
                date: s.date,
                meta: s.meta,
                source_key: s.source_key,
                absorbed_into: NONE,
                group: NONE,
                needs_extras: s.needs_extras,
                dropped: false,
            });
            let start = if l == 0 {
                0
            } else {
                scan.variant_ends[l - 1] as usize
            };
            plan.variant_keys
                .extend_from_slice(&scan.variant_keys[start..scan.variant_ends[l] as usize]);
            plan.variant_ends.push(plan.variant_keys.len() as u64);
            report.replaced_by_newer += dates.len() as u64;
        } else {
            report.duplicates += 1;
            let kept = &mut plan.distinct[g as usize];
            // The input's occurrences newer than all before them, in order:
            // those newer than the kept unit replace it.
            let replacing = std::iter::once(s.first_date)
                .chain(dates.iter().map(|&(_, date)| date))
                .filter(|&date| date > kept.date)
                .count();
            report.replaced_by_newer += replacing as u64;
            if s.date > kept.date {
                kept.winner = offset + s.winner;
                kept.date = s.date;
            }
            kept.needs_extras |= s.needs_extras || s.meta != kept.meta;
        }
        to_global.push(g);
    }
    report.duplicates += u64::from(units) - scan.distinct.len() as u64;
    plan.of_unit
        .extend(scan.of_unit.iter().map(|&l| to_global[l as usize]));
    plan.starts.push(end);
    plan.early_extras = match (plan.early_extras.take(), scan.extras) {
        (Some(mut all), Some(more)) => {
            all.merge_from(more, |l| to_global[l as usize]);
            (all.bytes <= budget).then_some(all)
        }
        _ => None,
    };
    Ok(())
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
    fn header_srclang(&self, input: usize) -> Option<&str> {
        self.srclangs.get(input).and_then(Option::as_deref)
    }

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

    /// Gives `unit` these props and notes (those it lacks, in order).
    fn add(&mut self, unit: u32, props: &[Prop], notes: &[Note]) {
        let mut ids: smallvec::SmallVec<[u32; 8]> = smallvec::SmallVec::new();
        ids.extend(props.iter().map(|p| self.prop_id(p)));
        let split = ids.len();
        ids.extend(notes.iter().map(|n| self.note_id(n)));
        self.add_ids(unit, &ids[..split], &ids[split..]);
    }

    /// The number of a prop, stored on first sight.
    fn prop_id(&mut self, p: &Prop) -> u32 {
        // Most props were seen before: looked up without a copy.
        if let Some(&id) = self.prop_ids.get(p) {
            return id;
        }
        let id = self.props.len() as u32;
        self.bytes += 2 * (p.kind.len() + p.value.len()) + 128;
        self.prop_ids.insert(p.clone(), id);
        self.props.push(p.clone());
        id
    }

    /// The number of a note, stored on first sight.
    fn note_id(&mut self, n: &Note) -> u32 {
        if let Some(&id) = self.note_ids.get(n) {
            return id;
        }
        let id = self.notes.len() as u32;
        self.bytes += 2 * n.text.len() + 128;
        self.note_ids.insert(n.clone(), id);
        self.notes.push(n.clone());
        id
    }

    /// Gives `unit` the props and notes of these numbers it lacks, in order.
    fn add_ids(&mut self, unit: u32, props: &[u32], notes: &[u32]) {
        let (unit_props, unit_notes) = self.by_unit.entry(unit).or_insert_with(|| {
            self.bytes += 64;
            Default::default()
        });
        for &id in props {
            if !unit_props.contains(&id) {
                unit_props.push(id);
                self.bytes += 4;
            }
        }
        for &id in notes {
            if !unit_notes.contains(&id) {
                unit_notes.push(id);
                self.bytes += 4;
            }
        }
    }

    /// Adds what another input's thread collected, its units numbered
    /// `unit(n)` here, as if its units had been read after those already
    /// added. (Two of its units never share a number here, so the order in
    /// which its units are taken does not matter.)
    fn merge_from(&mut self, other: Extras, unit: impl Fn(u32) -> u32) {
        let props: Vec<u32> = other.props.iter().map(|p| self.prop_id(p)).collect();
        let notes: Vec<u32> = other.notes.iter().map(|n| self.note_id(n)).collect();
        let mut p_ids = Vec::new();
        let mut n_ids = Vec::new();
        for (n, (unit_props, unit_notes)) in other.by_unit {
            p_ids.clear();
            p_ids.extend(unit_props.iter().map(|&i| props[i as usize]));
            n_ids.clear();
            n_ids.extend(unit_notes.iter().map(|&i| notes[i as usize]));
            self.add_ids(unit(n), &p_ids, &n_ids);
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
fn collect_extras<R: Read + Send>(
    open: &Opener<'_, R>,
    inputs: usize,
    plan: &Plan,
    threads: usize,
) -> Result<Extras> {
    let mut extras = Extras::default();
    in_parallel(
        inputs,
        threads,
        0,
        |input, send: &dyn Fn(Extras) -> bool| {
            send(collect_input(open, input, plan)?);
            Ok(())
        },
        |_, more| {
            extras.merge_from(more, |d| d);
            Ok(true)
        },
    )?;
    extras.move_to_homes(&plan.distinct);
    Ok(extras)
}

/// [`collect_extras`] of one input.
fn collect_input<R: Read>(open: &Opener<'_, R>, input: usize, plan: &Plan) -> Result<Extras> {
    let mut extras = Extras::default();
    let mut reader = open(input)?;
    let (mut ordinal, end) = (plan.starts[input], plan.starts[input + 1]);
    let mut tu = Tu::default();
    while let Some(result) = reader.next_into(&mut tu) {
        // The first pass stopped at any error it did not skip.
        if skip_broken(result, true)? {
            continue;
        }
        if ordinal >= end {
            return Err(changed(&reader));
        }
        let d = plan.of_unit[ordinal as usize] as usize;
        let home = match plan.distinct[d].absorbed_into {
            NONE => d,
            home => home as usize,
        };
        let is_kept = d == home && plan.distinct[d].winner == ordinal;
        ordinal += 1;
        if is_kept || !plan.distinct[home].needs_extras {
            continue;
        }
        // Kept by distinct unit and then moved to the homes, as the first
        // pass does, so that their order is the same.
        extras.add(d as u32, &tu.props, &tu.notes);
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
        // of their own (over budget); inputs read one after the other or
        // on several threads: the same result.
        let runs =
            [(EXTRAS_BUDGET, 1), (EXTRAS_BUDGET, 2), (0, 1), (0, 3)].map(|(budget, threads)| {
                let opts = MergeOptions {
                    policy,
                    lenient: false,
                };
                let mut conflicts = Vec::new();
                let (report, out) = merge_within(
                    &|i| TmxReader::from_reader(docs[i].as_slice(), None),
                    docs.len(),
                    &opts,
                    Vec::new(),
                    |c| {
                        conflicts.push((c.group, c.kept));
                        Ok(())
                    },
                    |_, _| {},
                    budget,
                    threads,
                )
                .unwrap();
                let tmx = Tmx::from_reader(out.as_slice(), None).unwrap();
                (tmx.tus, report, conflicts)
            });
        for (n, other) in runs[1..].iter().enumerate() {
            assert_eq!(&runs[0], other, "run {}", n + 1);
        }
        runs.into_iter().next().unwrap()
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

    /// A unit of the property test: source, target, optional third
    /// variant, date and prop, each from a few values so that duplicates,
    /// conflicts, larger units and newer copies are frequent.
    fn small_unit((src, tgt, de, date, prop): (u8, u8, Option<u8>, u8, u8)) -> Tu {
        let dates = ["20200101T000000Z", "20210101T000000Z", "20220101T000000Z"];
        let mut tu = unit(
            ["Open", "Close", "Save"][src as usize % 3],
            ["Ouvrir", "Fermer"][tgt as usize % 2],
            dates.get(date as usize).copied(),
            ["a", "b", "c"][prop as usize % 3],
        );
        if let Some(de) = de {
            tu.tuvs
                .push(Tuv::new("de", ["Offnen", "Zu"][de as usize % 2]));
        }
        tu
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Merging several inputs (on one thread or several) gives what
        /// merging them as one input gives: the units written, in order,
        /// the counts, the conflicts.
        #[test]
        fn inputs_merge_as_if_read_one_after_the_other(
            docs in proptest::collection::vec(
                proptest::collection::vec(
                    (0u8..3, 0u8..2, proptest::option::of(0u8..2), 0u8..4, 0u8..3),
                    0..12,
                ),
                1..4,
            ),
            policy in proptest::sample::select(vec![Policy::All, Policy::First, Policy::Newest]),
        ) {
            let units: Vec<Vec<Tu>> = docs
                .into_iter()
                .map(|d| d.into_iter().map(small_unit).collect())
                .collect();
            let separate: Vec<Vec<u8>> = units.iter().map(|u| doc(u)).collect();
            let whole = doc(&units.concat());
            let (tus, report, conflicts) = run(&separate, policy);
            let (one_tus, one_report, one_conflicts) = run(&[whole], policy);
            proptest::prop_assert_eq!(tus, one_tus);
            proptest::prop_assert_eq!(report, one_report);
            proptest::prop_assert_eq!(conflicts, one_conflicts);
        }
    }
}
