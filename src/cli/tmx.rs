//! `tmkit tmx`: read, check, convert, merge and filter TMX translation memories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use tmkit::files::{Output, is_stdio};
use tmkit::text::LanguageTag;
use tmkit::tmx::convert::{self, CodeMode, Format, Pair};
use tmkit::tmx::{Header, ReadOptions, TmxReader, TmxWriter};

use super::common::{self, Context};

/// Arguments of `tmkit tmx`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: TmxCommand,
}

/// The `tmx` subcommands.
#[derive(Debug, Subcommand)]
pub enum TmxCommand {
    /// Convert TMX to TMX 1.4b, TSV, CSV or JSONL, or TSV/CSV to TMX.
    #[command(after_help = CONVERT_HELP)]
    Convert(ConvertArgs),
}

const CONVERT_HELP: &str = "\
Examples:
  tmkit tmx convert old-1.1.tmx clean.tmx                  normalize to UTF-8 TMX 1.4b
  tmkit tmx convert memory.tmx pairs.tsv --src en --tgt fr one pair per line
  tmkit tmx convert memory.tmx - --to jsonl | head         every unit as JSON
  tmkit tmx convert glossary.csv glossary.tmx --src en-US --tgt de-DE
  tmkit tmx convert --lenient broken.tmx rescued.tmx       skip broken units, report each

The output format comes from --to or the output's extension (.tmx .tsv .csv .jsonl).
TSV escapes tab, newline, CR and backslash as \\t \\n \\r \\\\; CSV follows RFC 4180.
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
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Tmx => Format::Tmx,
            FormatArg::Tsv => Format::Tsv,
            FormatArg::Csv => Format::Csv,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }
}

/// Arguments of `tmkit tmx convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// Input: a TMX, TSV or CSV file ('-' for standard input).
    pub input: PathBuf,
    /// Output file ('-' or none for standard output).
    pub output: Option<PathBuf>,
    /// Output format (default: from the output's extension).
    #[arg(long, value_enum)]
    pub to: Option<FormatArg>,
    /// Input format (default: from the input's extension, else TMX).
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
    /// instead of dropping them.
    #[arg(long)]
    pub placeholders: bool,
    /// Skip broken units and go on, reporting each with its position.
    #[arg(long)]
    pub lenient: bool,
    /// Fill header attributes TMX 1.4b requires but the input lacks.
    #[arg(long)]
    pub fill_header: bool,
}

/// Runs `tmkit tmx`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    match args.command {
        TmxCommand::Convert(a) => run_convert(a, ctx),
    }
}

fn parse_lang(flag: &str, value: &str) -> anyhow::Result<LanguageTag> {
    LanguageTag::parse(value).map_err(|e| common::usage(format!("{flag}: {e}")))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn run_convert(a: ConvertArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let output = a.output.clone().unwrap_or_else(|| PathBuf::from("-"));
    let to: Format = match a.to {
        Some(f) => f.into(),
        None if is_stdio(&output) => {
            return Err(common::usage(
                "writing to standard output: say which format with --to tmx|tsv|csv|jsonl",
            ));
        }
        None => Format::from_path(&output).ok_or_else(|| {
            common::usage(format!(
                "cannot tell the format of {} from its extension: use --to tmx|tsv|csv|jsonl",
                output.display()
            ))
        })?,
    };
    let from: Format = match a.from {
        Some(f) => f.into(),
        None => Format::from_path(&a.input).unwrap_or(Format::Tmx),
    };
    if !is_stdio(&a.input) && !is_stdio(&output) && same_file(&a.input, &output) {
        return Err(common::usage("the output must not be the input file"));
    }
    let mode = if a.placeholders {
        CodeMode::Placeholders
    } else {
        CodeMode::Drop
    };
    match from {
        Format::Tsv | Format::Csv => convert_tabular(&a, from, to, &output, ctx),
        Format::Jsonl => Err(common::usage(
            "JSONL is an output format only: convert from TMX, TSV or CSV",
        )),
        Format::Tmx => {
            let options = ReadOptions { lenient: a.lenient };
            let mut reader = TmxReader::open_with(&a.input, options)?;
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
                    Some(Pair {
                        src,
                        tgt: parse_lang("--tgt", tgt)?,
                    })
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
            let (report, out) = convert::convert_tmx(
                &mut reader,
                out,
                to,
                pair.as_ref(),
                mode,
                header.as_ref(),
                a.lenient,
                |e| ctx.warn_input(&input, format!("skipped a broken unit: {e}")),
            )?;
            out.finish()?;
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

fn convert_tabular(
    a: &ConvertArgs,
    from: Format,
    to: Format,
    output: &Path,
    ctx: &Context,
) -> anyhow::Result<ExitCode> {
    let (Some(src), Some(tgt)) = (&a.src, &a.tgt) else {
        return Err(common::usage(
            "TSV/CSV input needs --src and --tgt to name the languages of its two columns",
        ));
    };
    let pair = Pair {
        src: parse_lang("--src", src)?,
        tgt: parse_lang("--tgt", tgt)?,
    };
    let input: Box<dyn std::io::BufRead> = if is_stdio(&a.input) {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&a.input).map_err(|e| tmkit::Error::io(&a.input, e))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, f))
    };
    let name = (!is_stdio(&a.input)).then_some(a.input.as_path());
    let mut out = Output::create(output)?;
    let report = match to {
        Format::Tmx => {
            let header = Header::new(&pair.src.to_string());
            let mut w = TmxWriter::new(&mut out, &header)?;
            let report = convert::read_tabular(input, name, from, &pair, |tu| w.write_tu(&tu))?;
            let dropped = w.dropped_chars();
            w.finish()?;
            if dropped > 0 {
                ctx.note(format!(
                    "left out {dropped} character(s) XML 1.0 cannot hold"
                ));
            }
            report
        }
        Format::Jsonl => convert::read_tabular(input, name, from, &pair, |tu| {
            convert::write_jsonl_tu(&mut out, &tu, CodeMode::Drop)
        })?,
        Format::Tsv | Format::Csv => {
            let mut line = String::new();
            let sep = if to == Format::Csv { ',' } else { '\t' };
            convert::read_tabular(input, name, from, &pair, |tu| {
                line.clear();
                convert::push_field(&mut line, &tu.tuvs[0].seg.plain_text(), to);
                line.push(sep);
                convert::push_field(&mut line, &tu.tuvs[1].seg.plain_text(), to);
                line.push('\n');
                out.write_all(line.as_bytes())
                    .map_err(|e| tmkit::Error::io("<output>", e))
            })?
        }
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
