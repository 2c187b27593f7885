//! Writing a store's units out, streaming: TMX (every variant, inline codes,
//! attributes, notes and props as imported; the header of the first unit's
//! origin file), TSV for one language pair, or XLIFF (one `<file>` per
//! language pair, inline codes as XLIFF inline elements, tuid as `resname`,
//! notes, every segment `translated`).

use std::io::Write;

use super::{Filter, Store};
use crate::error::{Error, Result};
use crate::text::LanguageTag;
use crate::tm::LanguagePair;
use crate::tmx::{Header, TmxWriter, Tu};
use crate::xliff::convert::Common;
use crate::xliff::{Document, Format, write_xliff12, write_xliff20};

/// Output formats of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFormat {
    /// TMX 1.4b.
    Tmx,
    /// `source<TAB>target` for a pair, after a row of the pair's language
    /// codes; tabs, line breaks and backslashes escaped (`\t`, `\n`, `\r`,
    /// `\\`: see [`crate::tm::escape_tsv_field`]), as `tmx convert` writes.
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
    fn pick<'t>(tu: &'t Tu, lang: &LanguageTag) -> Option<&'t crate::tmx::Tuv> {
        crate::tm::best_variant(tu.tuvs.iter().map(|t| (t.lang.as_str(), t)), lang)
    }
    // The header row names the variants' own tags when every pair written
    // agrees (`en-US` for `--src en`), else the language they share (`en`
    // for `en-US` and `en-GB` units): one pass first, as for XLIFF.
    let (mut src, mut tgt) = (Common::default(), Common::default());
    store.for_each_unit(filter, &mut |u| {
        if let (Some(s), Some(t)) = (
            pick(&u.unit.tu, &pair.source),
            pick(&u.unit.tu, &pair.target),
        ) {
            src.see(&s.lang);
            tgt.see(&t.lang);
        }
        Ok(())
    })?;
    let mut written = 0u64;
    let mut header = String::new();
    crate::tm::push_tsv_row(
        &mut header,
        &[
            &src.shared_tag().unwrap_or(&pair.source).to_string(),
            &tgt.shared_tag().unwrap_or(&pair.target).to_string(),
        ],
    );
    out.write_all(header.as_bytes())
        .map_err(|e| Error::io("<output>", e))?;
    let mut line = String::new();
    store.for_each_unit(filter, &mut |u| {
        if let (Some(s), Some(t)) = (
            pick(&u.unit.tu, &pair.source),
            pick(&u.unit.tu, &pair.target),
        ) {
            line.clear();
            crate::tm::push_tsv_row(&mut line, &[&s.seg.plain_text(), &t.seg.plain_text()]);
            out.write_all(line.as_bytes())
                .map_err(|e| Error::io("<output>", e))?;
            written += 1;
        }
        Ok(())
    })?;
    Ok(written)
}

/// Units rendered per chunk of an XLIFF export: memory stays bounded by
/// this, not by the size of the export.
const XLIFF_CHUNK: usize = 2_000;

/// The XLIFF export, streaming: one pass finds the pairs of the units
/// selected, then one pass per pair writes its `<file>` in chunks. The
/// chunks are rendered by the XLIFF writers (which take a whole
/// [`Document`]) and only their unit lines are kept, so the layout and
/// escaping are the writers' own. A multilingual unit is in the file of each
/// of its target languages. Returns the segments written.
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
    let pairs: Vec<(LanguageTag, LanguageTag)> = match pair {
        Some(p) => {
            // The variants' own tags when every unit written agrees (`en-US`
            // and `fr-FR` asked for as `en` and `fr`), as `tmx convert` to
            // XLIFF does; known before the file's head is written.
            let (mut src, mut tgt) = (Common::default(), Common::default());
            store.for_each_unit(filter, &mut |u| {
                if let (Some(s), Some(t)) =
                    (u.unit.tu.variant(&p.source), u.unit.tu.variant(&p.target))
                {
                    src.see(&s.lang);
                    tgt.see(&t.lang);
                }
                Ok(())
            })?;
            let own = |c: &Common, asked: &LanguageTag| {
                c.tag()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or_else(|| asked.clone())
            };
            vec![(own(&src, &p.source), own(&tgt, &p.target))]
        }
        None => {
            let mut keys: Vec<(String, String)> = Vec::new();
            store.for_each_unit(filter, &mut |u| {
                // The source variant's own tag: a unit imported with
                // `srclang="en"` and `en-US` variants (stores written before
                // the import resolved it) is no `en` → `en-US` pair.
                let src = u.unit.source_variant_lang();
                for tuv in &u.unit.tu.tuvs {
                    let key = (src.clone(), tuv.lang.clone());
                    if !crate::tmx::model::lang_eq(&tuv.lang, &src) && !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                Ok(())
            })?;
            // A tag the store kept but that does not parse cannot name a
            // file's languages: its units are left out.
            let mut pairs: Vec<(LanguageTag, LanguageTag)> = Vec::new();
            for (s, t) in &keys {
                if let (Ok(s), Ok(t)) = (s.parse(), t.parse()) {
                    let p = (s, t);
                    // `en-gb` and `en-GB` are one pair.
                    if !pairs.contains(&p) {
                        pairs.push(p);
                    }
                }
            }
            pairs
        }
    };
    if version == Format::Xliff20 && pairs.len() > 1 {
        let names: Vec<String> = pairs.iter().map(|(s, t)| format!("{s}-{t}")).collect();
        return Err(Error::Usage(format!(
            "XLIFF 2.0 holds one language pair and the units selected have {} ({}); \
             choose one with --src and --tgt, or write XLIFF 1.2",
            pairs.len(),
            names.join(", ")
        )));
    }
    let write = |out: &mut dyn Write, text: &str| {
        out.write_all(text.as_bytes())
            .map_err(|e| Error::io("<output>", e))
    };
    if pairs.is_empty() {
        // Nothing selected: still a valid document (the schemas want a file).
        let doc = Document {
            format: Some(version),
            files: vec![crate::xliff::File {
                original: original.to_string(),
                source_language: filter.src.clone(),
                target_language: filter.tgt.clone(),
                datatype: Some("plaintext".into()),
                ..crate::xliff::File::default()
            }],
            ..Document::default()
        };
        write(out, &render(&doc, version)?)?;
        return Ok(0);
    }
    // Files of several pairs get distinct names, which tools key units on.
    let several = pairs.len() > 1;
    let mut written = 0u64;
    let mut end = String::new();
    for (n, (sl, tl)) in pairs.iter().enumerate() {
        let name = if several {
            format!("{original} ({sl}-{tl})")
        } else {
            original.to_string()
        };
        let mut file = ChunkedFile {
            sl,
            tl,
            name: &name,
            version,
            pending: Vec::new(),
            count: 0,
            empty: Vec::new(),
            at: 0,
            tail: None,
        };
        let empty = render(&file.document(Vec::new()), version)?;
        file.empty = empty.split_inclusive('\n').map(str::to_string).collect();
        let (start, close) = file_lines(&file.empty)?;
        if n == 0 {
            write(out, &file.empty[..start].concat())?;
        }
        end = file.empty[close + 1..].concat();
        file.at = start;
        let wanted =
            |lang: &str, tag: &LanguageTag| lang.parse::<LanguageTag>().ok().as_ref() == Some(tag);
        store.for_each_unit(filter, &mut |u| {
            let tu = &u.unit.tu;
            let ours = match pair {
                Some(_) => true,
                None => {
                    wanted(&u.unit.source_variant_lang(), sl)
                        && tu.tuvs.iter().any(|t| wanted(&t.lang, tl))
                }
            };
            if ours {
                file.pending.push(u.unit.tu);
                if file.pending.len() == XLIFF_CHUNK {
                    file.flush(out)?;
                }
            }
            Ok(())
        })?;
        file.flush(out)?;
        // The rest of the file as the writer rendered it: the file without
        // units whole when it had none (XLIFF 2.0's placeholder group
        // included), else the tail of the last chunk.
        let rest = match &file.tail {
            Some(tail) => tail.concat(),
            None => file.empty[file.at..=close].concat(),
        };
        write(out, &rest)?;
        written += file.count;
    }
    write(out, &end)?;
    out.flush().map_err(|e| Error::io("<output>", e))?;
    Ok(written)
}

/// One pair's `<file>` being written chunk by chunk.
struct ChunkedFile<'a> {
    sl: &'a LanguageTag,
    tl: &'a LanguageTag,
    name: &'a str,
    version: Format,
    /// Units not written yet.
    pending: Vec<Tu>,
    /// Units written.
    count: u64,
    /// The lines of this file rendered without units.
    empty: Vec<String>,
    /// How many of `empty`'s lines are written (the file's head, once the
    /// first chunk is out).
    at: usize,
    /// The lines after the units of the last chunk rendered, to its
    /// `</file>` line: how the writer ends a file with units.
    tail: Option<Vec<String>>,
}

impl ChunkedFile<'_> {
    fn document(&self, tus: Vec<Tu>) -> Document {
        let (mut doc, _) =
            crate::xliff::convert::from_tus(tus, self.sl, self.tl, self.name, self.version);
        // The file's languages, as its head was written: a chunk whose
        // variants agree on a region another chunk lacks does not say so.
        doc.files[0].source_language = Some(self.sl.to_string());
        doc.files[0].target_language = Some(self.tl.to_string());
        // Ids run on across chunks.
        for (k, unit) in doc.files[0].units.iter_mut().enumerate() {
            unit.id = (self.count + k as u64 + 1).to_string();
        }
        doc
    }

    /// Writes the pending units: the lines by which their rendering differs
    /// from the empty file's (preceded, the first time, by the file's head).
    fn flush(&mut self, out: &mut dyn Write) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let tus = std::mem::take(&mut self.pending);
        let doc = self.document(tus);
        let units = doc.files[0].units.len() as u64;
        let text = render(&doc, self.version)?;
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let head = lines
            .iter()
            .zip(&self.empty)
            .take_while(|(a, b)| **a == b.as_str())
            .count();
        let tail = lines
            .iter()
            .rev()
            .zip(self.empty.iter().rev())
            .take_while(|(a, b)| **a == b.as_str())
            .count();
        let mut chunk = String::new();
        if self.at < head {
            chunk.extend(self.empty[self.at..head].iter().map(String::as_str));
            self.at = head;
        }
        chunk.extend(lines[head..lines.len() - tail].iter().copied());
        let close = lines.iter().rposition(|l| l.trim() == "</file>");
        self.tail = close.map(|c| {
            lines[lines.len() - tail..=c]
                .iter()
                .map(|l| l.to_string())
                .collect()
        });
        out.write_all(chunk.as_bytes())
            .map_err(|e| Error::io("<output>", e))?;
        self.count += units;
        Ok(())
    }
}

/// The document as the XLIFF writer of `version` writes it.
fn render(doc: &Document, version: Format) -> Result<String> {
    let bytes = match version {
        Format::Xliff20 => write_xliff20(doc, Vec::new())?,
        _ => write_xliff12(doc, Vec::new())?,
    };
    String::from_utf8(bytes).map_err(|_| Error::Usage("XLIFF writer wrote invalid UTF-8".into()))
}

/// The indexes of the `<file …>` line and the `</file>` line of a rendered
/// one-file document.
fn file_lines(lines: &[String]) -> Result<(usize, usize)> {
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("<file"));
    let close = lines.iter().rposition(|l| l.trim() == "</file>");
    match (start, close) {
        (Some(s), Some(c)) if s < c => Ok((s, c)),
        _ => Err(Error::Usage(
            "unexpected XLIFF layout from the writer".into(),
        )),
    }
}
