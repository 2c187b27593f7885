//! A translation memory as alignment evidence. When a source sentence of
//! the document has an exact or fuzzy match in the memory and the match's
//! translation is (nearly) a target sentence of the document, that pair is
//! an anchor. The memory's pairs also teach word translations (Dice over
//! the pairs), which feed the bead cost like a dictionary.

use strsim::normalized_levenshtein;

use super::Sentences;
use super::lexicon::{Lexicon, learn_dice};
use super::prepare::Side;
use crate::fuzzy::{MatchOptions, MatchSession};
use crate::text::comparison_key;
use crate::tm::TranslationMemory;

/// A source and a target sentence known to translate each other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    /// Source sentence index.
    pub src: usize,
    /// Target sentence index.
    pub tgt: usize,
    /// How sure, in `(0, 1]`.
    pub strength: f32,
}

/// Lowest fuzzy score of a memory match used for anchors.
const MIN_MATCH: u8 = 75;
/// Lowest similarity between a match's translation and a target sentence.
const MIN_SIMILARITY: f64 = 0.75;
/// Pairs read from a memory to learn words from (a sample of large memories).
const LEXICON_PAIRS: usize = 200_000;

/// The anchors a memory gives for `src` and `tgt`: for each source sentence,
/// its best memory matches; a target sentence near its expected place whose
/// text is close to a match's translation (normalized Levenshtein similarity
/// of the comparison keys) makes an anchor of strength score × similarity.
pub fn memory_anchors<T: TranslationMemory>(
    session: &mut MatchSession<'_, T>,
    src: &Sentences,
    tgt: &Sentences,
) -> Vec<Anchor> {
    let (n, m) = (src.len(), tgt.len());
    if n == 0 || m == 0 {
        return Vec::new();
    }
    let tgt_keys: Vec<String> = tgt
        .texts
        .iter()
        .map(|t| comparison_key(t).into_owned())
        .collect();
    let options = MatchOptions {
        min_score: MIN_MATCH,
        max_results: 3,
        exhaustive: false,
    };
    let window = m / 10 + 20;
    let mut anchors = Vec::new();
    for (i, sentence) in src.texts.iter().enumerate() {
        if sentence.trim().is_empty() {
            continue;
        }
        let expected = i * m / n;
        let (lo, hi) = (expected.saturating_sub(window), (expected + window).min(m));
        let mut best: Option<Anchor> = None;
        for hit in session.lookup(sentence, &options) {
            let translation = comparison_key(&hit.entry.target).into_owned();
            let tlen = translation.chars().count() as f64;
            for (j, key) in tgt_keys.iter().enumerate().take(hi).skip(lo) {
                let klen = key.chars().count() as f64;
                if klen < tlen * 0.7 || klen > tlen * 1.4 + 1.0 {
                    continue;
                }
                let similarity = if *key == translation {
                    1.0
                } else {
                    normalized_levenshtein(key, &translation)
                };
                if similarity < MIN_SIMILARITY {
                    continue;
                }
                let strength = (f64::from(hit.score) / 100.0 * similarity) as f32;
                if best.is_none_or(|b| strength > b.strength) {
                    best = Some(Anchor {
                        src: i,
                        tgt: j,
                        strength,
                    });
                }
            }
        }
        anchors.extend(best);
    }
    anchors
}

/// Word translations learned from the memory's pairs (Dice over pairs,
/// words seen together at least twice). `cutter` cuts spaceless scripts,
/// as when aligning.
pub fn memory_lexicon<T: TranslationMemory>(tm: &T, cutter: &Lexicon) -> Lexicon {
    let take = tm.len().min(LEXICON_PAIRS);
    let step = (tm.len() / take.max(1)).max(1);
    let mut sources = Vec::with_capacity(take);
    let mut targets = Vec::with_capacity(take);
    for id in (0..tm.len()).step_by(step).take(take) {
        if let Some(e) = tm.entry(id as crate::tm::EntryId) {
            sources.push(e.source.clone());
            targets.push(e.target.clone());
        }
    }
    let src_refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    let tgt_refs: Vec<&str> = targets.iter().map(String::as_str).collect();
    let src = Side::new(&src_refs, cutter, true);
    let tgt = Side::new(&tgt_refs, cutter, false);
    let learned = learn_dice(
        src.sents
            .iter()
            .zip(&tgt.sents)
            .map(|(a, b)| (a.as_slice(), b.as_slice())),
        2,
        0.3,
        3,
    );
    let mut lexicon = Lexicon::new();
    for (s, t, _) in learned {
        lexicon.insert(&src.vocab[s as usize], &tgt.vocab[t as usize]);
    }
    lexicon
}
