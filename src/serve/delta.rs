//! What a served pair answers from: the fuzzy index the store persisted (the
//! *base*, loaded once) and the units changed since, in a few small indexes
//! of geometric sizes (Bentley–Saxe: a change makes a level of its own, and
//! two levels of like size are merged into one), so a write is visible to
//! the next lookup at a cost logarithmic in the number of changes, while the
//! base stays shared read-only by every worker.
//!
//! Each change has a sequence number, and each level maps the units its
//! writes changed to the sequence of their latest change there (deletions
//! included); the newest level naming a unit has its latest change. A base
//! entry of a changed unit is never shown, and a level entry is shown only
//! while it is that latest change. A write builds only its own level and the
//! small ones it absorbs: nothing proportional to all the changes so far is
//! copied, and deletions of units added since start are forgotten once
//! merged into the oldest level.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::fuzzy::{MatchSession, Matcher};
use crate::tm::{Entry, EntryId, LanguagePair, OpenedMemory, Origin, TranslationMemory};

/// Entries of units changed since the base was built.
pub(crate) struct DeltaTm {
    pair: LanguagePair,
    /// How origins are named: the served memory's name.
    name: Arc<str>,
    entries: Vec<Entry>,
    /// Per entry: (unit id, sequence of the change that made it).
    units: Vec<(i64, u64)>,
    /// The entries in unit id order (the store's neighbour order).
    by_unit: Vec<EntryId>,
}

impl DeltaTm {
    /// The unit id and change sequence of entry `id`.
    pub(crate) fn unit(&self, id: EntryId) -> Option<(i64, u64)> {
        self.units.get(id as usize).copied()
    }

    /// The entry of the largest unit id below `unit` among those `current`
    /// keeps (given a unit and its change), with that unit id.
    fn before(&self, unit: i64, current: impl Fn(i64, u64) -> bool) -> Option<(i64, &Entry)> {
        let below = self
            .by_unit
            .partition_point(|&e| self.units[e as usize].0 < unit);
        self.by_unit[..below].iter().rev().find_map(|&e| {
            let (u, seq) = self.units[e as usize];
            current(u, seq).then(|| (u, &self.entries[e as usize]))
        })
    }
}

impl DeltaTm {
    /// Bytes its entries hold on the heap.
    fn heap_bytes(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        self.entries.capacity() * std::mem::size_of::<Entry>()
            + self
                .entries
                .iter()
                .map(|e| {
                    e.source.capacity() + e.target.capacity() + text(&e.tuid) + text(&e.changedate)
                })
                .sum::<usize>()
            + self.units.capacity() * std::mem::size_of::<(i64, u64)>()
            + self.by_unit.capacity() * std::mem::size_of::<EntryId>()
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

/// A level: the changes of a run of consecutive writes.
pub(crate) struct Level {
    /// Its current entries, indexed (`None` when every change was a deletion).
    pub matcher: Option<Matcher<DeltaTm>>,
    /// Unit → sequence of its latest change among these writes, deletions
    /// included: what hides older entries of the unit.
    latest: HashMap<i64, u64>,
}

impl Level {
    /// Changes it records (entries and deletions).
    fn changes(&self) -> usize {
        self.latest.len()
    }
}

/// A consistent state of a served pair: what one lookup reads.
pub(crate) struct View {
    pub base: Arc<Matcher<OpenedMemory>>,
    /// Oldest (and largest) first: a later level's changes are newer.
    pub levels: Vec<Arc<Level>>,
    /// The largest unit id the base may hold: units added later (higher
    /// ids) are never in it, so only changes at or below it hide base entries.
    pub base_max: i64,
    /// Units changed at or below `base_max`: what a base search must look
    /// past, and what makes a rebuild of the base worth it.
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
            base_hidden: 0,
        }
    }

    /// Changes the levels hold (a unit changed in two levels counts twice).
    pub(crate) fn delta_len(&self) -> usize {
        self.levels.iter().map(|l| l.changes()).sum()
    }

    /// Bytes the levels hold on the heap (indexes, entries, change maps):
    /// what the changes since start cost in memory.
    pub(crate) fn delta_bytes(&self) -> usize {
        self.levels
            .iter()
            .map(|l| {
                // A hash map slot: key, value and a control byte.
                let map = l.latest.capacity() * (std::mem::size_of::<(i64, u64)>() + 1);
                map + l
                    .matcher
                    .as_ref()
                    .map_or(0, |m| m.index().heap_bytes() + m.memory().heap_bytes())
            })
            .sum()
    }

    /// The sequence of `unit`'s latest change (the newest level that has one).
    fn latest(&self, unit: i64) -> Option<u64> {
        self.levels
            .iter()
            .rev()
            .find_map(|l| l.latest.get(&unit).copied())
    }

    /// True when a base entry of `unit` is still current.
    pub(crate) fn base_shows(&self, unit: i64) -> bool {
        self.latest(unit).is_none()
    }

    /// True when a level entry made by change `seq` of `unit` is still current.
    pub(crate) fn level_shows(&self, unit: i64, seq: u64) -> bool {
        self.latest(unit) == Some(seq)
    }

    /// A lookup session on each level's index, oldest level first, with its memory.
    pub(crate) fn level_sessions(&self) -> Vec<(&DeltaTm, MatchSession<'_, DeltaTm>)> {
        self.levels
            .iter()
            .filter_map(|l| l.matcher.as_ref())
            .map(|m| (m.memory(), m.session()))
            .collect()
    }

    /// The current level entry of the largest unit id below `unit` (the
    /// levels' part of `unit`'s neighbour in the store), with that unit id.
    pub(crate) fn level_before(&self, unit: i64) -> Option<(i64, &Entry)> {
        self.levels
            .iter()
            .filter_map(|l| l.matcher.as_ref())
            .filter_map(|m| m.memory().before(unit, |u, seq| self.level_shows(u, seq)))
            .max_by_key(|(u, _)| *u)
    }

    /// This view with `changes` (all made by change `seq`) applied. The
    /// changes make a level of their own, merged with every newer level no
    /// larger (sizes stay geometric, so a lookup reads log(n) levels and a
    /// write costs log(n) amortised): the view's other levels are shared,
    /// not copied.
    pub(crate) fn with_changes(&self, name: &Arc<str>, seq: u64, changes: Vec<Change>) -> View {
        let mut base_hidden = self.base_hidden;
        let mut latest: HashMap<i64, u64> = HashMap::with_capacity(changes.len());
        let mut fresh = Vec::new();
        for c in changes {
            if c.unit <= self.base_max
                && self.latest(c.unit).is_none()
                && !latest.contains_key(&c.unit)
            {
                base_hidden += 1;
            }
            latest.insert(c.unit, seq);
            if let Some(mut e) = c.entry {
                e.origin.position = u32::try_from(c.unit).unwrap_or(u32::MAX);
                fresh.push((e, (c.unit, seq)));
            }
        }
        let mut levels = self.levels.clone();
        let mut merged: Vec<Arc<Level>> = Vec::new();
        while let Some(last) = levels.last() {
            if last.changes() > latest.len().max(1) {
                break;
            }
            let last = levels.pop().unwrap_or_else(|| unreachable!());
            for (&unit, &s) in &last.latest {
                latest.entry(unit).or_insert(s);
            }
            merged.push(last);
        }
        // The merged levels' entries still current (the newest change of
        // their unit), oldest first, then this write's.
        let mut entries = current_entries(merged.iter().rev(), &latest);
        entries.append(&mut fresh);
        if levels.is_empty() {
            // Nothing older is left to hide: deletions of units the base
            // cannot hold need no record any more.
            let base_max = self.base_max;
            let kept: std::collections::HashSet<i64> =
                entries.iter().map(|(_, (u, _))| *u).collect();
            latest.retain(|u, _| *u <= base_max || kept.contains(u));
        }
        if !latest.is_empty() {
            levels.push(Arc::new(Level {
                matcher: (!entries.is_empty())
                    .then(|| build_level(self.base.memory().pair(), name, entries)),
                latest,
            }));
        }
        View {
            base: self.base.clone(),
            levels,
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
        let mut latest: HashMap<i64, u64> = HashMap::new();
        for level in &self.levels {
            latest.extend(level.latest.iter().map(|(&u, &s)| (u, s)));
        }
        latest.retain(|_, s| *s > seq0);
        let kept = current_entries(self.levels.iter(), &latest);
        let base_max = base_max(&base);
        let base_hidden = latest.keys().filter(|&&u| u <= base_max).count();
        let levels = if latest.is_empty() {
            Vec::new()
        } else {
            vec![Arc::new(Level {
                matcher: (!kept.is_empty()).then(|| build_level(base.memory().pair(), name, kept)),
                latest,
            })]
        };
        View {
            base,
            levels,
            base_max,
            base_hidden,
        }
    }
}

/// The entries of `levels` that are their unit's change in `latest`, in
/// order, with their unit and change.
fn current_entries<'a>(
    levels: impl Iterator<Item = &'a Arc<Level>>,
    latest: &HashMap<i64, u64>,
) -> Vec<(Entry, (i64, u64))> {
    let mut out = Vec::new();
    for m in levels.filter_map(|l| l.matcher.as_ref()) {
        let tm = m.memory();
        for id in 0..tm.len() as EntryId {
            if let Some((unit, s)) = tm.unit(id)
                && latest.get(&unit) == Some(&s)
            {
                out.push((tm.entries[id as usize].clone(), (unit, s)));
            }
        }
    }
    out
}

fn build_level(
    pair: &LanguagePair,
    name: &Arc<str>,
    items: Vec<(Entry, (i64, u64))>,
) -> Matcher<DeltaTm> {
    let (entries, units): (Vec<Entry>, Vec<(i64, u64)>) = items.into_iter().unzip();
    let mut by_unit: Vec<EntryId> = (0..entries.len() as EntryId).collect();
    by_unit.sort_by_key(|&e| units[e as usize].0);
    Matcher::new(DeltaTm {
        pair: pair.clone(),
        name: name.clone(),
        entries,
        units,
        by_unit,
    })
}

/// Checks that an index has been built for every entry (used by tests).
#[cfg(test)]
pub(crate) fn level_sizes(view: &View) -> Vec<usize> {
    view.levels
        .iter()
        .map(|l| l.matcher.as_ref().map_or(0, |m| m.index().len()))
        .collect()
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
        // Neighbours in unit order over the current entries: the deleted
        // unit 4 is skipped, the edited unit 3 is its new text.
        let before = |u| view.level_before(u).map(|(u, e)| (u, e.source.clone()));
        assert_eq!(before(5), Some((3, "sentence number three".into())));
        assert_eq!(before(3), Some((2, "sentence number 2".into())));
        assert_eq!(before(0), None);
        assert_eq!(before(100), Some((9, "sentence number 9".into())));
        // Two changes absorb the level of two: units 8, 9 and the new 3.
        assert_eq!(level_sizes(&view), [8, 3]);
        assert_eq!(view.delta_len(), 12);
        // Rebased on a base holding changes up to 10: only change 11 stays.
        let base = view.base.clone();
        let rebased = view.rebased(base, &name, 10);
        assert_eq!(level_sizes(&rebased), [1]);
        assert_eq!(rebased.delta_len(), 2);
        assert!(!rebased.base_shows(4) && rebased.level_shows(3, 11));
    }

    /// Units added and deleted since start leave nothing behind once their
    /// deletions reach the oldest level: the record of changes stays bounded.
    #[test]
    fn deletions_of_added_units_are_forgotten() {
        let name: Arc<str> = Arc::from("t.tmdb");
        let mut view = empty_view();
        let mut seq = 0;
        for round in 0..200i64 {
            for change in [Some(entry(&format!("added sentence {round}"))), None] {
                seq += 1;
                view = view.with_changes(
                    &name,
                    seq,
                    vec![Change {
                        unit: 1000 + round,
                        entry: change,
                    }],
                );
            }
        }
        assert!(view.delta_len() <= 16, "{} changes kept", view.delta_len());
        assert_eq!(level_sizes(&view).iter().sum::<usize>(), 0);
        assert_eq!(view.base_hidden, 0);
    }
}
