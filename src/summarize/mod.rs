//! Extractive digests: an article's eligible lead, near-duplicates vetoed.
//!
//! This module owns everything between an article file and its digest:
//!
//! - [`input`]: plain text, Markdown and HTML become a [`Document`] (title + text);
//! - [`language`]: stopwords, stemmers and ranking terms per language
//!   (character bigrams for scripts written without spaces);
//! - [`rank`]: the digest's components (term bags, term-set Jaccard, the
//!   filter for fragments, bylines and datelines, the selection of the
//!   eligible lead);
//! - [`experiment`]: the evaluation/experiment API, not the default path: the
//!   learned ranker ([`Summarizer::rank`], its features, weights and
//!   centrality components) that `examples/summarize_eval.rs` and
//!   `scripts/summarize_train.py` test against the lead;
//! - [`digest`]: the Markdown digest of many articles;
//! - [`translations`]: the best memory translation of each digest sentence;
//! - [`rouge`]: ROUGE-N, to check digests against reference summaries.
//!
//! [`Summarizer::summarize`] puts them together. The digest is the
//! **eligible lead**: the article's first sentences that are not fragments,
//! headings, bylines, datelines, bracketed captions or list items, with
//! datelines (a news site's address among them: "Merdeka.com - ") and share
//! bars trimmed from their starts, skipping any sentence whose terms nearly
//! repeat one already chosen (Jaccard ≥ 0.5), in document order with byte
//! offsets. After the first, a sentence that names nothing (no number, no
//! capitalised word after its first) is taken only when the others do not
//! fill the digest if it has fewer than 8 words, or fewer than 14 and no
//! term in common with the first: such sentences are mostly reactions,
//! quotations without their speaker, transitions and asides, while a plain
//! sentence of 8 to 13 words that goes on with the lead's story (shares a
//! term with it) keeps its place. On news with human-written summaries,
//! held out (leave one set out, and halves), the eligible lead beat every
//! learned ranker we fitted, and each deferral gained over it
//! (docs/performance/summarize.md, ninth and tenth rounds).
//! [`Summarizer::rank`] keeps the learned ranker's features and scores as
//! the evaluation API of `scripts/summarize_train.py`; the digest does not
//! use them.
//!
//! ```
//! use tmkit::summarize::{Budget, Document, InputFormat, Options, Summarizer};
//! let text = "Storm hits coast\n\n\
//!     A powerful storm hit the northern coast on Monday, cutting power to thousands of homes. \
//!     Officials said the storm was the strongest in a decade. \
//!     Schools were closed. \
//!     Power crews worked through the night to restore power to the coast. \
//!     The weather service expects calmer weather by Thursday.";
//! let doc = Document::parse(text, InputFormat::Text);
//! let summarizer = Summarizer::new(Options { budget: Budget::Sentences(2), ..Options::default() });
//! let summary = summarizer.summarize(&doc, &"en".parse().unwrap());
//! assert_eq!(summary.sentences.len(), 2);
//! assert!(summary.sentences[0].text.starts_with("A powerful storm"));
//! assert!(summary.sentences[0].start < summary.sentences[1].start);
//! ```

pub mod digest;
pub mod experiment;
pub mod input;
pub mod language;
pub mod rank;
pub mod rouge;
pub mod translations;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub use input::{Document, InputFormat};
pub use language::LanguageProfile;

use crate::segment::Segmenter;
use crate::text::LanguageTag;
use crate::text::lang::LangChoice;
use crate::text::tokenize::word_count;
use rank::{SparseVec, TermTable};

/// How long a summary may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// At most this many sentences.
    Sentences(usize),
    /// This share of the article's sentences (rounded up, at least one).
    Ratio(f32),
    /// As many sentences as fit in this many words (at least one sentence).
    Words(usize),
}

impl Default for Budget {
    fn default() -> Self {
        Budget::Sentences(3)
    }
}

/// The digest's settings (the learned ranker's are
/// [`experiment::RankerWeights`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Two sentences whose sets of terms have at least this Jaccard
    /// similarity are near-duplicates and never both chosen.
    pub duplicate_jaccard: f32,
    /// After the article's first eligible sentence (always kept), an
    /// eligible sentence of fewer words that names nothing (no number, no
    /// capitalised word after its first) is taken only when the longer ones
    /// do not fill the digest: such sentences after the lead are mostly
    /// transitions, reactions and rhetorical questions; deferring them gains
    /// over the lead on the human-summary sets taken together (+0.09
    /// ROUGE-1: IndoSum +0.33, the others within 0.01; docs/performance/
    /// summarize.md, ninth round and addendum).
    pub short_words: usize,
    /// After the lead, an eligible sentence of fewer words that names
    /// nothing and shares no term with the article's first eligible
    /// sentence also waits for the others: it is neither a fact of its own
    /// nor about the lead's story, mostly an aside, a reaction or a scene
    /// ("Then came the sharpness, the colour and the widescreen format.");
    /// it can also hold back a plain fact told in other words than the
    /// lead's ("A new bridge was finally approved by a narrow vote."). Over
    /// the 8-word rule alone: +0.13 ROUGE-1 on the human-summary sets held
    /// out (leave one set out; the bound chosen on the other sets is 14 in
    /// four folds of five), every set and BBC up on all articles
    /// (docs/performance/summarize.md, tenth round). At most `short_words`:
    /// no such sentence waits.
    pub unrelated_words: usize,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            duplicate_jaccard: 0.5,
            short_words: 8,
            unrelated_words: 14,
        }
    }
}

/// What to summarize and how.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Options {
    /// Summary length.
    pub budget: Budget,
    /// The digest's settings.
    pub weights: Weights,
}

/// A sentence chosen for a summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SummarySentence {
    /// Position among the article's sentences (0-based).
    pub index: usize,
    /// Byte offset of the sentence in the input ([`Document::source_range`]:
    /// in [`Document::text`], or in the page for HTML).
    pub start: usize,
    /// Byte offset just past the sentence.
    pub end: usize,
    /// The lead prior, `1 / (1 + r)` for the sentence ranked `r` among the
    /// article's eligible sentences (1 for the lead): the digest is the
    /// eligible lead, so earlier is more important.
    pub score: f32,
    /// The sentence, with inner line breaks turned into spaces.
    pub text: String,
    /// The best translation a memory holds for it, when one was looked up
    /// ([`translations::translate`]) and found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<translations::Translation>,
}

/// An article's summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// The language the article was ranked as.
    pub language: LanguageTag,
    /// The headline, if known.
    pub title: Option<String>,
    /// How many sentences the article has.
    pub total_sentences: usize,
    /// The chosen sentences, in document order.
    pub sentences: Vec<SummarySentence>,
}

/// Builds summaries (and, for evaluation, rankings). Cheap to share between threads; it
/// caches the stopwords, stemmer and segmenter of each language it meets.
#[derive(Debug, Default)]
pub struct Summarizer {
    options: Options,
    languages: RwLock<HashMap<LanguageTag, Arc<LanguageTools>>>,
}

#[derive(Debug)]
struct LanguageTools {
    profile: LanguageProfile,
    segmenter: Segmenter,
}

/// One sentence of the article.
struct Candidate {
    /// Byte offsets in [`Document::text`].
    start: usize,
    end: usize,
    words: usize,
    eligible: bool,
    /// Rank among the eligible sentences before it (0 for the lead).
    position: usize,
}

/// What only the learned ranker ([`Summarizer::rank`]) reads of a sentence:
/// the digest never computes it.
struct RankerFacts {
    /// Eligible sentences before this one in its paragraph.
    in_paragraph: usize,
    quote_open: bool,
    quoted: f32,
    question: bool,
}

/// An article's sentences, before any ranking.
struct Sentences {
    candidates: Vec<Candidate>,
    /// One per candidate for the ranker; empty for the digest.
    facts: Vec<RankerFacts>,
}

/// Each sentence's set of terms (stemmed, stopwords out), built on demand:
/// the digest compares only the few sentences the lead selection reaches.
struct Terms<'a> {
    tools: &'a LanguageTools,
    table: TermTable,
    /// Words repeat within an article: each form is stemmed once.
    stems: ahash::AHashMap<String, u32>,
    ids: Vec<u32>,
    scratch: String,
}

impl<'a> Terms<'a> {
    fn new(tools: &'a LanguageTools) -> Self {
        Terms {
            tools,
            table: TermTable::new(),
            stems: ahash::AHashMap::new(),
            ids: Vec::new(),
            scratch: String::new(),
        }
    }

    /// The terms of `text` (raw counts: Jaccard looks at the sets).
    fn bag(&mut self, text: &str) -> SparseVec {
        let Terms {
            tools,
            table,
            stems,
            ids,
            scratch,
        } = self;
        tools.profile.for_each_key(text, scratch, |key, stemmable| {
            let id = match stems.get(key) {
                Some(&id) => id,
                None => {
                    let id = if stemmable {
                        tools.profile.with_stem(key, |stem| table.id(stem))
                    } else {
                        table.id(key)
                    };
                    stems.insert(key.to_string(), id);
                    id
                }
            };
            ids.push(id);
        });
        table.bag(ids, true)
    }
}

/// The term bags of an article's sentences, each built the first time the
/// selection compares it.
struct Bags<'a> {
    terms: Terms<'a>,
    bags: Vec<Option<SparseVec>>,
}

impl<'a> Bags<'a> {
    fn new(tools: &'a LanguageTools, sentences: usize) -> Self {
        Bags {
            terms: Terms::new(tools),
            bags: (0..sentences).map(|_| None).collect(),
        }
    }

    /// Term-set Jaccard of sentences `i` and `j`, whose texts `text_of` gives.
    fn jaccard<'t>(&mut self, i: usize, j: usize, text_of: impl Fn(usize) -> &'t str) -> f32 {
        for k in [i, j] {
            if self.bags[k].is_none() {
                self.bags[k] = Some(self.terms.bag(text_of(k)));
            }
        }
        let bag = |k: usize| self.bags[k].as_deref().unwrap_or_default();
        rank::jaccard(bag(i), bag(j))
    }
}

impl Summarizer {
    /// A summarizer with these options.
    pub fn new(options: Options) -> Self {
        Summarizer {
            options,
            languages: RwLock::new(HashMap::new()),
        }
    }

    /// The options in use.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Summarizes plain text in the language `lang` (`auto` detects it).
    ///
    /// ```
    /// use tmkit::summarize::{Options, Summarizer};
    /// let s = Summarizer::new(Options::default())
    ///     .summarize_text("Le gouvernement a présenté mardi son budget pour l'année prochaine.", &"auto".parse().unwrap());
    /// assert_eq!(s.language.primary(), "fr");
    /// assert_eq!(s.sentences.len(), 1);
    /// ```
    pub fn summarize_text(&self, text: &str, lang: &LangChoice) -> Summary {
        let doc = Document::from_plain(text);
        let tag = resolve_language(&doc, lang);
        self.summarize(&doc, &tag)
    }

    fn tools(&self, lang: &LanguageTag) -> Arc<LanguageTools> {
        if let Ok(map) = self.languages.read()
            && let Some(t) = map.get(lang)
        {
            return Arc::clone(t);
        }
        let tools = Arc::new(LanguageTools {
            profile: LanguageProfile::new(lang),
            segmenter: Segmenter::for_language(lang),
        });
        if let Ok(mut map) = self.languages.write() {
            map.entry(lang.clone())
                .or_insert_with(|| Arc::clone(&tools));
        }
        tools
    }

    /// Summarizes `doc` as text in `lang`.
    pub fn summarize(&self, doc: &Document, lang: &LanguageTag) -> Summary {
        let tools = self.tools(lang);
        let w = &self.options.weights;
        let sentences = self.sentences(doc, &tools, false);
        let n = sentences.candidates.len();
        let mut summary = Summary {
            language: lang.clone(),
            title: doc.title.clone(),
            total_sentences: n,
            sentences: Vec::new(),
        };
        if n == 0 {
            // Only a headline: it is the whole story.
            if let Some(title) = &doc.title {
                // Offsets of the headline in the text, or empty when the
                // markup kept it out (an HTML <title>).
                let (start, end) = doc
                    .text
                    .find(title.as_str())
                    .map_or((0, 0), |at| doc.source_range(at, at + title.len()));
                summary.sentences.push(SummarySentence {
                    index: 0,
                    start,
                    end,
                    score: 0.0,
                    text: title.clone(),
                    translation: None,
                });
            }
            return summary;
        }
        let candidates = &sentences.candidates;
        let eligible: Vec<bool> = candidates.iter().map(|c| c.eligible).collect();
        let eligible_count = eligible.iter().filter(|&&e| e).count();
        let (count, word_budget) = match self.options.budget {
            Budget::Sentences(k) => (k, None),
            Budget::Ratio(r) => (
                ((r.clamp(0.0, 1.0) * eligible_count as f32).ceil() as usize).max(1),
                None,
            ),
            Budget::Words(words) => (n, Some(words)),
        };
        let text_of = |j: usize| {
            let c = &candidates[j];
            doc.text.get(c.start..c.end).unwrap_or_default()
        };
        // Term bags, built only for the sentences the selection compares.
        let bags = RefCell::new(Bags::new(&tools, n));
        let first = eligible.iter().position(|&e| e);
        let bound = w.short_words.max(w.unrelated_words);
        // After the first eligible sentence (the article's lead, always
        // kept), a sentence that names nothing waits for the others when it
        // is short, or not much longer and shares no term with the lead.
        let waits = |i: usize| {
            let Some(first) = first.filter(|&f| f < i) else {
                return false;
            };
            let words = candidates[i].words;
            if words >= bound || names_something(text_of(i)) {
                return false;
            }
            words < w.short_words || {
                let mut bags = bags.borrow_mut();
                bags.jaccard(i, first, text_of) == 0.0
            }
        };
        let picked = rank::lead_select(&eligible, waits, count, |i, taken| {
            // A near-duplicate of a chosen sentence adds nothing.
            let mut bags = bags.borrow_mut();
            if taken
                .iter()
                .any(|&t| bags.jaccard(i, t, text_of) >= w.duplicate_jaccard)
            {
                return false;
            }
            match word_budget {
                Some(limit) if !taken.is_empty() => {
                    taken.iter().map(|&t| candidates[t].words).sum::<usize>() + candidates[i].words
                        <= limit
                }
                _ => true,
            }
        });
        // lead_select returns document order.
        summary.sentences = picked
            .into_iter()
            .map(|i| {
                let c = &candidates[i];
                let (start, end) = trim_unbalanced_brackets(&doc.text, c.start, c.end);
                let text = one_line(doc.text.get(start..end).unwrap_or_default());
                let (start, end) = doc.source_range(start, end);
                SummarySentence {
                    index: i,
                    start,
                    end,
                    score: 1.0 / (1.0 + c.position as f32),
                    text,
                    translation: None,
                }
            })
            .collect();
        summary
    }

    /// Segments and filters the sentences of `doc`; with `ranker`, also
    /// measures what only the learned ranker reads ([`RankerFacts`]).
    fn sentences(&self, doc: &Document, tools: &LanguageTools, ranker: bool) -> Sentences {
        let body = doc.body();
        let base = doc.body_start;

        let mut candidates: Vec<Candidate> = Vec::new();
        let mut facts: Vec<RankerFacts> = Vec::new();
        let pieces = tools
            .segmenter
            .segments(body)
            .flat_map(|s| split_glued(s.text).map(move |(a, b)| (s.start + a, s.start + b)));
        let mut prev_end = 0usize;
        let mut in_paragraph = 0usize;
        for (start, end) in pieces {
            let Some(text) = body.get(start..end) else {
                continue;
            };
            if ranker && body.get(prev_end..start).is_some_and(is_paragraph_break) {
                in_paragraph = 0;
            }
            prev_end = end;
            // A dateline or share bar glued to the sentence is not part of it.
            let chrome = rank::chrome_prefix_len(text);
            let (start, text) = (start + chrome, &text[chrome..]);
            let words = word_count(text);
            if words == 0 {
                continue;
            }
            let eligible = rank::reject(text, words).is_none();
            candidates.push(Candidate {
                start: base + start,
                end: base + end,
                words,
                eligible,
                position: 0,
            });
            if ranker {
                facts.push(RankerFacts {
                    in_paragraph,
                    quote_open: experiment::features::opens_with_quote(text),
                    quoted: experiment::features::quoted_share(text),
                    question: text.trim_end().ends_with(['?', '？', '؟']),
                });
                in_paragraph += usize::from(eligible);
            }
        }
        if candidates.iter().all(|c| !c.eligible) {
            // Nothing but fragments: better a fragment than nothing.
            candidates.iter_mut().for_each(|c| c.eligible = true);
        }
        let mut position = 0usize;
        for c in candidates.iter_mut() {
            c.position = position;
            position += usize::from(c.eligible);
        }
        Sentences { candidates, facts }
    }
}

/// The language to rank `doc` in: the given tag, or the detected one.
pub fn resolve_language(doc: &Document, lang: &LangChoice) -> LanguageTag {
    match lang {
        LangChoice::Tag(t) => t.clone(),
        LangChoice::Auto => {
            let body = doc.body();
            if body.trim().is_empty() {
                lang.resolve(doc.title.as_deref().unwrap_or_default())
            } else {
                // A paragraph is plenty for the detector and keeps it cheap.
                lang.resolve(prefix(body, DETECTION_SAMPLE_BYTES))
            }
        }
    }
}

/// True when a sentence names something the digest may need: a number, or
/// a capitalised word after its first (a person, a place, a day: "The
/// minister resigned on Monday."); also when its script has no case, so
/// nothing tells a name from a word. A capital letter standing alone, or
/// alone before an elision ("I", "I'm", "À", "C'est" after a quotation
/// mark), names nothing. A short sentence that names nothing ("It was total
/// chaos.", "I was shaking.") is mostly a transition or a reaction.
fn names_something(sentence: &str) -> bool {
    if sentence.chars().any(char::is_numeric) {
        return true;
    }
    let mut cased = false;
    for (k, word) in sentence.split_whitespace().enumerate() {
        cased |= word.chars().any(|c| c.is_uppercase() || c.is_lowercase());
        if k > 0 && is_name_word(word) {
            return true;
        }
    }
    !cased
}

/// A word that starts with a capital letter (quotation marks and brackets
/// around it aside), other than a capital standing alone or alone before an
/// elided lower-case word: "Monday", "U.S.", "O'Brien", "L'Élysée", not
/// "I", "I've", "A", "(À", "\"C'est".
fn is_name_word(word: &str) -> bool {
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    let mut chars = core.chars();
    if !chars.next().is_some_and(char::is_uppercase) {
        return false;
    }
    match chars.next() {
        None => false,
        Some('\'' | '’') => !chars.next().is_none_or(char::is_lowercase),
        Some(_) => true,
    }
}

/// How much of an article the language detector reads.
const DETECTION_SAMPLE_BYTES: usize = 512;

/// At most `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// True when the text between two sentences holds a blank line.
fn is_paragraph_break(gap: &str) -> bool {
    let mut newlines = 0;
    for c in gap.chars() {
        if c == '\n' {
            newlines += 1;
            if newlines >= 2 {
                return true;
            }
        } else if !c.is_whitespace() {
            newlines = 0;
        }
    }
    false
}

/// Splits a sentence where a paragraph break was lost in extraction and two
/// sentences are glued together (`a-t-il estimé.Revenant sur`): a lowercase
/// word, final punctuation, then at once a capitalized word. Yields byte
/// ranges of `text`.
fn split_glued(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut cuts: smallvec::SmallVec<[usize; 4]> = smallvec::SmallVec::new();
    let mut prev2: Option<char> = None;
    let mut prev1: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if matches!(c, '.' | '!' | '?')
            && prev1.is_some_and(char::is_lowercase)
            && prev2.is_some_and(char::is_lowercase)
        {
            let rest = &text[i + 1..];
            let rest_skip_quote = rest.strip_prefix(['"', '«', '“']).unwrap_or(rest);
            let mut next = rest_skip_quote.chars();
            if next.next().is_some_and(char::is_uppercase)
                && next.next().is_some_and(char::is_lowercase)
            {
                cuts.push(i + 1);
            }
        }
        prev2 = prev1;
        prev1 = Some(c);
        let _ = iter.peek();
    }
    cuts.push(text.len());
    let mut start = 0;
    cuts.into_iter().filter_map(move |cut| {
        let range = (start, cut);
        start = cut;
        (range.1 > range.0).then_some(range)
    })
}

/// A sentence on one line: inner line breaks and runs of spaces become one space.
fn one_line(s: &str) -> String {
    if !s.contains(['\n', '\r']) {
        return s.to_string();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Narrows `text[start..end]` past an opening bracket whose partner lies
/// outside the sentence (the first sentence of a parenthesised passage) and
/// before such a closing one (its last), so a digest line reads as a sentence.
///
/// ```
/// use tmkit::summarize::trim_unbalanced_brackets;
/// let t = "(The firm blamed the weather. It expects a rebound.)";
/// let (s, e) = trim_unbalanced_brackets(t, 0, 29);
/// assert_eq!(&t[s..e], "The firm blamed the weather.");
/// let (s, e) = trim_unbalanced_brackets(t, 30, t.len());
/// assert_eq!(&t[s..e], "It expects a rebound.");
/// let (s, e) = trim_unbalanced_brackets("(a) b.", 0, 6);
/// assert_eq!((s, e), (0, 6));
/// ```
pub fn trim_unbalanced_brackets(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    const PAIRS: [(char, char); 3] = [('(', ')'), ('[', ']'), ('（', '）')];
    let Some(sentence) = text.get(start..end) else {
        return (start, end);
    };
    let balance = |open: char, close: char| {
        sentence.chars().filter(|&c| c == open).count() as isize
            - sentence.chars().filter(|&c| c == close).count() as isize
    };
    for (open, close) in PAIRS {
        let surplus = balance(open, close);
        if surplus > 0 && sentence.starts_with(open) {
            start += open.len_utf8();
            start += text[start..end].len() - text[start..end].trim_start().len();
        } else if surplus < 0 && sentence.ends_with(close) {
            end -= close.len_utf8();
            end -= text[start..end].len() - text[start..end].trim_end().len();
        }
    }
    if start >= end {
        (start.min(end), end)
    } else {
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn en() -> LanguageTag {
        "en".parse().unwrap()
    }

    pub(crate) const ARTICLE: &str = "Floods close schools\n\n\
        Heavy floods closed hundreds of schools across the region on Tuesday. \
        By Anna Reporter\n\
        The floods followed three days of record rain. \
        (Photos by Reuters)\n\
        Officials said the schools would stay closed until the floods recede. \
        A local baker said business was slow. \
        Parents were told to keep children at home while the floods last. \
        The river is expected to peak on Wednesday.";

    #[test]
    fn summary_is_in_document_order_and_skips_noise() {
        let doc = Document::parse(ARTICLE, InputFormat::Text);
        let s = Summarizer::new(Options::default()).summarize(&doc, &en());
        assert_eq!(s.title.as_deref(), Some("Floods close schools"));
        assert_eq!(s.sentences.len(), 3);
        assert!(s.sentences.windows(2).all(|p| p[0].start < p[1].start));
        for sent in &s.sentences {
            assert_eq!(&ARTICLE[sent.start..sent.end], sent.text);
            assert!(!sent.text.contains("Reuters") && !sent.text.starts_with("By "));
        }
        // The default is the eligible lead: the first three sentences once
        // the byline and the bracketed caption are left out (the learned
        // ranker it replaced picked by score; held out the lead was better).
        let picked: Vec<&str> = s.sentences.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(
            picked,
            [
                "Heavy floods closed hundreds of schools across the region on Tuesday.",
                "The floods followed three days of record rain.",
                "Officials said the schools would stay closed until the floods recede.",
            ]
        );
    }

    #[test]
    fn short_lead_sentences_give_way_to_longer_ones_but_fill_a_short_article() {
        let article = "Heavy floods closed hundreds of schools across the region on Tuesday morning. \
                    It was total chaos. \
                    The floods followed three days of record rain in the hills above the valley. \
                    Nobody was ready for it. \
                    Officials said the schools would stay closed until the water recedes from the roads.";
        assert_eq!(
            lead_digest(&Summarizer::default(), article),
            [
                "Heavy floods closed hundreds of schools across the region on Tuesday morning.",
                "The floods followed three days of record rain in the hills above the valley.",
                "Officials said the schools would stay closed until the water recedes from the roads.",
            ]
        );
        // The lead prior still counts the short sentences: they are eligible.
        let s = Summarizer::default().summarize(&Document::from_plain(article), &en());
        assert_eq!(s.sentences[1].score, 1.0 / 3.0);
        // Too few long sentences: the short ones fill the digest, in order.
        let text = "Heavy floods closed hundreds of schools across the region on Tuesday. \
                    It was total chaos. \
                    Nobody was ready for it. \
                    Roads were shut by police.";
        assert_eq!(
            lead_digest(&Summarizer::default(), text),
            [
                "Heavy floods closed hundreds of schools across the region on Tuesday.",
                "It was total chaos.",
                "Nobody was ready for it.",
            ]
        );
        // A short first sentence is the article's lead: it stays; short
        // sentences that name a day or a place are not set aside.
        let text = "Paris wants some answers. \
                    The minister summoned the ambassador on Monday after the report. \
                    It was a surprise. \
                    Talks were expected to resume later in the week in Geneva.";
        assert_eq!(
            lead_digest(&Summarizer::default(), text),
            [
                "Paris wants some answers.",
                "The minister summoned the ambassador on Monday after the report.",
                "Talks were expected to resume later in the week in Geneva.",
            ]
        );
        // News in short sentences keeps its facts: a day, a number.
        let text = "Talks between the two parties collapsed on Friday after a week of negotiations. \
                    It was a shock. \
                    The minister resigned on Monday. \
                    Prices rose by 12 percent. \
                    Analysts expect the new government to be formed within a month or two.";
        assert_eq!(
            lead_digest(&Summarizer::default(), text),
            [
                "Talks between the two parties collapsed on Friday after a week of negotiations.",
                "The minister resigned on Monday.",
                "Prices rose by 12 percent.",
            ]
        );
        // With both bounds at the old fragment bound (4 words), the lead as it was.
        let old = Summarizer::new(Options {
            weights: Weights {
                short_words: 4,
                unrelated_words: 4,
                ..Weights::default()
            },
            ..Options::default()
        });
        assert_eq!(lead_digest(&old, article)[1], "It was total chaos.");
    }

    #[test]
    fn a_plain_sentence_unrelated_to_the_lead_waits_for_the_others() {
        let lead = "Television sets with sharper pictures are selling fast in shops this winter.";
        // 8 words, no name, no term of the lead: it waits.
        let aside = "Then came the colour and the widescreen format.";
        let text = format!(
            "{lead} {aside} \
             High-definition television is finally taking off in many countries. \
             Makers expect prices of the new sets to fall further next year."
        );
        assert_eq!(
            lead_digest(&Summarizer::default(), &text),
            [
                lead,
                "High-definition television is finally taking off in many countries.",
                "Makers expect prices of the new sets to fall further next year.",
            ]
        );
        // The same sentence keeps its place when it shares a term with the
        // lead, or names something, or has 14 words or more.
        for kept in [
            "Then came the colour and the widescreen pictures.",
            "Then came Sony with the colour and the widescreen format.",
            "Then, a few years later and after a long wait, came the colour and the widescreen format.",
        ] {
            let text =
                format!("{lead} {kept} Another plain sentence about nothing at all follows here.");
            assert_eq!(lead_digest(&Summarizer::default(), &text)[1], kept);
        }
        // Too few others: it fills the digest in its place.
        let text = format!("{lead} {aside} Prices of the sets fell.");
        assert_eq!(
            lead_digest(&Summarizer::default(), &text),
            [lead, aside, "Prices of the sets fell."]
        );
        // With the bound at `short_words`, it keeps its place.
        let off = Summarizer::new(Options {
            weights: Weights {
                unrelated_words: 8,
                ..Weights::default()
            },
            ..Options::default()
        });
        let text = format!(
            "{lead} {aside} High-definition television is finally taking off in many countries."
        );
        assert_eq!(lead_digest(&off, &text)[1], aside);
    }

    #[test]
    fn a_sentence_names_something_by_a_number_or_an_inner_capital() {
        assert!(names_something("The minister resigned on Monday."));
        assert!(names_something("Prices rose by 12 percent."));
        assert!(names_something("Цены выросли на 12 процентов."));
        assert!(names_something("Он уехал в Москву."));
        assert!(!names_something("It was total chaos."));
        // A lone capital is no name: the pronoun, a contraction, a French
        // preposition, an elision opening a quotation.
        assert!(!names_something("Then I was shaking."));
        assert!(!names_something("Honestly, I'm not sure I've seen it."));
        assert!(!names_something("Il est rentré À la maison."));
        assert!(!names_something("Il a dit: \"C'est fini.\""));
        assert!(names_something("Then O'Brien was shaking."));
        assert!(names_something("Then the U.S. was shaking."));
        assert!(names_something("Il est rentré à L'Élysée."));
        assert!(names_something("They went to \"Paris\" and back."));
        assert!(!names_something("Это был шок."));
        // No case to tell a name by: never set aside.
        assert!(names_something("这是一个惊喜。"));
        assert!(names_something("كانت مفاجأة."));
    }

    fn lead_digest(summarizer: &Summarizer, text: &str) -> Vec<String> {
        let s = summarizer.summarize(&Document::from_plain(text), &en());
        s.sentences.into_iter().map(|x| x.text).collect()
    }

    #[test]
    fn a_share_bar_cut_by_a_line_break_and_a_player_notice_stay_out() {
        let text = "Share this withEmailFacebookTwitterWhatsAppLinkedinCopy\n\n\
                    this linkResearchers found that most pupils had tried new food at school.\n\n\
                    Media playback is not supported on this deviceHalf of the parents said their \
                    children asked for those foods at home.\n\n\
                    The survey asked about a thousand parents in England last spring.";
        let s = Summarizer::default().summarize(&Document::from_plain(text), &en());
        let texts: Vec<&str> = s.sentences.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Researchers found that most pupils had tried new food at school.",
                "Half of the parents said their children asked for those foods at home.",
                "The survey asked about a thousand parents in England last spring.",
            ]
        );
        assert_eq!(s.title, None);
        let first = &s.sentences[0];
        assert_eq!(&text[first.start..first.end], texts[0]);
    }

    #[test]
    fn glued_sentences_are_split_but_abbreviations_are_not() {
        let text = "C'est bien, a-t-il estimé.Revenant sur sa carrière, il sourit.";
        let parts: Vec<&str> = split_glued(text).map(|(a, b)| &text[a..b]).collect();
        assert_eq!(
            parts,
            [
                "C'est bien, a-t-il estimé.",
                "Revenant sur sa carrière, il sourit."
            ]
        );
        for whole in [
            "Visit example.com today.",
            "The U.S.A. is big.",
            "Prix: 3.5M euros.",
            "ok.A",
        ] {
            assert_eq!(split_glued(whole).count(), 1, "{whole}");
        }
        assert_eq!(split_glued("").count(), 0);
    }

    #[test]
    fn budgets_by_ratio_and_words() {
        let doc = Document::parse(ARTICLE, InputFormat::Text);
        let ratio = Summarizer::new(Options {
            budget: Budget::Ratio(0.5),
            ..Options::default()
        })
        .summarize(&doc, &en());
        assert_eq!(ratio.sentences.len(), 3, "half of 6 eligible sentences");
        let words = Summarizer::new(Options {
            budget: Budget::Words(20),
            ..Options::default()
        })
        .summarize(&doc, &en());
        let total: usize = words.sentences.iter().map(|s| word_count(&s.text)).sum();
        assert!(total <= 20 && !words.sentences.is_empty(), "{total}");
    }

    #[test]
    fn only_a_title_is_its_own_summary_and_empty_is_empty() {
        let doc = Document::parse("Just a headline\n\n", InputFormat::Text);
        let s = Summarizer::default().summarize(&doc, &en());
        assert_eq!(s.sentences.len(), 1);
        assert_eq!(s.sentences[0].text, "Just a headline");
        let s = Summarizer::default().summarize(&Document::parse("", InputFormat::Text), &en());
        assert!(s.sentences.is_empty());
    }

    #[test]
    fn spaceless_and_rtl_articles_get_summaries() {
        let ja = "政府は火曜日、新しい予算案を発表した。予算案は教育と医療への支出を増やす内容だ。\
                  野党は予算案に反対している。首相は国会で予算案の成立を求めた。";
        let s = Summarizer::default().summarize_text(ja, &LangChoice::Auto);
        assert_eq!(s.language.primary(), "ja");
        assert!(!s.sentences.is_empty());
        for sent in &s.sentences {
            assert_eq!(&ja[sent.start..sent.end], sent.text);
        }
        let ar = "أعلنت الحكومة يوم الثلاثاء عن ميزانية جديدة للعام المقبل. \
                  وتزيد الميزانية الإنفاق على التعليم والصحة بشكل كبير. \
                  وانتقدت المعارضة الميزانية الجديدة بشدة في البرلمان.";
        let s = Summarizer::default().summarize_text(ar, &LangChoice::Auto);
        assert_eq!(s.language.primary(), "ar");
        assert_eq!(s.sentences.len(), 3);
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            /// Any text in any markup: no panic, offsets on character
            /// boundaries, sentences in document order, within budget.
            #[test]
            fn any_input_gives_a_sound_summary(
                text in "(\\PC|[ \n.!?。«»\"#*\\[\\]()<>/-]){0,400}",
                markup in 0usize..3,
                k in 1usize..5,
            ) {
                let format = [InputFormat::Text, InputFormat::Markdown, InputFormat::Html][markup];
                let doc = Document::parse(&text, format);
                let summarizer = Summarizer::new(Options { budget: Budget::Sentences(k), ..Options::default() });
                let lang = resolve_language(&doc, &LangChoice::Auto);
                let s = summarizer.summarize(&doc, &lang);
                prop_assert!(s.sentences.len() <= k.max(1));
                // Offsets are in the input: the page itself for HTML, where
                // two sentences of one text node may share a start.
                for pair in s.sentences.windows(2) {
                    if format == InputFormat::Html {
                        prop_assert!(pair[0].start <= pair[1].start);
                    } else {
                        prop_assert!(pair[0].start < pair[1].start);
                    }
                }
                // Markdown offsets are in the file too (doc.text is the text
                // itself for plain text).
                let input = &text;
                for sent in &s.sentences {
                    prop_assert!(sent.start <= sent.end && sent.end <= input.len());
                    prop_assert!(input.is_char_boundary(sent.start) && input.is_char_boundary(sent.end));
                    prop_assert!(!sent.text.is_empty());
                }
            }
        }
    }
}
