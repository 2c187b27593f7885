//! Bilingual sentence alignment: an article and its translation become
//! beads (which source sentences translate which target sentences), ready
//! to become translation-memory units.
//!
//! This module owns:
//!
//! - [`lexicon`]: word translations from dictionaries (hunalign's format or
//!   TSV), from a memory's pairs, and learned from a first pass (Dice);
//! - [`document`]: documents (plain text, Markdown, HTML) or one-sentence-per-line
//!   files as [`Sentences`] with their paragraph starts;
//! - [`memory`]: a translation memory as evidence: its exact and fuzzy
//!   matches are anchors, its pairs a lexicon;
//! - [`units`]: beads as TMX units and as store units;
//! - `prepare` and `dp`: tokens, weights and keys; the band, the bead cost and
//!   the dynamic programme.
//!
//! # How a document pair is aligned
//!
//! The cost of a bead (0-1, 1-0, 1-1, 1-2, 2-1, 2-2, up to 1-4, 4-1 and 3-3)
//! adds a prior for its shape, Gale and Church's length cost (with the
//! character ratio of the document, re-estimated from the first pass), and
//! subtracts its word evidence: the weight (inverse document frequency) of
//! the tokens on each side that the other side covers through the lexicon,
//! identical strings (names, numbers, codes), cognates, and punctuation kept
//! by translation (`?`, `!`, quotes), less what as many sentences drawn at
//! random would cover (a token found in a share `p` of the other side's
//! sentences is covered by `l` of them with probability `1 - (1 - p)^l`), so
//! that merging a sentence for no reason loses evidence instead of gaining
//! it. A merge must be supported by each of its parts: a sentence of a
//! merged side that is covered less than the bead as a whole pays for what
//! it lacks, and the bead pays when the sentence at one end of a merged side
//! makes the lengths agree worse than without it. Beads that break a
//! paragraph on one side only cost more. The search runs in a band around a guide path:
//! first the chain of words that occur once on each side (hapax anchors,
//! plus memory anchors), then the first pass's path; a path that touches the
//! band's edge makes it wider and the pass runs again. Time and memory are
//! linear in the number of sentences times the band width.
//!
//! After the first pass, word pairs that co-occur in its confident beads
//! (Dice coefficient) join the lexicon, the length model is fitted to those
//! beads, and a second pass gives the result. Each bead carries a confidence
//! in `[0, 1]`.
//!
//! ```
//! use tmkit::align::{Aligner, Sentences};
//! let src = Sentences::from_lines("The storm hit the coast on Monday.\nThousands lost power.\nSchools stayed closed on Tuesday and Wednesday.");
//! let tgt = Sentences::from_lines("La tempête a frappé la côte lundi.\nDes milliers de foyers ont perdu le courant.\nLes écoles sont restées fermées.\nMardi et mercredi aussi.");
//! let aligner = Aligner::new("en".parse().unwrap(), "fr".parse().unwrap());
//! let alignment = aligner.align(&src, &tgt, &[]);
//! let shapes: Vec<(usize, usize)> = alignment.beads.iter().map(|b| (b.src.len(), b.tgt.len())).collect();
//! assert_eq!(shapes.iter().map(|s| s.0).sum::<usize>(), 3);
//! assert_eq!(shapes.iter().map(|s| s.1).sum::<usize>(), 4);
//! ```

pub mod document;
mod dp;
pub mod lexicon;
pub mod memory;
mod prepare;
pub mod units;

use std::ops::Range;

pub use document::Sentences;
pub use lexicon::{Lexicon, learn_dice};
pub use memory::{Anchor, memory_anchors, memory_lexicon};

use crate::text::{LanguageTag, detect_language};
use dp::{Band, CostModel, Evidence, LengthModel, PairEvidence, Params, Step};
use prepare::{KeyTable, Keys, Side, postings, sentence_keys};

/// Which evidence the aligner uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Lengths, words, anchors and paragraphs, in two passes (the default).
    #[default]
    Full,
    /// Sentence lengths only, one pass: Gale and Church's method, a baseline.
    Length,
}

/// One bead: source sentences `src` translate target sentences `tgt`
/// (either range may be empty: a sentence without counterpart).
#[derive(Debug, Clone, PartialEq)]
pub struct Bead {
    /// Source sentence indices (0-based).
    pub src: Range<usize>,
    /// Target sentence indices (0-based).
    pub tgt: Range<usize>,
    /// Confidence in `[0, 1]`: 0 for a sentence left unaligned; near 1 when
    /// the bead has as much word evidence as the document's typical bead and
    /// its lengths agree.
    pub score: f32,
}

impl Bead {
    /// True when one side is empty.
    pub fn is_null(&self) -> bool {
        self.src.is_empty() || self.tgt.is_empty()
    }
}

/// Which side of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SideName {
    /// The source text.
    Source,
    /// The target text.
    Target,
}

impl std::fmt::Display for SideName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SideName::Source => "source",
            SideName::Target => "target",
        })
    }
}

/// Something about the input worth telling the user; the alignment is still made.
#[derive(Debug, Clone, PartialEq)]
pub enum AlignWarning {
    /// One side has no sentence: every sentence of the other is unaligned.
    EmptySide(SideName),
    /// The two sides differ much in sentence count: one may be a partial
    /// translation, or not the translation at all.
    LengthMismatch {
        /// Source sentences.
        src: usize,
        /// Target sentences.
        tgt: usize,
    },
    /// A side's text is detected to be in another language than declared.
    LanguageMismatch {
        /// Which side.
        side: SideName,
        /// The language given.
        declared: LanguageTag,
        /// The language detected.
        detected: LanguageTag,
    },
}

impl std::fmt::Display for AlignWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlignWarning::EmptySide(side) => {
                write!(f, "the {side} side has no sentence; nothing can be aligned")
            }
            AlignWarning::LengthMismatch { src, tgt } => write!(
                f,
                "the sides differ much in length ({src} source sentences, {tgt} target sentences): \
                 one may be a partial translation; aligning what can be aligned"
            ),
            AlignWarning::LanguageMismatch {
                side,
                declared,
                detected,
            } => write!(
                f,
                "the {side} text looks like {detected}, not {declared} (check --src/--tgt or the file order)"
            ),
        }
    }
}

/// The result of aligning two texts.
#[derive(Debug, Clone, Default)]
pub struct Alignment {
    /// The beads, in order; together they cover each side exactly once.
    pub beads: Vec<Bead>,
    /// What looked wrong with the input.
    pub warnings: Vec<AlignWarning>,
}

/// Options of the aligner.
#[derive(Debug, Clone, Default)]
pub struct AlignOptions {
    /// Which evidence to use.
    pub method: Method,
    /// Skip language detection (for texts known to be right, or too short).
    pub skip_language_check: bool,
}

/// Aligns texts of one language pair with a lexicon.
#[derive(Debug, Clone)]
pub struct Aligner {
    src_lang: LanguageTag,
    tgt_lang: LanguageTag,
    lexicon: Lexicon,
    options: AlignOptions,
}

/// Half-width of the first band around the hapax chain, in sentences.
const FIRST_BAND: f64 = 20.0;
/// Half-width of the second pass's band around the first path.
const SECOND_BAND: f64 = 8.0;
/// Extra band width per sentence of distance to the nearest anchor.
const BAND_SLOPE: f64 = 0.1;
/// Sentence-count ratio above which the sides are reported as mismatched.
const MISMATCH_RATIO: f64 = 1.6;

impl Aligner {
    /// An aligner for `src_lang` → `tgt_lang` with an empty lexicon.
    pub fn new(src_lang: LanguageTag, tgt_lang: LanguageTag) -> Self {
        Aligner {
            src_lang,
            tgt_lang,
            lexicon: Lexicon::new(),
            options: AlignOptions::default(),
        }
    }

    /// This aligner with `lexicon` (source → target).
    pub fn with_lexicon(mut self, lexicon: Lexicon) -> Self {
        self.lexicon = lexicon;
        self
    }

    /// This aligner with `options`.
    pub fn with_options(mut self, options: AlignOptions) -> Self {
        self.options = options;
        self
    }

    /// The lexicon in use.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The source language.
    pub fn source_language(&self) -> &LanguageTag {
        &self.src_lang
    }

    /// The target language.
    pub fn target_language(&self) -> &LanguageTag {
        &self.tgt_lang
    }

    /// Aligns `src` with `tgt`. `anchors` are pairs known to translate each
    /// other (from a memory, see [`memory_anchors`]); they guide the search
    /// and reward the 1-1 beads they name.
    pub fn align(&self, src: &Sentences, tgt: &Sentences, anchors: &[Anchor]) -> Alignment {
        let (n, m) = (src.len(), tgt.len());
        let mut warnings = self.check_inputs(src, tgt);
        if n == 0 || m == 0 {
            let beads = (0..n)
                .map(|i| null_bead(i..i + 1, 0..0))
                .chain((0..m).map(|j| null_bead(0..0, j..j + 1)))
                .collect();
            return Alignment { beads, warnings };
        }
        let src_texts: Vec<&str> = src.texts.iter().map(String::as_str).collect();
        let tgt_texts: Vec<&str> = tgt.texts.iter().map(String::as_str).collect();
        let src_side = Side::new(&src_texts, &self.lexicon, true);
        let tgt_side = Side::new(&tgt_texts, &self.lexicon, false);
        let run = Run::new(&src_side, &tgt_side, src, tgt, anchors);
        let beads = match self.options.method {
            Method::Length => run.length_only(),
            Method::Full => run.full(&self.lexicon),
        };
        warnings.retain(|w| !matches!(w, AlignWarning::EmptySide(_)));
        Alignment { beads, warnings }
    }

    fn check_inputs(&self, src: &Sentences, tgt: &Sentences) -> Vec<AlignWarning> {
        let mut warnings = Vec::new();
        for (side, s) in [(SideName::Source, src), (SideName::Target, tgt)] {
            if s.is_empty() {
                warnings.push(AlignWarning::EmptySide(side));
            }
        }
        let (n, m) = (src.len() as f64, tgt.len() as f64);
        if n > 0.0 && m > 0.0 && n.max(m) / n.min(m) > MISMATCH_RATIO && (n - m).abs() >= 5.0 {
            warnings.push(AlignWarning::LengthMismatch {
                src: src.len(),
                tgt: tgt.len(),
            });
        }
        if !self.options.skip_language_check {
            for (side, s, declared) in [
                (SideName::Source, src, &self.src_lang),
                (SideName::Target, tgt, &self.tgt_lang),
            ] {
                if let Some(detected) = language_mismatch(s, declared) {
                    warnings.push(AlignWarning::LanguageMismatch {
                        side,
                        declared: declared.clone(),
                        detected,
                    });
                }
            }
        }
        warnings
    }
}

/// The detected language of a side when it confidently differs from `declared`.
fn language_mismatch(s: &Sentences, declared: &LanguageTag) -> Option<LanguageTag> {
    let mut sample = String::new();
    for t in &s.texts {
        if sample.len() > 4096 {
            break;
        }
        sample.push_str(t);
        sample.push('\n');
    }
    // Too little text makes the detector guess.
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 200 {
        return None;
    }
    let detection = detect_language(&sample)?;
    let detected = detection.tag;
    let same = detected.primary() == declared.primary()
        || close_languages(detected.primary(), declared.primary());
    (!same && detection.confidence >= 0.5).then_some(detected)
}

/// Languages a trigram detector confuses with each other.
fn close_languages(a: &str, b: &str) -> bool {
    const GROUPS: [&[&str]; 4] = [
        &["no", "nb", "nn", "da", "sv"],
        &["hr", "sr", "bs", "sh"],
        &["id", "ms"],
        &["zh", "ja", "yue", "cmn"],
    ];
    GROUPS.iter().any(|g| g.contains(&a) && g.contains(&b))
}

fn null_bead(src: Range<usize>, tgt: Range<usize>) -> Bead {
    Bead {
        src,
        tgt,
        score: 0.0,
    }
}

/// The cost weights, chosen on the development documents (de-fr, en-hu,
/// zh-en) and synthetic pairs with insertions (see docs/performance/align.md):
/// the length cost weighs 0.4 of a log-density, the word evidence beyond
/// chance 7 per mean sentence covered (anywhere in 6-8 gives the same
/// figures within 0.005).
fn params() -> Params {
    let p = |x: f32| -x.ln();
    Params {
        prior: [
            p(0.80),  // 1-1
            p(0.01),  // 1-0
            p(0.01),  // 0-1
            p(0.06),  // 1-2
            p(0.06),  // 2-1
            p(0.01),  // 2-2
            p(0.01),  // 1-3
            p(0.01),  // 3-1
            p(0.004), // 2-3
            p(0.004), // 3-2
            p(0.002), // 1-4
            p(0.002), // 4-1
            p(0.001), // 3-3
        ],
        length: 0.4,
        words: 7.0,
        paragraph: 2.0,
        // Null beads: a run of unaligned sentences (captions, notes, an
        // untranslated paragraph) costs one opening and a smaller price per
        // sentence; their lengths count little (a long sentence is a bit
        // less likely to be left out).
        null_open: p(0.01),
        null_extend: 1.0,
        null_length: 0.05,
        merge_length: 0.15,
        merge_words: 1.0,
    }
}

/// One alignment job: both sides prepared, with what every pass shares.
struct Run<'a> {
    src: &'a Side,
    tgt: &'a Side,
    src_chars: Vec<u64>,
    tgt_chars: Vec<u64>,
    paragraphs: Option<(&'a [bool], &'a [bool])>,
    anchors: &'a [Anchor],
}

/// Keys and postings of one pass.
struct KeySpace {
    src_keys: Vec<Keys>,
    tgt_keys: Vec<Keys>,
    src_postings: Vec<Vec<u32>>,
    tgt_postings: Vec<Vec<u32>>,
}

impl KeySpace {
    fn new(
        src: &Side,
        tgt: &Side,
        src_keys: Vec<Keys>,
        tgt_keys: Vec<Keys>,
        n_keys: usize,
    ) -> Self {
        let src_postings = postings(&sentence_keys(src, &src_keys), n_keys);
        let tgt_postings = postings(&sentence_keys(tgt, &tgt_keys), n_keys);
        KeySpace {
            src_keys,
            tgt_keys,
            src_postings,
            tgt_postings,
        }
    }

    fn evidence<'a>(&'a self, src: &'a Side, tgt: &'a Side) -> Evidence<'a> {
        Evidence {
            src,
            tgt,
            src_keys: &self.src_keys,
            tgt_keys: &self.tgt_keys,
            tgt_postings: &self.tgt_postings,
            src_postings: &self.src_postings,
        }
    }

    /// Keys found in exactly one sentence of each side: (source, target) pairs.
    fn hapax_pairs(&self) -> Vec<(usize, usize)> {
        self.src_postings
            .iter()
            .zip(&self.tgt_postings)
            .filter(|(s, t)| s.len() == 1 && t.len() == 1)
            .map(|(s, t)| (s[0] as usize, t[0] as usize))
            .collect()
    }
}

fn prefix_sums(values: &[u32]) -> Vec<u64> {
    let mut sums = Vec::with_capacity(values.len() + 1);
    let mut total = 0u64;
    sums.push(0);
    for &v in values {
        total += u64::from(v);
        sums.push(total);
    }
    sums
}

/// The longest chain of pairs increasing on both sides (patience sorting).
fn increasing_chain(mut pairs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    pairs.sort_unstable();
    pairs.dedup();
    // Among pairs with the same source sentence at most one may be kept:
    // visiting their targets in decreasing order makes that so.
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut tails: Vec<usize> = Vec::new(); // index into pairs of the best tail per length
    let mut prev: Vec<usize> = vec![usize::MAX; pairs.len()];
    for (idx, &(_, j)) in pairs.iter().enumerate() {
        let len = tails.partition_point(|&t| pairs[t].1 < j);
        if len > 0 {
            prev[idx] = tails[len - 1];
        }
        if len == tails.len() {
            tails.push(idx);
        } else {
            tails[len] = idx;
        }
    }
    let mut chain = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        chain.push(pairs[at]);
        at = prev[at];
    }
    chain.reverse();
    chain
}

impl<'a> Run<'a> {
    fn new(
        src: &'a Side,
        tgt: &'a Side,
        src_in: &'a Sentences,
        tgt_in: &'a Sentences,
        anchors: &'a [Anchor],
    ) -> Self {
        let has_paragraphs = |s: &Sentences| s.paragraph_starts.iter().skip(1).any(|&p| p);
        let paragraphs = (has_paragraphs(src_in) && has_paragraphs(tgt_in))
            .then(|| (&src_in.paragraph_starts[..], &tgt_in.paragraph_starts[..]));
        Run {
            src,
            tgt,
            src_chars: prefix_sums(&src.chars),
            tgt_chars: prefix_sums(&tgt.chars),
            paragraphs,
            anchors,
        }
    }

    fn n(&self) -> usize {
        self.src.len()
    }

    fn m(&self) -> usize {
        self.tgt.len()
    }

    fn document_ratio(&self) -> f64 {
        let (a, b) = (self.src_chars[self.n()], self.tgt_chars[self.m()]);
        if a == 0 || b == 0 {
            1.0
        } else {
            b as f64 / a as f64
        }
    }

    /// Gale and Church: lengths only, one pass, around the diagonal.
    fn length_only(&self) -> Vec<Bead> {
        let keys = KeySpace {
            src_keys: vec![Keys::new(); self.src.vocab.len()],
            tgt_keys: vec![Keys::new(); self.tgt.vocab.len()],
            src_postings: Vec::new(),
            tgt_postings: Vec::new(),
        };
        let length = LengthModel {
            ratio: self.document_ratio(),
            variance: 6.8,
            tail: true,
        };
        let mut params = params();
        params.words = 0.0;
        params.length = 1.0;
        params.merge_length = 0.0;
        params.merge_words = 0.0;
        params.null_open = params.prior[1];
        params.null_extend = params.prior[1];
        params.null_length = 1.0;
        let width = (0.1 * self.n().max(self.m()) as f64).max(50.0);
        let steps = self.search(&keys, &params, length, &[], width, 0.0);
        steps.iter().map(|s| self.bead_of(s, None)).collect()
    }

    /// Two passes with words, anchors and paragraphs.
    fn full(&self, lexicon: &Lexicon) -> Vec<Bead> {
        let params = params();
        let mut table = KeyTable::default();
        let tgt_keys = table.target_keys(self.tgt);
        let src_keys = table.source_keys(self.src, Some(lexicon));
        let keys = KeySpace::new(self.src, self.tgt, src_keys, tgt_keys, table.len());
        let mut guide_pairs = keys.hapax_pairs();
        guide_pairs.extend(self.anchors.iter().map(|a| (a.src, a.tgt)));
        let (n, m) = (self.n() as f64, self.m() as f64);
        guide_pairs.retain(|&(i, j)| ((i as f64 + 0.5) / n - (j as f64 + 0.5) / m).abs() < 0.3);
        let guide: Vec<(f64, f64)> = increasing_chain(guide_pairs)
            .into_iter()
            .map(|(i, j)| (i as f64 + 0.5, j as f64 + 0.5))
            .collect();
        let length = LengthModel {
            ratio: self.document_ratio(),
            variance: 6.8,
            tail: false,
        };
        let first = self.search(&keys, &params, length, &guide, FIRST_BAND, BAND_SLOPE);

        // Learn from the confident beads of the first pass.
        let first_beads: Vec<Bead> = first.iter().map(|s| self.first_pass_bead(s)).collect();
        let confident: Vec<&Step> = first
            .iter()
            .zip(&first_beads)
            .filter(|(_, b)| !b.is_null() && b.score >= 0.5)
            .map(|(s, _)| s)
            .collect();
        let length = self.fit_length(&confident).unwrap_or(length);
        let learned = self.learn(&confident);
        let mut src_keys = keys.src_keys;
        for (s, t, _) in learned {
            let k = table.word(&self.tgt.vocab[t as usize]);
            let ks = &mut src_keys[s as usize];
            if !ks.contains(&k) {
                ks.push(k);
            }
        }
        let keys = KeySpace::new(self.src, self.tgt, src_keys, keys.tgt_keys, table.len());
        let guide: Vec<(f64, f64)> = first.iter().map(|s| (s.b as f64, s.d as f64)).collect();
        let second = self.search(&keys, &params, length, &guide, SECOND_BAND, 0.0);
        let reference = median_evidence(&second);
        second.iter().map(|s| self.bead_of(s, reference)).collect()
    }

    /// Searches in a band around `guide`, widening it while the best path
    /// touches its edge.
    fn search(
        &self,
        keys: &KeySpace,
        params: &Params,
        length: LengthModel,
        guide: &[(f64, f64)],
        base: f64,
        slope: f64,
    ) -> Vec<Step> {
        let (n, m) = (self.n(), self.m());
        let xs: Vec<f64> = guide.iter().map(|p| p.0).collect();
        let evidence = keys.evidence(self.src, self.tgt);
        let src_unit = mean(&self.src.sent_weight);
        let tgt_unit = mean(&self.tgt.sent_weight);
        let anchors: ahash::AHashMap<(usize, usize), f32> = self
            .anchors
            .iter()
            .map(|a| ((a.src, a.tgt), a.strength))
            .collect();
        let bonus =
            |i: usize, j: usize| anchors.get(&(i, j)).map_or(0.0, |s| s * params.words * 2.0);
        let mut base = base;
        loop {
            let width = |i: usize| {
                let x = i as f64;
                let at = xs.partition_point(|&g| g < x);
                let before = if at > 0 { x - xs[at - 1] } else { x };
                let after = xs.get(at).map_or(n as f64 - x, |&g| g - x);
                base + slope * before.min(after)
            };
            let band = Band::around(guide, n, m, &width);
            let pairs = PairEvidence::collect(&evidence, &band);
            let model = CostModel {
                src: self.src,
                tgt: self.tgt,
                pairs: &pairs,
                params,
                length,
                src_chars: &self.src_chars,
                tgt_chars: &self.tgt_chars,
                src_unit,
                tgt_unit,
                paragraphs: self.paragraphs,
                anchor_bonus: &bonus,
            };
            let (steps, path) = dp::search(&model, &band);
            let complete = path.first() == Some(&(0, 0));
            let full = base >= n.max(m) as f64;
            if full || (complete && !band.touched_by(&path, m)) {
                return steps;
            }
            base *= 2.0;
        }
    }

    /// A bead of the first pass, for choosing the beads the second pass
    /// learns from: evidence counts against the bead when it is below chance
    /// (the final score, [`Self::bead_of`], floors it at zero).
    fn first_pass_bead(&self, step: &Step) -> Bead {
        let src = step.a..step.b;
        let tgt = step.c..step.d;
        if src.is_empty() || tgt.is_empty() {
            return null_bead(src, tgt);
        }
        let agree = (-step.cost.length).exp();
        let score = if step.cost.weight > 0.0 && step.cost.covered > 0.0 {
            let share = step.cost.covered / step.cost.weight;
            0.6 * (2.0 * share).min(1.0) + 0.4 * agree
        } else {
            agree
        };
        Bead {
            src,
            tgt,
            score: score.clamp(0.0, 1.0),
        }
    }

    /// A bead from a search step, scored against the document's typical
    /// evidence (`reference`, covered share of weight), or by lengths alone.
    fn bead_of(&self, step: &Step, reference: Option<f32>) -> Bead {
        let src = step.a..step.b;
        let tgt = step.c..step.d;
        if src.is_empty() || tgt.is_empty() {
            return null_bead(src, tgt);
        }
        let agree = (-step.cost.length).exp();
        let share = if step.cost.weight > 0.0 {
            step.cost.covered / step.cost.weight
        } else {
            0.0
        };
        // Coverage is counted less what chance would cover, so it can go
        // below zero: no evidence, not evidence against.
        let share = share.max(0.0);
        let score = match reference {
            Some(r) if r >= MIN_REFERENCE => 0.8 * (share / r).min(1.0) + 0.2 * agree,
            // Too little shared vocabulary in the whole document to scale by
            // (a brief of two sentences, no dictionary): the lengths speak,
            // and what evidence there is can only add to them.
            _ => agree.max(0.6 * (2.0 * share).min(1.0) + 0.4 * agree),
        };
        Bead {
            src,
            tgt,
            score: score.clamp(0.0, 1.0),
        }
    }

    /// The length model fitted to confident beads: their character ratio and
    /// the variance of their length differences.
    fn fit_length(&self, beads: &[&Step]) -> Option<LengthModel> {
        if beads.len() < 20 {
            return None;
        }
        let lens = |s: &Step| {
            (
                (self.src_chars[s.b] - self.src_chars[s.a]) as f64,
                (self.tgt_chars[s.d] - self.tgt_chars[s.c]) as f64,
            )
        };
        let (sum1, sum2) = beads.iter().fold((0.0, 0.0), |(x, y), s| {
            let (a, b) = lens(s);
            (x + a, y + b)
        });
        if sum1 <= 0.0 || sum2 <= 0.0 {
            return None;
        }
        let ratio = sum2 / sum1;
        let variance = beads
            .iter()
            .map(|s| {
                let (a, b) = lens(s);
                (b - a * ratio).powi(2) / ((a * ratio + b) / 2.0).max(1.0)
            })
            .sum::<f64>()
            / beads.len() as f64;
        Some(LengthModel {
            ratio,
            variance: variance.clamp(2.0, 40.0),
            tail: false,
        })
    }

    /// Word pairs learned from confident beads (Dice), as token ids.
    fn learn(&self, beads: &[&Step]) -> Vec<(u32, u32, f32)> {
        let bags: Vec<(Vec<u32>, Vec<u32>)> = beads
            .iter()
            .map(|s| (bag(self.src, s.a..s.b), bag(self.tgt, s.c..s.d)))
            .collect();
        learn_dice(
            bags.iter().map(|(a, b)| (a.as_slice(), b.as_slice())),
            2,
            0.3,
            3,
        )
    }
}

/// The distinct tokens of sentences `range`.
fn bag(side: &Side, range: Range<usize>) -> Vec<u32> {
    let mut all: Vec<u32> = range.flat_map(|i| side.sents[i].iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

fn mean(values: &[f32]) -> f32 {
    if values.is_empty() {
        return 1.0;
    }
    (values.iter().sum::<f32>() / values.len() as f32).max(1e-3)
}

/// The median covered share of weight over non-null beads.
/// The least median evidence share (see [`median_evidence`]) a document's
/// beads are scored against: real documents have 0.27 to 0.5 (the three of
/// `../shared/data/align`, with and without dictionaries); below 0.1 a ratio
/// to it amplifies noise (two sentences gave a correct bead 0.0).
const MIN_REFERENCE: f32 = 0.1;

fn median_evidence(steps: &[Step]) -> Option<f32> {
    let mut shares: Vec<f32> = steps
        .iter()
        .filter(|s| s.a < s.b && s.c < s.d && s.cost.weight > 0.0)
        .map(|s| s.cost.covered / s.cost.weight)
        .collect();
    if shares.is_empty() {
        return None;
    }
    shares.sort_by(f32::total_cmp);
    Some(shares[shares.len() / 2])
}

#[cfg(test)]
mod tests;
