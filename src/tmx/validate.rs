//! Validation: every problem of a memory with its position, in one streaming
//! pass. Well-formedness errors end the check (nothing after them can be
//! trusted); the rules of the TMX 1.4b DTD are checked unit by unit:
//! content models (`<header>` and `<body>` in that order, notes and props
//! before variants and before the `<seg>`, one `<seg>`, `<sub>` only inside
//! native codes, no element or text the DTD does not declare), required
//! attributes (`prop type`, `tuv xml:lang`, `bpt i`, `it pos`, `ude name`,
//! `map unicode`), enumerated values (`segtype`, `it pos`), undeclared
//! attributes, and `version`. Files that say TMX 1.1–1.3 are judged by their
//! own version (`lang` instead of `xml:lang`; no `<hi>` in 1.1). Beyond the
//! DTD: `bpt` without a matching `ept` (by `i`), a source language missing
//! from a unit, malformed dates (YYYYMMDDThhmmssZ), bad language tags.

use std::io::Read;

use serde::Serialize;

use super::model::{Attr, Header, InlineKind, Note, Prop, Seg, SegPart, Tu, Tuv, lang_eq};
use super::reader::{NoticeKind, TmxReader};
use crate::error::{Error, Location};
use crate::text::LanguageTag;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file breaks TMX 1.4b (or XML).
    Error,
    /// Legal but likely to cause trouble in some tools.
    Warning,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where (file, line and column of the unit or of the XML error).
    #[serde(serialize_with = "ser_location")]
    pub location: Location,
    /// The unit's `tuid`, when it has one.
    pub tuid: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

fn ser_location<S: serde::Serializer>(loc: &Location, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(loc)
}

/// The outcome of validating one memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Units checked.
    pub units: u64,
    /// Problems in document order.
    pub problems: Vec<Problem>,
    /// True when the file is not well-formed XML (checking stopped there).
    pub malformed: bool,
}

impl Report {
    /// True when there is no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }
}

/// Caps the problems kept per file, so a broken million-unit file does not
/// fill memory; the count goes on.
const MAX_PROBLEMS: usize = 10_000;

/// Validates a memory: opens it and checks every unit. I/O errors (a file
/// that cannot be opened) are returned as `Err`; everything else is a
/// problem in the report.
pub fn validate_reader<R: Read>(
    open: impl FnOnce() -> crate::Result<TmxReader<R>>,
    file: Option<&std::path::Path>,
) -> crate::Result<Report> {
    let mut report = Report::default();
    let mut reader = match open() {
        Ok(r) => r,
        Err(e @ Error::Io { .. }) => return Err(e),
        Err(e) => {
            report.malformed = true;
            report.problems.push(xml_problem(e, file));
            return Ok(report);
        }
    };
    let version = check_header(
        reader.header(),
        &reader.header_location(),
        &mut report.problems,
    );
    take_notices(&mut reader, version, &mut report.problems);
    let header_src = reader.header().srclang.clone();
    let mut problems = Vec::new();
    let mut langs = LangCache::default();
    let mut tu = crate::tmx::Tu::default();
    loop {
        let next = reader.next_into(&mut tu);
        take_notices(&mut reader, version, &mut report.problems);
        match next {
            None => break,
            Some(Ok(())) => {
                report.units += 1;
                problems.clear();
                check_tu(
                    &tu,
                    header_src.as_deref(),
                    version,
                    &mut langs,
                    &mut problems,
                );
                if !problems.is_empty() && report.problems.len() < MAX_PROBLEMS {
                    let loc = reader.last_tu_location();
                    for (severity, message) in problems.drain(..) {
                        if report.problems.len() < MAX_PROBLEMS {
                            report.problems.push(Problem {
                                severity,
                                location: loc.clone(),
                                tuid: tu.tuid.clone(),
                                message,
                            });
                        }
                    }
                }
            }
            Some(Err(e @ Error::Io { .. })) => return Err(e),
            Some(Err(e)) => {
                report.malformed = true;
                report.problems.push(xml_problem(e, file));
                break;
            }
        }
    }
    Ok(report)
}

/// Turns the reader's notices into errors: each breaks the DTD (a `lang`
/// without `xml:lang` only in TMX 1.4).
fn take_notices<R: Read>(reader: &mut TmxReader<R>, version: Version, out: &mut Vec<Problem>) {
    for notice in reader.take_notices() {
        if notice.kind == NoticeKind::Legacy && version < Version::V14 {
            continue;
        }
        if out.len() < MAX_PROBLEMS {
            out.push(Problem {
                severity: Severity::Error,
                location: notice.location,
                tuid: None,
                message: notice.message,
            });
        }
    }
}

/// The TMX version whose rules a file is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    V11,
    V12,
    V13,
    V14,
}

/// The attributes the TMX DTD declares, by element.
const NOTE_ATTRS: &[&str] = &["o-encoding", "xml:lang", "lang"];
const PROP_ATTRS: &[&str] = &["xml:lang", "o-encoding", "lang"];
const UDE_ATTRS: &[&str] = &["name", "base"];
const MAP_ATTRS: &[&str] = &["unicode", "code", "ent", "subst"];
const SEGTYPES: &[&str] = &["block", "paragraph", "sentence", "phrase"];

/// Reports each attribute of `element` the DTD does not declare.
fn undeclared(element: &str, attrs: &[Attr], declared: &[&str], out: &mut Vec<(Severity, String)>) {
    for a in attrs {
        if !declared.contains(&a.name.as_str()) {
            out.push((
                Severity::Error,
                format!(
                    "attribute {} is not declared for <{element}> in the TMX DTD",
                    a.name
                ),
            ));
        }
    }
}

/// Checks the attributes of notes and props (their content is checked by
/// the reader).
fn check_meta(notes: &[Note], props: &[Prop], out: &mut Vec<(Severity, String)>) {
    for n in notes {
        undeclared("note", &n.attrs, NOTE_ATTRS, out);
    }
    for p in props {
        undeclared("prop", &p.attrs, PROP_ATTRS, out);
    }
}

fn xml_problem(e: Error, file: Option<&std::path::Path>) -> Problem {
    let (location, message) = match e {
        Error::Syntax { location, message } | Error::Invalid { location, message } => {
            (location, message)
        }
        other => (
            Location {
                file: file.map(std::path::Path::to_path_buf),
                line: None,
                column: None,
            },
            other.to_string(),
        ),
    };
    Problem {
        severity: Severity::Error,
        location,
        tuid: None,
        message: format!("not well-formed: {message}"),
    }
}

/// Checks the header and the root; returns the version the file is judged by.
fn check_header(h: &Header, loc: &Location, out: &mut Vec<Problem>) -> Version {
    let mut found = Vec::new();
    let version = match h.version.as_deref() {
        Some("1.1") => Version::V11,
        Some("1.2") => Version::V12,
        Some("1.3") => Version::V13,
        Some("1.4") => Version::V14,
        None => {
            found.push((
                Severity::Warning,
                "<tmx> has no version: read as TMX 1.4".to_string(),
            ));
            Version::V14
        }
        Some(v) => {
            found.push((
                Severity::Error,
                format!("version {v:?}: TMX 1.4b files say version=\"1.4\" (1.1, 1.2, 1.3 for older ones)"),
            ));
            Version::V14
        }
    };
    undeclared("tmx", &h.root_attrs, &[], &mut found);
    undeclared("body", &h.body_attrs, &[], &mut found);
    if h.present {
        undeclared("header", &h.extra, &[], &mut found);
        check_meta(&h.notes, &h.props, &mut found);
        for ude in &h.udes {
            undeclared("ude", &ude.attrs, UDE_ATTRS, &mut found);
            if ude.name().is_none() {
                found.push((
                    Severity::Error,
                    "a <ude> without the required name attribute".into(),
                ));
            }
            if ude.maps.is_empty() {
                found.push((
                    Severity::Error,
                    "a <ude> without <map>: the DTD requires at least one".into(),
                ));
            }
            for map in &ude.maps {
                undeclared("map", map, MAP_ATTRS, &mut found);
                if super::model::find_attr(map, "unicode").is_none() {
                    found.push((
                        Severity::Error,
                        "a <map> without the required unicode attribute".into(),
                    ));
                }
            }
        }
    }
    for (severity, message) in found {
        out.push(Problem {
            severity,
            location: loc.clone(),
            tuid: None,
            message,
        });
    }
    let mut push = |severity, message: String| {
        out.push(Problem {
            severity,
            location: loc.clone(),
            tuid: None,
            message,
        })
    };
    if !h.present {
        push(
            Severity::Error,
            "no <header>: TMX requires one before <body>".into(),
        );
        return version;
    }
    for name in h.missing_required() {
        push(
            Severity::Error,
            format!("the header lacks the required attribute {name}"),
        );
    }
    if let Some(s) = &h.srclang
        && s != "*all*"
        && LanguageTag::parse(s).is_err()
    {
        push(
            Severity::Error,
            format!("header srclang {s:?} is not a language tag (nor *all*)"),
        );
    }
    if let Some(s) = &h.adminlang
        && LanguageTag::parse(s).is_err()
    {
        push(
            Severity::Warning,
            format!("header adminlang {s:?} is not a language tag"),
        );
    }
    if let Some(s) = &h.segtype
        && !SEGTYPES.contains(&s.as_str())
    {
        push(
            Severity::Error,
            format!("header segtype {s:?} is not one of block, paragraph, sentence, phrase"),
        );
    }
    for (name, value) in [
        ("creationdate", &h.creationdate),
        ("changedate", &h.changedate),
    ] {
        if let Some(v) = value
            && let Err(why) = check_date(v)
        {
            push(Severity::Error, format!("header {name} {v:?}: {why}"));
        }
    }
    version
}

/// Checks a TMX date: `YYYYMMDDThhmmssZ` with real calendar values.
pub fn check_date(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let shape = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[9..15].iter().all(u8::is_ascii_digit);
    if !shape {
        return Err("expected YYYYMMDDThhmmssZ (UTC), e.g. 20240131T235959Z".into());
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    let (h, m, sec) = (num(9..11), num(11..13), num(13..15));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("month {month:02} does not exist")),
    };
    if day == 0 || day > days {
        return Err(format!("day {day:02} does not exist in month {month:02}"));
    }
    if h > 23 || m > 59 || sec > 60 {
        return Err(format!("time {h:02}:{m:02}:{sec:02} does not exist"));
    }
    Ok(())
}

/// Verdicts on the language tags of a memory, which has few: parsing every
/// variant's tag again was a twentieth of the time of `validate`.
#[derive(Default)]
struct LangCache {
    /// Tags and whether they parse.
    valid: Vec<(String, bool)>,
    /// (variant language, source language) and whether the variant serves
    /// the source language.
    serves: Vec<(String, String, bool)>,
}

/// Distinct entries kept (a pathological file with thousands of tags just
/// parses the others each time).
const LANG_CACHE: usize = 64;

impl LangCache {
    fn is_valid(&mut self, tag: &str) -> bool {
        if let Some((_, ok)) = self.valid.iter().find(|(t, _)| t == tag) {
            return *ok;
        }
        let ok = LanguageTag::parse(tag).is_ok();
        if self.valid.len() < LANG_CACHE {
            self.valid.push((tag.to_string(), ok));
        }
        ok
    }

    fn serves_srclang(&mut self, variant_lang: &str, srclang: &str) -> bool {
        if let Some((.., ok)) = self
            .serves
            .iter()
            .find(|(v, s, _)| v == variant_lang && s == srclang)
        {
            return *ok;
        }
        let ok = serves_srclang(variant_lang, srclang);
        if self.serves.len() < LANG_CACHE {
            self.serves
                .push((variant_lang.to_string(), srclang.to_string(), ok));
        }
        ok
    }
}

fn check_tu(
    tu: &Tu,
    header_src: Option<&str>,
    version: Version,
    langs: &mut LangCache,
    out: &mut Vec<(Severity, String)>,
) {
    undeclared("tu", &tu.extra, &[], out);
    check_meta(&tu.notes, &tu.props, out);
    if let Some(s) = &tu.segtype
        && !SEGTYPES.contains(&s.as_str())
    {
        out.push((
            Severity::Error,
            format!("unit segtype {s:?} is not one of block, paragraph, sentence, phrase"),
        ));
    }
    for (name, value) in [
        ("creationdate", &tu.creationdate),
        ("changedate", &tu.changedate),
        ("lastusagedate", &tu.lastusagedate),
    ] {
        if let Some(v) = value
            && let Err(why) = check_date(v)
        {
            out.push((Severity::Error, format!("unit {name} {v:?}: {why}")));
        }
    }
    if let Some(c) = &tu.usagecount
        && c.parse::<u64>().is_err()
    {
        out.push((Severity::Error, format!("usagecount {c:?} is not a number")));
    }
    if tu.tuvs.is_empty() {
        out.push((Severity::Error, "the unit has no <tuv>".into()));
        return;
    }
    if tu.tuvs.len() == 1 {
        out.push((
            Severity::Warning,
            "the unit has a single variant (no translation)".into(),
        ));
    }
    let src = tu.srclang.as_deref().or(header_src);
    if let Some(src) = src
        && src != "*all*"
        && !tu.tuvs.iter().any(|v| langs.serves_srclang(&v.lang, src))
    {
        out.push((
            Severity::Error,
            format!("no variant in the source language {src} (srclang)"),
        ));
    }
    for tuv in &tu.tuvs {
        check_tuv(tuv, version, langs, out);
    }
}

/// A variant is in the source language when its tag equals `srclang`, or when
/// one of them is the bare language of the other (`srclang="en"` with
/// `xml:lang="en-US"`, as CAT tools commonly export). Another region is not.
pub(crate) fn serves_srclang(variant_lang: &str, srclang: &str) -> bool {
    if lang_eq(variant_lang, srclang) {
        return true;
    }
    match (
        LanguageTag::parse(srclang),
        LanguageTag::parse(variant_lang),
    ) {
        (Ok(src), Ok(var)) => src.match_quality(&var).is_some_and(|q| q >= 1),
        _ => false,
    }
}

fn check_tuv(
    tuv: &Tuv,
    version: Version,
    langs: &mut LangCache,
    out: &mut Vec<(Severity, String)>,
) {
    let lang = if tuv.lang.is_empty() { "?" } else { &tuv.lang };
    undeclared("tuv", &tuv.extra, &[], out);
    undeclared("seg", &tuv.seg.attrs, &[], out);
    check_meta(&tuv.notes, &tuv.props, out);
    if tuv.no_lang {
        out.push((Severity::Error, "a <tuv> has no xml:lang".into()));
    } else if tuv.lang.is_empty() {
        out.push((Severity::Error, "a <tuv> has an empty xml:lang".into()));
    } else if !langs.is_valid(&tuv.lang) {
        out.push((
            Severity::Warning,
            format!("{:?} is not a valid language tag", tuv.lang),
        ));
    }
    if tuv.missing_seg {
        out.push((Severity::Error, format!("the {lang} <tuv> has no <seg>")));
    }
    for (name, value) in [
        ("creationdate", &tuv.creationdate),
        ("changedate", &tuv.changedate),
        ("lastusagedate", &tuv.lastusagedate),
    ] {
        if let Some(v) = value
            && let Err(why) = check_date(v)
        {
            out.push((
                Severity::Error,
                format!("{lang} variant {name} {v:?}: {why}"),
            ));
        }
    }
    check_seg(&tuv.seg, lang, version, out);
}

/// Where an inline element stands, for the DTD's content models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parent {
    /// `<seg>`, `<hi>`, `<sub>`: text, native codes and `<hi>`.
    Text(&'static str),
    /// `<bpt>`, `<ept>`, `<it>`, `<ph>`, `<ut>`: code text and `<sub>`.
    Code(&'static str),
}

/// The attributes the DTD declares for an inline element.
fn inline_attrs(kind: &InlineKind) -> &'static [&'static str] {
    match kind {
        InlineKind::Bpt => &["i", "x", "type"],
        InlineKind::Ept => &["i"],
        InlineKind::It => &["pos", "x", "type"],
        InlineKind::Ph => &["x", "assoc", "type"],
        InlineKind::Hi => &["x", "type"],
        InlineKind::Ut => &["x"],
        InlineKind::Sub => &["datatype", "type"],
        InlineKind::Other(_) => &[],
    }
}

/// The message for an inline element the DTD does not allow where it is.
fn misplaced_inline(kind: &InlineKind, parent: Parent, version: Version) -> Option<String> {
    let name = kind.name();
    match (kind, parent) {
        (InlineKind::Other(_), _) => Some(format!("<{name}> is not a TMX inline element")),
        (InlineKind::Hi, _) if version == Version::V11 => {
            Some("<hi> is TMX 1.2 and later; this file says version 1.1".into())
        }
        (InlineKind::Sub, Parent::Text(p)) => Some(format!(
            "<sub> directly in <{p}>: it belongs inside a native code (bpt, ept, it, ph, ut)"
        )),
        (k, Parent::Code(p)) if *k != InlineKind::Sub => Some(format!(
            "<{name}> inside <{p}>: a native code holds only text and <sub>"
        )),
        _ => None,
    }
}

fn check_seg(seg: &Seg, lang: &str, version: Version, out: &mut Vec<(Severity, String)>) {
    // The ids borrow the segment: no allocation for the common case.
    type Ids<'s> = smallvec::SmallVec<[&'s str; 8]>;
    let mut bpts = Ids::new();
    let mut epts = Ids::new();
    fn walk<'s>(
        parts: &'s [SegPart],
        lang: &str,
        parent: Parent,
        version: Version,
        bpts: &mut Ids<'s>,
        epts: &mut Ids<'s>,
        out: &mut Vec<(Severity, String)>,
    ) {
        for p in parts {
            let SegPart::Inline(i) = p else { continue };
            if let Some(why) = misplaced_inline(&i.kind, parent, version) {
                out.push((Severity::Error, format!("{lang} segment: {why}")));
            }
            let declared = inline_attrs(&i.kind);
            for a in &i.attrs {
                if !declared.contains(&a.name.as_str()) {
                    out.push((
                        Severity::Error,
                        format!(
                            "{lang} segment: attribute {} is not declared for <{}> in the TMX DTD",
                            a.name,
                            i.kind.name()
                        ),
                    ));
                }
            }
            match i.kind {
                InlineKind::Bpt | InlineKind::Ept => match i.attr("i") {
                    Some(id) => {
                        if i.kind == InlineKind::Bpt {
                            if bpts.contains(&id) {
                                out.push((
                                    Severity::Error,
                                    format!("{lang} segment: two <bpt i=\"{id}\">"),
                                ));
                            }
                            bpts.push(id);
                        } else {
                            epts.push(id);
                        }
                    }
                    None => out.push((
                        Severity::Error,
                        format!(
                            "{lang} segment: <{}> without the required i attribute",
                            i.kind.name()
                        ),
                    )),
                },
                InlineKind::It if !matches!(i.attr("pos"), Some("begin" | "end")) => {
                    out.push((
                        Severity::Error,
                        format!("{lang} segment: <it> needs pos=\"begin\" or pos=\"end\""),
                    ));
                }
                _ => {}
            }
            let inner = match i.kind {
                InlineKind::Bpt => Parent::Code("bpt"),
                InlineKind::Ept => Parent::Code("ept"),
                InlineKind::It => Parent::Code("it"),
                InlineKind::Ph => Parent::Code("ph"),
                InlineKind::Ut => Parent::Code("ut"),
                InlineKind::Hi => Parent::Text("hi"),
                InlineKind::Sub | InlineKind::Other(_) => Parent::Text("sub"),
            };
            walk(&i.content, lang, inner, version, bpts, epts, out);
        }
    }
    walk(
        &seg.parts,
        lang,
        Parent::Text("seg"),
        version,
        &mut bpts,
        &mut epts,
        out,
    );
    for b in &bpts {
        if !epts.contains(b) {
            out.push((
                Severity::Error,
                format!("{lang} segment: <bpt i=\"{b}\"> has no matching <ept i=\"{b}\">"),
            ));
        }
    }
    for e in &epts {
        if !bpts.contains(e) {
            out.push((
                Severity::Error,
                format!("{lang} segment: <ept i=\"{e}\"> has no matching <bpt i=\"{e}\">"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(xml: &str) -> Report {
        validate_reader(|| TmxReader::from_reader(xml.as_bytes(), None), None).unwrap()
    }

    #[test]
    fn bare_srclang_is_served_by_a_regional_variant() {
        assert!(serves_srclang("en-US", "en"));
        assert!(serves_srclang("EN", "en"));
        assert!(serves_srclang("en", "en-GB"));
        assert!(!serves_srclang("en-GB", "en-US"));
        assert!(!serves_srclang("fr", "en"));
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(check_date("20240229T120000Z").is_ok());
        assert!(check_date("20230229T120000Z").is_err());
        assert!(check_date("2024-02-01").is_err());
        assert!(check_date("20241301T000000Z").is_err());
        assert!(check_date("20240101T246000Z").is_err());
    }

    #[test]
    fn finds_structural_problems_with_positions() {
        let r = problems(
            "<tmx version=\"1.4\"><header srclang=\"en\"/><body>\n\
             <tu tuid=\"a\" changedate=\"2024\"><tuv xml:lang=\"fr\"><seg>x <bpt i=\"1\">&lt;b&gt;</bpt>y</seg></tuv><tuv xml:lang=\"de\"/></tu>\n\
             </body></tmx>",
        );
        let msgs: Vec<&str> = r.problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("lacks the required attribute creationtool")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("changedate")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("source language en")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("no matching <ept")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("de <tuv> has no <seg>")),
            "{msgs:?}"
        );
        let unit = r.problems.iter().find(|p| p.tuid.is_some()).unwrap();
        assert_eq!(unit.location.line, Some(2));
        assert!(!r.is_valid());
    }

    #[test]
    fn malformed_xml_is_one_positioned_error() {
        let r = problems(
            "<tmx version=\"1.4\"><header/><body>\n<tu><tuv xml:lang=\"en\"><seg>a & b</seg></tuv></tu></body></tmx>",
        );
        assert!(r.malformed);
        assert_eq!(r.problems.last().unwrap().location.line, Some(2));
    }
}
