//! SRX 2.0 (Segmentation Rules eXchange) files, as written by Okapi, OmegaT
//! and LanguageTool.
//!
//! [`SrxRules::parse`] reads the language rules (`<languagerule>` with ordered
//! `<rule break="yes|no">` pairs of `<beforebreak>`/`<afterbreak>` Java regular
//! expressions) and the map rules (`<languagemap languagepattern=...>`). The
//! header's `cascade` decides whether all matching maps contribute their rules
//! in order (`yes`) or only the first (`no`). At each position of the text the
//! first rule whose `beforebreak` matches up to the position and whose
//! `afterbreak` matches from it decides whether to break.
//!
//! Java patterns are translated (see the `java_regex` module); a rule that
//! cannot be translated or compiled is skipped and reported in
//! [`SrxRules::warnings`] with its line and column. Header options that only
//! concern inline markup in documents (`segmentsubflows`, `<formathandle>`) and
//! Okapi's extension options (`okpsrx:options`, `okpsrx:sample`, `okpsrx:rangeRule`)
//! do not apply to plain text and are ignored. Line breaks stay hard boundaries
//! (as in the built-in rules) unless the segmenter is [wrapped](super::Segmenter::wrapped);
//! rules are applied to one line (or paragraph) at a time, so `^` and `$` refer
//! to it. Candidate positions are the ends of the non-overlapping matches of
//! each `beforebreak`, as a Java `find()` loop gives them.
//!
//! ```
//! use tmkit::segment::srx::SrxRules;
//! use tmkit::text::LanguageTag;
//!
//! let srx = r#"<srx version="2.0" xmlns="http://www.lisa.org/srx20">
//!   <header cascade="yes"/>
//!   <body><languagerules><languagerule languagerulename="en">
//!     <rule break="no"><beforebreak>\bMr\.</beforebreak><afterbreak>\s</afterbreak></rule>
//!     <rule break="yes"><beforebreak>[.?!]+</beforebreak><afterbreak>\s</afterbreak></rule>
//!   </languagerule></languagerules>
//!   <maprules><languagemap languagepattern="en.*" languagerulename="en"/></maprules></body></srx>"#;
//! let rules = SrxRules::parse(srx, None).unwrap();
//! let seg = rules.segmenter(&LanguageTag::parse("en-GB").unwrap());
//! let s: Vec<_> = seg.segments("Mr. Brown came. He sat.").map(|s| s.text).collect();
//! assert_eq!(s, ["Mr. Brown came.", "He sat."]);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use quick_xml::events::Event;

use self::schema::SchemaCheck;
use super::java_regex::{Pattern, translate};
use super::{Segmenter, Sentence, next_region};
use crate::error::{Error, Location, Result};
use crate::text::LanguageTag;

mod schema;

/// SRX 2.0's namespace.
const SRX_NAMESPACE: &str = "http://www.lisa.org/srx20";

/// True for an element of another namespace than SRX's (no namespace counts as SRX's).
fn is_foreign(ns: &quick_xml::name::ResolveResult<'_>) -> bool {
    use quick_xml::name::ResolveResult;
    match ns {
        ResolveResult::Bound(n) => n.as_ref() != SRX_NAMESPACE,
        ResolveResult::Unbound => false,
        ResolveResult::Unknown(_) => true,
    }
}

/// The unprefixed attributes of an element (namespace declarations and
/// other namespaces' attributes are not SRX's), with their values.
fn srx_attributes(
    e: &quick_xml::events::BytesStart<'_>,
) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute: {err}"))?;
        let key = a.key.as_ref();
        if key == "xmlns" || a.key.prefix().is_some() {
            continue;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("bad attribute value: {err}"))?;
        out.push((key.to_string(), value.trim().to_string()));
    }
    Ok(out)
}

/// A problem with one rule of an SRX file that did not stop the file from loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrxWarning {
    /// Where the rule is (file, line, column).
    pub location: Location,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl fmt::Display for SrxWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

#[derive(Debug)]
struct Rule {
    breaks: bool,
    /// `None`: matches everywhere (empty `<beforebreak>`).
    before: Option<Pattern>,
    /// `None`: matches everywhere. Compiled anchored at the start.
    after: Option<Pattern>,
}

#[derive(Debug)]
struct LanguageMap {
    pattern: regex::Regex,
    rule_name: String,
}

/// The rules of an SRX file, ready to build segmenters.
#[derive(Debug)]
pub struct SrxRules {
    cascade: bool,
    rule_sets: HashMap<String, Vec<Arc<Rule>>>,
    maps: Vec<LanguageMap>,
    warnings: Vec<SrxWarning>,
}

/// The ordered rules that apply to one language.
#[derive(Debug)]
pub(crate) struct CompiledRules {
    rules: Vec<Arc<Rule>>,
}

impl SrxRules {
    /// Reads an SRX file.
    pub fn load(path: &Path) -> Result<SrxRules> {
        let text = crate::files::read_text(path)?;
        SrxRules::parse(&text, Some(path))
    }

    /// Parses SRX 2.0 XML. `file` names the source in errors and warnings.
    /// Malformed XML or a missing required attribute is an error with its line
    /// and column; a rule whose regular expression cannot be used is a warning.
    pub fn parse(xml: &str, file: Option<&Path>) -> Result<SrxRules> {
        let mut reader = quick_xml::NsReader::from_str(xml);
        let at = |offset: u64| Location::of_offset(file, xml, offset as usize);
        let mut rules = SrxRules {
            cascade: false,
            rule_sets: HashMap::new(),
            maps: Vec::new(),
            warnings: Vec::new(),
        };
        let mut check = SchemaCheck::default();
        let mut header_warnings: Vec<schema::Problem> = Vec::new();
        let invalid = |(pos, msg): schema::Problem| Error::syntax(at(pos), msg);
        let mut current_set: Option<String> = None;
        // The rule being read: break flag, its position, before and after text.
        let mut rule: Option<(bool, u64, String, String)> = None;
        // 1 = inside <beforebreak>, 2 = inside <afterbreak>.
        let mut field = 0u8;
        loop {
            let pos = reader.buffer_position();
            let (foreign, event) = match reader.read_resolved_event() {
                Ok((ns, event)) => (is_foreign(&ns), event),
                Err(e) => {
                    return Err(Error::syntax(
                        at(reader.error_position()),
                        format!("malformed XML: {e}"),
                    ));
                }
            };
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.local_name().as_ref().to_string();
                    let attrs = srx_attributes(e).map_err(|m| invalid((pos, m)))?;
                    check
                        .start(&name, foreign, &attrs, pos, &mut |w| {
                            header_warnings.push(w)
                        })
                        .map_err(invalid)?;
                    if check.skipping() {
                        // A foreign element: not SRX's to interpret.
                        if matches!(event, Event::Empty(_)) {
                            check.end(pos).map_err(invalid)?;
                        }
                        continue;
                    }
                }
                Event::End(_) if check.skipping() => {
                    check.end(pos).map_err(invalid)?;
                    continue;
                }
                Event::Text(t) if !t.trim().is_empty() => {
                    check.text(pos).map_err(invalid)?;
                }
                Event::CData(_) | Event::GeneralRef(_) => check.text(pos).map_err(invalid)?,
                _ => {}
            }
            if check.skipping() {
                continue;
            }
            // Where the element that this event closes (if any) ends, for the schema check.
            let closes = match &event {
                Event::End(_) => Some(pos),
                Event::Empty(_) => Some(reader.buffer_position()),
                _ => None,
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = e.local_name();
                    let attr = |key: &str| -> Result<Option<String>> {
                        for a in e.attributes() {
                            let a = a.map_err(|err| {
                                Error::syntax(at(pos), format!("bad attribute: {err}"))
                            })?;
                            if a.key.local_name().as_ref() == key {
                                let v = a
                                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .map_err(|err| {
                                        Error::syntax(
                                            at(pos),
                                            format!("bad attribute value: {err}"),
                                        )
                                    })?;
                                return Ok(Some(v.into_owned()));
                            }
                        }
                        Ok(None)
                    };
                    match name.as_ref() {
                        "header" => {
                            rules.cascade = attr("cascade")?
                                .is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"));
                        }
                        "languagerule" => {
                            let name = attr("languagerulename")?.ok_or_else(|| {
                                Error::syntax(at(pos), "<languagerule> without languagerulename")
                            })?;
                            rules.rule_sets.entry(name.clone()).or_default();
                            current_set = Some(name);
                        }
                        "rule" => {
                            let breaks = !attr("break")?
                                .is_some_and(|v| v.trim().eq_ignore_ascii_case("no"));
                            rule = Some((breaks, pos, String::new(), String::new()));
                        }
                        "beforebreak" => field = if empty { 0 } else { 1 },
                        "afterbreak" => field = if empty { 0 } else { 2 },
                        "languagemap" => {
                            let pattern = attr("languagepattern")?.ok_or_else(|| {
                                Error::syntax(at(pos), "<languagemap> without languagepattern")
                            })?;
                            let rule_name = attr("languagerulename")?.ok_or_else(|| {
                                Error::syntax(at(pos), "<languagemap> without languagerulename")
                            })?;
                            let compiled = translate(&pattern)
                                .and_then(|p| {
                                    regex::Regex::new(&format!("(?i)^(?:{p})$"))
                                        .map_err(|e| e.to_string())
                                })
                                .map_err(|e| {
                                    Error::syntax(
                                        at(pos),
                                        format!("languagepattern {pattern:?} is not usable: {e}"),
                                    )
                                })?;
                            rules.maps.push(LanguageMap {
                                pattern: compiled,
                                rule_name,
                            });
                        }
                        _ => {}
                    }
                }
                Event::End(ref e) => match e.local_name().as_ref() {
                    "beforebreak" | "afterbreak" => field = 0,
                    "rule" => {
                        if let (Some((breaks, rpos, before, after)), Some(set)) =
                            (rule.take(), &current_set)
                        {
                            match compile_rule(breaks, &before, &after) {
                                Ok(r) => {
                                    if let Some(list) = rules.rule_sets.get_mut(set) {
                                        list.push(Arc::new(r));
                                    }
                                }
                                Err(msg) => rules.warnings.push(SrxWarning {
                                    location: at(rpos),
                                    message: format!(
                                        "rule skipped in {set:?}: {msg} (beforebreak {before:?}, afterbreak {after:?})"
                                    ),
                                }),
                            }
                        }
                    }
                    "languagerule" => current_set = None,
                    _ => {}
                },
                Event::Text(t) if field != 0 => {
                    let raw: &str = &t;
                    push_field(&mut rule, field, raw);
                }
                Event::CData(t) if field != 0 => {
                    let raw = t.into_inner();
                    push_field(&mut rule, field, &raw);
                }
                Event::GeneralRef(r) if field != 0 => {
                    let ch = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => match &*r {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            "quot" => '"',
                            "apos" => '\'',
                            other => {
                                return Err(Error::syntax(
                                    at(pos),
                                    format!("unknown entity &{other};"),
                                ));
                            }
                        },
                    };
                    push_field(&mut rule, field, ch.encode_utf8(&mut [0; 4]));
                }
                Event::Eof => break,
                _ => {}
            }
            if let Some(end) = closes {
                check.end(end).map_err(invalid)?;
            }
        }
        check.finish().map_err(invalid)?;
        for (pos, message) in header_warnings {
            rules.warnings.push(SrxWarning {
                location: at(pos),
                message,
            });
        }
        for map in &rules.maps {
            if !rules.rule_sets.contains_key(&map.rule_name) {
                rules.warnings.push(SrxWarning {
                    location: Location {
                        file: file.map(Path::to_path_buf),
                        line: None,
                        column: None,
                    },
                    message: format!(
                        "language map names an unknown languagerule {:?}",
                        map.rule_name
                    ),
                });
            }
        }
        Ok(rules)
    }

    /// Rules that could not be used, with their positions.
    pub fn warnings(&self) -> &[SrxWarning] {
        &self.warnings
    }

    /// True when the header says `cascade="yes"`.
    pub fn cascade(&self) -> bool {
        self.cascade
    }

    /// Names of the language rules that apply to `lang`, in order.
    pub fn rule_names_for(&self, lang: &LanguageTag) -> Vec<&str> {
        let tag = lang.to_string();
        let underscored = tag.replace('-', "_");
        let mut names = Vec::new();
        for map in &self.maps {
            if map.pattern.is_match(&tag) || map.pattern.is_match(&underscored) {
                names.push(map.rule_name.as_str());
                if !self.cascade {
                    break;
                }
            }
        }
        names
    }

    /// A segmenter applying the rules mapped to `lang`.
    pub fn segmenter(&self, lang: &LanguageTag) -> Segmenter {
        let rules = self
            .rule_names_for(lang)
            .into_iter()
            .filter_map(|name| self.rule_sets.get(name))
            .flatten()
            .cloned()
            .collect();
        Segmenter::from_srx(lang, Arc::new(CompiledRules { rules }))
    }
}

fn push_field(rule: &mut Option<(bool, u64, String, String)>, field: u8, s: &str) {
    if let Some((_, _, before, after)) = rule {
        if field == 1 {
            before.push_str(s);
        } else {
            after.push_str(s);
        }
    }
}

fn compile_rule(breaks: bool, before: &str, after: &str) -> std::result::Result<Rule, String> {
    let compile = |java: &str, anchored: bool| -> std::result::Result<Option<Pattern>, String> {
        if java.is_empty() {
            return Ok(None);
        }
        let rust = translate(java)?;
        let rust = if anchored {
            format!("^(?:{rust})")
        } else {
            rust
        };
        Pattern::compile(&rust).map(Some)
    };
    Ok(Rule {
        breaks,
        before: compile(before, false)?,
        after: compile(after, true)?,
    })
}

impl CompiledRules {
    /// Break offsets inside `region` (0 < offset < len), sorted.
    fn breaks_in(&self, region: &str, out: &mut Vec<usize>) {
        out.clear();
        // First rule to match at a position decides: position -> breaks?
        let mut decided: HashMap<usize, bool> = HashMap::new();
        for rule in &self.rules {
            let mut consider = |p: usize| {
                if p == 0 || p >= region.len() || decided.contains_key(&p) {
                    return;
                }
                let after_ok = rule
                    .after
                    .as_ref()
                    .is_none_or(|a| a.matches_start(&region[p..]));
                if after_ok {
                    decided.insert(p, rule.breaks);
                }
            };
            match &rule.before {
                Some(before) => before.for_each_match_end(region, &mut consider),
                None => region.char_indices().for_each(|(p, _)| consider(p)),
            }
        }
        out.extend(decided.into_iter().filter(|&(_, b)| b).map(|(p, _)| p));
        out.sort_unstable();
    }
}

/// Iterator over the sentences of a text under SRX rules, region by region.
#[derive(Debug)]
pub(crate) struct SrxScanner<'a> {
    rules: &'a CompiledRules,
    text: &'a str,
    wrapped: bool,
    /// Where the next region starts.
    next_region: usize,
    /// Pending sentence boundaries (absolute offsets) of the current region, reversed.
    pending: Vec<usize>,
    /// Start of the next sentence.
    start: usize,
}

impl<'a> SrxScanner<'a> {
    pub(crate) fn new(rules: &'a CompiledRules, text: &'a str, wrapped: bool) -> Self {
        SrxScanner {
            rules,
            text,
            wrapped,
            next_region: 0,
            pending: Vec::new(),
            start: 0,
        }
    }
}

impl<'a> Iterator for SrxScanner<'a> {
    type Item = Sentence<'a>;

    fn next(&mut self) -> Option<Sentence<'a>> {
        loop {
            while let Some(end) = self.pending.pop() {
                let start = self.start;
                self.start = end;
                if let Some(s) = Sentence::trimmed(self.text, start, end) {
                    return Some(s);
                }
            }
            if self.next_region >= self.text.len() {
                return None;
            }
            let region_start = self.next_region;
            let (end, next) = next_region(self.text, region_start, self.wrapped);
            self.next_region = next.max(region_start + 1);
            self.start = region_start;
            let region = &self.text[region_start..end];
            let mut breaks = Vec::new();
            self.rules.breaks_in(region, &mut breaks);
            self.pending.push(end);
            self.pending
                .extend(breaks.into_iter().rev().map(|p| region_start + p));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRX: &str = r#"<?xml version="1.0"?>
<srx version="2.0" xmlns="http://www.lisa.org/srx20">
<header segmentsubflows="yes" cascade="CASCADE"/>
<body>
<languagerules>
<languagerule languagerulename="English">
<rule break="no"><beforebreak>\b(?:Mr|Dr)\.</beforebreak><afterbreak>\s</afterbreak></rule>
</languagerule>
<languagerule languagerulename="Default">
<rule break="no"><beforebreak>\bvs\.</beforebreak><afterbreak>\s</afterbreak></rule>
<rule break="yes"><beforebreak>[.?!]+["\u201D]?</beforebreak><afterbreak>\s+\P{Ll}</afterbreak></rule>
<rule break="no"><beforebreak>\G</beforebreak><afterbreak></afterbreak></rule>
</languagerule>
</languagerules>
<maprules>
<languagemap languagepattern="EN.*" languagerulename="English"/>
<languagemap languagepattern=".*" languagerulename="Default"/>
</maprules>
</body>
</srx>"#;

    fn split(rules: &SrxRules, lang: &str, text: &str) -> Vec<String> {
        let seg = rules.segmenter(&LanguageTag::parse(lang).unwrap());
        seg.segments(text).map(|s| s.text.to_string()).collect()
    }

    #[test]
    fn cascading_applies_all_matching_maps_in_order() {
        let rules = SrxRules::parse(&SRX.replace("CASCADE", "yes"), None).unwrap();
        assert_eq!(
            rules.rule_names_for(&LanguageTag::parse("en-US").unwrap()),
            ["English", "Default"]
        );
        assert_eq!(
            split(&rules, "en", "Mr. Smith vs. Jones. Next one? yes. Last."),
            ["Mr. Smith vs. Jones.", "Next one? yes.", "Last."]
        );
        // French: only the default rules, so "Mr." breaks.
        assert_eq!(
            split(&rules, "fr", "Mr. Smith left."),
            ["Mr.", "Smith left."]
        );
    }

    #[test]
    fn without_cascade_the_first_map_wins() {
        let rules = SrxRules::parse(&SRX.replace("CASCADE", "no"), None).unwrap();
        assert_eq!(
            rules.rule_names_for(&LanguageTag::parse("en").unwrap()),
            ["English"]
        );
        // English has no break rule: only line ends split.
        assert_eq!(
            split(&rules, "en", "One. Two.\nThree."),
            ["One. Two.", "Three."]
        );
    }

    #[test]
    fn untranslatable_rules_are_reported_with_position() {
        let rules =
            SrxRules::parse(&SRX.replace("CASCADE", "yes"), Some(Path::new("x.srx"))).unwrap();
        assert_eq!(rules.warnings().len(), 1);
        let w = rules.warnings()[0].to_string();
        assert!(w.starts_with("x.srx:12:"), "{w}");
        assert!(w.contains(r"\G"), "{w}");
    }

    #[test]
    fn malformed_xml_is_an_error_with_line_and_column() {
        let err = SrxRules::parse(
            "<srx version=\"2.0\">\n<header cascade=\"no\" segmentsubflows=\"no\"/>\n<body>\n</srx>",
            Some(Path::new("bad.srx")),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("bad.srx:4:"), "{msg}");
        let err = SrxRules::parse("<html/>", None).unwrap_err();
        assert!(err.to_string().contains("not an SRX file"));
        let without_pattern = SRX
            .replace("CASCADE", "yes")
            .replace("languagepattern=\".*\" ", "");
        let err = SrxRules::parse(&without_pattern, None).unwrap_err();
        assert!(err.to_string().contains("languagepattern"), "{err}");
    }

    #[test]
    fn structure_is_checked_against_the_schema_with_positions() {
        let at = |xml: &str| {
            SrxRules::parse(xml, Some(Path::new("s.srx")))
                .unwrap_err()
                .to_string()
        };
        let alone = at(
            "<?xml version=\"1.0\"?>\n<srx version=\"2.0\" xmlns=\"http://www.lisa.org/srx20\"/>",
        );
        assert_eq!(alone, "s.srx:2:55: <srx> ends without <header>");
        let base = SRX.replace("CASCADE", "yes");
        let cases = [
            (
                "<body>",
                "<body>\n<extra/>",
                "s.srx:5:1: <body> needs <languagerules> before <extra>",
            ),
            (
                "break=\"no\"",
                "break=\"never\"",
                "s.srx:7:1: break=\"never\" on <rule>: expected \"yes\" or \"no\"",
            ),
            (
                "version=\"2.0\"",
                "version=\"3\"",
                "s.srx:2:1: version=\"3\" on <srx>",
            ),
            (
                "<maprules>",
                "</body><body><maprules>",
                "s.srx:15:1: <body> ends without <maprules>",
            ),
            (
                "<languagerules>",
                "<languagerules>text",
                "s.srx:5:16: text is not allowed directly in <languagerules>",
            ),
        ];
        for (from, to, want) in cases {
            let got = at(&base.replacen(from, to, 1));
            assert!(got.starts_with(want), "{got}\nwant {want}");
        }
    }

    #[test]
    fn foreign_header_elements_are_skipped_and_missing_header_attributes_warned() {
        let xml = SRX.replace("CASCADE", "yes").replace(
            "<header segmentsubflows=\"yes\" cascade=\"yes\"/>",
            "<header cascade=\"yes\" xmlns:o=\"urn:okapi\"><formathandle type=\"start\" include=\"no\"/>\
             <o:options oneSegmentIncludesAll=\"no\"><o:rule/></o:options></header>",
        );
        let rules = SrxRules::parse(&xml, None).unwrap();
        let warnings: Vec<String> = rules.warnings().iter().map(|w| w.to_string()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings.iter().any(|w| w.contains("segmentsubflows")),
            "{warnings:?}"
        );
        assert!(rules.cascade());
        assert_eq!(
            rules.rule_names_for(&LanguageTag::parse("en").unwrap()),
            ["English", "Default"]
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn spans_cover_the_text(text in "(?s)[a-zA-Z .?!\n\t«»\"()。！؟\u{200F}é]{0,80}", wrapped: bool) {
                let rules = SrxRules::parse(&SRX.replace("CASCADE", "yes"), None).unwrap();
                let seg = rules.segmenter(&LanguageTag::parse("en").unwrap()).wrapped(wrapped);
                let mut pos = 0;
                for s in seg.segments(&text) {
                    prop_assert!(s.start >= pos && s.end > s.start);
                    prop_assert_eq!(&text[s.start..s.end], s.text);
                    prop_assert!(text[pos..s.start].trim().is_empty());
                    pos = s.end;
                }
                prop_assert!(text[pos..].trim().is_empty());
            }
        }
    }

    mod parse_props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            /// Truncated or mangled SRX is an error or a result, never a panic.
            #[test]
            fn mangled_srx_never_panics(cut in 0usize..700, junk in "[<>/=\"a-z &;#]{0,8}") {
                let base = SRX.replace("CASCADE", "yes");
                let mut cut = cut.min(base.len());
                while !base.is_char_boundary(cut) {
                    cut -= 1;
                }
                let text = format!("{}{junk}{}", &base[..cut], &base[cut..]);
                let _ = SrxRules::parse(&text, None);
                let _ = SrxRules::parse(&base[..cut], None);
            }
        }
    }
}
