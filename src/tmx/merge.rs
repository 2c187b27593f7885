//! Merging memories: units from several files in order, duplicates removed.
//!
//! Two units are duplicates when they hold the same text (inline codes as
//! placeholders) in the same languages, compared case-insensitively. Of a
//! group of duplicates the newest (by `changedate`, else `creationdate`)
//! is kept, in the position of the first one seen; the props and notes of
//! the others are merged into it (each distinct one once).
//!
//! Merging keeps the distinct units in memory (a deduplicated memory has to
//! be seen whole before it can be written); the duplicate index stores one
//! 128-bit key per unit.

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
    /// Units in the result.
    pub written: u64,
}

/// Accumulates units and removes duplicates.
pub struct Merger {
    units: Vec<Tu>,
    index: ahash::AHashMap<u128, usize>,
    hashers: (ahash::RandomState, ahash::RandomState),
    report: MergeReport,
    scratch: Vec<(String, String)>,
}

impl Default for Merger {
    fn default() -> Self {
        Merger {
            units: Vec::new(),
            index: ahash::AHashMap::new(),
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

    fn key(&mut self, tu: &Tu) -> u128 {
        self.scratch.clear();
        for tuv in &tu.tuvs {
            self.scratch.push((
                lang_key(&tuv.lang).to_ascii_lowercase(),
                tuv.seg.text_with_placeholders(),
            ));
        }
        self.scratch.sort_unstable();
        let a = self.hashers.0.hash_one(&self.scratch);
        let b = self.hashers.1.hash_one(&self.scratch);
        (u128::from(a) << 64) | u128::from(b)
    }

    /// Adds a unit, merging it into an earlier duplicate if there is one.
    pub fn add(&mut self, tu: Tu) {
        self.report.read += 1;
        let key = self.key(&tu);
        match self.index.get(&key) {
            None => {
                self.index.insert(key, self.units.len());
                self.units.push(tu);
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
        self.report.written = self.units.len() as u64;
        (self.units, self.report)
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
