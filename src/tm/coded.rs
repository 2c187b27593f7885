//! The targets of memory entries with their inline codes. Entries keep plain
//! text (what matching compares); a result shown to a translator or handed
//! to a CAT tool needs the codes back, as `{1}…{/1}` placeholders and as the
//! TMX inline XML. They are read from the TMX files the entries came from,
//! once, keeping only the units whose target holds an inline element.

use std::path::PathBuf;

use super::{Entry, LanguagePair, PositionUnit, TmFormat};
use crate::error::Result;
use crate::tmx::writer::seg_to_xml;
use crate::tmx::{Seg, TmxReader, Tu};

/// A target with its inline codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedTarget {
    /// The text with each code as a numbered placeholder (`{1}OK{/1}`).
    pub placeholders: String,
    /// The `<seg>` content as TMX inline XML.
    pub xml: String,
}

/// The coded targets of the units of a memory's TMX files, by file index
/// and unit number (an entry's [`super::Origin`]).
#[derive(Debug, Default)]
pub struct CodedTargets {
    by_file: Vec<ahash::AHashMap<u32, CodedTarget>>,
    /// With [`CodedTargets::load_with_segs`]: the (source, target) segments
    /// of the units whose source holds codes, by file and unit number.
    segs: Vec<ahash::AHashMap<u32, (Seg, Seg)>>,
}

impl CodedTargets {
    /// Reads the TMX files among `files` (a memory's [`super::MemoryTm::files`],
    /// in order) for the target language of `pair`. A file that cannot be
    /// read again is left out (its entries get their plain targets).
    pub fn load(files: &[PathBuf], pair: &LanguagePair) -> Self {
        Self::read(files, pair, false)
    }

    /// As [`CodedTargets::load`], keeping too, in the same pass, the
    /// (source, target) segments of each unit whose source holds codes
    /// ([`CodedTargets::segs`]): what a pretranslation needs of its coded
    /// hits, without reading the TMX again per request.
    pub fn load_with_segs(files: &[PathBuf], pair: &LanguagePair) -> Self {
        Self::read(files, pair, true)
    }

    fn read(files: &[PathBuf], pair: &LanguagePair, keep_segs: bool) -> Self {
        let (by_file, segs) = files
            .iter()
            .map(|path| {
                let mut units = ahash::AHashMap::new();
                let mut segs = ahash::AHashMap::new();
                if TmFormat::of_path(path) == TmFormat::Tmx {
                    let keep = keep_segs.then_some(&mut segs);
                    let _ = read_coded(path, pair, &mut units, keep);
                }
                (units, segs)
            })
            .unzip();
        CodedTargets { by_file, segs }
    }

    /// The (source, target) segments, with their codes, of the unit `entry`
    /// came from, when its source holds codes (only after
    /// [`CodedTargets::load_with_segs`]).
    pub fn segs(&self, entry: &Entry) -> Option<&(Seg, Seg)> {
        (entry.origin.unit == PositionUnit::TranslationUnit)
            .then(|| self.segs.get(entry.origin.file as usize))
            .flatten()
            .and_then(|units| units.get(&entry.origin.position))
    }

    /// The target of `entry` with its codes: from its unit when the unit's
    /// target holds codes, else its plain text (escaped for XML).
    pub fn target(&self, entry: &Entry) -> CodedTarget {
        let coded = (entry.origin.unit == PositionUnit::TranslationUnit)
            .then(|| self.by_file.get(entry.origin.file as usize))
            .flatten()
            .and_then(|units| units.get(&entry.origin.position));
        match coded {
            Some(c) => c.clone(),
            None => CodedTarget {
                placeholders: entry.target.clone(),
                xml: seg_to_xml(&Seg::from_text(entry.target.as_str())).unwrap_or_default(),
            },
        }
    }
}

/// Keeps the coded targets of one file, by unit number (from 1, as entries
/// count them).
fn read_coded(
    path: &std::path::Path,
    pair: &LanguagePair,
    units: &mut ahash::AHashMap<u32, CodedTarget>,
    mut segs: Option<&mut ahash::AHashMap<u32, (Seg, Seg)>>,
) -> Result<()> {
    let mut reader = TmxReader::open(path)?;
    let mut tu = Tu::default();
    let mut number = 0u32;
    while let Some(result) = reader.next_into(&mut tu) {
        result?;
        number = number.saturating_add(1);
        let Some((target, _)) = tu.best_variant(&pair.target) else {
            continue;
        };
        if let (Some(segs), Some((source, _))) =
            (segs.as_deref_mut(), tu.best_variant(&pair.source))
            && source
                .seg
                .parts
                .iter()
                .any(|p| matches!(p, crate::tmx::SegPart::Inline(_)))
        {
            segs.insert(number, (source.seg.clone(), target.seg.clone()));
        }
        if target
            .seg
            .parts
            .iter()
            .any(|p| matches!(p, crate::tmx::SegPart::Inline(_)))
        {
            units.insert(
                number,
                CodedTarget {
                    placeholders: target.seg.text_with_placeholders(),
                    xml: seg_to_xml(&target.seg)?,
                },
            );
        }
    }
    Ok(())
}
