//! Per-language rule tables, loaded from the data files in `src/segment/data/`.
//!
//! Each language is one text file compiled into the binary. Its sections
//! (`[title]`, `[abbrev]`, ...) list whitespace-separated items; `#` starts a
//! comment. The file format is described in `src/segment/data/README.md`.

use std::sync::{Arc, OnceLock};

use ahash::AHashSet;

use crate::text::LanguageTag;

/// How a terminal character ends a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermKind {
    /// `.` and full-width `．`: ambiguous (abbreviations, numbers, initials).
    Period,
    /// `?`, `!`, `。`, `।`, `؟`, ...: ends a sentence unless a lower-case word follows.
    Strong,
    /// `…`: ends a sentence only before a capitalised word.
    Ellipsis,
    /// A colon used as a full stop (Armenian `:`, Arabic and Persian `:` before a new clause).
    Colon,
}

/// Characters that end sentences in every language (they are unambiguous where they occur).
const COMMON_STRONG: &[char] = &[
    '?', '!', '\u{37E}', '‼', '⁇', '⁈', '⁉', '。', '｡', '！', '？', '؟', '۔', '।', '॥', '։', '።',
    '፧', '፨', '။', '၏', '܀', '۔', '᙮', '᠃', '᠉', '꓿', '꘎', '꘏', '꛳', '꛷', '︒', '﹒', '﹖', '﹗',
];

/// True for the characters of [`COMMON_STRONG`] (a `match`, not a slice search: hot path).
#[inline]
fn is_common_strong(c: char) -> bool {
    matches!(
        c,
        '?' | '!'
            | '\u{37E}' // Greek question mark
            | '‼'
            | '⁇'
            | '⁈'
            | '⁉'
            | '。'
            | '｡'
            | '！'
            | '？'
            | '؟'
            | '۔'
            | '।'
            | '॥'
            | '։'
            | '።'
            | '፧'
            | '፨'
            | '။'
            | '၏'
            | '܀'
            | '᙮'
            | '᠃'
            | '᠉'
            | '꓿'
            | '꘎'
            | '꘏'
            | '꛳'
            | '꛷'
            | '︒'
            | '﹒'
            | '﹖'
            | '﹗'
    )
}

/// Rules for one language.
#[derive(Debug)]
pub(crate) struct LangRules {
    /// The data file's language code (`en`, `und` for the generic rules).
    pub code: &'static str,
    /// Titles and other abbreviations that precede a name: never end a sentence.
    pub titles: AHashSet<Box<str>>,
    /// Abbreviations that may end a sentence (before a typical sentence starter).
    pub abbrevs: AHashSet<Box<str>>,
    /// Abbreviations that usually end a clause (`etc.`): a capitalised word after them starts a sentence.
    pub final_abbrevs: AHashSet<Box<str>>,
    /// Abbreviations that precede a number (`No. 5`, `Art. 3`).
    pub number_abbrevs: AHashSet<Box<str>>,
    /// Word endings that make an abbreviation before a number (German `Hauptstr. 5`).
    pub number_suffixes: Vec<Box<str>>,
    /// Words that typically start a sentence (case-sensitive).
    pub starters: AHashSet<Box<str>>,
    /// Month names (lower case), for ordinal dates (`12. Juni`).
    pub months: AHashSet<Box<str>>,
    /// Weekday names (lower case): after `a.m.` and `p.m.` they do not start a sentence.
    pub weekdays: AHashSet<Box<str>>,
    /// Words that announce an ordinal number (`der 3. Platz`), lower case.
    pub ordinal_context: AHashSet<Box<str>>,
    /// Extra terminals of this language and their kind (Greek `;`, Armenian `:`).
    pub extra_terminals: Vec<(char, TermKind)>,
    /// A number followed by a full stop may be an ordinal (`12. Juni`).
    pub ordinals: bool,
    /// French-style spaced closing guillemets (`« Va. »`).
    pub spaced_guillemets: bool,
    /// Quotative particles that continue a sentence after a closing quote (`」と`, `" 하고`).
    pub quote_continuations: Vec<Box<str>>,
    /// English: `I.` after a lower-case word is the pronoun ending a sentence.
    pub pronoun_i: bool,
    /// Chinese and Japanese: a terminal inside 「」, 『』, “” or （） does not end the sentence.
    pub protect_quotes: bool,
    /// `?` and `!` end a sentence before a lower-case word too (Russian `кто? что?`).
    pub lower_after_question: bool,
    /// A full stop ends a sentence before a lower-case word too (Greek).
    pub lower_after_stop: bool,
    /// A roman numeral with a full stop is an ordinal (Slovak `XII. pluku`).
    pub roman_ordinals: bool,
    /// Longest abbreviation, in bytes of its lower-case form (lookups skip longer tokens).
    pub max_abbrev_len: usize,
    /// Bytes that may start a character the scanner must look at.
    pub interesting: [bool; 256],
}

impl LangRules {
    /// The kind of `c` as a terminal in this language, if it is one.
    #[inline]
    pub fn terminal_kind(&self, c: char) -> Option<TermKind> {
        let common = match c {
            '.' | '．' => Some(TermKind::Period),
            '?' | '!' => Some(TermKind::Strong),
            '…' => Some(TermKind::Ellipsis),
            _ if c.is_ascii() => None,
            _ if is_common_strong(c) => Some(TermKind::Strong),
            _ => None,
        };
        if common.is_some() || self.extra_terminals.is_empty() {
            return common;
        }
        self.extra_terminals
            .iter()
            .find(|(t, _)| *t == c)
            .map(|&(_, k)| k)
    }

    /// Parses a data file (see the module docs). Unknown sections are errors so
    /// a typo in a data file fails the unit tests instead of silently dropping a list.
    pub fn parse(code: &'static str, data: &str) -> Result<LangRules, String> {
        let mut rules = LangRules {
            code,
            titles: AHashSet::new(),
            abbrevs: AHashSet::new(),
            number_abbrevs: AHashSet::new(),
            final_abbrevs: AHashSet::new(),
            number_suffixes: Vec::new(),
            starters: AHashSet::new(),
            months: AHashSet::new(),
            weekdays: AHashSet::new(),
            ordinal_context: AHashSet::new(),
            extra_terminals: Vec::new(),
            ordinals: false,
            spaced_guillemets: false,
            quote_continuations: Vec::new(),
            protect_quotes: false,
            lower_after_question: false,
            lower_after_stop: false,
            roman_ordinals: false,
            pronoun_i: false,
            max_abbrev_len: 0,
            interesting: [false; 256],
        };
        let mut section = String::new();
        for (n, raw) in data.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.trim().to_string();
                continue;
            }
            for item in line.split_whitespace() {
                let lower = || item.to_lowercase().into_boxed_str();
                match section.as_str() {
                    "title" => drop(rules.titles.insert(lower())),
                    "abbrev" => drop(rules.abbrevs.insert(lower())),
                    "number" => drop(rules.number_abbrevs.insert(lower())),
                    "quote_continuations" => rules.quote_continuations.push(item.into()),
                    "suffix" => rules.number_suffixes.push(item.into()),
                    "final" => drop(rules.final_abbrevs.insert(lower())),
                    "starters" => drop(rules.starters.insert(item.into())),
                    "months" => drop(rules.months.insert(lower())),
                    "weekdays" => drop(rules.weekdays.insert(lower())),
                    "ordinal_context" => drop(rules.ordinal_context.insert(lower())),
                    "strong" | "colon" => {
                        let mut chars = item.chars();
                        let (Some(c), None) = (chars.next(), chars.next()) else {
                            return Err(format!("{code}:{}: one character expected", n + 1));
                        };
                        let kind = if section == "strong" {
                            TermKind::Strong
                        } else {
                            TermKind::Colon
                        };
                        rules.extra_terminals.push((c, kind));
                    }
                    "flags" => match item {
                        "ordinals" => rules.ordinals = true,
                        "spaced_guillemets" => rules.spaced_guillemets = true,
                        "protect_quotes" => rules.protect_quotes = true,
                        "pronoun_i" => rules.pronoun_i = true,
                        "lower_after_question" => rules.lower_after_question = true,
                        "lower_after_stop" => rules.lower_after_stop = true,
                        "roman_ordinals" => rules.roman_ordinals = true,
                        _ => return Err(format!("{code}:{}: unknown flag {item}", n + 1)),
                    },
                    _ => return Err(format!("{code}:{}: unknown section [{section}]", n + 1)),
                }
            }
        }
        rules.max_abbrev_len = rules
            .titles
            .iter()
            .chain(&rules.abbrevs)
            .chain(&rules.number_abbrevs)
            .chain(&rules.final_abbrevs)
            .map(|a| a.len())
            .max()
            .unwrap_or(0);
        let mut interesting = [false; 256];
        let mut mark = |c: char| {
            let mut buf = [0u8; 4];
            interesting[c.encode_utf8(&mut buf).as_bytes()[0] as usize] = true;
        };
        for c in ['.', '．', '…', '\n', '\r', ')']
            .iter()
            .chain(COMMON_STRONG)
        {
            mark(*c);
        }
        for c in super::scan::BULLETS {
            mark(*c);
        }
        for (c, _) in &rules.extra_terminals {
            mark(*c);
        }
        rules.interesting = interesting;
        Ok(rules)
    }
}

/// The built-in languages: code and data file.
pub(crate) const LANGUAGES: &[(&str, &str)] = &[
    ("und", include_str!("data/und.txt")),
    ("en", include_str!("data/en.txt")),
    ("de", include_str!("data/de.txt")),
    ("fr", include_str!("data/fr.txt")),
    ("es", include_str!("data/es.txt")),
    ("it", include_str!("data/it.txt")),
    ("pt", include_str!("data/pt.txt")),
    ("nl", include_str!("data/nl.txt")),
    ("da", include_str!("data/da.txt")),
    ("sv", include_str!("data/sv.txt")),
    ("nb", include_str!("data/nb.txt")),
    ("pl", include_str!("data/pl.txt")),
    ("cs", include_str!("data/cs.txt")),
    ("sk", include_str!("data/sk.txt")),
    ("ru", include_str!("data/ru.txt")),
    ("uk", include_str!("data/uk.txt")),
    ("bg", include_str!("data/bg.txt")),
    ("el", include_str!("data/el.txt")),
    ("tr", include_str!("data/tr.txt")),
    ("ar", include_str!("data/ar.txt")),
    ("fa", include_str!("data/fa.txt")),
    ("ur", include_str!("data/ur.txt")),
    ("he", include_str!("data/he.txt")),
    ("hi", include_str!("data/hi.txt")),
    ("mr", include_str!("data/mr.txt")),
    ("hy", include_str!("data/hy.txt")),
    ("ka", include_str!("data/ka.txt")),
    ("am", include_str!("data/am.txt")),
    ("my", include_str!("data/my.txt")),
    ("kk", include_str!("data/kk.txt")),
    ("zh", include_str!("data/zh.txt")),
    ("ja", include_str!("data/ja.txt")),
    ("ko", include_str!("data/ko.txt")),
];

/// The codes of the languages with their own rules, `und` (generic) first.
pub fn supported_languages() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().map(|(code, _)| *code)
}

/// Index into [`LANGUAGES`] of the rules for `tag` (0, the generic rules, when unknown).
fn language_index(tag: &LanguageTag) -> usize {
    let primary = tag.primary().to_ascii_lowercase();
    let code = match primary.as_str() {
        "no" | "nn" => "nb",
        "iw" => "he",
        "cmn" | "yue" | "wuu" => "zh",
        "pes" | "prs" => "fa",
        other => other,
    };
    LANGUAGES.iter().position(|(c, _)| *c == code).unwrap_or(0)
}

/// The shared, lazily parsed rules for `tag`.
pub(crate) fn rules_for(tag: &LanguageTag) -> Arc<LangRules> {
    static CACHE: OnceLock<Vec<OnceLock<Arc<LangRules>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| LANGUAGES.iter().map(|_| OnceLock::new()).collect());
    let index = language_index(tag);
    let (code, data) = LANGUAGES[index];
    cache[index]
        .get_or_init(|| {
            // Built-in data is checked by the unit tests; a broken file degrades to no lists.
            Arc::new(LangRules::parse(code, data).unwrap_or_else(|_| {
                LangRules::parse(code, "").unwrap_or_else(|_| unreachable!("empty data parses"))
            }))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_parses() {
        for (code, data) in LANGUAGES {
            let rules = LangRules::parse(code, data).unwrap_or_else(|e| panic!("{e}"));
            if *code != "und" && !matches!(*code, "zh" | "ja" | "ko" | "my" | "am") {
                assert!(
                    !rules.abbrevs.is_empty() || !rules.titles.is_empty(),
                    "{code} has no abbreviations"
                );
            }
        }
    }

    #[test]
    fn maps_aliases_and_unknown_languages() {
        let tag = |s| LanguageTag::parse(s).unwrap();
        assert_eq!(rules_for(&tag("no")).code, "nb");
        assert_eq!(rules_for(&tag("en-GB")).code, "en");
        assert_eq!(rules_for(&tag("zh-Hant-TW")).code, "zh");
        assert_eq!(rules_for(&tag("xx")).code, "und");
    }

    #[test]
    fn common_terminal_table_and_match_agree() {
        for c in COMMON_STRONG {
            assert!(is_common_strong(*c), "{c:?}");
        }
    }

    #[test]
    fn bad_data_is_rejected() {
        assert!(LangRules::parse("xx", "[nonsense]\na").is_err());
        assert!(LangRules::parse("xx", "[strong]\nab").is_err());
        assert!(LangRules::parse("xx", "[flags]\nfast").is_err());
    }
}
