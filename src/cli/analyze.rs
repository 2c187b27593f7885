//! `tmkit analyze`: how much of a job a memory already covers, in segments
//! and words per match band, per file and in total (what translation work is
//! quoted from).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tmkit::batch::{self, BatchSummary, InputFilter};
use tmkit::fuzzy::analysis::{Analyzer, Band, BandTable, FileAnalysis};
use tmkit::segment::Segmenter;

use super::common::{self, Context, Style};
use super::match_cmd::{MemoryArgs, load_matcher};

const EXAMPLES: &str = "\
Examples:
  tmkit analyze --tm memory.tmx --src en --tgt fr job/*.txt
  tmkit analyze --tm tm/ --sl en --tl de --format csv job/ > quote.csv
  tmkit analyze --tm memory.tsv --src en --tgt ja --lines --format json strings.txt

Bands: repetitions (a segment seen earlier in the job), 101% (an exact match
whose previous sentence also precedes it in the memory), 100%, 95-99%, 85-94%,
75-84%, 50-74%, no match. Words are counted per word, each CJK or Thai character
as one. A file that cannot be read is reported and the others are still analyzed.";

/// Report formats of `tmkit analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ReportFormat {
    /// A table per file and a total.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// Rows of file,band,segments,words.
    Csv,
}

/// Arguments of `tmkit analyze`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Files or folders of the job (folders: their .txt and .md files); '-' or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Runs `tmkit analyze`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut summary = BatchSummary::default();
    let filter = InputFilter::new(&[], &["txt", "md"])?;
    let inputs = ctx.walk_inputs(&args.files, &filter, &mut summary)?;
    let matcher = load_matcher(&args.memory, ctx)?;
    let segmenter = Segmenter::for_language(&args.memory.src);
    let mut analyzer = Analyzer::new(&matcher);
    let mut reports: Vec<FileAnalysis> = Vec::new();
    let progress = ctx.progress("analyze");
    let started = std::time::Instant::now();
    batch::run_ordered(
        &inputs,
        &progress,
        |path| {
            let text = tmkit::html::readable_text(path, tmkit::files::read_text(path)?);
            let segments: Vec<String> = if args.memory.lines {
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string)
                    .collect()
            } else {
                segmenter
                    .segments(&text)
                    .map(|s| s.text.to_string())
                    .collect()
            };
            Ok(segments)
        },
        |path, result| match result {
            Ok(segments) => {
                let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
                reports.push(analyzer.add_file(&tmkit::files::display_name(path), &refs));
                summary.succeeded += 1;
            }
            Err(e) => {
                ctx.fail_input(&mut summary, path, &e);
            }
        },
    );
    let total = analyzer.total().clone();
    ctx.note(format!(
        "analyzed {} segment(s) in {} file(s) in {:.2}s",
        total.total().segments,
        reports.len(),
        started.elapsed().as_secs_f64()
    ));
    let mut out = common::stdout();
    match args.format {
        ReportFormat::Text => write_text(&mut out, &ctx.out_style(), &reports, &total)?,
        ReportFormat::Json => {
            #[derive(serde::Serialize)]
            struct Report<'a> {
                files: &'a [FileAnalysis],
                total: &'a BandTable,
                failed: Vec<String>,
            }
            let failed = summary
                .failures
                .iter()
                .map(|(p, _)| tmkit::files::display_name(p))
                .collect();
            common::write_json_pretty(
                &mut out,
                &Report {
                    files: &reports,
                    total: &total,
                    failed,
                },
            )?;
        }
        ReportFormat::Csv => write_csv(&mut out, &reports, &total)?,
    }
    out.flush()?;
    if !summary.is_success() {
        eprintln!("tmkit: analyze: {}", summary.line());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_table<W: Write>(
    out: &mut W,
    style: &Style,
    title: &str,
    table: &BandTable,
) -> std::io::Result<()> {
    writeln!(out, "{}", style.bold(title))?;
    writeln!(
        out,
        "  {:<12} {:>9} {:>10} {:>7}",
        "band", "segments", "words", "words%"
    )?;
    let total = table.total();
    for band in Band::ALL {
        let t = table.get(band);
        let share = if total.words > 0 {
            100.0 * t.words as f64 / total.words as f64
        } else {
            0.0
        };
        writeln!(
            out,
            "  {:<12} {:>9} {:>10} {:>6.1}%",
            band.label(),
            t.segments,
            t.words,
            share
        )?;
    }
    writeln!(
        out,
        "  {:<12} {:>9} {:>10}",
        style.bold("total"),
        total.segments,
        total.words
    )
}

fn write_text<W: Write>(
    out: &mut W,
    style: &Style,
    reports: &[FileAnalysis],
    total: &BandTable,
) -> std::io::Result<()> {
    for r in reports {
        write_table(out, style, &r.name, &r.bands)?;
        writeln!(out)?;
    }
    if reports.len() != 1 {
        write_table(
            out,
            style,
            &format!("Total ({} files)", reports.len()),
            total,
        )?;
    }
    Ok(())
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv<W: Write>(
    out: &mut W,
    reports: &[FileAnalysis],
    total: &BandTable,
) -> std::io::Result<()> {
    writeln!(out, "file,band,segments,words")?;
    let rows = reports
        .iter()
        .map(|r| (r.name.as_str(), &r.bands))
        .chain(std::iter::once(("TOTAL", total)));
    for (name, table) in rows {
        for band in Band::ALL {
            let t = table.get(band);
            writeln!(
                out,
                "{},{},{},{}",
                csv_field(name),
                band.label(),
                t.segments,
                t.words
            )?;
        }
    }
    Ok(())
}
