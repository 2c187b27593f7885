//! The learned ranker of [`crate::summarize::Summarizer::rank`], the evaluation API: what
//! is known about each sentence, as a fixed vector of features, and the linear
//! weights that turn it into a score. The digest does not use it: held out
//! (leave one set out), the eligible lead beat every fitted ranker, so the
//! ranker stays only for `scripts/summarize_train.py` to test new ones against
//! the lead (docs/performance/summarize.md, seventh round).
//!
//! The weights in [`WEIGHTS`] are fitted by `scripts/summarize_train.py` on the
//! development sets (news with human summaries in English, French and
//! Indonesian, and BBC's extractive summaries), validated leave-one-set-out;
//! `src/summarize/learned.rs` is that script's output. Features are about
//! position, length, centrality and form, never about the language or the
//! source, so one model serves every language.

pub use super::learned::WEIGHTS;

/// How many features describe a sentence.
pub const FEATURE_COUNT: usize = 16;

/// The features' names, in [`SentenceFacts::features`] order (the training
/// script reads the same names from the dumps of `examples/summarize_eval.rs`).
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "first",
    "second",
    "third",
    "log_position",
    "relative_position",
    "paragraph_first",
    "overlap",
    "lexrank",
    "forward",
    "log_words",
    "relative_length",
    "length_factor",
    "quote_open",
    "quoted",
    "question",
    "similarity_to_first",
];

/// What the ranker measured about one eligible sentence.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SentenceFacts {
    /// Rank among the article's eligible sentences (0 = the lead).
    pub position: usize,
    /// How many eligible sentences the article has.
    pub eligible: usize,
    /// Eligible sentences before this one in its paragraph.
    pub in_paragraph: usize,
    /// Length in words.
    pub words: usize,
    /// The article's median eligible sentence length in words.
    pub median_words: usize,
    /// Word-overlap degree (headline included), normalized to the article's largest.
    pub overlap: f32,
    /// LexRank centrality, normalized to the article's largest.
    pub lexrank: f32,
    /// Forward (PacSum-style) centrality: how much later sentences echo this one.
    pub forward: f32,
    /// The length factor (long and run-on sentences held back).
    pub length_factor: f32,
    /// TF-IDF cosine with the lead (1 for the lead itself).
    pub similarity_to_first: f32,
    /// The sentence opens with a quotation mark.
    pub quote_open: bool,
    /// Share of the sentence's characters inside quotation marks.
    pub quoted: f32,
    /// The sentence is a question.
    pub question: bool,
}

impl SentenceFacts {
    /// The feature vector, in [`FEATURE_NAMES`] order.
    pub fn features(&self) -> [f32; FEATURE_COUNT] {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let p = self.position;
        [
            flag(p == 0),
            flag(p == 1),
            flag(p == 2),
            (1.0 + p as f32).ln(),
            p as f32 / self.eligible.saturating_sub(1).max(1) as f32,
            flag(self.in_paragraph == 0),
            self.overlap,
            self.lexrank,
            self.forward,
            (self.words.max(1) as f32).ln(),
            (self.words as f32 / self.median_words.max(1) as f32).min(4.0),
            self.length_factor,
            flag(self.quote_open),
            self.quoted,
            flag(self.question),
            self.similarity_to_first,
        ]
    }

    /// The score: the features weighed by `weights` (usually [`WEIGHTS`]).
    pub fn score(&self, weights: &[f32; FEATURE_COUNT]) -> f32 {
        self.features()
            .iter()
            .zip(weights.iter())
            .map(|(x, w)| x * w)
            .sum()
    }
}

/// Quotation marks that open or close a quote, in the scripts we meet.
fn is_quote_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '”' | '«' | '»' | '„' | '‟' | '「' | '」' | '『' | '』' | '‘' | '’'
    )
}

/// True when `sentence` opens with a quotation mark (an opening quote that
/// needs the speaker from a later sentence).
///
/// ```
/// use tmkit::summarize::experiment::features::opens_with_quote;
/// assert!(opens_with_quote("“We will not give up,” she said."));
/// assert!(!opens_with_quote("She said: “We will not give up.”"));
/// ```
pub fn opens_with_quote(sentence: &str) -> bool {
    sentence.trim_start().chars().next().is_some_and(|c| {
        // An apostrophe opening an English word ('tis) is not a quote.
        is_quote_mark(c) && c != '’'
    })
}

/// Share of the characters of `sentence` that lie between quotation marks
/// (straight quotes alternate; curly and angle quotes nest by direction).
///
/// ```
/// use tmkit::summarize::experiment::features::quoted_share;
/// assert_eq!(quoted_share("No quotes here."), 0.0);
/// assert!(quoted_share("\"All of this is quoted,\" he said.") > 0.6);
/// ```
pub fn quoted_share(sentence: &str) -> f32 {
    let mut inside = false;
    let (mut quoted, mut total) = (0usize, 0usize);
    for c in sentence.chars() {
        match c {
            '"' | '„' | '‟' => inside = !inside,
            '“' | '«' | '「' | '『' => inside = true,
            '”' | '»' | '」' | '』' => inside = false,
            _ => {
                total += 1;
                quoted += usize::from(inside);
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        quoted as f32 / total as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_follow_their_names() {
        let facts = SentenceFacts {
            position: 1,
            eligible: 5,
            in_paragraph: 0,
            words: 20,
            median_words: 10,
            overlap: 0.5,
            lexrank: 0.25,
            forward: 1.0,
            length_factor: 1.0,
            similarity_to_first: 0.3,
            quote_open: true,
            quoted: 0.8,
            question: false,
        };
        let f = facts.features();
        let get = |name: &str| f[FEATURE_NAMES.iter().position(|n| *n == name).unwrap()];
        assert_eq!(get("first"), 0.0);
        assert_eq!(get("second"), 1.0);
        assert_eq!(get("relative_position"), 0.25);
        assert_eq!(get("relative_length"), 2.0);
        assert_eq!(get("quote_open"), 1.0);
        assert!((get("log_position") - 2f32.ln()).abs() < 1e-6);
        assert!(facts.score(&WEIGHTS).is_finite());
    }

    #[test]
    fn lead_outranks_a_later_sentence_like_it() {
        let lead = SentenceFacts {
            eligible: 20,
            words: 25,
            median_words: 22,
            overlap: 0.6,
            lexrank: 0.6,
            forward: 0.6,
            length_factor: 1.0,
            similarity_to_first: 1.0,
            ..SentenceFacts::default()
        };
        let later = SentenceFacts {
            position: 12,
            in_paragraph: 2,
            similarity_to_first: 0.1,
            ..lead
        };
        assert!(lead.score(&WEIGHTS) > later.score(&WEIGHTS));
    }
}
