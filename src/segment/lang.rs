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
    /// Abbreviations that, after a single number (not a range such as
    /// `1941–1945`), go on in the sentence whatever follows (Russian
    /// `в 1936 г. В день …`); elsewhere they are plain [`abbrevs`](Self::abbrevs).
    pub after_number: AHashSet<Box<str>>,
    /// Word endings that make an abbreviation before a number (German `Hauptstr. 5`).
    pub number_suffixes: Vec<Box<str>>,
    /// Words that typically start a sentence (case-sensitive).
    pub starters: AHashSet<Box<str>>,
    /// Names spelt with an exclamation mark (`Yahoo!`, case-sensitive): before
    /// a capitalised word that is not a typical starter the name goes on
    /// (`Yahoo! Research`).
    pub exclaimed: AHashSet<Box<str>>,
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
    /// Words (as written) that, opening a parenthesis right after a sentence,
    /// make it a comment on that sentence (English `(Which was true.)`).
    pub relatives: AHashSet<Box<str>>,
    /// Positional words (lower case) that make `1. above` a cross-reference, not a list item.
    pub positionals: AHashSet<Box<str>>,
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
    /// A number with a full stop after a word is an ordinal whatever follows
    /// (Turkish `2. Dünya Savaşı`, `yukarıdaki 1. maddede`), unless a sentence starter does.
    pub ordinal_after_word: bool,
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
        Self::parse_parts(code, &[data])
    }

    /// Parses several data files of one language in turn (the hand-written
    /// file and the generated `mined/` one); each starts without a section.
    pub fn parse_parts(code: &'static str, parts: &[&str]) -> Result<LangRules, String> {
        let mut rules = LangRules {
            code,
            titles: AHashSet::new(),
            abbrevs: AHashSet::new(),
            number_abbrevs: AHashSet::new(),
            after_number: AHashSet::new(),
            final_abbrevs: AHashSet::new(),
            number_suffixes: Vec::new(),
            starters: AHashSet::new(),
            exclaimed: AHashSet::new(),
            months: AHashSet::new(),
            weekdays: AHashSet::new(),
            ordinal_context: AHashSet::new(),
            extra_terminals: Vec::new(),
            ordinals: false,
            spaced_guillemets: false,
            quote_continuations: Vec::new(),
            relatives: AHashSet::new(),
            positionals: AHashSet::new(),
            protect_quotes: false,
            lower_after_question: false,
            lower_after_stop: false,
            roman_ordinals: false,
            ordinal_after_word: false,
            pronoun_i: false,
            max_abbrev_len: 0,
            interesting: [false; 256],
        };
        for data in parts {
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
                        "after_number" => drop(rules.after_number.insert(lower())),
                        "quote_continuations" => rules.quote_continuations.push(item.into()),
                        "suffix" => rules.number_suffixes.push(item.into()),
                        "final" => drop(rules.final_abbrevs.insert(lower())),
                        "starters" => drop(rules.starters.insert(item.into())),
                        "exclaim" => drop(rules.exclaimed.insert(item.into())),
                        "relative" => drop(rules.relatives.insert(item.into())),
                        "positional" => drop(rules.positionals.insert(lower())),
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
                            "ordinal_after_word" => {
                                rules.ordinals = true;
                                rules.ordinal_after_word = true;
                            }
                            _ => return Err(format!("{code}:{}: unknown flag {item}", n + 1)),
                        },
                        _ => return Err(format!("{code}:{}: unknown section [{section}]", n + 1)),
                    }
                }
            }
        }
        rules.max_abbrev_len = rules
            .titles
            .iter()
            .chain(&rules.abbrevs)
            .chain(&rules.number_abbrevs)
            .chain(&rules.after_number)
            .chain(&rules.final_abbrevs)
            .map(|a| a.len())
            .max()
            .unwrap_or(0);
        let mut interesting = [false; 256];
        let mut mark = |c: char| {
            let mut buf = [0u8; 4];
            interesting[c.encode_utf8(&mut buf).as_bytes()[0] as usize] = true;
        };
        // `"` and `”`: a quotation broken off by a dash (`--"`) may end the sentence.
        for c in ['.', '．', '…', '\n', '\r', ')', '"', '”']
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

/// The built-in languages: code, hand-written data file, and the abbreviations
/// generated from real data by `data/gen_abbrevs.py` (`data/mined/`).
pub(crate) const LANGUAGES: &[(&str, &str, &str)] = &[
    ("und", include_str!("data/und.txt"), ""),
    (
        "en",
        include_str!("data/en.txt"),
        include_str!("data/mined/en.txt"),
    ),
    (
        "de",
        include_str!("data/de.txt"),
        include_str!("data/mined/de.txt"),
    ),
    (
        "fr",
        include_str!("data/fr.txt"),
        include_str!("data/mined/fr.txt"),
    ),
    (
        "es",
        include_str!("data/es.txt"),
        include_str!("data/mined/es.txt"),
    ),
    (
        "it",
        include_str!("data/it.txt"),
        include_str!("data/mined/it.txt"),
    ),
    (
        "pt",
        include_str!("data/pt.txt"),
        include_str!("data/mined/pt.txt"),
    ),
    (
        "nl",
        include_str!("data/nl.txt"),
        include_str!("data/mined/nl.txt"),
    ),
    (
        "da",
        include_str!("data/da.txt"),
        include_str!("data/mined/da.txt"),
    ),
    (
        "sv",
        include_str!("data/sv.txt"),
        include_str!("data/mined/sv.txt"),
    ),
    (
        "nb",
        include_str!("data/nb.txt"),
        include_str!("data/mined/nb.txt"),
    ),
    (
        "pl",
        include_str!("data/pl.txt"),
        include_str!("data/mined/pl.txt"),
    ),
    (
        "cs",
        include_str!("data/cs.txt"),
        include_str!("data/mined/cs.txt"),
    ),
    (
        "sk",
        include_str!("data/sk.txt"),
        include_str!("data/mined/sk.txt"),
    ),
    (
        "ru",
        include_str!("data/ru.txt"),
        include_str!("data/mined/ru.txt"),
    ),
    (
        "uk",
        include_str!("data/uk.txt"),
        include_str!("data/mined/uk.txt"),
    ),
    (
        "bg",
        include_str!("data/bg.txt"),
        include_str!("data/mined/bg.txt"),
    ),
    (
        "el",
        include_str!("data/el.txt"),
        include_str!("data/mined/el.txt"),
    ),
    (
        "tr",
        include_str!("data/tr.txt"),
        include_str!("data/mined/tr.txt"),
    ),
    (
        "ar",
        include_str!("data/ar.txt"),
        include_str!("data/mined/ar.txt"),
    ),
    (
        "fa",
        include_str!("data/fa.txt"),
        include_str!("data/mined/fa.txt"),
    ),
    (
        "ur",
        include_str!("data/ur.txt"),
        include_str!("data/mined/ur.txt"),
    ),
    (
        "he",
        include_str!("data/he.txt"),
        include_str!("data/mined/he.txt"),
    ),
    (
        "hi",
        include_str!("data/hi.txt"),
        include_str!("data/mined/hi.txt"),
    ),
    (
        "mr",
        include_str!("data/mr.txt"),
        include_str!("data/mined/mr.txt"),
    ),
    (
        "hy",
        include_str!("data/hy.txt"),
        include_str!("data/mined/hy.txt"),
    ),
    (
        "ka",
        include_str!("data/ka.txt"),
        include_str!("data/mined/ka.txt"),
    ),
    (
        "am",
        include_str!("data/am.txt"),
        include_str!("data/mined/am.txt"),
    ),
    (
        "my",
        include_str!("data/my.txt"),
        include_str!("data/mined/my.txt"),
    ),
    (
        "kk",
        include_str!("data/kk.txt"),
        include_str!("data/mined/kk.txt"),
    ),
    (
        "zh",
        include_str!("data/zh.txt"),
        include_str!("data/mined/zh.txt"),
    ),
    (
        "ja",
        include_str!("data/ja.txt"),
        include_str!("data/mined/ja.txt"),
    ),
    (
        "ko",
        include_str!("data/ko.txt"),
        include_str!("data/mined/ko.txt"),
    ),
    (
        "fi",
        include_str!("data/fi.txt"),
        include_str!("data/mined/fi.txt"),
    ),
    (
        "id",
        include_str!("data/id.txt"),
        include_str!("data/mined/id.txt"),
    ),
    (
        "vi",
        include_str!("data/vi.txt"),
        include_str!("data/mined/vi.txt"),
    ),
    (
        "ca",
        include_str!("data/ca.txt"),
        include_str!("data/mined/ca.txt"),
    ),
    (
        "hu",
        include_str!("data/hu.txt"),
        include_str!("data/mined/hu.txt"),
    ),
];

/// The codes of the languages with their own rules, `und` (generic) first.
pub fn supported_languages() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().map(|(code, _, _)| *code)
}

/// Index into [`LANGUAGES`] of the rules for `tag` (0, the generic rules, when unknown).
fn language_index(tag: &LanguageTag) -> usize {
    let primary = tag.primary().to_ascii_lowercase();
    let code = match primary.as_str() {
        "no" | "nn" => "nb",
        "iw" => "he",
        "in" | "ms" => "id",
        "cmn" | "yue" | "wuu" => "zh",
        "pes" | "prs" => "fa",
        other => other,
    };
    LANGUAGES
        .iter()
        .position(|(c, _, _)| *c == code)
        .unwrap_or(0)
}

/// The shared, lazily parsed rules for `tag`.
pub(crate) fn rules_for(tag: &LanguageTag) -> Arc<LangRules> {
    static CACHE: OnceLock<Vec<OnceLock<Arc<LangRules>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| LANGUAGES.iter().map(|_| OnceLock::new()).collect());
    let index = language_index(tag);
    let (code, data, mined) = LANGUAGES[index];
    cache[index]
        .get_or_init(|| {
            // Built-in data is checked by the unit tests; a broken file degrades to no lists.
            Arc::new(
                LangRules::parse_parts(code, &[data, mined]).unwrap_or_else(|_| {
                    LangRules::parse(code, "").unwrap_or_else(|_| unreachable!("empty data parses"))
                }),
            )
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_parses() {
        for (code, data, mined) in LANGUAGES {
            let rules =
                LangRules::parse_parts(code, &[data, mined]).unwrap_or_else(|e| panic!("{e}"));
            if *code != "und" && !matches!(*code, "zh" | "ja" | "ko" | "my" | "am") {
                assert!(
                    !rules.abbrevs.is_empty() || !rules.titles.is_empty(),
                    "{code} has no abbreviations"
                );
            }
        }
    }

    /// The generated tables (`data/mined/`, from `data/gen_abbrevs.py`) as the
    /// generator writes them: its header, sorted lower-case entries per source,
    /// none already in the hand-written file; and the languages that have
    /// sources got entries. `cargo test --test test_segment mined_tables`
    /// re-runs the generator against them when its sources are installed.
    #[test]
    fn mined_tables_are_as_generated() {
        let mut counts = std::collections::HashMap::new();
        for (code, data, mined) in &LANGUAGES[1..] {
            let header = format!("# {code}: abbreviations generated by gen_abbrevs.py");
            assert!(
                mined.starts_with(&header),
                "data/mined/{code}.txt: {header:?} expected"
            );
            let hand = LangRules::parse(code, data).unwrap();
            let mut group: Vec<&str> = Vec::new();
            let mut n = 0;
            for line in mined.lines().chain(["# end"]) {
                if line.starts_with('#') {
                    let mut sorted = group.clone();
                    sorted.sort_unstable();
                    assert_eq!(group, sorted, "data/mined/{code}.txt: entries not sorted");
                    group.clear();
                    continue;
                }
                if line == "[abbrev]" {
                    continue;
                }
                for entry in line.split_whitespace() {
                    assert_eq!(entry, entry.to_lowercase(), "{code}: {entry}");
                    for set in [
                        &hand.titles,
                        &hand.abbrevs,
                        &hand.final_abbrevs,
                        &hand.number_abbrevs,
                        &hand.after_number,
                    ] {
                        assert!(!set.contains(entry), "{code}: {entry} is hand-written too");
                    }
                    group.push(entry);
                    n += 1;
                }
            }
            counts.insert(*code, n);
        }
        for code in ["de", "nl", "da", "sv", "cs", "pl", "pt", "it", "es", "en"] {
            assert!(counts[code] >= 10, "{code}: {} mined entries", counts[code]);
        }
    }

    #[test]
    fn maps_aliases_and_unknown_languages() {
        let tag = |s| LanguageTag::parse(s).unwrap();
        assert_eq!(rules_for(&tag("no")).code, "nb");
        assert_eq!(rules_for(&tag("en-GB")).code, "en");
        assert_eq!(rules_for(&tag("zh-Hant-TW")).code, "zh");
        assert_eq!(rules_for(&tag("xx")).code, "und");
        assert_eq!(rules_for(&tag("ms")).code, "id");
        assert_eq!(rules_for(&tag("fi-FI")).code, "fi");
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
