//! Translation memories: entries loaded from TMX, TSV, XLIFF or PO files (or folders of
//! them) for one language pair, behind the small [`TranslationMemory`] trait.
//!
//! [`MemoryTm`] keeps every entry in memory and is what `tmkit match` and
//! `tmkit analyze` load; a memory of TSV files alone is a [`TsvMemory`],
//! which keeps the files' text and makes entries when asked ([`open_matcher`]
//! picks). The trait is the seam for other stores (an embedded database, a
//! server-backed memory): the fuzzy index only asks a store for its length
//! and for entries (or just their sources) by [`EntryId`].

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::text::{LangMatch, LanguageTag};

mod bilingual;
pub mod cache;
pub mod coded;
mod split;
mod tsv;
mod tsv_memory;

pub use bilingual::load_bilingual;
pub use tsv::{
    escape_field as escape_tsv_field, parse_tsv, parse_tsv_oriented, push_row as push_tsv_row,
    unescape_field as unescape_tsv_field,
};
pub use tsv_memory::TsvMemory;

/// Position of an entry in its store (0-based, in load order).
pub type EntryId = u32;

/// The source and target languages a memory is loaded for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguagePair {
    /// The language translated from.
    pub source: LanguageTag,
    /// The language translated into.
    pub target: LanguageTag,
}

impl LanguagePair {
    /// A pair from two tags.
    pub fn new(source: LanguageTag, target: LanguageTag) -> Self {
        LanguagePair { source, target }
    }

    /// The pair as index files record it (`en<TAB>fr`).
    pub(crate) fn key(&self) -> String {
        format!("{}\t{}", self.source, self.target)
    }
}

/// Where an entry was read from: a file (index into [`MemoryTm::files`]) and
/// the 1-based line (TSV) or translation-unit number (TMX) in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Index of the file in the store's file list.
    pub file: u32,
    /// 1-based line (TSV) or 1-based `<tu>` number (TMX).
    pub position: u32,
    /// How `position` counts.
    pub unit: PositionUnit,
}

/// What an [`Origin::position`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionUnit {
    /// A line number.
    Line,
    /// A translation-unit number.
    TranslationUnit,
}

/// One translation: a source segment, its target, and what the memory knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Source text (plain text; inline codes removed).
    pub source: String,
    /// Target text (plain text; inline codes removed).
    pub target: String,
    /// The TU's `tuid`, when it has one.
    pub tuid: Option<String>,
    /// The TU's `changedate` (`YYYYMMDDThhmmssZ`), when it has one.
    pub changedate: Option<String>,
    /// Number of inline codes (tags, placeholders) in the source segment.
    pub source_codes: u16,
    /// Where the entry was read from.
    pub origin: Origin,
}

/// A translation memory for one language pair: a numbered list of entries.
///
/// Implementations must be cheap to read concurrently; `entry` may copy (a
/// store that reads from disk or a server returns owned entries).
pub trait TranslationMemory: Sync {
    /// The language pair the entries serve.
    fn pair(&self) -> &LanguagePair;
    /// Number of entries.
    fn len(&self) -> usize;
    /// True when the memory holds no entry.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The entry `id`, or `None` past the end.
    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>>;
    /// A human-readable name for where `origin` points (`memory.tmx:12`).
    fn describe_origin(&self, origin: &Origin) -> String;
    /// When entry `id` comes from another region of a language of the pair
    /// (`en-US` text for `en-GB`), which. Stores that never fall back keep
    /// this default.
    fn region_fallback(&self, _id: EntryId) -> Option<&RegionFallback> {
        None
    }
    /// Says that `entry` will soon be asked for each of `ids` (a lookup's
    /// best hits): a memory that reads entries from a server fetches them
    /// in one round trip. In-memory memories keep this default.
    fn prefetch(&self, _ids: &[EntryId]) {}
    /// The source of entry `id`, what an index is built from. A memory
    /// that makes its entries on demand answers without making one.
    fn source(&self, id: EntryId) -> Option<Cow<'_, str>> {
        self.entry(id).map(|e| match e {
            Cow::Borrowed(e) => Cow::Borrowed(e.source.as_str()),
            Cow::Owned(e) => Cow::Owned(e.source),
        })
    }
    /// The inline-code count of entry `id`'s source (0 past the end), which
    /// an index keeps beside its tokens.
    fn source_codes(&self, id: EntryId) -> u16 {
        self.entry(id).map_or(0, |e| e.source_codes)
    }
    /// The change date of entry `id`, by which an index ranks ties.
    fn changedate(&self, id: EntryId) -> Option<String> {
        self.entry(id).and_then(|e| e.changedate.clone())
    }
}

/// The variants of a unit that served the pair from another region of the
/// same language ([`LanguageTag::resolve`]'s third rule): what the unit had
/// instead of what was asked, for the source or the target or both.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegionFallback {
    /// The source variant's language, when it is another region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<LanguageTag>,
    /// The target variant's language, when it is another region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<LanguageTag>,
}

impl RegionFallback {
    /// `en-US for en-GB`, for both sides that fell back.
    pub fn describe(&self, pair: &LanguagePair) -> String {
        let sides = [(&self.source, &pair.source), (&self.target, &pair.target)];
        sides
            .iter()
            .filter_map(|(used, asked)| used.as_ref().map(|u| format!("{u} for {asked}")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How many of `fallbacks` used each other region, by (tag used, tag
/// asked), for the notice a command prints.
pub(crate) fn fallback_counts<'a>(
    fallbacks: impl Iterator<Item = &'a RegionFallback>,
    pair: &LanguagePair,
) -> Vec<((LanguageTag, LanguageTag), usize)> {
    let mut counts: std::collections::BTreeMap<(LanguageTag, LanguageTag), usize> =
        Default::default();
    for f in fallbacks {
        for (used, asked) in [(&f.source, &pair.source), (&f.target, &pair.target)] {
            if let Some(used) = used {
                *counts.entry((used.clone(), asked.clone())).or_default() += 1;
            }
        }
    }
    counts.into_iter().collect()
}

/// What [`MemoryTm::load_with`] does with the pieces of a TSV file: what
/// to make of each piece's entries (on the thread that parsed it), and where
/// the results go (in file order).
pub struct TsvPrepare<'a, C> {
    /// Makes a piece's result of its entries, on the thread that parsed it.
    pub prepare: &'a (dyn Fn(&[Entry]) -> C + Sync),
    /// Receives the pieces' results, in file order.
    pub on_prepared: &'a mut dyn FnMut(Vec<C>),
}

/// The files of a folder a memory is loaded from.
fn memory_file_filter() -> Result<crate::batch::InputFilter> {
    crate::batch::InputFilter::new(
        &[],
        &[
            "tmx", "tsv", "txt", "xlf", "xliff", "sdlxliff", "mqxliff", "po",
        ],
    )
}

/// The memory files that paths name (files as they are, folders expanded to
/// their `.tmx`, `.tsv`, `.txt`, XLIFF and `.po` files), found once and read by whichever loader
/// takes them ([`TsvMemory::load_files`], [`MemoryTm::load_files`]).
#[derive(Debug, Clone)]
pub struct MemoryFiles {
    /// The files they name, in load order.
    files: Vec<PathBuf>,
}

#[cfg(test)]
thread_local! {
    /// How many times this thread expanded memory paths (tests count walks).
    static WALKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl MemoryFiles {
    /// The memory files `paths` name. An error when folders alone were
    /// given and none holds a memory file: an empty memory would answer "no
    /// match" to everything.
    pub fn find(paths: &[PathBuf]) -> Result<Self> {
        #[cfg(test)]
        WALKS.with(|w| w.set(w.get() + 1));
        let files = crate::batch::expand_inputs(paths, &memory_file_filter()?)?;
        if files.is_empty()
            && let Some(folder) = paths.first()
        {
            return Err(Error::invalid(
                Location::file(folder),
                "no memory file here (.tmx, .tsv, .txt, .xlf, .xliff, .sdlxliff, .mqxliff, .po)",
            ));
        }
        Ok(MemoryFiles { files })
    }

    /// The files, in load order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The files to load for `pair`, each with its format and (TSV) how its
    /// columns are oriented and whether its first row is a header to leave
    /// out ([`tsv_layout`]); a TSV file that declares another pair (by its
    /// name or header row) is left out and recorded in `skipped` with why.
    /// When every file is so left out, that is the error.
    fn selected(
        &self,
        pair: &LanguagePair,
        skipped: &mut Vec<(PathBuf, String)>,
    ) -> Result<Vec<Selected<'_>>> {
        let mut out = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let format = TmFormat::of_path(file);
            let (orientation, header) = match format {
                TmFormat::Tsv => tsv_layout(file, pair),
                TmFormat::Tmx | TmFormat::Bilingual => (TsvOrientation::AsIs, false),
            };
            if let TsvOrientation::OtherPair(named) = &orientation {
                // A folder may hold memories of several pairs; a TSV file
                // says its languages by its name or its first row.
                skipped.push((file.clone(), format!("it holds {named}")));
                continue;
            }
            out.push(Selected {
                path: file.as_path(),
                format,
                swapped: orientation == TsvOrientation::Swapped,
                header,
            });
        }
        if out.is_empty()
            && let Some((file, why)) = skipped.first()
        {
            return Err(Error::invalid(
                Location::file(file),
                format!(
                    "{why}, not {} → {}: no memory of that pair",
                    pair.source, pair.target
                ),
            ));
        }
        Ok(out)
    }
}

/// A memory file to load, as [`MemoryFiles::selected`] finds it.
struct Selected<'a> {
    path: &'a Path,
    format: TmFormat,
    /// TSV: the second column is the source.
    swapped: bool,
    /// TSV: the first row is a header, not a unit.
    header: bool,
}

/// Bounds of the pieces a TSV file is parsed in.
const TSV_PIECE_MIN: usize = 64 << 10;
const TSV_PIECE_MAX: usize = 1 << 20;

/// A translation memory held in memory, loaded from files.
#[derive(Debug, Clone)]
pub struct MemoryTm {
    pair: LanguagePair,
    entries: Vec<Entry>,
    files: Vec<PathBuf>,
    skipped_files: Vec<(PathBuf, String)>,
    /// Entries whose source or target is another region of the asked language.
    fallbacks: std::collections::HashMap<EntryId, RegionFallback>,
}

/// How a TSV file's columns relate to the pair asked for, by its name: a
/// name that starts with two language subtags (`en-fr.tsv`,
/// `en_ja.tatoeba.tsv`) declares source and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TsvOrientation {
    /// The name declares no pair, or the pair asked for: columns as they are.
    AsIs,
    /// The name declares the reverse pair: the second column is the source.
    Swapped,
    /// The file declares another pair (as `en-ja`).
    OtherPair(String),
}

/// The [`TsvOrientation`] of `path` for `pair`.
///
/// ```
/// use std::path::Path;
/// use tmkit::tm::{LanguagePair, TsvOrientation, tsv_orientation};
/// let en_fr = LanguagePair::new("en-US".parse().unwrap(), "fr".parse().unwrap());
/// assert_eq!(tsv_orientation(Path::new("tm/en-fr.news.tsv"), &en_fr), TsvOrientation::AsIs);
/// assert_eq!(tsv_orientation(Path::new("fr_en.tsv"), &en_fr), TsvOrientation::Swapped);
/// assert_eq!(tsv_orientation(Path::new("en-ja.tsv"), &en_fr), TsvOrientation::OtherPair("en-ja".into()));
/// assert_eq!(tsv_orientation(Path::new("memory.tsv"), &en_fr), TsvOrientation::AsIs);
/// ```
pub fn tsv_orientation(path: &Path, pair: &LanguagePair) -> TsvOrientation {
    let Some((a, b)) = named_pair(path) else {
        return TsvOrientation::AsIs;
    };
    let (src, tgt) = (pair.source.primary(), pair.target.primary());
    if a == src && b == tgt {
        TsvOrientation::AsIs
    } else if a == tgt && b == src {
        TsvOrientation::Swapped
    } else {
        TsvOrientation::OtherPair(format!("{a}-{b}"))
    }
}

/// The two language subtags a file name starts with (`en-fr.tsv`,
/// `en_ja.tatoeba.tsv`), lower-cased.
fn named_pair(path: &Path) -> Option<(String, String)> {
    let stem = path.file_name()?.to_str()?;
    let head = stem.split('.').next().unwrap_or(stem);
    let mut parts = head.split(['-', '_']);
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let is_lang =
        |s: &str| (2..=3).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphabetic());
    (is_lang(a) && is_lang(b)).then(|| (a.to_ascii_lowercase(), b.to_ascii_lowercase()))
}

/// The pair a TSV file's name declares (`en-fr.tsv`, `en_ja.tatoeba.tsv`).
pub(crate) fn declared_pair(path: &Path) -> Option<LanguagePair> {
    let (a, b) = named_pair(path)?;
    Some(LanguagePair::new(a.parse().ok()?, b.parse().ok()?))
}

/// What a TSV memory says of its languages, as `tm import` and `--tm` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsvDeclared {
    /// The pair of the columns once `swapped` is applied.
    pub pair: LanguagePair,
    /// The second column holds the pair's source.
    pub swapped: bool,
    /// The first row is a header of language codes (or `source<TAB>target`), not a unit.
    pub header: bool,
}

/// The pair a TSV memory holds: `given` (the pair the user says the file
/// holds), else the one its name declares (`en-fr.tsv`), else a first row of
/// language codes (`en<TAB>fr`, as `tmx convert` and `tm export` write it).
/// A first row naming that pair the other way round says the columns are
/// swapped; either way it is no unit. None when nothing says.
///
/// ```
/// use std::path::Path;
/// use tmkit::tm::tsv_declared;
/// let row = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
/// let names = |d: &tmkit::tm::TsvDeclared| format!("{}-{}", d.pair.source, d.pair.target);
/// let d = tsv_declared(Path::new("memory.tsv"), Some(&row("fr", "en")), None).unwrap();
/// assert_eq!((names(&d).as_str(), d.swapped, d.header), ("fr-en", false, true));
/// let d = tsv_declared(Path::new("en-fr.tsv"), Some(&row("fr", "en")), None).unwrap();
/// assert_eq!((names(&d).as_str(), d.swapped, d.header), ("en-fr", true, true));
/// let d = tsv_declared(Path::new("en-fr.tsv"), Some(&row("Hello", "Bonjour")), None).unwrap();
/// assert!(!d.swapped && !d.header);
/// assert!(tsv_declared(Path::new("memory.tsv"), Some(&row("Yes", "Oui")), None).is_none());
/// ```
pub fn tsv_declared(
    path: &Path,
    first_row: Option<&[String]>,
    given: Option<&LanguagePair>,
) -> Option<TsvDeclared> {
    let declared = given.cloned().or_else(|| declared_pair(path));
    let as_pair = |p: &LanguagePair, reversed: bool| {
        let (src, tgt) = (p.source.clone(), p.target.clone());
        let (src, tgt) = if reversed { (tgt, src) } else { (src, tgt) };
        crate::tmx::convert::Pair { src, tgt }
    };
    let header = |pair: Option<crate::tmx::convert::Pair>| {
        first_row.and_then(|f| crate::tmx::flat::header_row(f, pair.as_ref()))
    };
    let Some(pair) = declared else {
        let named = header(None)??;
        return Some(TsvDeclared {
            pair: LanguagePair::new(named.src, named.tgt),
            swapped: false,
            header: true,
        });
    };
    let (swapped, header) = if header(Some(as_pair(&pair, false))).is_some() {
        (false, true)
    } else if header(Some(as_pair(&pair, true))).is_some() {
        (true, true)
    } else {
        (
            tsv_orientation(path, &pair) == TsvOrientation::Swapped,
            false,
        )
    };
    Some(TsvDeclared {
        pair,
        swapped,
        header,
    })
}

/// The first row of a TSV file, split at tabs (decoded as the file is; None
/// when it cannot be read, which loading it then reports).
fn first_tsv_row(path: &Path) -> Option<Vec<String>> {
    use std::io::{BufRead, Read};
    let mut line = String::new();
    std::io::BufReader::new(crate::files::open_text(path).ok()?.take(64 << 10))
        .read_line(&mut line)
        .ok()?;
    let line = line
        .trim_start_matches('\u{FEFF}')
        .trim_end_matches(['\r', '\n']);
    (!line.trim().is_empty()).then(|| line.split('\t').map(str::to_string).collect())
}

/// How the TSV file at `path` serves `pair`: its orientation (the pair it
/// declares, see [`tsv_declared`], against `pair`) and whether its first
/// row is a header to leave out. A file that declares nothing is read as
/// `pair`, a first row of `pair`'s codes being a header.
pub fn tsv_layout(path: &Path, pair: &LanguagePair) -> (TsvOrientation, bool) {
    let row = first_tsv_row(path);
    let Some(declared) = tsv_declared(path, row.as_deref(), None) else {
        return (
            TsvOrientation::AsIs,
            row.is_some_and(|r| is_header_row(&r, pair)),
        );
    };
    let same = |a: &LanguageTag, b: &LanguageTag| a.primary() == b.primary();
    let (d, p) = (&declared.pair, pair);
    let orientation = if same(&d.source, &p.source) && same(&d.target, &p.target) {
        if declared.swapped {
            TsvOrientation::Swapped
        } else {
            TsvOrientation::AsIs
        }
    } else if same(&d.source, &p.target) && same(&d.target, &p.source) {
        if declared.swapped {
            TsvOrientation::AsIs
        } else {
            TsvOrientation::Swapped
        }
    } else {
        TsvOrientation::OtherPair(format!("{}-{}", d.source, d.target))
    };
    (orientation, declared.header)
}

/// What loading one file added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Entries added.
    pub entries: usize,
    /// Units skipped because they lack the source or the target language (TMX),
    /// or have an empty source or target.
    pub skipped: usize,
}

/// The kinds of file a memory can be loaded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TmFormat {
    /// `source<TAB>target` per line.
    Tsv,
    /// TMX 1.4.
    Tmx,
    /// XLIFF 1.2/2.x or gettext PO: the finished segments of a job.
    Bilingual,
}

impl TmFormat {
    /// The format of `path`, from its extension (`.tmx`; `.xlf`, `.xliff`,
    /// `.sdlxliff`, `.mqxliff`, `.po`; anything else is TSV).
    pub fn of_path(path: &Path) -> TmFormat {
        if crate::xliff::Format::from_path(path).is_some() {
            return TmFormat::Bilingual;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("tmx") => TmFormat::Tmx,
            _ => TmFormat::Tsv,
        }
    }

    /// The format of a memory read from standard input, by its first bytes
    /// (4 KiB are looked at): a first line holding a tab is TSV; an XML declaration,
    /// comment, doctype, `<tmx` or `<xliff` opens TMX or XLIFF; `msgid` or a
    /// `#` comment PO; anything else is TSV.
    pub fn sniff(bytes: &[u8]) -> TmFormat {
        let head = &bytes[..bytes.len().min(4096)];
        let text = match crate::files::decode_text(
            head.to_vec(),
            None,
            crate::files::default_encoding(),
        ) {
            Ok(t) => t,
            Err(_) => String::from_utf8_lossy(head).into_owned(),
        };
        let text = text.trim_start_matches('\u{feff}').trim_start();
        // A first line with a tab is TSV, whatever it starts with (`<b>Save</b>`
        // in a software string, a `#` in a segment).
        if text.lines().next().is_some_and(|line| line.contains('\t')) {
            return TmFormat::Tsv;
        }
        let xml = ["<?xml", "<tmx", "<xliff", "<!--", "<!DOCTYPE"];
        if xml.iter().any(|start| text.starts_with(start)) {
            if text.contains("<xliff") {
                TmFormat::Bilingual
            } else {
                TmFormat::Tmx
            }
        } else if text.starts_with("msgid") || text.starts_with('#') {
            TmFormat::Bilingual
        } else {
            TmFormat::Tsv
        }
    }
}

impl MemoryTm {
    /// An empty memory for `pair`.
    pub fn new(pair: LanguagePair) -> Self {
        MemoryTm {
            pair,
            entries: Vec::new(),
            files: Vec::new(),
            skipped_files: Vec::new(),
            fallbacks: std::collections::HashMap::new(),
        }
    }

    /// Loads every path: files as they are, folders recursively (their `.tmx`
    /// and `.tsv` files, in sorted order).
    pub fn load(pair: LanguagePair, paths: &[PathBuf]) -> Result<Self> {
        Self::load_files(pair, &MemoryFiles::find(paths)?)
    }

    /// [`MemoryTm::load`] of files already found.
    pub fn load_files(pair: LanguagePair, files: &MemoryFiles) -> Result<Self> {
        Self::load_with::<()>(pair, files, usize::MAX, &mut |_| {}, None)
    }

    /// [`MemoryTm::load`], handing every `chunk` new entries (and the rest
    /// at the end) to `on_entries` as they are read, so a caller can index
    /// them while reading goes on.
    pub fn load_streaming(
        pair: LanguagePair,
        paths: &[PathBuf],
        chunk: usize,
        on_entries: &mut dyn FnMut(&[Entry]),
    ) -> Result<Self> {
        Self::load_with::<()>(pair, &MemoryFiles::find(paths)?, chunk, on_entries, None)
    }

    /// [`MemoryTm::load_streaming`], where TSV files, read whole, are parsed
    /// in pieces on all cores and each piece's entries are handed to
    /// `prepare` on the thread that parsed them, while they are in its cache
    /// (how an index tokenizes a memory in the same pass); the pieces'
    /// results go to `on_prepared`, in file order, instead of their entries
    /// to `on_entries`. Entries reach one callback or the other exactly once,
    /// in load order.
    pub fn load_with<C: Send>(
        pair: LanguagePair,
        files: &MemoryFiles,
        chunk: usize,
        on_entries: &mut dyn FnMut(&[Entry]),
        mut tsv: Option<TsvPrepare<'_, C>>,
    ) -> Result<Self> {
        let mut tm = MemoryTm::new(pair);
        let mut flushed = 0;
        let chunk = chunk.max(1);
        for selected in files.selected(&tm.pair, &mut tm.skipped_files)? {
            let (file, swapped, header) = (selected.path, selected.swapped, selected.header);
            let file_index = tm.register_file(file)?;
            match selected.format {
                TmFormat::Tsv => {
                    let text = crate::files::read_text(file)?;
                    match tsv.as_mut() {
                        Some(tsv) => {
                            // Whatever streamed before is handed over first, in order.
                            if flushed < tm.entries.len() {
                                on_entries(&tm.entries[flushed..]);
                            }
                            let prepared = tm.parse_tsv_prepared(
                                &text,
                                file,
                                file_index,
                                (swapped, header),
                                tsv.prepare,
                            )?;
                            flushed = tm.entries.len();
                            (tsv.on_prepared)(prepared);
                        }
                        None => {
                            tm.parse_tsv_prepared(
                                &text,
                                file,
                                file_index,
                                (swapped, header),
                                &|_| (),
                            )?;
                        }
                    }
                }
                TmFormat::Tmx => {
                    tm.load_tmx(file, file_index, &mut |entries: &[Entry]| {
                        // Flush whole chunks as the unit stream grows.
                        while entries.len() - flushed >= chunk {
                            on_entries(&entries[flushed..flushed + chunk]);
                            flushed += chunk;
                        }
                    })?;
                }
                TmFormat::Bilingual => {
                    load_bilingual(file, &tm.pair, file_index, &mut tm.entries)?;
                }
            }
            while tm.entries.len() - flushed >= chunk {
                on_entries(&tm.entries[flushed..flushed + chunk]);
                flushed += chunk;
            }
        }
        if flushed < tm.entries.len() {
            on_entries(&tm.entries[flushed..]);
        }
        Ok(tm)
    }

    /// Parses a TSV file's `text` in pieces on all cores (its first row left
    /// out when `header`; the columns swapped when `swapped`),
    /// appends the entries, and returns `prepare` of each piece's entries,
    /// in file order; a syntax error is the first in the file.
    fn parse_tsv_prepared<C: Send>(
        &mut self,
        text: &str,
        file: &Path,
        file_index: u32,
        (swapped, header): (bool, bool),
        prepare: &(dyn Fn(&[Entry]) -> C + Sync),
    ) -> Result<Vec<C>> {
        use rayon::prelude::*;
        // Several pieces per core, so a slow piece does not leave a core idle.
        let size = (text.len() / (4 * rayon::current_num_threads()).max(1))
            .clamp(TSV_PIECE_MIN, TSV_PIECE_MAX);
        let parsed: Vec<Result<(Vec<Entry>, C)>> = tsv::pieces(text, size)
            .into_par_iter()
            .map(|(range, first_line)| {
                let mut entries = Vec::with_capacity(range.len() / 48 + 1);
                tsv::parse_tsv_lines(
                    &text[range],
                    Some(file),
                    file_index,
                    swapped,
                    first_line,
                    &mut entries,
                )?;
                if header
                    && first_line == 1
                    && entries.first().is_some_and(|e| e.origin.position == 1)
                {
                    entries.remove(0);
                }
                let prepared = prepare(&entries);
                Ok((entries, prepared))
            })
            .collect();
        let mut out = Vec::with_capacity(parsed.len());
        let total: usize = parsed
            .iter()
            .map(|p| p.as_ref().map_or(0, |(e, _)| e.len()))
            .sum();
        self.entries.reserve(total);
        for piece in parsed {
            let (entries, prepared) = piece?;
            self.entries.extend(entries);
            out.push(prepared);
        }
        Ok(out)
    }

    /// Loads one file, by its extension: `.tmx` as TMX, anything else as TSV.
    pub fn load_file(&mut self, path: &Path) -> Result<LoadStats> {
        let file_index = self.register_file(path)?;
        match TmFormat::of_path(path) {
            TmFormat::Tsv => {
                let text = crate::files::read_text(path)?;
                let before = self.entries.len();
                let (orientation, header) = tsv_layout(path, &self.pair);
                if let TsvOrientation::OtherPair(named) = orientation {
                    return Err(Error::invalid(
                        Location::file(path),
                        format!(
                            "it holds {named}, not {} → {}",
                            self.pair.source, self.pair.target
                        ),
                    ));
                }
                let swapped = orientation == TsvOrientation::Swapped;
                self.parse_tsv_prepared(&text, path, file_index, (swapped, header), &|_| ())?;
                Ok(LoadStats {
                    entries: self.entries.len() - before,
                    skipped: 0,
                })
            }
            TmFormat::Tmx => {
                let before = self.entries.len();
                let skipped = self.load_tmx(path, file_index, &mut |_| {})?;
                Ok(LoadStats {
                    entries: self.entries.len() - before,
                    skipped,
                })
            }
            TmFormat::Bilingual => {
                let before = self.entries.len();
                let skipped = load_bilingual(path, &self.pair, file_index, &mut self.entries)?;
                Ok(LoadStats {
                    entries: self.entries.len() - before,
                    skipped,
                })
            }
        }
    }

    /// Loads the units of a TMX file that have both languages of the pair
    /// (by BCP-47 match: the same tag, or the same language where one side
    /// names no region or script; `en-US` is served by `en`).
    /// Returns how many units were skipped; `grown` sees the entries after each unit added.
    fn load_tmx(
        &mut self,
        path: &Path,
        file_index: u32,
        grown: &mut dyn FnMut(&[Entry]),
    ) -> Result<usize> {
        if let Some((entries, fallbacks, skipped)) =
            split::read_in_parts(path, &self.pair, file_index, split::MIN_SPLIT_BYTES)
        {
            let first = self.entries.len();
            for (i, f) in fallbacks {
                self.fallbacks.insert(entry_id(first + i), f);
            }
            self.entries.extend(entries);
            grown(&self.entries);
            return Ok(skipped);
        }
        let mut reader = crate::tmx::TmxReader::open(path)?;
        let mut stats = LoadStats::default();
        let mut langs = PairLangs::default();
        let mut tu = crate::tmx::Tu::default();
        let mut number = 0;
        while let Some(result) = reader.next_into(&mut tu) {
            result?;
            number += 1;
            match entry_of_unit(&tu, &self.pair, file_index, number, &mut langs) {
                Some((entry, fallback)) => {
                    if let Some(f) = fallback {
                        self.fallbacks.insert(entry_id(self.entries.len()), f);
                    }
                    self.entries.push(entry);
                    stats.entries += 1;
                    if stats.entries % 1024 == 0 {
                        grown(&self.entries);
                    }
                }
                None => stats.skipped += 1,
            }
        }
        Ok(stats.skipped)
    }

    fn register_file(&mut self, path: &Path) -> Result<u32> {
        let index = u32::try_from(self.files.len())
            .map_err(|_| Error::invalid(Location::file(path), "too many memory files"))?;
        self.files.push(path.to_path_buf());
        Ok(index)
    }

    /// Adds one entry (its origin's file index must come from [`MemoryTm::add_file`]).
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Registers a file name for entries added with [`MemoryTm::push`]; returns its index.
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> Result<u32> {
        self.register_file(path.as_ref())
    }

    /// TSV files of a folder left out because their name names another
    /// language pair (`en-ja.tsv` in a folder loaded for en → fr), with why.
    pub fn skipped_files(&self) -> &[(PathBuf, String)] {
        &self.skipped_files
    }

    /// How many entries came from another region of a language of the pair,
    /// by the tags used instead (`(en-US, en-GB)`: en-US text served en-GB).
    pub fn region_fallback_counts(&self) -> Vec<((LanguageTag, LanguageTag), usize)> {
        fallback_counts(self.fallbacks.values(), &self.pair)
    }

    /// All entries, in load order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The files entries were loaded from.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl TranslationMemory for MemoryTm {
    fn pair(&self) -> &LanguagePair {
        &self.pair
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
        self.entries.get(id as usize).map(Cow::Borrowed)
    }

    fn region_fallback(&self, id: EntryId) -> Option<&RegionFallback> {
        self.fallbacks.get(&id)
    }

    fn describe_origin(&self, origin: &Origin) -> String {
        describe_file_origin(&self.files, origin)
    }
}

/// `memory.tsv:12` or `memory.tmx#tu12`: where `origin` points among `files`.
fn describe_file_origin(files: &[PathBuf], origin: &Origin) -> String {
    let file = files
        .get(origin.file as usize)
        .map(|p| crate::files::display_name(p))
        .unwrap_or_else(|| "<memory>".to_string());
    match origin.unit {
        PositionUnit::Line => format!("{file}:{}", origin.position),
        PositionUnit::TranslationUnit => format!("{file}#tu{}", origin.position),
    }
}

fn entry_id(index: usize) -> EntryId {
    EntryId::try_from(index).unwrap_or(EntryId::MAX)
}

/// True when `fields` are a header row of the pair's language codes (as
/// `tmx convert` writes), not a translation.
fn is_header_row(fields: &[String], pair: &LanguagePair) -> bool {
    crate::tmx::flat::header_row(
        fields,
        Some(&crate::tmx::convert::Pair {
            src: pair.source.clone(),
            tgt: pair.target.clone(),
        }),
    )
    .is_some()
}

/// How each language spelling of a file serves the pair: its tag and its
/// [`LangMatch`] for the source and the target, so that a memory of a
/// million units parses its few spellings once, not every variant's.
#[derive(Debug, Default)]
pub(crate) struct PairLangs {
    seen: Vec<SeenLang>,
}

/// A spelling, its tag, and how it serves the pair's source and target.
type SeenLang = (
    String,
    Option<LanguageTag>,
    Option<LangMatch>,
    Option<LangMatch>,
);

impl PairLangs {
    /// The index of `lang` in `seen`, resolving it on first sight.
    fn of(&mut self, lang: &str, pair: &LanguagePair) -> usize {
        if let Some(k) = self.seen.iter().position(|(l, ..)| l == lang) {
            return k;
        }
        let tag = LanguageTag::parse(lang).ok();
        let (s, t) = match &tag {
            Some(tag) => (pair.source.resolve(tag), pair.target.resolve(tag)),
            None => (None, None),
        };
        self.seen.push((lang.to_string(), tag, s, t));
        self.seen.len() - 1
    }

    /// The variant of `tu` that best serves the pair's source (`target`
    /// false) or target, as [`crate::tmx::Tu::best_variant`] picks it.
    fn best<'t>(
        &mut self,
        tu: &'t crate::tmx::Tu,
        pair: &LanguagePair,
        target: bool,
    ) -> Option<(&'t crate::tmx::Tuv, LangMatch, usize)> {
        let mut best: Option<(&crate::tmx::Tuv, LangMatch, usize)> = None;
        for tuv in &tu.tuvs {
            let k = self.of(&tuv.lang, pair);
            let q = if target {
                self.seen[k].3
            } else {
                self.seen[k].2
            };
            if let Some(q) = q
                && best.is_none_or(|(_, bq, _)| q > bq)
            {
                best = Some((tuv, q, k));
            }
        }
        best
    }
}

/// The entry a unit gives for `pair` (`number`: its 1-based place in the
/// file), with the region fallback it needed if any, or `None` when it lacks
/// a language or its source is empty.
fn entry_of_unit(
    tu: &crate::tmx::Tu,
    pair: &LanguagePair,
    file_index: u32,
    number: usize,
    langs: &mut PairLangs,
) -> Option<(Entry, Option<RegionFallback>)> {
    let (src, src_match, src_k) = langs.best(tu, pair, false)?;
    let (tgt, tgt_match, tgt_k) = langs.best(tu, pair, true)?;
    let other_region = |_: &crate::tmx::Tuv, m: LangMatch, k: usize| {
        (m == LangMatch::OtherRegion)
            .then(|| langs.seen[k].1.clone())
            .flatten()
    };
    let fallback = RegionFallback {
        source: other_region(src, src_match, src_k),
        target: other_region(tgt, tgt_match, tgt_k),
    };
    let fallback = (fallback.source.is_some() || fallback.target.is_some()).then_some(fallback);
    let source = src.seg.plain_text();
    if source.trim().is_empty() {
        return None;
    }
    let mut codes = 0u16;
    src.seg.count_inline(|kind| {
        if kind.is_code() {
            codes = codes.saturating_add(1);
        }
    });
    let entry = Entry {
        source,
        target: tgt.seg.plain_text(),
        tuid: tu.tuid.clone(),
        changedate: tu.last_modified().map(str::to_string),
        source_codes: codes,
        origin: Origin {
            file: file_index,
            position: u32::try_from(number).unwrap_or(u32::MAX),
            unit: PositionUnit::TranslationUnit,
        },
    };
    Some((entry, fallback))
}

/// Of `(language tag, item)` candidates, the item whose tag best serves
/// `lang`, as [`Tu::best_variant`](crate::tmx::Tu::best_variant) picks a
/// variant (by [`LanguageTag::resolve`]; the first of equals): how a store
/// picks the variants of its units.
pub fn best_variant<'a, T>(
    candidates: impl IntoIterator<Item = (&'a str, T)>,
    lang: &LanguageTag,
) -> Option<T> {
    let mut best: Option<(crate::text::LangMatch, T)> = None;
    for (tag, item) in candidates {
        let Ok(tag) = LanguageTag::parse(tag) else {
            continue;
        };
        if let Some(q) = lang.resolve(&tag)
            && best.as_ref().is_none_or(|(b, _)| q > *b)
        {
            best = Some((q, item));
        }
    }
    best.map(|(_, t)| t)
}

/// A memory named by `--tm`: memory files loaded whole, TSV files kept as
/// text, or a store.
pub enum OpenedMemory {
    /// TMX, XLIFF or PO files and folders (with TSV files or not), loaded into memory.
    Files(MemoryTm),
    /// TSV files and folders alone, kept as their text.
    Tsv(TsvMemory),
    /// A language pair of a store (`team.tmdb`, `postgres://…`).
    Store(crate::store::StoreMemory),
}

impl OpenedMemory {
    /// Files of a folder left out (see [`MemoryTm::skipped_files`]).
    pub fn skipped_files(&self) -> &[(PathBuf, String)] {
        match self {
            OpenedMemory::Files(tm) => tm.skipped_files(),
            OpenedMemory::Tsv(tm) => tm.skipped_files(),
            OpenedMemory::Store(_) => &[],
        }
    }

    /// The files loaded (none for a store).
    pub fn files(&self) -> &[PathBuf] {
        match self {
            OpenedMemory::Files(tm) => tm.files(),
            OpenedMemory::Tsv(tm) => tm.files(),
            OpenedMemory::Store(_) => &[],
        }
    }

    /// Entries served from another region, by (used, asked) (see [`MemoryTm::region_fallback_counts`]).
    pub fn region_fallback_counts(&self) -> Vec<((LanguageTag, LanguageTag), usize)> {
        match self {
            OpenedMemory::Files(tm) => tm.region_fallback_counts(),
            OpenedMemory::Tsv(_) => Vec::new(),
            OpenedMemory::Store(tm) => tm.region_fallback_counts(),
        }
    }

    /// The store, when the memory is one.
    pub fn store(&self) -> Option<&crate::store::StoreMemory> {
        match self {
            OpenedMemory::Store(s) => Some(s),
            OpenedMemory::Files(_) | OpenedMemory::Tsv(_) => None,
        }
    }
}

/// `$body` run on the memory an [`OpenedMemory`] holds, whichever kind it
/// is (bound to `$tm`).
macro_rules! opened {
    ($memory:expr, $tm:ident => $body:expr) => {
        match $memory {
            OpenedMemory::Files($tm) => $body,
            OpenedMemory::Tsv($tm) => $body,
            OpenedMemory::Store($tm) => $body,
        }
    };
}

impl TranslationMemory for OpenedMemory {
    fn pair(&self) -> &LanguagePair {
        opened!(self, tm => tm.pair())
    }
    fn len(&self) -> usize {
        opened!(self, tm => tm.len())
    }
    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
        opened!(self, tm => tm.entry(id))
    }
    fn describe_origin(&self, origin: &Origin) -> String {
        opened!(self, tm => tm.describe_origin(origin))
    }
    fn region_fallback(&self, id: EntryId) -> Option<&RegionFallback> {
        opened!(self, tm => tm.region_fallback(id))
    }
    fn prefetch(&self, ids: &[EntryId]) {
        opened!(self, tm => tm.prefetch(ids))
    }
    fn source(&self, id: EntryId) -> Option<Cow<'_, str>> {
        opened!(self, tm => tm.source(id))
    }
    fn source_codes(&self, id: EntryId) -> u16 {
        opened!(self, tm => tm.source_codes(id))
    }
    fn changedate(&self, id: EntryId) -> Option<String> {
        opened!(self, tm => tm.changedate(id))
    }
}

/// Opens what `--tm` names for `pair`, with its fuzzy index: one store
/// (`*.tmdb`, `postgres://…`; its persisted index, rebuilt when stale), or
/// memory files and folders (`.tmx`, `.tsv`; loaded and indexed). This is
/// the one way every command (`match`, `analyze`, ...) opens a memory.
pub fn open_matcher(
    pair: LanguagePair,
    specs: &[PathBuf],
) -> Result<crate::fuzzy::Matcher<OpenedMemory>> {
    open_matcher_with(pair, specs, None).map(|(matcher, _)| matcher)
}

/// [`open_matcher`], keeping the index of memory files in `cache` (see
/// [`cache`]): read from it while the files' sources are unchanged, else
/// built and written to it. Also says how the cache served (`None`: a
/// store, or no cache).
pub fn open_matcher_with(
    pair: LanguagePair,
    specs: &[PathBuf],
    cache: Option<&cache::IndexCache>,
) -> Result<(crate::fuzzy::Matcher<OpenedMemory>, Option<cache::CacheUse>)> {
    check_memory_specs(specs)?;
    if let [spec] = specs
        && let Some(location) = crate::store::StoreLocation::parse(&spec.to_string_lossy())
    {
        let store = crate::store::open_location(&location, false)?;
        let (memory, index, _) = crate::store::StoreMemory::open(store, pair)?;
        let matcher = crate::fuzzy::Matcher::with_index(OpenedMemory::Store(memory), index)?;
        return Ok((matcher, None));
    }
    // Folders are walked once, whichever loader reads their files, and the
    // paths made canonical once for the cache.
    let files = MemoryFiles::find(specs)?;
    let slot = cache.map(|c| (c, c.slot(&pair, specs)));
    // TSV files alone are kept as text, their entries made on demand.
    if let Some(tm) = TsvMemory::load_files(&pair, &files)? {
        let (index, used) = match &slot {
            Some((cache, slot)) => {
                let (index, used) = cache.index(&tm, slot);
                (index, Some(used))
            }
            None => (crate::fuzzy::FuzzyIndex::build(&tm), None),
        };
        let matcher = crate::fuzzy::Matcher::with_index(OpenedMemory::Tsv(tm), index)?;
        return Ok((matcher, used));
    }
    let (tm, index, used) = match &slot {
        // A cache file exists: load the entries alone and check it against them.
        Some((cache, slot)) if cache.may_hold(slot) => {
            let tm = MemoryTm::load_files(pair, &files)?;
            let (index, used) = cache.index(&tm, slot);
            (tm, index, Some(used))
        }
        // Else index while loading, then keep the index for the next run.
        _ => {
            let (tm, index) = crate::fuzzy::Matcher::load_files(pair, &files)?.into_parts();
            let used = slot.map(|(c, slot)| c.store(&tm, &slot, &index));
            (tm, index, used)
        }
    };
    let matcher = crate::fuzzy::Matcher::with_index(OpenedMemory::Files(tm), index)?;
    Ok((matcher, used))
}

/// Refuses a `--tm` list that names a store beside other memories (or two
/// stores): bad usage, found before anything is loaded.
pub fn check_memory_specs(specs: &[PathBuf]) -> Result<()> {
    let stores = specs
        .iter()
        .filter(|p| crate::store::StoreLocation::parse(&p.to_string_lossy()).is_some())
        .count();
    if stores > 0 && specs.len() > 1 {
        return Err(Error::Usage(
            "--tm takes one store, or memory files and folders, not both (import files into the store with `tmkit tm import`)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> LanguagePair {
        LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap())
    }

    /// Opening a memory walks its folders once (the TSV loader that gives
    /// way to a loaded memory walked them again) and makes its paths
    /// canonical once for the cache (two or three times before), whether
    /// the cache builds or reads the index.
    #[test]
    fn opening_a_memory_walks_and_canonicalizes_its_paths_once() {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let tsv_only = dir.path().join("tsv");
        std::fs::create_dir(&tsv_only).unwrap();
        let mut lines = String::new();
        for i in 0..20 {
            lines.push_str(&format!("Sentence number {i}.\tPhrase {i}.\n"));
        }
        std::fs::write(tsv_only.join("a.tsv"), &lines).unwrap();
        let mixed = dir.path().join("mixed");
        std::fs::create_dir(&mixed).unwrap();
        std::fs::write(mixed.join("a.tsv"), &lines).unwrap();
        std::fs::write(
            mixed.join("b.tmx"),
            r#"<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>Hello</seg></tuv><tuv xml:lang="fr"><seg>Bonjour</seg></tuv></tu></body></tmx>"#,
        )
        .unwrap();
        let cache = cache::IndexCache::new(home.path()).with_min_entries(1);
        for folder in [tsv_only, mixed] {
            for expected in [cache::CacheUse::Built, cache::CacheUse::Read] {
                WALKS.with(|w| w.set(0));
                cache::CANONICALIZED.with(|c| c.set(0));
                let (_, used) =
                    open_matcher_with(pair(), std::slice::from_ref(&folder), Some(&cache)).unwrap();
                assert_eq!(used, Some(expected), "{}", folder.display());
                assert_eq!(WALKS.with(|w| w.get()), 1, "{}", folder.display());
                assert_eq!(
                    cache::CANONICALIZED.with(|c| c.get()),
                    1,
                    "{}",
                    folder.display()
                );
            }
        }
    }

    #[test]
    fn a_folder_without_memory_files_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "not a memory").unwrap();
        let err = MemoryTm::load(pair(), &[dir.path().to_path_buf()]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&*dir.path().to_string_lossy()), "{msg}");
        assert!(msg.contains("no memory file"), "{msg}");
    }

    #[test]
    fn loads_tsv_folder_in_sorted_order_and_names_origins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.tsv"), "Two\tDeux\n").unwrap();
        std::fs::write(dir.path().join("a.tsv"), "One\tUn\n\nThree\tTrois\n").unwrap();
        std::fs::write(dir.path().join("notes.md"), "ignored").unwrap();
        let tm = MemoryTm::load(pair(), &[dir.path().to_path_buf()]).unwrap();
        let sources: Vec<&str> = tm.entries().iter().map(|e| e.source.as_str()).collect();
        assert_eq!(sources, ["One", "Three", "Two"]);
        let third = tm.entry(1).unwrap();
        assert!(tm.describe_origin(&third.origin).ends_with("a.tsv:3"));
    }

    #[test]
    fn tmx_units_serve_every_pair_they_hold_with_region_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.tmx");
        std::fs::write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"/><body>
<tu tuid="a" changedate="20240101T000000Z"><tuv xml:lang="en"><seg>Press <ph x="1">&lt;br/&gt;</ph>OK</seg></tuv><tuv xml:lang="fr-FR"><seg>Appuyez sur OK</seg></tuv><tuv xml:lang="de"><seg>OK drücken</seg></tuv></tu>
<tu><tuv xml:lang="en-GB"><seg>Colour</seg></tuv><tuv xml:lang="fr"><seg>Couleur</seg></tuv></tu>
<tu><tuv xml:lang="de"><seg>Nur Deutsch</seg></tuv><tuv xml:lang="fr"><seg>Seulement</seg></tuv></tu>
</body></tmx>"#,
        )
        .unwrap();
        let en_us_fr = LanguagePair::new("en-US".parse().unwrap(), "fr".parse().unwrap());
        let tm = MemoryTm::load(en_us_fr, std::slice::from_ref(&path)).unwrap();
        // en-GB serves en-US only as a fallback, which is recorded; the third
        // unit has no English at all.
        assert_eq!(tm.len(), 2);
        assert_eq!(tm.region_fallback(0), None);
        let gb: LanguageTag = "en-GB".parse().unwrap();
        assert_eq!(
            tm.region_fallback(1),
            Some(&RegionFallback {
                source: Some(gb.clone()),
                target: None
            })
        );
        assert_eq!(
            tm.region_fallback_counts(),
            [((gb, "en-US".parse().unwrap()), 1)]
        );
        let e = tm.entry(0).unwrap();
        assert_eq!(e.source, "Press OK");
        assert_eq!(e.source_codes, 1);
        assert_eq!(e.tuid.as_deref(), Some("a"));
        assert!(tm.describe_origin(&e.origin).ends_with("m.tmx#tu1"));
        let de_fr = LanguagePair::new("de".parse().unwrap(), "fr".parse().unwrap());
        let tm = MemoryTm::load(de_fr, &[path]).unwrap();
        assert_eq!(tm.len(), 2);
        assert_eq!(tm.entry(1).unwrap().target, "Seulement");
    }

    #[test]
    fn broken_tmx_names_file_and_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.tmx");
        std::fs::write(
            &path,
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n<tu><tuv xml:lang=\"en\"><seg>x</tuv></tu></body></tmx>",
        )
        .unwrap();
        let err = MemoryTm::load(pair(), &[path]).unwrap_err().to_string();
        assert!(err.contains("bad.tmx:2:"), "{err}");
    }

    #[test]
    fn streaming_load_hands_over_every_entry_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let tsv: String = (0..7).map(|i| format!("s{i}\tt{i}\n")).collect();
        std::fs::write(dir.path().join("a.tsv"), tsv).unwrap();
        let units: String = (0..2500)
            .map(|i| format!("<tu><tuv xml:lang=\"en\"><seg>u{i}</seg></tuv><tuv xml:lang=\"fr\"><seg>v{i}</seg></tuv></tu>"))
            .collect();
        std::fs::write(
            dir.path().join("b.tmx"),
            format!("<tmx version=\"1.4\"><header srclang=\"en\"/><body>{units}</body></tmx>"),
        )
        .unwrap();
        let mut seen: Vec<String> = Vec::new();
        let mut sizes = Vec::new();
        let tm = MemoryTm::load_streaming(pair(), &[dir.path().to_path_buf()], 1000, &mut |es| {
            sizes.push(es.len());
            seen.extend(es.iter().map(|e| e.source.clone()));
        })
        .unwrap();
        let all: Vec<String> = tm.entries().iter().map(|e| e.source.clone()).collect();
        assert_eq!(seen, all);
        assert_eq!(all.len(), 2507);
        assert_eq!(sizes, [1000, 1000, 507]);
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let err = MemoryTm::load(pair(), &[PathBuf::from("/nonexistent/tm.tsv")]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/tm.tsv"));
    }

    #[test]
    fn an_error_in_a_later_tsv_piece_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.tsv");
        let mut text = String::new();
        for i in 1..=6000 {
            if i == 5000 {
                text.push_str("a line without a tab\n");
            } else {
                text.push_str(&format!(
                    "Source sentence number {i:05}, with words.\tPhrase {i}.\n"
                ));
            }
        }
        // Several pieces of at least TSV_PIECE_MIN: line 5000 is not in the first.
        assert!(text.len() > 4 * TSV_PIECE_MIN, "{}", text.len());
        std::fs::write(&path, &text).unwrap();
        let err = MemoryTm::load(pair(), &[path]).unwrap_err().to_string();
        assert!(err.contains("m.tsv:5000:"), "{err}");
        assert!(err.contains("expected a tab"), "{err}");
    }
}
