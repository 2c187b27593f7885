//! Reading the flat formats translators exchange: TSV and CSV glossaries
//! (one unit per row) and, from [`super::jsonl`], the JSONL that `convert
//! --to jsonl` writes.
//!
//! A first row naming the columns is recognized and not imported: `source,
//! target` (or `src`, `tgt`), or language codes such as `en-US,de-DE`, which
//! then give the pair. Columns after the first two become notes or props
//! (see [`Column`]), so nothing in a row is dropped. With placeholders on,
//! `{1}`, `{/1}` written by `--placeholders` come back as inline codes:
//! `<bpt>`/`<ept>` for a pair, `<ph>` for a lone one.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::convert::{ConvertReport, Format, Pair};
use super::model::{Attr, Inline, InlineKind, MetaKind, Note, Prop, Seg, SegPart, Tu, Tuv};
use crate::error::{Error, Location, Result};
use crate::text::LanguageTag;

/// What a column of a flat file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// The source text.
    Source,
    /// The target text.
    Target,
    /// A `<note>` of the unit.
    Note,
    /// A `<prop>` of the unit, of this type.
    Prop(String),
    /// Left out on purpose.
    Ignore,
}

impl Column {
    /// Parses one item of `--columns`: `source`, `target`, `note`,
    /// `prop:TYPE` (or a bare `x-` type), `ignore`.
    pub fn parse(spec: &str) -> std::result::Result<Column, String> {
        let s = spec.trim();
        Ok(match s.to_ascii_lowercase().as_str() {
            "source" | "src" => Column::Source,
            "target" | "tgt" => Column::Target,
            "note" | "notes" | "comment" | "comments" => Column::Note,
            "ignore" | "skip" | "-" => Column::Ignore,
            lower => {
                if let Some(kind) = s.strip_prefix("prop:").filter(|k| !k.is_empty()) {
                    Column::Prop(kind.to_string())
                } else if lower.starts_with("x-") {
                    Column::Prop(s.to_string())
                } else {
                    return Err(format!(
                        "column {spec:?}: expected source, target, note, prop:TYPE or ignore"
                    ));
                }
            }
        })
    }

    /// The column a header cell names: a note for `note`/`comment`, else a
    /// prop typed after the name (`x-` added when missing).
    fn from_header(name: &str) -> Column {
        match Column::parse(name) {
            Ok(c) => c,
            Err(_) => {
                let name = name.trim();
                let kind: String = name
                    .chars()
                    .map(|c| if c.is_whitespace() { '-' } else { c })
                    .collect();
                Column::Prop(if kind.is_empty() {
                    "x-column".into()
                } else {
                    format!("x-{kind}")
                })
            }
        }
    }
}

/// How to read a flat file.
#[derive(Debug, Clone, Default)]
pub struct FlatOptions {
    /// The language pair; `None` when the file's header row must give it.
    pub pair: Option<Pair>,
    /// What each column holds (default: source, target, then notes, or
    /// what the header row names).
    pub columns: Vec<Column>,
    /// Turn `{1}`, `{/1}` placeholders back into inline codes.
    pub placeholders: bool,
}

/// Reads a TSV or CSV file into units, handing each to `each`. Returns the
/// counts and the language pair used (from the options or the header).
pub fn read_tabular<R: BufRead>(
    input: R,
    name: Option<&Path>,
    format: Format,
    opts: &FlatOptions,
    mut each: impl FnMut(Tu) -> Result<()>,
) -> Result<(ConvertReport, Pair)> {
    let mut report = ConvertReport::default();
    let mut records = Records::new(input, format, name);
    // Else the pair a file name declares (en-fr.tsv), as tm import reads it.
    let mut pair = opts.pair.clone().or_else(|| {
        let declared = crate::tm::declared_pair(name?)?;
        Some(Pair {
            src: declared.source,
            tgt: declared.target,
        })
    });
    let mut columns = opts.columns.clone();
    let mut first = true;
    while let Some(fields) = records.next_record()? {
        let line = records.record_line;
        let loc = || Location {
            file: name.map(Path::to_path_buf),
            line: Some(line),
            column: None,
        };
        if std::mem::take(&mut first)
            && let Some(langs) = header_row(&fields, pair.as_ref())
        {
            if pair.is_none() {
                pair = langs;
            }
            if columns.is_empty() {
                columns = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| match i {
                        0 => Column::Source,
                        1 => Column::Target,
                        _ => Column::from_header(f),
                    })
                    .collect();
            }
            continue;
        }
        let Some(pair) = pair.as_ref() else {
            let example = match format {
                Format::Tsv => "en-US<TAB>de-DE",
                _ => "en-US,de-DE",
            };
            return Err(Error::invalid(
                loc(),
                format!(
                    "no language pair: give --src and --tgt, name the file like en-de.{}, or start it with a row of language codes such as {example}",
                    if format == Format::Tsv { "tsv" } else { "csv" }
                ),
            ));
        };
        report.read += 1;
        if fields.iter().all(|f| f.is_empty()) {
            report.skipped += 1;
            continue;
        }
        let tu = row_unit(&fields, &columns, pair, opts.placeholders)
            .map_err(|m| Error::syntax(loc(), m))?;
        each(tu)?;
        report.written += 1;
    }
    let pair = pair.ok_or_else(|| {
        Error::invalid(
            Location {
                file: name.map(Path::to_path_buf),
                line: None,
                column: None,
            },
            "no language pair: give --src and --tgt",
        )
    })?;
    Ok((report, pair))
}

/// When `fields` is a header row, the language pair it gives (or `None`
/// inside when it names the columns without languages).
pub(crate) fn header_row(fields: &[String], pair: Option<&Pair>) -> Option<Option<Pair>> {
    let [a, b, ..] = fields else { return None };
    let named = |f: &str, names: &[&str]| names.iter().any(|n| f.trim().eq_ignore_ascii_case(n));
    if named(a, &["source", "src", "source text"]) && named(b, &["target", "tgt", "target text"]) {
        return Some(None);
    }
    let tag = |f: &str| {
        let t = LanguageTag::parse(f.trim()).ok()?;
        // Codes, not words: a two- or three-letter language, or one with
        // a region or script.
        (t.primary().len() <= 3 || t.region().is_some() || t.script().is_some()).then_some(t)
    };
    let (src, tgt) = (tag(a)?, tag(b)?);
    // With no pair given, a first row of short words (`Yes<TAB>Oui`,
    // `no<TAB>non`) must not be taken for languages: each side must be an
    // ISO 639-1 code or carry a region or script (`fil-PH`).
    let known =
        |t: &LanguageTag| t.region().is_some() || t.script().is_some() || is_iso639_1(t.primary());
    if pair.is_none() && !(known(&src) && known(&tgt)) {
        return None;
    }
    match pair {
        Some(p) => (p.src.match_quality(&src).is_some() && p.tgt.match_quality(&tgt).is_some())
            .then_some(None),
        None if src.primary() != tgt.primary() || src != tgt => Some(Some(Pair { src, tgt })),
        None => None,
    }
}

/// True for the two-letter codes of ISO 639-1.
fn is_iso639_1(code: &str) -> bool {
    const CODES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch \
        co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv \
        ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko \
        kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng \
        nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl \
        sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi \
        vo wa wo xh yi yo za zh zu";
    code.len() == 2
        && CODES
            .split_ascii_whitespace()
            .any(|c| c.eq_ignore_ascii_case(code))
}

/// Builds the unit of one row.
fn row_unit(
    fields: &[String],
    columns: &[Column],
    pair: &Pair,
    placeholders: bool,
) -> std::result::Result<Tu, String> {
    let column = |i: usize| {
        columns.get(i).cloned().unwrap_or(match i {
            0 => Column::Source,
            1 => Column::Target,
            _ => Column::Note,
        })
    };
    let mut src = None;
    let mut tgt = None;
    let mut tu = Tu::default();
    for (i, field) in fields.iter().enumerate() {
        match column(i) {
            Column::Source => src = Some(field),
            Column::Target => tgt = Some(field),
            Column::Note if !field.is_empty() => {
                tu.notes.push(Note::new(field.clone()));
                tu.meta_order.push(MetaKind::Note);
            }
            Column::Prop(kind) if !field.is_empty() => {
                tu.props.push(Prop::new(kind, field.clone()));
                tu.meta_order.push(MetaKind::Prop);
            }
            _ => {}
        }
    }
    let (Some(src), Some(tgt)) = (src, tgt) else {
        return Err(format!(
            "expected a source and a target column, found {} column(s)",
            fields.len()
        ));
    };
    let seg = |text: &str| {
        if placeholders {
            seg_from_placeholders(text)
        } else {
            Seg::from_text(text)
        }
    };
    for (lang, text) in [(&pair.src, src), (&pair.tgt, tgt)] {
        tu.tuvs.push(Tuv {
            lang: lang.to_string(),
            seg: seg(text),
            ..Tuv::default()
        });
    }
    Ok(tu)
}

/// Parses text holding `{n}`, `{/n}` placeholders (as
/// [`Seg::text_with_placeholders`] writes them) into a segment: `{n}` …
/// `{/n}` become `<bpt i="n"/>` … `<ept i="n"/>`, a lone `{n}` a
/// `<ph x="n"/>`. Anything else in braces stays text.
///
/// ```
/// use tmkit::tmx::flat::seg_from_placeholders;
/// let seg = seg_from_placeholders("Press {1}OK{/1}{2} now");
/// assert_eq!(seg.plain_text(), "Press OK now");
/// assert_eq!(seg.text_with_placeholders(), "Press {1}OK{/1}{2} now");
/// ```
pub fn seg_from_placeholders(text: &str) -> Seg {
    // The tokens: (start, end, number, closing).
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(k) = text[i..].find('{') {
        let start = i + k;
        let mut j = start + 1;
        let closing = bytes.get(j) == Some(&b'/');
        if closing {
            j += 1;
        }
        let digits = bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && digits < 10 && bytes.get(j + digits) == Some(&b'}') {
            tokens.push((start, j + digits + 1, &text[j..j + digits], closing));
            i = j + digits + 1;
        } else {
            i = start + 1;
        }
    }
    let closed: Vec<&str> = tokens
        .iter()
        .filter(|t| t.3)
        .map(|t| t.2)
        .collect::<Vec<_>>();
    let mut parts = Vec::new();
    let mut at = 0;
    let mut open: Vec<&str> = Vec::new();
    for &(start, end, n, closing) in &tokens {
        if start > at {
            parts.push(SegPart::Text(text[at..start].to_string()));
        }
        at = end;
        let (kind, attr) = if closing {
            if let Some(p) = open.iter().rposition(|o| *o == n) {
                open.remove(p);
                (InlineKind::Ept, "i")
            } else {
                // A closing placeholder without its opening one: text.
                parts.push(SegPart::Text(text[start..end].to_string()));
                continue;
            }
        } else if closed.contains(&n) && !open.contains(&n) {
            open.push(n);
            (InlineKind::Bpt, "i")
        } else {
            (InlineKind::Ph, "x")
        };
        parts.push(SegPart::Inline(Inline {
            kind,
            attrs: vec![Attr::new(attr, n)],
            content: Vec::new(),
        }));
    }
    if at < text.len() {
        parts.push(SegPart::Text(text[at..].to_string()));
    }
    // Merge text runs split by a brace that was not a placeholder.
    let mut merged: Vec<SegPart> = Vec::with_capacity(parts.len());
    for p in parts {
        match (merged.last_mut(), p) {
            (Some(SegPart::Text(a)), SegPart::Text(b)) => a.push_str(&b),
            (_, p) => merged.push(p),
        }
    }
    Seg {
        parts: merged,
        attrs: Vec::new(),
    }
}

pub use super::jsonl::read_jsonl;

/// A record reader for TSV (backslash escapes) and CSV (RFC 4180).
struct Records<R> {
    input: R,
    format: Format,
    name: Option<PathBuf>,
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
            return Ok(Some(
                line.split('\t')
                    .map(|f| crate::tm::unescape_tsv_field(f).into_owned())
                    .collect(),
            ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::convert::push_field;

    fn pair() -> Pair {
        Pair {
            src: "en".parse().unwrap(),
            tgt: "fr".parse().unwrap(),
        }
    }

    fn read(text: &str, format: Format, opts: &FlatOptions) -> Result<(Vec<Tu>, Pair)> {
        let mut got = Vec::new();
        let (_, pair) = read_tabular(
            text.as_bytes(),
            Some(Path::new("g.csv")),
            format,
            opts,
            |tu| {
                got.push(tu);
                Ok(())
            },
        )?;
        Ok((got, pair))
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
            let opts = FlatOptions {
                pair: Some(pair()),
                ..FlatOptions::default()
            };
            let (got, _) = read(&file, format, &opts).unwrap();
            let got: Vec<String> = got.iter().map(|tu| tu.tuvs[0].seg.plain_text()).collect();
            assert_eq!(got, texts, "{format:?}");
        }
    }

    #[test]
    fn a_header_row_of_language_codes_gives_the_pair_and_names_extra_columns() {
        let (units, pair) = read(
            "\u{feff}en-US,de-DE,Domain,note\nfile,Datei,IT,menu entry\n",
            Format::Csv,
            &FlatOptions::default(),
        )
        .unwrap();
        assert_eq!(pair.src.to_string(), "en-US");
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].tuvs[1].lang, "de-DE");
        assert_eq!(units[0].props[0].kind, "x-Domain");
        assert_eq!(units[0].props[0].value, "IT");
        assert_eq!(units[0].notes[0].text, "menu entry");
    }

    /// A file name that declares a pair gives it, as for tm import; with
    /// none, the hint shows a TSV header tab-separated.
    #[test]
    fn a_file_name_declares_the_pair() {
        let read_named = |name: &str| {
            read_tabular(
                "Run!\tCours !\n".as_bytes(),
                Some(Path::new(name)),
                Format::Tsv,
                &FlatOptions::default(),
                |_| Ok(()),
            )
        };
        let (report, pair) = read_named("data/en-fr.tsv").unwrap();
        assert_eq!(
            (pair.src.to_string(), pair.tgt.to_string()),
            ("en".into(), "fr".into())
        );
        assert_eq!(report.written, 1);
        let err = read_named("memory.tsv").unwrap_err().to_string();
        assert!(err.contains("such as en-US<TAB>de-DE"), "{err}");
    }

    #[test]
    fn source_target_headers_are_skipped_and_words_are_not_headers() {
        let opts = FlatOptions {
            pair: Some(pair()),
            ..FlatOptions::default()
        };
        let (units, _) = read("Source\tTarget\ncat\tchat\n", Format::Tsv, &opts).unwrap();
        assert_eq!(units.len(), 1);
        let (units, _) = read("cat\tchat\n", Format::Tsv, &opts).unwrap();
        assert_eq!(units.len(), 1);
        let (units, _) = read("en\tfr\ncat\tchat\n", Format::Tsv, &opts).unwrap();
        assert_eq!(units.len(), 1);
        let err = read("cat\n", Format::Tsv, &opts).unwrap_err().to_string();
        assert!(err.starts_with("g.csv:1: expected a source"), "{err}");
        let err = read("hello world,x\n", Format::Csv, &FlatOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no language pair"), "{err}");
    }

    #[test]
    fn columns_map_extra_fields_and_can_swap_source_and_target() {
        let opts = FlatOptions {
            pair: Some(pair()),
            columns: ["target", "ignore", "source", "prop:x-client"]
                .iter()
                .map(|c| Column::parse(c).unwrap())
                .collect(),
            placeholders: false,
        };
        let (units, _) = read("chat,zzz,cat,ACME\n", Format::Csv, &opts).unwrap();
        assert_eq!(units[0].tuvs[0].seg.plain_text(), "cat");
        assert_eq!(units[0].tuvs[1].seg.plain_text(), "chat");
        assert_eq!(units[0].props, [Prop::new("x-client", "ACME")]);
        assert!(units[0].notes.is_empty());
        assert!(Column::parse("domain").is_err());
    }

    #[test]
    fn placeholders_become_inline_codes() {
        let seg = seg_from_placeholders("{1}a{/1} {2} {x} {/9} {3}b{/3}{1}");
        assert_eq!(
            seg.text_with_placeholders(),
            "{1}a{/1} {2} {x} {/9} {3}b{/3}{4}"
        );
        assert_eq!(seg.plain_text(), "a  {x} {/9} b");
        assert!(seg.has_inline_codes());
    }
}
