//! Reading memory files into a store: TMX (every variant, inline codes,
//! header kept for export) and TSV, streamed in batches of units, each batch
//! one transaction, so an interrupted import leaves whole batches and running
//! it again completes it (exact duplicates are skipped).

use std::path::{Path, PathBuf};

use super::unit::text_hash;
use super::{AddReport, DuplicatePolicy, Store, Unit};
use crate::error::{Error, Location, Result};
use crate::tm::{LanguagePair, TmFormat, TsvOrientation, tsv_orientation};

/// How files are imported.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// What to do with a source already stored with other targets.
    pub policy: DuplicatePolicy,
    /// Project tag given to every unit.
    pub project: Option<String>,
    /// Client tag.
    pub client: Option<String>,
    /// Domain tag.
    pub domain: Option<String>,
    /// Languages of TSV columns when the file name does not say (`en-fr.tsv` does).
    pub tsv_pair: Option<LanguagePair>,
    /// Units per transaction (default 20,000).
    pub batch: usize,
}

/// The files `paths` name: files as they are, folders' `.tmx` and `.tsv` files, sorted.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let filter = crate::batch::InputFilter::new(&[], &["tmx", "tsv"])?;
    crate::batch::expand_inputs(paths, &filter)
}

/// Imports one file; `progress` sees the number of units read so far.
pub fn import_file(
    store: &mut dyn Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<AddReport> {
    import_named(
        store,
        path,
        &crate::files::display_name(path),
        options,
        progress,
    )
}

/// [`import_file`], recording the units' origin as `name` rather than the
/// path (a server imports an upload from a temporary file).
pub fn import_named(
    store: &mut dyn Store,
    path: &Path,
    name: &str,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<AddReport> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "csv") {
        return Err(Error::invalid(
            Location::file(path),
            format!("importing .{ext} files is not supported yet (import .tmx or .tsv)"),
        ));
    }
    let batch = if options.batch == 0 {
        20_000
    } else {
        options.batch
    };
    let mut sink = BatchSink {
        store,
        options,
        batch,
        pending: Vec::with_capacity(batch),
        report: AddReport::default(),
        read: 0,
    };
    match TmFormat::of_path(path) {
        TmFormat::Tmx => read_tmx(path, name, &mut sink, progress)?,
        TmFormat::Tsv => read_tsv(path, name, &mut sink)?,
        TmFormat::Bilingual => {
            return Err(Error::invalid(
                Location::file(path),
                format!("importing .{ext} files is not supported yet (import .tmx or .tsv)"),
            ));
        }
    }
    sink.flush()?;
    progress(sink.read);
    Ok(sink.report)
}

/// Collects units and hands them to the store a batch at a time.
struct BatchSink<'s> {
    store: &'s mut dyn Store,
    options: &'s ImportOptions,
    batch: usize,
    pending: Vec<Unit>,
    report: AddReport,
    read: u64,
}

impl BatchSink<'_> {
    fn push(&mut self, mut unit: Unit) -> Result<()> {
        unit.project = unit.project.or_else(|| self.options.project.clone());
        unit.client = unit.client.or_else(|| self.options.client.clone());
        unit.domain = unit.domain.or_else(|| self.options.domain.clone());
        self.pending.push(unit);
        self.read += 1;
        if self.pending.len() >= self.batch {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            let report = self.store.add_units(&self.pending, self.options.policy)?;
            self.report.merge(AddReport {
                ids: Vec::new(),
                ..report
            });
            self.pending.clear();
        }
        Ok(())
    }
}

fn read_tmx(
    path: &Path,
    name: &str,
    sink: &mut BatchSink<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let mut reader = crate::tmx::TmxReader::open(path)?;
    let header = reader.header().clone();
    sink.store.register_origin(name, Some(&header))?;
    let file_srclang = header
        .srclang
        .clone()
        .filter(|l| !l.eq_ignore_ascii_case("*all*"));
    let mut previous: Option<Unit> = None;
    let mut prev_hash: Option<u64> = None;
    let mut number = 0u32;
    for tu in reader.by_ref() {
        let tu = tu?;
        number += 1;
        let source_lang = tu
            .srclang
            .clone()
            .filter(|l| !l.eq_ignore_ascii_case("*all*"))
            .or_else(|| file_srclang.clone())
            .or_else(|| tu.tuvs.first().map(|v| v.lang.clone()))
            .unwrap_or_default();
        let mut unit = Unit {
            tu,
            source_lang,
            origin: Some(name.to_string()),
            origin_position: Some(number),
            ..Unit::default()
        };
        let hash = unit.source_text().map(|s| text_hash(&s));
        unit.context.0 = prev_hash;
        if let Some(mut prev) = previous.take() {
            prev.context.1 = hash;
            sink.push(prev)?;
        }
        prev_hash = hash;
        previous = Some(unit);
        if number.is_multiple_of(65_536) {
            progress(u64::from(number));
        }
    }
    if let Some(prev) = previous {
        sink.push(prev)?;
    }
    Ok(())
}

fn read_tsv(path: &Path, name: &str, sink: &mut BatchSink<'_>) -> Result<()> {
    let declared = declared_pair(path);
    let pair = match (&sink.options.tsv_pair, declared) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => p,
        (None, None) => {
            return Err(Error::invalid(
                Location::file(path),
                "a TSV file does not say its languages: name it like en-fr.tsv or give --src and --tgt",
            ));
        }
    };
    let text = crate::files::read_text(path)?;
    let swapped = tsv_orientation(path, &pair) == TsvOrientation::Swapped;
    let mut entries = Vec::new();
    crate::tm::parse_tsv_oriented(&text, Some(path), 0, swapped, &mut entries)?;
    sink.store.register_origin(name, None)?;
    let (src, tgt) = (pair.source.to_string(), pair.target.to_string());
    let hashes: Vec<u64> = entries.iter().map(|e| text_hash(&e.source)).collect();
    for (i, e) in entries.iter().enumerate() {
        let mut unit = Unit::new(&[(&src, &e.source), (&tgt, &e.target)]);
        unit.origin = Some(name.to_string());
        unit.origin_position = Some(e.origin.position);
        unit.context = (
            i.checked_sub(1).map(|p| hashes[p]),
            hashes.get(i + 1).copied(),
        );
        sink.push(unit)?;
    }
    Ok(())
}

/// The pair a TSV file name declares (`en-fr.tsv`, `en_ja.news.tsv`).
fn declared_pair(path: &Path) -> Option<LanguagePair> {
    let stem = path.file_name()?.to_str()?;
    let head = stem.split('.').next()?;
    let (a, b) = head.split_once(['-', '_'])?;
    let probe = LanguagePair::new(a.parse().ok()?, b.parse().ok()?);
    (tsv_orientation(path, &probe) == TsvOrientation::AsIs).then_some(probe)
}
