//! XLIFF writers. 1.2 follows the strict schema: one `<file>` per [`File`]
//! with `original`, `source-language`, `target-language` and `datatype`;
//! `<target state state-qualifier>`; candidates as `<alt-trans
//! match-quality origin>`; a unit of several segments as Trados does it,
//! `<seg-source>` and `<target>` holding `<mrk mtype="seg">`. 2.0 writes
//! segments with `state`/`subState` and candidates with the Translation
//! Candidates module (`<mtc:matches>`).

use std::io::Write;

use super::inline::{OriginalData, escape_into, push_attr, write12, write20};
use super::{Candidate, Document, Segment, State, Unit};
use crate::error::{Error, Result};
use crate::text::LanguageTag;
use crate::tmx::Seg;

fn io_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// A language tag as XML Schema's `xsd:language` wants it (`pt_BR` → `pt-BR`).
fn lang_attr(tag: &str) -> String {
    match LanguageTag::parse(tag) {
        Ok(t) => t.to_string(),
        Err(_) => tag.replace('_', "-"),
    }
}

/// The 1.2 `state` values the schema lists.
const STATES12: [&str; 10] = [
    "final",
    "needs-adaptation",
    "needs-l10n",
    "needs-review-adaptation",
    "needs-review-l10n",
    "needs-review-translation",
    "needs-translation",
    "new",
    "signed-off",
    "translated",
];

/// The 1.2 `state-qualifier` values the schema lists.
const QUALIFIERS12: [&str; 14] = [
    "exact-match",
    "fuzzy-match",
    "id-match",
    "leveraged-glossary",
    "leveraged-inherited",
    "leveraged-mt",
    "leveraged-repository",
    "leveraged-tm",
    "mt-suggestion",
    "rejected-grammar",
    "rejected-inaccurate",
    "rejected-length",
    "rejected-spelling",
    "tm-suggestion",
];

/// The 1.2 `state` for a segment: as read when 1.2 has it, else from [`State`].
fn state12(seg: &Segment) -> &str {
    if let Some(raw) = seg.raw_state.as_deref()
        && STATES12.contains(&raw)
        && State::of_xliff12(raw) == seg.state
    {
        return raw;
    }
    state12_of(seg.state)
}

/// The 1.2 `state` that says [`State`] (1.2 has no `reviewed`: `approved="yes"` does).
pub(crate) fn state12_of(state: State) -> &'static str {
    match state {
        State::New => "needs-translation",
        State::Draft | State::NeedsReview => "needs-review-translation",
        State::Translated | State::Reviewed => "translated",
        State::Final => "final",
        State::SignedOff => "signed-off",
    }
}

/// Line breaks and indentation between a candidate's elements: none when
/// it is spliced into a file ([`super::fill`]), the writer's own otherwise.
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    pub open: &'static str,
    pub inner: &'static str,
    pub close: &'static str,
}

impl Layout {
    /// Everything on one line.
    pub(crate) const INLINE: Layout = Layout {
        open: "",
        inner: "",
        close: "",
    };
}

/// Appends a candidate as `<alt-trans match-quality origin [mid]>`.
pub(crate) fn alt_trans(
    s: &mut String,
    c: &Candidate,
    mid: Option<&str>,
    target_language: Option<&str>,
    layout: Layout,
) {
    s.push_str(layout.open);
    s.push_str("<alt-trans");
    push_attr(s, "match-quality", &c.score.to_string());
    if !c.origin.is_empty() {
        push_attr(s, "origin", &c.origin);
    }
    if let Some(mid) = mid {
        push_attr(s, "mid", &nmtoken(mid));
    }
    s.push('>');
    s.push_str(layout.inner);
    s.push_str("<source>");
    write12(s, &c.source);
    s.push_str("</source>");
    s.push_str(layout.inner);
    s.push_str("<target");
    if let Some(t) = target_language {
        push_attr(s, "xml:lang", &lang_attr(t));
    }
    s.push('>');
    write12(s, &c.target);
    s.push_str("</target>");
    s.push_str(layout.close);
    s.push_str("</alt-trans>");
}

/// Appends a candidate as `<mtc:match ref similarity type="tm" origin>`,
/// with its own `<originalData>`.
pub(crate) fn mtc_match(
    s: &mut String,
    c: &Candidate,
    reference: &str,
    mrk_ids: &mut u32,
    layout: Layout,
) {
    let (mut src, mut tgt) = (String::new(), String::new());
    let mut data = OriginalData::default();
    write20(&mut src, &c.source, &mut data, mrk_ids);
    write20(&mut tgt, &c.target, &mut data, mrk_ids);
    s.push_str(layout.open);
    s.push_str("<mtc:match");
    push_attr(s, "ref", &format!("#{reference}"));
    push_attr(s, "similarity", &c.score.min(100).to_string());
    push_attr(s, "type", "tm");
    if !c.origin.is_empty() {
        push_attr(s, "origin", &c.origin);
    }
    s.push('>');
    if !data.entries.is_empty() {
        s.push_str(layout.inner);
        data.write(s, "");
        s.truncate(s.trim_end_matches('\n').len());
    }
    s.push_str(layout.inner);
    s.push_str("<source>");
    s.push_str(&src);
    s.push_str("</source>");
    s.push_str(layout.inner);
    s.push_str("<target>");
    s.push_str(&tgt);
    s.push_str("</target>");
    s.push_str(layout.close);
    s.push_str("</mtc:match>");
}

/// The bare qualifier (`fuzzy-match` of `tmkit:fuzzy-match`).
fn bare(q: &str) -> &str {
    q.rsplit(':').next().unwrap_or(q)
}

/// Writes `doc` as XLIFF 1.2. `target_language` fills files that name none.
pub fn write_xliff12<W: Write>(doc: &Document, mut out: W) -> Result<W> {
    let mut s = String::with_capacity(1 << 14);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n");
    for file in &doc.files {
        s.push_str("  <file");
        push_attr(&mut s, "original", &file.original);
        let src = file.source_language.as_deref().unwrap_or("und");
        push_attr(&mut s, "source-language", &lang_attr(src));
        if let Some(t) = &file.target_language {
            push_attr(&mut s, "target-language", &lang_attr(t));
        }
        push_attr(&mut s, "datatype", datatype12(file.datatype.as_deref()));
        s.push_str(">\n    <header><tool tool-id=\"tmkit\" tool-name=\"tmkit\"");
        push_attr(&mut s, "tool-version", env!("CARGO_PKG_VERSION"));
        s.push_str("/></header>\n    <body>\n");
        for unit in &file.units {
            unit12(&mut s, unit, file.target_language.as_deref());
            if s.len() > 1 << 16 {
                out.write_all(s.as_bytes()).map_err(io_err)?;
                s.clear();
            }
        }
        s.push_str("    </body>\n  </file>\n");
    }
    s.push_str("</xliff>\n");
    out.write_all(s.as_bytes()).map_err(io_err)?;
    out.flush().map_err(io_err)?;
    Ok(out)
}

/// The strict schema's `datatype`: a listed value or `x-…`.
fn datatype12(d: Option<&str>) -> &str {
    const LISTED: [&str; 8] = [
        "plaintext",
        "html",
        "xml",
        "xhtml",
        "php",
        "po",
        "javascript",
        "winres",
    ];
    match d {
        Some(d) if LISTED.contains(&d) || d.starts_with("x-") => d,
        _ => "plaintext",
    }
}

/// True when `seg`'s text has white space a reader may normalize where
/// `xml:space` is `default` (XLIFF's default): at either end, two in a
/// row, or a tab or line break. translate-toolkit read `  a\tb ` as `a b`.
fn spacing_matters(seg: &Seg) -> bool {
    let text = seg.plain_text();
    let xml_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    text.starts_with(xml_space)
        || text.ends_with(xml_space)
        || text.contains(['\t', '\n', '\r'])
        || text.contains("  ")
}

/// True when a text of `unit` (a source, a target) needs `xml:space="preserve"`.
fn unit_spacing_matters(unit: &Unit) -> bool {
    unit.segments
        .iter()
        .any(|g| spacing_matters(&g.source) || g.target.as_ref().is_some_and(spacing_matters))
}

fn unit12(s: &mut String, unit: &Unit, target_language: Option<&str>) {
    s.push_str("      <trans-unit");
    push_attr(s, "id", &unit.id);
    if let Some(name) = &unit.name {
        push_attr(s, "resname", name);
    }
    // XLIFF 1.2 allows xml:space on the unit, not on <source>/<target>.
    if unit_spacing_matters(unit) {
        push_attr(s, "xml:space", "preserve");
    }
    if !unit.translate {
        push_attr(s, "translate", "no");
    }
    if unit
        .segments
        .iter()
        .any(|seg| seg.has_target() && seg.state == State::Reviewed)
    {
        push_attr(s, "approved", "yes");
    }
    s.push_str(">\n");
    let segmented = unit.segments.len() > 1;
    s.push_str("        <source>");
    for (k, seg) in unit.segments.iter().enumerate() {
        if k > 0 {
            s.push(' ');
        }
        write12(s, &seg.source);
    }
    s.push_str("</source>\n");
    if segmented {
        s.push_str("        <seg-source>");
        for (k, seg) in unit.segments.iter().enumerate() {
            mrk(s, k, seg, &seg.source);
        }
        s.push_str("</seg-source>\n");
    }
    let with_target: Vec<&Segment> = unit
        .segments
        .iter()
        .filter(|g| g.target.is_some())
        .collect();
    if !with_target.is_empty() {
        s.push_str("        <target");
        // One state for the unit: the least advanced of its segments.
        let least = with_target.iter().min_by_key(|g| g.state).copied();
        if let Some(seg) = least {
            push_attr(s, "state", state12(seg));
            if let Some(q) = &seg.state_qualifier {
                let q = bare(q);
                if QUALIFIERS12.contains(&q) || q.starts_with("x-") {
                    push_attr(s, "state-qualifier", q);
                }
            }
        }
        s.push('>');
        for (k, seg) in unit.segments.iter().enumerate() {
            let target = seg.target.clone().unwrap_or_default();
            if segmented {
                mrk(s, k, seg, &target);
            } else {
                write12(s, &target);
            }
        }
        s.push_str("</target>\n");
    }
    for note in &unit.notes {
        s.push_str("        <note>");
        escape_into(s, note, false);
        s.push_str("</note>\n");
    }
    let layout = Layout {
        open: "        ",
        inner: "\n          ",
        close: "\n        ",
    };
    for seg in &unit.segments {
        let mid = seg.id.as_deref().filter(|_| segmented);
        for c in &seg.candidates {
            alt_trans(s, c, mid, target_language, layout);
            s.push('\n');
        }
    }
    s.push_str("      </trans-unit>\n");
}

fn mrk(s: &mut String, k: usize, seg: &Segment, content: &Seg) {
    s.push_str("<mrk mtype=\"seg\"");
    let mid = seg.id.clone().unwrap_or_else(|| (k + 1).to_string());
    push_attr(s, "mid", &nmtoken(&mid));
    s.push('>');
    write12(s, content);
    s.push_str("</mrk>");
}

/// `id` as an XML NMTOKEN (characters a name may hold; others become `_`).
fn nmtoken(id: &str) -> String {
    let t: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() { "_".to_string() } else { t }
}

/// The 2.0 `state` and `subState` of a segment with a target.
fn state20(seg: &Segment) -> (&'static str, Option<String>) {
    let state = match seg.state {
        State::New | State::Draft | State::NeedsReview => "initial",
        State::Translated => "translated",
        State::Reviewed => "reviewed",
        State::Final | State::SignedOff => "final",
    };
    let sub = seg.state_qualifier.as_deref().map(|q| {
        if q.contains(':') {
            q.to_string()
        } else {
            format!("tmkit:{q}")
        }
    });
    (state, sub)
}

/// What an XLIFF 2.0 `<file>` without units holds: the schema asks for at
/// least one unit or group, and every reader skips an empty group.
const EMPTY_GROUP: &str = "<group id=\"empty\"/>";

/// Writes `doc` as XLIFF 2.0 (the languages of its first file for the document).
pub fn write_xliff20<W: Write>(doc: &Document, mut out: W) -> Result<W> {
    let mut s = String::with_capacity(1 << 14);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\" version=\"2.0\"",
    );
    push_attr(
        &mut s,
        "srcLang",
        &lang_attr(doc.source_language().unwrap_or("und")),
    );
    if let Some(t) = doc.target_language() {
        push_attr(&mut s, "trgLang", &lang_attr(t));
    }
    s.push_str(">\n");
    for (n, file) in doc.files.iter().enumerate() {
        s.push_str("  <file");
        push_attr(&mut s, "id", &format!("f{}", n + 1));
        if !file.original.is_empty() {
            push_attr(&mut s, "original", &file.original);
        }
        s.push_str(">\n");
        // A <file> must hold something (the schema asks for a unit, a
        // group, notes or a skeleton): a document without segments (an
        // empty article) gets an empty group, which every reader skips.
        if file.units.is_empty() {
            s.push_str("    ");
            s.push_str(EMPTY_GROUP);
            s.push('\n');
        }
        for unit in &file.units {
            unit20(&mut s, unit);
            if s.len() > 1 << 16 {
                out.write_all(s.as_bytes()).map_err(io_err)?;
                s.clear();
            }
        }
        s.push_str("  </file>\n");
    }
    s.push_str("</xliff>\n");
    out.write_all(s.as_bytes()).map_err(io_err)?;
    out.flush().map_err(io_err)?;
    Ok(out)
}

fn unit20(s: &mut String, unit: &Unit) {
    s.push_str("    <unit");
    push_attr(s, "id", &nmtoken(&unit.id));
    if let Some(name) = &unit.name {
        push_attr(s, "name", name);
    }
    if unit_spacing_matters(unit) {
        push_attr(s, "xml:space", "preserve");
    }
    if !unit.translate {
        push_attr(s, "translate", "no");
    }
    s.push_str(">\n");
    let mut mrk_ids = 0u32;
    if unit.segments.iter().any(|g| !g.candidates.is_empty()) {
        s.push_str("      <mtc:matches>\n");
        let layout = Layout {
            open: "        ",
            inner: "\n          ",
            close: "\n        ",
        };
        for (k, seg) in unit.segments.iter().enumerate() {
            for c in &seg.candidates {
                mtc_match(s, c, &format!("s{}", k + 1), &mut mrk_ids, layout);
                s.push('\n');
            }
        }
        s.push_str("      </mtc:matches>\n");
    }
    if !unit.notes.is_empty() {
        s.push_str("      <notes>\n");
        for note in &unit.notes {
            s.push_str("        <note>");
            escape_into(s, note, false);
            s.push_str("</note>\n");
        }
        s.push_str("      </notes>\n");
    }
    let mut data = OriginalData::default();
    let mut body = String::new();
    for (k, seg) in unit.segments.iter().enumerate() {
        body.push_str("      <segment");
        push_attr(&mut body, "id", &format!("s{}", k + 1));
        if seg.target.is_some() {
            let (state, sub) = state20(seg);
            push_attr(&mut body, "state", state);
            if let Some(sub) = sub {
                push_attr(&mut body, "subState", &sub);
            }
        }
        body.push_str(">\n        <source>");
        write20(&mut body, &seg.source, &mut data, &mut mrk_ids);
        body.push_str("</source>\n");
        if let Some(t) = &seg.target {
            body.push_str("        <target>");
            write20(&mut body, t, &mut data, &mut mrk_ids);
            body.push_str("</target>\n");
        }
        body.push_str("      </segment>\n");
    }
    data.write(s, "      ");
    s.push_str(&body);
    s.push_str("    </unit>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xliff::{Candidate, File};

    fn doc() -> Document {
        let mut seg = Segment::new(Seg::from_text("Hello & bye"));
        seg.target = Some(Seg::from_text("Bonjour et au revoir"));
        seg.state = State::Draft;
        seg.state_qualifier = Some("fuzzy-match".into());
        seg.candidates.push(Candidate {
            source: Seg::from_text("Hello and bye"),
            target: Seg::from_text("Bonjour et au revoir"),
            score: 83,
            origin: "m.tmx#tu3".into(),
        });
        Document {
            files: vec![File {
                original: "a.txt".into(),
                source_language: Some("en".into()),
                target_language: Some("pt_BR".into()),
                units: vec![Unit {
                    id: "1".into(),
                    segments: vec![seg],
                    translate: true,
                    notes: vec!["numbers differ".into()],
                    ..Unit::default()
                }],
                ..File::default()
            }],
            ..Document::default()
        }
    }

    #[test]
    fn xliff12_has_state_qualifier_and_alt_trans() {
        let out = String::from_utf8(write_xliff12(&doc(), Vec::new()).unwrap()).unwrap();
        assert!(out.contains(r#"target-language="pt-BR""#), "{out}");
        assert!(out.contains(
            r#"<target state="needs-review-translation" state-qualifier="fuzzy-match">Bonjour et au revoir</target>"#
        ));
        assert!(out.contains(r##"<alt-trans match-quality="83" origin="m.tmx#tu3">"##));
        assert!(out.contains("<source>Hello &amp; bye</source>"));
        let back = Document::parse_str(&out, None).unwrap();
        assert_eq!(back.files[0].units[0].segments[0].state, State::NeedsReview);
    }

    #[test]
    fn xliff20_has_matches_and_substate() {
        let out = String::from_utf8(write_xliff20(&doc(), Vec::new()).unwrap()).unwrap();
        assert!(
            out.contains(r##"<mtc:match ref="#s1" similarity="83" type="tm" origin="m.tmx#tu3">"##),
            "{out}"
        );
        assert!(out.contains(r#"<segment id="s1" state="initial" subState="tmkit:fuzzy-match">"#));
        let back = Document::parse_str(&out, None).unwrap();
        let seg = &back.files[0].units[0].segments[0];
        assert_eq!(seg.state, State::Draft);
        assert_eq!(
            seg.target.as_ref().unwrap().plain_text(),
            "Bonjour et au revoir"
        );
    }
}
