//! `tmkit summarize`: extractive digests of articles, one file or whole folders.
//!
//! One input goes to stdout. Many inputs are summarized in parallel, in order,
//! with a progress bar; `--out-dir` writes one digest per article (atomically,
//! mirroring the input tree), `--digest` writes one Markdown file for all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use tmkit::batch::{self, BatchSummary, InputFilter, OutputPlan};
use tmkit::files::{self, AtomicFile, OutputTree};
use tmkit::fuzzy::Matcher;
use tmkit::summarize::translations::{self, Deferred, LoadError, Memory, Translator, WaitQueue};
use tmkit::summarize::{Budget, Document, InputFormat, Options, Summarizer, Summary, digest};
use tmkit::text::LanguageTag;
use tmkit::text::lang::LangChoice;
use tmkit::tm::OpenedMemory;

use super::common::{self, Context};
use super::match_cmd::{MemoryArgs, load_matcher};

const AFTER_HELP: &str = "\
Examples:
  tmkit summarize article.txt                      its 3-sentence eligible lead, one per line
  tmkit summarize --sentences 1 --lang fr - < depeche.txt
  tmkit summarize samples/ --digest digest.md      one Markdown digest of every article
  tmkit summarize news/ --out-dir digests/ --skip-existing
  tmkit summarize page.html --words 60 --format json
  tmkit summarize news/ --include '*.txt' --format jsonl > digests.jsonl
  tmkit summarize --tm memory.tmx --tgt fr article.txt   each sentence with its best fr translation
  tmkit summarize --tm tm/ --lang en --tgt de news/ --digest digest.md --min 85

Inputs: .txt, .md, .markdown, .html and .htm files when a folder is given (--include
overrides; README files in folders are left out). Plain text: a short first line without final punctuation followed by a blank
line is the headline. Markdown: the first heading. HTML: the first <h1>, else <title>;
the page's main content (navigation, bylines, ads, share bars and comments left out);
JSON offsets point into the file (the HTML or the Markdown, not the text reduced from it).

With --tm, every digest sentence is looked up in the memory (TMX or TSV files or folders,
or a store such as team.tmdb, as for 'tmkit match') and printed with its best translation scoring at least --min, in
every format. The memory's source language is --src, else --lang, else the language of
the first article (in input order) that can be read and is not in --tgt's language; articles
in another language get no translations.";

/// Output formats of `tmkit summarize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// One sentence per line (several files: a `==> file <==` line before each).
    #[default]
    Text,
    /// JSON with scores and byte offsets (several files: an array).
    Json,
    /// One JSON object per article, with its file name.
    Jsonl,
    /// A Markdown section per article.
    Markdown,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "md",
        }
    }
}

/// How to read an input's markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Markup {
    /// Plain text.
    Text,
    /// Markdown.
    Markdown,
    /// HTML.
    Html,
}

/// Arguments of `tmkit summarize`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Articles: files, folders (searched recursively) or '-' for stdin.
    #[arg(value_name = "FILE|DIR|-")]
    pub inputs: Vec<PathBuf>,

    /// Language of the articles (BCP-47 tag such as en, fr, pt-BR), or 'auto' to detect each.
    #[arg(short, long, default_value = "auto", value_name = "LANG|auto")]
    pub lang: LangChoice,

    /// Number of sentences per summary.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..),
          conflicts_with_all = ["ratio", "words"])]
    pub sentences: u32,

    /// Share of each article's sentences to keep, between 0 and 1 (e.g. 0.2).
    #[arg(short, long, value_name = "R", value_parser = parse_ratio, conflicts_with = "words")]
    pub ratio: Option<f32>,

    /// Keep as many lead sentences as fit in this many words (at least one sentence).
    #[arg(short, long, value_name = "W", value_parser = clap::value_parser!(u32).range(1..))]
    pub words: Option<u32>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write one summary file per article here, mirroring the input folders
    /// (inside an input folder, it is left out of the articles).
    #[arg(short, long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Write one Markdown digest of all articles to this file (inside an
    /// input folder, it is left out of the articles).
    #[arg(short, long, value_name = "FILE.md")]
    pub digest: Option<PathBuf>,

    /// Only take files of folders matching this glob (repeatable), e.g. '*.txt'.
    #[arg(short, long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// With --out-dir: leave articles whose summary file already exists (resume a run).
    #[arg(long, requires = "out_dir")]
    pub skip_existing: bool,

    /// The headline of a single article (shown with its summary; the digest is the eligible lead).
    #[arg(short, long, value_name = "T")]
    pub title: Option<String>,

    /// Markup of the inputs [default: by extension; stdin is sniffed for HTML].
    #[arg(long, value_enum, value_name = "MARKUP")]
    pub markup: Option<Markup>,

    /// Translation memory, as `match` takes it (a store: team.tmdb, postgres://…; or TMX/TSV
    /// files and folders, repeatable): show each digest sentence's best translation.
    #[arg(long = "tm", value_name = "PATH")]
    pub tm: Vec<PathBuf>,

    /// Language of the translations to show (with --tm).
    #[arg(long, visible_alias = "tl", value_name = "LANG", requires = "tm")]
    pub tgt: Option<LanguageTag>,

    /// Source language of the memory [default: --lang, else the first article's language].
    #[arg(long, visible_alias = "sl", value_name = "LANG", requires = "tm")]
    pub src: Option<LanguageTag>,

    /// With --tm: neither read nor write the index cache of memory files ($XDG_CACHE_HOME/tmkit,
    /// else ~/.cache/tmkit; also TMKIT_NO_CACHE=1).
    #[arg(long, requires = "tm")]
    pub no_cache: bool,

    /// Lowest match score of a translation shown with --tm (0-100).
    #[arg(long, default_value_t = 75, value_name = "SCORE",
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min: u8,
}

/// A memory opened on a thread of its own while a batch summarizes (see
/// [`run_batch`]).
type Loading = translations::Loading<Matcher<OpenedMemory>, anyhow::Error>;

/// The batch's --tm lookups, deferred until the memory is loaded.
type Lookups<'m> = Deferred<'m, OpenedMemory, anyhow::Error>;

/// What every input goes through: the summarizer, and the memory lookups with --tm.
struct Job<'m> {
    summarizer: Summarizer,
    lookups: Option<Lookups<'m>>,
}

fn is_readme(path: &Path) -> bool {
    path.file_stem()
        .is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case("readme"))
}

fn parse_ratio(s: &str) -> Result<f32, String> {
    let r: f32 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if r > 0.0 && r <= 1.0 {
        Ok(r)
    } else {
        Err("the ratio must be greater than 0 and at most 1".into())
    }
}

const DEFAULT_EXTENSIONS: &[&str] = &["txt", "md", "markdown", "html", "htm"];

/// What happened to one input of a batch; a waiting digest keeps its
/// --out-dir file.
type Outcome = translations::Outcome<Option<PathBuf>>;

/// Runs `tmkit summarize`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let budget = match (args.ratio, args.words) {
        (Some(r), _) => Budget::Ratio(r),
        (_, Some(w)) => Budget::Words(w as usize),
        _ => Budget::Sentences(args.sentences as usize),
    };
    let summarizer = Summarizer::new(Options {
        budget,
        ..Options::default()
    });
    let mut filter = InputFilter::new(&args.include, DEFAULT_EXTENSIONS)?;
    // The digests of an earlier run, written inside the folder summarized,
    // are not articles of this one (`--skip-existing` runs again and again).
    for own in args.out_dir.iter().chain(&args.digest) {
        filter.exclude(own);
    }
    let mut summary_line = BatchSummary::default();
    let mut inputs = ctx.walk_inputs(&args.inputs, &filter, &mut summary_line)?;
    // A README found in a folder describes the folder; it is not an article.
    inputs.retain(|p| args.inputs.contains(p) || !is_readme(p));
    if inputs.is_empty() && summary_line.is_success() {
        return Err(common::usage(
            "no input files found (the folders hold no .txt, .md, .markdown, .html or .htm files; see --include)",
        ));
    }
    if args.title.is_some() && inputs.len() > 1 {
        return Err(common::usage("--title applies to a single article"));
    }
    if !args.tm.is_empty() && args.tgt.is_none() {
        return Err(common::usage(
            "--tm needs --tgt, the language of the translations to show",
        ));
    }
    if let Some(digest) = &args.digest {
        common::refuse_output_among_inputs("--digest", digest, &inputs)?;
    }
    // A store beside memory files: bad usage, found before any digest.
    tmkit::tm::check_memory_specs(&args.tm)?;
    let batch_mode = inputs.len() > 1
        || args.out_dir.is_some()
        || args.digest.is_some()
        || !summary_line.is_success();
    if !batch_mode {
        return run_single(&args, ctx, &summarizer, &inputs[0]);
    }
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    }
    if args.tm.is_empty() {
        let job = Job {
            summarizer,
            lookups: None,
        };
        return run_batch(&args, ctx, &job, &inputs, summary_line);
    }
    // The memory is loaded and indexed on a thread of its own while the
    // articles are summarized: a memory file is read (and indexed, unless
    // its index is in the cache) in every run, and this way that overlaps
    // the digests instead of preceding them.
    let Some(src) = memory_source(&args, &summarizer, &inputs)? else {
        return Err(common::usage(format!(
            "no article can be read in another language than --tgt {}: nothing to translate \
             (give the memory's source language with --src)",
            args.tgt
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        )));
    };
    // Bad usage is reported before the memory loads and the batch starts.
    if let Some(tgt) = &args.tgt {
        common::check_language_pair(&src, tgt)?;
    }
    if let Some(missing) = args
        .tm
        .iter()
        .find(|p| !p.to_string_lossy().contains("://") && !p.exists())
    {
        return Err(tmkit::Error::io(missing, std::io::ErrorKind::NotFound.into()).into());
    }
    let loading = Loading::new();
    let job = Job {
        summarizer,
        lookups: Some(Lookups::new(&loading, args.min)),
    };
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            loading.load(|| load_memory(&args, ctx, src));
        });
        run_batch(&args, ctx, &job, &inputs, summary_line)
    });
    drop(job);
    let failed = |load_error: anyhow::Error| {
        // The batch's own error (an output that could not be written, say)
        // is reported too, before the memory's.
        if let Err(e) = &result {
            common::report_error(e);
        }
        Err(load_error)
    };
    match loading.into_result() {
        Some(Err(LoadError::Failed(e))) => failed(e),
        Some(Err(e @ LoadError::Panicked(_))) => failed(anyhow::anyhow!("{e}")),
        Some(Ok(matcher)) => {
            if let OpenedMemory::Files(_) | OpenedMemory::Tsv(_) = matcher.memory() {
                // Freeing a loaded memory entry by entry, and its index's
                // vocabulary token by token, costs more than the lookups
                // (~7% of a run over a 76k-pair TSV); the process ends here,
                // so the system takes it back at once.
                std::mem::forget(matcher);
            }
            result
        }
        None => result,
    }
}

/// The memory's source language: --src, else --lang, else the language of
/// the first article (in the order of the inputs) that can be read and is
/// not in --tgt's language. `None` when no article qualifies: every readable
/// one is in the translations' language (a bad article is skipped here and
/// reported by the batch, which goes on past it).
fn memory_source(
    args: &Args,
    summarizer: &Summarizer,
    inputs: &[PathBuf],
) -> anyhow::Result<Option<LanguageTag>> {
    if let Some(src) = &args.src {
        return Ok(Some(src.clone()));
    }
    if let LangChoice::Tag(tag) = &args.lang {
        return Ok(Some(tag.clone()));
    }
    if inputs.iter().all(|p| files::is_stdio(p)) {
        return Err(common::usage(
            "with --tm and standard input, give the memory's source language (--src or --lang)",
        ));
    }
    let in_target = |lang: &LanguageTag| {
        args.tgt
            .as_ref()
            .is_some_and(|tgt| tmkit::text::check_pair(lang, tgt).is_err())
    };
    Ok(inputs
        .iter()
        .filter(|p| !files::is_stdio(p))
        .filter_map(|p| summarize_input(args, summarizer, p).ok())
        .map(|summary| summary.language)
        .find(|lang| !in_target(lang)))
}

/// Opens the memory for `src` → --tgt as `match` does: a store with its
/// persisted index, or memory files loaded and indexed.
fn load_memory(
    args: &Args,
    ctx: &Context,
    src: LanguageTag,
) -> anyhow::Result<Matcher<OpenedMemory>> {
    let memory = MemoryArgs {
        tm: args.tm.clone(),
        src,
        tgt: args
            .tgt
            .clone()
            .ok_or_else(|| common::usage("--tm needs --tgt"))?,
        lines: false,
        update_usage: false,
        no_cache: args.no_cache,
    };
    load_matcher(&memory, ctx)
}

/// Reads, parses and summarizes one input.
fn summarize_input(args: &Args, summarizer: &Summarizer, input: &Path) -> tmkit::Result<Summary> {
    let (text, file_offsets) = files::read_text_with_offsets(input)?;
    if text.trim().is_empty() {
        return Err(tmkit::Error::invalid(
            tmkit::Location {
                file: (!files::is_stdio(input)).then(|| input.to_path_buf()),
                ..Default::default()
            },
            "empty input: no text to summarize",
        ));
    }
    let format = match args.markup {
        Some(Markup::Text) => InputFormat::Text,
        Some(Markup::Markdown) => InputFormat::Markdown,
        Some(Markup::Html) => InputFormat::Html,
        None if files::is_stdio(input) => InputFormat::sniff(&text),
        None => InputFormat::from_path(input),
    };
    let mut doc = Document::parse(&text, format);
    doc.file_offsets = file_offsets;
    if let Some(title) = &args.title {
        doc.title = Some(title.clone());
    }
    if doc.body().trim().is_empty() && doc.title.is_none() {
        return Err(tmkit::Error::invalid(
            tmkit::Location {
                file: (!files::is_stdio(input)).then(|| input.to_path_buf()),
                ..Default::default()
            },
            "no article text found",
        ));
    }
    let lang = tmkit::summarize::resolve_language(&doc, &args.lang);
    Ok(summarizer.summarize(&doc, &lang))
}

fn run_single(
    args: &Args,
    ctx: &Context,
    summarizer: &Summarizer,
    input: &Path,
) -> anyhow::Result<ExitCode> {
    let mut summary = summarize_input(args, summarizer, input)?;
    if !args.tm.is_empty() {
        let src = args.src.clone().unwrap_or_else(|| summary.language.clone());
        let matcher = load_memory(args, ctx, src)?;
        Translator::new(&matcher, args.min).translate(&mut summary);
    }
    let name = files::display_name(input);
    let mut out = common::stdout();
    write_summary(&mut out, args.format, &name, &summary)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One article in `format`, as a whole file would hold it.
fn write_summary<W: Write>(
    out: &mut W,
    format: Format,
    name: &str,
    summary: &Summary,
) -> std::io::Result<()> {
    match format {
        Format::Text => {
            for s in &summary.sentences {
                writeln!(out, "{}", s.text)?;
                if let Some(t) = &s.translation {
                    writeln!(out, "    [{}%] {}", t.score, t.target)?;
                }
            }
            Ok(())
        }
        Format::Json => common::write_json_pretty(
            out,
            &Record {
                file: name,
                summary,
            },
        ),
        Format::Jsonl => common::write_json_line(
            out,
            &Record {
                file: name,
                summary,
            },
        ),
        Format::Markdown => digest::write_article(out, name, summary),
    }
}

/// A summary with the name of its file, for JSON output.
#[derive(serde::Serialize)]
struct Record<'a> {
    file: &'a str,
    #[serde(flatten)]
    summary: &'a Summary,
}

fn write_output_file(
    tree: &OutputTree,
    dest: &Path,
    input: &Path,
    format: Format,
    summary: &Summary,
) -> tmkit::Result<()> {
    let mut bytes = Vec::with_capacity(1024);
    write_summary(&mut bytes, format, &files::display_name(input), summary)
        .map_err(|e| tmkit::Error::io(dest, e))?;
    // Never overwrite an article with its own summary (--out-dir on the input
    // folder through a link: the plan compares paths, the tree compares files).
    tree.write(dest, &bytes, (!files::is_stdio(input)).then_some(input))
}

fn run_batch(
    args: &Args,
    ctx: &Context,
    job: &Job<'_>,
    inputs: &[PathBuf],
    mut summary_line: BatchSummary,
) -> anyhow::Result<ExitCode> {
    let progress = ctx.progress("summarize");
    let plan = args
        .out_dir
        .as_deref()
        .map(|dir| OutputPlan::new(dir, &args.inputs, inputs, args.format.extension()));
    let tree = OutputTree::new();
    let to_stdout = args.out_dir.is_none() && args.digest.is_none();
    let mut digest_file = match &args.digest {
        Some(path) => {
            let mut f = AtomicFile::create(path)?;
            digest::write_digest_header(&mut f).map_err(|e| tmkit::Error::io(path, e))?;
            Some(f)
        }
        None => None,
    };
    let mut stdout = common::stdout();
    let mut write_error: Option<anyhow::Error> = None;
    let mut first_on_stdout = true;

    let mut sink = |input: &Path, result: tmkit::Result<Outcome>| {
        let summary = match result {
            Ok(Outcome::Done(s)) => s,
            Ok(Outcome::Skipped) => {
                summary_line.skipped += 1;
                return;
            }
            Ok(Outcome::Waiting(..) | Outcome::Abandoned) => return,
            Err(e) => {
                ctx.fail_input(&mut summary_line, input, &e);
                return;
            }
        };
        summary_line.succeeded += 1;
        if write_error.is_some() {
            return;
        }
        let name = files::display_name(input);
        let written = (|| -> anyhow::Result<()> {
            if let (Some(f), Some(path)) = (digest_file.as_mut(), args.digest.as_deref()) {
                digest::write_article(f, &name, &summary).map_err(|e| tmkit::Error::io(path, e))?;
            }
            if to_stdout {
                write_stdout_entry(
                    &mut stdout,
                    ctx.out_style(),
                    args.format,
                    &name,
                    &summary,
                    first_on_stdout,
                )?;
                first_on_stdout = false;
            }
            Ok(())
        })();
        if let Err(e) = written {
            write_error = Some(e);
        }
    };
    // Outcomes behind a digest that waits for the memory, in input order.
    let mut queue = WaitQueue::new().on_wait(|| progress.message("waiting for the memory to load"));
    let write = |input: &Path, dest: &Option<PathBuf>, summary: &Summary| match dest {
        Some(d) => write_output_file(&tree, d, input, args.format, summary),
        None => Ok(()),
    };
    let work = |input: &Path| -> tmkit::Result<Outcome> {
        let dest = plan.as_ref().map(|p| p.output(input)).transpose()?;
        if args.skip_existing
            && let Some(d) = &dest
            && d.exists()
        {
            return Ok(Outcome::Skipped);
        }
        // Summarized even when the memory failed, so its errors are reported.
        let mut summary = summarize_input(args, &job.summarizer, input)?;
        if let Some(lookups) = &job.lookups {
            match lookups.now() {
                Memory::Ready(translator) => translator.translate(&mut summary),
                Memory::Loading => {
                    let dest = dest.map(Path::to_path_buf);
                    return Ok(Outcome::Waiting(Box::new(summary), dest));
                }
                Memory::Failed => return Ok(Outcome::Abandoned),
            }
        }
        if let Some(d) = &dest {
            write_output_file(&tree, d, input, args.format, &summary)?;
        }
        Ok(Outcome::Done(Box::new(summary)))
    };
    match &job.lookups {
        // Whatever waits for the memory is finished before this returns.
        Some(lookups) => queue.deliver_all(inputs.len(), lookups, &write, &mut sink, |deliver| {
            batch::run_ordered(inputs, &progress, work, deliver);
        }),
        None => {
            batch::run_ordered(inputs, &progress, work, &mut sink);
        }
    }
    if let Some(Memory::Failed) = job.lookups.as_ref().map(Lookups::now) {
        // Nothing was written; the caller reports why the memory failed.
        return Ok(ExitCode::FAILURE);
    }
    if let Some(e) = write_error {
        return Err(e);
    }
    if to_stdout {
        if args.format == Format::Json {
            stdout.write_all(if first_on_stdout { b"[]\n" } else { b"\n]\n" })?;
        }
        stdout.flush()?;
    }
    if let Some(f) = digest_file {
        f.commit()?;
    }
    ctx.note(format_args!("summarize: {}", summary_line.line()));
    Ok(if summary_line.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One article of many on stdout.
fn write_stdout_entry<W: Write>(
    out: &mut W,
    style: common::Style,
    format: Format,
    name: &str,
    summary: &Summary,
    first: bool,
) -> std::io::Result<()> {
    match format {
        Format::Text => {
            if !first {
                writeln!(out)?;
            }
            writeln!(out, "{}", style.bold(&format!("==> {name} <==")))?;
            write_summary(out, format, name, summary)
        }
        Format::Json => {
            out.write_all(if first { b"[\n" } else { b",\n" })?;
            serde_json::to_writer_pretty(
                &mut *out,
                &Record {
                    file: name,
                    summary,
                },
            )
            .map_err(common::json_to_io)
        }
        Format::Jsonl => write_summary(out, format, name, summary),
        Format::Markdown => {
            if first {
                digest::write_digest_header(out)?;
            }
            write_summary(out, format, name, summary)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_must_be_a_share() {
        assert!(parse_ratio("0.2").is_ok());
        assert!(parse_ratio("0").is_err());
        assert!(parse_ratio("1.5").is_err());
        assert!(parse_ratio("x").is_err());
    }
}
