//! BCP-47 language tags and language detection.
//!
//! Users type tags every which way (`en-US`, `en_us`, `EN`, `pt_BR`, `zh-hant-tw`);
//! [`LanguageTag`] accepts them all and prints the canonical form (`en-US`,
//! `pt-BR`, `zh-Hant-TW`). [`detect_language`] serves `--lang auto`.

use std::fmt;
use std::str::FromStr;

use super::script::{Script, script_of};

/// A parsed, case-normalized BCP-47 language tag.
///
/// ```
/// use tmkit::text::LanguageTag;
/// let tag: LanguageTag = "pt_br".parse().unwrap();
/// assert_eq!(tag.to_string(), "pt-BR");
/// assert_eq!(tag.primary(), "pt");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageTag {
    language: String,
    script: Option<String>,
    region: Option<String>,
    /// Variants, extensions and private-use subtags, lowercased, in order.
    rest: Vec<String>,
}

/// Why a string is not a language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid language tag {input:?}: {reason}")]
pub struct LanguageTagError {
    /// The string given.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl LanguageTag {
    /// Parses a tag, accepting `_` as a separator and any letter case.
    pub fn parse(input: &str) -> Result<Self, LanguageTagError> {
        let err = |reason: &str| LanguageTagError {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(err("empty"));
        }
        let mut parts = trimmed.split(['-', '_']);
        let first = parts.next().unwrap_or_default();
        if first.len() >= 4 {
            // No registered language subtag has 4 to 8 letters: a name such as `english`.
            return Err(err(&language_name_hint(first)));
        }
        let is_private = first.eq_ignore_ascii_case("x") || first.eq_ignore_ascii_case("i");
        if !(is_private || (2..=8).contains(&first.len()) && first != "*all*")
            || !first.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return Err(err("the language subtag must be 2 to 8 letters"));
        }
        let mut tag = LanguageTag {
            language: first.to_ascii_lowercase(),
            script: None,
            region: None,
            rest: Vec::new(),
        };
        let mut in_extension = is_private;
        for part in parts {
            if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(err(
                    "subtags are 1 to 8 letters or digits, separated by '-' or '_'",
                ));
            }
            if in_extension || part.len() == 1 {
                in_extension = true;
                tag.rest.push(part.to_ascii_lowercase());
            } else if tag.script.is_none()
                && tag.region.is_none()
                && tag.rest.is_empty()
                && part.len() == 4
                && part.bytes().all(|b| b.is_ascii_alphabetic())
            {
                let mut s = part.to_ascii_lowercase();
                s[..1].make_ascii_uppercase();
                tag.script = Some(s);
            } else if tag.region.is_none()
                && tag.rest.is_empty()
                && ((part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic()))
                    || (part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit())))
            {
                tag.region = Some(part.to_ascii_uppercase());
            } else {
                tag.rest.push(part.to_ascii_lowercase());
            }
        }
        Ok(tag)
    }

    /// The primary language subtag, lowercase (`en` for `en-US`).
    pub fn primary(&self) -> &str {
        &self.language
    }

    /// The script subtag in title case (`Hant`), if any.
    pub fn script(&self) -> Option<&str> {
        self.script.as_deref()
    }

    /// The region subtag in upper case (`US`, `419`), if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// A tag of the primary language alone (`en` for `en-US`).
    pub fn primary_tag(&self) -> LanguageTag {
        LanguageTag {
            language: self.language.clone(),
            script: None,
            region: None,
            rest: Vec::new(),
        }
    }

    /// True when `self` and `other` are the same tag, ignoring case and separators.
    pub fn same_as(&self, other: &LanguageTag) -> bool {
        self == other
    }

    /// How well a candidate tag (a TM variant's language) serves this requested
    /// tag, as [`LanguageTag::resolve`] says, as a number: `Some(2)` exact,
    /// `Some(1)` bare language, `Some(0)` another region, `None` never.
    pub fn match_quality(&self, candidate: &LanguageTag) -> Option<u8> {
        self.resolve(candidate).map(|m| m as u8)
    }

    /// The one rule every command uses to decide whether a variant in
    /// `candidate`'s language serves this requested language:
    ///
    /// 1. the same tag (an implied script counts: `zh-TW` is `zh-Hant-TW`): [`LangMatch::Exact`];
    /// 2. the same language where one side names no region (`en-GB` asked,
    ///    `en` present, or the reverse): [`LangMatch::Bare`];
    /// 3. the same language in another region (`en-US` for `en-GB`,
    ///    `pt-BR` for `pt-PT`): [`LangMatch::OtherRegion`], which callers use
    ///    only when nothing better exists, and say so;
    /// 4. never another language, nor another script: `zh-TW`, `zh-HK`,
    ///    `zh-Hant` are not served by `zh-CN`, `zh-SG`, `zh-Hans`; `sr-Latn`
    ///    not by `sr-Cyrl`.
    ///
    /// ```
    /// use tmkit::text::{LanguageTag, LangMatch};
    /// let t = |s: &str| LanguageTag::parse(s).unwrap();
    /// assert_eq!(t("en-GB").resolve(&t("en")), Some(LangMatch::Bare));
    /// assert_eq!(t("pt-PT").resolve(&t("pt-BR")), Some(LangMatch::OtherRegion));
    /// assert_eq!(t("zh-TW").resolve(&t("zh-Hant-TW")), Some(LangMatch::Exact));
    /// assert_eq!(t("zh-TW").resolve(&t("zh-HK")), Some(LangMatch::OtherRegion));
    /// assert_eq!(t("zh-TW").resolve(&t("zh-CN")), None);
    /// assert_eq!(t("sr-Latn").resolve(&t("sr-Cyrl-RS")), None);
    /// ```
    pub fn resolve(&self, candidate: &LanguageTag) -> Option<LangMatch> {
        if self.language != candidate.language {
            return None;
        }
        let (a, b) = (self.implied_script(), candidate.implied_script());
        if a.is_some() && b.is_some() && a != b {
            return None;
        }
        if self.region == candidate.region && self.rest == candidate.rest {
            // Equal but for a script that one side names and the other implies or omits.
            return Some(if a == b {
                LangMatch::Exact
            } else {
                LangMatch::Bare
            });
        }
        if self.region.is_none() || candidate.region.is_none() {
            Some(LangMatch::Bare)
        } else {
            Some(LangMatch::OtherRegion)
        }
    }

    /// The script subtag, or the one the region implies for a language
    /// written in two scripts (`zh-TW` → `Hant`, `zh-CN` → `Hans`).
    pub fn implied_script(&self) -> Option<&str> {
        if let Some(script) = &self.script {
            return Some(script);
        }
        match (self.language.as_str(), self.region.as_deref()?) {
            ("zh", "TW" | "HK" | "MO") => Some("Hant"),
            ("zh", "CN" | "SG" | "MY") => Some("Hans"),
            _ => None,
        }
    }
}

/// How a variant's language serves a requested one ([`LanguageTag::resolve`]),
/// worst first, so the best of several is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LangMatch {
    /// The same language and script, another region: a fallback to announce.
    OtherRegion = 0,
    /// The same language where one side names no region.
    Bare = 1,
    /// The same tag.
    Exact = 2,
}

/// Checks the language pair of a job: two tags that resolve to each other
/// (`--src en --tgt en`, `en` and `en-US`) cannot be a translation direction.
/// Two regions of one language (`en-US` → `en-GB`) can.
pub fn check_pair(source: &LanguageTag, target: &LanguageTag) -> Result<(), LanguageTagError> {
    match source.resolve(target) {
        Some(LangMatch::Exact | LangMatch::Bare) => Err(LanguageTagError {
            input: format!("{source} → {target}"),
            reason: "the source and target languages are the same; give two languages \
                     (for example --src en --tgt fr), or two regions (en-US and en-GB)"
                .into(),
        }),
        _ => Ok(()),
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.language)?;
        for part in self
            .script
            .iter()
            .chain(self.region.iter())
            .chain(self.rest.iter())
        {
            write!(f, "-{part}")?;
        }
        Ok(())
    }
}

impl FromStr for LanguageTag {
    type Err = LanguageTagError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LanguageTag::parse(s)
    }
}

impl serde::Serialize for LanguageTag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The reason given for a language written as a name (`english`, `Deutsch`).
fn language_name_hint(name: &str) -> String {
    // Names whatlang spells otherwise (it says Mandarin, Persian).
    const ALIASES: &[(&str, &str)] = &[("chinese", "zh"), ("farsi", "fa"), ("cantonese", "yue")];
    let alias = ALIASES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, code)| *code);
    let code = alias.or_else(|| {
        whatlang::Lang::all().iter().find_map(|l| {
            (l.eng_name().eq_ignore_ascii_case(name)
                || l.name().to_lowercase() == name.to_lowercase())
            .then(|| iso639_1(l.code()).unwrap_or(l.code()))
        })
    });
    match code {
        Some("zh") => "a language name, not a BCP-47 tag: did you mean zh-Hans or zh-Hant?".into(),
        Some(code) => format!("a language name, not a BCP-47 tag: did you mean {code}?"),
        None => {
            "the language subtag must be 2 or 3 letters (a BCP-47 tag such as en, fr, pt-BR)".into()
        }
    }
}

/// `--lang` as users give it: a tag, or `auto` to detect the language of each text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LangChoice {
    /// Detect the language from the text.
    Auto,
    /// Use this language.
    Tag(LanguageTag),
}

impl FromStr for LangChoice {
    type Err = LanguageTagError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            Ok(LangChoice::Auto)
        } else {
            LanguageTag::parse(s).map(LangChoice::Tag)
        }
    }
}

impl LangChoice {
    /// The tag to use for `text`: the given one, or the detected one (`und` when
    /// nothing can be detected, which every capability treats as generic rules).
    pub fn resolve(&self, text: &str) -> LanguageTag {
        match self {
            LangChoice::Tag(t) => t.clone(),
            LangChoice::Auto => detect_language(text)
                .map(|d| d.tag)
                .unwrap_or_else(undetermined),
        }
    }
}

/// The `und` (undetermined) tag.
pub fn undetermined() -> LanguageTag {
    LanguageTag {
        language: "und".into(),
        script: None,
        region: None,
        rest: Vec::new(),
    }
}

/// A detected language with the detector's confidence in `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The language, as an ISO 639-1 tag where one exists.
    pub tag: LanguageTag,
    /// The detector's confidence, from 0 to 1.
    pub confidence: f64,
}

/// Detects the language of `text` (whatlang's trigram model, corrected by script:
/// kana means Japanese, Hangul Korean, Cyrillic with Kazakh's own letters
/// Kazakh (whatlang has no Kazakh model: enough of Ұ Қ Ғ Ә Ң Ө decide); when the
/// model is unsure of a Latin-script text, as it is of a sentence or two, the
/// language whose function words the text uses most). Looks at the first 4 KiB
/// at most.
///
/// ```
/// let d = tmkit::text::detect_language("Le gouvernement a annoncé mardi une nouvelle réforme des retraites.").unwrap();
/// assert_eq!(d.tag.primary(), "fr");
/// ```
pub fn detect_language(text: &str) -> Option<Detection> {
    let sample = prefix_chars(text, 4096);
    let mut kana = 0usize;
    let mut hangul = 0usize;
    let mut han = 0usize;
    for c in sample.chars() {
        match script_of(c) {
            Script::Hiragana | Script::Katakana => kana += 1,
            Script::Hangul => hangul += 1,
            Script::Han => han += 1,
            _ => {}
        }
    }
    if kana > 0 && kana * 20 >= han {
        return Some(Detection {
            tag: tag("ja"),
            confidence: 1.0,
        });
    }
    if hangul > han && hangul > 0 {
        return Some(Detection {
            tag: tag("ko"),
            confidence: 1.0,
        });
    }
    if kazakh_letters(sample) {
        return Some(Detection {
            tag: tag("kk"),
            confidence: 1.0,
        });
    }
    let info = whatlang::detect(sample)?;
    let code = iso639_1(info.lang().code()).unwrap_or_else(|| info.lang().code());
    if !info.is_reliable() && info.script() == whatlang::Script::Latin {
        // Trigrams say little about a sentence or two ("Tom is a teacher."
        // came out Afrikaans or Catalan): the function words decide then.
        if let Some(voted) = stopword_vote(sample, code) {
            return Some(Detection {
                tag: tag(voted),
                confidence: info.confidence(),
            });
        }
    }
    Some(Detection {
        tag: tag(code),
        confidence: info.confidence(),
    })
}

/// True for Cyrillic text written with Kazakh's own letters.
///
/// Ұ is Kazakh's alone; Қ, Ғ, Ә, Ң and Ө are shared with a few other Turkic
/// languages, each of which also has a letter Kazakh lacks (Bashkir Ҡ Ҙ Ҫ,
/// Tatar Җ, Uzbek Ў Ҳ, Tajik Ҷ Ӣ Ӯ), or, for Kyrgyz and Mongolian, has Ң and Ө
/// but none of Ұ Қ Ғ Ә. Ү, Һ and І prove nothing (Kyrgyz, Bashkir, Tatar,
/// Ukrainian and Belarusian і), nor do Ukrainian's Ї Є Ґ count for Kazakh.
/// So: the Kazakh letters make at least 1% of the Cyrillic letters (two at
/// least, or one in a text of 60 letters or fewer), one of them is Ұ, Қ, Ғ
/// or Ә, and they outnumber the other languages' own letters four to one
/// (a name quoted from a neighbour's language does not undo a Kazakh text).
fn kazakh_letters(text: &str) -> bool {
    let (mut cyrillic, mut kazakh, mut distinct, mut other) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars() {
        if !c.is_alphabetic() || script_of(c) != Script::Cyrillic {
            continue;
        }
        cyrillic += 1;
        match c {
            'Ұ' | 'ұ' | 'Қ' | 'қ' | 'Ғ' | 'ғ' | 'Ә' | 'ә' => {
                kazakh += 1;
                distinct += 1;
            }
            'Ң' | 'ң' | 'Ө' | 'ө' => kazakh += 1,
            'Ҡ' | 'ҡ' | 'Ҙ' | 'ҙ' | 'Ҫ' | 'ҫ' | 'Җ' | 'җ' | 'Ў' | 'ў' | 'Ҳ' | 'ҳ' | 'Ҷ' | 'ҷ'
            | 'Ӣ' | 'ӣ' | 'Ӯ' | 'ӯ' | 'Ї' | 'ї' | 'Є' | 'є' | 'Ґ' | 'ґ' => other += 1,
            _ => {}
        }
    }
    let enough = if cyrillic <= 60 {
        kazakh >= 1
    } else {
        kazakh >= 2
    };
    enough && distinct > 0 && kazakh * 100 >= cyrillic && kazakh > 4 * other
}

/// Latin-script languages with a curated function-word list (NLTK's, via
/// the `stop-words` crate): the candidates of [`stopword_vote`].
const VOTING_LANGUAGES: &[&str] = &[
    "az", "ca", "da", "de", "en", "es", "eu", "fi", "fr", "hu", "id", "it", "nb", "nl", "pt", "ro",
    "sl", "sq", "sv", "tr", "uz",
];

/// The function-word list (NLTK's, via the `stop-words` crate) of the
/// primary language subtag `code`, its words all lower case. Norwegian
/// Bokmål and Nynorsk (`nb`, `nn`) read the `no` list, which holds both.
pub(crate) fn function_words(code: &str) -> Option<&'static [&'static str]> {
    stop_words::lookup(match code {
        "nb" | "nn" => "no",
        other => other,
    })
}

/// The language `text` is in, by its function words, when it uses those of
/// one language more than those of whatlang's unreliable guess `detected`
/// (which may have no list), with at least two words. When several
/// languages tie for the most, the trigram model decides among them alone.
fn stopword_vote(text: &str, detected: &str) -> Option<&'static str> {
    type Lists = Vec<(&'static str, std::collections::HashSet<&'static str>)>;
    static LISTS: std::sync::OnceLock<Lists> = std::sync::OnceLock::new();
    let lists = LISTS.get_or_init(|| {
        VOTING_LANGUAGES
            .iter()
            .filter_map(|&code| Some((code, function_words(code)?.iter().copied().collect())))
            .collect()
    });
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let hits = |list: &std::collections::HashSet<&str>| {
        words.iter().filter(|w| list.contains(w.as_str())).count()
    };
    let counts: Vec<(&'static str, usize)> = lists
        .iter()
        .map(|(code, list)| (*code, hits(list)))
        .collect();
    let top = counts.iter().map(|&(_, n)| n).max()?;
    if top < 2 {
        return None;
    }
    // Danish and Norwegian share nearly all their function words (the
    // Norwegian list is the longer): for either, the count of both stands
    // for it, so only the trigrams tell the two apart.
    let kin = |c: &str| matches!(c, "da" | "nb" | "nn" | "no");
    let detected_hits = if kin(detected) {
        counts
            .iter()
            .filter(|(code, _)| kin(code))
            .map(|&(_, n)| n)
            .max()
            .unwrap_or(0)
    } else if let Some(&(_, n)) = counts.iter().find(|(code, _)| *code == detected) {
        n
    } else {
        // A guess outside the voting languages: its own list, read once.
        let list = function_words(detected).unwrap_or_default();
        words.iter().filter(|w| list.contains(&w.as_str())).count()
    };
    if detected_hits >= top {
        return None;
    }
    let close: Vec<&'static str> = counts
        .iter()
        .filter(|&&(_, n)| n == top)
        .map(|&(code, _)| code)
        .collect();
    if let [only] = close[..] {
        return Some(only);
    }
    let allowed: Vec<whatlang::Lang> = whatlang::Lang::all()
        .iter()
        .copied()
        .filter(|l| close.contains(&iso639_1(l.code()).unwrap_or_else(|| l.code())))
        .collect();
    let chosen = whatlang::Detector::with_allowlist(allowed).detect_lang(text)?;
    let code = iso639_1(chosen.code()).unwrap_or_else(|| chosen.code());
    close.into_iter().find(|&c| c == code)
}

fn tag(code: &str) -> LanguageTag {
    LanguageTag {
        language: code.to_string(),
        script: None,
        region: None,
        rest: Vec::new(),
    }
}

fn prefix_chars(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// ISO 639-3 codes whatlang reports, mapped to ISO 639-1 where a two-letter code exists.
fn iso639_1(code3: &str) -> Option<&'static str> {
    const MAP: &[(&str, &str)] = &[
        ("afr", "af"),
        ("aka", "ak"),
        ("amh", "am"),
        ("ara", "ar"),
        ("aze", "az"),
        ("bel", "be"),
        ("ben", "bn"),
        ("bul", "bg"),
        ("cat", "ca"),
        ("ces", "cs"),
        ("cmn", "zh"),
        ("dan", "da"),
        ("deu", "de"),
        ("ell", "el"),
        ("eng", "en"),
        ("epo", "eo"),
        ("est", "et"),
        ("fin", "fi"),
        ("fra", "fr"),
        ("guj", "gu"),
        ("heb", "he"),
        ("hin", "hi"),
        ("hrv", "hr"),
        ("hun", "hu"),
        ("hye", "hy"),
        ("ind", "id"),
        ("ita", "it"),
        ("jav", "jv"),
        ("jpn", "ja"),
        ("kan", "kn"),
        ("kat", "ka"),
        ("khm", "km"),
        ("kor", "ko"),
        ("lat", "la"),
        ("lav", "lv"),
        ("lit", "lt"),
        ("mal", "ml"),
        ("mar", "mr"),
        ("mkd", "mk"),
        ("mya", "my"),
        ("nep", "ne"),
        ("nld", "nl"),
        ("nob", "nb"),
        ("ori", "or"),
        ("pan", "pa"),
        ("pes", "fa"),
        ("pol", "pl"),
        ("por", "pt"),
        ("ron", "ro"),
        ("rus", "ru"),
        ("sin", "si"),
        ("slk", "sk"),
        ("slv", "sl"),
        ("sna", "sn"),
        ("spa", "es"),
        ("srp", "sr"),
        ("swe", "sv"),
        ("tam", "ta"),
        ("tel", "te"),
        ("tgl", "tl"),
        ("tha", "th"),
        ("tuk", "tk"),
        ("tur", "tr"),
        ("ukr", "uk"),
        ("urd", "ur"),
        ("uzb", "uz"),
        ("vie", "vi"),
        ("yid", "yi"),
        ("zul", "zu"),
        ("kaz", "kk"),
        ("sqi", "sq"),
        ("bos", "bs"),
        ("cym", "cy"),
        ("gle", "ga"),
        ("isl", "is"),
        ("lao", "lo"),
        ("mlt", "mt"),
        ("som", "so"),
        ("swa", "sw"),
        ("tgk", "tg"),
        ("kir", "ky"),
        ("mon", "mn"),
        ("pus", "ps"),
        ("kur", "ku"),
    ];
    MAP.iter()
        .find(|(three, _)| *three == code3)
        .map(|(_, two)| *two)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_written_standards_share_one_function_word_list() {
        let no = function_words("no").expect("a Norwegian list");
        assert_eq!(function_words("nb"), Some(no));
        assert_eq!(function_words("nn"), Some(no));
        assert!(function_words("x-none").is_none());
    }

    #[test]
    fn parses_and_normalizes_case_and_separators() {
        for (input, canonical) in [
            ("en-US", "en-US"),
            ("en_us", "en-US"),
            ("EN", "en"),
            ("pt_BR", "pt-BR"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("sl-rozaj-biske", "sl-rozaj-biske"),
            ("x-klingon", "x-klingon"),
            ("de-CH-x-phonebk", "de-CH-x-phonebk"),
        ] {
            assert_eq!(
                LanguageTag::parse(input).unwrap().to_string(),
                canonical,
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "e", "englishlanguage", "en--US", "en-US!", "12"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn primary_and_fallback_quality() {
        let us: LanguageTag = "en-US".parse().unwrap();
        let en: LanguageTag = "en".parse().unwrap();
        let gb: LanguageTag = "en-GB".parse().unwrap();
        let fr: LanguageTag = "fr".parse().unwrap();
        assert_eq!(us.primary(), "en");
        assert_eq!(us.match_quality(&"EN_us".parse().unwrap()), Some(2));
        assert_eq!(us.match_quality(&en), Some(1));
        assert_eq!(en.match_quality(&us), Some(1));
        assert_eq!(us.match_quality(&gb), Some(0));
        assert_eq!(us.match_quality(&fr), None);
    }

    #[test]
    fn one_resolver_exact_then_bare_then_region_never_script() {
        use LangMatch::*;
        let t = |s: &str| LanguageTag::parse(s).unwrap();
        for (asked, present, want) in [
            ("en-GB", "en-GB", Some(Exact)),
            ("en-GB", "en", Some(Bare)),
            ("en", "en-US", Some(Bare)),
            ("en-GB", "en-US", Some(OtherRegion)),
            ("pt-PT", "pt-BR", Some(OtherRegion)),
            ("pt-PT", "es-ES", None),
            ("zh-TW", "zh-Hant-TW", Some(Exact)),
            ("zh-TW", "zh-Hant", Some(Bare)),
            ("zh-TW", "zh-HK", Some(OtherRegion)),
            ("zh-TW", "zh", Some(Bare)),
            ("zh-TW", "zh-CN", None),
            ("zh-HK", "zh-Hans", None),
            ("zh-Hant", "zh-SG", None),
            ("zh-CN", "zh-SG", Some(OtherRegion)),
            ("sr-Latn", "sr-Cyrl", None),
            ("sr-Latn-RS", "sr-Cyrl-RS", None),
            ("sr-Latn", "sr-RS", Some(Bare)),
        ] {
            assert_eq!(t(asked).resolve(&t(present)), want, "{asked} ← {present}");
        }
        assert!(Exact > Bare && Bare > OtherRegion);
    }

    #[test]
    fn language_names_and_identical_pairs_are_refused_with_a_hint() {
        let err = LanguageTag::parse("english").unwrap_err().to_string();
        assert!(err.contains("did you mean en?"), "{err}");
        let err = LanguageTag::parse("Deutsch").unwrap_err().to_string();
        assert!(err.contains("did you mean de?"), "{err}");
        let err = LanguageTag::parse("chinese").unwrap_err().to_string();
        assert!(err.contains("zh-Hans or zh-Hant"), "{err}");
        assert!(LanguageTag::parse("engl").is_err());
        let t = |s: &str| LanguageTag::parse(s).unwrap();
        assert!(check_pair(&t("en"), &t("en")).is_err());
        assert!(check_pair(&t("en"), &t("en-US")).is_err());
        assert!(check_pair(&t("en-US"), &t("en-GB")).is_ok());
        assert!(check_pair(&t("zh-CN"), &t("zh-TW")).is_ok());
        assert!(check_pair(&t("en"), &t("fr")).is_ok());
    }

    #[test]
    fn lang_choice_accepts_auto() {
        assert_eq!("AUTO".parse::<LangChoice>().unwrap(), LangChoice::Auto);
        assert!(
            matches!("de_at".parse::<LangChoice>().unwrap(), LangChoice::Tag(t) if t.to_string() == "de-AT")
        );
    }

    #[test]
    fn detects_common_languages() {
        let cases = [
            (
                "The government announced on Tuesday that the new budget would cut taxes for families.",
                "en",
            ),
            (
                "Die Regierung hat am Dienstag angekündigt, dass der neue Haushalt die Steuern senken wird.",
                "de",
            ),
            (
                "Правительство во вторник объявило, что новый бюджет снизит налоги для семей.",
                "ru",
            ),
            (
                "أعلنت الحكومة يوم الثلاثاء أن الميزانية الجديدة ستخفض الضرائب على الأسر.",
                "ar",
            ),
            (
                "政府は火曜日、新しい予算で家族の税金を下げると発表した。",
                "ja",
            ),
            ("政府周二宣布，新预算将为家庭减税。", "zh"),
            (
                "정부는 화요일 새 예산이 가족의 세금을 줄일 것이라고 발표했다.",
                "ko",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(detect_language(text).unwrap().tag.primary(), want, "{text}");
        }
        assert!(detect_language("").is_none());
    }

    /// A sentence or two: the trigram model alone guessed Catalan, Danish
    /// and Uzbek for these; their function words give the language, and
    /// Danish is not taken for Norwegian, whose list holds its words.
    #[test]
    fn short_texts_are_detected_by_their_function_words() {
        let cases = [
            ("Tom is a teacher. He likes cats.", "en"),
            ("Is it far from here?", "en"),
            ("Hun har glemt sin paraply i toget.", "da"),
            ("Vi ved ikke, hvorfor han gik.", "da"),
            ("Nous ne savons pas pourquoi il est parti.", "fr"),
            ("Nie wiem, dlaczego on wyszedł.", "pl"),
        ];
        for (text, want) in cases {
            assert_eq!(detect_language(text).unwrap().tag.primary(), want, "{text}");
        }
    }

    #[test]
    fn kazakh_is_told_by_its_letters() {
        let lang = |t: &str| detect_language(t).unwrap().tag.primary().to_string();
        // Lower and upper case, short and long.
        assert_eq!(lang("Ауданда 5 млн тг. бөлінді. Жұмыс басталды."), "kk");
        assert_eq!(lang("Жұмыс басталды."), "kk");
        assert_eq!(lang("ҚАЛА ӘКІМДІГІ ЖАҢА ЖОБАНЫ ҰСЫНДЫ"), "kk");
        assert_eq!(
            lang(
                "Соңғы екі жыл ішінде профессор Ахметов ауыл шаруашылығы саласында зерттеу жүргізді."
            ),
            "kk"
        );
        // A Kazakh place name in a Russian sentence is not Kazakh text.
        assert_eq!(
            lang(
                "Президент посетил город Қызылорда в понедельник утром и встретился с фермерами региона."
            ),
            "ru"
        );
        // Ү, Һ and І alone prove nothing; Ң and Ө alone are Kyrgyz's too.
        assert_ne!(lang("Біз үйге барамыз"), "kk");
        assert!(!kazakh_letters(
            "Бүгүн күн ысык болот, балдар көлгө барышты, эң жакшы күн."
        ));
        // Bashkir, Tatar, Uzbek and Tajik have letters Kazakh lacks.
        assert!(!kazakh_letters(
            "Башҡортостан Республикаһы ҙур ҡала, унда күп кеше йәшәй."
        ));
        assert!(!kazakh_letters(
            "Тоҷикистон ҷумҳурии соҳибистиқлол, пойтахташ Душанбе аст."
        ));
        assert!(!kazakh_letters(
            "Ўзбекистон Республикаси Ҳукумати қарор қабул қилди."
        ));
        // Ukrainian and Belarusian і stay theirs.
        assert_eq!(
            lang("Україна є незалежною державою, і її столиця Київ."),
            "uk"
        );
        assert_eq!(
            lang("Беларусь — незалежная дзяржава, і яе сталіца Мінск."),
            "be"
        );
    }
}
