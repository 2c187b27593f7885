//! `tmkit match`: the best translations from a memory for each sentence of a
//! text, with scores, word diffs, penalties and number-adapted targets.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;
use tmkit::batch::InputFilter;
use tmkit::fuzzy::json::{LookupJson, MatchJson};
use tmkit::fuzzy::{DiffKind, Match, MatchOptions, MatchSession, Matcher, Penalty, diff_words};
use tmkit::segment::Segmenter;
use tmkit::text::LanguageTag;
use tmkit::tm::{LanguagePair, OpenedMemory, TranslationMemory};

use super::common::{self, Context, DataFormat, Style};

const EXAMPLES: &str = "\
Examples:
  tmkit match --tm memory.tmx --src en --tgt fr article.txt
  tmkit match --tm tm/ --sl en-US --tl fr --text \"The minister resigned on Monday.\"
  tmkit match --tm a.tmx --tm b.tsv --src en --tgt fr --lines --min 75 --max 3 sentences.txt
  cat article.txt | tmkit match --tm memory.tmx --src en --tgt ja --format jsonl

Inputs: files are documents split into sentences (--lines: one segment per
line); an XLIFF or PO job gives its source segments; folders give the files
pretranslate takes (.txt, .md, .markdown, .html, .htm, .xhtml, XLIFF); '-' or nothing reads standard
input; --text gives the query text itself (a bare argument that is neither a
file nor looks like one is taken as text too).

Scores (docs/SCORING.md): 101 = identical text whose previous segment also
precedes it in the memory; 100 = identical text; below that, the share of words
kept, less one point per punctuation mark, number and inline code that differs.
A difference only in case, width, spacing, quote, apostrophe or dash style
scores 99. Every point taken off is listed under 'penalties'; when numbers
differ, 'adapted' shows the target with the new numbers written the target
language's way (3.9 -> 3,9 in French).

--exhaustive scores every memory segment instead of using the index: the same
results, slower; for checking the index.";

/// The memory and the job's language pair, shared by `match` and `analyze`.
#[derive(Debug, clap::Args)]
pub struct MemoryArgs {
    /// Translation memory: a TMX, TSV (source<TAB>target; \t \n \r \\ escape tab, line
    /// break, CR, backslash), XLIFF or PO file or a folder of them (repeatable), or one store (team.tmdb, postgres://...).
    #[arg(long = "tm", value_name = "PATH", required = true)]
    pub tm: Vec<PathBuf>,
    /// Source language (BCP-47: en, en-US, pt_BR).
    #[arg(long, visible_alias = "sl", value_name = "LANG")]
    pub src: LanguageTag,
    /// Target language (BCP-47).
    #[arg(long, visible_alias = "tl", value_name = "LANG")]
    pub tgt: LanguageTag,
    /// Each input line is one segment (blank lines skipped) instead of splitting sentences.
    #[arg(long)]
    pub lines: bool,
    /// With a store: count a use of each best match (usage count and last-used date).
    #[arg(long)]
    pub update_usage: bool,
    /// Neither read nor write the index cache of memory files ($XDG_CACHE_HOME/tmkit, else
    /// ~/.cache/tmkit; also TMKIT_NO_CACHE=1): index them anew.
    #[arg(long)]
    pub no_cache: bool,
}

/// Arguments of `tmkit match`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Lowest score shown (0-100).
    #[arg(long, default_value_t = 50, value_name = "SCORE",
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min: u8,
    /// Most matches shown per segment.
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = common::count())]
    pub max: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
    /// Score every memory segment instead of using the index (same results, slower; for checking).
    #[arg(long)]
    pub exhaustive: bool,
    /// Text to match, as given (repeatable); for text that looks like a file name.
    #[arg(long, value_name = "TEXT")]
    pub text: Vec<String>,
    /// Files or folders to match, '-' for standard input, or the query text itself
    /// (an argument that looks like a file name must exist: use --text for such text).
    #[arg(value_name = "FILE|-|TEXT")]
    pub inputs: Vec<String>,
}

/// Opens the memory for a language pair with its index, reporting the
/// time taken on stderr (unless `--quiet`).
pub(crate) fn load_matcher(
    memory: &MemoryArgs,
    ctx: &Context,
) -> anyhow::Result<Matcher<OpenedMemory>> {
    let (paths, src, tgt) = (&memory.tm, &memory.src, &memory.tgt);
    common::check_language_pair(src, tgt)?;
    if memory.update_usage
        && !paths
            .iter()
            .any(|p| tmkit::store::StoreLocation::parse(&p.to_string_lossy()).is_some())
    {
        return Err(common::usage(
            "--update-usage needs a store (--tm team.tmdb)",
        ));
    }
    let started = Instant::now();
    let cache = (!memory.no_cache)
        .then(tmkit::tm::cache::IndexCache::from_env)
        .flatten();
    let (matcher, cached) = tmkit::tm::open_matcher_with(
        LanguagePair::new(src.clone(), tgt.clone()),
        paths,
        cache.as_ref(),
    )?;
    let tm = matcher.memory();
    for (file, why) in tm.skipped_files() {
        ctx.note(format!(
            "skipped {}: {why}, not {src} → {tgt}",
            tmkit::files::display_name(file)
        ));
    }
    if tm.is_empty() {
        ctx.note(format!(
            "warning: the memory has no {src} → {tgt} segments; nothing can match"
        ));
    }
    for ((used, asked), n) in tm.region_fallback_counts() {
        ctx.note(format!(
            "notice: {n} segment(s) use {used} for {asked} (another region); their matches list a region-fallback penalty"
        ));
    }
    let from = match tm {
        OpenedMemory::Files(_) | OpenedMemory::Tsv(_) => format!("{} file(s)", tm.files().len()),
        OpenedMemory::Store(_) => "the store".to_string(),
    };
    ctx.note(format!(
        "memory: {} segments from {from}, {src} → {tgt}; loaded and indexed in {:.2}s ({} distinct tokens{})",
        tm.len(),
        started.elapsed().as_secs_f64(),
        matcher.index().vocabulary().len(),
        if cached == Some(tmkit::tm::cache::CacheUse::Read) {
            "; index from the cache"
        } else {
            ""
        },
    ));
    Ok(matcher)
}

/// A named piece of input text.
struct Input {
    name: String,
    text: anyhow::Result<String>,
    /// One segment per line already (an XLIFF or PO job's sources).
    segmented: bool,
}

fn read_inputs(args: &[String], texts: &[String]) -> anyhow::Result<Vec<Input>> {
    let mut inputs: Vec<Input> = texts
        .iter()
        .map(|t| Input {
            name: "<text>".to_string(),
            text: Ok(t.clone()),
            segmented: false,
        })
        .collect();
    if args.is_empty() && texts.is_empty() {
        return Ok(vec![read_path(Path::new("-"))]);
    }
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            let filter = InputFilter::new(&[], super::common::JOB_EXTENSIONS)?;
            for file in tmkit::batch::expand_inputs(&[path.to_path_buf()], &filter)? {
                inputs.push(read_path(&file));
            }
        } else if arg == "-" || path.is_file() {
            inputs.push(read_path(path));
        } else if common::looks_like_path(arg) {
            return Err(tmkit::Error::io(
                path,
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "no such file (to match this text itself, give it with --text)",
                ),
            )
            .into());
        } else {
            inputs.push(Input {
                name: "<argument>".to_string(),
                text: Ok(arg.clone()),
                segmented: false,
            });
        }
    }
    Ok(inputs)
}

fn read_path(path: &Path) -> Input {
    let name = tmkit::files::display_name(path);
    // A bilingual job (XLIFF, PO) is looked up by its segments' sources,
    // one per line, not read as text full of markup.
    if tmkit::xliff::Format::from_path(path).is_some() {
        let text = tmkit::xliff::Document::read(path)
            .map(|doc| job_sources(&doc).join("\n"))
            .map_err(anyhow::Error::from);
        return Input {
            name,
            text,
            segmented: true,
        };
    }
    let text = tmkit::files::read_text(path)
        .map(|text| tmkit::html::readable_text(path, text))
        .map_err(anyhow::Error::from);
    Input {
        name,
        text,
        segmented: false,
    }
}

/// The source text of every segment of `doc` to translate (units marked
/// translate="no" left out), in order, each on one line.
pub(crate) fn job_sources(doc: &tmkit::xliff::Document) -> Vec<String> {
    doc.files
        .iter()
        .flat_map(|f| &f.units)
        .filter(|u| u.translate)
        .flat_map(|u| &u.segments)
        .map(|g| g.source.plain_text().replace(['\n', '\r'], " "))
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// The segments of one input: sentences, or non-blank lines with `--lines`.
fn segments<'t>(text: &'t str, lines: bool, segmenter: &'t Segmenter) -> Vec<&'t str> {
    if lines {
        text.lines().filter(|l| !l.trim().is_empty()).collect()
    } else {
        segmenter.segments(text).map(|s| s.text).collect()
    }
}

/// Queries matched per parallel batch: keeps output flowing on long inputs.
const BATCH: usize = 2048;

/// Runs `tmkit match`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let matcher = load_matcher(&args.memory, ctx)?;
    let options = MatchOptions {
        min_score: args.min,
        max_results: args.max,
        exhaustive: args.exhaustive,
    };
    let segmenter = Segmenter::for_language(&args.memory.src);
    // Entries keep plain text; data output gives targets with their codes.
    let coded = (args.format != DataFormat::Text).then(|| {
        let tm = matcher.memory();
        tmkit::tm::coded::CodedTargets::load(tm.files(), tm.pair())
    });
    let inputs = read_inputs(&args.inputs, &args.text)?;
    let mut sessions: Vec<_> = (0..rayon::current_num_threads().max(1))
        .map(|_| matcher.session())
        .collect();
    let style = ctx.out_style();
    let mut out = common::stdout();
    let mut failed = 0usize;
    let mut count = 0usize;
    let mut total_ms = 0.0f64;
    if args.format == DataFormat::Json {
        out.write_all(b"[")?;
    }
    for input in &inputs {
        let text = match &input.text {
            Ok(t) => t,
            Err(e) => {
                failed += 1;
                ctx.warn_input(Path::new(&input.name), format!("{e:#}"));
                continue;
            }
        };
        let segs = segments(text, args.memory.lines || input.segmented, &segmenter);
        if args.format == DataFormat::Text && inputs.len() > 1 {
            writeln!(out, "{}", style.cyan(&format!("== {} ==", input.name)))?;
        }
        for (b, batch) in segs.chunks(BATCH).enumerate() {
            // Where the batch starts in the whole input: the previous segment
            // (101% context) of a batch's first segment is in the batch before.
            let start = b * BATCH;
            // One long-lived session per thread; each takes a contiguous share.
            let share = batch.len().div_ceil(sessions.len());
            let results: Vec<(Vec<Match>, f64)> = sessions
                .par_iter_mut()
                .zip(batch.par_chunks(share).enumerate())
                .flat_map_iter(|(session, (chunk, queries))| {
                    queries
                        .iter()
                        .enumerate()
                        .map(|(i, query)| {
                            let t0 = Instant::now();
                            let mut matches = session.lookup(query, &options);
                            let previous = (start + chunk * share + i)
                                .checked_sub(1)
                                .and_then(|p| segs.get(p));
                            mark_context(session, &mut matches, query, previous);
                            (matches, t0.elapsed().as_secs_f64() * 1000.0)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            if args.memory.update_usage
                && let Some(store) = matcher.memory().store()
            {
                let best: Vec<_> = results
                    .iter()
                    .filter_map(|(m, _)| m.first().map(|m| m.entry_id))
                    .collect();
                store.record_usage(&best)?;
            }
            for (query, (matches, ms)) in batch.iter().zip(&results) {
                total_ms += ms;
                let json = || LookupJson {
                    query: query.to_string(),
                    matches: matches
                        .iter()
                        .map(|m| MatchJson::new(m, &query[..], matcher.memory(), coded.as_ref()))
                        .collect(),
                    ms: (ms * 1000.0).round() / 1000.0,
                };
                match args.format {
                    DataFormat::Jsonl => common::write_json_line(&mut out, &json())?,
                    DataFormat::Json => {
                        if count > 0 {
                            out.write_all(b",")?;
                        }
                        out.write_all(b"\n")?;
                        out.write_all(&serde_json::to_vec(&json())?)?;
                    }
                    DataFormat::Text => write_text(
                        &mut out,
                        &style,
                        &matcher,
                        count + 1,
                        query,
                        matches,
                        args.min,
                    )?,
                }
                count += 1;
            }
        }
    }
    if args.format == DataFormat::Json {
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    if count > 0 {
        ctx.note(format!(
            "{count} segment(s) matched in {:.1} ms ({:.3} ms per segment)",
            total_ms,
            total_ms / count as f64
        ));
    }
    if failed > 0 {
        tmkit::diag!(
            "tmkit: {} input(s) read, {failed} failed",
            inputs.len() - failed
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_text<W: Write>(
    out: &mut W,
    style: &Style,
    matcher: &Matcher<OpenedMemory>,
    number: usize,
    query: &str,
    matches: &[Match],
    min: u8,
) -> io::Result<()> {
    writeln!(
        out,
        "{} {}",
        style.bold(&format!("[{number}]")),
        style.bold(query)
    )?;
    if matches.is_empty() {
        writeln!(
            out,
            "  {}",
            style.dim(&format!("no match at {min}% or more"))
        )?;
    }
    for m in matches {
        let pct = format!("{:>3}%", m.score);
        let pct = match m.score {
            95.. => style.green(&pct),
            75..=94 => style.yellow(&pct),
            _ => style.red(&pct),
        };
        writeln!(
            out,
            "  {pct}  {}",
            render_diff(style, &m.entry.source, query)
        )?;
        writeln!(out, "        {}", m.entry.target)?;
        if let Some(adapted) = &m.adapted_target {
            writeln!(out, "        {} {adapted}", style.cyan("adapted:"))?;
        }
        let mut info = vec![matcher.memory().describe_origin(&m.entry.origin)];
        if let Some(tuid) = &m.entry.tuid {
            info.push(format!("tuid {tuid}"));
        }
        if let Some(date) = &m.entry.changedate {
            info.push(date.clone());
        }
        writeln!(out, "        {}", style.dim(&info.join(" · ")))?;
        if !m.penalties.is_empty() {
            writeln!(
                out,
                "        {} {}",
                style.yellow("penalties:"),
                penalty_list(&m.penalties)
            )?;
        }
    }
    Ok(())
}

/// Penalties on one line: `number -1 (3.9 → 4.2); punctuation -1 ("." removed)`.
fn penalty_list(penalties: &[Penalty]) -> String {
    penalties
        .iter()
        .map(|p| format!("{} -{} ({})", p.kind, p.points, p.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Raises a 100% match to 101% when the segment before `query` in the
/// document precedes the match in the memory too.
fn mark_context(
    session: &mut MatchSession<'_, OpenedMemory>,
    matches: &mut [Match],
    query: &str,
    previous: Option<&&str>,
) {
    if let (Some(first), Some(previous)) = (matches.first_mut(), previous)
        && first.score == 100
        && session.in_context(query, previous)
    {
        first.score = 101;
    }
}

/// The memory source with deletions and insertions marked: colours on a
/// terminal, `[-deleted-]{+inserted+}` otherwise.
fn render_diff(style: &Style, source: &str, query: &str) -> String {
    let parts = diff_words(source, query);
    let mut s = String::new();
    for (i, part) in parts.iter().enumerate() {
        let text = part.text.as_str();
        let (body, mut space) = text.split_at(text.trim_end().len());
        // A replacement reads `[-old-]{+new+} `: the insertion carries the space.
        if part.kind == DiffKind::Delete
            && parts.get(i + 1).is_some_and(|p| p.kind == DiffKind::Insert)
        {
            space = "";
        }
        match part.kind {
            DiffKind::Equal => s.push_str(text),
            DiffKind::Delete if style.enabled() => {
                s.push_str(&format!("\x1b[31;9m{body}\x1b[0m{space}"))
            }
            DiffKind::Insert if style.enabled() => {
                s.push_str(&format!("\x1b[32;4m{body}\x1b[0m{space}"))
            }
            DiffKind::Delete => s.push_str(&format!("[-{body}-]{space}")),
            DiffKind::Insert => s.push_str(&format!("{{+{body}+}}{space}")),
        }
    }
    s
}
