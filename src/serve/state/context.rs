//! 101% (in-context) matches over a served pair, decided as `tmkit match`
//! and `tmkit analyze` decide them on the same store.
//!
//! For a store, the matcher's neighbour of an entry is the entry before it
//! in the pair's entry order, which is unit id order: the unit with the
//! next lower id that serves the pair ([`MatchSession::in_context`]). A
//! served pair is its persisted base plus change levels, so that order is
//! followed over what the view shows: base entries of changed units are
//! skipped, and the levels' current entries (units added or edited since
//! start) take their places by unit id. Memory files never change while
//! served: their own check applies.

use std::cmp::Reverse;

use crate::fuzzy::{CONTEXT_EXACT_MATCHES as EXACT_MATCHES, MatchOptions, MatchSession};
use crate::store::StoreMemory;
use crate::tm::{EntryId, TranslationMemory};

use super::super::delta::{DeltaTm, View};
use super::BaseSession;

/// True when an exact (100%) match of `segment` shown in `view` follows, in
/// the store's order, a unit whose source is `previous` (both trimmed):
/// what makes `tmkit match` give 101. `base` is a session on `view.base`,
/// `levels` one on each of `view.levels`' indexes, in order.
pub(super) fn in_context(
    view: &View,
    base: &mut BaseSession<'_>,
    levels: &mut [(&DeltaTm, MatchSession<'_, DeltaTm>)],
    segment: &str,
    previous: &str,
) -> bool {
    let Some(store) = view.base.memory().store() else {
        return base.in_context(segment, previous);
    };
    let exact = |max_results| MatchOptions {
        min_score: 100,
        max_results,
        exhaustive: false,
    };
    // (unit, its base entry when it is one), the shown exact matches: the
    // base's already in the matcher's tie order.
    let mut found: Vec<(i64, Option<EntryId>)> = base
        .best(segment, &exact(EXACT_MATCHES + view.base_hidden))
        .into_iter()
        .filter_map(|hit| {
            let unit = store.unit_id(hit.entry)?;
            view.base_shows(unit).then_some((unit, Some(hit.entry)))
        })
        .collect();
    // The levels' shown exact matches, with their change dates.
    let mut changed: Vec<(Option<String>, i64)> = Vec::new();
    for (tm, session) in levels.iter_mut() {
        let hits = session.best(segment, &exact(EXACT_MATCHES + view.delta_len()));
        changed.extend(hits.into_iter().filter_map(|hit| {
            let (unit, seq) = tm.unit(hit.entry)?;
            let date = tm.entry(hit.entry)?.into_owned().changedate;
            view.level_shows(unit, seq).then_some((date, unit))
        }));
    }
    if !changed.is_empty() {
        // The matcher's order among equal scores over the whole store:
        // newest changedate first (undated last), then entry order, which
        // is unit order.
        let ids: Vec<EntryId> = found.iter().filter_map(|&(_, at)| at).collect();
        store.prefetch(&ids);
        let mut all: Vec<(Option<String>, i64, Option<EntryId>)> = found
            .into_iter()
            .map(|(unit, at)| {
                let date = at
                    .and_then(|e| store.entry(e))
                    .and_then(|e| e.changedate.clone());
                (date, unit, at)
            })
            .chain(changed.into_iter().map(|(date, unit)| (date, unit, None)))
            .collect();
        all.sort_unstable_by(|(da, ua, _), (db, ub, _)| {
            (da.is_none(), Reverse(da), ua).cmp(&(db.is_none(), Reverse(db), ub))
        });
        found = all.into_iter().map(|(_, unit, at)| (unit, at)).collect();
    }
    found.truncate(EXACT_MATCHES);
    let previous = previous.trim();
    found.into_iter().any(|(unit, at)| {
        let base_before = base_before(view, store, unit, at);
        match (base_before, view.level_before(unit)) {
            (Some((b, _)), Some((l, entry))) if l > b => entry.source.trim() == previous,
            (None, Some((_, entry))) => entry.source.trim() == previous,
            (Some((_, e)), _) => store
                .entry(e)
                .is_some_and(|entry| entry.source.trim() == previous),
            (None, None) => false,
        }
    })
}

/// The shown base entry of the largest unit id below `unit`, with that
/// unit id; `at` is `unit`'s own base entry when it has one.
fn base_before(
    view: &View,
    store: &StoreMemory,
    unit: i64,
    at: Option<EntryId>,
) -> Option<(i64, EntryId)> {
    // The first base entry of a unit at or past `unit` (units in id order).
    let end = at.unwrap_or_else(|| {
        let (mut lo, mut hi) = (0, store.len() as EntryId);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if store.unit_id(mid).is_some_and(|u| u < unit) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    });
    // Past hidden units: at most `view.base_hidden` of them.
    (0..end).rev().find_map(|e| {
        let u = store.unit_id(e)?;
        view.base_shows(u).then_some((u, e))
    })
}
