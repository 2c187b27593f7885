//! The match percentage, as `docs/SCORING.md` defines it.
//!
//! A text's score tokens ([`crate::text::tokenize::for_each_score_token`])
//! fall in three classes: words, numbers, punctuation. The score is the share
//! of words kept, `floor(100 * (1 - lev(words) / max(words_a, words_b)))`,
//! minus one point per number, punctuation mark and inline code that differs
//! (each counted as an edit of its own sequence); identical raw text scores
//! 100 and anything else at most 99. A text without words is scored on its
//! numbers, one with neither on its punctuation.
//!
//! Distances are computed bit-parallel (Myers 1999, Hyyrö 2003) over token ids:
//! the query's positions are bits of machine words, each memory token advances
//! all of them at once. [`Pattern`] holds a query prepared once and compared to
//! many segments, with an early cut-off once a distance bound is exceeded.

use super::vocab::Vocabulary;

/// A text's score tokens as interned ids, by class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenSets {
    /// The tokens whose edits make the word score: the words; for a text
    /// without words its numbers; for a text with neither its punctuation.
    pub scored: Vec<u32>,
    /// Numbers, when they are not the scored tokens.
    pub numbers: Vec<u32>,
    /// Punctuation and symbols, when they are not the scored tokens.
    pub punctuation: Vec<u32>,
}

impl TokenSets {
    /// Fills the sets from normalized text, `id` giving each key's id.
    pub fn fill(&mut self, normalized: &str, mut id: impl FnMut(&str) -> u32) {
        use crate::text::tokenize::for_each_score_token;
        self.clear();
        for_each_score_token(normalized, |class, key| {
            let t = id(key);
            self.push(class, t);
        });
        stand_in(&mut self.scored, &mut self.numbers, &mut self.punctuation);
    }

    /// Fills the sets from raw text: [`TokenSets::fill`] of its comparison
    /// key ([`crate::text::comparison_key`]), with ASCII text tokenized
    /// directly (see `super::ascii`).
    pub fn fill_text(&mut self, text: &str, mut id: impl FnMut(&str) -> u32) {
        if !text.is_ascii() {
            return self.fill(&crate::text::comparison_key(text), id);
        }
        self.clear();
        super::ascii::for_each_ascii_score_token(text, |class, key| {
            let t = id(key);
            self.push(class, t);
        });
        stand_in(&mut self.scored, &mut self.numbers, &mut self.punctuation);
    }

    fn clear(&mut self) {
        self.scored.clear();
        self.numbers.clear();
        self.punctuation.clear();
    }

    #[inline]
    fn push(&mut self, class: crate::text::tokenize::TokenClass, t: u32) {
        use crate::text::tokenize::TokenClass;
        match class {
            TokenClass::Word => self.scored.push(t),
            TokenClass::Number => self.numbers.push(t),
            TokenClass::Punctuation => self.punctuation.push(t),
        }
    }
}

/// A text without words is scored on its numbers, one with neither on its
/// punctuation: the stand-in moves into `scored`.
pub(crate) fn stand_in<T>(scored: &mut Vec<T>, numbers: &mut Vec<T>, punctuation: &mut Vec<T>) {
    if scored.is_empty() {
        if numbers.is_empty() {
            std::mem::swap(scored, punctuation);
        } else {
            std::mem::swap(scored, numbers);
        }
    }
}

/// The score of a memory source against a query, neither with inline codes.
///
/// ```
/// use tmkit::fuzzy::score;
/// assert_eq!(score("a b c", "a b c"), 100);
/// assert_eq!(score("A b c", "a b c"), 99);
/// assert_eq!(score("The talks ended.", "The talks ended"), 99);
/// assert_eq!(score("Growth was 3.9%.", "Growth was 4.2%."), 99);
/// assert_eq!(score("a b c d", "a b x d"), 75);
/// assert_eq!(score("one two three", "one two"), 66);
/// assert_eq!(score("", "x"), 0);
/// ```
pub fn score(a: &str, b: &str) -> u8 {
    score_with_codes(a, 0, b, 0)
}

/// The score of two texts carrying `codes_a` and `codes_b` inline codes
/// (each code of difference costs a point).
pub fn score_with_codes(a: &str, codes_a: u16, b: &str, codes_b: u16) -> u8 {
    if a == b && codes_a == codes_b {
        return 100;
    }
    let mut vocab = Vocabulary::default();
    let (mut ta, mut tb) = (TokenSets::default(), TokenSets::default());
    vocab.intern_sets(a, &mut ta);
    vocab.intern_sets(b, &mut tb);
    let distance = levenshtein(&ta.scored, &tb.scored);
    let points = levenshtein(&ta.numbers, &tb.numbers)
        + levenshtein(&ta.punctuation, &tb.punctuation)
        + usize::from(codes_a.abs_diff(codes_b));
    combine(
        word_score(distance, ta.scored.len(), tb.scored.len()),
        points,
    )
}

/// The share of words kept: 100 at distance 0, else
/// `floor(100 * (longest - distance) / longest)`.
#[inline]
pub fn word_score(distance: usize, len_a: usize, len_b: usize) -> u8 {
    if distance == 0 {
        return 100;
    }
    let longest = len_a.max(len_b);
    // distance <= longest whenever distance > 0, so this never underflows.
    (100 * longest.saturating_sub(distance) / longest) as u8
}

/// The score of texts that are not identical: the word score less the
/// penalty points, at most 99.
#[inline]
pub fn combine(word_score: u8, points: usize) -> u8 {
    (usize::from(word_score).saturating_sub(points) as u8).min(99)
}

/// The largest distance that still scores at least `min_score` when the longer
/// sequence has `longest` tokens: `longest - ceil(min_score * longest / 100)`.
#[inline]
pub fn max_distance_for(longest: usize, min_score: u8) -> usize {
    let need = (usize::from(min_score) * longest).div_ceil(100);
    longest.saturating_sub(need)
}

/// Token-level Levenshtein distance (unit costs).
///
/// ```
/// use tmkit::fuzzy::levenshtein;
/// assert_eq!(levenshtein(&[1, 2, 3], &[1, 3]), 1);
/// assert_eq!(levenshtein(&[], &[7, 7]), 2);
/// ```
pub fn levenshtein(a: &[u32], b: &[u32]) -> usize {
    let mut pattern = Pattern::new(a);
    pattern
        .distance_within(b, usize::MAX)
        .unwrap_or(a.len().max(b.len()))
}

/// A token sequence prepared for bit-parallel comparison against many others.
#[derive(Debug, Clone, Default)]
pub struct Pattern {
    len: usize,
    words: usize,
    /// Distinct token ids of the pattern, sorted (the row index of `peq`).
    distinct: Vec<u32>,
    /// Match masks: `peq[row * words + word]` has bit `i` set when position
    /// `word * 64 + i` of the pattern holds token `distinct[row]`.
    peq: Vec<u64>,
    /// Per-word vertical deltas, reused between comparisons.
    scratch: Vec<(u64, u64)>,
    /// Single-word patterns over a known vocabulary: the match mask of every
    /// token id, so the inner loop is one load (entries of the previous
    /// pattern are cleared on reset, not the whole table).
    dense: Vec<u64>,
    use_dense: bool,
}

impl Pattern {
    /// Prepares `tokens`.
    pub fn new(tokens: &[u32]) -> Self {
        let mut p = Pattern::default();
        p.reset(tokens);
        p
    }

    /// Re-prepares this pattern for `tokens`, keeping its buffers.
    pub fn reset(&mut self, tokens: &[u32]) {
        self.reset_for_vocabulary(tokens, 0);
    }

    /// Re-prepares this pattern for `tokens` whose ids (and those of the texts
    /// it will be compared to) are below `vocab_len`, with a direct lookup
    /// table when the pattern fits one machine word. Ids at or above
    /// `vocab_len` match nothing in the table.
    pub fn reset_for_vocabulary(&mut self, tokens: &[u32], vocab_len: usize) {
        for &t in &self.distinct {
            if let Some(slot) = self.dense.get_mut(t as usize) {
                *slot = 0;
            }
        }
        self.len = tokens.len();
        self.words = tokens.len().div_ceil(64).max(1);
        self.distinct.clear();
        self.distinct.extend_from_slice(tokens);
        self.distinct.sort_unstable();
        self.distinct.dedup();
        self.peq.clear();
        self.peq.resize(self.distinct.len() * self.words, 0);
        for (pos, tok) in tokens.iter().enumerate() {
            if let Ok(row) = self.distinct.binary_search(tok) {
                self.peq[row * self.words + pos / 64] |= 1u64 << (pos % 64);
            }
        }
        self.scratch.clear();
        self.scratch.resize(self.words, (0, 0));
        self.use_dense = vocab_len > 0 && self.words == 1;
        if self.use_dense {
            if self.dense.len() < vocab_len {
                self.dense.resize(vocab_len, 0);
            }
            for (row, &t) in self.distinct.iter().enumerate() {
                if let Some(slot) = self.dense.get_mut(t as usize) {
                    *slot = self.peq[row];
                }
            }
        }
    }

    /// Number of tokens in the pattern.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for the empty pattern.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn row_of(&self, token: u32) -> Option<usize> {
        self.distinct.binary_search(&token).ok()
    }

    /// The distance to `text` if it is at most `max`, else `None`. Stops as
    /// soon as the bound can no longer be met.
    pub fn distance_within(&mut self, text: &[u32], max: usize) -> Option<usize> {
        let m = self.len;
        let n = text.len();
        if m.abs_diff(n) > max {
            return None;
        }
        if m == 0 {
            return Some(n);
        }
        if self.words == 1 {
            self.distance_one_word(text, max)
        } else {
            self.distance_blocks(text, max)
        }
    }

    fn distance_one_word(&self, text: &[u32], max: usize) -> Option<usize> {
        let m = self.len;
        let n = text.len();
        let last = 1u64 << (m - 1);
        let mut vp: u64 = !0;
        let mut vn: u64 = 0;
        let mut dist = m;
        for (j, tok) in text.iter().enumerate() {
            let eq = if !self.use_dense {
                self.row_of(*tok).map_or(0, |row| self.peq[row])
            } else {
                self.dense.get(*tok as usize).copied().unwrap_or(0)
            };
            let x = eq | vn;
            let d0 = ((x & vp).wrapping_add(vp) ^ vp) | x;
            let mut hp = vn | !(d0 | vp);
            let mut hn = d0 & vp;
            if hp & last != 0 {
                dist += 1;
            } else if hn & last != 0 {
                dist -= 1;
            }
            hp = (hp << 1) | 1;
            hn <<= 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            // The last row can fall by at most one per remaining text token.
            if dist > max.saturating_add(n - j - 1) {
                return None;
            }
        }
        (dist <= max).then_some(dist)
    }

    fn distance_blocks(&mut self, text: &[u32], max: usize) -> Option<usize> {
        let m = self.len;
        let n = text.len();
        let words = self.words;
        let last = 1u64 << ((m - 1) % 64);
        for v in self.scratch.iter_mut() {
            *v = (!0, 0);
        }
        let mut dist = m;
        for (j, tok) in text.iter().enumerate() {
            let row = self.row_of(*tok);
            let mut hp_carry = 1u64;
            let mut hn_carry = 0u64;
            for word in 0..words {
                let eq = row.map_or(0, |r| self.peq[r * words + word]);
                let (vp, vn) = self.scratch[word];
                let x = eq | hn_carry;
                let d0 = ((x & vp).wrapping_add(vp) ^ vp) | x | vn;
                let mut hp = vn | !(d0 | vp);
                let mut hn = d0 & vp;
                let (hp_in, hn_in) = (hp_carry, hn_carry);
                if word + 1 < words {
                    hp_carry = hp >> 63;
                    hn_carry = hn >> 63;
                } else {
                    hp_carry = u64::from(hp & last != 0);
                    hn_carry = u64::from(hn & last != 0);
                }
                hp = (hp << 1) | hp_in;
                hn = (hn << 1) | hn_in;
                self.scratch[word] = (hn | !(d0 | hp), hp & d0);
            }
            dist = dist + hp_carry as usize - hn_carry as usize;
            if dist > max.saturating_add(n - j - 1) {
                return None;
            }
        }
        (dist <= max).then_some(dist)
    }
}

#[cfg(test)]
pub(crate) fn levenshtein_dp(a: &[u32], b: &[u32]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_edits_and_listed_penalties() {
        assert_eq!(score("a b c", "a b c"), 100);
        assert_eq!(score("A b c", "a b c"), 99);
        assert_eq!(score("a  b c", "a b c"), 99);
        assert_eq!(score("ＡＢＣ", "abc"), 99);
        assert_eq!(score("a b c d", "a b x d"), 75);
        assert_eq!(score("one two three", "one two"), 66);
        assert_eq!(score("", "x"), 0);
        assert_eq!(score("", ""), 100);
        assert_eq!(score(" ", ""), 99);
        assert_eq!(score("東京に行く", "東京へ行く"), 80);
        // Style only: 99.
        assert_eq!(score("It’s “done” – now", "It's \"done\" - now"), 99);
        // One punctuation mark: one point.
        assert_eq!(score("The talks ended.", "The talks ended"), 99);
        assert_eq!(
            score("Quotes around \"one\" word", "Quotes around one word"),
            98
        );
        // Numbers are not words: one point each.
        assert_eq!(
            score("Growth was 3.9 percent", "Growth was 4.2 percent"),
            99
        );
        assert_eq!(score("4,200,000 people", "4,100,000 people"), 99);
        assert_eq!(score("a b c d 1 2", "a b x d 1 3"), 74);
        // Without words, numbers are the scored tokens.
        assert_eq!(score("12 34", "12 35"), 50);
        assert_eq!(score_with_codes("Click here", 0, "Click here", 2), 98);
        assert_eq!(score_with_codes("Click here", 2, "Click here", 2), 100);
    }

    #[test]
    fn ninety_nine_also_comes_from_one_edit_in_a_hundred_tokens() {
        let long: Vec<u32> = (0..150).collect();
        let mut edited = long.clone();
        edited[70] = 999;
        let d = levenshtein(&long, &edited);
        assert_eq!(d, 1);
        assert_eq!(combine(word_score(d, 150, 150), 0), 99);
    }

    #[test]
    fn max_distance_is_the_exact_floor_bound() {
        for longest in 1..300usize {
            for min in 1..=100u8 {
                let d = max_distance_for(longest, min);
                assert!(100 * (longest - d) / longest >= usize::from(min));
                if d < longest {
                    let worse = d + 1;
                    assert!(100 * (longest - worse) / longest < usize::from(min));
                }
            }
        }
    }

    #[test]
    fn cutoff_reports_none_beyond_bound() {
        let mut p = Pattern::new(&[1, 2, 3, 4, 5]);
        assert_eq!(p.distance_within(&[9, 9, 9, 9, 9], 2), None);
        assert_eq!(p.distance_within(&[1, 2, 3, 4, 9], 1), Some(1));
    }

    proptest! {
        #[test]
        fn bit_parallel_equals_dynamic_programming(
            a in proptest::collection::vec(0u32..6, 0..200),
            b in proptest::collection::vec(0u32..6, 0..200),
        ) {
            let expected = levenshtein_dp(&a, &b);
            prop_assert_eq!(levenshtein(&a, &b), expected);
            let mut p = Pattern::new(&a);
            for max in [0, expected.saturating_sub(1), expected, expected + 3] {
                let got = p.distance_within(&b, max);
                prop_assert_eq!(got, (expected <= max).then_some(expected));
            }
        }
    }
}
