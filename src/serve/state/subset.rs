//! A small memory of the matches a served pair found for some queries,
//! with what pretranslation needs of them that a plain [`MemoryTm`] lacks:
//! the origins as the server names them, the region fallbacks, and the
//! matched units' inline codes (read from the store's units, or from the
//! memory files' TMX), so a served pretranslation writes what
//! `tmkit pretranslate` writes with the same memory.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::error::Result;
use crate::pretranslate::{Markup, MarkupSource};
use crate::store::{Filter, Store};
use crate::tm::{
    Entry, EntryId, LanguagePair, MemoryTm, Origin, RegionFallback, TranslationMemory,
};
use crate::tmx::Seg;

/// The matched entries of a served pair (see the module documentation).
pub struct SubsetTm {
    tm: MemoryTm,
    /// Per entry, its origin as clients see it (`team#7`); an entry's
    /// `origin.file` is its index here.
    origins: Vec<String>,
    fallbacks: HashMap<EntryId, RegionFallback>,
    /// The marked-up source and target of the entries with inline codes.
    segs: HashMap<EntryId, (Seg, Seg)>,
}

/// One entry of a [`SubsetTm`] as the search found it.
pub(crate) struct SubsetEntry {
    pub entry: Entry,
    pub origin: String,
    pub fallback: Option<RegionFallback>,
    /// Its marked-up source and target, when it has inline codes.
    pub marked: Option<(Seg, Seg)>,
}

impl SubsetTm {
    /// A memory of `entries`, in their order.
    pub(crate) fn new(pair: LanguagePair, entries: Vec<SubsetEntry>) -> SubsetTm {
        let mut subset = SubsetTm {
            tm: MemoryTm::new(pair),
            origins: Vec::with_capacity(entries.len()),
            fallbacks: HashMap::new(),
            segs: HashMap::new(),
        };
        for (k, mut e) in entries.into_iter().enumerate() {
            let id = EntryId::try_from(k).unwrap_or(EntryId::MAX);
            e.entry.origin.file = id;
            subset.tm.push(e.entry);
            subset.origins.push(e.origin);
            if let Some(f) = e.fallback {
                subset.fallbacks.insert(id, f);
            }
            if let Some(m) = e.marked {
                subset.segs.insert(id, m);
            }
        }
        subset
    }
}

impl TranslationMemory for SubsetTm {
    fn pair(&self) -> &LanguagePair {
        self.tm.pair()
    }
    fn len(&self) -> usize {
        self.tm.len()
    }
    fn entry(&self, id: EntryId) -> Option<Cow<'_, Entry>> {
        self.tm.entry(id)
    }
    fn describe_origin(&self, origin: &Origin) -> String {
        self.origins
            .get(origin.file as usize)
            .cloned()
            .unwrap_or_default()
    }
    fn region_fallback(&self, id: EntryId) -> Option<&RegionFallback> {
        self.fallbacks.get(&id)
    }
}

impl MarkupSource for SubsetTm {
    fn markup(&self, wanted: &[EntryId]) -> Result<Markup> {
        Ok(wanted
            .iter()
            .filter_map(|id| Some((*id, self.segs.get(id)?.clone())))
            .collect())
    }
}

/// The marked-up source and target of store units `units` for `pair` (the
/// variants a pair's entry is made of: [`crate::tm::best_variant`]), as
/// the store keeps them with their inline codes. Units no longer in the
/// store are left out.
pub(crate) fn marked_up_units(
    store: &mut dyn Store,
    pair: &LanguagePair,
    units: &[i64],
) -> Result<HashMap<i64, (Seg, Seg)>> {
    let mut out = HashMap::new();
    if units.is_empty() {
        // An empty id list would select every unit.
        return Ok(out);
    }
    let mut ids = units.to_vec();
    ids.sort_unstable();
    ids.dedup();
    store.for_each_unit(&Filter::of_ids(ids), &mut |u| {
        let tuvs = &u.unit.tu.tuvs;
        let pick = |lang| crate::tm::best_variant(tuvs.iter().map(|t| (t.lang.as_str(), t)), lang);
        if let (Some(s), Some(t)) = (pick(&pair.source), pick(&pair.target)) {
            out.insert(u.id, (s.seg.clone(), t.seg.clone()));
        }
        Ok(())
    })?;
    Ok(out)
}
