//! Merging memories: units from several files in order, duplicates removed.
//!
//! Two units are duplicates when they hold the same text (inline codes as
//! placeholders) in the same languages, compared case-insensitively. Of a
//! group of duplicates the newest (by `changedate`, else `creationdate`)
//! is kept, in the position of the first one seen; the props and notes of
//! the others are merged into it (each distinct one once).
//!
//! A unit is also redundant when another unit holds every one of its
//! variants and more: an English–French pair already present, with the same
//! texts, in an English–French–German unit (merging a bilingual memory into
//! a multilingual one). Its pairs add nothing; the larger unit is kept, and
//! the smaller one's props and notes are merged into it. Nothing is lost:
//! a unit with even one variant of its own is kept.
//!
//! Merging keeps the distinct units in memory (a deduplicated memory has to
//! be seen whole before it can be written); the indexes store a 128-bit key
//! per unit and per variant.

use serde::Serialize;

use super::model::{MetaKind, Tu};
use super::stats::lang_key;

/// Counts of a merge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// Units read, all inputs together.
    pub read: u64,
    /// Duplicates removed.
    pub duplicates: u64,
    /// Duplicates that replaced the kept unit because they were newer.
    pub replaced_by_newer: u64,
    /// Units removed because a larger unit holds all their variants (not
    /// counted in `duplicates`).
    pub subsumed: u64,
    /// Units in the result.
    pub written: u64,
}

/// Accumulates units and removes duplicates.
pub struct Merger {
    units: Vec<Tu>,
    index: ahash::AHashMap<u128, usize>,
    /// Per unit, the sorted keys of its variants (language and text).
    variant_keys: Vec<Vec<u128>>,
    hashers: (ahash::RandomState, ahash::RandomState),
    report: MergeReport,
    scratch: Vec<(String, String)>,
}

impl Default for Merger {
    fn default() -> Self {
        Merger {
            units: Vec::new(),
            index: ahash::AHashMap::new(),
            variant_keys: Vec::new(),
            hashers: (
                ahash::RandomState::with_seeds(11, 12, 13, 14),
                ahash::RandomState::with_seeds(21, 22, 23, 24),
            ),
            report: MergeReport::default(),
            scratch: Vec::new(),
        }
    }
}

impl Merger {
    /// An empty merger.
    pub fn new() -> Self {
        Merger::default()
    }

    fn hash128<T: std::hash::Hash>(&self, value: &T) -> u128 {
        let a = self.hashers.0.hash_one(value);
        let b = self.hashers.1.hash_one(value);
        (u128::from(a) << 64) | u128::from(b)
    }

    /// The unit's key, and the sorted keys of its variants.
    fn keys(&mut self, tu: &Tu) -> (u128, Vec<u128>) {
        self.scratch.clear();
        for tuv in &tu.tuvs {
            self.scratch.push((
                lang_key(&tuv.lang).to_ascii_lowercase(),
                tuv.seg.text_with_placeholders(),
            ));
        }
        self.scratch.sort_unstable();
        let mut variants: Vec<u128> = self.scratch.iter().map(|v| self.hash128(v)).collect();
        variants.sort_unstable();
        variants.dedup();
        (self.hash128(&self.scratch), variants)
    }

    /// Adds a unit, merging it into an earlier duplicate if there is one.
    pub fn add(&mut self, tu: Tu) {
        self.report.read += 1;
        let (key, variants) = self.keys(&tu);
        match self.index.get(&key) {
            None => {
                self.index.insert(key, self.units.len());
                self.units.push(tu);
                self.variant_keys.push(variants);
            }
            Some(&i) => {
                self.report.duplicates += 1;
                let kept = &mut self.units[i];
                let newer = match (tu.last_modified(), kept.last_modified()) {
                    (Some(new), Some(old)) => new > old,
                    (Some(_), None) => true,
                    _ => false,
                };
                if newer {
                    self.report.replaced_by_newer += 1;
                    let old = std::mem::replace(kept, tu);
                    absorb(kept, old);
                } else {
                    absorb(kept, tu);
                }
            }
        }
    }

    /// The merged units, in order of first appearance, and the counts.
    pub fn finish(mut self) -> (Vec<Tu>, MergeReport) {
        let absorbed_by = self.find_subsumed();
        let mut units: Vec<Option<Tu>> = self.units.into_iter().map(Some).collect();
        // Smaller units first, so a chain (pair ⊂ triple ⊂ quadruple) ends in
        // the largest unit with everything merged into it.
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by_key(|&i| self.variant_keys[i].len());
        for i in order {
            if let Some(into) = absorbed_by[i]
                && let Some(small) = units[i].take()
                && let Some(large) = units[into].as_mut()
            {
                absorb(large, small);
                self.report.subsumed += 1;
            }
        }
        let units: Vec<Tu> = units.into_iter().flatten().collect();
        self.report.written = units.len() as u64;
        (units, self.report)
    }

    /// For each unit, a larger unit that holds all its variants, if any.
    fn find_subsumed(&self) -> Vec<Option<usize>> {
        // Units by variant key, to find candidates without comparing pairs.
        let mut by_variant: ahash::AHashMap<u128, Vec<usize>> = ahash::AHashMap::new();
        for (i, keys) in self.variant_keys.iter().enumerate() {
            for &k in keys {
                by_variant.entry(k).or_default().push(i);
            }
        }
        self.variant_keys
            .iter()
            .enumerate()
            .map(|(i, keys)| {
                let first = keys.first()?;
                by_variant.get(first)?.iter().copied().find(|&j| {
                    let larger = &self.variant_keys[j];
                    j != i
                        && larger.len() > keys.len()
                        && keys.iter().all(|k| larger.binary_search(k).is_ok())
                })
            })
            .collect()
    }
}

/// Adds `other`'s props and notes that `kept` does not have yet.
fn absorb(kept: &mut Tu, other: Tu) {
    for p in other.props {
        if !kept.props.contains(&p) {
            kept.props.push(p);
            kept.meta_order.push(MetaKind::Prop);
        }
    }
    for n in other.notes {
        if !kept.notes.contains(&n) {
            kept.notes.push(n);
            kept.meta_order.push(MetaKind::Note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::{Prop, Tuv};

    fn unit(en: &str, fr: &str, date: Option<&str>, prop: &str) -> Tu {
        let mut tu = Tu::new(vec![Tuv::new("en-US", en), Tuv::new("fr-FR", fr)]);
        tu.changedate = date.map(str::to_string);
        tu.props.push(Prop::new("x-src", prop));
        tu
    }

    #[test]
    fn a_pair_inside_a_larger_unit_is_merged_into_it() {
        let mut m = Merger::new();
        m.add(unit("Hello", "Bonjour", None, "bilingual"));
        let mut three = unit("Hello", "Bonjour", None, "trilingual");
        three.tuvs.push(Tuv::new("de", "Hallo"));
        let mut four = three.clone();
        four.tuvs.push(Tuv::new("it", "Ciao"));
        four.props[0] = Prop::new("x-src", "quadrilingual");
        // A pair with one text of its own is not redundant.
        m.add(unit("Hello", "Salut", None, "own text"));
        m.add(three);
        m.add(four);
        let (units, report) = m.finish();
        assert_eq!(report.subsumed, 2);
        assert_eq!(report.duplicates, 0);
        assert_eq!(report.written, 2);
        assert_eq!(units[0].tuvs[1].seg.plain_text(), "Salut");
        assert_eq!(units[1].tuvs.len(), 4);
        let mut props: Vec<&str> = units[1].props.iter().map(|p| p.value.as_str()).collect();
        props.sort_unstable();
        assert_eq!(props, ["bilingual", "quadrilingual", "trilingual"]);
    }

    #[test]
    fn keeps_the_newest_duplicate_and_merges_props() {
        let mut m = Merger::new();
        m.add(unit("Hello", "Bonjour", Some("20200101T000000Z"), "a"));
        m.add(unit("Other", "Autre", None, "a"));
        let mut dup = unit("Hello", "Salut", Some("20230101T000000Z"), "b");
        m.add(dup.clone());
        dup.tuvs[1] = Tuv::new("FR-fr", "Bonjour");
        m.add(dup);
        let (units, report) = m.finish();
        assert_eq!(report.read, 4);
        assert_eq!(report.duplicates, 1);
        assert_eq!(report.replaced_by_newer, 1);
        assert_eq!(units.len(), 3);
        assert_eq!(units[0].changedate(), Some("20230101T000000Z"));
        let props: Vec<&str> = units[0].props.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(props, ["b", "a"]);
    }
}
