//! Digests that say what is already translated: each digest sentence with the
//! best translation a memory holds for it, when it scores at least a minimum.
//!
//! Any memory [`crate::fuzzy::Matcher`] works with; lookups go through a
//! [`MatchSession`] so a caller summarizing many articles keeps one session
//! per thread.

use crate::fuzzy::{MatchOptions, MatchSession};
use crate::tm::TranslationMemory;

use super::Summary;

/// The memory's best translation of a digest sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Translation {
    /// The match percentage (100 = the same sentence).
    pub score: u8,
    /// The memory's source segment.
    pub source: String,
    /// Its translation; when only numbers differ, with the sentence's numbers.
    pub target: String,
}

/// Fills in [`super::SummarySentence::translation`] for every sentence of
/// `summary` with the best memory match scoring at least `min_score`.
/// Returns how many sentences got one.
///
/// ```
/// use tmkit::fuzzy::Matcher;
/// use tmkit::summarize::{Summarizer, translations::translate};
/// use tmkit::tm::{Entry, LanguagePair, MemoryTm, Origin, PositionUnit};
/// let mut tm = MemoryTm::new(LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap()));
/// let file = tm.add_file("memory.tsv").unwrap();
/// tm.push(Entry {
///     source: "The storm hit the coast on Monday.".into(),
///     target: "La tempête a frappé la côte lundi.".into(),
///     tuid: None,
///     changedate: None,
///     source_codes: 0,
///     origin: Origin { file, position: 1, unit: PositionUnit::Line },
/// });
/// let matcher = Matcher::new(tm);
/// let mut summary = Summarizer::default()
///     .summarize_text("The storm hit the coast on Monday.", &"en".parse().unwrap());
/// assert_eq!(translate(&mut summary, &mut matcher.session(), 75), 1);
/// let t = summary.sentences[0].translation.as_ref().unwrap();
/// assert_eq!((t.score, t.target.as_str()), (100, "La tempête a frappé la côte lundi."));
/// ```
pub fn translate<T: TranslationMemory>(
    summary: &mut Summary,
    session: &mut MatchSession<'_, T>,
    min_score: u8,
) -> usize {
    let options = MatchOptions {
        min_score,
        max_results: 1,
        exhaustive: false,
    };
    let mut found = 0;
    for sentence in &mut summary.sentences {
        sentence.translation = session
            .lookup(&sentence.text, &options)
            .into_iter()
            .next()
            .map(|m| Translation {
                score: m.score,
                source: m.entry.source.clone(),
                target: m.adapted_target.unwrap_or_else(|| m.entry.target.clone()),
            });
        found += usize::from(sentence.translation.is_some());
    }
    found
}
