//! Conversions between TMX and the flat formats translators exchange: TMX →
//! TMX (normalized 1.4b), TMX → TSV / CSV (one language pair), TMX → JSONL
//! (every variant of every unit, with attributes, notes and props: see
//! [`super::jsonl`]), and TSV / CSV → TMX.
//!
//! TSV fields escape `\t`, `\n`, `\r` and `\\` with a backslash (so a field
//! never spans lines); CSV follows RFC 4180 (quotes doubled, fields with
//! separators, quotes or line breaks quoted).

use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;

use super::model::{Header, Seg, Tu, Tuv};
use super::reader::{Notice, NoticeKind, TmxReader};
use super::writer::TmxWriter;
use crate::error::{Error, Result};
use crate::text::LanguageTag;

/// A file format `convert` reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TMX 1.4b.
    Tmx,
    /// Tab-separated: source, tab, target.
    Tsv,
    /// Comma-separated (RFC 4180): source, target.
    Csv,
    /// One JSON object per unit.
    Jsonl,
}

impl Format {
    /// The format a file name suggests (`.tmx`, `.tsv`/`.tab`/`.txt`, `.csv`, `.jsonl`/`.ndjson`).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        Some(match ext.as_str() {
            "tmx" | "xml" => Format::Tmx,
            "tsv" | "tab" | "txt" => Format::Tsv,
            "csv" => Format::Csv,
            "jsonl" | "ndjson" => Format::Jsonl,
            _ => return None,
        })
    }

    /// The format of standard input by its first bytes, as `tm import -`
    /// tells it ([`crate::tm::TmFormat::sniff`]), JSONL being a text whose
    /// first line opens with `{` and holds no tab; `None` for XLIFF or PO.
    pub fn sniff(head: &[u8]) -> Option<Format> {
        use crate::tm::TmFormat;
        match TmFormat::sniff(head) {
            TmFormat::Tmx => Some(Format::Tmx),
            TmFormat::Bilingual => None,
            TmFormat::Tsv => {
                let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
                let text = text.trim_ascii_start();
                let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
                Some(if text.starts_with(b"{") && !line.contains(&b'\t') {
                    Format::Jsonl
                } else {
                    Format::Tsv
                })
            }
        }
    }
}

/// How segments become flat text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeMode {
    /// Inline codes dropped with their content ([`Seg::plain_text`]).
    #[default]
    Drop,
    /// Inline codes as numbered placeholders ([`Seg::text_with_placeholders`]).
    Placeholders,
}

impl CodeMode {
    fn text(self, seg: &Seg) -> String {
        match self {
            CodeMode::Drop => seg.plain_text(),
            CodeMode::Placeholders => seg.text_with_placeholders(),
        }
    }
}

/// What a conversion did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConvertReport {
    /// Units (or rows) read.
    pub read: u64,
    /// Units (or rows) written.
    pub written: u64,
    /// Units without both languages of the pair (TSV/CSV output), or empty
    /// rows (TSV/CSV input), left out.
    pub skipped: u64,
    /// Characters XML cannot hold, left out of a TMX output.
    pub dropped_chars: u64,
    /// Units that could not be read and were skipped (`--lenient`).
    pub broken: u64,
    /// Pieces of the input the output does not hold (see
    /// [`loses`]): each was handed to the notice callback.
    pub lost: u64,
    /// Units written whose inline codes were left out (TSV, CSV or JSONL
    /// without [`CodeMode::Placeholders`]), to say so: a flat text holds no
    /// codes.
    pub codes_dropped: u64,
    /// Units written with a variant from another region of an asked language
    /// (`en-US` text for `en-GB`), there being none closer.
    pub region_fallback: u64,
    /// The languages of the units left out for lacking the pair (TSV/CSV
    /// output), to name them when none held it.
    #[serde(skip)]
    pub languages: super::filter::LanguagesSeen,
}

/// True when an output in `format` loses what `notice` describes: content
/// the reader could not keep, or (in flat outputs, which hold only texts)
/// an element it kept as written.
pub fn loses(format: Format, notice: &Notice) -> bool {
    match notice.kind {
        NoticeKind::Lost => true,
        NoticeKind::Kept => format != Format::Tmx,
        NoticeKind::Misplaced | NoticeKind::Invalid | NoticeKind::Legacy => false,
    }
}

use super::jsonl::JsonlLine;
pub use super::jsonl::write_jsonl_tu;

/// Picks the source and target variants of units as [`Tu::variant`] does,
/// with each language spelling parsed and matched once per file rather than
/// once per variant.
struct PairMatcher<'p> {
    pair: &'p Pair,
    /// Match qualities (source, target) by language as written.
    cache: std::collections::HashMap<String, (Option<u8>, Option<u8>)>,
}

impl<'p> PairMatcher<'p> {
    fn new(pair: &'p Pair) -> Self {
        PairMatcher {
            pair,
            cache: std::collections::HashMap::new(),
        }
    }

    fn qualities(&mut self, lang: &str) -> (Option<u8>, Option<u8>) {
        if let Some(&q) = self.cache.get(lang) {
            return q;
        }
        let q = match LanguageTag::parse(lang) {
            Ok(tag) => (
                self.pair.src.match_quality(&tag),
                self.pair.tgt.match_quality(&tag),
            ),
            Err(_) => (None, None),
        };
        if self.cache.len() >= 4096 {
            self.cache.clear();
        }
        self.cache.insert(lang.to_string(), q);
        q
    }

    /// True when the source or target variant picked (by their languages as
    /// written) is only another region of the language asked.
    fn is_other_region(&mut self, source: &str, target: &str) -> bool {
        self.qualities(source).0 == Some(0) || self.qualities(target).1 == Some(0)
    }

    fn pick<'t>(&mut self, tu: &'t Tu) -> (Option<&'t Tuv>, Option<&'t Tuv>) {
        let mut src: Option<(u8, &Tuv)> = None;
        let mut tgt: Option<(u8, &Tuv)> = None;
        for tuv in &tu.tuvs {
            let (qs, qt) = self.qualities(&tuv.lang);
            if let Some(q) = qs
                && src.is_none_or(|(bq, _)| q > bq)
            {
                src = Some((q, tuv));
            }
            if let Some(q) = qt
                && tgt.is_none_or(|(bq, _)| q > bq)
            {
                tgt = Some((q, tuv));
            }
        }
        (src.map(|(_, t)| t), tgt.map(|(_, t)| t))
    }
}

/// A language pair for flat outputs.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Source language.
    pub src: LanguageTag,
    /// Target language.
    pub tgt: LanguageTag,
}

/// Writes one field of a flat file.
pub fn push_field(out: &mut String, text: &str, format: Format) {
    match format {
        Format::Csv => {
            if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ')
            {
                out.push('"');
                out.push_str(&text.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(text);
            }
        }
        _ => crate::tm::escape_tsv_field(out, text),
    }
}

/// How to convert a TMX stream.
#[derive(Debug, Clone, Copy)]
pub struct ConvertOptions<'a> {
    /// The output format.
    pub format: Format,
    /// The language pair (required for TSV and CSV).
    pub pair: Option<&'a Pair>,
    /// Inline codes in flat outputs.
    pub mode: CodeMode,
    /// A header to write instead of the input's (TMX output).
    pub header: Option<&'a Header>,
    /// Skip broken units (handed to the error callback) instead of stopping.
    pub lenient: bool,
}

/// Streams the units of `reader` to `out` as `opts` say. With
/// `opts.lenient`, broken units are handed to `report_skip` and counted;
/// otherwise the first error ends the conversion. Whatever of the input the
/// output does not hold ([`loses`]) is handed to `report_loss` and counted
/// in [`ConvertReport::lost`]; the caller decides whether that fails the
/// conversion.
pub fn convert_tmx<R: Read, W: Write>(
    reader: &mut TmxReader<R>,
    out: W,
    opts: &ConvertOptions<'_>,
    mut report_skip: impl FnMut(&Error),
    mut report_loss: impl FnMut(&Notice),
) -> Result<(ConvertReport, W)> {
    let ConvertOptions {
        format,
        pair,
        mode,
        header: header_override,
        lenient,
    } = *opts;
    let mut on_error = |e: &Error| -> bool {
        if lenient {
            report_skip(e);
        }
        lenient
    };
    let mut report = ConvertReport::default();
    let mut losses = |reader: &mut TmxReader<R>, report: &mut ConvertReport| {
        for notice in reader.take_notices() {
            if loses(format, &notice) {
                report.lost += 1;
                report_loss(&notice);
            }
        }
    };
    losses(reader, &mut report);
    match format {
        Format::Tmx => {
            let header = header_override.unwrap_or(reader.header()).clone();
            let mut w = TmxWriter::new(out, &header)?;
            let mut tu = Tu::default();
            while let Some(result) = reader.next_into(&mut tu) {
                losses(reader, &mut report);
                match result {
                    Ok(()) => {
                        report.read += 1;
                        w.write_tu(&tu)?;
                        report.written += 1;
                    }
                    Err(e) => lenient_error(&mut report, e, &mut on_error)?,
                }
            }
            losses(reader, &mut report);
            report.dropped_chars = w.dropped_chars();
            Ok((report, w.finish_with(reader.trailer())?))
        }
        Format::Jsonl => {
            let mut out = out;
            let mut tu = Tu::default();
            let mut line = JsonlLine::default();
            while let Some(result) = reader.next_into(&mut tu) {
                losses(reader, &mut report);
                match result {
                    Ok(()) => {
                        report.read += 1;
                        line.write(&mut out, &tu, mode)?;
                        report.written += 1;
                        if mode == CodeMode::Drop
                            && tu.tuvs.iter().any(|v| v.seg.has_inline_codes())
                        {
                            report.codes_dropped += 1;
                        }
                    }
                    Err(e) => lenient_error(&mut report, e, &mut on_error)?,
                }
            }
            losses(reader, &mut report);
            Ok((report, out))
        }
        Format::Tsv | Format::Csv => {
            let pair = pair.ok_or_else(|| {
                Error::Usage("TSV and CSV output need a language pair (--src and --tgt)".into())
            })?;
            let mut out = out;
            write_flat_header(&mut out, format, pair)?;
            let mut line = String::new();
            let sep = if format == Format::Csv { ',' } else { '\t' };
            let mut tu = Tu::default();
            let mut matcher = PairMatcher::new(pair);
            while let Some(result) = reader.next_into(&mut tu) {
                losses(reader, &mut report);
                match result {
                    Ok(()) => {}
                    Err(e) => {
                        lenient_error(&mut report, e, &mut on_error)?;
                        continue;
                    }
                };
                report.read += 1;
                let (Some(s), Some(t)) = matcher.pick(&tu) else {
                    report.skipped += 1;
                    if report.written == 0 {
                        report.languages.add(&tu);
                    }
                    continue;
                };
                if matcher.is_other_region(&s.lang, &t.lang) {
                    report.region_fallback += 1;
                }
                if mode == CodeMode::Drop && (s.seg.has_inline_codes() || t.seg.has_inline_codes())
                {
                    report.codes_dropped += 1;
                }
                line.clear();
                push_field(&mut line, &mode.text(&s.seg), format);
                line.push(sep);
                push_field(&mut line, &mode.text(&t.seg), format);
                line.push_str(if format == Format::Csv { "\r\n" } else { "\n" });
                out.write_all(line.as_bytes())
                    .map_err(|e| Error::io("<output>", e))?;
                report.written += 1;
            }
            losses(reader, &mut report);
            Ok((report, out))
        }
    }
}

/// Starts a TSV or CSV file: a row of the pair's language codes (which
/// `flat::read_tabular` recognizes), after a UTF-8 byte-order mark for CSV
/// (spreadsheets read CSV without one in the locale's encoding).
pub fn write_flat_header<W: Write>(out: &mut W, format: Format, pair: &Pair) -> Result<()> {
    let mut line = String::new();
    if format == Format::Csv {
        line.push('\u{feff}');
    }
    push_field(&mut line, &pair.src.to_string(), format);
    line.push(if format == Format::Csv { ',' } else { '\t' });
    push_field(&mut line, &pair.tgt.to_string(), format);
    line.push_str(if format == Format::Csv { "\r\n" } else { "\n" });
    out.write_all(line.as_bytes())
        .map_err(|e| Error::io("<output>", e))
}

fn lenient_error(
    report: &mut ConvertReport,
    e: Error,
    on_error: &mut impl FnMut(&Error) -> bool,
) -> Result<()> {
    // A lenient reader goes on after a broken unit (a syntax error); any
    // other error, or any error in strict mode, ends the conversion.
    if matches!(e, Error::Syntax { .. }) && on_error(&e) {
        report.broken += 1;
        Ok(())
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_is_told_by_its_first_characters() {
        for (head, want) in [
            (
                &b"\xEF\xBB\xBF<?xml version=\"1.0\"?><tmx>"[..],
                Some(Format::Tmx),
            ),
            (b"  <tmx version=\"1.4\">", Some(Format::Tmx)),
            (b"<?xml version=\"1.0\"?>\n<xliff version=\"1.2\">", None),
            (b"msgid \"\"\nmsgstr \"\"", None),
            (b"{\"tuid\":null,\"variants\":[]}\n", Some(Format::Jsonl)),
            (b"{1}Save\t{1}Enregistrer\n", Some(Format::Tsv)),
            (b"en\tfr\nYes\tOui\n", Some(Format::Tsv)),
        ] {
            assert_eq!(
                Format::sniff(head),
                want,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn pair_matcher_picks_what_tu_variant_picks() {
        let mut tu = Tu::default();
        for lang in [
            "fr-CA",
            "en",
            "en-US",
            "EN_us",
            "fr",
            "de-DE",
            "not a tag",
            "en-GB",
        ] {
            tu.tuvs.push(Tuv {
                lang: lang.into(),
                ..Tuv::default()
            });
        }
        for (src, tgt) in [
            ("en-US", "fr"),
            ("en", "fr-FR"),
            ("en-GB", "de"),
            ("ja", "en"),
        ] {
            let pair = Pair {
                src: src.parse().unwrap(),
                tgt: tgt.parse().unwrap(),
            };
            let mut matcher = PairMatcher::new(&pair);
            for _ in 0..2 {
                let (s, t) = matcher.pick(&tu);
                assert!(std::ptr::eq(
                    s.map_or(std::ptr::null(), |v| v as *const Tuv),
                    tu.variant(&pair.src)
                        .map_or(std::ptr::null(), |v| v as *const Tuv)
                ));
                assert!(std::ptr::eq(
                    t.map_or(std::ptr::null(), |v| v as *const Tuv),
                    tu.variant(&pair.tgt)
                        .map_or(std::ptr::null(), |v| v as *const Tuv)
                ));
            }
        }
    }
}
