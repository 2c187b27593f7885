//! The evaluation/experiment API, **not the digest's path**: the learned
//! sentence ranker ([`Summarizer::rank`]), its features ([`features`]), its
//! fitted weights and its centrality components ([`centrality`]).
//!
//! [`Summarizer::summarize`] never calls into this module: the digest is the
//! eligible lead (held out, leave one set out, it beat every ranker fitted
//! here; docs/performance/summarize.md, seventh round). The ranker stays so
//! that `examples/summarize_eval.rs --dump` can write each sentence's features
//! and `scripts/summarize_train.py` can fit and test new rankers against the
//! lead; the script writes the weights (`experiment/learned.rs`).

pub mod centrality;
pub mod features;
mod learned;

use super::rank::SparseVec;
use super::{Candidate, Document, LanguageTools, RankerFacts, Sentences, Summarizer, Terms};
use crate::text::LanguageTag;

/// The learned ranker's settings ([`Summarizer::rank`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankerWeights {
    /// The learned weight of each feature, in [`features::FEATURE_NAMES`] order.
    pub features: [f32; features::FEATURE_COUNT],
    /// The headline as a query, when one is known: its weight as a node of
    /// the word-overlap graph, in sentences (2 = it counts as much as two).
    pub title: f32,
    /// Edge threshold of the forward centrality, between the smallest (0)
    /// and largest (1) similarity in the article.
    pub edge_threshold: f32,
    /// Sentences longer than this many words are held back in proportion.
    pub long_sentence_words: usize,
    /// Sentences longer than this many times the article's median eligible
    /// sentence are held back in proportion (0 disables): a cap relative to
    /// the article's own style, where `long_sentence_words` is absolute.
    pub median_length_cap: f32,
}

impl Default for RankerWeights {
    fn default() -> Self {
        RankerWeights {
            features: features::WEIGHTS,
            title: 0.5,
            edge_threshold: 0.3,
            long_sentence_words: 40,
            median_length_cap: 2.5,
        }
    }
}

impl Summarizer {
    /// How the learned ranker scores each sentence of `doc`, feature by
    /// feature: the evaluation API (`examples/summarize_eval.rs --dump` feeds
    /// `scripts/summarize_train.py`, which fits and tests rankers and rules
    /// against the lead). [`Summarizer::summarize`] does not use these scores:
    /// its digest is the eligible lead; `eligible`, `position` and `jaccard`
    /// here are the ones it uses.
    ///
    /// ```
    /// use tmkit::summarize::experiment::RankerWeights;
    /// use tmkit::summarize::{Document, Options, Summarizer};
    /// let doc = Document::from_plain("The storm hit the coast on Monday. Power was cut to the coast for days.");
    /// let ranking = Summarizer::new(Options::default()).rank(&doc, &"en".parse().unwrap(), &RankerWeights::default());
    /// assert_eq!(ranking.sentences.len(), 2);
    /// assert_eq!(ranking.similarity.len(), 4);
    /// assert!(ranking.sentences.iter().all(|s| s.score > 0.0));
    /// ```
    pub fn rank(&self, doc: &Document, lang: &LanguageTag, weights: &RankerWeights) -> Ranking {
        let tools = self.tools(lang);
        self.analyse(doc, &tools, weights)
    }

    /// Segments, filters and scores the sentences of `doc` with the learned ranker.
    fn analyse(&self, doc: &Document, tools: &LanguageTools, w: &RankerWeights) -> Ranking {
        let Sentences { candidates, facts } = self.sentences(doc, tools, true);
        let n = candidates.len();
        if n == 0 {
            return Ranking::default();
        }
        let mut terms = Terms::new(tools);
        let mut bags: Vec<SparseVec> = candidates
            .iter()
            .map(|c| terms.bag(doc.text.get(c.start..c.end).unwrap_or_default()))
            .collect();
        let mut table = terms.table;
        let mut scratch = String::new();
        let mut ids: Vec<u32> = Vec::new();
        let mut overlap = centrality::overlap_degree(&bags);
        let jaccard = centrality::jaccard_matrix(&bags);
        // The headline joins the word-overlap graph as a heavy extra node.
        if let Some(title) = doc.title.as_deref()
            && w.title > 0.0
        {
            tools
                .profile
                .for_each_term(title, &mut scratch, |t| ids.push(table.id(t)));
            let headline = table.bag(&mut ids, false);
            let len: f32 = headline.iter().map(|(_, tf)| tf).sum();
            for (o, bag) in overlap.iter_mut().zip(&bags) {
                let bag_len: f32 = bag.iter().map(|(_, tf)| tf).sum();
                *o += w.title * centrality::overlap_similarity(bag, bag_len, &headline, len);
            }
        }
        centrality::normalize_max(&mut overlap);
        for bag in bags.iter_mut() {
            table.tfidf(bag, n);
        }
        let sim = centrality::similarity_matrix(&bags);
        let sentences = score(w, &candidates, &facts, &overlap, &sim);
        Ranking {
            sentences,
            similarity: sim,
            jaccard,
        }
    }
}

/// Measures each sentence's features and scores it with the learned weights.
/// `overlap` is the word-overlap degree, already normalized.
fn score(
    w: &RankerWeights,
    candidates: &[Candidate],
    facts: &[RankerFacts],
    overlap: &[f32],
    sim: &[f32],
) -> Vec<RankedSentence> {
    let n = candidates.len();
    let mut forward = centrality::directed_centrality(sim, n, w.edge_threshold, 0.0, 1.0);
    centrality::normalize_max(&mut forward);
    let mut lex = centrality::lexrank(sim, n, 0.85);
    centrality::normalize_max(&mut lex);
    let median =
        centrality::median_words(candidates.iter().filter(|c| c.eligible).map(|c| c.words));
    let eligible = candidates.iter().filter(|c| c.eligible).count();
    let first = candidates.iter().position(|c| c.eligible).unwrap_or(0);
    candidates
        .iter()
        .zip(facts)
        .enumerate()
        .map(|(i, (c, f))| {
            let facts = features::SentenceFacts {
                position: c.position,
                eligible,
                in_paragraph: f.in_paragraph,
                words: c.words,
                median_words: median,
                overlap: overlap[i],
                lexrank: lex[i],
                forward: forward[i],
                length_factor: centrality::length_factor(c.words, 0, w.long_sentence_words)
                    * centrality::relative_length_factor(c.words, median, w.median_length_cap),
                similarity_to_first: if i == first { 1.0 } else { sim[i * n + first] },
                quote_open: f.quote_open,
                quoted: f.quoted,
                question: f.question,
            };
            RankedSentence {
                start: c.start,
                end: c.end,
                words: c.words,
                eligible: c.eligible,
                position: facts.position,
                features: facts.features(),
                score: facts.score(&w.features),
            }
        })
        .collect()
}

/// How the sentences of one article were scored ([`Summarizer::rank`]).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Ranking {
    /// Every sentence of the article, in document order.
    pub sentences: Vec<RankedSentence>,
    /// TF-IDF cosine similarity between sentences, `n × n` row-major, zero diagonal.
    pub similarity: Vec<f32>,
    /// Jaccard similarity of the sentences' sets of terms, `n × n` row-major,
    /// zero diagonal: what near-duplicate detection compares.
    pub jaccard: Vec<f32>,
}

/// One sentence's features and score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankedSentence {
    /// Byte offset of the sentence in [`Document::text`].
    pub start: usize,
    /// Byte offset just past the sentence.
    pub end: usize,
    /// Length in words.
    pub words: usize,
    /// False for fragments, headings, bylines, captions and list items.
    pub eligible: bool,
    /// Rank among the eligible sentences before it (0 for the lead).
    pub position: usize,
    /// The features, in [`features::FEATURE_NAMES`] order.
    pub features: [f32; features::FEATURE_COUNT],
    /// The final score: the features weighed by [`RankerWeights::features`].
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarize::tests::{ARTICLE, en};
    use crate::summarize::{InputFormat, Options};

    #[test]
    fn headline_pulls_its_sentence_up_in_the_ranker() {
        let text = "The council met on Monday to discuss the budget for next year in detail. \
            Members argued about the cost of road repairs across the town for hours. \
            A new bridge over the river was finally approved by a narrow vote. \
            The meeting ended late in the evening after the budget was discussed again.";
        let with_title = format!("Council approves new bridge\n\n{text}");
        let summarizer = Summarizer::default();
        let scores = |t: &str| -> Vec<f32> {
            let r = summarizer.rank(
                &Document::parse(t, InputFormat::Text),
                &en(),
                &RankerWeights::default(),
            );
            r.sentences.iter().map(|x| x.score).collect()
        };
        let (plain, titled) = (scores(text), scores(&with_title));
        assert_eq!(plain.len(), 4);
        // The bridge sentence (index 2) gains on the lead once the headline is known.
        assert!(
            titled[2] / titled[0] > plain[2] / plain[0],
            "{plain:?} {titled:?}"
        );
        // The digest is the eligible lead either way: the headline is not a
        // sentence of it and does not move it. (The bridge sentence, 13 plain
        // words with no term of the lead, waits for the fourth:
        // `Weights::unrelated_words`.)
        let picked = |t: &str| -> Vec<usize> {
            let d = summarizer.summarize(&Document::parse(t, InputFormat::Text), &en());
            d.sentences.iter().map(|s| s.index).collect()
        };
        assert_eq!(picked(&with_title), picked(text));
        assert_eq!(picked(&with_title), [0, 1, 3]);
        let digest = summarizer.summarize(&Document::parse(&with_title, InputFormat::Text), &en());
        assert_eq!(digest.sentences[0].score, 1.0);
        assert_eq!(digest.sentences[2].score, 1.0 / 4.0);
    }

    #[test]
    fn ranking_explains_the_summary() {
        let doc = Document::parse(ARTICLE, InputFormat::Text);
        let summarizer = Summarizer::new(Options::default());
        let ranking = summarizer.rank(&doc, &en(), &RankerWeights::default());
        let summary = summarizer.summarize(&doc, &en());
        let n = ranking.sentences.len();
        assert_eq!(n, summary.total_sentences);
        assert_eq!(ranking.similarity.len(), n * n);
        for s in &ranking.sentences {
            for (name, x) in features::FEATURE_NAMES.iter().zip(s.features) {
                let bounded = !matches!(*name, "log_position" | "log_words" | "relative_length");
                assert!(
                    x.is_finite() && (!bounded || (0.0..=1.0).contains(&x)),
                    "{name} {s:?}"
                );
            }
        }
        // The byline and the caption are ranked but kept out.
        let rejected: Vec<&str> = ranking
            .sentences
            .iter()
            .filter(|s| !s.eligible)
            .map(|s| ARTICLE[s.start..s.end].trim())
            .collect();
        assert_eq!(rejected, ["By Anna Reporter", "(Photos by Reuters)"]);
        // The summary is the ranking's first eligible sentences (no two of
        // them near-duplicates here), with their lead prior as the score.
        let lead: Vec<usize> = (0..n)
            .filter(|&i| ranking.sentences[i].eligible)
            .take(3)
            .collect();
        let picked: Vec<usize> = summary.sentences.iter().map(|s| s.index).collect();
        assert_eq!(picked, lead);
        for p in &summary.sentences {
            let position = ranking.sentences[p.index].position;
            assert_eq!(p.score, 1.0 / (1.0 + position as f32));
        }
        assert_eq!(
            Summarizer::new(Options::default()).rank(
                &Document::from_plain(""),
                &en(),
                &RankerWeights::default()
            ),
            Ranking::default()
        );
    }
}
