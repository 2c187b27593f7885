//! Filtering a memory unit by unit: keep some languages, drop units with an
//! empty or untranslated (identical) side, keep units with given props or
//! modified in a date range.

use serde::Serialize;

use super::model::{Tu, Tuv};
use crate::error::{Error, Result};
use crate::text::{LangMatch, LanguageTag};

/// What to keep.
#[derive(Debug, Clone, Default)]
pub struct FilterOptions {
    /// Keep only variants in these languages (`en` keeps `en-US` too);
    /// units left with fewer than two of them (one when one is asked) are
    /// dropped.
    pub langs: Vec<LanguageTag>,
    /// Keep only the source and target variants, and only units that have both.
    pub pair: Option<(LanguageTag, LanguageTag)>,
    /// Drop units where a kept variant has no text.
    pub drop_empty: bool,
    /// Drop units whose kept variants all have the same text (untranslated).
    pub drop_identical: bool,
    /// Keep only units with each of these props (`type`, and value if given).
    pub props: Vec<(String, Option<String>)>,
    /// Keep only units changed (or created) at or after this TMX date.
    pub since: Option<String>,
    /// Keep only units changed (or created) at or before this TMX date.
    pub until: Option<String>,
}

/// Why a unit was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Not enough variants in the languages asked.
    Languages,
    /// A variant without text.
    Empty,
    /// Source and target are the same.
    Identical,
    /// A required prop is missing.
    Prop,
    /// Outside the date range (or undated).
    Date,
}

/// The languages of units left out for lacking the languages asked, kept
/// to name them when no unit had them (a pair the file does not hold). At
/// most [`LanguagesSeen::MAX`] are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguagesSeen(std::collections::BTreeSet<String>);

impl LanguagesSeen {
    /// Most languages kept (a memory of more is named in part).
    pub const MAX: usize = 50;

    /// Notes the languages of `tu`'s variants.
    pub fn add(&mut self, tu: &Tu) {
        for tuv in &tu.tuvs {
            if self.0.len() >= Self::MAX {
                return;
            }
            if !self.0.contains(tuv.lang.as_str()) {
                self.0.insert(tuv.lang.clone());
            }
        }
    }

    /// The languages noted, sorted, comma-separated (`none` when none).
    pub fn list(&self) -> String {
        if self.0.is_empty() {
            return "none".to_string();
        }
        let names: Vec<&str> = self.0.iter().map(String::as_str).collect();
        names.join(", ")
    }
}

/// Counts of a filter run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilterReport {
    /// Units read.
    pub read: u64,
    /// Units kept.
    pub kept: u64,
    /// Dropped for lack of the languages asked.
    pub dropped_languages: u64,
    /// Dropped for an empty variant.
    pub dropped_empty: u64,
    /// Dropped as untranslated.
    pub dropped_identical: u64,
    /// Dropped for a missing prop.
    pub dropped_prop: u64,
    /// Dropped by date.
    pub dropped_date: u64,
    /// Kept with a variant from another region of an asked language
    /// (`en-US` for `en-GB`), there being none closer; counted by the caller
    /// with [`FilterOptions::uses_region_fallback`].
    pub region_fallback: u64,
    /// The languages of the units read while none was kept (counted by
    /// [`FilterReport::count`] when languages are asked).
    #[serde(skip)]
    pub languages: LanguagesSeen,
}

impl FilterReport {
    /// Counts one outcome.
    pub fn count(&mut self, outcome: &std::result::Result<Tu, DropReason>) {
        self.read += 1;
        match outcome {
            Ok(_) => self.kept += 1,
            Err(DropReason::Languages) => self.dropped_languages += 1,
            Err(DropReason::Empty) => self.dropped_empty += 1,
            Err(DropReason::Identical) => self.dropped_identical += 1,
            Err(DropReason::Prop) => self.dropped_prop += 1,
            Err(DropReason::Date) => self.dropped_date += 1,
        }
    }
}

/// How well `tuv` serves `asked`, by the one resolver ([`LanguageTag::resolve`]).
fn resolve(asked: &LanguageTag, tuv: &Tuv) -> Option<LangMatch> {
    tuv.lang_tag().and_then(|t| asked.resolve(&t))
}

/// The variants of `tu` that serve `asked` best: the exact tag, else the bare
/// language, else another region; `None` when none serves.
fn best(asked: &LanguageTag, tu: &Tu) -> Option<LangMatch> {
    tu.tuvs.iter().filter_map(|v| resolve(asked, v)).max()
}

/// True when `tuv` is one of the best variants of `tu` for `asked`.
fn serves(asked: &LanguageTag, tuv: &Tuv, best_match: Option<LangMatch>) -> bool {
    best_match.is_some() && resolve(asked, tuv) == best_match
}

impl FilterOptions {
    /// True when a kept unit serves an asked language only through another
    /// region of it (`en-US` kept for `en-GB`): the caller says so.
    pub fn uses_region_fallback(&self, tu: &Tu) -> bool {
        let asked: Vec<&LanguageTag> = match &self.pair {
            Some((src, tgt)) => vec![src, tgt],
            None => self.langs.iter().collect(),
        };
        asked
            .into_iter()
            .any(|l| best(l, tu) == Some(LangMatch::OtherRegion))
    }

    /// [`FilterOptions::apply`], counted in `report`; while no unit has
    /// been kept and languages are asked, the languages of the units read
    /// are noted in [`FilterReport::languages`].
    pub fn apply_counted(
        &self,
        tu: Tu,
        report: &mut FilterReport,
    ) -> std::result::Result<Tu, DropReason> {
        if report.kept == 0 && (self.pair.is_some() || !self.langs.is_empty()) {
            report.languages.add(&tu);
        }
        let outcome = self.apply(tu);
        report.count(&outcome);
        outcome
    }

    /// Applies the filter: the unit (with only the kept variants), or why it
    /// was dropped.
    pub fn apply(&self, mut tu: Tu) -> std::result::Result<Tu, DropReason> {
        if let Some(since) = &self.since
            && tu.last_modified().is_none_or(|d| d < since.as_str())
        {
            return Err(DropReason::Date);
        }
        if let Some(until) = &self.until
            && tu.last_modified().is_none_or(|d| d > until.as_str())
        {
            return Err(DropReason::Date);
        }
        for (kind, value) in &self.props {
            let found = tu
                .props
                .iter()
                .any(|p| &p.kind == kind && value.as_ref().is_none_or(|v| &p.value == v));
            if !found {
                return Err(DropReason::Prop);
            }
        }
        if let Some((src, tgt)) = &self.pair {
            let (best_src, best_tgt) = (best(src, &tu), best(tgt, &tu));
            if best_src.is_none() || best_tgt.is_none() {
                return Err(DropReason::Languages);
            }
            tu.tuvs
                .retain(|v| serves(src, v, best_src) || serves(tgt, v, best_tgt));
        } else if !self.langs.is_empty() {
            let bests: Vec<Option<LangMatch>> = self.langs.iter().map(|l| best(l, &tu)).collect();
            let distinct = bests.iter().filter(|b| b.is_some()).count();
            if distinct < self.langs.len().min(2) {
                return Err(DropReason::Languages);
            }
            tu.tuvs
                .retain(|v| self.langs.iter().zip(&bests).any(|(l, b)| serves(l, v, *b)));
        }
        // A unit's own srclang names one of its variants still (the
        // source kept, when a pair was asked).
        if let Some(own) = &tu.srclang
            && !tu.tuvs.iter().any(|v| v.is_lang(own))
        {
            tu.srclang = match &self.pair {
                Some((src, _)) => tu
                    .tuvs
                    .iter()
                    .find(|v| resolve(src, v).is_some())
                    .map(|v| v.lang.clone()),
                None => None,
            };
        }
        if self.drop_empty || self.drop_identical {
            let texts: Vec<String> = tu.tuvs.iter().map(|v| v.seg.plain_text()).collect();
            if self.drop_empty && (texts.is_empty() || texts.iter().any(|t| t.trim().is_empty())) {
                return Err(DropReason::Empty);
            }
            if self.drop_identical
                && texts.len() >= 2
                && texts.iter().all(|t| t.trim() == texts[0].trim())
            {
                return Err(DropReason::Identical);
            }
        }
        Ok(tu)
    }
}

/// The `srclang` a filtered file can declare truthfully: a language every
/// kept unit holds, else `*all*`. Fed each kept unit with
/// [`KeptSrclang::add`]; [`KeptSrclang::srclang`] gives, in this order: the
/// tag of the first unit's source variant when every unit has a source
/// variant of that very tag (`en-US` for `--src en` when every unit is
/// `en-US`), else the language asked (or the input's srclang) when every
/// unit has a variant in it (`en` over `en-US` and `en-GB`, as
/// [`validate`](super::validate) reads srclang), else `*all*` (`en-GB`
/// asked while a unit kept only `en-US`).
#[derive(Debug, Clone)]
pub struct KeptSrclang {
    /// The language asked for the source, or the input's srclang; `None`
    /// for `*all*`.
    asked: Option<String>,
    /// The first kept unit's source tag, while every unit has it.
    exact: Option<String>,
    /// False once a kept unit has no variant in `asked`.
    asked_held: bool,
    /// Units added.
    units: u64,
}

impl KeptSrclang {
    /// For a filter with `opts` of a file whose header declares `declared`.
    pub fn new(opts: &FilterOptions, declared: Option<&str>) -> Self {
        let asked = match &opts.pair {
            Some((src, _)) => Some(src.to_string()),
            None => declared
                .filter(|d| !d.eq_ignore_ascii_case("*all*"))
                .map(str::to_string),
        };
        KeptSrclang {
            asked,
            exact: None,
            asked_held: true,
            units: 0,
        }
    }

    /// Notes a kept unit.
    pub fn add(&mut self, tu: &Tu) {
        let Some(asked) = &self.asked else { return };
        let mut sources = tu
            .tuvs
            .iter()
            .filter(|v| super::validate::serves_srclang(&v.lang, asked));
        self.units += 1;
        if self.units == 1 {
            self.exact = sources.next().map(|v| v.lang.clone());
            self.asked_held = self.exact.is_some();
            return;
        }
        let exact = self.exact.take();
        let mut held = false;
        for v in sources {
            held = true;
            if exact.as_deref().is_some_and(|e| v.is_lang(e)) {
                self.exact = exact;
                return;
            }
        }
        self.asked_held &= held;
    }

    /// The srclang to declare (`fallback` when no unit was kept and no
    /// language asked).
    pub fn srclang(&self, fallback: &str) -> String {
        match (&self.asked, &self.exact) {
            (None, _) if self.units == 0 => fallback.to_string(),
            (None, _) => "*all*".to_string(),
            (Some(asked), _) if self.units == 0 => asked.clone(),
            (_, Some(exact)) => exact.clone(),
            (Some(asked), None) if self.asked_held => asked.clone(),
            _ => "*all*".to_string(),
        }
    }
}

/// Parses a date bound as users type it (`2024-01-31`, `20240131`,
/// `2024-01-31T12:00:00Z`, `20240131T120000Z`) into a TMX date. A bare day
/// means its start, or its end when `end_of_day`.
pub fn parse_date_bound(s: &str, end_of_day: bool) -> Result<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let date = match digits.len() {
        8 => format!("{digits}T{}Z", if end_of_day { "235959" } else { "000000" }),
        14 => format!("{}T{}Z", &digits[..8], &digits[8..]),
        _ => {
            return Err(Error::Usage(format!(
                "invalid date {s:?}: expected YYYY-MM-DD or YYYYMMDDThhmmssZ"
            )));
        }
    };
    super::validate::check_date(&date)
        .map_err(|why| Error::Usage(format!("invalid date {s:?}: {why}")))?;
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::Prop;

    fn unit(pairs: &[(&str, &str)]) -> Tu {
        Tu::new(pairs.iter().map(|(l, t)| Tuv::new(*l, *t)).collect())
    }

    #[test]
    fn keeps_pairs_and_drops_untranslated_and_empty() {
        let opts = FilterOptions {
            pair: Some(("en".parse().unwrap(), "fr".parse().unwrap())),
            drop_empty: true,
            drop_identical: true,
            ..FilterOptions::default()
        };
        let kept = opts
            .apply(unit(&[
                ("en-US", "Hi"),
                ("de", "Hallo"),
                ("fr-FR", "Salut"),
            ]))
            .unwrap();
        assert_eq!(kept.tuvs.len(), 2);
        assert_eq!(
            opts.apply(unit(&[("en", "OK"), ("fr", "OK")])),
            Err(DropReason::Identical)
        );
        assert_eq!(
            opts.apply(unit(&[("en", "x"), ("fr", " ")])),
            Err(DropReason::Empty)
        );
        assert_eq!(
            opts.apply(unit(&[("en", "x"), ("de", "y")])),
            Err(DropReason::Languages)
        );
    }

    #[test]
    fn filters_by_prop_and_date() {
        let since = parse_date_bound("2024-01-01", false).unwrap();
        assert_eq!(since, "20240101T000000Z");
        let opts = FilterOptions {
            props: vec![("x-domain".into(), Some("legal".into()))],
            since: Some(since),
            ..FilterOptions::default()
        };
        let mut tu = unit(&[("en", "a"), ("fr", "b")]);
        tu.props.push(Prop::new("x-domain", "legal"));
        tu.changedate = Some("20240315T101010Z".into());
        assert!(opts.apply(tu.clone()).is_ok());
        tu.changedate = Some("20231231T235959Z".into());
        assert_eq!(opts.apply(tu.clone()), Err(DropReason::Date));
        tu.changedate = Some("20240315T101010Z".into());
        tu.props[0].value = "medical".into();
        assert_eq!(opts.apply(tu), Err(DropReason::Prop));
        assert!(parse_date_bound("2024-02-30", false).is_err());
    }

    #[test]
    fn languages_are_noted_until_a_unit_is_kept() {
        let opts = FilterOptions {
            pair: Some((
                LanguageTag::parse("en").unwrap(),
                LanguageTag::parse("es").unwrap(),
            )),
            ..FilterOptions::default()
        };
        let mut report = FilterReport::default();
        assert!(
            opts.apply_counted(unit(&[("fr", "a"), ("en", "b")]), &mut report)
                .is_err()
        );
        assert!(
            opts.apply_counted(unit(&[("en", "x"), ("es", "y")]), &mut report)
                .is_ok()
        );
        assert!(
            opts.apply_counted(unit(&[("ja", "x"), ("en", "y")]), &mut report)
                .is_err()
        );
        assert_eq!(
            (report.read, report.kept, report.dropped_languages),
            (3, 1, 2)
        );
        assert_eq!(report.languages.list(), "en, es, fr");
        let mut many = LanguagesSeen::default();
        for i in 0..200 {
            many.add(&unit(&[(&format!("x-{i}"), "a")]));
        }
        assert_eq!(many.list().split(", ").count(), LanguagesSeen::MAX);
        assert_eq!(LanguagesSeen::default().list(), "none");
    }
}
