//! Conversions between TMX and the flat formats translators exchange: TMX →
//! TMX (normalized 1.4b), TMX → TSV / CSV (one language pair), TMX → JSONL
//! (every variant of every unit), and TSV / CSV → TMX.
//!
//! TSV fields escape `\t`, `\n`, `\r` and `\\` with a backslash (so a field
//! never spans lines); CSV follows RFC 4180 (quotes doubled, fields with
//! separators, quotes or line breaks quoted).

use std::io::{BufRead, Read, Write};
use std::path::Path;

use serde::Serialize;

use super::model::{Header, Seg, Tu, Tuv};
use super::reader::TmxReader;
use super::writer::TmxWriter;
use crate::error::{Error, Location, Result};
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
    /// Units written with a variant from another region of an asked language
    /// (`en-US` text for `en-GB`), there being none closer.
    pub region_fallback: u64,
}

/// Writes one unit as a JSONL line: `{"tuid": ..., "variants": [{"lang", "text"}]}`
/// where `text` is the plain text (or placeholders, per `mode`).
pub fn write_jsonl_tu<W: Write>(out: &mut W, tu: &Tu, mode: CodeMode) -> Result<()> {
    let mut line = JsonlLine::default();
    line.write(out, tu, mode)
}

/// Reused buffers for JSONL lines: a line is built in memory and written
/// with one call, and variant texts are built in reused strings.
#[derive(Default)]
struct JsonlLine {
    bytes: Vec<u8>,
    text: String,
}

impl JsonlLine {
    fn write<W: Write>(&mut self, out: &mut W, tu: &Tu, mode: CodeMode) -> Result<()> {
        let json_err = |e: serde_json::Error| Error::io("<output>", e.into());
        let bytes = &mut self.bytes;
        bytes.clear();
        bytes.extend_from_slice(b"{\"tuid\":");
        serde_json::to_writer(&mut *bytes, &tu.tuid).map_err(json_err)?;
        bytes.extend_from_slice(b",\"variants\":[");
        for (i, v) in tu.tuvs.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            bytes.extend_from_slice(b"{\"lang\":");
            let lang = (!v.no_lang).then_some(v.lang.as_str());
            serde_json::to_writer(&mut *bytes, &lang).map_err(json_err)?;
            bytes.extend_from_slice(b",\"text\":");
            self.text.clear();
            match mode {
                CodeMode::Drop => v.seg.push_plain_text(&mut self.text),
                CodeMode::Placeholders => self.text = v.seg.text_with_placeholders(),
            }
            serde_json::to_writer(&mut *bytes, &self.text).map_err(json_err)?;
            bytes.push(b'}');
        }
        bytes.extend_from_slice(b"]}\n");
        out.write_all(bytes).map_err(|e| Error::io("<output>", e))
    }
}

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
        _ => {
            for c in text.chars() {
                match c {
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\\' => out.push_str("\\\\"),
                    c => out.push(c),
                }
            }
        }
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
/// otherwise the first error ends the conversion.
pub fn convert_tmx<R: Read, W: Write>(
    reader: &mut TmxReader<R>,
    out: W,
    opts: &ConvertOptions<'_>,
    mut report_skip: impl FnMut(&Error),
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
    match format {
        Format::Tmx => {
            let header = header_override.unwrap_or(reader.header()).clone();
            let mut w = TmxWriter::new(out, &header)?;
            let mut tu = Tu::default();
            while let Some(result) = reader.next_into(&mut tu) {
                match result {
                    Ok(()) => {
                        report.read += 1;
                        w.write_tu(&tu)?;
                        report.written += 1;
                    }
                    Err(e) => lenient_error(&mut report, e, &mut on_error)?,
                }
            }
            report.dropped_chars = w.dropped_chars();
            Ok((report, w.finish()?))
        }
        Format::Jsonl => {
            let mut out = out;
            let mut tu = Tu::default();
            let mut line = JsonlLine::default();
            while let Some(result) = reader.next_into(&mut tu) {
                match result {
                    Ok(()) => {
                        report.read += 1;
                        line.write(&mut out, &tu, mode)?;
                        report.written += 1;
                    }
                    Err(e) => lenient_error(&mut report, e, &mut on_error)?,
                }
            }
            Ok((report, out))
        }
        Format::Tsv | Format::Csv => {
            let pair = pair.ok_or_else(|| {
                Error::Usage("TSV and CSV output need a language pair (--src and --tgt)".into())
            })?;
            let mut out = out;
            let mut line = String::new();
            let sep = if format == Format::Csv { ',' } else { '\t' };
            let mut tu = Tu::default();
            let mut matcher = PairMatcher::new(pair);
            while let Some(result) = reader.next_into(&mut tu) {
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
                    continue;
                };
                if matcher.is_other_region(&s.lang, &t.lang) {
                    report.region_fallback += 1;
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
            Ok((report, out))
        }
    }
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

/// Reads a TSV or CSV file of `source, target` rows into units.
pub fn read_tabular<R: BufRead>(
    input: R,
    name: Option<&Path>,
    format: Format,
    pair: &Pair,
    mut each: impl FnMut(Tu) -> Result<()>,
) -> Result<ConvertReport> {
    let mut report = ConvertReport::default();
    let mut records = Records::new(input, format, name);
    while let Some(fields) = records.next_record()? {
        report.read += 1;
        let line = records.record_line;
        let (Some(src), Some(tgt)) = (fields.first(), fields.get(1)) else {
            if fields.iter().all(|f| f.is_empty()) {
                report.skipped += 1;
                continue;
            }
            return Err(Error::syntax(
                Location {
                    file: name.map(Path::to_path_buf),
                    line: Some(line),
                    column: None,
                },
                format!(
                    "expected two columns (source{}target), found one",
                    if format == Format::Csv { "," } else { " TAB " }
                ),
            ));
        };
        let tu = Tu::new(vec![
            Tuv::new(pair.src.to_string(), src.clone()),
            Tuv::new(pair.tgt.to_string(), tgt.clone()),
        ]);
        each(tu)?;
        report.written += 1;
    }
    Ok(report)
}

/// A record reader for TSV (backslash escapes) and CSV (RFC 4180).
struct Records<R> {
    input: R,
    format: Format,
    name: Option<std::path::PathBuf>,
    line_no: u64,
    record_line: u64,
    line: String,
}

impl<R: BufRead> Records<R> {
    fn new(input: R, format: Format, name: Option<&Path>) -> Self {
        Records {
            input,
            format,
            name: name.map(Path::to_path_buf),
            line_no: 0,
            record_line: 0,
            line: String::new(),
        }
    }

    fn read_line(&mut self) -> Result<bool> {
        self.line.clear();
        let mut bytes = Vec::new();
        let n = self
            .input
            .read_until(b'\n', &mut bytes)
            .map_err(|e| Error::io(self.name.clone().unwrap_or_else(|| "<stdin>".into()), e))?;
        if n == 0 {
            return Ok(false);
        }
        self.line_no += 1;
        if self.line_no == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        self.line = String::from_utf8(bytes).map_err(|e| {
            Error::invalid(
                Location {
                    file: self.name.clone(),
                    line: Some(self.line_no),
                    column: Some(e.utf8_error().valid_up_to() as u64 + 1),
                },
                "not valid UTF-8 text (convert it to UTF-8 first)",
            )
        })?;
        Ok(true)
    }

    fn next_record(&mut self) -> Result<Option<Vec<String>>> {
        if !self.read_line()? {
            return Ok(None);
        }
        self.record_line = self.line_no;
        if self.format == Format::Tsv {
            let line = self.line.trim_end_matches(['\n', '\r']);
            return Ok(Some(line.split('\t').map(unescape_tsv).collect()));
        }
        // CSV: a quoted field may span lines.
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut was_quoted = false;
        loop {
            let line = std::mem::take(&mut self.line);
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if in_quotes {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            in_quotes = false;
                        }
                    } else {
                        field.push(c);
                    }
                } else {
                    match c {
                        '"' if field.is_empty() && !was_quoted => {
                            in_quotes = true;
                            was_quoted = true;
                        }
                        ',' => {
                            fields.push(std::mem::take(&mut field));
                            was_quoted = false;
                        }
                        '\r' if chars.peek() == Some(&'\n') => {}
                        '\n' => {}
                        c => field.push(c),
                    }
                }
            }
            if !in_quotes {
                fields.push(field);
                return Ok(Some(fields));
            }
            if !self.read_line()? {
                return Err(Error::syntax(
                    Location {
                        file: self.name.clone(),
                        line: Some(self.record_line),
                        column: None,
                    },
                    "a quoted CSV field is not closed before the end of the file",
                ));
            }
        }
    }
}

fn unescape_tsv(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_string();
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn pair() -> Pair {
        Pair {
            src: "en".parse().unwrap(),
            tgt: "fr".parse().unwrap(),
        }
    }

    #[test]
    fn tsv_and_csv_fields_round_trip() {
        for format in [Format::Tsv, Format::Csv] {
            let texts = [
                "plain",
                "tab\there",
                "two\nlines",
                "a \"quote\", comma",
                "back\\slash",
            ];
            let mut file = String::new();
            for t in texts {
                push_field(&mut file, t, format);
                file.push(if format == Format::Csv { ',' } else { '\t' });
                push_field(&mut file, "x", format);
                file.push('\n');
            }
            let mut got = Vec::new();
            read_tabular(file.as_bytes(), None, format, &pair(), |tu| {
                got.push(tu.tuvs[0].seg.plain_text());
                Ok(())
            })
            .unwrap();
            assert_eq!(got, texts, "{format:?}");
        }
    }

    #[test]
    fn one_column_rows_are_errors_with_line_numbers() {
        let err = read_tabular(
            "a\tb\nonly\n".as_bytes(),
            Some(Path::new("x.tsv")),
            Format::Tsv,
            &pair(),
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("x.tsv:2"), "{err}");
    }
}
