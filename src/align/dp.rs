//! The search: a band of cells around a guide path, the word evidence of
//! every sentence pair inside it, the cost of a bead, and the dynamic
//! programme that picks the cheapest sequence of beads.
//!
//! Time and memory are proportional to the number of cells in the band
//! (sentences × band width), not to the product of the two lengths.

// The DP walks several parallel arrays by sentence and boundary index;
// indices say which cell is meant more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

use super::prepare::{Keys, Side};

/// The bead shapes tried, as (source sentences, target sentences).
pub(crate) const SHAPES: [(usize, usize); 13] = [
    (1, 1),
    (1, 0),
    (0, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (1, 3),
    (3, 1),
    (2, 3),
    (3, 2),
    (1, 4),
    (4, 1),
    (3, 3),
];
/// The most sentences a bead takes from one side.
pub(crate) const MAX_SIDE: usize = 4;

/// For each boundary row `i` (source sentences consumed), the inclusive range
/// of target boundaries `j` searched. Both ends never decrease with `i`.
#[derive(Debug, Clone)]
pub(crate) struct Band {
    pub lo: Vec<usize>,
    pub hi: Vec<usize>,
}

impl Band {
    /// Cells within `width(i)` of the line through `guide` (points `(i, j)`
    /// in boundary coordinates, increasing in both; the corners are added).
    pub fn around(guide: &[(f64, f64)], n: usize, m: usize, width: &dyn Fn(usize) -> f64) -> Band {
        let mut points: Vec<(f64, f64)> = Vec::with_capacity(guide.len() + 2);
        points.push((0.0, 0.0));
        points.extend(
            guide
                .iter()
                .copied()
                .filter(|&(x, y)| x > 0.0 && x < n as f64 && y > 0.0 && y < m as f64),
        );
        points.push((n as f64, m as f64));
        let mut lo = Vec::with_capacity(n + 1);
        let mut hi = Vec::with_capacity(n + 1);
        let mut seg = 0;
        for i in 0..=n {
            let x = i as f64;
            while seg + 2 < points.len() && points[seg + 1].0 <= x {
                seg += 1;
            }
            let (a, b) = (points[seg], points[seg + 1]);
            let centre = if b.0 > a.0 {
                a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
            } else {
                a.1
            };
            let w = width(i).max(2.0);
            lo.push((centre - w).floor().clamp(0.0, m as f64) as usize);
            hi.push((centre + w).ceil().clamp(0.0, m as f64) as usize);
        }
        // The guide's own points are inside: where it runs along one row
        // (a run of sentences without counterpart), that row spans the run.
        for &(x, y) in guide {
            if x.fract() == 0.0 && x >= 0.0 && x <= n as f64 {
                let (i, w) = (x as usize, width(x as usize).max(2.0));
                lo[i] = lo[i].min((y - w).floor().clamp(0.0, m as f64) as usize);
                hi[i] = hi[i].max((y + w).ceil().clamp(0.0, m as f64) as usize);
            }
        }
        // The corners must be inside, and the ends may never go back.
        lo[0] = 0;
        hi[n] = m;
        for i in (0..n).rev() {
            lo[i] = lo[i].min(lo[i + 1]);
        }
        for i in 1..=n {
            hi[i] = hi[i].max(hi[i - 1]);
        }
        Band { lo, hi }
    }

    /// True when the path runs along an edge of the band that is not an edge
    /// of the whole grid: the best path may lie outside.
    pub fn touched_by(&self, path: &[(usize, usize)], m: usize) -> bool {
        path.iter().any(|&(i, j)| {
            (j == self.lo[i] && self.lo[i] > 0) || (j == self.hi[i] && self.hi[i] < m)
        })
    }
}

/// Word evidence of the sentence pairs inside a band: for source sentence
/// `i` and target sentence `j`, the weight of `i`'s tokens that `j` covers
/// and of `j`'s tokens that `i` covers.
#[derive(Debug, Default)]
pub(crate) struct PairEvidence {
    /// First target sentence stored for each source sentence.
    start: Vec<usize>,
    /// Where each source sentence's row begins in the flat arrays.
    offset: Vec<usize>,
    src_covered: Vec<f32>,
    tgt_covered: Vec<f32>,
    /// At `(i, j)`: the weight of source sentence `i`'s tokens covered by
    /// both target sentences `j` and `j + 1`, counted twice by a sum of pairs.
    src_both: Vec<f32>,
    /// At `(i, j)`: the weight of target sentence `j`'s tokens covered by
    /// both source sentences `i` and `i + 1`.
    tgt_both: Vec<f32>,
    /// For each source sentence, the weight a bead of 1, 2, 3 or 4 target
    /// sentences drawn at random would cover.
    src_chance: Vec<[f32; MAX_SIDE]>,
    /// The same for each target sentence.
    tgt_chance: Vec<[f32; MAX_SIDE]>,
}

/// For each sentence of `side`, the weight of its tokens that `l` sentences
/// of the other side picked at random cover, for `l` = 1..=4: a token whose
/// keys occur in a share `p` of the other side's sentences is covered with
/// probability `1 - (1 - p)^l`. Subtracted from what a bead covers, this
/// leaves the evidence beyond chance; a sentence merged into a bead for no
/// reason raises the bead's chance more than what it covers.
fn chance_by_size(
    side: &Side,
    keys: &[Keys],
    other_postings: &[Vec<u32>],
    other_len: usize,
) -> Vec<[f32; MAX_SIDE]> {
    let mut mark = vec![u32::MAX; other_len];
    let share: Vec<f32> = keys
        .iter()
        .enumerate()
        .map(|(t, ks)| {
            let mut count = 0usize;
            for &k in ks {
                for &j in &other_postings[k as usize] {
                    if mark[j as usize] != t as u32 {
                        mark[j as usize] = t as u32;
                        count += 1;
                    }
                }
            }
            count as f32 / other_len.max(1) as f32
        })
        .collect();
    side.sents
        .iter()
        .map(|toks| {
            let mut out = [0.0f32; MAX_SIDE];
            for &t in toks {
                let (w, p) = (side.weight[t as usize], share[t as usize]);
                let mut miss = 1.0;
                for slot in out.iter_mut() {
                    miss *= 1.0 - p;
                    *slot += w * (1.0 - miss);
                }
            }
            out
        })
        .collect()
}

/// What the evidence needs to know about the two sides.
pub(crate) struct Evidence<'a> {
    pub src: &'a Side,
    pub tgt: &'a Side,
    pub src_keys: &'a [Keys],
    pub tgt_keys: &'a [Keys],
    /// For each key, the target sentences holding it.
    pub tgt_postings: &'a [Vec<u32>],
    /// For each key, the source sentences holding it.
    pub src_postings: &'a [Vec<u32>],
}

impl PairEvidence {
    /// Collects the evidence of every pair a bead inside `band` can use.
    pub fn collect(ev: &Evidence<'_>, band: &Band) -> PairEvidence {
        let (n, m) = (ev.src.len(), ev.tgt.len());
        let mut start = Vec::with_capacity(n);
        let mut end = Vec::with_capacity(n);
        let mut offset = Vec::with_capacity(n + 1);
        let mut total = 0;
        for i in 0..n {
            let s = band.lo[i + 1].saturating_sub(MAX_SIDE);
            let e = band.hi[(i + MAX_SIDE).min(n)].min(m).max(s);
            start.push(s);
            end.push(e);
            offset.push(total);
            total += e - s;
        }
        offset.push(total);
        let mut pe = PairEvidence {
            start,
            offset,
            src_covered: vec![0.0; total],
            tgt_covered: vec![0.0; total],
            src_both: vec![0.0; total],
            tgt_both: vec![0.0; total],
            src_chance: Vec::new(),
            tgt_chance: Vec::new(),
        };
        // Source tokens covered: walk each token's keys through the target postings.
        let mut seen: Vec<u32> = Vec::new();
        let mut cols: Vec<usize> = Vec::new();
        for i in 0..n {
            let (s, e, off) = (pe.start[i], end[i], pe.offset[i]);
            seen.clear();
            seen.resize(e - s, u32::MAX);
            for &t in &ev.src.sents[i] {
                let w = ev.src.weight[t as usize];
                cols.clear();
                for &k in &ev.src_keys[t as usize] {
                    let post = &ev.tgt_postings[k as usize];
                    let from = post.partition_point(|&j| (j as usize) < s);
                    for &j in post[from..].iter().take_while(|&&j| (j as usize) < e) {
                        let col = j as usize - s;
                        if seen[col] != t {
                            seen[col] = t;
                            pe.src_covered[off + col] += w;
                            cols.push(col);
                        }
                    }
                }
                cols.sort_unstable();
                for pair in cols.windows(2) {
                    if pair[1] == pair[0] + 1 {
                        pe.src_both[off + pair[0]] += w;
                    }
                }
            }
        }
        // Target tokens covered: the source rows whose stored range holds `j`
        // are contiguous, since both ends never decrease.
        let (mut first, mut last) = (0usize, 0usize);
        let mut seen_rows: Vec<u32> = Vec::new();
        for j in 0..m {
            while first < n && end[first] <= j {
                first += 1;
            }
            while last < n && pe.start[last] <= j {
                last += 1;
            }
            if first >= last {
                continue;
            }
            seen_rows.clear();
            seen_rows.resize(last - first, u32::MAX);
            for &u in &ev.tgt.sents[j] {
                let w = ev.tgt.weight[u as usize];
                cols.clear();
                for &k in &ev.tgt_keys[u as usize] {
                    let post = &ev.src_postings[k as usize];
                    let from = post.partition_point(|&i| (i as usize) < first);
                    for &i in post[from..].iter().take_while(|&&i| (i as usize) < last) {
                        let i = i as usize;
                        if j < pe.start[i] || j >= end[i] || seen_rows[i - first] == u {
                            continue;
                        }
                        seen_rows[i - first] = u;
                        pe.tgt_covered[pe.offset[i] + j - pe.start[i]] += w;
                        cols.push(i);
                    }
                }
                cols.sort_unstable();
                for pair in cols.windows(2) {
                    if pair[1] == pair[0] + 1 {
                        pe.tgt_both[pe.offset[pair[0]] + j - pe.start[pair[0]]] += w;
                    }
                }
            }
        }
        pe.src_chance = chance_by_size(ev.src, ev.src_keys, ev.tgt_postings, m);
        pe.tgt_chance = chance_by_size(ev.tgt, ev.tgt_keys, ev.src_postings, n);
        pe
    }

    /// Where the pair `(i, j)` is stored, if it is.
    #[inline]
    fn slot(&self, i: usize, j: usize) -> Option<usize> {
        let s = self.start[i];
        let row = self.offset[i]..self.offset[i + 1];
        (j >= s && j - s < row.len()).then(|| row.start + j - s)
    }

    /// (source weight covered, target weight covered) for the pair `(i, j)`.
    #[inline]
    fn get(&self, i: usize, j: usize) -> (f32, f32) {
        self.slot(i, j).map_or((0.0, 0.0), |at| {
            (self.src_covered[at], self.tgt_covered[at])
        })
    }

    /// (weight of source `i` covered by both targets `j` and `j + 1`, weight
    /// of target `j` covered by both sources `i` and `i + 1`).
    #[inline]
    fn both(&self, i: usize, j: usize) -> (f32, f32) {
        self.slot(i, j)
            .map_or((0.0, 0.0), |at| (self.src_both[at], self.tgt_both[at]))
    }
}

/// The weights of the cost.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    /// `-ln P(shape)` for each of [`SHAPES`].
    pub prior: [f32; SHAPES.len()],
    /// Weight of the length cost.
    pub length: f32,
    /// Weight of the word evidence, per mean sentence weight covered.
    pub words: f32,
    /// Cost of a bead that spans a paragraph break on one side only.
    pub paragraph: f32,
    /// Cost of a null bead (1-0 or 0-1) that follows a bead of another kind.
    pub null_open: f32,
    /// Cost of a null bead that follows a null bead on the same side:
    /// untranslated material (captions, notes, a skipped paragraph) comes
    /// in runs, so a run costs less than as many isolated null beads.
    pub null_extend: f32,
    /// Weight of the length cost of a null bead (0: its length does not matter).
    pub null_length: f32,
    /// Weight of the length support asked of a merge: how much worse the
    /// lengths agree with the sentence at either end of a merged side than
    /// without it (a sentence inserted next to its translation's neighbour
    /// makes them worse; one part of a split translation makes them better).
    pub merge_length: f32,
    /// Weight (times `words`) of the word support asked of each sentence of
    /// a merged side: the weight it would need to be covered as well as the
    /// bead as a whole, less what it is, per mean sentence. A sentence that
    /// shares a few words with its neighbour by chance is covered much less
    /// than the neighbour's bead; each part of a split translation about as
    /// well.
    pub merge_words: f32,
}

/// Length model: target characters ≈ `ratio` × source characters, with a
/// variance of `variance` per character (Gale and Church's model, with the
/// ratio of the document in place of 1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LengthModel {
    pub ratio: f64,
    pub variance: f64,
    /// Cost as Gale and Church define it, `-ln P(|δ| ≥ z)`; otherwise the
    /// negative log-density `z²/2`. The tail probability of a sum of
    /// sentences is always less surprising than that of its parts, which
    /// pulls the search towards merged beads once word evidence is there
    /// to tell beads apart; the density does not.
    pub tail: bool,
}

impl LengthModel {
    /// How surprising the two lengths are together (see [`LengthModel::tail`]).
    pub fn cost(&self, l1: f64, l2: f64) -> f64 {
        if l1 == 0.0 && l2 == 0.0 {
            return 0.0;
        }
        let mean = ((l1 * self.ratio + l2) / 2.0).max(1e-9);
        let z = (l2 - l1 * self.ratio).abs() / (mean * self.variance).sqrt();
        if self.tail {
            -ln_erfc(z / std::f64::consts::SQRT_2)
        } else {
            z * z / 2.0
        }
    }
}

/// `ln erfc(x)` for `x ≥ 0`, from the Chebyshev fit of Press et al.
/// (relative error under 1.2e-7), evaluated in log space so that it stays
/// finite for large `x`.
fn ln_erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    t.ln() - x * x + poly
}

/// Everything a bead's cost depends on.
pub(crate) struct CostModel<'a> {
    pub src: &'a Side,
    pub tgt: &'a Side,
    pub pairs: &'a PairEvidence,
    pub params: &'a Params,
    pub length: LengthModel,
    /// Prefix sums of sentence lengths in characters.
    pub src_chars: &'a [u64],
    pub tgt_chars: &'a [u64],
    /// Mean sentence weight of each side (the unit of word evidence).
    pub src_unit: f32,
    pub tgt_unit: f32,
    /// Paragraph starts, when both sides have paragraphs.
    pub paragraphs: Option<(&'a [bool], &'a [bool])>,
    /// Extra reward for a 1-1 bead on a pair that a memory vouches for.
    pub anchor_bonus: &'a dyn Fn(usize, usize) -> f32,
}

/// A bead's cost and the evidence behind it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BeadCost {
    pub cost: f32,
    /// Token weight covered on both sides.
    pub covered: f32,
    /// Token weight on both sides.
    pub weight: f32,
    /// The length cost alone.
    pub length: f32,
}

impl CostModel<'_> {
    /// The cost of the bead of source sentences `a..b` and target sentences `c..d`.
    pub fn bead(&self, shape: usize, a: usize, b: usize, c: usize, d: usize) -> BeadCost {
        let l1 = (self.src_chars[b] - self.src_chars[a]) as f64;
        let l2 = (self.tgt_chars[d] - self.tgt_chars[c]) as f64;
        let length = self.length.cost(l1, l2) as f32;
        let (mut cov_s, mut cov_t, mut w_s, mut w_t) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for i in a..b {
            w_s += self.src.sent_weight[i];
        }
        for j in c..d {
            w_t += self.tgt.sent_weight[j];
        }
        let (mut part_s, mut part_t) = ([0.0f32; MAX_SIDE], [0.0f32; MAX_SIDE]);
        let mut merge_lack = 0.0f32;
        if a < b && c < d {
            // What each sentence's tokens are covered by the other side (a
            // token covered by two neighbours counts once), less what as
            // many sentences drawn at random would cover.
            for i in a..b {
                let covered: f32 = (c..d).map(|j| self.pairs.get(i, j).0).sum::<f32>()
                    - (c..d - 1).map(|j| self.pairs.both(i, j).0).sum::<f32>();
                let x = covered.min(self.src.sent_weight[i]) - self.pairs.src_chance[i][d - c - 1];
                cov_s += x;
                part_s[i - a] = x;
            }
            for j in c..d {
                let covered: f32 = (a..b).map(|i| self.pairs.get(i, j).1).sum::<f32>()
                    - (a..b - 1).map(|i| self.pairs.both(i, j).1).sum::<f32>();
                let x = covered.min(self.tgt.sent_weight[j]) - self.pairs.tgt_chance[j][b - a - 1];
                cov_t += x;
                part_t[j - c] = x;
            }
        }
        if a < b && c < d && (b - a > 1 || d - c > 1) && self.params.merge_words > 0.0 {
            let share = ((cov_s + cov_t) / (w_s + w_t).max(1e-3)).max(0.0);
            let mut lack = 0.0f32;
            if b - a > 1 {
                for i in a..b {
                    lack +=
                        (share * self.src.sent_weight[i] - part_s[i - a]).max(0.0) / self.src_unit;
                }
            }
            if d - c > 1 {
                for j in c..d {
                    lack +=
                        (share * self.tgt.sent_weight[j] - part_t[j - c]).max(0.0) / self.tgt_unit;
                }
            }
            merge_lack = lack / 2.0;
        }
        let evidence = (cov_s / self.src_unit + cov_t / self.tgt_unit) / 2.0;
        let length_weight = if a == b || c == d {
            self.params.null_length
        } else {
            self.params.length
        };
        let prior = if a == b || c == d {
            self.params.null_open
        } else {
            self.params.prior[shape]
        };
        let mut cost = prior + length_weight * length - self.params.words * evidence
            + self.params.words * self.params.merge_words * merge_lack;
        if a < b && c < d && (b - a > 1 || d - c > 1) && self.params.merge_length > 0.0 {
            cost += self.params.merge_length * self.merge_length_excess(a, b, c, d, length);
        }
        if b - a == 1 && d - c == 1 {
            cost -= (self.anchor_bonus)(a, c);
        }
        if let Some((ps, pt)) = self.paragraphs {
            let crosses_s = (a + 1..b).any(|i| ps[i]);
            let crosses_t = (c + 1..d).any(|j| pt[j]);
            if crosses_s != crosses_t {
                cost += self.params.paragraph;
            }
            if a < b && c < d && ps[a] != pt[c] {
                cost += self.params.paragraph / 2.0;
            }
        }
        BeadCost {
            cost,
            covered: cov_s + cov_t,
            weight: w_s + w_t,
            length,
        }
    }
}

impl CostModel<'_> {
    /// How much worse the lengths of a merged bead agree than those of the
    /// bead without the sentence at one end of a merged side (0 when every
    /// such sentence makes them agree better).
    fn merge_length_excess(&self, a: usize, b: usize, c: usize, d: usize, full: f32) -> f32 {
        let cost = |a: usize, b: usize, c: usize, d: usize| {
            let l1 = (self.src_chars[b] - self.src_chars[a]) as f64;
            let l2 = (self.tgt_chars[d] - self.tgt_chars[c]) as f64;
            self.length.cost(l1, l2) as f32
        };
        let mut best = f32::INFINITY;
        if b - a > 1 {
            best = best.min(cost(a + 1, b, c, d)).min(cost(a, b - 1, c, d));
        }
        if d - c > 1 {
            best = best.min(cost(a, b, c + 1, d)).min(cost(a, b, c, d - 1));
        }
        (full - best).max(0.0)
    }
}

/// A bead found by the search: source `a..b`, target `c..d`, and its cost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub a: usize,
    pub b: usize,
    pub c: usize,
    pub d: usize,
    pub cost: BeadCost,
}

/// Which kind of bead ends the best path to a cell.
const ENDS_MERGED: u8 = 0;
const ENDS_SRC_NULL: u8 = 1;
const ENDS_TGT_NULL: u8 = 2;

/// The cheapest bead sequence from `(0, 0)` to `(n, m)` inside `band`, and
/// the boundary points it passes through.
///
/// Null beads have affine costs, as gaps in sequence alignment: each cell
/// keeps, beside its best cost, the best cost of a path ending in a run of
/// 1-0 beads and of one ending in a run of 0-1 beads, and a null bead that
/// continues a run costs `null_extend` instead of `null_open`.
pub(crate) fn search(model: &CostModel<'_>, band: &Band) -> (Vec<Step>, Vec<(usize, usize)>) {
    let n = model.src.len();
    let m = model.tgt.len();
    let mut row_offset = Vec::with_capacity(n + 2);
    let mut total = 0;
    for i in 0..=n {
        row_offset.push(total);
        total += band.hi[i] - band.lo[i] + 1;
    }
    let discount = model.params.null_open - model.params.null_extend;
    // Best cost of any path, of a path ending in a 1-0 run, in a 0-1 run.
    let mut cost = vec![f32::INFINITY; total];
    let mut src_run = vec![f32::INFINITY; total];
    let mut tgt_run = vec![f32::INFINITY; total];
    // Shape of the best non-null last bead; what ends the best path; whether
    // each run's last bead continues a run.
    let mut back = vec![u8::MAX; total];
    let mut ends = vec![ENDS_MERGED; total];
    let mut src_extends = vec![false; total];
    let mut tgt_extends = vec![false; total];
    let at = |i: usize, j: usize| -> Option<usize> {
        (j >= band.lo[i] && j <= band.hi[i]).then(|| row_offset[i] + j - band.lo[i])
    };
    for i in 0..=n {
        for j in band.lo[i]..=band.hi[i] {
            let here = row_offset[i] + j - band.lo[i];
            if i == 0 && j == 0 {
                cost[here] = 0.0;
                continue;
            }
            let (mut best, mut arg) = (f32::INFINITY, u8::MAX);
            for (s, &(k, l)) in SHAPES.iter().enumerate() {
                if k > i || l > j || k == 0 || l == 0 {
                    continue;
                }
                let Some(prev) = at(i - k, j - l) else {
                    continue;
                };
                let before = cost[prev];
                if !before.is_finite() {
                    continue;
                }
                let c = before + model.bead(s, i - k, i, j - l, j).cost;
                if c < best {
                    best = c;
                    arg = s as u8;
                }
            }
            back[here] = arg;
            let mut end = ENDS_MERGED;
            if i > 0
                && let Some(prev) = at(i - 1, j)
                && (cost[prev].is_finite() || src_run[prev].is_finite())
            {
                let null = model.bead(1, i - 1, i, j, j).cost;
                let open = cost[prev] + null;
                let extend = src_run[prev] + null - discount;
                src_extends[here] = extend < open;
                src_run[here] = open.min(extend);
                if src_run[here] < best {
                    best = src_run[here];
                    end = ENDS_SRC_NULL;
                }
            }
            if j > 0
                && let Some(prev) = at(i, j - 1)
                && (cost[prev].is_finite() || tgt_run[prev].is_finite())
            {
                let null = model.bead(2, i, i, j - 1, j).cost;
                let open = cost[prev] + null;
                let extend = tgt_run[prev] + null - discount;
                tgt_extends[here] = extend < open;
                tgt_run[here] = open.min(extend);
                if tgt_run[here] < best {
                    best = tgt_run[here];
                    end = ENDS_TGT_NULL;
                }
            }
            cost[here] = best;
            ends[here] = end;
        }
    }
    let mut steps = Vec::new();
    let mut path = vec![(n, m)];
    let (mut i, mut j) = (n, m);
    // Which path the walk back follows at the current cell: the best one,
    // or the best one ending in a run of nulls on one side.
    let mut state = None;
    while i > 0 || j > 0 {
        let Some(here) = at(i, j) else { break };
        let kind = state.unwrap_or(ends[here]);
        let (s, k, l) = match kind {
            ENDS_SRC_NULL => {
                state = src_extends[here].then_some(ENDS_SRC_NULL);
                (1, 1, 0)
            }
            ENDS_TGT_NULL => {
                state = tgt_extends[here].then_some(ENDS_TGT_NULL);
                (2, 0, 1)
            }
            _ => {
                let s = back[here] as usize;
                let Some(&(k, l)) = SHAPES.get(s) else { break };
                state = None;
                (s, k, l)
            }
        };
        steps.push(Step {
            a: i - k,
            b: i,
            c: j - l,
            d: j,
            cost: model.bead(s, i - k, i, j - l, j),
        });
        i -= k;
        j -= l;
        path.push((i, j));
    }
    steps.reverse();
    path.reverse();
    (steps, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_cost_grows_with_disagreement() {
        let lm = LengthModel {
            ratio: 1.0,
            variance: 6.8,
            tail: true,
        };
        assert!(lm.cost(100.0, 100.0) < 0.01);
        assert!(lm.cost(100.0, 130.0) < lm.cost(100.0, 200.0));
        // Far in the tail the cost stays finite and keeps growing.
        let far = lm.cost(10.0, 10_000.0);
        assert!(far.is_finite() && far > lm.cost(10.0, 1_000.0));
    }

    #[test]
    fn ln_erfc_matches_known_values() {
        assert!((ln_erfc(0.0) - 0.0).abs() < 1e-6);
        assert!((ln_erfc(1.0) - 0.157_299_207f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn band_holds_a_guide_that_runs_along_a_row() {
        // A run of 30 target sentences without counterpart after source 5.
        let guide: Vec<(f64, f64)> = (0..=5)
            .map(|i| (i as f64, i as f64))
            .chain((6..=35).map(|j| (5.0, j as f64)))
            .chain((6..=10).map(|i| (i as f64, i as f64 + 30.0)))
            .collect();
        let band = Band::around(&guide, 10, 40, &|_| 2.0);
        assert!(guide.iter().all(|&(x, y)| {
            let i = x as usize;
            band.lo[i] <= y as usize && y as usize <= band.hi[i]
        }));
    }

    #[test]
    fn band_holds_corners_and_never_goes_back() {
        let band = Band::around(&[(5.0, 9.0)], 10, 12, &|_| 2.0);
        assert_eq!((band.lo[0], band.hi[10]), (0, 12));
        assert!(band.lo.windows(2).all(|w| w[0] <= w[1]));
        assert!(band.hi.windows(2).all(|w| w[0] <= w[1]));
        assert!(band.lo[5] <= 9 && band.hi[5] >= 9);
    }
}
