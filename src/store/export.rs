//! Writing a store's units out, streaming: TMX (every variant, inline codes,
//! attributes, notes and props as imported; the header of the first unit's
//! origin file), TSV for one language pair, or XLIFF (one `<file>` per
//! language pair, inline codes as XLIFF inline elements, tuid as `resname`,
//! notes, every segment `translated`).

use std::io::Write;

use super::{Filter, Store};
use crate::error::{Error, Result};
use crate::tm::LanguagePair;
use crate::tmx::{Header, TmxWriter, Tu};
use crate::xliff::{Document, Format, write_xliff12, write_xliff20};

/// Output formats of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFormat {
    /// TMX 1.4b.
    Tmx,
    /// `source<TAB>target` for a pair (tabs and line breaks in text become spaces).
    Tsv(LanguagePair),
    /// XLIFF: one `<file>` per (source, target) pair of the units selected,
    /// or only `pair` when given.
    Xliff {
        /// 1.2 ([`Format::Xliff12`]) or 2.0 ([`Format::Xliff20`], which has a
        /// single language pair per document).
        version: Format,
        /// The one pair written; `None`: every pair the units hold.
        pair: Option<LanguagePair>,
        /// The `original` attribute of the `<file>`s (with the pair appended
        /// when there are several).
        original: String,
    },
}

/// Writes the units `filter` selects to `out`; returns how many were written.
pub fn export(
    store: &mut dyn Store,
    filter: &Filter,
    format: &ExportFormat,
    out: &mut dyn Write,
) -> Result<u64> {
    match format {
        ExportFormat::Tmx => export_tmx(store, filter, out),
        ExportFormat::Tsv(pair) => export_tsv(store, filter, pair, out),
        ExportFormat::Xliff {
            version,
            pair,
            original,
        } => export_xliff(store, filter, *version, pair.as_ref(), original, out),
    }
}

fn export_tmx(store: &mut dyn Store, filter: &Filter, out: &mut dyn Write) -> Result<u64> {
    // The header comes from the first unit's origin file.
    let mut first = None;
    let probe = Filter {
        limit: Some(1),
        ..filter.clone()
    };
    store.for_each_unit(&probe, &mut |u| {
        first = Some(u.unit);
        Ok(())
    })?;
    let header = match first.as_ref().and_then(|u| u.origin.as_deref()) {
        Some(name) => store.origin_header(name)?,
        None => None,
    };
    let header = header.unwrap_or_else(|| {
        let srclang = first.as_ref().map_or("*all*", |u| u.source_lang.as_str());
        let mut h = Header::new(srclang);
        h.complete();
        h
    });
    let mut writer = TmxWriter::new(out, &header)?;
    let n = store.for_each_unit(filter, &mut |u| writer.write_tu(&u.unit.tu))?;
    writer.finish()?;
    Ok(n)
}

fn export_tsv(
    store: &mut dyn Store,
    filter: &Filter,
    pair: &LanguagePair,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut written = 0u64;
    let clean = |s: String| s.replace(['\t', '\n', '\r'], " ");
    store.for_each_unit(filter, &mut |u| {
        let tuvs = &u.unit.tu.tuvs;
        let pick = |lang| crate::tm::best_variant(tuvs.iter().map(|t| (t.lang.as_str(), t)), lang);
        if let (Some(s), Some(t)) = (pick(&pair.source), pick(&pair.target)) {
            let line = format!(
                "{}\t{}\n",
                clean(s.seg.plain_text()),
                clean(t.seg.plain_text())
            );
            out.write_all(line.as_bytes())
                .map_err(|e| Error::io("<output>", e))?;
            written += 1;
        }
        Ok(())
    })?;
    Ok(written)
}

/// The XLIFF export. The units are grouped by pair in memory before writing,
/// because a `<file>` must hold all of its pair's units and the XLIFF writers
/// take a whole [`Document`]; TMX and TSV stream. A multilingual unit is in
/// the file of each of its target languages. Returns the segments written.
fn export_xliff(
    store: &mut dyn Store,
    filter: &Filter,
    version: Format,
    pair: Option<&LanguagePair>,
    original: &str,
    out: &mut dyn Write,
) -> Result<u64> {
    if version == Format::Po {
        return Err(Error::Usage(
            "a PO export is not supported; use .xlf".into(),
        ));
    }
    // (source, target) → units, in first-seen order of the pairs.
    let mut groups: Vec<((String, String), Vec<Tu>)> = Vec::new();
    let mut push = |key: (String, String), tu: &Tu| {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, tus)) => tus.push(tu.clone()),
            None => groups.push((key, vec![tu.clone()])),
        };
    };
    store.for_each_unit(filter, &mut |u| {
        let tu = &u.unit.tu;
        match pair {
            Some(p) => push((p.source.to_string(), p.target.to_string()), tu),
            None => {
                let src = &u.unit.source_lang;
                for tuv in &tu.tuvs {
                    if !tuv.lang.eq_ignore_ascii_case(src) {
                        push((src.clone(), tuv.lang.clone()), tu);
                    }
                }
            }
        }
        Ok(())
    })?;
    if version == Format::Xliff20 && groups.len() > 1 {
        let pairs: Vec<String> = groups
            .iter()
            .map(|((s, t), _)| format!("{s}-{t}"))
            .collect();
        return Err(Error::Usage(format!(
            "XLIFF 2.0 holds one language pair and the units selected have {} ({}); \
             choose one with --src and --tgt, or write XLIFF 1.2",
            groups.len(),
            pairs.join(", ")
        )));
    }
    let mut doc = Document {
        format: Some(version),
        ..Document::default()
    };
    let mut written = 0u64;
    // Files of several pairs get distinct names, which tools key units on.
    let several = groups.len() > 1;
    for ((s, t), tus) in groups {
        let name = if several {
            format!("{original} ({s}-{t})")
        } else {
            original.to_string()
        };
        let (Ok(sl), Ok(tl)) = (s.parse(), t.parse()) else {
            // A tag the store kept but that does not parse: nothing can name
            // the file's languages, so its units are left out.
            continue;
        };
        let (part, _) = crate::xliff::convert::from_tus(tus, &sl, &tl, &name, version);
        for file in part.files {
            written += file.units.len() as u64;
            doc.files.push(file);
        }
    }
    if doc.files.is_empty() {
        // Nothing selected: still a valid document (the schemas want a file).
        doc.files.push(crate::xliff::File {
            original: original.to_string(),
            source_language: pair
                .map(|p| p.source.to_string())
                .or_else(|| filter.src.clone()),
            target_language: pair
                .map(|p| p.target.to_string())
                .or_else(|| filter.tgt.clone()),
            datatype: Some("plaintext".into()),
            ..crate::xliff::File::default()
        });
    }
    let out = match version {
        Format::Xliff20 => write_xliff20(&doc, out),
        _ => write_xliff12(&doc, out),
    };
    out.map(|_| written)
}
