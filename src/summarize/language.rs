//! Per-language resources for ranking: stopwords (the `stop-words` crate's
//! ISO lists), a Snowball stemmer where one exists (`rust-stemmers`), and the
//! tokenizer that turns a sentence into ranking terms.
//!
//! Terms are case-folded, NFKC-normalized words minus stopwords, stemmed when
//! the language has a stemmer. Scripts written without spaces (Chinese,
//! Japanese, Thai, ...) have no word boundaries to trust, so their terms are
//! overlapping character bigrams, the usual unit for retrieval in those scripts.
//! Every language works: one without a stopword list or stemmer simply ranks on
//! surface forms.

use std::borrow::Cow;

use ahash::AHashSet;
use rust_stemmers::{Algorithm, Stemmer};

use crate::text::{LanguageTag, comparison_key, is_spaceless_char, word_spans};

/// Words stemmed per thread and language before the cache starts over.
const STEM_CACHE_LIMIT: usize = 200_000;

/// Stems by word, by primary language subtag.
type StemCache = ahash::AHashMap<String, ahash::AHashMap<Box<str>, Box<str>>>;

thread_local! {
    static STEM_CACHE: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache::new());
}

/// What the ranker knows about one language.
pub struct LanguageProfile {
    primary: String,
    stopwords: AHashSet<String>,
    stemmer: Option<Stemmer>,
}

impl std::fmt::Debug for LanguageProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LanguageProfile")
            .field("primary", &self.primary)
            .field("stopwords", &self.stopwords.len())
            .field("stemmer", &self.stemmer.is_some())
            .finish()
    }
}

/// The Snowball algorithm for a primary language subtag, if rust-stemmers has one.
fn snowball(primary: &str) -> Option<Algorithm> {
    Some(match primary {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

impl LanguageProfile {
    /// The profile for `lang` (by its primary subtag). Unknown languages get
    /// an empty stopword list and no stemmer.
    ///
    /// ```
    /// use tmkit::summarize::language::LanguageProfile;
    /// let fr = LanguageProfile::new(&"fr-CA".parse().unwrap());
    /// assert!(fr.is_stopword("les"));
    /// assert!(fr.has_stemmer());
    /// let und = LanguageProfile::new(&"x-klingon".parse().unwrap());
    /// assert!(!und.is_stopword("the"));
    /// ```
    pub fn new(lang: &LanguageTag) -> Self {
        let primary = lang.primary().to_string();
        let stopwords = crate::text::lang::function_words(&primary)
            .unwrap_or_default()
            .iter()
            .map(|w| comparison_key(w).into_owned())
            .collect();
        let stemmer = snowball(&primary).map(Stemmer::create);
        LanguageProfile {
            primary,
            stopwords,
            stemmer,
        }
    }

    /// The primary language subtag this profile serves.
    pub fn primary(&self) -> &str {
        &self.primary
    }

    /// True when `folded` (a case-folded word) is a stopword.
    pub fn is_stopword(&self, folded: &str) -> bool {
        self.stopwords.contains(folded)
    }

    /// True when the language has a Snowball stemmer.
    pub fn has_stemmer(&self) -> bool {
        self.stemmer.is_some()
    }

    /// Calls `f` with each ranking term of `text`, in order. `scratch` is a
    /// buffer reused between calls to avoid allocating per word.
    ///
    /// ```
    /// use tmkit::summarize::language::LanguageProfile;
    /// let en = LanguageProfile::new(&"en".parse().unwrap());
    /// let mut terms = Vec::new();
    /// en.for_each_term("The Ministers were meeting in Paris.", &mut String::new(), |t| terms.push(t.to_string()));
    /// assert_eq!(terms, ["minist", "meet", "pari"]);
    /// let zh = LanguageProfile::new(&"zh".parse().unwrap());
    /// let mut terms = Vec::new();
    /// zh.for_each_term("政府宣布", &mut String::new(), |t| terms.push(t.to_string()));
    /// assert_eq!(terms, ["政府", "府宣", "宣布"]);
    /// ```
    pub fn for_each_term(&self, text: &str, scratch: &mut String, mut f: impl FnMut(&str)) {
        self.for_each_key(text, scratch, |key, stemmable| {
            if stemmable {
                f(&self.stem(key));
            } else {
                f(key);
            }
        });
    }

    /// The stem of a case-folded word (the word itself without a stemmer).
    pub fn stem<'a>(&self, folded: &'a str) -> Cow<'a, str> {
        match &self.stemmer {
            Some(st) => st.stem(folded),
            None => Cow::Borrowed(folded),
        }
    }

    /// Calls `f` with the stem of a case-folded word, from a per-thread
    /// cache: news vocabulary repeats from article to article, and Snowball
    /// stemming is the costliest step of tokenizing.
    pub fn with_stem<R>(&self, folded: &str, f: impl FnOnce(&str) -> R) -> R {
        if self.stemmer.is_none() {
            return f(folded);
        }
        STEM_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let per_language = match cache.get_mut(self.primary.as_str()) {
                Some(map) => map,
                None => cache.entry(self.primary.clone()).or_default(),
            };
            if let Some(stem) = per_language.get(folded) {
                return f(stem);
            }
            // Bounded: a long run over many languages must not grow without end.
            if per_language.len() >= STEM_CACHE_LIMIT {
                per_language.clear();
            }
            let stem: Box<str> = self.stem(folded).into();
            let out = f(&stem);
            per_language.insert(folded.into(), stem);
            out
        })
    }

    /// Like [`LanguageProfile::for_each_term`] but before stemming, so a
    /// caller can cache stems: `f` gets each case-folded content word (with
    /// `true`: stem it) or character bigram (with `false`).
    pub fn for_each_key(&self, text: &str, scratch: &mut String, mut f: impl FnMut(&str, bool)) {
        // The previous spaceless character and where it ended, to pair adjacent ones.
        let mut prev_spaceless: Option<(usize, &str)> = None;
        let mut run_len = 0usize;
        for (start, word) in word_spans(text) {
            let mut chars = word.chars();
            let first = chars.next();
            let single_spaceless = chars.next().is_none() && first.is_some_and(is_spaceless_char);
            if single_spaceless {
                match prev_spaceless {
                    Some((end, prev)) if end == start => {
                        scratch.clear();
                        scratch.push_str(prev);
                        scratch.push_str(word);
                        f(&fold(scratch), false);
                        run_len += 1;
                    }
                    _ => {
                        flush_lone(prev_spaceless, run_len, &mut f);
                        run_len = 1;
                    }
                }
                prev_spaceless = Some((start + word.len(), word));
                continue;
            }
            flush_lone(prev_spaceless.take(), run_len, &mut f);
            run_len = 0;
            let key = fold(word);
            let mut key_chars = key.chars();
            let single_letter =
                key_chars.next().is_some_and(char::is_alphabetic) && key_chars.next().is_none();
            if single_letter || self.is_stopword(&key) {
                continue;
            }
            f(&key, true);
        }
        flush_lone(prev_spaceless, run_len, &mut f);
    }
}

impl LanguageProfile {
    /// Calls `f` with each token ROUGE compares: every word case-folded and
    /// stemmed (stopwords kept), one token per character in spaceless scripts.
    pub fn for_each_rouge_token(&self, text: &str, mut f: impl FnMut(&str)) {
        for (_, word) in word_spans(text) {
            let key = fold(word);
            match &self.stemmer {
                Some(st) => f(&st.stem(&key)),
                None => f(&key),
            }
        }
    }
}

/// A spaceless character with no neighbour is a term on its own.
fn flush_lone(prev: Option<(usize, &str)>, run_len: usize, f: &mut impl FnMut(&str, bool)) {
    if let (Some((_, c)), 1) = (prev, run_len) {
        f(&fold(c), false);
    }
}

/// Case-folds a word, without allocating for lowercase ASCII.
fn fold(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        Cow::Borrowed(word)
    } else if word.is_ascii() {
        Cow::Owned(word.to_ascii_lowercase())
    } else {
        comparison_key(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(lang: &str, text: &str) -> Vec<String> {
        let p = LanguageProfile::new(&lang.parse().unwrap());
        let mut out = Vec::new();
        p.for_each_term(text, &mut String::new(), |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn stopwords_and_stems_per_language() {
        assert_eq!(
            terms("fr", "Les gouvernements ont annoncé des réformes."),
            ["gouvern", "annonc", "réform"]
        );
        assert_eq!(
            terms("de", "Die Regierung hat die Steuern gesenkt."),
            ["regier", "steu", "gesenkt"]
        );
    }

    #[test]
    fn spaceless_scripts_give_bigrams_and_lone_characters() {
        assert_eq!(terms("ja", "東京に行く"), ["東京", "京に", "に行", "行く"]);
        assert_eq!(terms("zh", "中 国"), ["中", "国"]);
        let thai = terms("th", "สวัสดี abc");
        let spans = word_spans("สวัสดี").count();
        assert_eq!(thai.len(), spans - 1 + 1, "{thai:?}");
        assert_eq!(thai.last().map(String::as_str), Some("abc"));
    }

    #[test]
    fn right_to_left_words_survive() {
        let t = terms("he", "הממשלה הודיעה על רפורמה");
        assert!(t.iter().any(|w| w == "רפורמה"), "{t:?}");
        let a = terms("ar", "أعلنت الحكومة عن إصلاح جديد");
        assert!(a.len() >= 3, "{a:?}");
    }

    #[test]
    fn cached_stems_match_the_stemmer() {
        let en = LanguageProfile::new(&"en".parse().unwrap());
        for word in ["running", "ministers", "running", "x"] {
            let cached = en.with_stem(word, str::to_string);
            assert_eq!(cached, en.stem(word));
        }
        let fr = LanguageProfile::new(&"fr".parse().unwrap());
        assert_eq!(fr.with_stem("running", str::to_string), fr.stem("running"));
    }

    #[test]
    fn unknown_language_keeps_every_word() {
        assert_eq!(terms("und", "The cat"), ["the", "cat"]);
    }
}
