//! Writing a store's units out, streaming: TMX (every variant, inline codes,
//! attributes, notes and props as imported; the header of the first unit's
//! origin file) or TSV for one language pair.

use std::io::Write;

use super::{Filter, Store};
use crate::error::{Error, Result};
use crate::tm::LanguagePair;
use crate::tmx::{Header, TmxWriter};

/// Output formats of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFormat {
    /// TMX 1.4b.
    Tmx,
    /// `source<TAB>target` for a pair (tabs and line breaks in text become spaces).
    Tsv(LanguagePair),
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
