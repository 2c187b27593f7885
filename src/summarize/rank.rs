//! The ranking components, each usable on its own: TF-IDF sentence vectors,
//! the cosine similarity matrix, directed (PacSum-style) and undirected
//! (LexRank-style) centrality, word-overlap degree, the length factors,
//! term-set Jaccard similarity, the filter that keeps fragments, bylines and
//! captions out of a digest, the trimming of datelines and share bars, and
//! the selection of the eligible lead. The digest uses the filter, the
//! trimming, Jaccard and the lead selection; the centrality components feed
//! the learned ranker of [`super::Summarizer::rank`], the evaluation API.
//!
//! Everything works on sentence indices `0..n` and dense `n × n` matrices:
//! news articles have tens of sentences, so dense is both simple and fast.

use ahash::AHashMap;

/// A sparse vector: `(term id, weight)` sorted by term id.
pub type SparseVec = Vec<(u32, f32)>;

/// Interns terms to dense ids and counts in how many sentences each occurs.
#[derive(Debug, Default)]
pub struct TermTable {
    ids: AHashMap<String, u32>,
    /// Sentence frequency per term id.
    df: Vec<u32>,
}

impl TermTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `term`, interning it if new.
    pub fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.df.len() as u32;
        self.ids.insert(term.to_string(), id);
        self.df.push(0);
        id
    }

    /// Turns a bag of term ids into term frequencies sorted by id, counting
    /// each distinct term once in its sentence frequency when `count_df`.
    pub fn bag(&mut self, ids: &mut Vec<u32>, count_df: bool) -> SparseVec {
        ids.sort_unstable();
        let mut out: SparseVec = Vec::with_capacity(ids.len());
        for &id in ids.iter() {
            match out.last_mut() {
                Some((last, tf)) if *last == id => *tf += 1.0,
                _ => {
                    out.push((id, 1.0));
                    if count_df && let Some(df) = self.df.get_mut(id as usize) {
                        *df += 1;
                    }
                }
            }
        }
        ids.clear();
        out
    }

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
/// use tmkit::summarize::rank::cosine;
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

/// Jaccard similarity of two term sets (the ids of two bags).
///
/// ```
/// use tmkit::summarize::rank::jaccard;
/// assert_eq!(jaccard(&[(1, 2.0), (2, 1.0)], &[(2, 1.0), (3, 1.0)]), 1.0 / 3.0);
/// assert_eq!(jaccard(&[], &[]), 0.0);
/// ```
pub fn jaccard(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while let (Some(&(ta, _)), Some(&(tb, _))) = (a.get(i), b.get(j)) {
        match ta.cmp(&tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f32 / union as f32
    }
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
/// use tmkit::summarize::rank::directed_centrality;
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
/// use tmkit::summarize::rank::lexrank;
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
/// use tmkit::summarize::rank::overlap_degree;
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
/// use tmkit::summarize::rank::length_factor;
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
/// use tmkit::summarize::rank::median_words;
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
/// use tmkit::summarize::rank::relative_length_factor;
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

/// Why a sentence is kept out of a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Too few words to stand alone.
    Fragment,
    /// A heading, byline or dateline: short and without final punctuation.
    Heading,
    /// Entirely inside brackets, like "(Photos by Reuters)".
    Bracketed,
    /// An item of a list (`1.`, `2)`, `-`, `•`): a fragment of the sentence
    /// that introduces the list.
    ListItem,
    /// A byline with final punctuation ("By Jane Doe, Maritime Correspondent.").
    Byline,
}

/// Bytes at the start of a sentence that are page chrome rather than prose: a
/// dateline such as "WASHINGTON (Reuters) - ", "Jakarta, CNN Indonesia - - ",
/// "PARIS – " or "(CNN)", or a share bar run into the text ("Share this
/// with ... Copy this link"). 0 when there is none.
///
/// ```
/// use tmkit::summarize::rank::chrome_prefix_len;
/// let s = "Los Angeles (ANTARA News) - Aktor Ben Stiller mengungkapkan dia sakit.";
/// assert_eq!(&s[chrome_prefix_len(s)..], "Aktor Ben Stiller mengungkapkan dia sakit.");
/// let s = "(CNN)Blues legend B.B. King was hospitalized on Tuesday.";
/// assert_eq!(&s[chrome_prefix_len(s)..], "Blues legend B.B. King was hospitalized on Tuesday.");
/// assert_eq!(chrome_prefix_len("Mr Smith - who was arrested - said nothing at all."), 0);
/// ```
pub fn chrome_prefix_len(sentence: &str) -> usize {
    let skip_space = |at: usize| at + (sentence[at..].len() - sentence[at..].trim_start().len());
    if sentence.starts_with("Share this with")
        && let Some(at) = sentence.find("this link")
    {
        return skip_space(at + "this link".len());
    }
    if sentence.starts_with('(')
        && let Some(close) = super::prefix(sentence, 40).find(')')
        && is_name(&sentence[1..close])
    {
        let rest = sentence[close + 1..].trim_start_matches([' ', '-', '–', '—']);
        if rest.chars().next().is_some_and(char::is_uppercase) {
            return sentence.len() - rest.len();
        }
    }
    let Some((prefix_end, rest_start)) = dateline_separator(sentence) else {
        return 0;
    };
    let prefix = sentence[..prefix_end].trim();
    let rest = &sentence[rest_start..];
    let agency = prefix.ends_with(')') && prefix.contains('(');
    let first = prefix.split([' ', ',']).next().unwrap_or_default();
    let capital_city = first.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && first.chars().all(|c| !c.is_lowercase());
    let place_and_source = prefix.contains(',') && is_name(&prefix.replace(',', " "));
    let prose_follows = rest
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || opens_quote(c))
        && rest.split_whitespace().nth(3).is_some();
    if (agency || capital_city || place_and_source) && prose_follows {
        rest_start
    } else {
        0
    }
}

fn opens_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '«' | '„' | '\'' | '‘')
}

/// Up to six words, each capitalized or a number: a place or an agency.
fn is_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=6).contains(&words.len())
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_numeric() || c == '(')
        })
}

/// Where a dateline's dash separator is within the first 60 bytes: the end of
/// the prefix and the start of the prose after the dashes.
fn dateline_separator(s: &str) -> Option<(usize, usize)> {
    let at = super::prefix(s, 60)
        .match_indices(' ')
        .map(|(i, _)| i)
        .find(|&i| s[i + 1..].starts_with(['-', '–', '—']))?;
    let prefix = &s[..at];
    if prefix.contains(['.', '!', '?', ':', ';']) || prefix.split_whitespace().count() > 6 {
        return None;
    }
    let after = s[at..].trim_start_matches([' ', '-', '–', '—']);
    let rest_start = s.len() - after.len();
    // A separator is one or two dashes set off by spaces, not a hyphenated word.
    s[at..rest_start].ends_with(' ').then_some((at, rest_start))
}

/// True when `s` starts with a list marker: a bullet, or up to three digits
/// (any script) followed by `.` or `)`, then a space.
fn starts_with_list_marker(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '–' | '·' | '▪') => {
            return chars.next().is_some_and(char::is_whitespace);
        }
        Some(c) if c.is_numeric() => {}
        _ => return false,
    }
    let mut digits = 1;
    for c in chars.by_ref() {
        if c.is_numeric() {
            digits += 1;
            if digits > 3 {
                return false;
            }
            continue;
        }
        return matches!(c, '.' | ')') && chars.next().is_some_and(char::is_whitespace);
    }
    false
}

/// Decides whether a sentence may appear in a digest: fragments, headings,
/// bylines, datelines, bracketed captions, list items and lone quotes may not.
///
/// ```
/// use tmkit::summarize::rank::{Rejection, reject};
/// assert_eq!(reject("(Photos by Reuters staff)", 4), Some(Rejection::Bracketed));
/// assert_eq!(reject("By John Smith, BBC News", 5), Some(Rejection::Byline));
/// assert_eq!(reject("\"Yes.\"", 1), Some(Rejection::Fragment));
/// assert_eq!(reject("The storm hit the coast on Monday.", 7), None);
/// ```
pub fn reject(sentence: &str, words: usize) -> Option<Rejection> {
    let s = sentence.trim();
    if words < 4 {
        return Some(Rejection::Fragment);
    }
    if starts_with_list_marker(s) {
        return Some(Rejection::ListItem);
    }
    if crate::html::looks_like_byline(s) {
        return Some(Rejection::Byline);
    }
    let pairs = [('(', ')'), ('[', ']'), ('（', '）'), ('【', '】')];
    if pairs
        .iter()
        .any(|&(open, close)| s.starts_with(open) && s.ends_with(close))
    {
        return Some(Rejection::Bracketed);
    }
    let last = s
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', '」', '』', '*'])
        .chars()
        .next_back();
    let terminal = matches!(
        last,
        Some('.' | '!' | '?' | '…' | '。' | '！' | '？' | '؟' | '۔' | '।' | ':' | ';')
    );
    if !terminal && words <= 10 {
        return Some(Rejection::Heading);
    }
    None
}

/// Picks the eligible lead: the earliest eligible sentences that `fits`
/// accepts, up to `budget`, in document order. `fits(i, taken)` can veto a
/// candidate (a near-duplicate of one already taken, a word budget); a vetoed
/// sentence is skipped, not an end.
///
/// ```
/// use tmkit::summarize::rank::lead_select;
/// // Sentence 1 is a fragment; 3 repeats 0.
/// let eligible = [true, false, true, true, true];
/// let picked = lead_select(&eligible, 3, |i, taken| !(i == 3 && taken.contains(&0)));
/// assert_eq!(picked, [0, 2, 4]);
/// ```
pub fn lead_select(
    eligible: &[bool],
    budget: usize,
    mut fits: impl FnMut(usize, &[usize]) -> bool,
) -> Vec<usize> {
    let mut taken: Vec<usize> = Vec::with_capacity(budget.min(eligible.len()));
    for i in (0..eligible.len()).filter(|&i| eligible[i]) {
        if taken.len() == budget {
            break;
        }
        if fits(i, &taken) {
            taken.push(i);
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_table_counts_sentence_frequency_once_per_sentence() {
        let mut t = TermTable::new();
        let a = t.id("storm");
        let b = t.id("coast");
        assert_eq!(t.id("storm"), a);
        let mut ids = vec![a, b, a];
        let bag = t.bag(&mut ids, true);
        assert_eq!(bag, [(a, 2.0), (b, 1.0)]);
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
    fn rejects_list_items_but_not_numbers() {
        for item in [
            "2. une baisse de 2 000 postes dans la fonction publique ;",
            "1) Les dépenses baisseront de 3 % l'an prochain.",
            "- Roofs were torn off across the town.",
            "۱. مورد اول فهرست است که طولانی است.",
        ] {
            assert_eq!(reject(item, 8), Some(Rejection::ListItem), "{item}");
        }
        for sentence in [
            "2027 will be a difficult year for the budget.",
            "3.5 million people voted on Sunday in the election.",
            "12,5 milliards d'euros seront économisés l'an prochain.",
        ] {
            assert_eq!(reject(sentence, 8), None, "{sentence}");
        }
    }

    #[test]
    fn rejects_captions_headings_and_fragments_but_not_sentences() {
        assert_eq!(reject("（写真：ロイター）", 6), Some(Rejection::Bracketed));
        assert_eq!(reject("PARIS", 1), Some(Rejection::Fragment));
        assert_eq!(
            reject("Par Jean Dupont, envoyé spécial à Kiev", 7),
            Some(Rejection::Byline)
        );
        assert_eq!(reject("政府は火曜日、新しい予算を発表した。", 16), None);
        assert_eq!(reject("“We will not give up,” she said.", 7), None);
        assert_eq!(reject("قال الوزير إن الحكومة ستخفض الضرائب.", 6), None);
    }

    #[test]
    fn lead_selection_skips_ineligible_and_vetoed_sentences() {
        let eligible = [false, true, true, false, true, true];
        assert_eq!(lead_select(&eligible, 3, |_, _| true), [1, 2, 4]);
        // A word budget: sentence 2 is too long once 1 is taken, 4 still fits.
        let words = [5, 10, 30, 5, 8, 8];
        let fits = |i: usize, taken: &[usize]| {
            taken.iter().map(|&t| words[t]).sum::<usize>() + words[i] <= 20
        };
        assert_eq!(lead_select(&eligible, 3, fits), [1, 4]);
        assert!(lead_select(&eligible, 0, |_, _| true).is_empty());
        assert!(lead_select(&[false; 3], 2, |_, _| true).is_empty());
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
