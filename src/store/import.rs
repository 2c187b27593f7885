//! Reading memory files into a store: TMX (every variant, inline codes,
//! header kept for export), TSV and CSV (further columns as notes or props),
//! and the finished segments of XLIFF 1.2/2.x and PO files (inline codes,
//! notes, unit ids, the file's `original` and the segment's state), streamed
//! in batches of units, each batch one transaction, so an interrupted import
//! leaves whole batches and running it again completes it (exact duplicates
//! are skipped).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::unit::{normalize_lang, text_hash};
use super::{AddReport, DuplicatePolicy, PreparedUnit, Store, Unit};
use crate::error::{Error, Location, Result};
use crate::text::LanguageTag;
use crate::tm::{LanguagePair, TmFormat, TsvDeclared};
use crate::tmx::{Tu, Tuv};
use crate::xliff::State;

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
    /// Languages of TSV/CSV columns when the file name (`en-fr.tsv`) or a
    /// header row does not say, and of XLIFF/PO files that do not declare
    /// them (a PO file names only its target language).
    pub tsv_pair: Option<LanguagePair>,
    /// Units per transaction (default 20,000).
    pub batch: usize,
}

/// The extensions a folder is searched for.
const IMPORTED: [&str; 8] = [
    "tmx", "tsv", "csv", "xlf", "xliff", "sdlxliff", "mqxliff", "po",
];

/// The files `paths` name: files as they are, folders' memory files (TMX,
/// TSV, CSV, XLIFF, PO), sorted.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    crate::batch::expand_inputs(paths, &input_filter()?)
}

/// The files an import takes from a folder (TMX, TSV, CSV, XLIFF, PO), for
/// [`crate::batch::walk_inputs`] (which reports an unreadable entry, a
/// dangling link, and goes on).
pub fn input_filter() -> Result<crate::batch::InputFilter> {
    crate::batch::InputFilter::new(&[], &IMPORTED)
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
    import_observed(store, path, name, options, progress, &mut |_| {})
}

/// [`import_named`], calling `committed` with the report of each batch once
/// it is committed (with the ids it added: what an index built during the
/// import reads back).
///
/// The file is read, parsed and hashed on a second thread while this one
/// writes to the store: batches go through a channel of two, so the reader
/// runs at most two batches ahead and a parse error stops the import after
/// the batches already handed over (each one its own transaction).
pub fn import_observed(
    store: &mut dyn Store,
    path: &Path,
    name: &str,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64),
    committed: &mut dyn FnMut(&AddReport),
) -> Result<AddReport> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let batch = if options.batch == 0 {
        20_000
    } else {
        options.batch
    };
    // Standard input has no extension to tell its format: its first
    // characters say (TMX, XLIFF, PO, else TSV), read ahead and then read
    // again with the rest, which streams as a file does.
    let stdin = if crate::files::is_stdio(path) {
        Some(peek(Box::new(std::io::stdin()))?)
    } else {
        None
    };
    let format = match &stdin {
        Some(input) => TmFormat::sniff(&input.head),
        None => TmFormat::of_path(path),
    };
    let stdin = stdin.map(Peeked::into_reader);
    store.start_import()?;
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Message>(2);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> Result<(u64, Vec<String>)> {
            let mut sink = BatchSink {
                sender,
                path,
                options,
                batch,
                pending: Vec::with_capacity(batch),
                left_out: 0,
                lost: Vec::new(),
                held: None,
            };
            match format {
                TmFormat::Tmx => read_tmx(path, name, &mut sink, stdin)?,
                TmFormat::Tsv if ext == "csv" => read_csv(path, name, &mut sink)?,
                TmFormat::Tsv => read_tsv(path, name, &mut sink, stdin)?,
                TmFormat::Bilingual => read_bilingual(path, name, &mut sink, stdin)?,
            }
            sink.end_of_file()?;
            sink.flush()?;
            Ok((sink.left_out, std::mem::take(&mut sink.lost)))
        });
        let mut report = AddReport::default();
        let mut read = 0u64;
        let mut failure = None;
        while let Ok(message) = receiver.recv() {
            let step = match message {
                Message::Origin(header) => {
                    store.register_origin(name, header.as_deref()).map(|_| ())
                }
                Message::Units(units) => {
                    read += units.len() as u64;
                    store.add_prepared(units, options.policy).map(|r| {
                        committed(&r);
                        report.merge(AddReport {
                            ids: Vec::new(),
                            ..r
                        });
                        progress(read);
                    })
                }
            };
            if let Err(e) = step {
                failure = Some(e);
                break;
            }
        }
        // The reader's next send fails and it stops.
        drop(receiver);
        let read_result = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        if let Some(e) = failure {
            return Err(e);
        }
        let (left_out, lost) = read_result?;
        report.left_out += left_out;
        report.lost = lost;
        store.finish_import()?;
        progress(read);
        Ok(report)
    })
}

/// What the reading thread hands to the writing one.
enum Message {
    /// Register the file as an origin, with its TMX header.
    Origin(Option<Box<crate::tmx::Header>>),
    /// A batch of units, in file order, prepared for writing.
    Units(Vec<PreparedUnit>),
}

/// The unit `tu` read as the `number`-th of file `name`.
fn file_unit(tu: Tu, source_lang: String, name: &str, number: u32) -> Unit {
    Unit {
        tu,
        source_lang,
        origin: Some(name.to_string()),
        origin_position: Some(number),
        ..Unit::default()
    }
}

/// Collects units on the reading thread and sends them a batch at a time.
struct BatchSink<'s> {
    sender: std::sync::mpsc::SyncSender<Message>,
    path: &'s Path,
    options: &'s ImportOptions,
    batch: usize,
    pending: Vec<Unit>,
    /// Segments left out (unfinished XLIFF/PO segments).
    left_out: u64,
    /// The TMX reader's "lost" notices (see [`AddReport::lost`]).
    lost: Vec<String>,
    /// The last unit read, held until the next one gives its context.
    held: Option<(Unit, Option<u64>)>,
}

impl BatchSink<'_> {
    /// Takes the next unit of the file, linking it with its neighbours: each
    /// unit keeps the source hashes of the units before and after it (what a
    /// 101% context match compares).
    fn push_in_order(&mut self, mut unit: Unit) -> Result<()> {
        let hash = unit.source_text().map(|s| text_hash(&s));
        unit.context.0 = self.held.as_ref().and_then(|h| h.1);
        if let Some((mut prev, _)) = self.held.take() {
            prev.context.1 = hash;
            self.push(prev)?;
        }
        self.held = Some((unit, hash));
        Ok(())
    }

    /// Hands over the unit held back by [`BatchSink::push_in_order`].
    fn end_of_file(&mut self) -> Result<()> {
        match self.held.take() {
            Some((unit, _)) => self.push(unit),
            None => Ok(()),
        }
    }

    fn push(&mut self, mut unit: Unit) -> Result<()> {
        unit.project = unit.project.or_else(|| self.options.project.clone());
        unit.client = unit.client.or_else(|| self.options.client.clone());
        unit.domain = unit.domain.or_else(|| self.options.domain.clone());
        self.pending.push(unit);
        if self.pending.len() >= self.batch {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends `message` to the writer; fails when the writer has stopped.
    fn send(&self, message: Message) -> Result<()> {
        self.sender.send(message).map_err(|_| {
            Error::invalid(
                Location::file(self.path),
                "the import stopped while the file was being read",
            )
        })
    }

    fn register_origin(&self, header: Option<crate::tmx::Header>) -> Result<()> {
        self.send(Message::Origin(header.map(Box::new)))
    }

    fn flush(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            let units = std::mem::replace(&mut self.pending, Vec::with_capacity(self.batch));
            let location = crate::error::Location::file(self.path);
            let prepared = units
                .into_iter()
                .map(|u| PreparedUnit::read_from(u, &location))
                .collect::<Result<_>>()?;
            self.send(Message::Units(prepared))?;
        }
        Ok(())
    }
}

/// How many bytes of standard input tell its format: room for a byte-order
/// mark, an XML declaration, a doctype and a comment, or a first line.
const SNIFFED: u64 = 4096;

/// An input whose first bytes were read ahead.
struct Peeked {
    /// The first [`SNIFFED`] bytes (fewer when the input is shorter).
    head: Vec<u8>,
    /// What follows them, unread.
    rest: Box<dyn Read + Send>,
}

impl Peeked {
    /// The whole input again: the head, then the rest.
    fn into_reader(self) -> Box<dyn Read + Send> {
        Box::new(std::io::Cursor::new(self.head).chain(self.rest))
    }
}

/// Reads the first [`SNIFFED`] bytes of `input` (a pipe may hand them over
/// in several reads, hence no single `fill_buf`).
fn peek(mut input: Box<dyn Read + Send>) -> Result<Peeked> {
    let mut head = Vec::with_capacity(SNIFFED as usize);
    (&mut input)
        .take(SNIFFED)
        .read_to_end(&mut head)
        .map_err(|e| Error::io("<stdin>", e))?;
    Ok(Peeked { head, rest: input })
}

/// The whole text of standard input (`stdin`), else of `path`.
fn text_of(path: &Path, stdin: Option<Box<dyn Read + Send>>) -> Result<String> {
    match stdin {
        Some(mut input) => {
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io("<stdin>", e))?;
            crate::files::decode_text(bytes, None, crate::files::default_encoding())
        }
        None => crate::files::read_text(path),
    }
}

fn read_tmx(
    path: &Path,
    name: &str,
    sink: &mut BatchSink<'_>,
    stdin: Option<Box<dyn Read + Send>>,
) -> Result<()> {
    let mut reader = match stdin {
        Some(input) => crate::tmx::TmxReader::from_reader(input, None)?,
        None => crate::tmx::TmxReader::open(path)?,
    };
    let header = reader.header().clone();
    let file_srclang = header
        .srclang
        .clone()
        .filter(|l| !l.eq_ignore_ascii_case("*all*"));
    sink.register_origin(Some(header))?;
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
        sink.push_in_order(file_unit(tu, source_lang, name, number))?;
    }
    sink.lost.extend(
        reader
            .take_notices()
            .into_iter()
            .filter(|n| n.kind == crate::tmx::NoticeKind::Lost)
            .map(|n| format!("{}: {}", n.location, n.message)),
    );
    Ok(())
}

/// What an import's counts mean, after "imported N unit(s)": the exact
/// duplicates skipped, and what `policy` did with sources already stored
/// with other targets (kept beside them, replacing them, or not stored), so
/// that the store's change is what the line adds up to.
///
/// ```
/// use tmkit::store::{AddReport, DuplicatePolicy, import::summary};
/// let report = AddReport { added: 2, conflicts: 1, replaced: 1, ..Default::default() };
/// assert_eq!(
///     summary(&report, DuplicatePolicy::Newest),
///     "0 exact duplicate(s) skipped; 1 source(s) already stored with other targets: \
///      1 stored unit(s) replaced, 0 incoming unit(s) not stored (the store has 1 unit(s) more)"
/// );
/// ```
pub fn summary(report: &AddReport, policy: DuplicatePolicy) -> String {
    let resolved = match policy {
        DuplicatePolicy::Add => {
            "each added beside them as an alternative translation (tm conflicts lists them)"
                .to_string()
        }
        _ => format!(
            "{} stored unit(s) replaced, {} incoming unit(s) not stored",
            report.replaced, report.kept_stored
        ),
    };
    let net = report.added as i64 - report.replaced as i64;
    let net = match net {
        n if n < 0 => format!("{} unit(s) fewer", -n),
        n => format!("{n} unit(s) more"),
    };
    format!(
        "{} exact duplicate(s) skipped; {} source(s) already stored with other targets: {resolved} (the store has {net})",
        report.duplicates, report.conflicts
    )
}

fn read_tsv(
    path: &Path,
    name: &str,
    sink: &mut BatchSink<'_>,
    stdin: Option<Box<dyn Read + Send>>,
) -> Result<()> {
    let text = text_of(path, stdin)?;
    // A first row of language codes (as `tmx convert` and `tm export`
    // write) gives the pair when nothing else does, and is no translation.
    let (header, rest) = header_row_of(&text);
    let declared = crate::tm::tsv_declared(path, header.as_deref(), sink.options.tsv_pair.as_ref());
    let Some(TsvDeclared {
        pair,
        swapped,
        header,
    }) = declared
    else {
        return Err(Error::invalid(
            Location::file(path),
            "a TSV file does not say its languages: name it like en-fr.tsv, give --src and --tgt, or start it with a row of language codes (en<TAB>fr)",
        ));
    };
    let (text, first_line) = if header {
        (rest, 2)
    } else {
        (text.as_str(), 1)
    };
    let mut entries = Vec::new();
    crate::tm::parse_tsv_oriented(text, Some(path), 0, swapped, &mut entries)
        .map_err(|e| after_header(e, first_line - 1))?;
    for e in &mut entries {
        e.origin.position += first_line as u32 - 1;
    }
    sink.register_origin(None)?;
    let (src, tgt) = (pair.source.to_string(), pair.target.to_string());
    for e in &entries {
        let mut unit = Unit::new(&[(&src, &e.source), (&tgt, &e.target)]);
        unit.origin = Some(name.to_string());
        unit.origin_position = Some(e.origin.position);
        sink.push_in_order(unit)?;
    }
    Ok(())
}

/// `e`, found in a text that starts `skipped` lines into its file, with the
/// line counted from the file's start.
fn after_header(e: Error, skipped: u64) -> Error {
    match e {
        Error::Syntax {
            mut location,
            message,
        } => {
            location.line = location.line.map(|l| l + skipped);
            Error::Syntax { location, message }
        }
        e => e,
    }
}

/// The fields of `text`'s first line when it is not blank (a possible
/// header row), and the text after it.
fn header_row_of(text: &str) -> (Option<Vec<String>>, &str) {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.strip_suffix('\r').unwrap_or(first);
    if first.trim().is_empty() {
        return (None, text);
    }
    (Some(first.split('\t').map(str::to_string).collect()), rest)
}

/// CSV (RFC 4180): source and target columns, a header row of column names
/// or language codes recognized, further columns kept as notes or props.
fn read_csv(path: &Path, name: &str, sink: &mut BatchSink<'_>) -> Result<()> {
    let pair = sink
        .options
        .tsv_pair
        .clone()
        .or_else(|| crate::tm::declared_pair(path))
        .map(|p| crate::tmx::convert::Pair {
            src: p.source,
            tgt: p.target,
        });
    let options = crate::tmx::flat::FlatOptions {
        pair,
        ..Default::default()
    };
    // Decoded as TSV is (a UTF-16 byte-order mark, or --encoding).
    let input = std::io::BufReader::new(crate::files::open_text(path)?);
    sink.register_origin(None)?;
    let mut number = 0u32;
    crate::tmx::flat::read_tabular(
        input,
        Some(path),
        crate::tmx::convert::Format::Csv,
        &options,
        |tu| {
            let source_lang = tu.tuvs.first().map(|v| v.lang.clone()).unwrap_or_default();
            number += 1;
            sink.push_in_order(file_unit(tu, source_lang, name, number))
        },
    )?;
    Ok(())
}

/// XLIFF 1.2/2.x and PO: the finished segments (translated, reviewed, final,
/// signed off), source and target with their inline codes. The languages are
/// the file's, else the options' pair; a unit's `resname`/`name`/id is the
/// tuid (`id#segment` for segmented units), its notes the unit's notes, and
/// the file's `original` and the segment's state become free fields.
/// `stdin` is standard input, XLIFF or PO as its first characters say.
fn read_bilingual(
    path: &Path,
    name: &str,
    sink: &mut BatchSink<'_>,
    stdin: Option<Box<dyn Read + Send>>,
) -> Result<()> {
    let doc = match stdin {
        Some(input) => {
            let text = text_of(path, Some(input))?;
            crate::xliff::Document::parse_sniffed(&text, None)?
        }
        None => crate::xliff::Document::read(path)?,
    };
    let given = sink.options.tsv_pair.clone();
    sink.register_origin(None)?;
    for file in &doc.files {
        let lang = |declared: &Option<String>, given: Option<&LanguageTag>| {
            declared
                .as_deref()
                .map(|d| normalize_lang(&d.replace('_', "-")))
                .or_else(|| given.map(ToString::to_string))
        };
        let (Some(src), Some(tgt)) = (
            lang(&file.source_language, given.as_ref().map(|p| &p.source)),
            lang(&file.target_language, given.as_ref().map(|p| &p.target)),
        ) else {
            return Err(Error::invalid(
                Location::file(path),
                "the file does not declare its languages: give --src and --tgt",
            ));
        };
        for unit in &file.units {
            let several = unit.segments.len() > 1;
            for seg in &unit.segments {
                let Some(target) = seg
                    .target
                    .as_ref()
                    .filter(|_| seg.has_target() && State::DONE.contains(&seg.state))
                else {
                    sink.left_out += 1;
                    continue;
                };
                let mut tu = Tu::new(vec![
                    Tuv {
                        seg: seg.source.clone(),
                        ..Tuv::new(src.clone(), "")
                    },
                    Tuv {
                        seg: target.clone(),
                        ..Tuv::new(tgt.clone(), "")
                    },
                ]);
                let id = unit.name.clone().unwrap_or_else(|| unit.id.clone());
                tu.tuid = Some(match (&seg.id, several) {
                    (Some(s), true) => format!("{id}#{s}"),
                    _ => id,
                });
                tu.notes = unit.notes.iter().map(crate::tmx::Note::new).collect();
                let mut fields = Vec::new();
                if !file.original.is_empty() {
                    fields.push(("original".to_string(), file.original.clone()));
                }
                if let Some(state) = seg.raw_state.clone() {
                    fields.push(("state".to_string(), state));
                }
                sink.push_in_order(Unit {
                    tu,
                    source_lang: src.clone(),
                    origin: Some(name.to_string()),
                    origin_position: u32::try_from(unit.line).ok(),
                    fields,
                    ..Unit::default()
                })?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XLIFF and PO are told apart past a byte-order mark and leading
    /// space, in UTF-8 or UTF-16: the format of standard input, then the
    /// kind of bilingual file its decoded text is.
    #[test]
    fn the_sniffer_tells_xliff_from_po_past_a_byte_order_mark() {
        use crate::xliff::Format;
        let utf16 = |text: &str| {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        };
        let xliff = "\u{feff} <?xml version=\"1.0\"?>\n<xliff version=\"1.2\">";
        let po = "\u{feff}\n# catalogue\nmsgid \"\"";
        for bytes in [xliff.as_bytes().to_vec(), utf16(&xliff[3..])] {
            assert_eq!(TmFormat::sniff(&bytes), TmFormat::Bilingual);
            let text = crate::files::decode_text(bytes, None, crate::files::default_encoding());
            assert_eq!(Format::sniff(&text.unwrap()), Format::Xliff12);
        }
        for bytes in [po.as_bytes().to_vec(), utf16(&po[3..])] {
            assert_eq!(TmFormat::sniff(&bytes), TmFormat::Bilingual);
            let text = crate::files::decode_text(bytes, None, crate::files::default_encoding());
            assert_eq!(Format::sniff(&text.unwrap()), Format::Po);
        }
        assert_eq!(
            TmFormat::sniff(b"<?xml version=\"1.0\"?><tmx>"),
            TmFormat::Tmx
        );
        assert_eq!(TmFormat::sniff(b"#1 seller\t#1 venditore\n"), TmFormat::Tsv);
    }
}
