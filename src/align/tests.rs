//! Synthetic pairs with known beads, and properties every alignment has.

use super::*;
use proptest::prelude::*;

/// A bead's (source, target) ranges.
type BeadRanges = (Range<usize>, Range<usize>);

/// A tiny deterministic generator (xorshift), so the cases are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A source sentence of 4–20 invented words and its word-for-word
/// translation (`wN` → `tN`, translated words about 20% longer).
fn sentence_pair(rng: &mut Rng) -> (String, String) {
    let len = 4 + rng.below(17);
    let words: Vec<u64> = (0..len).map(|_| rng.below(400)).collect();
    let src: Vec<String> = words.iter().map(|w| format!("w{w}")).collect();
    let tgt: Vec<String> = words.iter().map(|w| format!("tr{w}x")).collect();
    (src.join(" ") + ".", tgt.join(" ") + ".")
}

fn lexicon() -> Lexicon {
    let mut lex = Lexicon::new();
    for w in 0..400 {
        lex.insert(&format!("w{w}"), &format!("tr{w}x"));
    }
    lex
}

/// Builds a document pair from bead shapes: for (k, l), k source sentences
/// whose translations are spread over l target sentences (0 means an
/// unmatched sentence on the other side).
fn build(shapes: &[(usize, usize)], seed: u64) -> (Sentences, Sentences, Vec<BeadRanges>) {
    build_with(shapes, seed, sentence_pair)
}

/// [`build`] with another sentence-pair generator.
fn build_with(
    shapes: &[(usize, usize)],
    seed: u64,
    sentence_pair: fn(&mut Rng) -> (String, String),
) -> (Sentences, Sentences, Vec<BeadRanges>) {
    let mut rng = Rng(seed);
    let (mut src, mut tgt, mut gold) = (Vec::new(), Vec::new(), Vec::new());
    for &(k, l) in shapes {
        let (s0, t0) = (src.len(), tgt.len());
        let pairs: Vec<(String, String)> = (0..k.max(l)).map(|_| sentence_pair(&mut rng)).collect();
        if k == 0 {
            tgt.push(pairs[0].1.clone());
        } else if l == 0 {
            src.push(pairs[0].0.clone());
        } else {
            // The shared content, cut into k source and l target sentences.
            let words_s: Vec<&str> = pairs.iter().flat_map(|p| p.0.split(' ')).collect();
            let words_t: Vec<&str> = pairs.iter().flat_map(|p| p.1.split(' ')).collect();
            for c in 0..k {
                let part = &words_s[c * words_s.len() / k..(c + 1) * words_s.len() / k];
                src.push(part.join(" "));
            }
            for c in 0..l {
                let part = &words_t[c * words_t.len() / l..(c + 1) * words_t.len() / l];
                tgt.push(part.join(" "));
            }
        }
        gold.push((s0..src.len(), t0..tgt.len()));
    }
    let lines = |v: Vec<String>| Sentences::from_lines(&v.join("\n"));
    (lines(src), lines(tgt), gold)
}

fn aligner() -> Aligner {
    Aligner::new("en".parse().unwrap(), "fr".parse().unwrap())
        .with_lexicon(lexicon())
        .with_options(AlignOptions {
            skip_language_check: true,
            ..AlignOptions::default()
        })
}

fn beads_of(a: &Alignment) -> Vec<BeadRanges> {
    a.beads
        .iter()
        .map(|b| (b.src.clone(), b.tgt.clone()))
        .collect()
}

#[test]
fn finds_merges_and_splits() {
    let mut shapes = vec![(1, 1); 40];
    shapes[18] = (2, 1);
    shapes[25] = (1, 2);
    shapes[31] = (2, 3);
    shapes[36] = (1, 3);
    let (src, tgt, gold) = build(&shapes, 7);
    let got = aligner().align(&src, &tgt, &[]);
    assert_eq!(beads_of(&got), gold);
    assert!(got.beads.iter().all(|b| b.is_null() == (b.score == 0.0)));
    assert!(
        got.beads
            .iter()
            .filter(|b| !b.is_null())
            .all(|b| b.score > 0.5)
    );
}

#[test]
fn insertions_and_deletions_become_null_beads() {
    // Sentences without counterpart, alone and in runs, among 1-1 beads and
    // a merge: each becomes its own null bead, and the beads around them
    // are exact.
    let mut shapes = vec![(1, 1); 60];
    shapes[5] = (0, 1);
    shapes[12] = (1, 0);
    shapes[20] = (2, 1);
    for s in shapes.iter_mut().skip(30).take(4) {
        *s = (0, 1);
    }
    shapes[45] = (1, 0);
    shapes[46] = (1, 0);
    shapes[50] = (1, 2);
    let (src, tgt, gold) = build(&shapes, 7);
    let got = aligner().align(&src, &tgt, &[]);
    assert_eq!(beads_of(&got), gold);
}

/// Inserts into `side` (source or target sentences) after sentence `after`
/// a new sentence of 12 words, every third of them taken from that
/// sentence, the others new; returns the new sentence's index.
fn insert_lookalike(side: &mut Vec<String>, after: usize, rng: &mut Rng, target: bool) -> usize {
    let neighbour: Vec<String> = side[after]
        .trim_end_matches('.')
        .split(' ')
        .map(str::to_string)
        .collect();
    let words: Vec<String> = (0..12)
        .map(|k| {
            if k % 3 == 0 {
                neighbour[k % neighbour.len()].clone()
            } else {
                let w = rng.below(400);
                if target {
                    format!("tr{w}x")
                } else {
                    format!("w{w}")
                }
            }
        })
        .collect();
    side.insert(after + 1, words.join(" ") + ".");
    after + 1
}

#[test]
fn inserted_sentence_sharing_words_with_its_neighbour_is_not_merged() {
    // An inserted sentence that shares a third of its words with the
    // sentence before it: merging it would add some word evidence, but
    // less than chance would for a sentence of its size, and the lengths
    // agree worse. Each becomes a null bead and its neighbour stays 1-1.
    let (src, tgt, _) = build(&[(1, 1); 60], 21);
    let (mut src, mut tgt) = (src.texts, tgt.texts);
    let mut rng = Rng(5);
    let mut inserted_tgt = Vec::new();
    let mut inserted_src = Vec::new();
    // From the end, so that earlier indices stay valid.
    for &(after, target) in &[
        (50, true),
        (41, false),
        (33, true),
        (22, true),
        (12, false),
        (4, true),
    ] {
        if target {
            inserted_tgt.push(insert_lookalike(&mut tgt, after, &mut rng, true));
        } else {
            inserted_src.push(insert_lookalike(&mut src, after, &mut rng, false));
        }
    }
    let lines = |v: &[String]| Sentences::from_lines(&v.join("\n"));
    let got = aligner().align(&lines(&src), &lines(&tgt), &[]);
    let nulls = |src_side: bool| -> Vec<usize> {
        got.beads
            .iter()
            .filter(|b| b.is_null() && b.src.is_empty() != src_side)
            .map(|b| if src_side { b.src.start } else { b.tgt.start })
            .collect()
    };
    let (nulls_src, nulls_tgt) = (nulls(true), nulls(false));
    // Each insertion shifts those made before it (later in the text) by one.
    let shifted = |idx: Vec<usize>| -> Vec<usize> {
        idx.iter().rev().enumerate().map(|(k, i)| i + k).collect()
    };
    assert_eq!(nulls_src, shifted(inserted_src), "{:?}", got.beads);
    assert_eq!(nulls_tgt, shifted(inserted_tgt), "{:?}", got.beads);
    assert!(
        got.beads
            .iter()
            .all(|b| b.src.len() <= 1 && b.tgt.len() <= 1)
    );
}

/// A sentence pair for the no-dictionary case, as between English and
/// Romanian: a third of the words are cognates (`abcation` / `àbcationea`:
/// the same first five letters once accents are dropped), the others
/// unrelated strings that only the learned lexicon can pair, and one
/// sentence in five carries a year, the same on both sides.
fn cognate_pair(rng: &mut Rng) -> (String, String) {
    let letters = |w: u64| -> String {
        [w % 26, w / 26 % 26, w / 676 % 26]
            .iter()
            .map(|&k| char::from(b'a' + k as u8))
            .collect()
    };
    let len = 4 + rng.below(17);
    let (mut src, mut tgt) = (Vec::new(), Vec::new());
    for _ in 0..len {
        let w = rng.below(600);
        if w.is_multiple_of(3) {
            let stem = letters(w * 7 + 3);
            src.push(format!("{stem}ation"));
            tgt.push(format!("{}ationea", stem.replace('a', "à")));
        } else {
            src.push(format!("w{w}"));
            tgt.push(format!("tr{w}x"));
        }
    }
    if rng.below(5) == 0 {
        let year = (1800 + rng.below(220)).to_string();
        src.push(year.clone());
        tgt.push(year);
    }
    (src.join(" ") + ".", tgt.join(" ") + ".")
}

#[test]
fn without_a_dictionary_cognates_numbers_and_learned_words_align() {
    // The en-ro case: no dictionary at all. 300 beads with merges, splits
    // and insertions; the first pass has only cognates, numbers, lengths
    // and punctuation, the second the words learned from it.
    let mut shapes = vec![(1, 1); 300];
    for k in (7..300).step_by(23) {
        shapes[k] = (1, 2);
    }
    for k in (15..300).step_by(31) {
        shapes[k] = (2, 1);
    }
    for k in (40..300).step_by(60) {
        shapes[k] = (0, 1);
    }
    let (src, tgt, gold) = build_with(&shapes, 17, cognate_pair);
    let got = Aligner::new("en".parse().unwrap(), "ro".parse().unwrap())
        .with_options(AlignOptions {
            skip_language_check: true,
            ..AlignOptions::default()
        })
        .align(&src, &tgt, &[]);
    let right = beads_of(&got).iter().filter(|b| gold.contains(b)).count();
    assert!(right * 100 >= gold.len() * 97, "{right} of {}", gold.len());
}

#[test]
fn long_documents_with_drift_align_in_a_band() {
    // 3,000 beads with an omitted stretch of 30 target sentences: the path
    // leaves the diagonal by far more than the first band's width.
    let mut shapes = vec![(1, 1); 3000];
    for s in shapes.iter_mut().skip(1000).take(30) {
        *s = (0, 1);
    }
    for s in shapes.iter_mut().skip(2000).step_by(50).take(10) {
        *s = (2, 1);
    }
    let (src, tgt, gold) = build(&shapes, 11);
    let got = aligner().align(&src, &tgt, &[]);
    let right = beads_of(&got).iter().filter(|b| gold.contains(b)).count();
    assert!(right * 100 >= gold.len() * 98, "{right} of {}", gold.len());
}

#[test]
fn length_method_aligns_clean_one_to_one_text() {
    let (src, tgt, gold) = build(&[(1, 1); 30], 3);
    let got = aligner()
        .with_options(AlignOptions {
            method: Method::Length,
            skip_language_check: true,
        })
        .align(&src, &tgt, &[]);
    assert_eq!(beads_of(&got), gold);
}

#[test]
fn empty_side_gives_null_beads_and_a_warning() {
    let src = Sentences::from_lines("One.\nTwo.");
    let got = aligner().align(&src, &Sentences::default(), &[]);
    assert_eq!(beads_of(&got), [(0..1, 0..0), (1..2, 0..0)]);
    assert_eq!(got.warnings, [AlignWarning::EmptySide(SideName::Target)]);
}

#[test]
fn very_different_lengths_are_reported_and_still_aligned() {
    let (src, _, _) = build(&[(1, 1); 30], 5);
    let (tgt, _, _) = build(&[(1, 1); 8], 5);
    let got = aligner().align(&src, &tgt, &[]);
    assert!(matches!(
        got.warnings[0],
        AlignWarning::LengthMismatch { src: 30, tgt: 8 }
    ));
    assert_eq!(got.beads.iter().map(|b| b.tgt.len()).sum::<usize>(), 8);
}

#[test]
fn language_mismatch_is_detected() {
    let en = "The government announced on Tuesday a new reform of the pension system, \
              which the unions immediately rejected as unfair to young workers and families. ";
    let src = Sentences::from_lines(&en.repeat(4));
    let got = Aligner::new("en".parse().unwrap(), "fr".parse().unwrap()).align(&src, &src, &[]);
    assert!(got.warnings.iter().any(|w| matches!(
        w,
        AlignWarning::LanguageMismatch { side: SideName::Target, detected, .. } if detected.primary() == "en"
    )), "{:?}", got.warnings);
}

#[test]
fn memory_anchor_decides_between_lookalikes() {
    // Two target sentences of the same length and no word evidence: only
    // the anchor says which one translates the source.
    let src = Sentences::from_lines("aaaa bbbb.\ncccc dddd.");
    let tgt = Sentences::from_lines("eeee ffff.\ngggg hhhh.\niiii jjjj.");
    let anchors = [Anchor {
        src: 1,
        tgt: 2,
        strength: 1.0,
    }];
    let got = aligner().align(&src, &tgt, &anchors);
    assert!(
        got.beads.iter().any(|b| b.src == (1..2) && b.tgt == (2..3)),
        "{:?}",
        got.beads
    );
}

#[test]
fn hapax_chain_is_increasing() {
    let chain = increasing_chain(vec![(0, 0), (1, 5), (2, 2), (3, 3), (3, 1), (4, 4)]);
    assert_eq!(chain, [(0, 0), (2, 2), (3, 3), (4, 4)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn beads_are_in_order_and_cover_each_side_once(
        src in proptest::collection::vec("[a-z ]{0,40}", 0..25),
        tgt in proptest::collection::vec("[a-z ]{0,40}", 0..25),
        length_only in any::<bool>(),
    ) {
        let (s, t) = (Sentences::from_lines(&src.join("\n")), Sentences::from_lines(&tgt.join("\n")));
        let method = if length_only { Method::Length } else { Method::Full };
        let got = aligner()
            .with_options(AlignOptions { method, skip_language_check: true })
            .align(&s, &t, &[]);
        let (mut i, mut j) = (0, 0);
        for b in &got.beads {
            prop_assert!(!(b.src.is_empty() && b.tgt.is_empty()));
            prop_assert_eq!(b.src.start, i);
            prop_assert_eq!(b.tgt.start, j);
            prop_assert!((0.0..=1.0).contains(&b.score));
            i = b.src.end;
            j = b.tgt.end;
        }
        prop_assert_eq!((i, j), (s.len(), t.len()));
    }
}

#[test]
fn a_brief_of_two_sentences_gets_confident_beads() {
    // Two sentences, no dictionary: almost no shared vocabulary, so the
    // lengths decide. A correct 1-1 bead scored 0.0 when its chance-corrected
    // coverage was below zero and the document's median barely above it.
    let aligner = Aligner::new("en".parse().unwrap(), "fr".parse().unwrap());
    for (src, tgt) in [
        (
            "The bridge opened.\nIt cost a lot.",
            "Le pont a ouvert.\nIl a coûté cher.",
        ),
        (
            "It cost a lot.\nThe bridge opened.",
            "Il a coûté cher.\nLe pont a ouvert.",
        ),
    ] {
        let a = aligner.align(
            &Sentences::from_lines(src),
            &Sentences::from_lines(tgt),
            &[],
        );
        assert_eq!(beads_of(&a), [(0..1, 0..1), (1..2, 1..2)]);
        for bead in &a.beads {
            assert!(bead.score >= 0.5, "{src:?}: {:?}", a.beads);
        }
    }
}
