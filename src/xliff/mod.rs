//! Bilingual files that CAT tools exchange: XLIFF 1.2 (with the Trados
//! `.sdlxliff` and memoQ `.mqxliff` dialects), XLIFF 2.0/2.1, and gettext PO.
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | the format-neutral model: [`Document`], [`File`], [`Unit`], [`Segment`], [`State`], [`Candidate`] |
//! | `reader.rs` | the XLIFF 1.2 / 2.0 reader (quick-xml), with positions in errors and the byte spans [`fill`] edits |
//! | `inline.rs` | XLIFF inline codes ↔ the TMX model's [`Seg`] (`g x bx ex ph bpt ept it mrk` in 1.2, `pc ph sc ec mrk` in 2.0) |
//! | `writer.rs` | XLIFF 1.2 (strict schema) and 2.0 (with the Translation Candidates module) writers |
//! | [`convert`] | finished segments → TMX units, TMX units → a bilingual document |
//! | [`fill`] | fills the empty targets of an existing XLIFF file, keeping every other byte |
//! | [`po`] | the gettext PO reader and writer (`msgctxt`, plurals, the `fuzzy` flag) |
//!
//! Segment content is a [`Seg`], the same type TMX segments use, so a unit
//! read from XLIFF becomes a TMX unit with its inline codes, and back.
//!
//! ```
//! use tmkit::xliff::{Document, State};
//! let doc = Document::parse_str(r#"<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
//!  <file original="a.txt" source-language="en" target-language="fr" datatype="plaintext"><body>
//!   <trans-unit id="1"><source>Press <g id="b">OK</g>.</source><target state="final">Appuyez sur <g id="b">OK</g>.</target></trans-unit>
//!  </body></file></xliff>"#, None)?;
//! let seg = &doc.files[0].units[0].segments[0];
//! assert_eq!(seg.source.plain_text(), "Press OK.");
//! assert_eq!(seg.state, State::Final);
//! # Ok::<(), tmkit::Error>(())
//! ```

use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::tmx::Seg;

pub mod convert;
pub mod fill;
mod inline;
pub mod po;
mod reader;
mod writer;

pub use inline::{align_codes, code_count};
pub use reader::{FileSpan, SegmentSpan, UnitSpan};
pub use writer::{write_xliff12, write_xliff20};

/// The bilingual formats this module reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// XLIFF 1.2 (also `.sdlxliff`, `.mqxliff`).
    Xliff12,
    /// XLIFF 2.0 or 2.1.
    Xliff20,
    /// gettext PO (or POT).
    Po,
}

impl Format {
    /// The format a file name suggests: `.xlf`, `.xliff`, `.sdlxliff`,
    /// `.mqxliff` → XLIFF (the version is read from the file; 1.2 when
    /// writing), `.po`/`.pot` → PO.
    ///
    /// ```
    /// use std::path::Path;
    /// use tmkit::xliff::Format;
    /// assert_eq!(Format::from_path(Path::new("job.sdlxliff")), Some(Format::Xliff12));
    /// assert_eq!(Format::from_path(Path::new("fr.po")), Some(Format::Po));
    /// assert_eq!(Format::from_path(Path::new("a.tmx")), None);
    /// ```
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "xlf" | "xliff" | "sdlxliff" | "mqxliff" | "xlz" => Some(Format::Xliff12),
            "po" | "pot" => Some(Format::Po),
            _ => None,
        }
    }

    /// XLIFF ([`Format::Xliff12`]; the version is read from the file) when
    /// `text` opens with markup (after a byte-order mark and white space),
    /// else PO.
    ///
    /// ```
    /// use tmkit::xliff::Format;
    /// assert_eq!(Format::sniff("\u{feff} <?xml version=\"1.0\"?><xliff/>"), Format::Xliff12);
    /// assert_eq!(Format::sniff("# French\nmsgid \"\""), Format::Po);
    /// ```
    pub fn sniff(text: &str) -> Format {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            Format::Xliff12
        } else {
            Format::Po
        }
    }
}

/// Which tool's conventions an XLIFF 1.2 file follows (read from its namespaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// Plain OASIS XLIFF.
    #[default]
    Standard,
    /// Trados Studio: segments as `<mrk mtype="seg">`, states in `<sdl:seg conf=…>`.
    Sdl,
    /// memoQ: states in `mq:status` on the unit.
    MemoQ,
}

/// Where a translation stands, on one scale for every format (XLIFF 1.2
/// `state`, XLIFF 2.0 `state`, Trados `conf`, memoQ `mq:status`, PO flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum State {
    /// Not translated (no target, or `new`/`needs-translation`/`initial`).
    #[default]
    New,
    /// A target that is not final yet: a draft, a pretranslation, a fuzzy PO entry.
    Draft,
    /// Sent back: `needs-review-*`, `needs-l10n`, a rejected segment.
    NeedsReview,
    /// Translated.
    Translated,
    /// Reviewed (XLIFF 2.0 `reviewed`, `approved="yes"`, Trados `ApprovedTranslation`).
    Reviewed,
    /// Final.
    Final,
    /// Signed off (XLIFF 1.2 `signed-off`, Trados `ApprovedSignOff`).
    SignedOff,
}

impl State {
    /// Every state, in order.
    pub const ALL: [State; 7] = [
        State::New,
        State::Draft,
        State::NeedsReview,
        State::Translated,
        State::Reviewed,
        State::Final,
        State::SignedOff,
    ];

    /// The states a finished translation has: what `tmx convert` keeps by default.
    pub const DONE: [State; 4] = [
        State::Translated,
        State::Reviewed,
        State::Final,
        State::SignedOff,
    ];

    /// The name used on the command line (`translated`, `signed-off`, ...).
    pub fn name(self) -> &'static str {
        match self {
            State::New => "new",
            State::Draft => "draft",
            State::NeedsReview => "needs-review",
            State::Translated => "translated",
            State::Reviewed => "reviewed",
            State::Final => "final",
            State::SignedOff => "signed-off",
        }
    }

    /// The state named `name` (see [`State::name`]).
    ///
    /// ```
    /// use tmkit::xliff::State;
    /// assert_eq!(State::parse("signed-off"), Some(State::SignedOff));
    /// assert_eq!(State::parse("done"), None);
    /// ```
    pub fn parse(name: &str) -> Option<State> {
        State::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The state of an XLIFF 1.2 `state` value.
    pub fn of_xliff12(value: &str) -> State {
        match value {
            "new" | "needs-translation" => State::New,
            "needs-review-translation"
            | "needs-review-l10n"
            | "needs-review-adaptation"
            | "needs-l10n"
            | "needs-adaptation" => State::NeedsReview,
            "final" => State::Final,
            "signed-off" => State::SignedOff,
            // `translated` and custom `x-` values a tool wrote on a target.
            _ => State::Translated,
        }
    }

    /// The state of an XLIFF 2.0 `state` value (`initial` with a target is a draft).
    pub fn of_xliff20(value: &str, has_target: bool) -> State {
        match value {
            "translated" => State::Translated,
            "reviewed" => State::Reviewed,
            "final" => State::Final,
            _ if has_target => State::Draft,
            _ => State::New,
        }
    }

    /// The state of a Trados Studio `conf` value.
    pub fn of_sdl_conf(value: &str) -> State {
        match value {
            "Translated" => State::Translated,
            "ApprovedTranslation" => State::Reviewed,
            "ApprovedSignOff" => State::SignedOff,
            "RejectedTranslation" | "RejectedSignOff" => State::NeedsReview,
            "Draft" => State::Draft,
            _ => State::New,
        }
    }

    /// The state of a memoQ `mq:status` value.
    pub fn of_memoq(value: &str) -> State {
        match value {
            "ManuallyConfirmed" | "Confirmed" => State::Translated,
            "Reviewer1Confirmed" => State::Reviewed,
            "Reviewer2Confirmed" => State::Final,
            "Rejected" => State::NeedsReview,
            "NotStarted" => State::New,
            // Edited, PartiallyEdited, Pretranslated, MachineTranslated...
            _ => State::Draft,
        }
    }
}

/// A translation suggestion attached to a segment (`<alt-trans>` in 1.2,
/// `<mtc:match>` in 2.0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Candidate {
    /// The memory's source.
    pub source: Seg,
    /// The memory's target.
    pub target: Seg,
    /// The match percentage (0–101).
    pub score: u8,
    /// Where it came from (`memory.tmx#tu12`).
    pub origin: String,
}

/// One segment: its source, its target if any, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment {
    /// The segment id: `mid` of a Trados `<mrk mtype="seg">`, `id` of an
    /// XLIFF 2.0 `<segment>`, the plural index of a PO entry; `None` for a
    /// plain XLIFF 1.2 unit.
    pub id: Option<String>,
    /// The source.
    pub source: Seg,
    /// The target, `None` when absent.
    pub target: Option<Seg>,
    /// Where the translation stands.
    pub state: State,
    /// The state as written (`needs-review-translation`, `ApprovedSignOff`, ...).
    pub raw_state: Option<String>,
    /// XLIFF 1.2 `state-qualifier` or XLIFF 2.0 `subState`.
    pub state_qualifier: Option<String>,
    /// Suggestions to write with the segment.
    pub candidates: Vec<Candidate>,
    /// Byte spans in the file read, for [`fill`].
    pub span: SegmentSpan,
}

impl Segment {
    /// A segment with a source only.
    pub fn new(source: Seg) -> Self {
        Segment {
            source,
            ..Segment::default()
        }
    }

    /// True when the segment has a target with text or codes in it.
    pub fn has_target(&self) -> bool {
        self.target
            .as_ref()
            .is_some_and(|t| !t.plain_text().trim().is_empty() || t.has_inline_codes())
    }
}

/// A translation unit: a `<trans-unit>`, an XLIFF 2.0 `<unit>`, a PO entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    /// The unit id (PO: `msgctxt` + `msgid` are the key; the id is its position).
    pub id: String,
    /// `resname` (1.2), `name` (2.0), `msgctxt` (PO).
    pub name: Option<String>,
    /// The segments: one for a plain unit, several for Trados segmentation,
    /// XLIFF 2.0 units and PO plurals.
    pub segments: Vec<Segment>,
    /// Notes (`<note>`; PO translator and extracted comments).
    pub notes: Vec<String>,
    /// False for `translate="no"`.
    pub translate: bool,
    /// 1-based line where the unit starts in the file read (0 when built).
    pub line: u64,
    /// PO only: the entry's other comment lines (`#:` references, `#|`
    /// previous strings, flags other than `fuzzy`), written back as they were.
    pub po_comments: Vec<String>,
    /// PO only: `msgid_plural` was given.
    pub plural: bool,
    /// Byte spans in the file read, for [`fill`].
    pub span: UnitSpan,
}

/// A `<file>` of an XLIFF document (PO: the whole file).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct File {
    /// `original` (1.2, 2.0) — the document the units come from.
    pub original: String,
    /// `source-language` (1.2), `srcLang` (2.0).
    pub source_language: Option<String>,
    /// `target-language` (1.2), `trgLang` (2.0), the PO header's `Language`.
    pub target_language: Option<String>,
    /// `datatype` (1.2).
    pub datatype: Option<String>,
    /// The units, in document order.
    pub units: Vec<Unit>,
    /// PO only: the header entry's text (`msgstr ""` of `msgid ""`).
    pub po_header: Option<String>,
    /// Byte spans in the file read, for [`fill`].
    pub span: FileSpan,
}

/// A whole bilingual document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    /// The format read.
    pub format: Option<Format>,
    /// The tool conventions seen (XLIFF 1.2).
    pub dialect: Dialect,
    /// The version attribute as read (`1.2`, `2.0`, `2.1`).
    pub version: String,
    /// The files.
    pub files: Vec<File>,
}

impl Document {
    /// Reads a file (`-` for standard input): PO by its extension
    /// (`.po`, `.pot`), else XLIFF of any version.
    pub fn read(path: &Path) -> Result<Document> {
        let text = crate::files::read_text(path)?;
        let name = (!crate::files::is_stdio(path)).then_some(path);
        if Format::from_path(path) == Some(Format::Po) {
            po::parse(&text, name)
        } else {
            Self::parse_str(&text, name)
        }
    }

    /// Parses XLIFF (1.2 or 2.x), or PO when the text does not open with
    /// markup (see [`Format::sniff`]); `file` names the input in errors.
    pub fn parse_sniffed(text: &str, file: Option<&Path>) -> Result<Document> {
        match Format::sniff(text) {
            Format::Po => po::parse(text, file),
            _ => Self::parse_str(text, file),
        }
    }

    /// Parses an XLIFF document (1.2 or 2.x); `file` names the input in errors.
    pub fn parse_str(text: &str, file: Option<&Path>) -> Result<Document> {
        reader::parse(text, file)
    }

    /// Every segment, with its file and unit.
    pub fn segments(&self) -> impl Iterator<Item = (&File, &Unit, &Segment)> {
        self.files.iter().flat_map(|f| {
            f.units
                .iter()
                .flat_map(move |u| u.segments.iter().map(move |s| (f, u, s)))
        })
    }

    /// The source language of the first file that names one.
    pub fn source_language(&self) -> Option<&str> {
        self.files.iter().find_map(|f| f.source_language.as_deref())
    }

    /// The target language of the first file that names one.
    pub fn target_language(&self) -> Option<&str> {
        self.files.iter().find_map(|f| f.target_language.as_deref())
    }
}

/// An error at byte `offset` of `text`.
pub(crate) fn syntax_at(
    file: Option<&Path>,
    text: &str,
    offset: usize,
    message: impl Into<String>,
) -> Error {
    Error::syntax(Location::of_offset(file, text, offset), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_map_from_every_vocabulary() {
        assert_eq!(
            State::of_xliff12("needs-review-translation"),
            State::NeedsReview
        );
        assert_eq!(State::of_xliff20("initial", true), State::Draft);
        assert_eq!(State::of_xliff20("initial", false), State::New);
        assert_eq!(State::of_sdl_conf("ApprovedSignOff"), State::SignedOff);
        assert_eq!(State::of_memoq("Reviewer1Confirmed"), State::Reviewed);
        for s in State::ALL {
            assert_eq!(State::parse(s.name()), Some(s));
        }
    }
}
