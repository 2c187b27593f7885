//! Beads as translation units: the TMX unit `tmkit align` writes, and the
//! store unit it adds to a memory (`--tm-out`), with the same text and props.

use super::{Alignment, Bead, Sentences};
use crate::store::{Unit, text_hash};
use crate::text::is_spaceless_char;
use crate::tmx::{Prop, Tu, Tuv};

/// Where a document pair comes from and what it is in.
#[derive(Debug, Clone)]
pub struct PairInfo<'a> {
    /// Source language tag.
    pub src_lang: &'a str,
    /// Target language tag.
    pub tgt_lang: &'a str,
    /// Source file name, as shown to the user.
    pub src_file: &'a str,
    /// Target file name.
    pub tgt_file: &'a str,
}

/// The sentences `range` of `side` as one segment: joined with a space,
/// except between characters of scripts written without spaces.
///
/// ```
/// let s = tmkit::align::Sentences::from_lines("One.\nTwo.\n第一。\n第二。");
/// assert_eq!(tmkit::align::units::join(&s, 0..2), "One. Two.");
/// assert_eq!(tmkit::align::units::join(&s, 2..4), "第一。第二。");
/// ```
pub fn join(side: &Sentences, range: std::ops::Range<usize>) -> String {
    let mut out = String::new();
    for s in &side.texts[range] {
        let glue = match (out.chars().next_back(), s.chars().next()) {
            (Some(a), Some(b)) => !(is_spaceless_char(a) || is_spaceless_char(b)),
            _ => false,
        };
        if glue {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// The TMX unit of an aligned (non-null) bead: both sides' text, and props
/// `x-alignment-score`, `x-source-file`, `x-target-file`.
pub fn bead_tu(src: &Sentences, tgt: &Sentences, bead: &Bead, info: &PairInfo<'_>) -> Tu {
    let mut tu = Tu::new(vec![
        Tuv::new(info.src_lang, join(src, bead.src.clone())),
        Tuv::new(info.tgt_lang, join(tgt, bead.tgt.clone())),
    ]);
    tu.props = vec![
        Prop::new("x-alignment-score", format!("{:.3}", bead.score)),
        Prop::new("x-source-file", info.src_file.to_string()),
        Prop::new("x-target-file", info.tgt_file.to_string()),
    ];
    tu
}

/// The store units of the aligned beads scoring at least `min_score`, in
/// order: each with the source file as origin, its bead number (1-based) as
/// position, and its neighbours' source hashes as context. A store skips
/// units it holds already (same languages and texts), so adding the units
/// of one alignment twice adds nothing the second time.
pub fn store_units(
    src: &Sentences,
    tgt: &Sentences,
    alignment: &Alignment,
    info: &PairInfo<'_>,
    min_score: f32,
) -> Vec<Unit> {
    let kept: Vec<(usize, &Bead)> = alignment
        .beads
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.is_null() && b.score >= min_score)
        .collect();
    let hashes: Vec<u64> = kept
        .iter()
        .map(|(_, b)| text_hash(&join(src, b.src.clone())))
        .collect();
    kept.iter()
        .enumerate()
        .map(|(k, &(number, bead))| {
            let tu = bead_tu(src, tgt, bead, info);
            Unit {
                tu,
                source_lang: info.src_lang.to_string(),
                origin: Some(info.src_file.to_string()),
                origin_position: Some(number as u32 + 1),
                context: (
                    k.checked_sub(1).map(|p| hashes[p]),
                    hashes.get(k + 1).copied(),
                ),
                ..Unit::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{self, DuplicatePolicy, Filter};

    fn alignment() -> (Sentences, Sentences, Alignment) {
        let src = Sentences::from_lines("Good morning.\nHow are you?\nFine.");
        let tgt = Sentences::from_lines("Bonjour.\nComment allez-vous ?\nBien.");
        let bead = |s: std::ops::Range<usize>, t: std::ops::Range<usize>, score| Bead {
            src: s,
            tgt: t,
            score,
        };
        let alignment = Alignment {
            beads: vec![
                bead(0..1, 0..1, 0.9),
                bead(1..2, 1..2, 0.2),
                bead(2..2, 2..3, 0.0),
                bead(2..3, 3..3, 0.0),
            ],
            warnings: Vec::new(),
        };
        (src, tgt, alignment)
    }

    const INFO: PairInfo<'static> = PairInfo {
        src_lang: "en",
        tgt_lang: "fr",
        src_file: "a.en.txt",
        tgt_file: "a.fr.txt",
    };

    #[test]
    fn units_skip_null_and_weak_beads_and_keep_their_place() {
        let (src, tgt, alignment) = alignment();
        let units = store_units(&src, &tgt, &alignment, &INFO, 0.0);
        assert_eq!(units.len(), 2);
        assert_eq!(units[1].tu.tuvs[1].seg.plain_text(), "Comment allez-vous ?");
        assert_eq!(units[1].origin_position, Some(2));
        assert_eq!(units[0].context.1, Some(text_hash("How are you?")));
        assert_eq!(store_units(&src, &tgt, &alignment, &INFO, 0.5).len(), 1);
    }

    #[test]
    fn adding_twice_to_a_sqlite_store_adds_once() {
        let (src, tgt, alignment) = alignment();
        let units = store_units(&src, &tgt, &alignment, &INFO, 0.0);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.tmdb");
        let mut db = store::create(&path.to_string_lossy()).unwrap();
        let first = db.add_units(&units, DuplicatePolicy::default()).unwrap();
        let again = db.add_units(&units, DuplicatePolicy::default()).unwrap();
        assert_eq!((first.added, again.added, again.duplicates), (2, 0, 2));
        assert_eq!(db.count(&Filter::default()).unwrap(), 2);
    }
}
