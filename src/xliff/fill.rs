//! Filling the empty targets of an XLIFF file in place: the file a tool
//! extracted (Okapi Tikal, OmegaT, a CMS, Trados) goes back with the
//! translations written in and every other byte as it was.
//!
//! The caller reads the file with [`Document::parse_str`], gives targets to
//! segments that had none ([`Segment::target`], [`Segment::state`], its
//! candidates, and notes appended to the unit), and [`fill`] splices them
//! into the original text:
//! - XLIFF 1.2: a `<target state state-qualifier>` replaces an empty one or
//!   follows `</source>`/`</seg-source>`; `<alt-trans>` and the new notes
//!   follow it. Trados units get their empty `<mrk mtype="seg">` filled.
//! - XLIFF 2.0: `<target>` follows `</source>`; the `<segment>` start tag
//!   gets `state`/`subState`; `<mtc:matches>` (declaring its namespace) and
//!   the new notes go before the unit's first core element.
//! - A `<file>` (1.2) or `<xliff>` (2.0) without a target language gets one.

use std::ops::Range;

use super::inline::{OriginalData, escape_into, push_attr, write12, write20};
use super::writer::{Layout, alt_trans, mtc_match, state12_of};
use super::{Document, Format, Segment, State};
use crate::tmx::Seg;

/// Which segments to fill: those whose file had no target with content for
/// them and that have one now.
fn filled(seg: &Segment) -> bool {
    !seg.span.had_target && seg.has_target()
}

/// The text of `original` (which `doc` was read from) with the targets of
/// filled segments written in; `target_language` is set where a file names
/// none. Returns the new text and how many segments were filled.
pub fn fill(original: &str, doc: &Document, target_language: &str) -> (String, usize) {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut count = 0;
    let v2 = doc.format == Some(Format::Xliff20);
    for (n, file) in doc.files.iter().enumerate() {
        let tag = if v2 {
            file.span.root_tag.as_ref().filter(|_| n == 0)
        } else {
            file.span.start_tag.as_ref()
        };
        let lang_attr = if v2 { "trgLang" } else { "target-language" };
        if let Some((range, attrs)) = tag
            && !attrs.iter().any(|(k, _)| k == lang_attr)
        {
            let mut attrs = attrs.clone();
            attrs.push((lang_attr.to_string(), target_language.to_string()));
            edits.push((range.clone(), start_tag(original, range, &attrs, false)));
        }
        for unit in &file.units {
            let new_notes = &unit.notes[unit.span.notes_read.min(unit.notes.len())..];
            let todo: Vec<(usize, &Segment)> = unit
                .segments
                .iter()
                .enumerate()
                .filter(|(_, s)| filled(s))
                .collect();
            if todo.is_empty() {
                continue;
            }
            count += todo.len();
            if v2 {
                unit20(original, unit, &todo, new_notes, &mut edits);
            } else {
                let lang = file.target_language.as_deref().unwrap_or(target_language);
                unit12(original, unit, &todo, new_notes, lang, &mut edits);
            }
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(original.len() + edits.len() * 128);
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at {
            continue; // overlapping edits cannot happen; never write one twice
        }
        out.push_str(&original[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&original[at..]);
    (out, count)
}

/// A start tag with `attrs`, named as the one at `range` of `text`.
fn start_tag(text: &str, range: &Range<usize>, attrs: &[(String, String)], empty: bool) -> String {
    let tag = &text[range.clone()];
    let name: String = tag[1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let mut s = format!("<{name}");
    for (k, v) in attrs {
        push_attr(&mut s, k, v);
    }
    s.push_str(if empty { "/>" } else { ">" });
    s
}

fn target12(seg: &Segment, lang: &str) -> String {
    let mut s = String::from("<target");
    push_attr(&mut s, "xml:lang", lang);
    push_attr(&mut s, "state", state12_of(seg.state));
    if let Some(q) = &seg.state_qualifier {
        push_attr(&mut s, "state-qualifier", q);
    }
    s.push('>');
    write12(&mut s, seg.target.as_ref().unwrap_or(&Seg::default()));
    s.push_str("</target>");
    s
}

fn mrk(seg: &Segment, target: &Seg) -> String {
    let mut s = String::from("<mrk mtype=\"seg\"");
    push_attr(&mut s, "mid", seg.id.as_deref().unwrap_or_default());
    s.push('>');
    write12(&mut s, target);
    s.push_str("</mrk>");
    s
}

/// A Trados `<sdl:seg>` tag saying where a filled segment's target came
/// from: `conf` Translated (exact) or Draft (fuzzy), `origin="tm"`, `percent`.
fn sdl_seg(
    original: &str,
    attrs: &[(String, String)],
    seg: &Segment,
    range: &Range<usize>,
) -> String {
    let mut attrs: Vec<(String, String)> = attrs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "conf" | "origin" | "percent"))
        .cloned()
        .collect();
    let conf = if seg.state >= State::Translated {
        "Translated"
    } else {
        "Draft"
    };
    attrs.push(("conf".into(), conf.into()));
    attrs.push(("origin".into(), "tm".into()));
    if let Some(best) = seg.candidates.first() {
        attrs.push(("percent".into(), best.score.to_string()));
    }
    // Only the tag is rewritten: an element keeps its children.
    let empty = original[range.clone()].ends_with("/>");
    start_tag(original, range, &attrs, empty)
}

fn extras12(
    unit: &super::Unit,
    todo: &[(usize, &Segment)],
    notes: &[String],
    lang: &str,
) -> String {
    let mut s = String::new();
    for note in notes {
        s.push_str("<note from=\"tmkit\">");
        escape_into(&mut s, note, false);
        s.push_str("</note>");
    }
    for (_, seg) in todo {
        let mid = seg.id.as_deref().filter(|_| unit.span.mrk_segmented);
        for c in &seg.candidates {
            alt_trans(&mut s, c, mid, Some(lang), Layout::INLINE);
        }
    }
    s
}

fn unit12(
    original: &str,
    unit: &super::Unit,
    todo: &[(usize, &Segment)],
    notes: &[String],
    lang: &str,
    edits: &mut Vec<(Range<usize>, String)>,
) {
    let extras = extras12(unit, todo, notes, lang);
    if unit.span.mrk_segmented {
        for (_, seg) in todo {
            if let Some((range, attrs)) = &seg.span.start_tag {
                edits.push((range.clone(), sdl_seg(original, attrs, seg, range)));
            }
        }
        match &unit.span.target {
            Some(target) => {
                for (_, seg) in todo {
                    if let (Some(range), Some(t)) = (&seg.span.target, &seg.target) {
                        edits.push((range.clone(), mrk(seg, t)));
                    }
                }
                edits.push((target.end..target.end, extras));
            }
            None => {
                let mut s = String::from("<target");
                push_attr(&mut s, "xml:lang", lang);
                s.push('>');
                for seg in &unit.segments {
                    let t = seg
                        .target
                        .clone()
                        .filter(|_| filled(seg))
                        .unwrap_or_default();
                    s.push_str(&mrk(seg, &t));
                }
                s.push_str("</target>");
                s.push_str(&extras);
                let at = unit.span.insert_at;
                edits.push((at..at, s));
            }
        }
        return;
    }
    let Some((_, seg)) = todo.first() else { return };
    let mut s = target12(seg, lang);
    s.push_str(&extras);
    match &unit.span.target {
        Some(range) => edits.push((range.clone(), s)),
        None => {
            let at = unit.span.insert_at;
            edits.push((at..at, s));
        }
    }
}

fn unit20(
    original: &str,
    unit: &super::Unit,
    todo: &[(usize, &Segment)],
    notes: &[String],
    edits: &mut Vec<(Range<usize>, String)>,
) {
    let mut head = String::new();
    let mut mrk_ids = 1000u32;
    if todo.iter().any(|(_, s)| !s.candidates.is_empty()) {
        head.push_str("<mtc:matches xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\">");
        for (_, seg) in todo {
            let id = seg.id.clone().unwrap_or_default();
            for c in &seg.candidates {
                mtc_match(&mut head, c, &id, &mut mrk_ids, Layout::INLINE);
            }
        }
        head.push_str("</mtc:matches>");
    }
    // A unit has one `<notes>`: new notes join it when there is one.
    let mut new_notes = String::new();
    for note in notes {
        new_notes.push_str("<note category=\"tmkit\">");
        escape_into(&mut new_notes, note, false);
        new_notes.push_str("</note>");
    }
    match &unit.span.notes_end {
        _ if notes.is_empty() => {}
        Some(range) if range.is_empty() => edits.push((range.clone(), new_notes)),
        Some(range) => edits.push((range.clone(), format!("<notes>{new_notes}</notes>"))),
        None => {
            head.push_str("<notes>");
            head.push_str(&new_notes);
            head.push_str("</notes>");
        }
    }
    if !head.is_empty() {
        let at = unit.span.core_at.unwrap_or(unit.span.after_start);
        edits.push((at..at, head));
    }
    // Codes in a target refer to the unit's `<originalData>` by `dataRef`:
    // the data the source's codes point at is found again by its content,
    // and native code the unit lacks is added to it.
    let mut data = OriginalData {
        entries: unit.span.data.clone(),
    };
    for (_, seg) in todo {
        let Some(target) = &seg.target else { continue };
        let mut t = String::from("<target>");
        write20(&mut t, target, &mut data, &mut mrk_ids);
        t.push_str("</target>");
        match &seg.span.target {
            Some(range) => edits.push((range.clone(), t)),
            None => {
                let at = seg.span.insert_at;
                edits.push((at..at, t));
            }
        }
        if let Some((range, attrs)) = &seg.span.start_tag {
            let mut attrs: Vec<(String, String)> = attrs
                .iter()
                .filter(|(k, _)| k != "state" && k != "subState")
                .cloned()
                .collect();
            let (state, sub) = match seg.state {
                State::Translated => ("translated", None),
                State::Reviewed => ("reviewed", None),
                State::Final | State::SignedOff => ("final", None),
                _ => ("initial", seg.state_qualifier.clone()),
            };
            attrs.push(("state".into(), state.into()));
            if let Some(q) = sub.or_else(|| seg.state_qualifier.clone()) {
                let q = if q.contains(':') {
                    q
                } else {
                    format!("tmkit:{q}")
                };
                attrs.push(("subState".into(), q));
            }
            edits.push((range.clone(), start_tag(original, range, &attrs, false)));
        }
    }
    let added = &data.entries[unit.span.data.len()..];
    if !added.is_empty() {
        let mut s = String::new();
        for (id, native) in added {
            s.push_str("<data");
            push_attr(&mut s, "id", id);
            s.push('>');
            escape_into(&mut s, native, false);
            s.push_str("</data>");
        }
        match (unit.span.data_end, unit.span.segments_at) {
            (Some(at), _) => edits.push((at..at, s)),
            (None, Some(at)) => edits.push((at..at, format!("<originalData>{s}</originalData>"))),
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xliff::Candidate;

    fn give(doc: &mut Document, text: &str, state: State) {
        for f in &mut doc.files {
            for u in &mut f.units {
                for s in &mut u.segments {
                    if !s.has_target() {
                        s.target = Some(Seg::from_text(text));
                        s.state = state;
                        s.state_qualifier = Some("fuzzy-match".into());
                        s.candidates.push(Candidate {
                            source: s.source.clone(),
                            target: Seg::from_text(text),
                            score: 88,
                            origin: "tm.tmx#tu1".into(),
                        });
                    }
                }
                u.notes.push("numbers differ".into());
            }
        }
    }

    #[test]
    fn xliff12_keeps_every_other_byte() {
        let original = "<?xml version=\"1.0\"?>\n<!-- kept -->\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n <file original='a.html' source-language='en' datatype='html'><body>\n  <trans-unit id='1'><source>Hello</source><target/></trans-unit>\n  <trans-unit id='2'><source>Done</source>\n   <target state='final'>Fini</target></trans-unit>\n  <trans-unit id='3'><source>New</source><note>keep</note></trans-unit>\n </body></file></xliff>\n";
        let mut doc = Document::parse_str(original, None).unwrap();
        give(&mut doc, "Bonjour", State::Draft);
        let (out, n) = fill(original, &doc, "fr");
        assert_eq!(n, 2);
        assert!(out.contains("<file original=\"a.html\" source-language=\"en\" datatype=\"html\" target-language=\"fr\">"), "{out}");
        assert!(out.contains("<source>Hello</source><target xml:lang=\"fr\" state=\"needs-review-translation\" state-qualifier=\"fuzzy-match\">Bonjour</target><note from=\"tmkit\">numbers differ</note><alt-trans match-quality=\"88\""));
        assert!(out.contains("<trans-unit id='2'><source>Done</source>\n   <target state='final'>Fini</target></trans-unit>"));
        assert!(out.starts_with("<?xml version=\"1.0\"?>\n<!-- kept -->\n"));
        let back = Document::parse_str(&out, None).unwrap();
        assert_eq!(
            back.files[0].units[2].segments[0]
                .target
                .as_ref()
                .unwrap()
                .plain_text(),
            "Bonjour"
        );
        // New notes go right after the target, before the unit's own.
        assert_eq!(back.files[0].units[2].notes, ["numbers differ", "keep"]);
    }

    #[test]
    fn xliff20_gets_state_target_and_matches() {
        let original = "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\">\n<file id=\"f\"><unit id=\"u\"><segment id=\"s1\" canResegment=\"no\"><source>Hi</source></segment></unit></file></xliff>";
        let mut doc = Document::parse_str(original, None).unwrap();
        give(&mut doc, "Salut", State::Translated);
        let (out, n) = fill(original, &doc, "fr");
        assert_eq!(n, 1);
        assert!(out.contains("srcLang=\"en\" trgLang=\"fr\""), "{out}");
        assert!(out.contains("<segment id=\"s1\" canResegment=\"no\" state=\"translated\" subState=\"tmkit:fuzzy-match\"><source>Hi</source><target>Salut</target>"), "{out}");
        assert!(out.contains("<mtc:match ref=\"#s1\" similarity=\"88\" type=\"tm\""));
        let back = Document::parse_str(&out, None).unwrap();
        assert_eq!(back.files[0].units[0].segments[0].state, State::Translated);
    }

    #[test]
    fn xliff20_notes_join_the_units_notes_and_codes_keep_their_data() {
        use crate::tmx::{Attr, Inline, InlineKind, SegPart};
        let original = "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\" trgLang=\"fr\"><file id=\"f\"><unit id=\"u\"><notes><note>mine</note></notes><originalData><data id=\"d2\">&lt;br/&gt;</data></originalData><segment id=\"s1\"><source>Hi<ph id=\"1\" dataRef=\"d2\"/></source></segment></unit></file></xliff>";
        let mut doc = Document::parse_str(original, None).unwrap();
        give(&mut doc, "Salut", State::Draft);
        // The source's code, and one whose native code the unit lacks.
        let seg = &mut doc.files[0].units[0].segments[0];
        let mut target = Seg::from_text("Salut");
        target.parts.push(seg.source.parts[1].clone());
        target.parts.push(SegPart::Inline(Inline {
            kind: InlineKind::Ph,
            attrs: vec![Attr::new("x", "2")],
            content: vec![SegPart::Text("<hr/>".into())],
        }));
        seg.target = Some(target);
        let (out, n) = fill(original, &doc, "fr");
        assert_eq!(n, 1);
        assert!(
            out.contains(
                "<notes><note>mine</note><note category=\"tmkit\">numbers differ</note></notes>"
            ),
            "{out}"
        );
        assert_eq!(out.matches("<notes>").count(), 1);
        assert!(
            out.contains("<originalData><data id=\"d2\">&lt;br/&gt;</data><data id=\"d3\">&lt;hr/&gt;</data></originalData>"),
            "{out}"
        );
        assert!(
            out.contains(
                "<target>Salut<ph id=\"1\" dataRef=\"d2\"/><ph id=\"2\" dataRef=\"d3\"/></target>"
            ),
            "{out}"
        );
        let back = Document::parse_str(&out, None).unwrap();
        let unit = &back.files[0].units[0];
        assert_eq!(unit.notes, ["mine", "numbers differ"]);
        assert_eq!(
            unit.segments[0]
                .target
                .as_ref()
                .unwrap()
                .text_with_placeholders(),
            "Salut{1}{2}"
        );
    }

    #[test]
    fn xliff20_data_goes_into_a_new_original_data_before_the_segments() {
        use crate::tmx::{Attr, Inline, InlineKind, SegPart};
        let original = "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\"><file id=\"f\"><unit id=\"u\"><segment id=\"s1\"><source>Hi</source></segment></unit></file></xliff>";
        let mut doc = Document::parse_str(original, None).unwrap();
        give(&mut doc, "Salut", State::Draft);
        let seg = &mut doc.files[0].units[0].segments[0];
        let mut target = Seg::from_text("Salut");
        target.parts.push(SegPart::Inline(Inline {
            kind: InlineKind::Ph,
            attrs: vec![],
            content: vec![SegPart::Text("<br/>".into())],
        }));
        seg.target = Some(target);
        let (out, _) = fill(original, &doc, "fr");
        assert!(
            out.contains("</mtc:matches><notes><note category=\"tmkit\">numbers differ</note></notes><originalData><data id=\"d1\">&lt;br/&gt;</data></originalData><segment"),
            "{out}"
        );
        assert!(out.contains("<ph id=\"1\" dataRef=\"d1\"/>"), "{out}");
        let back = Document::parse_str(&out, None).unwrap();
        assert_eq!(
            back.files[0].units[0].segments[0].target,
            doc.files[0].units[0].segments[0]
                .target
                .clone()
                .map(|mut t| {
                    // Read back, a code gets its XLIFF id in `x`.
                    if let SegPart::Inline(i) = &mut t.parts[1] {
                        i.attrs = vec![Attr::new("x", "1")];
                    }
                    t
                })
        );
    }

    #[test]
    fn trados_mrk_targets_are_filled() {
        let original = "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\" xmlns:sdl=\"http://sdl.com/FileTypes/SdlXliff/1.0\"><file original=\"a\" source-language=\"en\" target-language=\"fr\" datatype=\"x-sdl\"><body><trans-unit id=\"u\"><source>A. B.</source><seg-source><mrk mtype=\"seg\" mid=\"1\">A.</mrk> <mrk mtype=\"seg\" mid=\"2\">B.</mrk></seg-source><target><mrk mtype=\"seg\" mid=\"1\">Un.</mrk> <mrk mtype=\"seg\" mid=\"2\"/></target></trans-unit></body></file></xliff>";
        let mut doc = Document::parse_str(original, None).unwrap();
        give(&mut doc, "Deux.", State::Translated);
        let (out, n) = fill(original, &doc, "fr");
        assert_eq!(n, 1);
        assert!(out.contains("<target><mrk mtype=\"seg\" mid=\"1\">Un.</mrk> <mrk mtype=\"seg\" mid=\"2\">Deux.</mrk></target>"), "{out}");
    }
}
