//! The TMX 1.4b data model: header, translation units (`tu`), their variants
//! (`tuv`), notes, properties, user-defined encodings (`ude`) and structured
//! segments (`seg`) with their inline elements.
//!
//! Attributes the TMX specification names are typed fields; any other
//! attribute is kept, in document order, in an `extra` list so that a read →
//! write round trip loses nothing.

use crate::text::LanguageTag;

/// An attribute as written in the file: its qualified name (with a prefix such
/// as `xml:` when there was one) and its value, entities resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attr {
    /// Qualified name, e.g. `x-origin` or `xml:space`.
    pub name: String,
    /// Value with entities and character references resolved.
    pub value: String,
}

impl Attr {
    /// An attribute from a name and a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Attr {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Looks up an attribute by name in a list.
pub fn find_attr<'a>(attrs: &'a [Attr], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.value.as_str())
}

/// Which kind of descriptive element comes next, in document order. TMX lets
/// `note`, `prop` (and `ude` in the header) interleave; keeping their order
/// makes a round trip exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetaKind {
    /// A `<note>`.
    Note,
    /// A `<prop>`.
    Prop,
    /// A `<ude>` (header only).
    Ude,
}

/// A `<note>`: free text with optional `xml:lang` and `o-encoding`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Note {
    /// The text.
    pub text: String,
    /// Attributes (`xml:lang`, `o-encoding`, unknown ones), in order.
    pub attrs: Vec<Attr>,
}

impl Note {
    /// A note with text only.
    pub fn new(text: impl Into<String>) -> Self {
        Note {
            text: text.into(),
            attrs: Vec::new(),
        }
    }
}

/// A `<prop type="...">value</prop>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Prop {
    /// The `type` attribute (for example `x-Domain`).
    pub kind: String,
    /// The text content.
    pub value: String,
    /// Other attributes (`xml:lang`, `o-encoding`, unknown ones), in order.
    pub attrs: Vec<Attr>,
}

impl Prop {
    /// A property of type `kind` with `value`.
    pub fn new(kind: impl Into<String>, value: impl Into<String>) -> Self {
        Prop {
            kind: kind.into(),
            value: value.into(),
            attrs: Vec::new(),
        }
    }
}

/// A `<ude>` (user-defined encoding) of the header, with its `<map>` entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ude {
    /// Attributes (`name`, `base`, unknown ones), in order.
    pub attrs: Vec<Attr>,
    /// Each `<map>`'s attributes (`unicode`, `code`, `ent`, `subst`).
    pub maps: Vec<Vec<Attr>>,
}

impl Ude {
    /// The `name` attribute.
    pub fn name(&self) -> Option<&str> {
        find_attr(&self.attrs, "name")
    }
}

/// An element TMX does not define (a vendor extension such as `<x-origin>`,
/// a second `<seg>`), kept exactly as written so that a TMX → TMX round trip
/// loses nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RawElement {
    /// The element's markup as it was in the file, from `<` to the end of
    /// its end tag (references unresolved, line ends as written).
    pub xml: String,
    /// Where it stood among its parent's principal children: the number of
    /// `<tuv>`s before it in a `<tu>`; 0 before and 1 after the `<seg>` in a
    /// `<tuv>`; in [`crate::tmx::Tmx::trailer`], 0 inside `<body>` after the
    /// last unit and 1 after `</body>`.
    pub after: usize,
}

impl RawElement {
    /// An element standing after `after` principal children.
    pub fn new(xml: impl Into<String>, after: usize) -> Self {
        RawElement {
            xml: xml.into(),
            after,
        }
    }
}

/// Declares the typed attribute fields of a TMX element: reading them from a
/// name, and visiting them in the specification's order for writing.
macro_rules! known_attributes {
    ($ty:ident { $($field:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// The TMX attribute names this element types, in writing order.
            pub const KNOWN_ATTRIBUTES: &'static [&'static str] = &[$($name),*];

            /// Stores `value` in the typed field named `name`; gives the value
            /// back when the name is not one of [`Self::KNOWN_ATTRIBUTES`].
            pub(crate) fn set_known(&mut self, name: &str, value: String) -> Option<String> {
                match name {
                    $($name => { self.$field = Some(value); None })*
                    _ => Some(value),
                }
            }

            /// Empties every typed field, handing its value to `f` (for reuse).
            #[allow(dead_code)] // not used for every element
            pub(crate) fn take_known(&mut self, mut f: impl FnMut(String)) {
                $(if let Some(v) = self.$field.take() { f(v); })*
            }

            /// Calls `f` for each typed attribute that is set, in the
            /// specification's order.
            pub fn for_each_known(&self, mut f: impl FnMut(&'static str, &str)) {
                $(if let Some(v) = &self.$field { f($name, v); })*
            }
        }
    };
}

/// The `<header>` of a TMX document, plus the attributes of the root `<tmx>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    /// `creationtool` (required).
    pub creationtool: Option<String>,
    /// `creationtoolversion` (required).
    pub creationtoolversion: Option<String>,
    /// `segtype`: block, paragraph, sentence or phrase (required).
    pub segtype: Option<String>,
    /// `o-tmf`: the original memory format (required).
    pub o_tmf: Option<String>,
    /// `adminlang` (required).
    pub adminlang: Option<String>,
    /// `srclang`: a language or `*all*` (required).
    pub srclang: Option<String>,
    /// `datatype` (required).
    pub datatype: Option<String>,
    /// `o-encoding`.
    pub o_encoding: Option<String>,
    /// `creationdate` (YYYYMMDDThhmmssZ).
    pub creationdate: Option<String>,
    /// `creationid`.
    pub creationid: Option<String>,
    /// `changedate`.
    pub changedate: Option<String>,
    /// `changeid`.
    pub changeid: Option<String>,
    /// Attributes TMX does not name, in document order.
    pub extra: Vec<Attr>,
    /// `<note>` children.
    pub notes: Vec<Note>,
    /// `<prop>` children.
    pub props: Vec<Prop>,
    /// `<ude>` children.
    pub udes: Vec<Ude>,
    /// Document order of notes, props and udes (see [`MetaKind`]); may be
    /// empty, in which case notes, then props, then udes are written.
    pub meta_order: Vec<MetaKind>,
    /// Elements TMX does not define inside `<header>`, as written.
    pub extensions: Vec<RawElement>,
    /// Elements TMX does not define inside `<tmx>` before `<body>`.
    pub root_extensions: Vec<RawElement>,
    /// Attributes of `<body>` (TMX defines none; kept so nothing is lost).
    pub body_attrs: Vec<Attr>,
    /// The `version` attribute of `<tmx>` as read (`1.1` ... `1.4`); the
    /// writer always writes `1.4`.
    pub version: Option<String>,
    /// Other attributes of the root `<tmx>` (namespace declarations, ...).
    pub root_attrs: Vec<Attr>,
    /// False when the document had no `<header>` element.
    pub present: bool,
}

known_attributes!(Header {
    creationtool => "creationtool",
    creationtoolversion => "creationtoolversion",
    segtype => "segtype",
    o_tmf => "o-tmf",
    adminlang => "adminlang",
    srclang => "srclang",
    datatype => "datatype",
    o_encoding => "o-encoding",
    creationdate => "creationdate",
    creationid => "creationid",
    changedate => "changedate",
    changeid => "changeid",
});

impl Header {
    /// A complete header for a memory created by tmkit with source language
    /// `srclang` (a tag or `*all*`): every attribute TMX 1.4b requires is set.
    pub fn new(srclang: &str) -> Self {
        Header {
            creationtool: Some("tmkit".into()),
            creationtoolversion: Some(env!("CARGO_PKG_VERSION").into()),
            segtype: Some("sentence".into()),
            o_tmf: Some("tmkit".into()),
            adminlang: Some("en".into()),
            srclang: Some(srclang.to_string()),
            datatype: Some("plaintext".into()),
            present: true,
            ..Header::default()
        }
    }

    /// The header's `srclang`, parsed (`None` for `*all*` or a bad tag).
    pub fn srclang_tag(&self) -> Option<LanguageTag> {
        self.srclang
            .as_deref()
            .and_then(|s| LanguageTag::parse(s).ok())
    }

    /// The required attributes (TMX 1.4b) this header lacks.
    pub fn missing_required(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        for (name, value) in [
            ("creationtool", &self.creationtool),
            ("creationtoolversion", &self.creationtoolversion),
            ("segtype", &self.segtype),
            ("o-tmf", &self.o_tmf),
            ("adminlang", &self.adminlang),
            ("srclang", &self.srclang),
            ("datatype", &self.datatype),
        ] {
            if value.is_none() {
                missing.push(name);
            }
        }
        missing
    }

    /// Fills every missing required attribute with tmkit's defaults (keeps the
    /// ones present); `srclang` defaults to `*all*`.
    pub fn complete(&mut self) {
        let defaults = Header::new("*all*");
        macro_rules! fill {
            ($($f:ident),*) => { $(if self.$f.is_none() { self.$f = defaults.$f.clone(); })* };
        }
        fill!(
            creationtool,
            creationtoolversion,
            segtype,
            o_tmf,
            adminlang,
            srclang,
            datatype
        );
        self.present = true;
    }
}

/// A translation unit: one meaning in several languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tu {
    /// `tuid`.
    pub tuid: Option<String>,
    /// `o-encoding`.
    pub o_encoding: Option<String>,
    /// `datatype`.
    pub datatype: Option<String>,
    /// `usagecount`.
    pub usagecount: Option<String>,
    /// `lastusagedate`.
    pub lastusagedate: Option<String>,
    /// `creationtool`.
    pub creationtool: Option<String>,
    /// `creationtoolversion`.
    pub creationtoolversion: Option<String>,
    /// `creationdate` (YYYYMMDDThhmmssZ).
    pub creationdate: Option<String>,
    /// `creationid`.
    pub creationid: Option<String>,
    /// `changedate` (YYYYMMDDThhmmssZ).
    pub changedate: Option<String>,
    /// `segtype`.
    pub segtype: Option<String>,
    /// `changeid`.
    pub changeid: Option<String>,
    /// `o-tmf`.
    pub o_tmf: Option<String>,
    /// `srclang`: the source language of this unit (overrides the header's).
    pub srclang: Option<String>,
    /// Attributes TMX does not name, in document order.
    pub extra: Vec<Attr>,
    /// `<note>` children.
    pub notes: Vec<Note>,
    /// `<prop>` children.
    pub props: Vec<Prop>,
    /// Document order of notes and props (may be empty: notes, then props).
    pub meta_order: Vec<MetaKind>,
    /// The variants, in document order; a language may occur more than once.
    pub tuvs: Vec<Tuv>,
    /// Elements TMX does not define inside the unit, as written, with the
    /// number of variants before each.
    pub extensions: Vec<RawElement>,
    /// Elements TMX does not define that stood in `<body>` between the
    /// previous unit and this one, as written (they travel with the unit).
    pub body_before: Vec<RawElement>,
}

known_attributes!(Tu {
    tuid => "tuid",
    o_encoding => "o-encoding",
    datatype => "datatype",
    usagecount => "usagecount",
    lastusagedate => "lastusagedate",
    creationtool => "creationtool",
    creationtoolversion => "creationtoolversion",
    creationdate => "creationdate",
    creationid => "creationid",
    changedate => "changedate",
    segtype => "segtype",
    changeid => "changeid",
    o_tmf => "o-tmf",
    srclang => "srclang",
});

impl Tu {
    /// A unit with the given variants and no attributes.
    pub fn new(tuvs: Vec<Tuv>) -> Self {
        Tu {
            tuvs,
            ..Tu::default()
        }
    }

    /// `changedate`, as written.
    pub fn changedate(&self) -> Option<&str> {
        self.changedate.as_deref()
    }

    /// `creationdate`, as written.
    pub fn creationdate(&self) -> Option<&str> {
        self.creationdate.as_deref()
    }

    /// The newest of `changedate` and `creationdate` (TMX dates sort as strings).
    pub fn last_modified(&self) -> Option<&str> {
        match (self.changedate(), self.creationdate()) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The variant that best serves `lang` by [`LanguageTag::resolve`]: the
    /// same tag, else the bare language, else another region (never another
    /// script); the first of equals.
    pub fn variant(&self, lang: &LanguageTag) -> Option<&Tuv> {
        self.best_variant(lang).map(|(t, _)| t)
    }

    /// [`Tu::variant`] with how well it serves `lang`, so a caller can say
    /// when it had to take another region.
    pub fn best_variant(&self, lang: &LanguageTag) -> Option<(&Tuv, crate::text::LangMatch)> {
        let mut best: Option<(&Tuv, crate::text::LangMatch)> = None;
        for tuv in &self.tuvs {
            let Some(tag) = tuv.lang_tag() else { continue };
            if let Some(q) = lang.resolve(&tag)
                && best.is_none_or(|(_, bq)| q > bq)
            {
                best = Some((tuv, q));
            }
        }
        best
    }

    /// The values of the props of type `kind`.
    pub fn prop_values<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.props
            .iter()
            .filter(move |p| p.kind == kind)
            .map(|p| p.value.as_str())
    }
}

/// A variant of a unit in one language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tuv {
    /// The language as written, from `xml:lang` or the legacy `lang` (TMX
    /// 1.1–1.3); empty when neither was given.
    pub lang: String,
    /// `o-encoding`.
    pub o_encoding: Option<String>,
    /// `datatype`.
    pub datatype: Option<String>,
    /// `usagecount`.
    pub usagecount: Option<String>,
    /// `lastusagedate`.
    pub lastusagedate: Option<String>,
    /// `creationtool`.
    pub creationtool: Option<String>,
    /// `creationtoolversion`.
    pub creationtoolversion: Option<String>,
    /// `creationdate`.
    pub creationdate: Option<String>,
    /// `creationid`.
    pub creationid: Option<String>,
    /// `changedate`.
    pub changedate: Option<String>,
    /// `changeid`.
    pub changeid: Option<String>,
    /// `o-tmf`.
    pub o_tmf: Option<String>,
    /// Attributes TMX does not name, in document order.
    pub extra: Vec<Attr>,
    /// `<note>` children.
    pub notes: Vec<Note>,
    /// `<prop>` children.
    pub props: Vec<Prop>,
    /// Document order of notes and props.
    pub meta_order: Vec<MetaKind>,
    /// The segment.
    pub seg: Seg,
    /// Elements TMX does not define inside the variant (and any `<seg>`
    /// after the first), as written: `after` is 0 before the `<seg>`, 1
    /// after it.
    pub extensions: Vec<RawElement>,
    /// True when the variant had no `<seg>` (invalid TMX, kept as read so a
    /// round trip is faithful; `validate` reports it).
    pub missing_seg: bool,
    /// True when the variant had neither `xml:lang` nor `lang` (then no
    /// language attribute is written, and `lang` is empty).
    pub no_lang: bool,
}

known_attributes!(Tuv {
    o_encoding => "o-encoding",
    datatype => "datatype",
    usagecount => "usagecount",
    lastusagedate => "lastusagedate",
    creationtool => "creationtool",
    creationtoolversion => "creationtoolversion",
    creationdate => "creationdate",
    creationid => "creationid",
    changedate => "changedate",
    changeid => "changeid",
    o_tmf => "o-tmf",
});

impl Tuv {
    /// A variant in `lang` with plain text `text`.
    pub fn new(lang: impl Into<String>, text: impl Into<String>) -> Self {
        Tuv {
            lang: lang.into(),
            seg: Seg::from_text(text),
            ..Tuv::default()
        }
    }

    /// The language as a parsed BCP-47 tag (`None` when empty or malformed).
    pub fn lang_tag(&self) -> Option<LanguageTag> {
        LanguageTag::parse(&self.lang).ok()
    }

    /// True when this variant's language equals `lang`, ignoring case and
    /// `_`/`-` differences.
    pub fn is_lang(&self, lang: &str) -> bool {
        lang_eq(&self.lang, lang)
    }
}

/// Compares two language codes as TMX requires: case-insensitively, `_` and
/// `-` alike.
pub fn lang_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| {
            let norm = |c: u8| {
                if c == b'_' {
                    b'-'
                } else {
                    c.to_ascii_lowercase()
                }
            };
            norm(x) == norm(y)
        })
}

/// The kind of an inline element of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InlineKind {
    /// `<bpt>`: beginning of a paired native code.
    Bpt,
    /// `<ept>`: end of a paired native code.
    Ept,
    /// `<it>`: isolated native code.
    It,
    /// `<ph>`: placeholder for a standalone native code.
    Ph,
    /// `<hi>`: highlighted text (its text is part of the segment).
    Hi,
    /// `<ut>`: unknown native code (deprecated in 1.4b, common in older files).
    Ut,
    /// `<sub>`: a sub-flow of text inside a native code.
    Sub,
    /// Any other element, kept by name so nothing is lost.
    Other(String),
}

impl InlineKind {
    /// The kind for an element's local name.
    pub fn from_name(name: &str) -> Self {
        match name {
            "bpt" => InlineKind::Bpt,
            "ept" => InlineKind::Ept,
            "it" => InlineKind::It,
            "ph" => InlineKind::Ph,
            "hi" => InlineKind::Hi,
            "ut" => InlineKind::Ut,
            "sub" => InlineKind::Sub,
            other => InlineKind::Other(other.to_string()),
        }
    }

    /// The element name.
    pub fn name(&self) -> &str {
        match self {
            InlineKind::Bpt => "bpt",
            InlineKind::Ept => "ept",
            InlineKind::It => "it",
            InlineKind::Ph => "ph",
            InlineKind::Hi => "hi",
            InlineKind::Ut => "ut",
            InlineKind::Sub => "sub",
            InlineKind::Other(n) => n,
        }
    }

    /// True for the elements that hold native codes (`bpt`, `ept`, `it`,
    /// `ph`, `ut`): their content is not text of the segment.
    pub fn is_code(&self) -> bool {
        matches!(
            self,
            InlineKind::Bpt | InlineKind::Ept | InlineKind::It | InlineKind::Ph | InlineKind::Ut
        )
    }
}

/// An inline element with its attributes (`i`, `x`, `type`, `pos`, `assoc`,
/// `datatype`, unknown ones) and content (native code text, nested `sub`s,
/// or for `hi`/`sub` segment text with more inline elements).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Inline {
    /// Which element.
    pub kind: InlineKind,
    /// Attributes in document order.
    pub attrs: Vec<Attr>,
    /// Content.
    pub content: Vec<SegPart>,
}

impl Inline {
    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        find_attr(&self.attrs, name)
    }
}

/// A piece of a segment: text, or an inline element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SegPart {
    /// Character data (entities resolved, line ends normalized to LF).
    Text(String),
    /// An inline element.
    Inline(Inline),
}

/// The content of a `<seg>`: text runs and inline elements, in order.
///
/// ```
/// use tmkit::tmx::Tmx;
/// let tmx = Tmx::parse_str(r#"<tmx version="1.4"><header srclang="en"/><body>
///   <tu><tuv xml:lang="en"><seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept> now</seg></tuv></tu>
/// </body></tmx>"#).unwrap();
/// let seg = &tmx.tus[0].tuvs[0].seg;
/// assert_eq!(seg.plain_text(), "Press OK now");
/// assert_eq!(seg.text_with_placeholders(), "Press {1}OK{/1} now");
/// assert!(seg.has_inline_codes());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Seg {
    /// The parts, adjacent text merged.
    pub parts: Vec<SegPart>,
    /// Attributes of `<seg>` itself (rare; e.g. `xml:space`).
    pub attrs: Vec<Attr>,
}

impl Seg {
    /// A segment holding only `text`.
    pub fn from_text(text: impl Into<String>) -> Self {
        let text = text.into();
        Seg {
            parts: if text.is_empty() {
                Vec::new()
            } else {
                vec![SegPart::Text(text)]
            },
            attrs: Vec::new(),
        }
    }

    /// The text a reader sees: native codes (`bpt`, `ept`, `it`, `ph`, `ut`)
    /// dropped with their content, the text of `hi`, `sub` and unknown
    /// elements kept.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        push_plain(&self.parts, &mut out);
        out
    }

    /// Appends [`Seg::plain_text`] to `out` (no allocation of its own).
    pub fn push_plain_text(&self, out: &mut String) {
        push_plain(&self.parts, out);
    }

    /// The text with each native code (`bpt`, `ept`, `it`, `ph`, `ut`) as
    /// the original markup it holds (`Press <b>OK</b> now` for
    /// `Press <bpt>&lt;b&gt;</bpt>OK<ept>&lt;/b&gt;</ept> now`), as a plain
    /// text format such as PO shows it; a code holding none (an XLIFF
    /// `<g>` or `<x/>` read into the model) is left out: see
    /// [`Seg::has_codes_without_markup`].
    pub fn native_text(&self) -> String {
        fn push(parts: &[SegPart], out: &mut String) {
            for p in parts {
                match p {
                    SegPart::Text(t) => out.push_str(t),
                    SegPart::Inline(i) => push(&i.content, out),
                }
            }
        }
        let mut out = String::new();
        push(&self.parts, &mut out);
        out
    }

    /// True when a native code of the segment holds no original markup, so
    /// that [`Seg::native_text`] has nothing to show for it.
    pub fn has_codes_without_markup(&self) -> bool {
        fn any(parts: &[SegPart]) -> bool {
            parts.iter().any(|p| match p {
                SegPart::Text(_) => false,
                SegPart::Inline(i) => (i.kind.is_code() && i.content.is_empty()) || any(&i.content),
            })
        }
        any(&self.parts)
    }

    /// True when the segment holds any native-code element.
    pub fn has_inline_codes(&self) -> bool {
        fn any(parts: &[SegPart]) -> bool {
            parts.iter().any(|p| match p {
                SegPart::Text(_) => false,
                SegPart::Inline(i) => i.kind.is_code() || any(&i.content),
            })
        }
        any(&self.parts)
    }

    /// The text with each native code shown as a numbered placeholder, for
    /// matching: `bpt` → `{n}`, its `ept` (same `i`) → `{/n}`, `it`, `ph`,
    /// `ut` → `{n}`; numbers count codes from 1 in order of appearance.
    pub fn text_with_placeholders(&self) -> String {
        let mut out = String::new();
        self.push_text_with_placeholders(&mut out);
        out
    }

    /// Appends [`Seg::text_with_placeholders`] to `out`.
    pub fn push_text_with_placeholders(&self, out: &mut String) {
        let mut next = 0u32;
        let mut open: Vec<(Option<String>, u32)> = Vec::new();
        push_placeholders(&self.parts, out, &mut next, &mut open);
    }

    /// Counts inline elements by kind name (nested ones included).
    pub fn count_inline(&self, mut f: impl FnMut(&InlineKind)) {
        fn walk(parts: &[SegPart], f: &mut dyn FnMut(&InlineKind)) {
            for p in parts {
                if let SegPart::Inline(i) = p {
                    f(&i.kind);
                    walk(&i.content, f);
                }
            }
        }
        walk(&self.parts, &mut f);
    }

    /// True when the segment has no text and no inline element.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

fn push_plain(parts: &[SegPart], out: &mut String) {
    for p in parts {
        match p {
            SegPart::Text(t) => out.push_str(t),
            SegPart::Inline(i) if i.kind.is_code() => {}
            SegPart::Inline(i) => push_plain(&i.content, out),
        }
    }
}

fn push_placeholders(
    parts: &[SegPart],
    out: &mut String,
    next: &mut u32,
    open: &mut Vec<(Option<String>, u32)>,
) {
    use std::fmt::Write as _;
    for p in parts {
        match p {
            SegPart::Text(t) => out.push_str(t),
            SegPart::Inline(i) => match i.kind {
                InlineKind::Ept => {
                    let id = i.attr("i");
                    let pos = open.iter().rposition(|(oi, _)| oi.as_deref() == id);
                    let n = match pos {
                        Some(pos) => open.remove(pos).1,
                        None => {
                            *next += 1;
                            *next
                        }
                    };
                    let _ = write!(out, "{{/{n}}}");
                }
                InlineKind::Bpt | InlineKind::It | InlineKind::Ph | InlineKind::Ut => {
                    *next += 1;
                    if i.kind == InlineKind::Bpt {
                        open.push((i.attr("i").map(str::to_string), *next));
                    }
                    let _ = write!(out, "{{{next}}}");
                }
                _ => push_placeholders(&i.content, out, next, open),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(kind: InlineKind, i: Option<&str>, native: &str) -> SegPart {
        SegPart::Inline(Inline {
            kind,
            attrs: i.map(|v| vec![Attr::new("i", v)]).unwrap_or_default(),
            content: vec![SegPart::Text(native.into())],
        })
    }

    #[test]
    fn plain_text_drops_codes_and_keeps_hi_and_sub_text() {
        let seg = Seg {
            parts: vec![
                SegPart::Text("a ".into()),
                code(InlineKind::Bpt, Some("1"), "<b>"),
                SegPart::Inline(Inline {
                    kind: InlineKind::Hi,
                    attrs: vec![],
                    content: vec![SegPart::Text("bold".into())],
                }),
                code(InlineKind::Ept, Some("1"), "</b>"),
                code(InlineKind::Ph, None, "<br/>"),
                SegPart::Text(" z".into()),
            ],
            attrs: vec![],
        };
        assert_eq!(seg.plain_text(), "a bold z");
        assert_eq!(seg.text_with_placeholders(), "a {1}bold{/1}{2} z");
        assert!(seg.has_inline_codes());
        assert!(!Seg::from_text("x").has_inline_codes());
    }

    #[test]
    fn language_codes_compare_loosely() {
        assert!(lang_eq("EN-us", "en_US"));
        assert!(!lang_eq("en", "en-US"));
        let tu = Tu::new(vec![
            Tuv::new("EN-GB", "colour"),
            Tuv::new("fr-FR", "couleur"),
        ]);
        let en: LanguageTag = "en".parse().unwrap();
        assert_eq!(tu.variant(&en).map(|t| t.lang.as_str()), Some("EN-GB"));
    }

    #[test]
    fn header_completion_keeps_given_values() {
        let mut h = Header {
            srclang: Some("de".into()),
            ..Header::default()
        };
        assert!(h.missing_required().contains(&"creationtool"));
        h.complete();
        assert!(h.missing_required().is_empty());
        assert_eq!(h.srclang.as_deref(), Some("de"));
    }
}
