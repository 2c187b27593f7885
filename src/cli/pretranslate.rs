//! `tmkit pretranslate`: documents into bilingual files a CAT tool opens
//! (XLIFF 1.2, XLIFF 2.0) or a TMX, with the best memory match of each
//! segment as its target and the next ones as candidates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use tmkit::batch::{BatchSummary, InputFilter, OutputName, OutputPlan};
use tmkit::files::{Output, display_name, is_stdio};
use tmkit::pretranslate::{self, Options, OutputFormat, Pretranslated};
use tmkit::segment::Segmenter;
use tmkit::summarize::InputFormat;
use tmkit::xliff::Document;

use super::common::{self, Context};
use super::match_cmd::{MemoryArgs, load_matcher};

const EXAMPLES: &str = "\
Examples:
  tmkit pretranslate --tm tmx/en-fr.news.tmx --src en --tgt fr samples/en-port-strike.txt -o job.xlf
  tmkit pretranslate --tm memory.tmx --src en --tgt fr --to xliff20 a.txt b.md c.html -o out/
  tmkit pretranslate --tm memory.tmx --src en --tgt de --min 85 --max 1 tikal-extract.xlf -o filled.xlf
  tmkit pretranslate --tm memory.tmx --src en --tgt ja --copy-source article.html -o job.xlf
  tmkit pretranslate --tm team.tmdb --src en --tgt fr --update-usage article.txt -o job.xlf

Inputs: plain text, Markdown (.md) and HTML (.html, .htm) are split into
sentences (--lines: one segment per line); XLIFF 1.2 or 2.0 files (.xlf,
.xliff, .sdlxliff, .mqxliff) keep their units, and only their empty targets are
filled, every other byte kept. Folders give their files of these kinds.

Output: the format comes from --to, else from OUT's extension (.xlf/.xliff:
XLIFF 1.2, or the version of an XLIFF input; .tmx: TMX). With several inputs,
an XLIFF or TMX OUT holds them all (one <file> per input); an OUT folder (one
that exists, or a path ending in '/') gets one file per input (article.html →
article.html.xlf; an XLIFF input keeps its name).

States: a 100% (101% in context) match is written as translated + exact-match;
a fuzzy match as needs-review-translation + fuzzy-match (XLIFF 2.0: initial
with subState tmkit:fuzzy-match); no match leaves no target, or the source with
--copy-source. Up to --max matches become <alt-trans>/<mtc:match> candidates;
the best match's penalties become notes.";

/// Output formats for `--to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ToArg {
    /// XLIFF 1.2, strict schema, with <alt-trans>.
    Xliff12,
    /// XLIFF 2.0 with the Translation Candidates module.
    Xliff20,
    /// TMX 1.4b of the translated segments.
    Tmx,
}

/// Arguments of `tmkit pretranslate`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Lowest score written as a target or a candidate (0-100).
    #[arg(long, default_value_t = 75, value_name = "SCORE",
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min: u8,
    /// Most candidates (<alt-trans>, <mtc:match>) per segment.
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = common::count())]
    pub max: usize,
    /// Output format (default: from OUT's extension).
    #[arg(long, value_enum)]
    pub to: Option<ToArg>,
    /// Segments without a match get their source as target (state needs-translation).
    #[arg(long)]
    pub copy_source: bool,
    /// Output file, or folder for one file per input ('-' for standard output).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Documents or XLIFF files to pretranslate ('-' for standard input).
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
}

/// An input read and turned into a document.
struct Read {
    path: PathBuf,
    item: Pretranslated,
}

fn is_xliff(path: &Path, text: &str) -> bool {
    tmkit::xliff::Format::from_path(path) == Some(tmkit::xliff::Format::Xliff12)
        || (is_stdio(path) && text.trim_start().starts_with("<?xml") && text.contains("<xliff"))
}

fn read_input(path: &Path, args: &Args, segmenter: &Segmenter) -> tmkit::Result<Read> {
    let bytes = tmkit::files::read_bytes(path)?;
    let file = (!is_stdio(path)).then_some(path);
    let (text, encoding) = tmkit::files::decode_xml(bytes, file, tmkit::files::default_encoding())?;
    let name = display_name(path);
    let item = if is_xliff(path, &text) {
        let doc = Document::parse_str(&text, file)?;
        Pretranslated {
            doc,
            original: Some(text),
            encoding,
        }
    } else {
        let format = if is_stdio(path) {
            InputFormat::sniff(&text)
        } else {
            InputFormat::from_path(path)
        };
        let doc = pretranslate::source_document(
            &name,
            &text,
            format,
            &args.memory.src,
            &args.memory.tgt,
            segmenter,
            args.memory.lines,
        );
        Pretranslated {
            doc,
            original: None,
            encoding: Default::default(),
        }
    };
    Ok(Read {
        path: path.to_path_buf(),
        item,
    })
}

/// The format to write `item` in: `--to`, else OUT's extension, else the
/// input's own XLIFF version, else XLIFF 1.2.
fn format_for(to: Option<ToArg>, out: &Path, item: &Pretranslated) -> OutputFormat {
    match to {
        Some(ToArg::Xliff12) => OutputFormat::Xliff12,
        Some(ToArg::Xliff20) => OutputFormat::Xliff20,
        Some(ToArg::Tmx) => OutputFormat::Tmx,
        None if out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tmx")) =>
        {
            OutputFormat::Tmx
        }
        None => match item.doc.format {
            Some(tmkit::xliff::Format::Xliff20) if item.original.is_some() => OutputFormat::Xliff20,
            _ => OutputFormat::Xliff12,
        },
    }
}

fn extension(format: OutputFormat) -> &'static str {
    match format {
        OutputFormat::Tmx => "tmx",
        _ => "xlf",
    }
}

/// Runs `tmkit pretranslate`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let out = &args.output;
    let to_folder = out.is_dir() || out.to_string_lossy().ends_with('/');
    if is_stdio(out) && args.to.is_none() {
        return Err(common::usage(
            "writing to standard output: say which format with --to xliff12|xliff20|tmx",
        ));
    }
    if !to_folder
        && !is_stdio(out)
        && args.to.is_none()
        && !out.extension().is_some_and(|e| {
            ["xlf", "xliff", "tmx", "sdlxliff", "mqxliff"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
    {
        return Err(common::usage(format!(
            "cannot tell the format of {} from its extension: use --to xliff12|xliff20|tmx, or a folder ending in '/'",
            out.display()
        )));
    }
    // A folder entry that cannot be read (a dangling link, a loop) is
    // reported and counted; the others are still pretranslated.
    let mut summary = BatchSummary::default();
    let mut filter = InputFilter::new(&[], common::JOB_EXTENSIONS)?;
    // The jobs of an earlier run, written inside a folder pretranslated, are
    // not inputs of this one.
    if !is_stdio(out) {
        filter.exclude(out);
    }
    let paths = ctx.walk_inputs(&args.inputs, &filter, &mut summary)?;
    // Checked before any work: an output that is an input or the memory
    // (`--tm job.tmx -o job.tmx`) would replace it.
    if !to_folder {
        common::refuse_output_among_inputs("-o", out, paths.iter().chain(&args.memory.tm))?;
    }
    let matcher = load_matcher(&args.memory, ctx)?;
    let started = Instant::now();
    let segmenter = Segmenter::for_language(&args.memory.src);
    let mut read = Vec::new();
    for path in &paths {
        match read_input(path, &args, &segmenter) {
            Ok(r) => read.push(r),
            Err(e) => ctx.fail_input(&mut summary, path, e),
        }
    }
    let options = Options {
        min_score: args.min,
        max_candidates: args.max,
        copy_source: args.copy_source,
    };
    let mut docs: Vec<Document> = read
        .iter_mut()
        .map(|r| std::mem::take(&mut r.item.doc))
        .collect();
    let (stats, used) = pretranslate::pretranslate_used(&mut docs, &matcher, &options)?;
    if args.memory.update_usage
        && let Some(store) = matcher.memory().store()
    {
        store.record_usage(&used)?;
    }
    for (r, doc) in read.iter_mut().zip(docs) {
        r.item.doc = doc;
    }
    let (src, tgt) = (args.memory.src.to_string(), args.memory.tgt.to_string());
    if to_folder {
        std::fs::create_dir_all(out).map_err(|e| tmkit::Error::io(out, e))?;
        // One output per input, mirroring the input tree; never one path twice.
        let read_paths: Vec<PathBuf> = read.iter().map(|r| r.path.clone()).collect();
        // An XLIFF input keeps its name; a document gets its format's
        // extension added (article.html → article.html.xlf).
        let plan = OutputPlan::with_names(out, &args.inputs, &read_paths, |p| {
            let Some(r) = read.iter().find(|r| r.path == p) else {
                return OutputName::Keep;
            };
            let format = format_for(args.to, out, &r.item);
            match (&r.item.original, format) {
                (Some(_), OutputFormat::Xliff12 | OutputFormat::Xliff20) => OutputName::Keep,
                _ => OutputName::AppendExtension(extension(format).to_string()),
            }
        });
        for r in &read {
            let format = format_for(args.to, out, &r.item);
            let dest = match plan.output(&r.path) {
                Ok(dest) => dest,
                Err(e) => {
                    ctx.fail_input(&mut summary, &r.path, format!("{e}; skipped"));
                    continue;
                }
            };
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(|e| tmkit::Error::io(parent, e))?;
            }
            let file = Output::create(dest)?;
            pretranslate::write(&[&r.item], format, &src, &tgt, file)?.finish()?;
            summary.succeeded += 1;
        }
    } else if !read.is_empty() {
        let items: Vec<&Pretranslated> = read.iter().map(|r| &r.item).collect();
        let format = format_for(args.to, out, items[0]);
        let file = Output::create(out)?;
        pretranslate::write(&items, format, &src, &tgt, file)?.finish()?;
        summary.succeeded += read.len();
    }
    ctx.note(format!(
        "{} segment(s) looked up in {:.2}s: {} exact, {} fuzzy, {} without a match at {}%+; {} already translated; written to {}",
        stats.segments,
        started.elapsed().as_secs_f64(),
        stats.exact,
        stats.fuzzy,
        stats.unmatched,
        args.min,
        stats.kept,
        display_name(out)
    ));
    if !summary.is_success() {
        tmkit::diag!("tmkit: pretranslate: {}", summary.line());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
