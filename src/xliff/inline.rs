//! XLIFF inline codes as the TMX model's [`Seg`], and back.
//!
//! Reading maps each XLIFF element onto the TMX element that means the same:
//!
//! | XLIFF 1.2 | XLIFF 2.0 | TMX |
//! |---|---|---|
//! | `<g id>…</g>` | `<pc id>…</pc>`, `<sc id/>…<ec startRef/>` | `<bpt i x>` … `<ept i>` |
//! | `<x id/>`, `<ph id>native</ph>` | `<ph id dataRef/>` | `<ph x>native</ph>` |
//! | `<bx id/>`, `<ex id/>`, `<it pos>` | `<sc isolated="yes"/>`, `<ec isolated="yes"/>` | `<it pos="begin"/"end" x>` |
//! | `<bpt>`, `<ept>` with native code | `dataRefStart`/`dataRefEnd` data | `<bpt>`, `<ept>` with native code |
//! | `<mrk mtype>…</mrk>` | `<mrk type>…</mrk>` | `<hi type>…</hi>` |
//!
//! The XLIFF id is kept in `x` so that writing back gives the same ids.
//! Writing 1.2 follows the issue's element set: a `bpt`/`ept` pair at one
//! level becomes `<g>`, an unpaired one or an `it` becomes `<bx>`/`<ex>`, a
//! `ph` with native code stays `<ph>`, an empty one becomes `<x/>`.
//! Writing 2.0 gives `<pc>`, `<sc>`/`<ec>` and `<ph>`, native code going
//! into the unit's `<originalData>`.

use crate::tmx::{Attr, Inline, InlineKind, Seg, SegPart};

/// Number of inline codes (native-code elements) in `seg`.
pub fn code_count(seg: &Seg) -> usize {
    let mut n = 0;
    seg.count_inline(|k| {
        if k.is_code() {
            n += 1;
        }
    });
    n
}

/// `target` with its inline codes given the identities of `source`'s codes,
/// in order: the k-th paired code of the target takes the k-th pair of the
/// source, the k-th standalone code the k-th standalone code. Target codes
/// the source has no counterpart for are dropped (their text kept); returns
/// how many were dropped.
///
/// A memory translation put into a document keeps the document's tags, as a
/// CAT tool does; codes the document lacks would make an invalid target.
///
/// ```
/// use tmkit::tmx::Tmx;
/// use tmkit::xliff::align_codes;
/// let tmx = Tmx::parse_str(r#"<tmx version="1.4"><header srclang="en"/><body><tu>
///  <tuv xml:lang="en"><seg><bpt i="1" x="7"/>Hi<ept i="1"/></seg></tuv>
///  <tuv xml:lang="fr"><seg><bpt i="4"/>Salut<ept i="4"/><ph x="9"/></seg></tuv></tu></body></tmx>"#).unwrap();
/// let (src, tgt) = (&tmx.tus[0].tuvs[0].seg, &tmx.tus[0].tuvs[1].seg);
/// let (aligned, dropped) = align_codes(tgt, src);
/// assert_eq!(dropped, 1);
/// assert_eq!(aligned.text_with_placeholders(), "{1}Salut{/1}");
/// ```
pub fn align_codes(target: &Seg, source: &Seg) -> (Seg, usize) {
    let mut pairs: Vec<(Inline, Inline)> = Vec::new();
    let mut singles: Vec<Inline> = Vec::new();
    collect_codes(&source.parts, &mut pairs, &mut singles);
    let mut state = AlignState {
        pairs,
        singles,
        next_pair: 0,
        next_single: 0,
        open: Vec::new(),
        dropped: 0,
    };
    let mut parts = Vec::new();
    state.map(&target.parts, &mut parts);
    (
        Seg {
            parts: merge_text(parts),
            attrs: Vec::new(),
        },
        state.dropped,
    )
}

fn collect_codes(parts: &[SegPart], pairs: &mut Vec<(Inline, Inline)>, singles: &mut Vec<Inline>) {
    let mut open: Vec<(Option<String>, usize)> = Vec::new();
    for p in parts {
        let SegPart::Inline(i) = p else { continue };
        match i.kind {
            InlineKind::Bpt => {
                open.push((i.attr("i").map(str::to_string), pairs.len()));
                pairs.push((i.clone(), i.clone()));
            }
            InlineKind::Ept => {
                if let Some(pos) = open
                    .iter()
                    .rposition(|(id, _)| id.as_deref() == i.attr("i"))
                {
                    let (_, at) = open.remove(pos);
                    pairs[at].1 = i.clone();
                } else {
                    singles.push(i.clone());
                }
            }
            InlineKind::Ph | InlineKind::It | InlineKind::Ut => singles.push(i.clone()),
            _ => collect_codes(&i.content, pairs, singles),
        }
    }
}

struct AlignState {
    pairs: Vec<(Inline, Inline)>,
    singles: Vec<Inline>,
    next_pair: usize,
    next_single: usize,
    /// Open target pairs: their `i`, and the source pair given to them.
    open: Vec<(Option<String>, Option<usize>)>,
    dropped: usize,
}

impl AlignState {
    fn map(&mut self, parts: &[SegPart], out: &mut Vec<SegPart>) {
        for p in parts {
            match p {
                SegPart::Text(t) => out.push(SegPart::Text(t.clone())),
                SegPart::Inline(i) => match i.kind {
                    InlineKind::Bpt => {
                        let given = (self.next_pair < self.pairs.len()).then(|| {
                            self.next_pair += 1;
                            self.next_pair - 1
                        });
                        self.open.push((i.attr("i").map(str::to_string), given));
                        match given {
                            Some(k) => out.push(SegPart::Inline(self.pairs[k].0.clone())),
                            None => self.dropped += 1,
                        }
                    }
                    InlineKind::Ept => {
                        let pos = self
                            .open
                            .iter()
                            .rposition(|(id, _)| id.as_deref() == i.attr("i"));
                        match pos.and_then(|pos| self.open.remove(pos).1) {
                            Some(k) => out.push(SegPart::Inline(self.pairs[k].1.clone())),
                            None => self.single(out),
                        }
                    }
                    InlineKind::Ph | InlineKind::It | InlineKind::Ut => self.single(out),
                    _ => self.map(&i.content, out),
                },
            }
        }
    }

    fn single(&mut self, out: &mut Vec<SegPart>) {
        match self.singles.get(self.next_single) {
            Some(code) => {
                out.push(SegPart::Inline(code.clone()));
                self.next_single += 1;
            }
            None => self.dropped += 1,
        }
    }
}

/// Joins adjacent text parts (the model keeps them merged).
pub(crate) fn merge_text(parts: Vec<SegPart>) -> Vec<SegPart> {
    let mut out: Vec<SegPart> = Vec::with_capacity(parts.len());
    for p in parts {
        match (out.last_mut(), p) {
            (_, SegPart::Text(t)) if t.is_empty() => {}
            (Some(SegPart::Text(prev)), SegPart::Text(t)) => prev.push_str(&t),
            (_, p) => out.push(p),
        }
    }
    out
}

/// True for the characters XML 1.0 allows.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Appends `text` escaped for XML content (or an attribute value when
/// `in_attr`), leaving out characters XML cannot hold.
pub(crate) fn escape_into(out: &mut String, text: &str, in_attr: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\t' if in_attr => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// Appends ` name="value"`.
pub(crate) fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value, true);
    out.push('"');
}

/// Hands out XLIFF ids for codes that have none, never repeating one in use.
pub(crate) struct Ids {
    used: std::collections::HashSet<String>,
    next: u32,
}

impl Ids {
    pub(crate) fn of(seg: &Seg) -> Ids {
        let mut used = std::collections::HashSet::new();
        fn walk(parts: &[SegPart], used: &mut std::collections::HashSet<String>) {
            for p in parts {
                if let SegPart::Inline(i) = p {
                    if let Some(x) = i.attr("x") {
                        used.insert(x.to_string());
                    }
                    walk(&i.content, used);
                }
            }
        }
        walk(&seg.parts, &mut used);
        Ids { used, next: 0 }
    }

    /// The code's own id (`x`), else a fresh one.
    pub(crate) fn id_of(&mut self, code: &Inline) -> String {
        if let Some(x) = code.attr("x").filter(|x| !x.is_empty()) {
            return x.to_string();
        }
        loop {
            self.next += 1;
            let id = self.next.to_string();
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// The native code of an inline element: its text content.
fn native(code: &Inline) -> String {
    let mut s = String::new();
    for p in &code.content {
        match p {
            SegPart::Text(t) => s.push_str(t),
            SegPart::Inline(i) => s.push_str(&native(i)),
        }
    }
    s
}

/// For each `bpt` at index k of `parts`, the index of its `ept` at the same level.
fn pair_ends(parts: &[SegPart]) -> Vec<Option<usize>> {
    let mut ends = vec![None; parts.len()];
    let mut open: Vec<(Option<&str>, usize)> = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let SegPart::Inline(i) = p else { continue };
        match i.kind {
            InlineKind::Bpt => open.push((i.attr("i"), k)),
            InlineKind::Ept => {
                if let Some(pos) = open.iter().rposition(|(id, _)| *id == i.attr("i")) {
                    let (_, start) = open.remove(pos);
                    ends[start] = Some(k);
                }
            }
            _ => {}
        }
    }
    ends
}

/// XLIFF 1.2 `ctype` for a TMX `type` (strict schema: listed values or `x-…`).
fn ctype12(kind: &str) -> String {
    match kind {
        "bold" | "italic" | "underlined" | "link" | "image" | "lb" | "pb" => kind.to_string(),
        "ulined" => "underlined".to_string(),
        k if k.starts_with("x-") => k.to_string(),
        k => format!(
            "x-{}",
            k.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        ),
    }
}

/// XLIFF 1.2 `mtype` for a TMX `<hi type>` (strict schema: the listed values
/// or `x-…`): `<hi type="italic">` becomes `mtype="x-italic"`. `seg` is
/// prefixed too, as `<mrk mtype="seg">` would read back as a Trados segment.
fn mtype12(kind: &str) -> String {
    const LISTED: &[&str] = &[
        "abbrev",
        "abbreviated-form",
        "abbreviation",
        "acronym",
        "appellation",
        "collocation",
        "common-name",
        "datetime",
        "equation",
        "expanded-form",
        "formula",
        "head-term",
        "initialism",
        "international-scientific-term",
        "internationalism",
        "logical-expression",
        "materials-management-unit",
        "name",
        "near-synonym",
        "part-number",
        "phrase",
        "phraseological-unit",
        "protected",
        "romanized-form",
        "set-phrase",
        "short-form",
        "sku",
        "standard-text",
        "symbol",
        "synonym",
        "synonymous-phrase",
        "term",
        "transcribed-form",
        "transliterated-form",
        "truncated-term",
        "variant",
    ];
    if LISTED.contains(&kind) || (kind.len() > 2 && kind.starts_with("x-")) {
        return kind.chars().filter(|c| !c.is_whitespace()).collect();
    }
    format!(
        "x-{}",
        kind.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
    )
}

/// Appends `seg` as XLIFF 1.2 inline content.
pub(crate) fn write12(out: &mut String, seg: &Seg) {
    let mut ids = Ids::of(seg);
    write12_parts(out, &seg.parts, &mut ids);
}

fn write12_parts(out: &mut String, parts: &[SegPart], ids: &mut Ids) {
    let ends = pair_ends(parts);
    let mut k = 0;
    while k < parts.len() {
        match &parts[k] {
            SegPart::Text(t) => escape_into(out, t, false),
            SegPart::Inline(i) => match i.kind {
                InlineKind::Bpt if ends[k].is_some() => {
                    let end = ends[k].unwrap_or(k);
                    out.push_str("<g");
                    push_attr(out, "id", &ids.id_of(i));
                    if let Some(t) = i.attr("type") {
                        push_attr(out, "ctype", &ctype12(t));
                    }
                    out.push('>');
                    write12_parts(out, &parts[k + 1..end], ids);
                    out.push_str("</g>");
                    k = end;
                }
                InlineKind::Bpt | InlineKind::Ept | InlineKind::It => {
                    let begin = match i.kind {
                        InlineKind::Bpt => true,
                        InlineKind::Ept => false,
                        _ => i.attr("pos") != Some("end"),
                    };
                    let id = ids.id_of(i);
                    out.push_str(if begin { "<bx" } else { "<ex" });
                    push_attr(out, "id", &id);
                    if begin && let Some(t) = i.attr("type").filter(|t| !t.is_empty()) {
                        push_attr(out, "ctype", &ctype12(t));
                    }
                    out.push_str("/>");
                }
                InlineKind::Ph | InlineKind::Ut => {
                    let data = native(i);
                    let id = ids.id_of(i);
                    if data.is_empty() {
                        out.push_str("<x");
                        push_attr(out, "id", &id);
                        if let Some(t) = i.attr("type").filter(|t| !t.is_empty()) {
                            push_attr(out, "ctype", &ctype12(t));
                        }
                        out.push_str("/>");
                    } else {
                        out.push_str("<ph");
                        push_attr(out, "id", &id);
                        out.push('>');
                        escape_into(out, &data, false);
                        out.push_str("</ph>");
                    }
                }
                InlineKind::Hi => {
                    out.push_str("<mrk");
                    let t = i.attr("type").unwrap_or("x-hi");
                    push_attr(out, "mtype", &mtype12(t));
                    out.push('>');
                    write12_parts(out, &i.content, ids);
                    out.push_str("</mrk>");
                }
                _ => write12_parts(out, &i.content, ids),
            },
        }
        k += 1;
    }
}

/// Native code collected while writing XLIFF 2.0, for `<originalData>`.
#[derive(Debug, Default)]
pub(crate) struct OriginalData {
    pub entries: Vec<(String, String)>,
}

impl OriginalData {
    fn add(&mut self, data: String) -> Option<String> {
        if data.is_empty() {
            return None;
        }
        if let Some((id, _)) = self.entries.iter().find(|(_, d)| *d == data) {
            return Some(id.clone());
        }
        // Entries read from a file may hold any ids: never reuse one.
        let mut n = self.entries.len() + 1;
        let id = loop {
            let id = format!("d{n}");
            if !self.entries.iter().any(|(used, _)| *used == id) {
                break id;
            }
            n += 1;
        };
        self.entries.push((id.clone(), data));
        Some(id)
    }

    /// Appends `<originalData>` (nothing when empty).
    pub(crate) fn write(&self, out: &mut String, indent: &str) {
        if self.entries.is_empty() {
            return;
        }
        out.push_str(indent);
        out.push_str("<originalData>");
        for (id, data) in &self.entries {
            out.push_str("<data");
            push_attr(out, "id", id);
            out.push('>');
            escape_into(out, data, false);
            out.push_str("</data>");
        }
        out.push_str("</originalData>\n");
    }
}

/// Appends `seg` as XLIFF 2.0 inline content; native code goes to `data`.
/// `mrk_ids` numbers the `<mrk>` elements of the unit.
pub(crate) fn write20(out: &mut String, seg: &Seg, data: &mut OriginalData, mrk_ids: &mut u32) {
    let mut ids = Ids::of(seg);
    write20_parts(out, &seg.parts, &mut ids, data, mrk_ids);
}

fn write20_parts(
    out: &mut String,
    parts: &[SegPart],
    ids: &mut Ids,
    data: &mut OriginalData,
    mrk_ids: &mut u32,
) {
    let ends = pair_ends(parts);
    let mut k = 0;
    while k < parts.len() {
        match &parts[k] {
            SegPart::Text(t) => escape_into(out, t, false),
            SegPart::Inline(i) => match i.kind {
                InlineKind::Bpt if ends[k].is_some() => {
                    let end = ends[k].unwrap_or(k);
                    out.push_str("<pc");
                    push_attr(out, "id", &ids.id_of(i));
                    if let Some(d) = data.add(native(i)) {
                        push_attr(out, "dataRefStart", &d);
                    }
                    if let SegPart::Inline(e) = &parts[end]
                        && let Some(d) = data.add(native(e))
                    {
                        push_attr(out, "dataRefEnd", &d);
                    }
                    out.push('>');
                    write20_parts(out, &parts[k + 1..end], ids, data, mrk_ids);
                    out.push_str("</pc>");
                    k = end;
                }
                InlineKind::Bpt | InlineKind::Ept | InlineKind::It => {
                    // Unpaired in this segment: an isolated start or end.
                    let begin = match i.kind {
                        InlineKind::Bpt => true,
                        InlineKind::Ept => false,
                        _ => i.attr("pos") != Some("end"),
                    };
                    out.push_str(if begin { "<sc" } else { "<ec" });
                    push_attr(out, "id", &ids.id_of(i));
                    push_attr(out, "isolated", "yes");
                    if let Some(d) = data.add(native(i)) {
                        push_attr(out, "dataRef", &d);
                    }
                    out.push_str("/>");
                }
                InlineKind::Ph | InlineKind::Ut => {
                    out.push_str("<ph");
                    push_attr(out, "id", &ids.id_of(i));
                    if let Some(d) = data.add(native(i)) {
                        push_attr(out, "dataRef", &d);
                    }
                    out.push_str("/>");
                }
                InlineKind::Hi => {
                    *mrk_ids += 1;
                    out.push_str("<mrk");
                    push_attr(out, "id", &format!("m{mrk_ids}"));
                    if let Some(t) = i.attr("type").filter(|t| t.contains(':')) {
                        push_attr(out, "type", t);
                    }
                    out.push('>');
                    write20_parts(out, &i.content, ids, data, mrk_ids);
                    out.push_str("</mrk>");
                }
                _ => write20_parts(out, &i.content, ids, data, mrk_ids),
            },
        }
        k += 1;
    }
}

/// A TMX inline element.
pub(crate) fn code(kind: InlineKind, attrs: Vec<Attr>, content: Vec<SegPart>) -> SegPart {
    SegPart::Inline(Inline {
        kind,
        attrs,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(id: &str, i: &str, inner: &str) -> Vec<SegPart> {
        vec![
            code(
                InlineKind::Bpt,
                vec![Attr::new("i", i), Attr::new("x", id)],
                vec![],
            ),
            SegPart::Text(inner.into()),
            code(InlineKind::Ept, vec![Attr::new("i", i)], vec![]),
        ]
    }

    #[test]
    fn pairs_become_g_and_pc_singles_x_and_ph() {
        let mut parts = vec![SegPart::Text("a ".into())];
        parts.extend(g("b1", "1", "bold"));
        parts.push(code(
            InlineKind::Ph,
            vec![Attr::new("x", "2")],
            vec![SegPart::Text("<br/>".into())],
        ));
        parts.push(code(InlineKind::Ph, vec![], vec![]));
        let seg = Seg {
            parts,
            attrs: vec![],
        };
        let mut s = String::new();
        write12(&mut s, &seg);
        assert_eq!(
            s,
            r#"a <g id="b1">bold</g><ph id="2">&lt;br/&gt;</ph><x id="1"/>"#
        );
        let mut s = String::new();
        let mut data = OriginalData::default();
        write20(&mut s, &seg, &mut data, &mut 0);
        assert_eq!(
            s,
            r#"a <pc id="b1">bold</pc><ph id="2" dataRef="d1"/><ph id="1"/>"#
        );
        assert_eq!(data.entries, [("d1".to_string(), "<br/>".to_string())]);
    }

    #[test]
    fn unpaired_codes_become_bx_ex_and_sc_ec() {
        let seg = Seg {
            parts: vec![
                code(InlineKind::Ept, vec![Attr::new("i", "3")], vec![]),
                SegPart::Text("x".into()),
                code(InlineKind::Bpt, vec![Attr::new("i", "4")], vec![]),
            ],
            attrs: vec![],
        };
        let mut s = String::new();
        write12(&mut s, &seg);
        assert_eq!(s, r#"<ex id="1"/>x<bx id="2"/>"#);
        let mut s = String::new();
        write20(&mut s, &seg, &mut OriginalData::default(), &mut 0);
        assert_eq!(
            s,
            r#"<ec id="1" isolated="yes"/>x<sc id="2" isolated="yes"/>"#
        );
    }

    #[test]
    fn hi_types_outside_the_mtype_list_get_an_x_prefix() {
        let hi = |t: &str| Seg {
            parts: vec![code(
                InlineKind::Hi,
                vec![Attr::new("type", t)],
                vec![SegPart::Text("w".into())],
            )],
            attrs: vec![],
        };
        for (tmx, xliff) in [
            ("italic", "x-italic"),
            ("b", "x-b"),
            ("seg", "x-seg"),
            ("term", "term"),
            ("x-mine", "x-mine"),
            ("my style", "x-my-style"),
        ] {
            let mut s = String::new();
            write12(&mut s, &hi(tmx));
            assert_eq!(s, format!(r#"<mrk mtype="{xliff}">w</mrk>"#), "{tmx}");
        }
    }

    #[test]
    fn escaping_drops_what_xml_cannot_hold() {
        let mut s = String::new();
        escape_into(&mut s, "a<b & \"c\"\u{1}\n", true);
        assert_eq!(s, "a&lt;b &amp; &quot;c&quot;&#10;");
    }
}
