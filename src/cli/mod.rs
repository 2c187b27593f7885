//! Command-line layer: one file per subcommand (its arguments, help examples
//! and `run`), plus the conventions they share in [`common`]. Only this layer
//! knows about terminals, flags, colours and exit codes.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod align;
pub mod analyze;
pub mod bilingual;
pub mod common;
pub mod completions;
pub mod man;
pub mod match_cmd;
pub mod pretranslate;
pub mod segment;
pub mod serve;
pub mod summarize;
pub mod tm;
pub mod tmx;

pub use common::{is_broken_pipe, is_usage_error, report_error};

const ABOUT: &str =
    "Segment, match, convert and summarize multilingual news and translation memories";

const AFTER_HELP: &str = "\
Examples:
  tmkit summarize samples/                       3-sentence digest of every sample article
  tmkit segment --lang fr samples/fr-*.txt       one sentence per line
  tmkit match --tm tmx/ --src en --tgt fr article.txt
  tmkit analyze --tm tmx/ --src en --tgt fr samples/en-*.txt
  tmkit pretranslate --tm tmx/ --src en --tgt fr samples/en-port-strike.txt -o job.xlf
  tmkit align article.en.txt article.fr.txt --src en --tgt fr -o article.tmx
  tmkit tmx stats memory.tmx
  tmkit completions bash > /etc/bash_completion.d/tmkit
  tmkit man --out-dir ~/.local/share/man/man1

Inputs: a FILE or '-' (or none) reads standard input. Results go to standard output,
progress and diagnostics to standard error. Exit status: 0 success, 1 the work failed,
2 bad usage. NO_COLOR disables colours.";

/// tmkit: sentence segmentation, TMX, translation-memory matching and digests.
#[derive(Debug, Parser)]
#[command(name = "tmkit", version, about = ABOUT, long_about = None, after_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// No progress bars and no summary lines on standard error (errors are still reported).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Encoding of text inputs that have no byte-order mark (UTF-8/16/32 marks are
    /// always honoured): any WHATWG label, e.g. utf-16le, windows-1252, latin1, shift_jis.
    /// Without it, a web page is read in the charset it declares (<meta charset>,
    /// http-equiv Content-Type, or an XHTML prolog's encoding), else UTF-8.
    #[arg(long, global = true, value_name = "LABEL")]
    pub encoding: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Split text into sentences (per-language rules or an SRX file).
    Segment(segment::Args),
    /// Read, check, convert, merge and filter TMX translation memories.
    Tmx(tmx::Args),
    /// Suggest translations from a memory for each sentence, with fuzzy scores.
    #[command(name = "match")]
    Match(match_cmd::Args),
    /// Report how much of a job a memory covers, by match band.
    Analyze(analyze::Args),
    /// Write bilingual files (XLIFF 1.2/2.0, TMX) with memory matches filled in.
    Pretranslate(pretranslate::Args),
    /// Align an article with its translation into a translation memory.
    Align(align::Args),
    /// Write short extractive digests of articles, one file or whole folders.
    Summarize(summarize::Args),
    /// A translation-memory store (SQLite .tmdb or PostgreSQL): import, search, add, export...
    Tm(Box<tm::Args>),
    /// Serve memories over HTTP: lookups, concordance, units, imports, exports (JSON API).
    Serve(Box<serve::Args>),
    /// Print a shell completion script.
    Completions(completions::Args),
    /// Write the manual pages (roff), to standard output or a man folder.
    Man(man::Args),
}

/// Parses the command line. Every subcommand's `-V` names the program
/// (`tmkit 0.1.0`), where clap would print `tmkit-tmx 0.1.0`.
pub fn parse() -> Cli {
    fn named(cmd: clap::Command) -> clap::Command {
        cmd.display_name("tmkit").mut_subcommands(named)
    }
    let matches = Cli::command().mut_subcommands(named).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = common::Context::from_env(cli.quiet);
    if let Some(label) = &cli.encoding {
        tmkit::files::set_default_encoding(tmkit::files::TextEncoding::for_label(label)?);
    }
    match cli.command {
        Command::Segment(args) => segment::run(args, &ctx),
        Command::Tmx(args) => tmx::run(args, &ctx),
        Command::Match(args) => match_cmd::run(args, &ctx),
        Command::Analyze(args) => analyze::run(args, &ctx),
        Command::Pretranslate(args) => pretranslate::run(args, &ctx),
        Command::Summarize(args) => summarize::run(args, &ctx),
        Command::Align(args) => align::run(args, &ctx),
        Command::Tm(args) => tm::run(*args, &ctx),
        Command::Serve(args) => serve::run(*args, &ctx),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
