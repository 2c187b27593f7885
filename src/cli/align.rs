//! `tmkit align`: an article and its translation, aligned sentence by
//! sentence into a translation memory (or beads for review and scoring).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use tmkit::align::lexicon::{Dictionary, Vocabulary};
use tmkit::align::units::{PairInfo, bead_tu, join, store_units};
use tmkit::align::{
    AlignOptions, AlignWarning, Aligner, Alignment, Lexicon, Method, Sentences, memory_anchors,
    memory_lexicon,
};
use tmkit::batch::{BatchSummary, InputFilter};
use tmkit::files::{self, Output};
use tmkit::segment::Segmenter;
use tmkit::store::{AddReport, DuplicatePolicy, Store, StoreLocation};
use tmkit::summarize::InputFormat;
use tmkit::text::{LanguageTag, Script, script_of};
use tmkit::tmx::{Header, TmxWriter};

use super::common::{self, Context, Style};
use super::match_cmd::{MemoryArgs, load_matcher};

const EXAMPLES: &str = "\
Examples:
  tmkit align article.en.txt article.fr.txt --src en --tgt fr -o article.tmx
  tmkit align en.html fr.html --src en --tgt fr --dict en-fr.dic --format text
  tmkit align --lines src.txt tgt.txt --src de --tgt fr --format jsonl
  tmkit align --tm memory.tmx --src en --tgt fr en/ fr/ -o corpus.tmx
  tmkit align --pairs pairs.tsv --src en --tgt hu --dict-dir dicts/ -o all.tmx
  tmkit align --pairs pairs.tsv --src en --tgt hu --tm-out team.tmdb

Inputs: documents (plain text, Markdown, HTML by extension) split into sentences by the
segmenter, or with --lines one sentence per line (every line counts, so bead indices are
line numbers minus one). Two folders are paired by file name; --pairs reads a list of
'source<TAB>target' paths. One side may be '-' (standard input).

Output: --format tmx (one unit per aligned bead, with its x-alignment-score and file
names), tsv (source, target, score), jsonl (one bead per line, {\"src\": [i..], \"tgt\":
[j..], \"score\": s}, 0-based, every bead including unaligned sentences) or text (the
two sides in columns for review; '?' marks weak beads). The default is text, or the
format named by the extension of -o. --tm-out STORE adds the aligned beads (those
--min-score keeps) to a store (a .tmdb file or a postgres:// URI, as 'tmkit tm' names
them), one transaction per document; units the store holds already are skipped, so
running the same alignment again adds nothing. With --tm-out and neither -o nor
--format, nothing is printed but the summary.

Dictionaries: hunalign's 'target phrase @ source phrase' lines or 'source<TAB>target'.
--dict-dir DIR uses DIR/<src>-<tgt>.dic when it exists. --tm makes a memory evidence:
its matches of source sentences anchor the alignment and its pairs teach words.";

/// Output formats of `tmkit align`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// TMX 1.4b, one unit per aligned bead.
    Tmx,
    /// source<TAB>target<TAB>score, one aligned bead per line.
    Tsv,
    /// One bead per line: {"src": [..], "tgt": [..], "score": s}.
    Jsonl,
    /// Both sides in columns, for review.
    Text,
}

/// The evidence used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum MethodArg {
    /// Lengths, dictionary and learned words, cognates, numbers, punctuation, paragraphs.
    #[default]
    Full,
    /// Sentence lengths only (Gale-Church), a baseline.
    Length,
}

/// Arguments of `tmkit align`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Source language (BCP-47: en, en-US, pt_BR).
    #[arg(long, visible_aliases = ["sl", "src-lang"], value_name = "LANG")]
    pub src: LanguageTag,
    /// Target language (BCP-47).
    #[arg(long, visible_aliases = ["tl", "tgt-lang"], value_name = "LANG")]
    pub tgt: LanguageTag,
    /// Inputs hold one sentence per line (no segmentation).
    #[arg(long, visible_alias = "presegmented")]
    pub lines: bool,
    /// Bilingual dictionary (hunalign 'target @ source' or TSV). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub dict: Vec<PathBuf>,
    /// Folder of dictionaries named <src>-<tgt>.dic; the one for the pair is used if present.
    #[arg(long, value_name = "DIR")]
    pub dict_dir: Option<PathBuf>,
    /// Translation memory (TMX or TSV, or a folder) used as anchors and lexicon. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub tm: Vec<PathBuf>,
    /// Output format (default: from the extension of -o, else text).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write here instead of standard output (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also add the aligned beads to this store (.tmdb file or postgres:// URI), idempotently.
    #[arg(long, value_name = "STORE")]
    pub tm_out: Option<String>,
    /// Leave beads scoring below this (0-1) out of TMX and TSV output; mark them in text.
    #[arg(long, value_name = "SCORE", default_value_t = 0.0, value_parser = parse_score)]
    pub min_score: f32,
    /// The evidence used.
    #[arg(long, value_enum, default_value_t)]
    pub method: MethodArg,
    /// List of pairs to align, 'source<TAB>target' per line.
    #[arg(long, value_name = "LIST.tsv", conflicts_with_all = ["source", "target"])]
    pub pairs: Option<PathBuf>,
    /// Source document (or folder).
    #[arg(value_name = "SRC", required_unless_present = "pairs")]
    pub source: Option<PathBuf>,
    /// Target document (or folder).
    #[arg(value_name = "TGT", required_unless_present = "pairs")]
    pub target: Option<PathBuf>,
}

/// One pair of inputs.
#[derive(Debug, Clone)]
struct Pair {
    src: PathBuf,
    tgt: PathBuf,
}

/// An aligned pair, ready to write.
struct Aligned {
    pair: Pair,
    src: Sentences,
    tgt: Sentences,
    alignment: Alignment,
}

/// `--min-score`: a number from 0 to 1.
fn parse_score(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(score) if (0.0..=1.0).contains(&score) => Ok(score),
        _ => Err("a score is a number from 0 to 1".into()),
    }
}

/// Runs `tmkit align`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    // One language twice is no translation, as in match and the store.
    common::check_language_pair(&args.src, &args.tgt)?;
    if let Some(out) = &args.output {
        common::refuse_output_among_inputs("-o", out, args.source.iter().chain(&args.target))?;
    }
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(out)) => format_of_path(out),
        (None, None) => Format::Text,
    };
    let mut store = match &args.tm_out {
        Some(spec) => Some(open_store(spec)?),
        None => None,
    };
    let print = store.is_none() || args.format.is_some() || args.output.is_some();
    let mut summary = BatchSummary::default();
    let pairs = pairs_of(&args, ctx, &mut summary)?;
    let dictionaries = load_dictionaries(&args, ctx)?;
    let matcher = if args.tm.is_empty() {
        None
    } else {
        let memory = MemoryArgs {
            tm: args.tm.clone(),
            src: args.src.clone(),
            tgt: args.tgt.clone(),
            lines: args.lines,
            update_usage: false,
            no_cache: false,
        };
        Some(load_matcher(&memory, ctx)?)
    };
    // Words learned from the memory. Its text in scripts written without
    // spaces (Chinese, Japanese, Thai) is cut as the documents' is, by the
    // dictionaries' units; that is all the cutting reads, so only the
    // entries that give units are drawn (`Dictionary::cutter`): drawing
    // every entry normalized each of them (all 256,000 of an en-hu
    // dictionary, which has no such unit) for nothing.
    let learned = match &matcher {
        Some(m) => {
            let mut cutter = Lexicon::new();
            for d in &dictionaries {
                cutter.extend(&d.cutter());
            }
            let learned = memory_lexicon(m.memory(), &cutter);
            ctx.note(format!("memory lexicon: {} source words", learned.len()));
            learned
        }
        None => Lexicon::new(),
    };
    let method = match args.method {
        MethodArg::Full => Method::Full,
        MethodArg::Length => Method::Length,
    };
    let aligner = Aligner::new(args.src.clone(), args.tgt.clone()).with_options(AlignOptions {
        method,
        ..AlignOptions::default()
    });
    let segmenters = (
        Segmenter::for_language(&args.src),
        Segmenter::for_language(&args.tgt),
    );
    let work = |pair: &Pair| -> anyhow::Result<Aligned> {
        let src = read_side(&pair.src, args.lines, &segmenters.0)?;
        let tgt = read_side(&pair.tgt, args.lines, &segmenters.1)?;
        let anchors = match &matcher {
            Some(m) => memory_anchors(&mut m.session(), &src, &tgt),
            None => Vec::new(),
        };
        // Only the dictionary entries these two documents can use.
        let mut lexicon = learned.clone();
        if !dictionaries.is_empty() {
            let src_vocabulary = Vocabulary::of(src.texts.iter().map(String::as_str));
            let tgt_vocabulary = Vocabulary::of(tgt.texts.iter().map(String::as_str));
            for d in &dictionaries {
                lexicon.extend(&d.lexicon_for(&src_vocabulary, &tgt_vocabulary));
            }
        }
        let alignment = aligner
            .clone()
            .with_lexicon(lexicon)
            .align(&src, &tgt, &anchors);
        Ok(Aligned {
            pair: pair.clone(),
            src,
            tgt,
            alignment,
        })
    };

    let dest = args.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    let mut out = if print {
        Some(Output::create(&dest)?)
    } else {
        None
    };
    let mut writer = match out.as_mut() {
        Some(out) => Some(Writer::new(
            format,
            &args,
            ctx.out_style(),
            out,
            pairs.len() > 1,
        )?),
        None => None,
    };
    let mut added = AddReport::default();
    let mut emit = |aligned: &Aligned| -> anyhow::Result<()> {
        if let Some(writer) = writer.as_mut() {
            writer.write(aligned)?;
        }
        if let Some(store) = store.as_mut() {
            added.merge(add_to_store(store.as_mut(), aligned, &args)?);
        }
        Ok(())
    };
    if pairs.len() == 1 {
        let aligned = work(&pairs[0])?;
        report_warnings(ctx, &aligned);
        emit(&aligned)?;
        summary.succeeded += 1;
    } else {
        let by_source: HashMap<&Path, &Pair> = pairs.iter().map(|p| (p.src.as_path(), p)).collect();
        let sources: Vec<PathBuf> = pairs.iter().map(|p| p.src.clone()).collect();
        let bar = ctx.progress("aligning");
        let mut failure: Option<anyhow::Error> = None;
        tmkit::batch::run_ordered(
            &sources,
            &bar,
            |src| work(by_source[src]).map_err(|e| tmkit::Error::Usage(common::error_chain(&e))),
            |src, result| match result {
                Ok(aligned) => {
                    report_warnings(ctx, &aligned);
                    if failure.is_none()
                        && let Err(e) = emit(&aligned)
                    {
                        failure = Some(e);
                    }
                    summary.succeeded += 1;
                }
                Err(e) => ctx.fail_input(&mut summary, src, e),
            },
        );
        if let Some(e) = failure {
            return Err(e);
        }
    }
    let units = match writer {
        Some(writer) => writer.finish()?,
        None => 0,
    };
    if let Some(out) = out {
        out.finish()?;
    }
    if pairs.len() > 1 || !summary.is_success() || (print && format == Format::Tmx) {
        let written = if print {
            format!("; {units} unit(s) written")
        } else {
            String::new()
        };
        ctx.note(format!(
            "{} pair(s): {}{written}",
            pairs.len(),
            summary.line()
        ));
    }
    if let Some(spec) = &args.tm_out {
        ctx.note(format!(
            "{}: {} unit(s) added, {} already there, {} source(s) already stored with other targets",
            StoreLocation::parse(spec).map_or_else(|| spec.clone(), |l| l.redacted()),
            added.added,
            added.duplicates,
            added.conflicts
        ));
    }
    Ok(if summary.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The store `--tm-out` names, created when it does not exist yet.
fn open_store(spec: &str) -> anyhow::Result<Box<dyn Store>> {
    if StoreLocation::parse(spec).is_none() {
        return Err(common::usage(format!(
            "--tm-out {spec}: not a store (name a .tmdb file or a postgres:// URI; -o writes TMX)"
        )));
    }
    Ok(tmkit::store::create(spec)?)
}

/// Adds the aligned beads of one pair to `store`, in one transaction.
fn add_to_store(
    store: &mut dyn Store,
    aligned: &Aligned,
    args: &Args,
) -> anyhow::Result<AddReport> {
    let src_file = files::display_name(&aligned.pair.src);
    let tgt_file = files::display_name(&aligned.pair.tgt);
    let (src_lang, tgt_lang) = (args.src.to_string(), args.tgt.to_string());
    let info = PairInfo {
        src_lang: &src_lang,
        tgt_lang: &tgt_lang,
        src_file: &src_file,
        tgt_file: &tgt_file,
    };
    let units = store_units(
        &aligned.src,
        &aligned.tgt,
        &aligned.alignment,
        &info,
        args.min_score,
    );
    store.register_origin(&src_file, None)?;
    let mut report = store.add_units(&units, DuplicatePolicy::default())?;
    report.ids.clear();
    Ok(report)
}

fn format_of_path(path: &Path) -> Format {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("tmx") => Format::Tmx,
        Some("tsv") => Format::Tsv,
        Some("jsonl") => Format::Jsonl,
        _ => Format::Text,
    }
}

/// The pairs to align: a list file, two folders matched by file name, or two files.
fn pairs_of(args: &Args, ctx: &Context, summary: &mut BatchSummary) -> anyhow::Result<Vec<Pair>> {
    if let Some(list) = &args.pairs {
        return read_pair_list(list);
    }
    let (Some(src), Some(tgt)) = (&args.source, &args.target) else {
        return Err(common::usage("give SRC and TGT, or --pairs LIST.tsv"));
    };
    if files::is_stdio(src) && files::is_stdio(tgt) {
        return Err(common::usage(
            "only one side can be read from standard input",
        ));
    }
    match (src.is_dir(), tgt.is_dir()) {
        (false, false) => Ok(vec![Pair {
            src: src.clone(),
            tgt: tgt.clone(),
        }]),
        (true, true) => folder_pairs(src, tgt, ctx, summary),
        _ => Err(common::usage(
            "SRC and TGT must both be files or both be folders",
        )),
    }
}

/// Files of two folders paired by their path inside the folder; a file
/// without a namesake on the other side is named in a warning. An entry of
/// either folder that cannot be read (a dangling link, a link loop) is
/// reported and counted in `summary`, and the others are still aligned.
fn folder_pairs(
    src: &Path,
    tgt: &Path,
    ctx: &Context,
    summary: &mut BatchSummary,
) -> anyhow::Result<Vec<Pair>> {
    let filter = InputFilter::new(&[], &["txt", "md", "markdown", "html", "htm"])?;
    let sources = ctx.walk_inputs(&[src.to_path_buf()], &filter, summary)?;
    let targets = ctx.walk_inputs(&[tgt.to_path_buf()], &filter, summary)?;
    // An entry already reported as unreadable is not also "unpaired".
    let reported: HashSet<PathBuf> = summary.failures.iter().map(|(p, _)| p.clone()).collect();
    let unpaired = |file: &Path, other: &Path| {
        ctx.note(format!(
            "warning: {}: no namesake in {}; not aligned",
            files::display_name(file),
            other.display()
        ));
    };
    let mut pairs = Vec::new();
    for s in sources {
        let rel = s.strip_prefix(src).unwrap_or(&s);
        let t = tgt.join(rel);
        if t.is_file() {
            pairs.push(Pair { src: s, tgt: t });
        } else if !reported.contains(&t) {
            unpaired(&s, tgt);
        }
    }
    for t in targets {
        let rel = t.strip_prefix(tgt).unwrap_or(&t);
        let s = src.join(rel);
        if !s.is_file() && !reported.contains(&s) {
            unpaired(&t, src);
        }
    }
    if pairs.is_empty() {
        anyhow::bail!(
            "no file of {} has a namesake in {}",
            src.display(),
            tgt.display()
        );
    }
    Ok(pairs)
}

/// `source<TAB>target` lines; relative paths are relative to the list's folder.
fn read_pair_list(list: &Path) -> anyhow::Result<Vec<Pair>> {
    let text = files::read_text(list)?;
    let base = list.parent().unwrap_or(Path::new("."));
    let mut pairs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((s, t)) = line.split_once('\t') else {
            anyhow::bail!(
                "{}:{}: expected 'source<TAB>target'",
                files::display_name(list),
                n + 1
            );
        };
        let src = base.join(s.trim());
        if !seen.insert(src.clone()) {
            anyhow::bail!(
                "{}:{}: {} is listed twice",
                files::display_name(list),
                n + 1,
                src.display()
            );
        }
        pairs.push(Pair {
            src,
            tgt: base.join(t.trim()),
        });
    }
    if pairs.is_empty() {
        anyhow::bail!("{}: no pairs listed", files::display_name(list));
    }
    Ok(pairs)
}

/// The dictionaries named on the command line, read and checked.
fn load_dictionaries(args: &Args, ctx: &Context) -> anyhow::Result<Vec<Dictionary>> {
    let mut paths = args.dict.clone();
    if let Some(dir) = &args.dict_dir {
        if !dir.is_dir() {
            return Err(common::usage(format!(
                "--dict-dir {}: not a folder",
                dir.display()
            )));
        }
        let name = format!("{}-{}.dic", args.src.primary(), args.tgt.primary());
        let path = dir.join(&name);
        if path.is_file() {
            paths.push(path);
        } else {
            ctx.note(format!("no {name} in {}: no dictionary", dir.display()));
        }
    }
    let mut dictionaries = Vec::with_capacity(paths.len());
    for path in &paths {
        let dictionary = Dictionary::read(path)?;
        // Said because a large dictionary's function words come from a sample.
        ctx.note(format!(
            "{}: {}",
            files::display_name(path),
            dictionary.function_word_count()
        ));
        dictionaries.push(dictionary);
    }
    Ok(dictionaries)
}

/// The sentences of one input.
fn read_side(path: &Path, lines: bool, segmenter: &Segmenter) -> anyhow::Result<Sentences> {
    let text = files::read_text(path)?;
    if lines {
        return Ok(Sentences::from_lines(&text));
    }
    let format = if files::is_stdio(path) {
        InputFormat::sniff(&text)
    } else {
        InputFormat::from_path(path)
    };
    Ok(Sentences::from_document(&text, format, segmenter))
}

fn report_warnings(ctx: &Context, aligned: &Aligned) {
    for w in &aligned.alignment.warnings {
        let file = match w {
            AlignWarning::LanguageMismatch { side, .. } if side.to_string() == "target" => {
                &aligned.pair.tgt
            }
            AlignWarning::EmptySide(side) if side.to_string() == "target" => &aligned.pair.tgt,
            _ => &aligned.pair.src,
        };
        ctx.note(format!("warning: {}: {w}", files::display_name(file)));
    }
}

#[derive(serde::Serialize)]
struct BeadJson<'a> {
    src: Vec<usize>,
    tgt: Vec<usize>,
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tgt_file: Option<&'a str>,
}

/// Writes aligned pairs in one format.
struct Writer<'o> {
    format: Format,
    min_score: f32,
    style: Style,
    batch: bool,
    src_lang: String,
    tgt_lang: String,
    tmx: Option<TmxWriter<&'o mut Output>>,
    out: Option<&'o mut Output>,
    units: u64,
}

/// Width of each column of the text format, in terminal cells.
const COLUMN: usize = 48;

impl<'o> Writer<'o> {
    fn new(
        format: Format,
        args: &Args,
        style: Style,
        out: &'o mut Output,
        batch: bool,
    ) -> anyhow::Result<Self> {
        let (tmx, out) = if format == Format::Tmx {
            let header = Header::new(&args.src.to_string());
            (Some(TmxWriter::new(out, &header)?), None)
        } else {
            (None, Some(out))
        };
        Ok(Writer {
            format,
            min_score: args.min_score,
            style,
            batch,
            src_lang: args.src.to_string(),
            tgt_lang: args.tgt.to_string(),
            tmx,
            out,
            units: 0,
        })
    }

    fn write(&mut self, a: &Aligned) -> anyhow::Result<()> {
        let src_name = files::display_name(&a.pair.src);
        let tgt_name = files::display_name(&a.pair.tgt);
        if let Some(tmx) = &mut self.tmx {
            for bead in &a.alignment.beads {
                if bead.is_null() || bead.score < self.min_score {
                    continue;
                }
                let info = PairInfo {
                    src_lang: &self.src_lang,
                    tgt_lang: &self.tgt_lang,
                    src_file: &src_name,
                    tgt_file: &tgt_name,
                };
                tmx.write_tu(&bead_tu(&a.src, &a.tgt, bead, &info))?;
                self.units += 1;
            }
            return Ok(());
        }
        let Some(out) = self.out.as_deref_mut() else {
            return Ok(());
        };
        match self.format {
            Format::Jsonl => {
                for bead in &a.alignment.beads {
                    let json = BeadJson {
                        src: bead.src.clone().collect(),
                        tgt: bead.tgt.clone().collect(),
                        score: (bead.score * 1000.0).round() / 1000.0,
                        src_file: self.batch.then_some(src_name.as_str()),
                        tgt_file: self.batch.then_some(tgt_name.as_str()),
                    };
                    common::write_json_line(out, &json)?;
                    self.units += 1;
                }
            }
            Format::Tsv => {
                for bead in &a.alignment.beads {
                    if bead.is_null() || bead.score < self.min_score {
                        continue;
                    }
                    let mut line = String::new();
                    tmkit::tm::push_tsv_row(
                        &mut line,
                        &[
                            &join(&a.src, bead.src.clone()),
                            &join(&a.tgt, bead.tgt.clone()),
                            &format!("{:.3}", bead.score),
                        ],
                    );
                    out.write_all(line.as_bytes())?;
                    self.units += 1;
                }
            }
            Format::Text => {
                if self.batch {
                    writeln!(
                        out,
                        "{}",
                        self.style.bold(&format!("== {src_name} | {tgt_name}"))
                    )?;
                }
                let weak_below = if self.min_score > 0.0 {
                    self.min_score
                } else {
                    0.5
                };
                for bead in &a.alignment.beads {
                    self.units += 1;
                    write_text_bead(out, self.style, a, bead, weak_below)?;
                }
            }
            Format::Tmx => {}
        }
        Ok(())
    }

    /// Ends the output; returns the number of units or beads written.
    fn finish(self) -> anyhow::Result<u64> {
        if let Some(tmx) = self.tmx {
            tmx.finish().context("writing the TMX")?;
        }
        Ok(self.units)
    }
}

/// Terminal cells a character takes: two for wide East Asian scripts.
fn cells(c: char) -> usize {
    match script_of(c) {
        Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul => 2,
        _ => 1,
    }
}

/// Cuts `text` into lines of at most `width` cells, at spaces when possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_inclusive(' ') {
        let w: usize = word.chars().map(cells).sum();
        if used + w > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            used = 0;
        }
        for c in word.chars() {
            if used + cells(c) > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cells(c);
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

fn write_text_bead(
    out: &mut dyn Write,
    style: Style,
    a: &Aligned,
    bead: &tmkit::align::Bead,
    weak_below: f32,
) -> anyhow::Result<()> {
    let side = |texts: &[String], range: std::ops::Range<usize>| -> Vec<String> {
        range
            .flat_map(|i| {
                let mut lines = wrap(&texts[i], COLUMN - 6);
                for (k, l) in lines.iter_mut().enumerate() {
                    *l = if k == 0 {
                        format!("{i:>4}  {l}")
                    } else {
                        format!("      {l}")
                    };
                }
                lines
            })
            .collect()
    };
    let left = side(&a.src.texts, bead.src.clone());
    let right = side(&a.tgt.texts, bead.tgt.clone());
    let weak = bead.score < weak_below;
    let mark = if weak { "?" } else { " " };
    let head = format!("{mark} {:.2}", bead.score);
    let head = if bead.is_null() {
        style.red(&head)
    } else if weak {
        style.yellow(&head)
    } else {
        style.green(&head)
    };
    for k in 0..left.len().max(right.len()) {
        let l = left.get(k).map(String::as_str).unwrap_or("");
        let r = right.get(k).map(String::as_str).unwrap_or("");
        let pad = COLUMN.saturating_sub(l.chars().map(cells).sum());
        let lead = if k == 0 {
            head.clone()
        } else {
            "      ".to_string()
        };
        writeln!(out, "{lead} {l}{} │ {r}", " ".repeat(pad))?;
    }
    writeln!(out)?;
    Ok(())
}
