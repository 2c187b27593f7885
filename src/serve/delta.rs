//! What a served pair answers from: the fuzzy index the store persisted (the
//! *base*, loaded once) and the units changed since, in a few small indexes
//! of geometric sizes (Bentley–Saxe: a change makes a level of its own, and
//! two levels of like size are merged into one), so a write is visible to
//! the next lookup at a cost logarithmic in the number of changes, while the
//! base stays shared read-only by every worker.
//!
//! Each change has a sequence number. `hidden` maps a unit to the sequence
//! of its latest change: a base entry of a changed unit is never shown, and a
//! level entry is shown only while it is that latest change.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::fuzzy::Matcher;
use crate::tm::{Entry, EntryId, LanguagePair, OpenedMemory, Origin, TranslationMemory};

/// Entries of units changed since the base was built.
pub(crate) struct DeltaTm {
    pair: LanguagePair,
    /// How origins are named (the store's redacted location, as
    /// [`crate::store::StoreMemory`] names its entries).
    name: Arc<str>,
    entries: Vec<Entry>,
    /// Per entry: (unit id, sequence of the change that made it).
    units: Vec<(i64, u64)>,
}

impl DeltaTm {
    /// The unit id and change sequence of entry `id`.
    pub(crate) fn unit(&self, id: EntryId) -> Option<(i64, u64)> {
        self.units.get(id as usize).copied()
    }
}

impl TranslationMemory for DeltaTm {
    fn pair(&self) -> &LanguagePair {
        &self.pair
    }
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
        self.entries.get(id as usize).map(Cow::Borrowed)
    }
    fn describe_origin(&self, origin: &Origin) -> String {
        format!("{}#{}", self.name, origin.position)
    }
}

/// One change of a unit as a pair sees it: its new entry (`None` when the
/// unit was deleted or no longer serves the pair).
pub(crate) struct Change {
    pub unit: i64,
    pub entry: Option<Entry>,
}

/// A consistent state of a served pair: what one lookup reads.
pub(crate) struct View {
    pub base: Arc<Matcher<OpenedMemory>>,
    /// Largest first.
    pub levels: Vec<Arc<Matcher<DeltaTm>>>,
    /// Unit → sequence of its latest change.
    pub hidden: HashMap<i64, u64>,
    /// The largest unit id the base may hold: units added later (higher
    /// ids) are never in it, so only changes at or below it hide base entries.
    pub base_max: i64,
    /// Units in `hidden` at or below `base_max`: what a base search must
    /// look past, and what makes a rebuild of the base worth it.
    pub base_hidden: usize,
}

/// The largest unit id in `base` (a store's entries are in id order).
fn base_max(base: &Matcher<OpenedMemory>) -> i64 {
    let tm = base.memory();
    tm.store()
        .and_then(|s| s.unit_id(tm.len().checked_sub(1)? as EntryId))
        .unwrap_or(0)
}

impl View {
    /// A view of `base` alone.
    pub(crate) fn new(base: Arc<Matcher<OpenedMemory>>) -> Self {
        View {
            base_max: base_max(&base),
            base,
            levels: Vec::new(),
            hidden: HashMap::new(),
            base_hidden: 0,
        }
    }

    /// Entries held by the levels, shown or superseded.
    pub(crate) fn delta_len(&self) -> usize {
        self.levels.iter().map(|l| l.memory().len()).sum()
    }

    /// True when a base entry of `unit` is still current.
    pub(crate) fn base_shows(&self, unit: i64) -> bool {
        !self.hidden.contains_key(&unit)
    }

    /// True when a level entry made by change `seq` of `unit` is still current.
    pub(crate) fn level_shows(&self, unit: i64, seq: u64) -> bool {
        self.hidden.get(&unit) == Some(&seq)
    }

    /// This view with `changes` (all made by change `seq`) applied.
    pub(crate) fn with_changes(&self, name: &Arc<str>, seq: u64, changes: Vec<Change>) -> View {
        let mut hidden = self.hidden.clone();
        let mut base_hidden = self.base_hidden;
        let mut fresh = Vec::new();
        for c in changes {
            if hidden.insert(c.unit, seq).is_none() && c.unit <= self.base_max {
                base_hidden += 1;
            }
            if let Some(mut e) = c.entry {
                e.origin.position = u32::try_from(c.unit).unwrap_or(u32::MAX);
                fresh.push((e, (c.unit, seq)));
            }
        }
        let mut levels = self.levels.clone();
        let mut merged = fresh;
        // Merge with every level no larger than what is being added, keeping
        // only current entries: sizes stay geometric, lookups touch log(n) levels.
        while let Some(last) = levels.last() {
            if last.memory().len() > merged.len().max(1) {
                break;
            }
            let last = levels.pop().unwrap_or_else(|| unreachable!());
            let tm = last.memory();
            let kept = (0..tm.len() as EntryId).filter_map(|id| {
                let (unit, s) = tm.unit(id)?;
                let current = hidden.get(&unit) == Some(&s);
                current.then(|| (tm.entries[id as usize].clone(), (unit, s)))
            });
            let mut all: Vec<_> = kept.collect();
            all.append(&mut merged);
            merged = all;
        }
        if !merged.is_empty() {
            levels.push(Arc::new(build_level(
                self.base.memory().pair(),
                name,
                merged,
            )));
        }
        View {
            base: self.base.clone(),
            levels,
            hidden,
            base_max: self.base_max,
            base_hidden,
        }
    }

    /// This view on a new `base` that holds every change up to `seq0`:
    /// changes after it are kept (they hide their base copies).
    pub(crate) fn rebased(
        &self,
        base: Arc<Matcher<OpenedMemory>>,
        name: &Arc<str>,
        seq0: u64,
    ) -> View {
        let hidden: HashMap<i64, u64> = self
            .hidden
            .iter()
            .filter(|(_, s)| **s > seq0)
            .map(|(u, s)| (*u, *s))
            .collect();
        let mut kept = Vec::new();
        for level in &self.levels {
            let tm = level.memory();
            for id in 0..tm.len() as EntryId {
                if let Some((unit, s)) = tm.unit(id)
                    && s > seq0
                    && hidden.get(&unit) == Some(&s)
                {
                    kept.push((tm.entries[id as usize].clone(), (unit, s)));
                }
            }
        }
        let levels = if kept.is_empty() {
            Vec::new()
        } else {
            vec![Arc::new(build_level(base.memory().pair(), name, kept))]
        };
        let base_max = base_max(&base);
        let base_hidden = hidden.keys().filter(|&&u| u <= base_max).count();
        View {
            base,
            levels,
            hidden,
            base_max,
            base_hidden,
        }
    }
}

fn build_level(
    pair: &LanguagePair,
    name: &Arc<str>,
    items: Vec<(Entry, (i64, u64))>,
) -> Matcher<DeltaTm> {
    let (entries, units) = items.into_iter().unzip();
    Matcher::new(DeltaTm {
        pair: pair.clone(),
        name: name.clone(),
        entries,
        units,
    })
}

/// Checks that an index has been built for every entry (used by tests).
#[cfg(test)]
pub(crate) fn level_sizes(view: &View) -> Vec<usize> {
    view.levels.iter().map(|l| l.index().len()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tm::{MemoryTm, PositionUnit};

    fn pair() -> LanguagePair {
        LanguagePair::new("en".parse().unwrap(), "fr".parse().unwrap())
    }

    fn entry(s: &str) -> Entry {
        Entry {
            source: s.into(),
            target: format!("fr {s}"),
            tuid: None,
            changedate: None,
            source_codes: 0,
            origin: Origin {
                file: 0,
                position: 0,
                unit: PositionUnit::TranslationUnit,
            },
        }
    }

    fn empty_view() -> View {
        let base = Matcher::new(OpenedMemory::Files(MemoryTm::new(pair())));
        View::new(Arc::new(base))
    }

    #[test]
    fn levels_stay_geometric_and_superseded_entries_go_at_merge() {
        let name: Arc<str> = Arc::from("t.tmdb");
        let mut view = empty_view();
        for i in 0..10 {
            view = view.with_changes(
                &name,
                i + 1,
                vec![Change {
                    unit: i as i64,
                    entry: Some(entry(&format!("sentence number {i}"))),
                }],
            );
        }
        // 10 = 8 + 2: a binary counter.
        assert_eq!(level_sizes(&view), [8, 2]);
        // Unit 3 edited, unit 4 deleted: the edit lands in a level; the
        // superseded entries leave when their level is merged.
        view = view.with_changes(
            &name,
            11,
            vec![
                Change {
                    unit: 3,
                    entry: Some(entry("sentence number three")),
                },
                Change {
                    unit: 4,
                    entry: None,
                },
            ],
        );
        assert!(view.level_shows(3, 11) && !view.level_shows(3, 4));
        assert!(!view.base_shows(3) && !view.base_shows(4) && view.base_shows(99));
        assert_eq!(level_sizes(&view), [8, 2, 1]);
        assert_eq!(view.delta_len(), 11);
        // Rebased on a base holding changes up to 10: only change 11 stays.
        let base = view.base.clone();
        let rebased = view.rebased(base, &name, 10);
        assert_eq!(level_sizes(&rebased), [1]);
        assert_eq!(rebased.hidden.len(), 2);
    }
}
