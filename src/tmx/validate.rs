//! Validation: every problem of a memory with its position, in one streaming
//! pass. Well-formedness errors end the check (nothing after them can be
//! trusted); structural problems of TMX 1.4b are collected unit by unit:
//! required header attributes, variants without language or `<seg>`, `bpt`
//! without a matching `ept` (by `i`), a source language missing from a unit,
//! malformed dates (YYYYMMDDThhmmssZ), bad language tags and counts.

use std::io::Read;

use serde::Serialize;

use super::model::{Header, InlineKind, Seg, SegPart, Tu, Tuv, lang_eq};
use super::reader::TmxReader;
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
    check_header(
        reader.header(),
        &reader.header_location(),
        &mut report.problems,
    );
    let header_src = reader.header().srclang.clone();
    let mut problems = Vec::new();
    let mut langs = LangCache::default();
    let mut tu = crate::tmx::Tu::default();
    loop {
        match reader.next_into(&mut tu) {
            None => break,
            Some(Ok(())) => {
                report.units += 1;
                problems.clear();
                check_tu(&tu, header_src.as_deref(), &mut langs, &mut problems);
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

fn check_header(h: &Header, loc: &Location, out: &mut Vec<Problem>) {
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
        return;
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
        && !matches!(s.as_str(), "block" | "paragraph" | "sentence" | "phrase")
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
    if let Some(v) = &h.version
        && !matches!(v.as_str(), "1.1" | "1.2" | "1.3" | "1.4" | "1.4a" | "1.4b")
    {
        push(Severity::Warning, format!("unknown TMX version {v:?}"));
    }
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
    langs: &mut LangCache,
    out: &mut Vec<(Severity, String)>,
) {
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
        check_tuv(tuv, langs, out);
    }
}

/// A variant is in the source language when its tag equals `srclang`, or when
/// one of them is the bare language of the other (`srclang="en"` with
/// `xml:lang="en-US"`, as CAT tools commonly export). Another region is not.
fn serves_srclang(variant_lang: &str, srclang: &str) -> bool {
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

fn check_tuv(tuv: &Tuv, langs: &mut LangCache, out: &mut Vec<(Severity, String)>) {
    let lang = if tuv.lang.is_empty() { "?" } else { &tuv.lang };
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
    check_seg(&tuv.seg, lang, out);
}

fn check_seg(seg: &Seg, lang: &str, out: &mut Vec<(Severity, String)>) {
    // The ids borrow the segment: no allocation for the common case.
    type Ids<'s> = smallvec::SmallVec<[&'s str; 8]>;
    let mut bpts = Ids::new();
    let mut epts = Ids::new();
    fn walk<'s>(
        parts: &'s [SegPart],
        lang: &str,
        bpts: &mut Ids<'s>,
        epts: &mut Ids<'s>,
        out: &mut Vec<(Severity, String)>,
    ) {
        for p in parts {
            let SegPart::Inline(i) = p else { continue };
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
            walk(&i.content, lang, bpts, epts, out);
        }
    }
    walk(&seg.parts, lang, &mut bpts, &mut epts, out);
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
