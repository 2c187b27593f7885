//! Pretranslation: documents become bilingual files a CAT tool opens, with
//! the best memory translation of each segment written in.
//!
//! - [`source_document`] turns plain text, Markdown or HTML into a
//!   [`Document`] of one unit per sentence (ids numbered in document order,
//!   `resname` a hash of the sentence, so both are stable across runs).
//! - [`pretranslate`] looks every untranslated segment up in a [`Matcher`]
//!   (on all cores) and fills it: a 100% (or in-context 101%) match becomes
//!   `translated` + `exact-match`, a fuzzy match ≥ `min_score`
//!   `needs-review-translation` + `fuzzy-match`; up to `max_candidates`
//!   matches are kept as candidates (`<alt-trans>`, `<mtc:match>`) and the
//!   best match's penalties as notes. With `copy_source`, a segment without
//!   a match gets its source as target (`needs-translation`).
//! - [`to_tmx`] gives the translated segments as TMX units.
//!
//! Existing XLIFF files go through [`pretranslate`] too: only their empty
//! targets are looked up, and [`crate::xliff::fill::fill`] writes them back
//! into the original text.
//!
//! Inline codes: memory entries are plain text, so the markup of a matched
//! entry that has codes is read back from its TMX file ([`Markup`]); the
//! candidate shows the memory's codes, the target takes the document's codes
//! in order ([`crate::xliff::align_codes`]).

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::fuzzy::{MatchOptions, Matcher, Penalty, Query};
use crate::segment::Segmenter;
use crate::summarize::InputFormat;
use crate::tm::{EntryId, PositionUnit, TranslationMemory};
use crate::tmx::{Prop, Seg, Tu, Tuv};
use crate::xliff::{
    Candidate, Document, File, Format, Segment, State, Unit, align_codes, code_count,
};

mod markup;
pub use markup::MarkupSource;

pub use markup::Markup;

/// How to pretranslate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Lowest score written as a target or a candidate (0–100).
    pub min_score: u8,
    /// Most candidates kept per segment.
    pub max_candidates: usize,
    /// Segments without a match get their source as target.
    pub copy_source: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_score: 75,
            max_candidates: 3,
            copy_source: false,
        }
    }
}

/// What a pretranslation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Segments looked up (those without a target).
    pub segments: usize,
    /// Filled with a 100% or 101% match.
    pub exact: usize,
    /// Filled with a fuzzy match.
    pub fuzzy: usize,
    /// No match at `min_score` or more.
    pub unmatched: usize,
    /// Segments that already had a target (existing XLIFF), left as they were.
    pub kept: usize,
}

/// The text of a document to segment: plain text as it is; Markdown and
/// HTML reduced to their text, the headline first
/// ([`crate::summarize::Document::translatable`], which `analyze`, `match`
/// and `segment` read documents through too).
pub fn document_text(text: &str, format: InputFormat) -> String {
    crate::summarize::Document::translatable(text, format).text
}

/// The XLIFF 1.2 `datatype` of an input format.
fn datatype(format: InputFormat) -> &'static str {
    match format {
        InputFormat::Text => "plaintext",
        InputFormat::Markdown => "x-markdown",
        InputFormat::Html => "html",
    }
}

/// A stable name for a segment: FNV-1a of its NFC text, in hex, with the
/// occurrence number when the text repeats in the file.
fn resname(text: &str, seen: &mut HashMap<u64, u32>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in crate::text::nfc(text).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let n = seen.entry(h).or_insert(0);
    *n += 1;
    if *n == 1 {
        format!("{h:016x}")
    } else {
        format!("{h:016x}-{n}")
    }
}

/// A source-only bilingual document of `text`: one unit per sentence
/// (per non-blank line with `lines`).
///
/// ```
/// use tmkit::pretranslate::source_document;
/// use tmkit::segment::Segmenter;
/// use tmkit::summarize::InputFormat;
/// let en = "en".parse().unwrap();
/// let doc = source_document("news.txt", "It rained. Then it stopped.", InputFormat::Text,
///     &en, &"fr".parse().unwrap(), &Segmenter::for_language(&en), false);
/// let units = &doc.files[0].units;
/// assert_eq!(units.len(), 2);
/// assert_eq!(units[1].id, "2");
/// ```
pub fn source_document(
    original: &str,
    text: &str,
    format: InputFormat,
    src: &crate::text::LanguageTag,
    tgt: &crate::text::LanguageTag,
    segmenter: &Segmenter,
    lines: bool,
) -> Document {
    let body = document_text(text, format);
    let sentences: Vec<&str> = if lines {
        body.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        segmenter.segments(&body).map(|s| s.text).collect()
    };
    let mut seen = HashMap::new();
    let units = sentences
        .iter()
        .enumerate()
        .map(|(k, s)| Unit {
            id: (k + 1).to_string(),
            name: Some(resname(s, &mut seen)),
            segments: vec![Segment::new(Seg::from_text(crate::text::nfc(s)))],
            translate: true,
            ..Unit::default()
        })
        .collect();
    Document {
        format: Some(Format::Xliff12),
        version: "1.2".into(),
        files: vec![File {
            original: original.to_string(),
            source_language: Some(src.to_string()),
            target_language: Some(tgt.to_string()),
            datatype: Some(datatype(format).into()),
            units,
            ..File::default()
        }],
        ..Document::default()
    }
}

/// A penalty as a note: its kind and fields, as the JSON output names them.
pub fn penalty_note(p: &Penalty) -> String {
    let value = serde_json::to_value(p).unwrap_or_default();
    let Some(map) = value.as_object() else {
        return value.to_string();
    };
    let kind = map
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or("penalty");
    let fields: Vec<String> = map
        .iter()
        .filter(|(k, _)| k.as_str() != "kind")
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}: {s}"),
            v => format!("{k}: {v}"),
        })
        .collect();
    if fields.is_empty() {
        format!("tmkit penalty {kind}")
    } else {
        format!("tmkit penalty {kind} ({})", fields.join("; "))
    }
}

/// A segment to look up: where it is, and its query text.
struct Job {
    file: usize,
    unit: usize,
    seg: usize,
    query: String,
    /// Inline codes of the segment: the score counts the memory's against them.
    codes: u16,
}

/// The lookup result for one segment.
struct Found {
    target: Option<(Seg, State, &'static str)>,
    candidates: Vec<Candidate>,
    notes: Vec<String>,
}

/// A match as looked up: score, entry, penalties, number-adapted target.
type Hit = (u8, EntryId, Vec<Penalty>, Option<String>);

/// Segments looked up per parallel batch.
const BATCH: usize = 4096;

/// Fills the untranslated segments of `docs` from `matcher`.
pub fn pretranslate<T: MarkupSource + Sync>(
    docs: &mut [Document],
    matcher: &Matcher<T>,
    options: &Options,
) -> crate::Result<Stats> {
    pretranslate_used(docs, matcher, options).map(|(stats, _)| stats)
}

/// [`pretranslate`], also giving the memory entry written as the target of
/// each segment filled (what a store's usage counts record).
pub fn pretranslate_used<T: MarkupSource + Sync>(
    docs: &mut [Document],
    matcher: &Matcher<T>,
    options: &Options,
) -> crate::Result<(Stats, Vec<EntryId>)> {
    let mut stats = Stats::default();
    let mut used = Vec::new();
    let mut jobs: Vec<(usize, Job)> = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (f, file) in doc.files.iter().enumerate() {
            for (u, unit) in file.units.iter().enumerate() {
                for (s, seg) in unit.segments.iter().enumerate() {
                    if seg.has_target() {
                        stats.kept += 1;
                        continue;
                    }
                    let query = seg.source.plain_text();
                    if !unit.translate || query.trim().is_empty() {
                        continue;
                    }
                    let codes = u16::try_from(code_count(&seg.source)).unwrap_or(u16::MAX);
                    jobs.push((
                        d,
                        Job {
                            file: f,
                            unit: u,
                            seg: s,
                            query,
                            codes,
                        },
                    ));
                }
            }
        }
    }
    stats.segments = jobs.len();
    let match_options = MatchOptions {
        min_score: options.min_score,
        max_results: options.max_candidates.max(1),
        exhaustive: false,
    };
    let tm = matcher.memory();
    let mut sessions: Vec<_> = (0..rayon::current_num_threads().max(1))
        .map(|_| matcher.session())
        .collect();
    // Lookups first (parallel), then markup for the entries with codes.
    let mut hits: Vec<Vec<Hit>> = Vec::with_capacity(jobs.len());
    for batch in jobs.chunks(BATCH) {
        let share = batch.len().div_ceil(sessions.len());
        let found: Vec<_> = sessions
            .par_iter_mut()
            .zip(batch.par_chunks(share))
            .flat_map_iter(|(session, jobs)| {
                jobs.iter()
                    .map(|(_, job)| {
                        session
                            .lookup(
                                Query {
                                    text: &job.query,
                                    codes: job.codes,
                                },
                                &match_options,
                            )
                            .into_iter()
                            .map(|m| (m.score, m.entry_id, m.penalties, m.adapted_target))
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        hits.extend(found);
    }
    let wanted: Vec<EntryId> = hits
        .iter()
        .flatten()
        .map(|h| h.1)
        .filter(|&id| tm.entry(id).is_some_and(|e| e.source_codes > 0))
        .collect();
    let markup = tm.markup(&wanted)?;
    for ((d, job), matches) in jobs.iter().zip(hits) {
        let seg = &docs[*d].files[job.file].units[job.unit].segments[job.seg];
        let best = matches.first().map(|h| h.1);
        let found = decide(tm, &markup, &seg.source, matches, options);
        if found.target.is_some() {
            used.extend(best);
        }
        match found.target.as_ref().map(|t| t.1) {
            Some(State::Translated) => stats.exact += 1,
            Some(State::Draft) => stats.fuzzy += 1,
            _ => stats.unmatched += 1,
        }
        let unit = &mut docs[*d].files[job.file].units[job.unit];
        unit.notes.extend(found.notes);
        let seg = &mut unit.segments[job.seg];
        seg.candidates = found.candidates;
        match found.target {
            Some((target, state, qualifier)) => {
                seg.target = Some(target);
                seg.state = state;
                seg.state_qualifier = Some(qualifier.to_string());
                seg.raw_state = None;
            }
            None if options.copy_source => {
                seg.target = Some(seg.source.clone());
                seg.state = State::New;
                seg.state_qualifier = None;
                seg.raw_state = None;
            }
            None => {}
        }
    }
    Ok((stats, used))
}

/// What to write for one segment from its matches (best first).
fn decide<T: TranslationMemory>(
    tm: &T,
    markup: &Markup,
    source: &Seg,
    matches: Vec<Hit>,
    options: &Options,
) -> Found {
    let mut found = Found {
        target: None,
        candidates: Vec::new(),
        notes: Vec::new(),
    };
    for (k, (score, id, penalties, adapted)) in matches.into_iter().enumerate() {
        let Some(entry) = tm.entry(id) else { continue };
        let marked = markup.get(id);
        let (cand_source, cand_target) = match marked {
            Some((s, t)) => (s.clone(), t.clone()),
            None => (
                Seg::from_text(entry.source.clone()),
                Seg::from_text(entry.target.clone()),
            ),
        };
        if k == 0 {
            let target = match (&adapted, marked) {
                // New numbers written into the memory's markup, when its
                // text holds them where the plain target does.
                (Some(a), Some((_, t))) => match adapt_marked(t, a) {
                    Some(t) => align_codes(&t, source).0,
                    None => Seg::from_text(a.clone()),
                },
                (Some(a), None) => Seg::from_text(a.clone()),
                (None, Some((_, t))) => align_codes(t, source).0,
                (None, None) => Seg::from_text(entry.target.clone()),
            };
            let (state, qualifier) = if score >= 100 {
                (State::Translated, "exact-match")
            } else {
                (State::Draft, "fuzzy-match")
            };
            found.target = Some((target, state, qualifier));
            found.notes = penalties.iter().map(penalty_note).collect();
        }
        if found.candidates.len() < options.max_candidates {
            found.candidates.push(Candidate {
                source: cand_source,
                target: cand_target,
                score,
                origin: tm.describe_origin(&entry.origin),
            });
        }
    }
    found
}

/// True for the characters that join digits into one number (`4,200.5`,
/// `1 000`, `1'000`).
fn joins_digits(c: char) -> bool {
    matches!(c, '.' | ',' | '\'' | '’' | ' ' | '\u{a0}' | '\u{202f}')
}

/// The numbers of `text` (digit runs joined by [`joins_digits`]) as byte
/// ranges, in order.
fn number_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_ascii_digit() {
            continue;
        }
        let mut end = start + 1;
        loop {
            match chars.peek().copied() {
                Some((i, d)) if d.is_ascii_digit() => {
                    end = i + 1;
                    chars.next();
                }
                Some((i, j)) if joins_digits(j) => {
                    let next = text[i + j.len_utf8()..].chars().next();
                    if !next.is_some_and(|n| n.is_ascii_digit()) {
                        break;
                    }
                    chars.next();
                }
                _ => break,
            }
        }
        spans.push(start..end);
    }
    spans
}

/// `marked` (a memory target with its inline codes) with the numbers of
/// `adapted` (its plain text with numbers adapted to the document) written
/// into its text, number for number; `None` when the two differ in more
/// than numbers or a number is split by a code.
fn adapt_marked(marked: &Seg, adapted: &str) -> Option<Seg> {
    use crate::tmx::SegPart;
    let numbers: Vec<&str> = number_spans(adapted)
        .into_iter()
        .map(|r| &adapted[r])
        .collect();
    fn walk(parts: &mut [SegPart], numbers: &[&str], next: &mut usize) -> Option<()> {
        for p in parts {
            match p {
                SegPart::Text(t) => {
                    let spans = number_spans(t);
                    let mut out = String::with_capacity(t.len());
                    let mut at = 0;
                    for r in spans {
                        out.push_str(&t[at..r.start]);
                        out.push_str(numbers.get(*next)?);
                        *next += 1;
                        at = r.end;
                    }
                    out.push_str(&t[at..]);
                    *t = out;
                }
                SegPart::Inline(i) if i.kind.is_code() => {}
                SegPart::Inline(i) => walk(&mut i.content, numbers, next)?,
            }
        }
        Some(())
    }
    let mut seg = marked.clone();
    let mut next = 0;
    walk(&mut seg.parts, &numbers, &mut next)?;
    // Every number placed, and nothing else differs.
    (next == numbers.len() && seg.plain_text() == adapted).then_some(seg)
}

/// The translated segments of `doc` as TMX units (`src` and `tgt` variants),
/// each with its match score as an `x-tmkit-score` property.
pub fn to_tmx(doc: &Document, src: &str, tgt: &str) -> Vec<Tu> {
    doc.segments()
        .filter(|(_, _, s)| s.has_target())
        .map(|(file, unit, s)| {
            let mut tu = Tu::new(vec![
                Tuv {
                    seg: s.source.clone(),
                    ..Tuv::new(src, "")
                },
                Tuv {
                    seg: s.target.clone().unwrap_or_default(),
                    ..Tuv::new(tgt, "")
                },
            ]);
            tu.tuid = unit.name.clone();
            if let Some(best) = s.candidates.first() {
                tu.props
                    .push(Prop::new("x-tmkit-score", best.score.to_string()));
                tu.props
                    .push(Prop::new("x-tmkit-origin", best.origin.clone()));
            }
            if !file.original.is_empty() {
                tu.props
                    .push(Prop::new("x-document", file.original.clone()));
            }
            tu
        })
        .collect()
}

/// True when `path` holds a memory position that [`Markup`] can read back.
pub(crate) fn is_tmx_origin(path: &Path, unit: PositionUnit) -> bool {
    unit == PositionUnit::TranslationUnit
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tmx"))
}

/// The file formats a pretranslation is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// XLIFF 1.2 (strict schema), with `<alt-trans>` candidates.
    Xliff12,
    /// XLIFF 2.0, with `<mtc:matches>` candidates.
    Xliff20,
    /// TMX 1.4b: the translated segments.
    Tmx,
}

/// One pretranslated input: its document and, for an XLIFF input, the text
/// it was read from (so it can be written back with only its targets added).
#[derive(Debug, Clone)]
pub struct Pretranslated {
    /// The document, targets filled.
    pub doc: Document,
    /// The original XLIFF text, for an XLIFF input.
    pub original: Option<String>,
    /// The encoding the original was read in, and is written back in.
    pub encoding: crate::files::XmlEncoding,
}

/// Writes `items` as one file in `format`. A single XLIFF input written in
/// its own version keeps every byte but the filled targets; otherwise each
/// input becomes one `<file>` of a new document. `src` and `tgt` are the
/// job's languages (for TMX variants and files that name none).
pub fn write<W: std::io::Write>(
    items: &[&Pretranslated],
    format: OutputFormat,
    src: &str,
    tgt: &str,
    mut out: W,
) -> crate::Result<W> {
    let io = |e| crate::Error::io("<output>", e);
    if let [one] = items
        && let Some(original) = &one.original
    {
        let same = matches!(
            (one.doc.format, format),
            (Some(Format::Xliff12), OutputFormat::Xliff12)
                | (Some(Format::Xliff20), OutputFormat::Xliff20)
        );
        if same {
            let (text, _) = crate::xliff::fill::fill(original, &one.doc, tgt);
            out.write_all(&one.encoding.encode(&text)).map_err(io)?;
            out.flush().map_err(io)?;
            return Ok(out);
        }
    }
    if format == OutputFormat::Tmx {
        let mut w = crate::tmx::TmxWriter::new(out, &crate::tmx::Header::new(src))?;
        for item in items {
            for tu in to_tmx(&item.doc, src, tgt) {
                w.write_tu(&tu)?;
            }
        }
        return w.finish();
    }
    let mut merged = Document::default();
    for item in items {
        for file in &item.doc.files {
            let mut file = file.clone();
            file.source_language.get_or_insert_with(|| src.to_string());
            file.target_language.get_or_insert_with(|| tgt.to_string());
            merged.files.push(file);
        }
    }
    match format {
        OutputFormat::Xliff20 => crate::xliff::write_xliff20(&merged, out),
        _ => crate::xliff::write_xliff12(&merged, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tm::{LanguagePair, MemoryTm, parse_tsv};

    fn matcher() -> Matcher<MemoryTm> {
        let mut tm = MemoryTm::new(LanguagePair::new(
            "en".parse().unwrap(),
            "fr".parse().unwrap(),
        ));
        let file = tm.add_file("memory.tsv").unwrap();
        let mut entries = Vec::new();
        parse_tsv(
            "The red car is fast.\tLa voiture rouge est rapide.\nPage 10 of 30.\tPage 10 sur 30.\n",
            None,
            file,
            &mut entries,
        )
        .unwrap();
        entries.into_iter().for_each(|e| tm.push(e));
        Matcher::new(tm)
    }

    #[test]
    fn exact_fuzzy_and_unmatched_segments() {
        let en = "en".parse().unwrap();
        let seg = Segmenter::for_language(&en);
        let mut docs = vec![source_document(
            "a.txt",
            "The red car is fast. Page 12 of 30. Nothing like it.",
            InputFormat::Text,
            &en,
            &"fr".parse().unwrap(),
            &seg,
            false,
        )];
        let stats = pretranslate(&mut docs, &matcher(), &Options::default()).unwrap();
        assert_eq!(
            (stats.segments, stats.exact, stats.fuzzy, stats.unmatched),
            (3, 1, 1, 1)
        );
        let units = &docs[0].files[0].units;
        let s0 = &units[0].segments[0];
        assert_eq!(s0.state, State::Translated);
        assert_eq!(s0.state_qualifier.as_deref(), Some("exact-match"));
        let s1 = &units[1].segments[0];
        assert_eq!(s1.target.as_ref().unwrap().plain_text(), "Page 12 sur 30.");
        assert_eq!(s1.candidates[0].origin, "memory.tsv:2");
        assert!(
            units[1].notes[0].starts_with("tmkit penalty number"),
            "{:?}",
            units[1].notes
        );
        assert!(units[2].segments[0].target.is_none());
        let mut copy = docs.clone();
        copy[0].files[0].units[2].segments[0].target = None;
        let options = Options {
            copy_source: true,
            ..Options::default()
        };
        pretranslate(&mut copy, &matcher(), &options).unwrap();
        let s2 = &copy[0].files[0].units[2].segments[0];
        assert_eq!(s2.target.as_ref().unwrap().plain_text(), "Nothing like it.");
        assert_eq!(s2.state, State::New);
    }

    #[test]
    fn adapted_numbers_go_into_the_memorys_markup() {
        use crate::tmx::Tmx;
        let tmx = Tmx::parse_str(r#"<tmx version="1.4"><header srclang="fr"/><body><tu><tuv xml:lang="fr"><seg>Hausse de <bpt i="1">&lt;b&gt;</bpt>3,9<ept i="1">&lt;/b&gt;</ept> % sur 1 000 jours.<ph x="2">&lt;br/&gt;</ph></seg></tuv></tu></body></tmx>"#).unwrap();
        let marked = &tmx.tus[0].tuvs[0].seg;
        let seg = adapt_marked(marked, "Hausse de 4,2 % sur 2 000 jours.").unwrap();
        assert_eq!(
            seg.text_with_placeholders(),
            "Hausse de {1}4,2{/1} % sur 2 000 jours.{2}"
        );
        // Text other than numbers differs, or a number is split by a code.
        assert!(adapt_marked(marked, "Baisse de 4,2 % sur 2 000 jours.").is_none());
        let split = Tmx::parse_str(r#"<tmx version="1.4"><header srclang="fr"/><body><tu><tuv xml:lang="fr"><seg>3<ph x="1"/>,9 %</seg></tuv></tu></body></tmx>"#).unwrap();
        assert!(adapt_marked(&split.tus[0].tuvs[0].seg, "4,2 %").is_none());
        assert_eq!(
            number_spans("a 4,200.5 b, 1 000. 7"),
            [2..9, 13..18, 20..21]
        );
    }

    #[test]
    fn resnames_are_stable_and_distinct() {
        let mut seen = HashMap::new();
        let a = resname("Hello.", &mut seen);
        let b = resname("Hello.", &mut seen);
        assert_eq!(b, format!("{a}-2"));
        assert_eq!(resname("Hello.", &mut HashMap::new()), a);
    }
}
