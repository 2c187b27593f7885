//! What a match's points are for: the listed penalties of a match (style,
//! punctuation, numbers, inline codes), and number auto-propagation, the
//! target with the query's numbers written in the target language's
//! convention. [`assess`] gives the same score as the index, with its reasons.

use std::fmt;

use super::index::Query;
use super::numbers::{NumberFormat, written_numbers};
use super::score::{combine, levenshtein, stand_in, word_score};
use super::vocab::Vocabulary;
use crate::text::tokenize::{TokenClass, for_each_score_token, punctuation_key};
use crate::text::{casefold, comparison_key, nfkc};
use crate::tm::LanguagePair;

/// Why a match scores less than its words say. New kinds may be added (a
/// memory entry of another regional variant, for one), so matches on this
/// enum need a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PenaltyKind {
    /// The texts differ only in case, width, whitespace, or quote,
    /// apostrophe or dash style (the 1 point between 100 and 99).
    Style,
    /// A punctuation mark or symbol added, removed or changed.
    Punctuation,
    /// A number added, removed or changed.
    Number,
    /// Inline codes (tags, placeholders) that one side has and the other lacks.
    InlineCode,
    /// The memory's source or target is another region of the language asked
    /// (`en-US` for `en-GB`): listed with 0 points, the words being the same.
    RegionFallback,
}

impl PenaltyKind {
    /// The kind's name in reports (`inline-code`).
    pub fn as_str(self) -> &'static str {
        match self {
            PenaltyKind::Style => "style",
            PenaltyKind::Punctuation => "punctuation",
            PenaltyKind::Number => "number",
            PenaltyKind::InlineCode => "inline-code",
            PenaltyKind::RegionFallback => "region-fallback",
        }
    }
}

impl fmt::Display for PenaltyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One listed reason a match lost points: serialized as
/// `{"kind": "number", "points": 1, "detail": "3.9 → 4.2"}`, the form `match`
/// prints and XLIFF notes carry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Penalty {
    /// What differs.
    pub kind: PenaltyKind,
    /// Points taken off the score.
    pub points: u8,
    /// What exactly, from the memory source to the text (`"," → ";"`, `"." added`).
    pub detail: String,
}

impl Penalty {
    /// A penalty.
    pub fn new(kind: PenaltyKind, points: u8, detail: impl Into<String>) -> Self {
        Penalty {
            kind,
            points,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Penalty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -{}: {}", self.kind, self.points, self.detail)
    }
}

/// A match's score with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The score ([`super::score_with_codes`]).
    pub score: u8,
    /// Every point taken off besides word edits; their points add up to the
    /// difference between the word score and `score`.
    pub penalties: Vec<Penalty>,
    /// The memory target with the query's numbers put in, when numbers differ
    /// one for one and the target holds every number that changes.
    pub adapted_target: Option<String>,
}

/// A text's score tokens as strings, by class (scored = words, or what stands
/// in for them, as in [`super::TokenSets`]).
#[derive(Default)]
struct Classes {
    scored: Vec<String>,
    numbers: Vec<String>,
    punctuation: Vec<String>,
}

fn classes(text: &str) -> Classes {
    let key = comparison_key(text);
    let mut c = Classes::default();
    for_each_score_token(&key, |class, t| {
        let t = t.to_string();
        match class {
            TokenClass::Word => c.scored.push(t),
            TokenClass::Number => c.numbers.push(t),
            TokenClass::Punctuation => c.punctuation.push(t),
        }
    });
    stand_in(&mut c.scored, &mut c.numbers, &mut c.punctuation);
    c
}

/// Token-level distance of two string sequences.
fn distance(a: &[String], b: &[String]) -> usize {
    let mut vocab = Vocabulary::default();
    let ia: Vec<u32> = a.iter().map(|t| vocab.intern(t)).collect();
    let ib: Vec<u32> = b.iter().map(|t| vocab.intern(t)).collect();
    levenshtein(&ia, &ib)
}

/// One edit of a minimal alignment from `from` to `to`.
enum Edit<'a> {
    Changed(&'a str, &'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// The edits of a minimal alignment (its length is the Levenshtein distance).
fn edits<'a>(from: &'a [String], to: &'a [String]) -> Vec<Edit<'a>> {
    let (n, m) = (from.len(), to.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=m).collect();
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + usize::from(from[i - 1] != to[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let (mut i, mut j) = (n, m);
    let mut out = Vec::new();
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + usize::from(from[i - 1] != to[j - 1]) {
            if from[i - 1] != to[j - 1] {
                out.push(Edit::Changed(&from[i - 1], &to[j - 1]));
            }
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            out.push(Edit::Removed(&from[i - 1]));
            i -= 1;
        } else {
            out.push(Edit::Added(&to[j - 1]));
            j -= 1;
        }
    }
    out.reverse();
    out
}

/// One penalty per edit between two sequences of one class.
fn edit_penalties(kind: PenaltyKind, source: &[String], query: &[String], out: &mut Vec<Penalty>) {
    // Marks in double quotes, a double quote in single ones.
    let quote = |t: &str| match (kind, t) {
        (PenaltyKind::Punctuation, "\"") => "'\"'".to_string(),
        (PenaltyKind::Punctuation, t) => format!("\"{t}\""),
        (_, t) => t.to_string(),
    };
    for e in edits(source, query) {
        let detail = match e {
            Edit::Changed(a, b) => format!("{} → {}", quote(a), quote(b)),
            Edit::Removed(a) => format!("{} removed", quote(a)),
            Edit::Added(b) => format!("{} added", quote(b)),
        };
        out.push(Penalty::new(kind, 1, detail));
    }
}

/// What makes two texts with the same tokens differ: each style whose
/// folding alone keeps them apart.
fn style_differences(a: &str, b: &str) -> String {
    type Fold = fn(&str) -> String;
    let stages: [(&str, Fold); 4] = [
        ("whitespace", |s| {
            s.chars()
                .filter(|&c| {
                    !crate::text::tokenize::is_token_space(c)
                        && !crate::text::tokenize::is_invisible_format(c)
                })
                .collect()
        }),
        ("width", |s| nfkc(s).into_owned()),
        ("case", |s| casefold(s).into_owned()),
        ("quotes, apostrophes or dashes", |s| {
            s.chars().map(punctuation_key).collect()
        }),
    ];
    let fold_except = |s: &str, skip: usize| {
        stages
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != skip)
            .fold(s.to_string(), |acc, (_, (_, f))| f(&acc))
    };
    let names: Vec<&str> = (0..stages.len())
        .filter(|&i| fold_except(a, i) != fold_except(b, i))
        .map(|i| stages[i].0)
        .collect();
    if names.is_empty() {
        "Unicode normalization".to_string()
    } else {
        names.join(", ")
    }
}

/// The score of memory `source` (with `source_codes` inline codes) against
/// `query`, the penalties behind it, and `target` with the query's numbers.
///
/// ```
/// use tmkit::fuzzy::{assess, PenaltyKind};
/// use tmkit::tm::LanguagePair;
/// let pair = LanguagePair::new("en".parse()?, "fr".parse()?);
/// let a = assess("Growth was 4.2%.".into(), "Growth was 3.9%.", 0, "La croissance a été de 3,9 %.", &pair);
/// assert_eq!(a.score, 99);
/// assert_eq!(a.penalties[0].kind, PenaltyKind::Number);
/// assert_eq!(a.penalties[0].detail, "3.9 → 4.2");
/// assert_eq!(a.adapted_target.as_deref(), Some("La croissance a été de 4,2 %."));
/// # Ok::<(), tmkit::Error>(())
/// ```
pub fn assess(
    query: Query<'_>,
    source: &str,
    source_codes: u16,
    target: &str,
    pair: &LanguagePair,
) -> Assessment {
    if query.text == source && query.codes == source_codes {
        return Assessment {
            score: 100,
            penalties: Vec::new(),
            adapted_target: None,
        };
    }
    let q = classes(query.text);
    let s = classes(source);
    let words = word_score(
        distance(&q.scored, &s.scored),
        q.scored.len(),
        s.scored.len(),
    );
    let mut penalties = Vec::new();
    edit_penalties(PenaltyKind::Number, &s.numbers, &q.numbers, &mut penalties);
    edit_penalties(
        PenaltyKind::Punctuation,
        &s.punctuation,
        &q.punctuation,
        &mut penalties,
    );
    let code_gap = query.codes.abs_diff(source_codes);
    if code_gap > 0 {
        penalties.push(Penalty::new(
            PenaltyKind::InlineCode,
            code_gap.min(100) as u8,
            format!(
                "{source_codes} inline code(s) in the memory source, {} in the text",
                query.codes
            ),
        ));
    }
    let points: usize = penalties.iter().map(|p| usize::from(p.points)).sum();
    let score = combine(words, points);
    if words == 100 && points == 0 {
        penalties.push(Penalty::new(
            PenaltyKind::Style,
            1,
            style_differences(query.text, source),
        ));
    }
    let adapted_target = adapt_numbers(query.text, source, target, pair);
    Assessment {
        score,
        penalties,
        adapted_target,
    }
}

/// The target with numbers replaced, when the query and the source hold the
/// same count of numbers, each changed source number maps to one query number
/// (and does not also stay unchanged elsewhere), and the target holds every
/// changed number, read in the target language's convention (or written
/// exactly as in the source). The new numbers are written in the target's
/// convention, grouped as the target's number was (or as the query's).
fn adapt_numbers(query: &str, source: &str, target: &str, pair: &LanguagePair) -> Option<String> {
    let (qn, sn) = (written_numbers(query), written_numbers(source));
    if qn.len() != sn.len() || qn.iter().zip(&sn).all(|(q, s)| q.text == s.text) {
        return None;
    }
    let (src_fmt, tgt_fmt) = (
        NumberFormat::of(&pair.source),
        NumberFormat::of(&pair.target),
    );
    let mut map: Vec<(&str, &str)> = Vec::new();
    for (q, s) in qn.iter().zip(&sn) {
        if q.text == s.text {
            continue;
        }
        match map.iter().find(|(from, _)| *from == s.text) {
            Some((_, to)) if *to != q.text => return None,
            Some(_) => {}
            None => map.push((&s.text, &q.text)),
        }
    }
    if map.iter().any(|(from, _)| {
        qn.iter()
            .zip(&sn)
            .any(|(q, s)| s.text == *from && q.text == s.text)
    }) {
        return None;
    }
    let mut out = String::with_capacity(target.len() + 8);
    let mut replaced = vec![false; map.len()];
    let mut last = 0;
    for found in written_numbers(target) {
        let value = tgt_fmt.parse(&found.text);
        let k = map.iter().position(|(from, _)| {
            *from == found.text
                || value
                    .as_ref()
                    .is_some_and(|v| src_fmt.parse(from).as_ref() == Some(v))
        });
        let Some(k) = k else { continue };
        let to = map[k].1;
        let written = match (&value, src_fmt.parse(to)) {
            (Some(old), Some(new)) if src_fmt.parse(map[k].0).as_ref() == Some(old) => {
                // Grouped as the target wrote it, with its separator; an
                // ungrouped target number takes the query's grouping.
                let group = target[found.span.0..found.span.1]
                    .chars()
                    .find(|&c| !c.is_numeric() && c != tgt_fmt.decimal)
                    .unwrap_or(tgt_fmt.group);
                tgt_fmt.format(&new, group, old.grouped || new.grouped)
            }
            _ => to.to_string(),
        };
        out.push_str(&target[last..found.span.0]);
        out.push_str(&written);
        last = found.span.1;
        replaced[k] = true;
    }
    out.push_str(&target[last..]);
    replaced.iter().all(|&r| r).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(s: &str, t: &str) -> LanguagePair {
        LanguagePair::new(s.parse().unwrap(), t.parse().unwrap())
    }

    fn en_fr(query: &str, source: &str, target: &str) -> Assessment {
        assess(query.into(), source, 0, target, &pair("en", "fr"))
    }

    #[test]
    fn same_numbers_no_penalty() {
        let a = en_fr("Tom is 12.", "Tom was 12.", "Tom avait 12 ans.");
        assert!(a.penalties.is_empty());
        assert_eq!(a.adapted_target, None);
        assert_eq!(a.score, 50);
    }

    #[test]
    fn words_and_numbers_differ_still_adapts_the_numbers() {
        let a = en_fr("Tom is 13.", "Tom was 12.", "Tom avait 12 ans.");
        assert_eq!(a.penalties.len(), 1);
        assert_eq!(a.score, 49);
        assert_eq!(a.adapted_target.as_deref(), Some("Tom avait 13 ans."));
    }

    #[test]
    fn adapts_every_occurrence_and_full_width_digits() {
        let a = en_fr("Room 5, floor 5", "Room 3, floor 3", "Salle ３, étage 3");
        assert_eq!(a.adapted_target.as_deref(), Some("Salle 5, étage 5"));
    }

    #[test]
    fn missing_number_in_target_gives_no_adaptation() {
        let a = en_fr("I have 4 cats", "I have 3 cats", "J'ai trois chats");
        assert_eq!(a.adapted_target, None);
    }

    #[test]
    fn number_glued_to_letters_is_not_replaced() {
        let a = en_fr("Take 2 pills", "Take 3 pills", "Prenez 3 pilules (3x)");
        assert_eq!(a.adapted_target.as_deref(), Some("Prenez 2 pilules (3x)"));
    }

    #[test]
    fn thousands_follow_the_target_convention() {
        let a = assess(
            "Sales reached 2,500 units.".into(),
            "Sales reached 1,000 units.",
            0,
            "Der Absatz erreichte 1.000 Stück.",
            &pair("en", "de"),
        );
        assert_eq!(a.score, 99);
        assert_eq!(
            a.adapted_target.as_deref(),
            Some("Der Absatz erreichte 2.500 Stück.")
        );
        let c = assess(
            "Sales reached 2,500 units.".into(),
            "Sales reached 1,000 units.",
            0,
            "Les ventes ont atteint 1\u{A0}000 unités.",
            &pair("en", "fr"),
        );
        assert_eq!(
            c.adapted_target.as_deref(),
            Some("Les ventes ont atteint 2\u{A0}500 unités.")
        );
        let b = assess(
            "Sales reached 2,500 units.".into(),
            "Sales reached 900 units.",
            0,
            "Les ventes ont atteint 900 unités.",
            &pair("en", "fr"),
        );
        assert_eq!(
            b.adapted_target.as_deref(),
            Some("Les ventes ont atteint 2\u{202F}500 unités.")
        );
    }

    #[test]
    fn missing_final_period_and_style_only() {
        let a = en_fr("The talks ended", "The talks ended.", "");
        assert_eq!(a.score, 99);
        assert_eq!(
            a.penalties,
            [Penalty::new(PenaltyKind::Punctuation, 1, "\".\" removed")]
        );
        let b = en_fr("It’s “DONE”", "It's \"done\"", "");
        assert_eq!(b.score, 99);
        assert_eq!(b.penalties[0].kind, PenaltyKind::Style);
        assert_eq!(b.penalties[0].detail, "case, quotes, apostrophes or dashes");
        let c = en_fr("a  b", "a b", "");
        assert_eq!(c.penalties[0].detail, "whitespace");
    }

    #[test]
    fn inline_codes_cost_a_point_each() {
        let a = assess(
            "Click here".into(),
            "Click here",
            2,
            "Cliquez ici",
            &pair("en", "fr"),
        );
        assert_eq!(a.score, 98);
        assert_eq!(a.penalties[0].kind, PenaltyKind::InlineCode);
        assert_eq!(a.penalties[0].points, 2);
    }

    #[test]
    fn arabic_indic_digits_are_numbers() {
        let a = assess(
            "الصفحة ١٢".into(),
            "الصفحة ١٠",
            0,
            "الصفحة ١٠",
            &pair("ar", "ar"),
        );
        assert_eq!(a.penalties[0].kind, PenaltyKind::Number);
        assert_eq!(a.score, 99);
    }

    #[test]
    fn penalties_serialize_as_kind_points_detail() {
        let p = Penalty::new(PenaltyKind::InlineCode, 2, "x");
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"kind":"inline-code","points":2,"detail":"x"}"#
        );
    }
}
