//! `tmkit analyze`: how much of a job a memory already covers, in segments
//! and words per match band, per file and in total (what translation work is
//! quoted from).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tmkit::batch::{self, BatchSummary, InputFilter};
use tmkit::fuzzy::analysis::{
    Analyzer, Band, BandTable, FileAnalysis, MAX_RATE, Quote, WeightGrid,
};
use tmkit::fuzzy::report::{ReportInfo, html_report};
use tmkit::segment::Segmenter;
use tmkit::tm::TranslationMemory;

use super::common::{self, Context, Style};
use super::match_cmd::{MemoryArgs, load_matcher};

const EXAMPLES: &str = "\
Examples:
  tmkit analyze --tm memory.tmx --src en --tgt fr job/*.txt
  tmkit analyze --tm tm/ --sl en --tl de --format csv job/ > quote.csv
  tmkit analyze --tm memory.tsv --src en --tgt ja --lines --format json strings.txt
  tmkit analyze --tm memory.tmx --src en --tgt fr --rate 0.12 --format html job/ > quote.html
  tmkit analyze --tm memory.tmx --src en --tgt fr --weights 101:0,100:0.1,95:0.3,85:0.6,75:0.8,new:1 job/

Bands: repetitions (seen earlier in the same file), cross-file repetitions (seen
in an earlier file), 101% (an exact match whose previous sentence also precedes
it in the memory), 100%, 95-99%, 85-94%, 75-84%, internal fuzzy 95-99/85-94/75-84%
(a 75% or better match of an earlier segment of the job, better than the
memory's), 50-74%, no match. Scores: docs/SCORING.md.

Words are counted per GMX-V (Unicode word boundaries; 'U.S.', '4,200,000' and
'don't' are one word); Chinese, Japanese and Thai characters are counted one by
one in a column of their own.

--weights gives each band's share of the full rate: a score key, a band's
lowest score (101, 100, 95, 85, 75 or 50; any other is refused), applies to the
bands from that score up to the next key; 'new' to no match and bands below
every key; 'rep' to repetitions (default: as 100), 'xrep' to cross-file
repetitions (default: as rep). --rate turns weighted words (and CJK characters,
billed as words) into a price.

A file that cannot be read is reported and the others are still analyzed.";

/// Report formats of `tmkit analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ReportFormat {
    /// A table per file and a total.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// Rows of file,band,segments,words,cjk_chars,weight,weighted_words.
    Csv,
    /// One self-contained HTML page with a bar chart of the bands per file.
    Html,
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
    /// Weight of each band in weighted words (KEY:WEIGHT,...; keys: a score, new, rep, xrep; weights 0-1000).
    #[arg(
        long,
        value_name = "GRID",
        default_value = "101:0,100:0.1,95:0.3,85:0.6,75:0.8,new:1"
    )]
    pub weights: WeightGrid,
    /// Price per weighted word, 0 to 1e9 (adds a price to the report).
    #[arg(long, value_name = "PRICE", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Files or folders of the job (folders: the files pretranslate takes from them: .txt, .md,
    /// .markdown, .html, .htm, .xhtml and XLIFF files; an XLIFF or PO file counts its source
    /// segments; a page or Markdown file what pretranslate segments, headline included);
    /// '-' or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `--rate`: a finite number from 0 to [`MAX_RATE`].
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=MAX_RATE).contains(&r) => Ok(r),
        _ => Err(format!(
            "a price per weighted word is a number from 0 to {MAX_RATE:e}"
        )),
    }
}

/// Runs `tmkit analyze`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut summary = BatchSummary::default();
    let filter = InputFilter::new(&[], common::JOB_EXTENSIONS)?;
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
            // A bilingual job (XLIFF, PO) is analysed by its source
            // segments, as a CAT tool does, not as text full of markup.
            if tmkit::xliff::Format::from_path(path).is_some() {
                return Ok(super::match_cmd::job_sources(
                    &tmkit::xliff::Document::read(path)?,
                ));
            }
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
    let failed: Vec<String> = summary
        .failures
        .iter()
        .map(|(p, _)| tmkit::files::display_name(p))
        .collect();
    let mut out = common::stdout();
    let (grid, rate) = (&args.weights, args.rate);
    match args.format {
        ReportFormat::Text => write_text(&mut out, &ctx.out_style(), &reports, &total, grid, rate)?,
        ReportFormat::Json => {
            #[derive(serde::Serialize)]
            struct FileJson<'a> {
                name: &'a str,
                bands: &'a BandTable,
                quote: Quote,
            }
            #[derive(serde::Serialize)]
            struct Report<'a> {
                files: Vec<FileJson<'a>>,
                total: &'a BandTable,
                quote: Quote,
                rate: Option<f64>,
                failed: Vec<String>,
            }
            let files = reports
                .iter()
                .map(|r| FileJson {
                    name: &r.name,
                    bands: &r.bands,
                    quote: r.bands.quote(grid, rate),
                })
                .collect();
            common::write_json_pretty(
                &mut out,
                &Report {
                    files,
                    total: &total,
                    quote: total.quote(grid, rate),
                    rate,
                    failed,
                },
            )?;
        }
        ReportFormat::Csv => write_csv(&mut out, &reports, &total, grid, rate)?,
        ReportFormat::Html => {
            let m = &args.memory;
            let mut details = vec![
                format!(
                    "Memory: {} ({} segments), {} → {}",
                    m.tm.iter()
                        .map(|p| tmkit::files::display_name(p))
                        .collect::<Vec<_>>()
                        .join(", "),
                    matcher.memory().len(),
                    m.src,
                    m.tgt
                ),
                format!("Weights: {}", weights_line(grid)),
            ];
            if !failed.is_empty() {
                details.push(format!("Not analyzed: {}", failed.join(", ")));
            }
            let info = ReportInfo {
                title: match reports.as_slice() {
                    [one] => format!("Analysis of {}", one.name),
                    _ => format!("Analysis of {} files", reports.len()),
                },
                details,
                rate,
            };
            out.write_all(html_report(&info, &reports, &total, grid).as_bytes())?;
        }
    }
    out.flush()?;
    if !summary.is_success() {
        tmkit::diag!("tmkit: analyze: {}", summary.line());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The grid as `band weight` pairs for the report's header.
fn weights_line(grid: &WeightGrid) -> String {
    Band::ALL
        .iter()
        .map(|&b| format!("{} {}", b.label(), grid.weight(b)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_table<W: Write>(
    out: &mut W,
    style: &Style,
    title: &str,
    table: &BandTable,
    grid: &WeightGrid,
    rate: Option<f64>,
) -> std::io::Result<()> {
    writeln!(out, "{}", style.bold(title))?;
    writeln!(
        out,
        "  {:<23} {:>9} {:>10} {:>9} {:>7} {:>7} {:>10}",
        "band", "segments", "words", "CJK", "words%", "weight", "weighted"
    )?;
    let quote = table.quote(grid, rate);
    let units = (quote.total.words + quote.total.cjk_chars) as f64;
    for row in &quote.rows {
        let t = row.tally;
        let share = if units > 0.0 {
            100.0 * (t.words + t.cjk_chars) as f64 / units
        } else {
            0.0
        };
        writeln!(
            out,
            "  {:<23} {:>9} {:>10} {:>9} {:>6.1}% {:>7} {:>10.1}",
            row.band,
            t.segments,
            t.words,
            t.cjk_chars,
            share,
            row.weight,
            row.weighted_words + row.weighted_cjk_chars
        )?;
    }
    writeln!(
        out,
        "  {:<23} {:>9} {:>10} {:>9} {:>7} {:>7} {:>10.1}",
        style.bold("total"),
        quote.total.segments,
        quote.total.words,
        quote.total.cjk_chars,
        "",
        "",
        quote.weighted_words + quote.weighted_cjk_chars
    )?;
    if let (Some(price), Some(rate)) = (quote.price, rate) {
        writeln!(out, "  price at {rate} per weighted word: {price:.2}")?;
    }
    Ok(())
}

fn write_text<W: Write>(
    out: &mut W,
    style: &Style,
    reports: &[FileAnalysis],
    total: &BandTable,
    grid: &WeightGrid,
    rate: Option<f64>,
) -> std::io::Result<()> {
    for r in reports {
        write_table(out, style, &r.name, &r.bands, grid, rate)?;
        writeln!(out)?;
    }
    if reports.len() != 1 {
        write_table(
            out,
            style,
            &format!("Total ({} files)", reports.len()),
            total,
            grid,
            rate,
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
    grid: &WeightGrid,
    rate: Option<f64>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "file,band,segments,words,cjk_chars,weight,weighted_words"
    )?;
    // The total's rows are named TOTAL in the file column (Trados, memoQ and
    // Okapi share no name for an all-files row in a CSV to follow); only
    // they carry the price, even when a file is named TOTAL.
    let rows = reports
        .iter()
        .map(|r| (r.name.as_str(), &r.bands, false))
        .chain(std::iter::once(("TOTAL", total, true)));
    for (name, table, is_total) in rows {
        let quote = table.quote(grid, rate);
        for row in &quote.rows {
            writeln!(
                out,
                "{},{},{},{},{},{},{:.2}",
                csv_field(name),
                row.band,
                row.tally.segments,
                row.tally.words,
                row.tally.cjk_chars,
                row.weight,
                row.weighted_words + row.weighted_cjk_chars
            )?;
        }
        if is_total && let Some(price) = quote.price {
            writeln!(out, "TOTAL,price,,,,,{price:.2}")?;
        }
    }
    Ok(())
}
