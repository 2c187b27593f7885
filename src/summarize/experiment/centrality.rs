//! The ranker's components: TF-IDF sentence vectors, the cosine similarity
//! matrix, directed (PacSum-style) and undirected (LexRank-style) centrality,
//! word-overlap degree and the length factors. Part of the evaluation API
//! ([`super`]); the digest uses none of them.
//!
//! Everything works on sentence indices `0..n` and dense `n × n` matrices:
//! news articles have tens of sentences, so dense is both simple and fast.

use crate::summarize::rank::{SparseVec, TermTable, jaccard};

impl TermTable {
    /// Inverse sentence frequency of a term among `n` sentences, smoothed so
    /// that a term in every sentence still weighs a little.
    pub fn idf(&self, id: u32, n: usize) -> f32 {
        let df = self.df.get(id as usize).copied().unwrap_or(0) as f32;
        ((n as f32 + 1.0) / (df + 0.5)).ln().max(0.05)
    }

    /// Weighs term frequencies by IDF (with sublinear TF) and scales to unit length.
    pub fn tfidf(&self, bag: &mut SparseVec, n: usize) {
        for (id, w) in bag.iter_mut() {
            *w = (1.0 + w.ln()) * self.idf(*id, n);
        }
        let norm = bag.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in bag.iter_mut() {
                *w /= norm;
            }
        }
    }
}

/// Dot product of two sparse vectors (their cosine when both are unit length).
///
/// ```
/// use tmkit::summarize::experiment::centrality::cosine;
/// assert_eq!(cosine(&[(1, 0.6), (2, 0.8)], &[(2, 1.0)]), 0.8);
/// assert_eq!(cosine(&[(1, 1.0)], &[(2, 1.0)]), 0.0);
/// ```
pub fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while let (Some(&(ta, wa)), Some(&(tb, wb))) = (a.get(i), b.get(j)) {
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += wa * wb;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// The symmetric `n × n` matrix of [`jaccard`] similarities (row-major, zero diagonal).
pub fn jaccard_matrix(bags: &[SparseVec]) -> Vec<f32> {
    let n = bags.len();
    let mut m = vec![0.0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = jaccard(&bags[i], &bags[j]);
            m[i * n + j] = s;
            m[j * n + i] = s;
        }
    }
    m
}

/// The symmetric `n × n` cosine matrix (row-major, zero diagonal).
pub fn similarity_matrix(vecs: &[SparseVec]) -> Vec<f32> {
    let n = vecs.len();
    let mut sim = vec![0.0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = cosine(&vecs[i], &vecs[j]);
            sim[i * n + j] = s;
            sim[j * n + i] = s;
        }
    }
    sim
}

/// Directed centrality in the manner of PacSum (Zheng & Lapata, 2019): a
/// sentence gains from later sentences that echo it (`forward`) and from
/// earlier ones (`backward`, usually weighed less or negatively), counting only
/// similarity above a threshold set at `beta` between the smallest and largest
/// similarity in the document.
///
/// ```
/// use tmkit::summarize::experiment::centrality::directed_centrality;
/// // Sentence 0 is echoed by 1 and 2; 1 and 2 are less alike.
/// let sim = [0.0, 0.5, 0.5,  0.5, 0.0, 0.4,  0.5, 0.4, 0.0];
/// let c = directed_centrality(&sim, 3, 0.0, 0.0, 1.0);
/// assert!(c[0] > c[1] && c[0] > c[2]);
/// ```
pub fn directed_centrality(
    sim: &[f32],
    n: usize,
    beta: f32,
    backward: f32,
    forward: f32,
) -> Vec<f32> {
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let s = sim[i * n + j];
                lo = lo.min(s);
                hi = hi.max(s);
            }
        }
    }
    if lo > hi {
        return vec![0.0; n];
    }
    let threshold = lo + beta * (hi - lo);
    (0..n)
        .map(|i| {
            let row = &sim[i * n..(i + 1) * n];
            let (mut back, mut fwd) = (0.0, 0.0);
            for (j, &s) in row.iter().enumerate() {
                let edge = (s - threshold).max(0.0);
                if j < i {
                    back += edge;
                } else if j > i {
                    fwd += edge;
                }
            }
            backward * back + forward * fwd
        })
        .collect()
}

/// Undirected centrality: LexRank's stationary distribution over the
/// similarity graph (continuous edge weights, `damping` as in PageRank),
/// by power iteration.
///
/// ```
/// use tmkit::summarize::experiment::centrality::lexrank;
/// let sim = [0.0, 0.9, 0.1,  0.9, 0.0, 0.1,  0.1, 0.1, 0.0];
/// let r = lexrank(&sim, 3, 0.85);
/// assert!(r[0] > r[2] && r[1] > r[2]);
/// assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-3);
/// ```
pub fn lexrank(sim: &[f32], n: usize, damping: f32) -> Vec<f32> {
    if n == 0 {
        return Vec::new();
    }
    let row_sums: Vec<f32> = (0..n)
        .map(|i| sim[i * n..(i + 1) * n].iter().sum())
        .collect();
    let base = (1.0 - damping) / n as f32;
    let mut rank = vec![1.0 / n as f32; n];
    let mut next = vec![0.0f32; n];
    for _ in 0..50 {
        next.iter_mut().for_each(|x| *x = base);
        let mut dangling = 0.0;
        for j in 0..n {
            if row_sums[j] <= 0.0 {
                dangling += rank[j];
                continue;
            }
            let share = damping * rank[j] / row_sums[j];
            for (i, x) in next.iter_mut().enumerate() {
                *x += share * sim[j * n + i];
            }
        }
        let spread = damping * dangling / n as f32;
        let mut delta = 0.0;
        for (r, x) in rank.iter_mut().zip(next.iter()) {
            let v = x + spread;
            delta += (v - *r).abs();
            *r = v;
        }
        if delta < 1e-5 {
            break;
        }
    }
    rank
}

/// TextRank's edge weight (Mihalcea & Tarau, 2004): shared word occurrences
/// (`Σ tfᵢ(w)·tfⱼ(w)` over raw term frequencies), divided by the sum of the
/// logarithms of the sentence lengths. `len_a` and `len_b` are term counts.
pub fn overlap_similarity(a: &[(u32, f32)], len_a: f32, b: &[(u32, f32)], len_b: f32) -> f32 {
    let shared = cosine(a, b);
    if shared <= 0.0 {
        return 0.0;
    }
    let norm = len_a.max(1.0).ln() + len_b.max(1.0).ln();
    if norm <= 1e-6 { shared } else { shared / norm }
}

/// Weighted degree of each sentence in the TextRank graph, self-loop
/// included, which is what TextRank's random walk converges to on an
/// undirected graph: sentences that share many words with the rest of the
/// article, counted with their repetitions. Takes raw term-frequency bags.
///
/// ```
/// use tmkit::summarize::experiment::centrality::overlap_degree;
/// let bags = vec![vec![(0, 1.0), (1, 1.0)], vec![(0, 1.0), (2, 1.0)], vec![(3, 1.0), (4, 1.0)]];
/// let d = overlap_degree(&bags);
/// assert!(d[0] > d[2] && d[1] > d[2]);
/// ```
pub fn overlap_degree(bags: &[SparseVec]) -> Vec<f32> {
    let lens: Vec<f32> = bags
        .iter()
        .map(|b| b.iter().map(|(_, tf)| tf).sum())
        .collect();
    let n = bags.len();
    let mut degree = vec![0.0f32; n];
    for i in 0..n {
        for j in i..n {
            let w = overlap_similarity(&bags[i], lens[i], &bags[j], lens[j]);
            degree[i] += w;
            if j != i {
                degree[j] += w;
            }
        }
    }
    degree
}

/// Holds back sentences that are too short to inform or too long to read:
/// `words / short` below `short` words, `long / words` above `long` words,
/// 1 in between (0 disables a side). Very long "sentences" are often run-ons
/// or missed boundaries; they should not win just by containing more words.
///
/// ```
/// use tmkit::summarize::experiment::centrality::length_factor;
/// assert_eq!(length_factor(5, 10, 40), 0.5);
/// assert_eq!(length_factor(20, 10, 40), 1.0);
/// assert_eq!(length_factor(80, 10, 40), 0.5);
/// ```
pub fn length_factor(words: usize, short: usize, long: usize) -> f32 {
    let w = words.max(1) as f32;
    let mut f = 1.0;
    if short > 0 {
        f *= (w / short as f32).min(1.0);
    }
    if long > 0 {
        f *= (long as f32 / w).min(1.0);
    }
    f
}

/// The median of sentence lengths in words (at least 1; 1 when there are none).
///
/// ```
/// use tmkit::summarize::experiment::centrality::median_words;
/// assert_eq!(median_words([30, 10, 20].into_iter()), 20);
/// assert_eq!(median_words(std::iter::empty()), 1);
/// ```
pub fn median_words(lengths: impl Iterator<Item = usize>) -> usize {
    let mut v: Vec<usize> = lengths.collect();
    if v.is_empty() {
        return 1;
    }
    let mid = v.len() / 2;
    let (_, median, _) = v.select_nth_unstable(mid);
    (*median).max(1)
}

/// Holds back sentences much longer than the article's typical one:
/// `cap × median / words` above `cap × median` words, else 1 (`cap` ≤ 0
/// disables). ROUGE F1 against a short reference pays for every extra word,
/// and a sentence three times the article's median is usually a run-on.
///
/// ```
/// use tmkit::summarize::experiment::centrality::relative_length_factor;
/// assert_eq!(relative_length_factor(40, 20, 2.5), 1.0);
/// assert_eq!(relative_length_factor(100, 20, 2.5), 0.5);
/// assert_eq!(relative_length_factor(100, 20, 0.0), 1.0);
/// ```
pub fn relative_length_factor(words: usize, median: usize, cap: f32) -> f32 {
    if cap <= 0.0 {
        return 1.0;
    }
    (cap * median.max(1) as f32 / words.max(1) as f32).min(1.0)
}

/// Scales `xs` so that the largest is 1 (all zeros when none is positive).
pub fn normalize_max(xs: &mut [f32]) {
    let max = xs.iter().copied().fold(0.0f32, f32::max);
    for x in xs.iter_mut() {
        *x = if max > 0.0 { (*x / max).max(0.0) } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tfidf_weighs_rare_terms_up_and_scales_to_unit_length() {
        let mut t = TermTable::new();
        let a = t.id("storm");
        let b = t.id("coast");
        let mut ids = vec![a, b, a];
        let bag = t.bag(&mut ids, true);
        let mut ids = vec![a];
        t.bag(&mut ids, true);
        assert!(t.idf(b, 2) > t.idf(a, 2));
        let mut v = bag.clone();
        t.tfidf(&mut v, 2);
        let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }

    #[test]
    fn similarity_matrix_is_symmetric_with_zero_diagonal() {
        let vecs = vec![vec![(0, 1.0)], vec![(0, 0.6), (1, 0.8)], vec![(2, 1.0)]];
        let sim = similarity_matrix(&vecs);
        assert_eq!(sim[1], sim[3]);
        assert_eq!(sim[0], 0.0);
        assert!((sim[1] - 0.6).abs() < 1e-6);
        assert_eq!(sim[2], 0.0);
    }

    #[test]
    fn directed_centrality_penalizes_looking_back() {
        let sim = [0.0, 0.5, 0.4, 0.5, 0.0, 0.3, 0.4, 0.3, 0.0];
        let c = directed_centrality(&sim, 3, 0.0, -1.0, 1.0);
        assert!((c[0] - 0.3).abs() < 1e-6, "{c:?}");
        assert!(c[0] > c[2] && c[2] > c[1], "{c:?}");
        assert_eq!(directed_centrality(&[0.0], 1, 0.5, -1.0, 1.0), [0.0]);
    }

    #[test]
    fn lexrank_handles_isolated_sentences() {
        let r = lexrank(&[0.0; 4], 2, 0.85);
        assert!((r[0] - 0.5).abs() < 1e-4 && (r[1] - 0.5).abs() < 1e-4);
        assert!(lexrank(&[], 0, 0.85).is_empty());
    }

    #[test]
    fn relative_length_factor_only_holds_back_outliers() {
        let median = median_words([12, 25, 18, 30, 9].into_iter());
        assert_eq!(median, 18);
        assert_eq!(relative_length_factor(44, median, 2.5), 1.0);
        let long = relative_length_factor(90, median, 2.5);
        assert!((long - 0.5).abs() < 1e-6, "{long}");
        assert_eq!(relative_length_factor(90, median, -1.0), 1.0);
        assert_eq!(relative_length_factor(0, 0, 2.5), 1.0);
    }

    #[test]
    fn normalize_max_scales_to_one() {
        let mut xs = [2.0, 1.0, -1.0];
        normalize_max(&mut xs);
        assert_eq!(xs, [1.0, 0.5, 0.0]);
        let mut zeros = [0.0, -1.0];
        normalize_max(&mut zeros);
        assert_eq!(zeros, [0.0, 0.0]);
    }
}
