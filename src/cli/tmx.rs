//! `tmkit tmx`: read, check, convert, merge and filter TMX translation memories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use tmkit::batch::{BatchSummary, InputFilter, run_ordered};
use tmkit::files::{Output, is_stdio};
use tmkit::text::LanguageTag;
use tmkit::tmx::convert::{self, CodeMode, Format, Pair};
use tmkit::tmx::filter::LanguagesSeen;
use tmkit::tmx::flat;
use tmkit::tmx::{
    Header, ReadOptions, SpooledTmxWriter, TmxReader, TmxWriter, filter, merge, stats, validate,
};

use super::common::{self, Context, DataFormat};

const TMX_EXAMPLES: &str = "\
Examples:
  tmkit tmx stats memories/                                 units, languages, words, codes, duplicates
  tmkit tmx validate export.tmx                             every problem as file:line:column
  tmkit tmx convert old-1.1.tmx clean.tmx                   any encoding or version to UTF-8 TMX 1.4b
  tmkit tmx convert memory.tmx pairs.tsv --src en --tgt fr  one language pair per line
  tmkit tmx merge a.tmx b.tmx -o all.tmx                    duplicates removed, newest kept
  tmkit tmx filter big.tmx -o en-fr.tmx --src en --tgt fr --drop-empty --drop-identical";

/// Arguments of `tmkit tmx`.
#[derive(Debug, clap::Args)]
#[command(after_help = TMX_EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub command: TmxCommand,
}

/// The `tmx` subcommands.
#[derive(Debug, Subcommand)]
pub enum TmxCommand {
    /// Count units, languages, words, inline codes and duplicates.
    #[command(after_help = STATS_HELP)]
    Stats(StatsArgs),
    /// Check memories against TMX 1.4b and report every problem with its position.
    #[command(after_help = VALIDATE_HELP)]
    Validate(ValidateArgs),
    /// Convert TMX to TMX 1.4b, TSV, CSV or JSONL, or TSV/CSV to TMX.
    #[command(after_help = CONVERT_HELP)]
    Convert(ConvertArgs),
    /// Merge memories into one, removing duplicate units (the newest is kept).
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Keep some languages, drop empty or untranslated units, select by prop or date.
    #[command(after_help = FILTER_HELP)]
    Filter(FilterArgs),
}

const STATS_HELP: &str = "\
Examples:
  tmkit tmx stats memory.tmx                     summary of one memory
  tmkit tmx stats memories/ --format json        every *.tmx under a folder, as JSON
  cat memory.tmx | tmkit tmx stats               standard input
  tmkit tmx stats --lenient damaged.tmx          count what can be read, report the rest

Words are counted per language as GMX-V does (Unicode word boundaries; 'U.S.',
'4,200,000' and 'don't' are one word each; punctuation is not counted); Chinese,
Japanese and Thai characters are counted one by one in the 'CJK chars' column, as CAT
tools do. Inline codes are left out of word and character counts. Duplicates are the units
'tmx merge' of the file removes as such: the same text in the same languages, inline codes
compared by position, ids, dates, props and notes aside.";

const VALIDATE_HELP: &str = "\
Examples:
  tmkit tmx validate memory.tmx                  every problem as file:line:column
  tmkit tmx validate memories/ --format json     machine-readable report
  tmkit tmx validate --strict export.tmx         warnings fail too

Checks well-formed XML and every rule of the TMX 1.4b DTD: <header> then <body>, notes and
props before variants and before the <seg>, one <seg>, <sub> only inside native codes, no
element, attribute or text the DTD does not declare, required attributes (prop type, tuv
xml:lang, bpt i, it pos, ude name, map unicode), segtype and pos values, version=\"1.4\".
TMX 1.1-1.3 files are judged by their own version. Beyond the DTD: <bpt> without matching
<ept> (by i), source language missing from a unit, dates that are not YYYYMMDDThhmmssZ.
Exit status 1 when a file has errors.";

const MERGE_HELP: &str = "\
Examples:
  tmkit tmx merge a.tmx b.tmx c.tmx -o all.tmx
  tmkit tmx merge memories/ -o merged.tmx        every *.tmx under a folder

Units with the same text in the same languages are duplicates: the newest (changedate,
else creationdate) is kept, where it stands, and the props and notes of the others are
added to it. A unit whose every variant another, larger unit holds with the same text (an
en-fr pair inside an en-fr-de unit) is merged into that unit too. Units with the same
source text and other targets conflict: --conflicts lists them, --policy picks which are
written. Two streaming passes: memory grows with the number of distinct units, not their
text; the output may be one of the inputs (an update in place).

  tmkit tmx merge main.tmx update.tmx -o main.tmx --policy newest --conflicts review.tsv";

const FILTER_HELP: &str = "\
Examples:
  tmkit tmx filter big.tmx -o en-fr.tmx --src en --tgt fr --drop-empty --drop-identical
  tmkit tmx filter big.tmx -o legal.tmx --prop x-domain=legal --since 2023-01-01
  tmkit tmx filter multi.tmx -o some.tmx --langs en,de,ja

--langs keeps only variants in those languages ('en' keeps en-US and en-GB too) and
drops units left with fewer than two of them. --src/--tgt keeps only units with both.
The output's srclang is a language every kept unit has: the source variants' own tag when
they agree (en-US for --src en), else the language asked when each unit has it, else *all*
(en-US units kept for --src en-GB). The output is written once every unit is read.";

const CONVERT_HELP: &str = "\
Examples:
  tmkit tmx convert old-1.1.tmx clean.tmx                  normalize to UTF-8 TMX 1.4b
  tmkit tmx convert memory.tmx pairs.tsv --src en --tgt fr one pair per line
  tmkit tmx convert memory.tmx - --to jsonl | head         every unit as JSON
  tmkit tmx convert glossary.csv glossary.tmx --src en-US --tgt de-DE
  tmkit tmx convert terms.csv terms.tmx --columns source,target,note,prop:x-domain
  tmkit tmx convert units.jsonl memory.tmx --placeholders     JSONL (as --to jsonl writes it) back to TMX
  tmkit tmx convert --lenient broken.tmx rescued.tmx       skip broken units, report each

The output format comes from --to or the output's extension (.tmx .tsv .csv .jsonl).
XLIFF (.xlf .xliff .sdlxliff .mqxliff) and PO (.po) in or out, by extension:
  tmkit tmx convert job.xlf memory.tmx              finished segments into a memory
  tmkit tmx convert job.xlf memory.tmx --states final,signed-off
  tmkit tmx convert memory.tmx --tgt fr out.po      a memory as PO (or .xlf)
TSV escapes tab, newline, CR and backslash as \\t \\n \\r \\\\; CSV follows RFC 4180.
TSV and CSV outputs start with a row of language codes (CSV with a UTF-8 byte-order mark);
on input, a first row of language codes (en-US,de-DE) gives the pair, and a first row
source,target is skipped. Columns after the second become notes, or props named by the
header row, unless --columns says otherwise.
JSONL is one unit a line: {\"tuid\", \"variants\": [{\"lang\", \"text\"}]}, plus, when the unit
or variant has them, its TMX attributes by name (\"creationdate\", \"changeid\", \"usagecount\"...),
\"extra\" (other attributes), \"notes\" [{\"text\", \"lang\"}] and \"props\" [{\"type\", \"lang\", \"value\"}];
JSONL back to TMX keeps them all.
The output is written to a temporary file and renamed into place when complete.";

/// Output formats for `convert --to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// TMX 1.4b, UTF-8.
    Tmx,
    /// Tab-separated source and target.
    Tsv,
    /// Comma-separated source and target (RFC 4180).
    Csv,
    /// One JSON object per unit with every variant's text.
    Jsonl,
    /// XLIFF: 1.2 or 2.x in (the file says which), 1.2 out unless
    /// --xliff-version 2.0.
    Xliff,
    /// gettext PO.
    Po,
}

impl FormatArg {
    /// The TMX or flat format; `None` for XLIFF and PO.
    pub fn tmx_or_flat(self) -> Option<Format> {
        match self {
            FormatArg::Tmx => Some(Format::Tmx),
            FormatArg::Tsv => Some(Format::Tsv),
            FormatArg::Csv => Some(Format::Csv),
            FormatArg::Jsonl => Some(Format::Jsonl),
            FormatArg::Xliff | FormatArg::Po => None,
        }
    }

    /// The bilingual format (XLIFF 1.2 or PO); `None` for the others.
    pub fn bilingual(self) -> Option<tmkit::xliff::Format> {
        match self {
            FormatArg::Xliff => Some(tmkit::xliff::Format::Xliff12),
            FormatArg::Po => Some(tmkit::xliff::Format::Po),
            _ => None,
        }
    }
}

/// Arguments of `tmkit tmx convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// Input: a TMX, TSV, CSV, JSONL, XLIFF or PO file ('-' for standard input).
    pub input: PathBuf,
    /// Output file ('-' or none for standard output).
    pub output: Option<PathBuf>,
    /// Output format (default: from the output's extension).
    #[arg(long, value_enum)]
    pub to: Option<FormatArg>,
    /// Input format (default: from the input's extension, else TMX;
    /// standard input by its first characters, as `tm import -` tells it:
    /// TMX, XLIFF, PO, JSONL when it opens with '{', else TSV).
    #[arg(long, value_enum)]
    pub from: Option<FormatArg>,
    /// Source language: the column to take (TMX → TSV/CSV), or the language
    /// of the first column (TSV/CSV → TMX). Default: the header's srclang.
    #[arg(long)]
    pub src: Option<String>,
    /// Target language (TSV/CSV output or input).
    #[arg(long)]
    pub tgt: Option<String>,
    /// Keep inline codes as numbered placeholders ({1}, {/1}) in flat outputs
    /// instead of dropping them; on TSV/CSV/JSONL input, turn such
    /// placeholders back into inline codes.
    #[arg(long)]
    pub placeholders: bool,
    /// TSV/CSV input: what each column holds, comma-separated: source,
    /// target, note, prop:TYPE, ignore (default: source, target, then what
    /// the header row names, else notes).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Skip broken units and go on, reporting each with its position.
    #[arg(long)]
    pub lenient: bool,
    /// Fill header attributes TMX 1.4b requires but the input lacks.
    #[arg(long)]
    pub fill_header: bool,
    /// XLIFF/PO input: the segment states to keep (comma-separated: new,
    /// draft, needs-review, translated, reviewed, final, signed-off).
    /// Default: translated,reviewed,final,signed-off.
    #[arg(long, value_delimiter = ',', value_name = "STATES")]
    pub states: Vec<String>,
    /// XLIFF output version: 1.2 (default) or 2.0.
    #[arg(long, value_name = "VERSION", value_parser = ["1.2", "2.0"])]
    pub xliff_version: Option<String>,
    /// Standard input's first bytes, read to tell its format.
    #[arg(skip)]
    pub stdin_head: Option<tmkit::files::StdinHead>,
}

impl ConvertArgs {
    /// Opens the TMX input (standard input from its first byte when its
    /// head was read ahead).
    pub fn open_tmx(&self) -> tmkit::Result<TmxReader<Box<dyn std::io::Read + Send>>> {
        let options = ReadOptions {
            lenient: self.lenient,
        };
        match &self.stdin_head {
            Some(head) => TmxReader::with_options(head.reader(), None, options),
            None => TmxReader::open_with(&self.input, options),
        }
    }
}

/// Arguments of `tmkit tmx stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// TMX files or folders ('-' or none for standard input).
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
    /// In folders, take files matching these globs (default: *.tmx).
    #[arg(long)]
    pub include: Vec<String>,
    /// Skip broken units and count the rest, reporting each skip.
    #[arg(long)]
    pub lenient: bool,
}

/// Arguments of `tmkit tmx validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// TMX files or folders ('-' or none for standard input).
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub format: DataFormat,
    /// Treat warnings as errors (exit status 1).
    #[arg(long)]
    pub strict: bool,
    /// Report errors only.
    #[arg(long)]
    pub no_warnings: bool,
    /// In folders, take files matching these globs (default: *.tmx).
    #[arg(long)]
    pub include: Vec<String>,
}

/// Arguments of `tmkit tmx merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// TMX files or folders to merge, in order.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output TMX file ('-' for standard output).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Skip broken units and go on, reporting each.
    #[arg(long)]
    pub lenient: bool,
    /// In folders, take files matching these globs (default: *.tmx).
    #[arg(long)]
    pub include: Vec<String>,
    /// Write the conflicting units (same source, other targets) to this
    /// file: JSONL when it ends in .jsonl, else TSV.
    #[arg(long, value_name = "FILE")]
    pub conflicts: Option<PathBuf>,
    /// Which conflicting units to write.
    #[arg(long, value_enum, default_value_t = PolicyArg::All)]
    pub policy: PolicyArg,
}

/// `merge --policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    /// Write them all.
    All,
    /// Write the one seen first.
    First,
    /// Write the newest (changedate, else creationdate).
    Newest,
}

impl From<PolicyArg> for merge::Policy {
    fn from(p: PolicyArg) -> Self {
        match p {
            PolicyArg::All => merge::Policy::All,
            PolicyArg::First => merge::Policy::First,
            PolicyArg::Newest => merge::Policy::Newest,
        }
    }
}

/// Arguments of `tmkit tmx filter`.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Input TMX file ('-' for standard input).
    pub input: PathBuf,
    /// Output TMX file ('-' or none for standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Keep only these languages (comma-separated tags).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["src", "tgt"])]
    pub langs: Vec<String>,
    /// Source language of the pair to keep (with --tgt).
    #[arg(long, requires = "tgt")]
    pub src: Option<String>,
    /// Target language of the pair to keep (with --src).
    #[arg(long, requires = "src")]
    pub tgt: Option<String>,
    /// Drop units where a kept variant has no text.
    #[arg(long)]
    pub drop_empty: bool,
    /// Drop units whose kept variants all have the same text (untranslated).
    #[arg(long)]
    pub drop_identical: bool,
    /// Keep only units with this prop: TYPE=VALUE, or TYPE for any value (repeatable).
    #[arg(long, value_name = "TYPE[=VALUE]")]
    pub prop: Vec<String>,
    /// Keep units changed (or created) on or after this date (YYYY-MM-DD or YYYYMMDDThhmmssZ).
    #[arg(long)]
    pub since: Option<String>,
    /// Keep units changed (or created) on or before this date.
    #[arg(long)]
    pub until: Option<String>,
    /// Skip broken units and go on, reporting each.
    #[arg(long)]
    pub lenient: bool,
}

/// Runs `tmkit tmx`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    match args.command {
        TmxCommand::Stats(a) => run_stats(a, ctx),
        TmxCommand::Validate(a) => run_validate(a, ctx),
        TmxCommand::Convert(a) => run_convert(a, ctx),
        TmxCommand::Merge(a) => run_merge(a, ctx),
        TmxCommand::Filter(a) => run_filter(a, ctx),
    }
}

/// The inputs of a batch that reads each memory on its own (stats,
/// validate): a path that cannot be read is reported and counted in
/// `summary`, and the others are still read.
fn tmx_batch_inputs(
    ctx: &Context,
    paths: &[PathBuf],
    include: &[String],
    summary: &mut BatchSummary,
) -> anyhow::Result<Vec<PathBuf>> {
    let filter = InputFilter::new(include, &["tmx"])?;
    let inputs = ctx.walk_inputs(paths, &filter, summary)?;
    if summary.is_success() {
        no_inputs_found(&inputs)?;
    }
    Ok(inputs)
}

fn no_inputs_found(inputs: &[PathBuf]) -> anyhow::Result<()> {
    if inputs.is_empty() {
        // Only folders were given and none holds a memory: saying nothing
        // and exiting 0 would read as "every file valid" (or, for merge,
        // write an empty memory).
        return Err(common::usage(
            "no input files found in the given folders (files ending in .tmx are taken; choose others with --include)",
        ));
    }
    Ok(())
}

fn run_stats(a: StatsArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut summary = BatchSummary::default();
    let inputs = tmx_batch_inputs(ctx, &a.inputs, &a.include, &mut summary)?;
    let mut out = common::stdout();
    let mut all: Vec<serde_json::Value> = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    let style = ctx.out_style();
    let progress = ctx.progress("stats");
    let mut total: Option<stats::Stats> = None;
    let mut counted = 0usize;
    run_ordered(
        &inputs,
        &progress,
        |path| {
            let options = ReadOptions { lenient: a.lenient };
            let mut reader = TmxReader::open_with(path, options)?;
            let mut skipped = Vec::new();
            // Without --lenient a malformed file is rejected, not half counted.
            let stats = stats::compute_skipping(&mut reader, |e| {
                if !a.lenient {
                    return Err(e);
                }
                skipped.push(e.to_string());
                Ok(())
            })?;
            Ok((stats, skipped))
        },
        |path, result| match result {
            Ok((s, skipped)) => {
                counted += 1;
                match &mut total {
                    None => total = Some(s.clone()),
                    Some(t) => t.absorb(&s),
                }
                for msg in &skipped {
                    ctx.warn_input(path, format!("skipped a broken unit: {msg}"));
                }
                if skipped.is_empty() {
                    summary.succeeded += 1;
                } else {
                    summary.failures.push((
                        path.to_path_buf(),
                        format!("{} broken unit(s)", skipped.len()),
                    ));
                }
                if write_error.is_some() {
                    return;
                }
                let name = tmkit::files::display_name(path);
                let r = emit_record(
                    &mut out,
                    a.format,
                    &mut all,
                    || stats_json(&name, &s),
                    |out| write_stats_text(out, &name, &s, &style, false),
                );
                if let Err(e) = r {
                    write_error = Some(e);
                }
            }
            Err(e) => {
                ctx.fail_input(&mut summary, path, &e);
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e.into());
    }
    write_collected_json(&mut out, a.format, &all, inputs.len() == 1)?;
    if a.format == DataFormat::Text
        && counted > 1
        && let Some(t) = &total
    {
        let label = format!("total of {counted} files");
        write_stats_text(&mut out, &label, t, &style, true)?;
    }
    out.flush()?;
    finish_batch(ctx, &summary, inputs.len())
}

fn finish_batch(ctx: &Context, summary: &BatchSummary, inputs: usize) -> anyhow::Result<ExitCode> {
    if inputs > 1 || !summary.is_success() {
        ctx.note(summary.line());
    }
    Ok(if summary.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes one file's record: text at once, a JSON line at once, or kept in
/// `all` for one JSON document at the end (see [`write_collected_json`]).
fn emit_record<W: Write>(
    out: &mut W,
    format: DataFormat,
    all: &mut Vec<serde_json::Value>,
    record: impl FnOnce() -> serde_json::Value,
    text: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match format {
        DataFormat::Text => text(out),
        DataFormat::Jsonl => common::write_json_line(out, &record()),
        DataFormat::Json => {
            all.push(record());
            Ok(())
        }
    }
}

/// With `--format json`, writes the kept records: the object itself for a
/// single input, an array otherwise.
fn write_collected_json<W: Write>(
    out: &mut W,
    format: DataFormat,
    all: &[serde_json::Value],
    single_input: bool,
) -> std::io::Result<()> {
    if format != DataFormat::Json {
        return Ok(());
    }
    match all {
        [one] if single_input => common::write_json_pretty(out, one),
        _ => common::write_json_pretty(out, all),
    }
}

fn stats_json(name: &str, s: &stats::Stats) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("file".into(), serde_json::Value::String(name.to_string()));
    }
    v
}

fn write_stats_text(
    out: &mut impl Write,
    name: &str,
    s: &stats::Stats,
    style: &common::Style,
    total: bool,
) -> std::io::Result<()> {
    writeln!(out, "{}", style.bold(&style.cyan(name)))?;
    if !total {
        write_header_summary(out, s)?;
    }
    write_counts(out, s)
}

fn write_header_summary(out: &mut impl Write, s: &stats::Stats) -> std::io::Result<()> {
    let h = &s.header;
    writeln!(
        out,
        "  format        TMX {} ({})",
        h.version.as_deref().unwrap_or("?"),
        s.encoding
    )?;
    let mut header = Vec::new();
    if let Some(t) = &h.creationtool {
        header.push(format!(
            "tool {t}{}",
            h.creationtoolversion
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default()
        ));
    }
    for (label, value) in [
        ("srclang", &h.srclang),
        ("adminlang", &h.adminlang),
        ("datatype", &h.datatype),
        ("segtype", &h.segtype),
        ("created", &h.creationdate),
    ] {
        if let Some(v) = value {
            header.push(format!("{label} {v}"));
        }
    }
    writeln!(out, "  header        {}", header.join(", "))
}

fn write_counts(out: &mut impl Write, s: &stats::Stats) -> std::io::Result<()> {
    writeln!(
        out,
        "  units         {} ({} duplicate, {} with inline codes)",
        s.units, s.duplicate_units, s.units_with_codes
    )?;
    let per_unit: Vec<String> = s
        .variants_per_unit
        .iter()
        .map(|(n, c)| format!("{n}:{c}"))
        .collect();
    writeln!(
        out,
        "  variants      {} (variants per unit: {})",
        s.variants,
        per_unit.join(", ")
    )?;
    if s.missing_segs > 0 {
        writeln!(out, "  missing <seg> {}", s.missing_segs)?;
    }
    if s.broken_units > 0 {
        writeln!(out, "  broken units  {} (skipped)", s.broken_units)?;
    }
    let codes: Vec<String> = s
        .inline_elements
        .iter()
        .map(|(k, c)| format!("{k} {c}"))
        .collect();
    writeln!(
        out,
        "  inline        {}",
        if codes.is_empty() {
            "none".to_string()
        } else {
            codes.join(", ")
        }
    )?;
    let mut types: Vec<(&String, &u64)> = s.prop_types.iter().collect();
    types.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let types: Vec<String> = types
        .iter()
        .take(8)
        .map(|(k, c)| format!("{k} {c}"))
        .collect();
    writeln!(
        out,
        "  props, notes  {}, {}{}",
        s.props,
        s.notes,
        if types.is_empty() {
            String::new()
        } else {
            format!(" (prop types: {})", types.join(", "))
        }
    )?;
    writeln!(
        out,
        "  {:<14}{:>10} {:>8} {:>10} {:>10} {:>12} {:>7}",
        "language", "variants", "units", "words", "CJK chars", "characters", "empty"
    )?;
    for l in &s.languages {
        writeln!(
            out,
            "  {:<14}{:>10} {:>8} {:>10} {:>10} {:>12} {:>7}",
            l.lang, l.variants, l.units, l.words, l.cjk_chars, l.chars, l.empty
        )?;
    }
    Ok(())
}

fn run_validate(a: ValidateArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut summary = BatchSummary::default();
    let inputs = tmx_batch_inputs(ctx, &a.inputs, &a.include, &mut summary)?;
    let mut out = common::stdout();
    let mut invalid = 0usize;
    let mut all: Vec<serde_json::Value> = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    let style = ctx.out_style();
    let progress = ctx.progress("validate");
    run_ordered(
        &inputs,
        &progress,
        |path| {
            let name = (!is_stdio(path)).then_some(path);
            validate::validate_reader(|| TmxReader::open(path), name)
        },
        |path, result| match result {
            Ok(mut report) => {
                summary.succeeded += 1;
                if a.no_warnings {
                    report
                        .problems
                        .retain(|p| p.severity == validate::Severity::Error);
                }
                let bad = !report.is_valid() || (a.strict && report.warnings() > 0);
                invalid += usize::from(bad);
                if write_error.is_some() {
                    return;
                }
                let name = tmkit::files::display_name(path);
                let r = emit_record(
                    &mut out,
                    a.format,
                    &mut all,
                    || validation_json(&name, &report, bad),
                    |out| write_validation_text(out, &name, &report, bad, &style),
                );
                if let Err(e) = r {
                    write_error = Some(e);
                }
            }
            Err(e) => {
                ctx.fail_input(&mut summary, path, &e);
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e.into());
    }
    write_collected_json(&mut out, a.format, &all, inputs.len() == 1)?;
    out.flush()?;
    if inputs.len() > 1 || !summary.is_success() {
        ctx.note(format!(
            "{} valid, {} invalid, {} unreadable",
            summary.succeeded - invalid,
            invalid,
            summary.failures.len()
        ));
    }
    Ok(if summary.is_success() && invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn validation_json(name: &str, r: &validate::Report, bad: bool) -> serde_json::Value {
    serde_json::json!({
        "file": name,
        "valid": !bad,
        "units": r.units,
        "errors": r.errors(),
        "warnings": r.warnings(),
        "malformed": r.malformed,
        "problems": r.problems,
    })
}

fn write_validation_text(
    out: &mut impl Write,
    name: &str,
    r: &validate::Report,
    bad: bool,
    style: &common::Style,
) -> std::io::Result<()> {
    for p in &r.problems {
        let label = match p.severity {
            validate::Severity::Error => style.red("error"),
            validate::Severity::Warning => style.yellow("warning"),
        };
        let tuid = p
            .tuid
            .as_deref()
            .map(|t| style.dim(&format!(" [tuid {t}]")))
            .unwrap_or_default();
        writeln!(out, "{}: {label}: {}{tuid}", p.location, p.message)?;
    }
    let verdict = if bad {
        style.red("invalid")
    } else {
        style.green("valid")
    };
    writeln!(
        out,
        "{name}: {verdict} ({} unit(s), {} error(s), {} warning(s){})",
        r.units,
        r.errors(),
        r.warnings(),
        if r.malformed {
            ", not well-formed: checking stopped at the error"
        } else {
            ""
        }
    )
}

fn run_merge(a: MergeArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    // A folder entry that cannot be read (a dangling link) is reported, the
    // others merged, and the run exits 1 at the end; with nothing left to
    // merge, nothing is written.
    let mut walked = BatchSummary::default();
    let filter = InputFilter::new(&a.include, &["tmx"])?;
    let inputs = ctx.walk_inputs_reading_stdin_again(&a.inputs, &filter, &mut walked)?;
    if !walked.is_success() && inputs.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    no_inputs_found(&inputs)?;
    // The output may be an input (an update in place), the conflicts list
    // may not: it would replace that memory, or the merged output, with TSV.
    if let Some(c) = &a.conflicts {
        common::refuse_output_among_inputs("--conflicts", c, &inputs)?;
        if c == &a.output || common::same_file(c, &a.output) {
            return Err(common::usage(format!(
                "--conflicts {} is also the output (-o)",
                c.display()
            )));
        }
    }
    // Standard input can be read only once: it is kept in an anonymous
    // temporary file for the passes (nothing to clean up if a signal ends
    // the run), each reading with its own offset (inputs are read on
    // several threads at once). (The output may be an input: every input
    // is read to its end before the output is renamed into place.)
    let spool = if inputs.iter().any(|i| is_stdio(i)) {
        Some(
            merge::Spool::new(std::io::stdin().lock())
                .context("keeping stdin in a temporary file")?,
        )
    } else {
        None
    };
    let options = ReadOptions { lenient: a.lenient };
    let open = |i: usize| -> tmkit::Result<TmxReader> {
        match &spool {
            Some(spool) if is_stdio(&inputs[i]) => {
                let boxed: Box<dyn std::io::Read + Send> = Box::new(spool.reader());
                TmxReader::with_options(boxed, None, options)
            }
            _ => TmxReader::open_with(&inputs[i], options),
        }
    };
    let mut conflicts = match &a.conflicts {
        Some(path) => {
            let jsonl = Format::from_path(path) == Some(Format::Jsonl);
            let mut out = Output::create(path)?;
            if !jsonl {
                out.write_all(b"group\tkept\tfile\tline\ttuid\tdate\tsource_lang\tsource\ttarget_lang\ttarget\n")
                    .map_err(|e| tmkit::Error::io(path, e))?;
            }
            Some((out, jsonl, path.clone()))
        }
        None => None,
    };
    let opts = merge::MergeOptions {
        policy: a.policy.into(),
        lenient: a.lenient,
    };
    let out = Output::create(&a.output)?;
    let mut line = String::new();
    let (report, out) = merge::merge(
        &open,
        inputs.len(),
        &opts,
        out,
        |c| match &mut conflicts {
            Some((file, jsonl, path)) => {
                line.clear();
                conflict_record(&mut line, c, &inputs[c.input], *jsonl);
                file.write_all(line.as_bytes())
                    .map_err(|e| tmkit::Error::io(&*path, e))
            }
            None => Ok(()),
        },
        |i, problem| match problem {
            merge::Problem::Broken(e) => {
                ctx.warn_input(&inputs[i], format!("skipped a broken unit: {e}"))
            }
            merge::Problem::Lost(n) => print_loss(n, a.lenient),
        },
    )?;
    if report.lost > 0 && !a.lenient {
        return Err(losses_error(
            inputs.first().map_or(Path::new("-"), PathBuf::as_path),
            report.lost,
            Format::Tmx,
        ));
    }
    out.finish()?;
    if let Some((file, ..)) = conflicts {
        file.finish()?;
    }
    ctx.note(format!(
        "merged {} file(s): {} unit(s) read, {} duplicate(s) removed ({} replaced by a newer one), {} merged into a larger unit, {} written{}",
        inputs.len(),
        report.read,
        report.duplicates,
        report.replaced_by_newer,
        report.subsumed,
        report.written,
        if report.broken > 0 {
            format!(", {} broken unit(s) skipped", report.broken)
        } else {
            String::new()
        }
    ));
    if report.conflict_groups > 0 {
        ctx.note(format!(
            "{} conflict(s): {} unit(s) with the same source and other targets; {}{}",
            report.conflict_groups,
            report.conflicting,
            match a.policy {
                PolicyArg::All => "all kept".to_string(),
                _ => format!("{} left out by --policy", report.dropped_by_policy),
            },
            if a.conflicts.is_some() {
                ""
            } else {
                " (list them with --conflicts FILE)"
            }
        ));
    }
    Ok(if report.broken > 0 || !walked.is_success() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One conflicting unit as a JSON line, or as TSV rows (one per target).
fn conflict_record(out: &mut String, c: &merge::Conflict<'_>, input: &Path, jsonl: bool) {
    let file = tmkit::files::display_name(input);
    let date = c.tu.last_modified();
    let targets = c.tu.tuvs.iter().filter(|v| !std::ptr::eq(*v, c.source));
    if jsonl {
        let value = serde_json::json!({
            "group": c.group,
            "kept": c.kept,
            "file": file,
            "line": c.location.line,
            "tuid": c.tu.tuid,
            "date": date,
            "source": {"lang": c.source.lang, "text": c.source.seg.text_with_placeholders()},
            "targets": targets
                .map(|v| serde_json::json!({"lang": v.lang, "text": v.seg.text_with_placeholders()}))
                .collect::<Vec<_>>(),
        });
        out.push_str(&value.to_string());
        out.push('\n');
        return;
    }
    for t in targets {
        let fields = [
            c.group.to_string(),
            c.kept.to_string(),
            file.clone(),
            c.location.line.map(|l| l.to_string()).unwrap_or_default(),
            c.tu.tuid.clone().unwrap_or_default(),
            date.unwrap_or_default().to_string(),
            c.source.lang.clone(),
            c.source.seg.text_with_placeholders(),
            t.lang.clone(),
            t.seg.text_with_placeholders(),
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            convert::push_field(out, f, Format::Tsv);
        }
        out.push('\n');
    }
}

fn run_filter(a: FilterArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    // The output may be the input: it is read to its end before the output
    // is renamed into place.
    let output = a.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    let mut opts = filter::FilterOptions {
        drop_empty: a.drop_empty,
        drop_identical: a.drop_identical,
        ..Default::default()
    };
    for l in &a.langs {
        opts.langs.push(parse_lang("--langs", l)?);
    }
    if let (Some(s), Some(t)) = (&a.src, &a.tgt) {
        opts.pair = Some(common::language_pair(s, t)?);
    }
    for p in &a.prop {
        let (kind, value) = match p.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (p.clone(), None),
        };
        if kind.is_empty() {
            return Err(common::usage(format!(
                "--prop {p:?}: expected TYPE=VALUE or TYPE"
            )));
        }
        opts.props.push((kind, value));
    }
    opts.since = a
        .since
        .as_deref()
        .map(|d| filter::parse_date_bound(d, false))
        .transpose()?;
    opts.until = a
        .until
        .as_deref()
        .map(|d| filter::parse_date_bound(d, true))
        .transpose()?;
    let mut reader = TmxReader::open_with(&a.input, ReadOptions { lenient: a.lenient })?;
    let mut header = reader.header().clone();
    // The header's srclang follows the units kept, so it is written last.
    let mut srclang = filter::KeptSrclang::new(&opts, header.srclang.as_deref());
    let out = Output::create(&output)?;
    let mut w = SpooledTmxWriter::new()?;
    let mut report = filter::FilterReport::default();
    let mut broken = 0u64;
    let mut lost = report_losses(&mut reader, a.lenient);
    while let Some(tu) = reader.next() {
        lost += report_losses(&mut reader, a.lenient);
        let tu = match tu {
            Ok(tu) => tu,
            Err(e @ tmkit::Error::Syntax { .. }) if a.lenient => {
                broken += 1;
                ctx.warn_input(&a.input, format!("skipped a broken unit: {e}"));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let outcome = opts.apply_counted(tu, &mut report);
        if let Ok(tu) = outcome {
            report.region_fallback += u64::from(opts.uses_region_fallback(&tu));
            srclang.add(&tu);
            w.write_tu(&tu)?;
        }
    }
    lost += report_losses(&mut reader, a.lenient);
    if lost > 0 && !a.lenient {
        return Err(losses_error(&a.input, lost, Format::Tmx));
    }
    if header.srclang.is_some() || opts.pair.is_some() {
        header.srclang = Some(srclang.srclang(header.srclang.as_deref().unwrap_or("*all*")));
    }
    w.finish_into(out, &header, reader.trailer())?.finish()?;
    let asked: Vec<String> = match &opts.pair {
        Some((s, t)) => vec![s.to_string(), t.to_string()],
        None => opts.langs.iter().map(ToString::to_string).collect(),
    };
    if report.region_fallback > 0 {
        ctx.note(common::region_fallback_note(
            report.region_fallback,
            &asked.join("/"),
        ));
    }
    // Every unit read lacked the languages (none was dropped for another reason).
    if report.read > 0 && report.dropped_languages == report.read {
        warn_languages_not_held(ctx, &a.input, &asked.join("/"), &report.languages);
    }
    ctx.note(format!(
        "{}: {} unit(s) read, {} kept; dropped: {} languages, {} empty, {} identical, {} prop, {} date{}",
        tmkit::files::display_name(&a.input),
        report.read,
        report.kept,
        report.dropped_languages,
        report.dropped_empty,
        report.dropped_identical,
        report.dropped_prop,
        report.dropped_date,
        if broken > 0 {
            format!("; {broken} broken unit(s) skipped")
        } else {
            String::new()
        }
    ));
    Ok(if broken > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Warns (even with `--quiet`) that no unit of `input` holds the languages
/// `asked`, naming those its units hold: the output has no unit, which is
/// a filter's legitimate answer but most often a mistyped language.
fn warn_languages_not_held(ctx: &Context, input: &Path, asked: &str, seen: &LanguagesSeen) {
    tmkit::diag!(
        "{}: {}: no unit holds {asked}, so none was written; its units hold: {}",
        ctx.err_label("warning"),
        tmkit::files::display_name(input),
        seen.list()
    );
}

fn parse_lang(flag: &str, value: &str) -> anyhow::Result<LanguageTag> {
    LanguageTag::parse(value).map_err(|e| common::usage(format!("{flag}: {e}")))
}

fn run_convert(mut a: ConvertArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let output = a.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    if a.from.is_none() && is_stdio(&a.input) {
        let head = tmkit::files::StdinHead::read(4096)?;
        a.from = Some(match Format::sniff(head.bytes()) {
            Some(Format::Tmx) => FormatArg::Tmx,
            Some(Format::Jsonl) => FormatArg::Jsonl,
            Some(Format::Tsv | Format::Csv) => FormatArg::Tsv,
            None => match tmkit::xliff::Format::sniff(&String::from_utf8_lossy(head.bytes())) {
                tmkit::xliff::Format::Po => FormatArg::Po,
                _ => FormatArg::Xliff,
            },
        });
        a.stdin_head = Some(head);
    }
    // Before any format's path (XLIFF and PO included): converting a file
    // onto itself would replace it with what was read from it.
    if !is_stdio(&a.input) && !is_stdio(&output) && common::same_file(&a.input, &output) {
        return Err(common::usage("the output must not be the input file"));
    }
    if let Some(code) = super::bilingual::convert(&a, ctx)? {
        return Ok(code);
    }
    let to: Format = match a.to.and_then(FormatArg::tmx_or_flat) {
        Some(f) => f,
        None if is_stdio(&output) => {
            return Err(common::usage(
                "writing to standard output: say which format with --to tmx|tsv|csv|jsonl|xliff|po",
            ));
        }
        None => Format::from_path(&output).ok_or_else(|| {
            common::usage(format!(
                "cannot tell the format of {} from its extension: use --to tmx|tsv|csv|jsonl|xliff|po",
                output.display()
            ))
        })?,
    };
    let from: Format = match a.from.and_then(FormatArg::tmx_or_flat) {
        Some(f) => f,
        None => Format::from_path(&a.input).unwrap_or(Format::Tmx),
    };
    let mode = if a.placeholders {
        CodeMode::Placeholders
    } else {
        CodeMode::Drop
    };
    match from {
        Format::Tsv | Format::Csv | Format::Jsonl => convert_flat(&a, from, to, &output, ctx),
        Format::Tmx => {
            let mut reader = a.open_tmx()?;
            let pair = match to {
                Format::Tsv | Format::Csv => {
                    let src = match (&a.src, reader.header().srclang.as_deref()) {
                        (Some(s), _) => parse_lang("--src", s)?,
                        (None, Some(s)) if s != "*all*" => parse_lang("header srclang", s)?,
                        _ => {
                            return Err(common::usage(
                                "the header names no single source language: give --src",
                            ));
                        }
                    };
                    let tgt = a
                        .tgt
                        .as_deref()
                        .ok_or_else(|| common::usage("TSV and CSV output need --tgt"))?;
                    let (src, tgt) = common::language_pair(&src.to_string(), tgt)?;
                    Some(Pair { src, tgt })
                }
                _ => None,
            };
            let header = a.fill_header.then(|| {
                let mut h = reader.header().clone();
                h.complete();
                h
            });
            let out = Output::create(&output)?;
            let input = a.input.clone();
            let opts = convert::ConvertOptions {
                format: to,
                pair: pair.as_ref(),
                mode,
                header: header.as_ref(),
                lenient: a.lenient,
            };
            let (report, out) = convert::convert_tmx(
                &mut reader,
                out,
                &opts,
                |e| ctx.warn_input(&input, format!("skipped a broken unit: {e}")),
                |n| print_loss(n, a.lenient),
            )?;
            if report.lost > 0 && !a.lenient {
                return Err(losses_error(&a.input, report.lost, to));
            }
            out.finish()?;
            // Said even with --quiet: what the output lacks.
            if report.codes_dropped > 0 {
                tmkit::diag!(
                    "{}: {} unit(s) had inline codes, left out of the {}; --placeholders keeps them as {{1}}…{{/1}}",
                    ctx.err_label("warning"),
                    report.codes_dropped,
                    format_name(to)
                );
            }
            if report.dropped_chars > 0 {
                ctx.note(format!(
                    "left out {} character(s) XML 1.0 cannot hold",
                    report.dropped_chars
                ));
            }
            if report.skipped > 0 {
                ctx.note(format!(
                    "{} unit(s) lack the language pair and were left out",
                    report.skipped
                ));
            }
            if let Some(p) = pair
                .as_ref()
                .filter(|_| report.read > 0 && report.skipped == report.read)
            {
                warn_languages_not_held(
                    ctx,
                    &a.input,
                    &format!("{}/{}", p.src, p.tgt),
                    &report.languages,
                );
            }
            if let Some(p) = pair.as_ref().filter(|_| report.region_fallback > 0) {
                ctx.note(common::region_fallback_note(
                    report.region_fallback,
                    &format!("{}/{}", p.src, p.tgt),
                ));
            }
            ctx.note(format!(
                "{}: {} unit(s) read, {} written{}",
                tmkit::files::display_name(&a.input),
                report.read,
                report.written,
                if report.broken > 0 {
                    format!(", {} broken unit(s) skipped", report.broken)
                } else {
                    String::new()
                }
            ));
            Ok(if report.broken > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// Prints a piece of the input an output does not hold.
fn print_loss(notice: &tmkit::tmx::Notice, lenient: bool) {
    let what = if lenient { "warning" } else { "error" };
    tmkit::diag!(
        "{}: {what}: not in the output: {}",
        notice.location,
        notice.message
    );
}

/// Prints what a TMX output cannot hold of what `reader` has read since
/// the last call; returns how many.
fn report_losses<R: std::io::Read>(reader: &mut TmxReader<R>, lenient: bool) -> u64 {
    let mut lost = 0;
    for notice in reader.take_notices() {
        if convert::loses(Format::Tmx, &notice) {
            lost += 1;
            print_loss(&notice, lenient);
        }
    }
    lost
}

/// The error that refuses an output with holes: nothing is written.
fn losses_error(input: &Path, lost: u64, to: Format) -> anyhow::Error {
    tmkit::Error::Invalid {
        location: tmkit::Location {
            file: Some(input.to_path_buf()),
            line: None,
            column: None,
        },
        message: format!(
            "{lost} piece(s) of the input would not be in the {} output (listed above); nothing was written (--lenient writes it anyway)",
            format_name(to)
        ),
    }
    .into()
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Tmx => "TMX",
        Format::Tsv => "TSV",
        Format::Csv => "CSV",
        Format::Jsonl => "JSONL",
    }
}

fn convert_flat(
    a: &ConvertArgs,
    from: Format,
    to: Format,
    output: &Path,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let pair = match (&a.src, &a.tgt) {
        (Some(src), Some(tgt)) => {
            let (src, tgt) = common::language_pair(src, tgt)?;
            Some(Pair { src, tgt })
        }
        (None, None) => None,
        _ => return Err(common::usage("give both --src and --tgt, or neither")),
    };
    let columns = a
        .columns
        .iter()
        .map(|c| flat::Column::parse(c).map_err(common::usage))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if from == Format::Jsonl && !columns.is_empty() {
        return Err(common::usage("--columns applies to TSV and CSV input"));
    }
    let opts = flat::FlatOptions {
        pair,
        columns,
        placeholders: a.placeholders,
    };
    // Decoded as every text input is: a UTF-16 byte-order mark (a
    // spreadsheet's "Unicode text") or --encoding says how.
    let input = match &a.stdin_head {
        Some(head) => head.open_text()?,
        None => tmkit::files::open_text(&a.input)?,
    };
    let input = std::io::BufReader::with_capacity(1 << 16, input);
    let name = (!is_stdio(&a.input)).then_some(a.input.as_path());
    let mode = if a.placeholders {
        CodeMode::Placeholders
    } else {
        CodeMode::Drop
    };
    // The writers start on the first unit: a header row of the input may
    // be what names the languages. A TMX writer takes the output over.
    let mut out = Some(Output::create(output)?);
    let mut tmx: Option<TmxWriter<Output>> = None;
    let mut flat_started = false;
    let mut line = String::new();
    let mut write = |tu: tmkit::tmx::Tu| -> tmkit::Result<()> {
        match to {
            Format::Tmx => {
                if let Some(o) = out.take() {
                    let srclang = match (from, tu.tuvs.first()) {
                        (Format::Tsv | Format::Csv, Some(v)) => v.lang.clone(),
                        _ => "*all*".to_string(),
                    };
                    tmx = Some(TmxWriter::new(o, &Header::new(&srclang))?);
                }
                match &mut tmx {
                    Some(w) => w.write_tu(&tu),
                    None => Ok(()),
                }
            }
            Format::Jsonl => match &mut out {
                Some(o) => convert::write_jsonl_tu(o, &tu, mode),
                None => Ok(()),
            },
            Format::Tsv | Format::Csv => {
                let Some(out) = out.as_mut() else {
                    return Ok(());
                };
                let (Some(s), Some(t)) = (tu.tuvs.first(), tu.tuvs.get(1)) else {
                    return Ok(());
                };
                if !std::mem::replace(&mut flat_started, true) {
                    let pair = Pair {
                        src: LanguageTag::parse(&s.lang)?,
                        tgt: LanguageTag::parse(&t.lang)?,
                    };
                    convert::write_flat_header(out, to, &pair)?;
                }
                line.clear();
                let text = |v: &tmkit::tmx::Tuv| match mode {
                    CodeMode::Drop => v.seg.plain_text(),
                    CodeMode::Placeholders => v.seg.text_with_placeholders(),
                };
                convert::push_field(&mut line, &text(s), to);
                line.push(if to == Format::Csv { ',' } else { '\t' });
                convert::push_field(&mut line, &text(t), to);
                line.push_str(if to == Format::Csv { "\r\n" } else { "\n" });
                out.write_all(line.as_bytes())
                    .map_err(|e| tmkit::Error::io("<output>", e))
            }
        }
    };
    let report = match from {
        Format::Jsonl => flat::read_jsonl(input, name, a.placeholders, &mut write)?,
        _ => flat::read_tabular(input, name, from, &opts, &mut write)?.0,
    };
    let out = match (tmx, out) {
        (Some(w), _) => {
            let dropped = w.dropped_chars();
            if dropped > 0 {
                ctx.note(format!(
                    "left out {dropped} character(s) XML 1.0 cannot hold"
                ));
            }
            w.finish()?
        }
        (None, Some(o)) if to == Format::Tmx => {
            TmxWriter::new(o, &Header::new("*all*"))?.finish()?
        }
        (None, Some(o)) => o,
        (None, None) => anyhow::bail!("the output was lost before it was finished"),
    };
    out.finish().context("finishing the output")?;
    ctx.note(format!(
        "{}: {} row(s) read, {} unit(s) written",
        tmkit::files::display_name(&a.input),
        report.read,
        report.written
    ));
    Ok(ExitCode::SUCCESS)
}
