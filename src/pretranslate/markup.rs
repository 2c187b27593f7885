//! The inline codes of matched memory entries. A loaded memory keeps plain
//! text (what matching needs); the few entries a job matches that had codes
//! are read again from their TMX files, one streaming pass per file.

use std::collections::{HashMap, HashSet};

use super::is_tmx_origin;
use crate::error::Result;
use crate::tm::{EntryId, MemoryTm, OpenedMemory, TranslationMemory};
use crate::tmx::{Seg, TmxReader};

/// A memory whose matched entries' inline codes can be read back: memory
/// files (from their TMX files) or a store (from its units).
pub trait MarkupSource: TranslationMemory {
    /// The [`Markup`] of `wanted`.
    fn markup(&self, wanted: &[EntryId]) -> Result<Markup>;
}

impl MarkupSource for MemoryTm {
    fn markup(&self, wanted: &[EntryId]) -> Result<Markup> {
        Markup::load(self, wanted)
    }
}

impl MarkupSource for OpenedMemory {
    fn markup(&self, wanted: &[EntryId]) -> Result<Markup> {
        match self {
            OpenedMemory::Files(tm) => Markup::load(tm, wanted),
            // TSV text holds no inline codes.
            OpenedMemory::Tsv(_) => Ok(Markup::default()),
            OpenedMemory::Store(store) => Ok(Markup {
                segs: store.marked_up(wanted)?,
            }),
        }
    }
}

/// Source and target segments, with their inline codes, of some entries.
#[derive(Debug, Default)]
pub struct Markup {
    segs: HashMap<EntryId, (Seg, Seg)>,
}

impl Markup {
    /// Reads the marked-up source and target of each of `wanted` that came
    /// from a TMX file (others are left out: their text has no codes).
    pub fn load(tm: &MemoryTm, wanted: &[EntryId]) -> Result<Markup> {
        let mut by_file: HashMap<u32, HashMap<u32, EntryId>> = HashMap::new();
        let mut seen = HashSet::new();
        for &id in wanted {
            let Some(entry) = tm.entry(id) else { continue };
            let Some(path) = tm.files().get(entry.origin.file as usize) else {
                continue;
            };
            if seen.insert(id) && is_tmx_origin(path, entry.origin.unit) {
                by_file
                    .entry(entry.origin.file)
                    .or_default()
                    .insert(entry.origin.position, id);
            }
        }
        let mut markup = Markup::default();
        let pair = tm.pair();
        for (file, mut positions) in by_file {
            let path = &tm.files()[file as usize];
            for (number, tu) in TmxReader::open(path)?.enumerate() {
                let tu = tu?;
                let Some(id) = u32::try_from(number + 1)
                    .ok()
                    .and_then(|n| positions.remove(&n))
                else {
                    continue;
                };
                if let (Some(s), Some(t)) = (tu.variant(&pair.source), tu.variant(&pair.target)) {
                    markup.segs.insert(id, (s.seg.clone(), t.seg.clone()));
                }
                if positions.is_empty() {
                    break;
                }
            }
        }
        Ok(markup)
    }

    /// The marked-up (source, target) of entry `id`, when read.
    pub fn get(&self, id: EntryId) -> Option<&(Seg, Seg)> {
        self.segs.get(&id)
    }
}

/// A [`Markup`] of segments read elsewhere (a served memory reads them from
/// its store's units; see [`MarkupSource`]).
impl FromIterator<(EntryId, (Seg, Seg))> for Markup {
    fn from_iter<I: IntoIterator<Item = (EntryId, (Seg, Seg))>>(segs: I) -> Self {
        Markup {
            segs: segs.into_iter().collect(),
        }
    }
}
