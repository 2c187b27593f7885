//! gettext PO files as a [`Document`] of one [`File`]: each entry a
//! [`Unit`] (`msgctxt` its name), plural entries one [`Segment`] per
//! `msgstr[n]` (the first with `msgid`, the others with `msgid_plural`), the
//! `fuzzy` flag a [`State::Draft`]. Extracted (`#.`) and translator (`# `)
//! comments are notes; references, previous strings and other flags are kept
//! as they were. Obsolete entries (`#~`) are left out.
//!
//! ```
//! use tmkit::xliff::{State, po};
//! let doc = po::parse("msgctxt \"menu\"\nmsgid \"Open\"\nmsgstr \"Ouvrir\"\n\n#, fuzzy\nmsgid \"Close\"\nmsgstr \"Fermer\"\n", None)?;
//! let units = &doc.files[0].units;
//! assert_eq!(units[0].name.as_deref(), Some("menu"));
//! assert_eq!(units[1].segments[0].state, State::Draft);
//! # Ok::<(), tmkit::Error>(())
//! ```

use std::io::Write;
use std::path::Path;

use super::{Document, File, Format, Segment, State, Unit, syntax_at};
use crate::error::{Error, Location, Result};
use crate::tmx::Seg;

/// Which string a line adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Ctxt,
    Id,
    IdPlural,
    Str(usize),
}

#[derive(Default)]
struct Entry {
    line: u64,
    ctxt: Option<String>,
    id: Option<String>,
    id_plural: Option<String>,
    strs: Vec<String>,
    notes: Vec<String>,
    comments: Vec<String>,
    fuzzy: bool,
    obsolete: bool,
}

impl Entry {
    fn is_empty(&self) -> bool {
        self.id.is_none() && self.ctxt.is_none() && self.strs.is_empty()
    }
}

/// Parses PO text; `file` names the input in errors.
pub fn parse(text: &str, file: Option<&Path>) -> Result<Document> {
    let mut out = File {
        original: file
            .and_then(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        datatype: Some("po".into()),
        ..File::default()
    };
    let mut entry = Entry::default();
    let mut field: Option<Field> = None;
    let mut offset = 0usize;
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index as u64 + 1;
        let line_start = offset;
        offset += raw.len() + 1;
        // Every `\r` before the `\n` is line ending (`\r\r\n` comes from a
        // CRLF file converted twice): a comment keeps none, or the writer's
        // `\n` after it would make a different line ending of it.
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim_start();
        let col = |byte: usize| line_start + (line.len() - trimmed.len()) + byte;
        if trimmed.is_empty() {
            finish(&mut entry, &mut out, file)?;
            field = None;
            continue;
        }
        if entry.is_empty() && entry.line == 0 {
            entry.line = line_no;
        }
        if let Some(rest) = trimmed.strip_prefix('#') {
            if rest.starts_with('~') {
                entry.obsolete = true;
                continue;
            }
            // A comment after the strings starts the next entry.
            if field.is_some_and(|f| matches!(f, Field::Str(_))) {
                finish(&mut entry, &mut out, file)?;
                entry.line = line_no;
                field = None;
            }
            if let Some(flags) = rest.strip_prefix(',') {
                let mut others = Vec::new();
                for flag in flags.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    if flag == "fuzzy" {
                        entry.fuzzy = true;
                    } else {
                        others.push(flag);
                    }
                }
                if !others.is_empty() {
                    entry.comments.push(format!("#, {}", others.join(", ")));
                }
            } else if let Some(note) = rest.strip_prefix('.') {
                entry
                    .notes
                    .push(note.strip_prefix(' ').unwrap_or(note).to_string());
            } else if rest.is_empty() || rest.starts_with(' ') {
                entry
                    .notes
                    .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
            } else {
                entry.comments.push(line.to_string());
            }
            continue;
        }
        let (keyword, rest) = match trimmed.find(|c: char| c == '"' || c.is_whitespace()) {
            Some(k) => (&trimmed[..k], &trimmed[k..]),
            None => (trimmed, ""),
        };
        let next = match keyword {
            "" => match field {
                Some(f) => f,
                None => {
                    return Err(syntax_at(
                        file,
                        text,
                        col(0),
                        "a string with no msgid/msgstr before it",
                    ));
                }
            },
            "msgctxt" => {
                if field.is_some() {
                    finish(&mut entry, &mut out, file)?;
                    entry.line = line_no;
                }
                Field::Ctxt
            }
            "msgid" => {
                if matches!(
                    field,
                    Some(Field::Str(_)) | Some(Field::Id) | Some(Field::IdPlural)
                ) {
                    finish(&mut entry, &mut out, file)?;
                    entry.line = line_no;
                }
                Field::Id
            }
            "msgid_plural" => Field::IdPlural,
            "msgstr" => Field::Str(0),
            k if k.starts_with("msgstr[") && k.ends_with(']') => {
                match k["msgstr[".len()..k.len() - 1].parse::<usize>() {
                    Ok(n) if n < 64 => Field::Str(n),
                    _ => {
                        return Err(syntax_at(
                            file,
                            text,
                            col(0),
                            format!("bad plural index in {k:?}"),
                        ));
                    }
                }
            }
            k => {
                return Err(syntax_at(
                    file,
                    text,
                    col(0),
                    format!(
                        "unknown keyword {k:?} (expected msgctxt, msgid, msgid_plural, msgstr)"
                    ),
                ));
            }
        };
        if let Field::Str(n) = next
            && n > 0
            && entry.id_plural.is_none()
        {
            return Err(syntax_at(
                file,
                text,
                col(0),
                format!("msgstr[{n}] without msgid_plural"),
            ));
        }
        let quoted = rest.trim();
        let value = unquote(quoted).map_err(|(at, msg)| {
            syntax_at(
                file,
                text,
                col(trimmed.len() - rest.len() + (rest.len() - rest.trim_start().len()) + at),
                msg,
            )
        })?;
        let slot = match next {
            Field::Ctxt => entry.ctxt.get_or_insert_with(String::new),
            Field::Id => entry.id.get_or_insert_with(String::new),
            Field::IdPlural => entry.id_plural.get_or_insert_with(String::new),
            Field::Str(n) => {
                if entry.strs.len() <= n {
                    entry.strs.resize(n + 1, String::new());
                }
                &mut entry.strs[n]
            }
        };
        slot.push_str(&value);
        field = Some(next);
    }
    finish(&mut entry, &mut out, file)?;
    if let Some(header) = &out.po_header {
        out.target_language = header
            .lines()
            .find_map(|l| l.strip_prefix("Language:"))
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty());
    }
    Ok(Document {
        format: Some(Format::Po),
        version: String::new(),
        files: vec![out],
        ..Document::default()
    })
}

/// Ends the entry being read: adds it to `out` (or takes it as the header).
fn finish(entry: &mut Entry, out: &mut File, file: Option<&Path>) -> Result<()> {
    let e = std::mem::take(entry);
    if e.obsolete || e.is_empty() {
        return Ok(());
    }
    let Some(id) = e.id else {
        return Err(Error::syntax(
            Location {
                file: file.map(Path::to_path_buf),
                ..Location::default()
            }
            .at(e.line, 1),
            "an entry without msgid",
        ));
    };
    if id.is_empty() && e.ctxt.is_none() {
        out.po_header = Some(e.strs.into_iter().next().unwrap_or_default());
        return Ok(());
    }
    let state_of = |s: &str| {
        if s.is_empty() {
            State::New
        } else if e.fuzzy {
            State::Draft
        } else {
            State::Translated
        }
    };
    let mut segments = Vec::new();
    let forms = e.strs.len().max(1);
    let plural = e.id_plural.is_some();
    for n in 0..forms {
        let source = if n == 0 || !plural {
            id.clone()
        } else {
            e.id_plural.clone().unwrap_or_default()
        };
        let target = e.strs.get(n).cloned().unwrap_or_default();
        segments.push(Segment {
            id: plural.then(|| n.to_string()),
            state: state_of(&target),
            source: Seg::from_text(source),
            target: Some(Seg::from_text(target)),
            ..Segment::default()
        });
    }
    if plural && segments.len() == 1 {
        // `msgid_plural` with only `msgstr[0]`: the plural form still has a source.
        segments.push(Segment {
            id: Some("1".into()),
            source: Seg::from_text(e.id_plural.clone().unwrap_or_default()),
            target: Some(Seg::default()),
            ..Segment::default()
        });
    }
    out.units.push(Unit {
        id: (out.units.len() + 1).to_string(),
        name: e.ctxt,
        segments,
        notes: e.notes,
        translate: true,
        line: e.line,
        po_comments: e.comments,
        plural,
        ..Unit::default()
    });
    Ok(())
}

/// The value of a C string literal `"…"`; errors give a byte offset in `s`.
fn unquote(s: &str) -> std::result::Result<String, (usize, String)> {
    let Some(body) = s.strip_prefix('"') else {
        return Err((0, "expected a quoted string".into()));
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let rest = body[i + 1..].trim();
                if !rest.is_empty() && !rest.starts_with('#') {
                    return Err((i + 2, "text after the closing quote".into()));
                }
                return Ok(out);
            }
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' | '"' | '\'' | '?' => out.push(e),
                    '0'..='7' => {
                        let mut n = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.clone().next() {
                                Some((_, d)) if d.is_digit(8) => {
                                    n = n * 8 + d.to_digit(8).unwrap_or(0);
                                    chars.next();
                                }
                                _ => break,
                            }
                        }
                        out.extend(char::from_u32(n));
                    }
                    other => return Err((i + 1, format!("unknown escape \\{other}"))),
                }
            }
            c => out.push(c),
        }
    }
    Err((s.len(), "missing closing quote".into()))
}

/// Appends `s` as a quoted C string.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            // Other C0 controls and DEL as three octal digits, so a digit
            // after them is not read as part of the escape.
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `keyword "value"`, split after each line break as gettext does.
fn push_field(out: &mut String, keyword: &str, value: &str) {
    out.push_str(keyword);
    out.push(' ');
    let lines: Vec<&str> = value.split_inclusive('\n').collect();
    if lines.len() > 1 {
        out.push_str("\"\"\n");
        for l in lines {
            push_quoted(out, l);
            out.push('\n');
        }
    } else {
        push_quoted(out, value);
        out.push('\n');
    }
}

/// What PO, which is plain text, does to the inline codes of a document
/// ([`code_report`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeReport {
    /// Units with inline codes: written as the original markup they hold
    /// (`<b>`, `{0}`), as translate-toolkit reads TMX and XLIFF codes and
    /// as PO editors show and check markup; reading the PO back gives that
    /// markup as text, no longer as codes.
    pub as_markup: u64,
    /// Of those, units with a code that holds no original markup (an XLIFF
    /// `<g>` or `<x/>`): such codes are not in the PO.
    pub dropped: u64,
}

/// Counts what [`write_po`] does to the inline codes of `doc`.
pub fn code_report(doc: &Document) -> CodeReport {
    let mut report = CodeReport::default();
    for unit in doc.files.iter().flat_map(|f| &f.units) {
        let segs = unit
            .segments
            .iter()
            .flat_map(|g| std::iter::once(&g.source).chain(&g.target));
        let (mut coded, mut dropped) = (false, false);
        for seg in segs {
            coded |= seg.has_inline_codes();
            dropped |= seg.has_codes_without_markup();
        }
        report.as_markup += u64::from(coded);
        report.dropped += u64::from(dropped);
    }
    report
}

/// Writes `doc` as PO: every unit of every file; segments beyond the first
/// of a non-plural unit become entries of their own. Inline codes are
/// written as the original markup they hold ([`Seg::native_text`]; see
/// [`code_report`]).
pub fn write_po<W: Write>(doc: &Document, mut out: W) -> Result<W> {
    let mut s = String::with_capacity(1 << 14);
    let header = doc.files.iter().find_map(|f| f.po_header.clone());
    let header = header.unwrap_or_else(|| {
        let lang = doc.target_language().unwrap_or_default();
        format!(
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\nLanguage: {lang}\nX-Generator: tmkit {}\n",
            env!("CARGO_PKG_VERSION")
        )
    });
    s.push_str("msgid \"\"\n");
    push_field(&mut s, "msgstr", &header);
    for file in &doc.files {
        for unit in &file.units {
            if unit.plural {
                entry(&mut s, unit, &unit.segments);
            } else {
                for seg in &unit.segments {
                    entry(&mut s, unit, std::slice::from_ref(seg));
                }
            }
            if s.len() > 1 << 16 {
                out.write_all(s.as_bytes())
                    .map_err(|e| Error::io("<output>", e))?;
                s.clear();
            }
        }
    }
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<output>", e))?;
    Ok(out)
}

fn entry(s: &mut String, unit: &Unit, segs: &[Segment]) {
    let Some(first) = segs.first() else { return };
    s.push('\n');
    for note in &unit.notes {
        for l in note.split('\n') {
            s.push_str("#. ");
            s.push_str(l);
            s.push('\n');
        }
    }
    let text = |g: &Segment| g.target.as_ref().map(Seg::native_text).unwrap_or_default();
    // The reader's rule, not `has_target`: any non-empty msgstr is a
    // translation (whitespace or a control character included), so a
    // draft one must carry `fuzzy` or it reads back as translated.
    let fuzzy = segs
        .iter()
        .any(|g| !text(g).is_empty() && matches!(g.state, State::Draft | State::NeedsReview));
    let mut flags_written = false;
    for c in &unit.po_comments {
        if fuzzy
            && !flags_written
            && let Some(rest) = c.strip_prefix("#,")
        {
            s.push_str("#, fuzzy,");
            s.push_str(rest);
            flags_written = true;
        } else {
            s.push_str(c);
        }
        s.push('\n');
    }
    if fuzzy && !flags_written {
        s.push_str("#, fuzzy\n");
    }
    if let Some(ctxt) = &unit.name {
        push_field(s, "msgctxt", ctxt);
    }
    push_field(s, "msgid", &first.source.native_text());
    if unit.plural {
        let plural = segs
            .get(1)
            .map(|g| g.source.native_text())
            .unwrap_or_default();
        push_field(s, "msgid_plural", &plural);
        for (n, g) in segs.iter().enumerate() {
            push_field(s, &format!("msgstr[{n}]"), &text(g));
        }
    } else {
        push_field(s, "msgstr", &text(first));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# Translator note
msgid ""
msgstr ""
"Language: fr\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

#. Shown on the button
#: src/ui.c:12
#, c-format
msgctxt "button"
msgid "Open %s"
msgstr "Ouvrir %s"

#, fuzzy
msgid "One file"
msgid_plural "%d files"
msgstr[0] "Un fichier"
msgstr[1] "%d fichiers"

msgid ""
"Line one\n"
"Line \"two\""
msgstr ""

#~ msgid "Old"
#~ msgstr "Vieux"
"#;

    #[test]
    fn reads_context_plurals_fuzzy_and_header() {
        let doc = parse(SAMPLE, None).unwrap();
        let f = &doc.files[0];
        assert_eq!(f.target_language.as_deref(), Some("fr"));
        assert_eq!(f.units.len(), 3);
        let u = &f.units[0];
        assert_eq!(u.name.as_deref(), Some("button"));
        assert_eq!(u.notes, ["Shown on the button"]);
        assert_eq!(u.po_comments, ["#: src/ui.c:12", "#, c-format"]);
        assert_eq!(u.segments[0].state, State::Translated);
        let p = &f.units[1];
        assert!(p.plural);
        assert_eq!(p.segments.len(), 2);
        assert_eq!(p.segments[1].source.plain_text(), "%d files");
        assert_eq!(p.segments[1].state, State::Draft);
        let m = &f.units[2];
        assert_eq!(m.segments[0].source.plain_text(), "Line one\nLine \"two\"");
        assert_eq!(m.segments[0].state, State::New);
    }

    #[test]
    fn inline_codes_are_written_as_their_markup_and_counted() {
        let doc = crate::xliff::Document::parse_str(
            r#"<xliff version="1.2"><file original="f" source-language="en" target-language="fr"><body>
<trans-unit id="1"><source>Press <bpt id="1">&lt;b&gt;</bpt>OK<ept id="1">&lt;/b&gt;</ept><ph id="2">%s</ph></source><target>Appuyez sur <bpt id="1">&lt;b&gt;</bpt>OK<ept id="1">&lt;/b&gt;</ept><ph id="2">%s</ph></target></trans-unit>
<trans-unit id="2"><source>On <g id="1">Thursday</g><x id="2"/></source><target>Jeudi</target></trans-unit>
<trans-unit id="3"><source>Plain</source><target>Simple</target></trans-unit>
</body></file></xliff>"#,
            None,
        )
        .unwrap();
        let po = String::from_utf8(write_po(&doc, Vec::new()).unwrap()).unwrap();
        assert!(
            po.contains("msgid \"Press <b>OK</b>%s\"\nmsgstr \"Appuyez sur <b>OK</b>%s\""),
            "{po}"
        );
        assert!(po.contains("msgid \"On Thursday\""), "{po}");
        assert_eq!(
            code_report(&doc),
            CodeReport {
                as_markup: 2,
                dropped: 1
            }
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let doc = parse(SAMPLE, None).unwrap();
        let out = String::from_utf8(write_po(&doc, Vec::new()).unwrap()).unwrap();
        assert!(out.contains("#, fuzzy\nmsgid \"One file\""), "{out}");
        let lines =
            |d: &Document| -> Vec<u64> { d.files[0].units.iter().map(|u| u.line).collect() };
        let mut back = parse(&out, None).unwrap();
        assert_eq!(lines(&back), [6, 13, 19]);
        back.files[0]
            .units
            .iter_mut()
            .zip(&doc.files[0].units)
            .for_each(|(b, u)| b.line = u.line);
        assert_eq!(back, doc);
    }

    /// Found by the po_reader fuzz target: a comment line ending in more
    /// than one `\r` (`\r\r\n`, a CRLF file converted twice) kept one
    /// `\r`, which the writer wrote back as the line's CRLF ending and the
    /// reader then dropped, so write → read changed the entry.
    #[test]
    fn regression_po_comment_lines_with_a_bare_cr() {
        let text = "#: src/a.c:1\r\r\n#.\r\r\n# note\r\r\n#\r\r\n#|\rmsgid \"x\"\r\n#, c-format\r\r\nmsgid \"a\"\r\r\nmsgstr \"b\"\r\n";
        let doc = parse(text, None).unwrap();
        let unit = &doc.files[0].units[0];
        assert_eq!(
            unit.po_comments,
            ["#: src/a.c:1", "#|\rmsgid \"x\"", "#, c-format"]
        );
        assert_eq!(unit.notes, ["", "note", ""]);
        let out = String::from_utf8(write_po(&doc, Vec::new()).unwrap()).unwrap();
        let mut back = parse(&out, None).unwrap();
        back.files[0].units[0].line = unit.line;
        assert_eq!(back.files[0].units, doc.files[0].units);
    }

    /// Found by the po_reader fuzz target (/work/po-crash.bin): a fuzzy
    /// entry whose msgstr is only a form feed reads as a draft (any
    /// non-empty msgstr is a translation), but the writer decided `fuzzy`
    /// with `has_target`, which trims whitespace, so it dropped the flag
    /// and the entry read back as translated. The entry also has its
    /// strings in an odd order (msgid, msgstr, msgid_plural, msgstr).
    #[test]
    fn regression_fuzzy_lost_when_msgstr_is_only_a_control_character() {
        let text = "# French tranur[\n#, fuzzy\nmsgid \"Talks rweek\u{48e0}..\"\nmsgstr \"\u{c}\"\nmsgid_plural \"%d ports oated yet.\"\nmsgstr \"\"\n";
        let doc = parse(text, None).unwrap();
        let unit = &doc.files[0].units[0];
        assert!(unit.plural);
        assert_eq!(unit.segments[0].state, State::Draft);
        assert_eq!(
            unit.segments[0].target.as_ref().unwrap().plain_text(),
            "\u{c}"
        );
        let out = String::from_utf8(write_po(&doc, Vec::new()).unwrap()).unwrap();
        assert!(out.contains("#, fuzzy\n"), "{out}");
        assert!(out.contains("msgstr[0] \"\\f\"\n"), "{out}");
        let mut back = parse(&out, None).unwrap();
        back.files[0].units[0].line = unit.line;
        assert_eq!(back.files[0].units, doc.files[0].units);
    }

    /// Every C0 control and DEL is written as an escape the reader reads back.
    #[test]
    fn control_characters_are_written_escaped() {
        let all: String = (0u32..0x20)
            .chain([0x7f])
            .filter_map(char::from_u32)
            .collect();
        let value = format!("{all}7");
        let mut quoted = String::new();
        push_quoted(&mut quoted, &value);
        assert!(!quoted.chars().any(|c| c.is_ascii_control()), "{quoted:?}");
        assert_eq!(unquote(&quoted).unwrap(), value);
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse("msgid \"a\"\nmsgstr \"b\\q\"\n", Some(Path::new("fr.po"))).unwrap_err();
        assert_eq!(err.to_string(), "fr.po:2:10: unknown escape \\q");
        let err = parse("msgid \"a\"\nmsgstring \"b\"\n", Some(Path::new("fr.po"))).unwrap_err();
        assert!(
            err.to_string().starts_with("fr.po:2:1: unknown keyword"),
            "{err}"
        );
        let err = parse("msgid \"a\nmsgstr \"\"\n", Some(Path::new("fr.po"))).unwrap_err();
        assert!(err.to_string().contains("fr.po:1:"), "{err}");
    }
}
