//! ROUGE-N (Lin, 2004) to check digests against reference summaries: the
//! n-gram overlap between a candidate and a reference, as precision, recall
//! and F1. Tokens are case-folded words (one token per character in scripts
//! written without spaces), stemmed when the language has a Snowball stemmer,
//! which approximates the usual `rouge-score` setup closely enough to compare
//! systems, not to replace the reference scorer.

use ahash::AHashMap;

use super::language::LanguageProfile;

/// Precision, recall and F1 of one comparison, each in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RougeScore {
    /// Share of the candidate's n-grams found in the reference.
    pub precision: f64,
    /// Share of the reference's n-grams found in the candidate.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// The ROUGE tokens of `text`: folded, stemmed words, stopwords kept.
pub fn rouge_tokens(profile: &LanguageProfile, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    profile.for_each_rouge_token(text, |t| out.push(t.to_string()));
    out
}

/// ROUGE-N between token sequences.
///
/// ```
/// use tmkit::summarize::rouge::rouge_n;
/// let r: Vec<&str> = "the cat sat on the mat".split(' ').collect();
/// let c: Vec<&str> = "the cat sat".split(' ').collect();
/// let s = rouge_n(&r, &c, 1);
/// assert_eq!((s.precision, s.recall), (1.0, 0.5));
/// ```
pub fn rouge_n<S: AsRef<str>>(reference: &[S], candidate: &[S], n: usize) -> RougeScore {
    let (r, c) = (ngrams(reference, n), ngrams(candidate, n));
    let overlap: usize = c
        .iter()
        .map(|(g, &k)| k.min(r.get(g).copied().unwrap_or(0)))
        .sum();
    let (rt, ct) = (r.values().sum::<usize>(), c.values().sum::<usize>());
    if overlap == 0 || rt == 0 || ct == 0 {
        return RougeScore::default();
    }
    let precision = overlap as f64 / ct as f64;
    let recall = overlap as f64 / rt as f64;
    RougeScore {
        precision,
        recall,
        f1: 2.0 * precision * recall / (precision + recall),
    }
}

fn ngrams<S: AsRef<str>>(toks: &[S], n: usize) -> AHashMap<Vec<&str>, usize> {
    let mut m: AHashMap<Vec<&str>, usize> = AHashMap::new();
    if n > 0 && toks.len() >= n {
        for w in toks.windows(n) {
            *m.entry(w.iter().map(AsRef::as_ref).collect()).or_insert(0) += 1;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one_and_disjoint_zero() {
        let en = LanguageProfile::new(&"en".parse().unwrap());
        let a = rouge_tokens(&en, "The ministers were meeting in Paris.");
        assert_eq!(a, ["the", "minist", "were", "meet", "in", "pari"]);
        assert_eq!(rouge_n(&a, &a, 2).f1, 1.0);
        let b = rouge_tokens(&en, "Nothing alike here");
        assert_eq!(rouge_n(&a, &b, 1).f1, 0.0);
        let empty: Vec<String> = Vec::new();
        assert_eq!(rouge_n(&a, &empty, 1).f1, 0.0);
    }

    #[test]
    fn spaceless_text_counts_characters() {
        let ja = LanguageProfile::new(&"ja".parse().unwrap());
        let t = rouge_tokens(&ja, "東京に行く");
        assert_eq!(t, ["東", "京", "に", "行", "く"]);
    }
}
