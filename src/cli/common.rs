//! Conventions every subcommand shares: where output goes, colours and
//! `NO_COLOR`, progress bars only on a terminal, error reporting and exit codes.

use std::io::{self, BufWriter, IsTerminal, Stdout, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tmkit::batch::{BatchSummary, InputFilter, Progress};

/// The files a folder of a translation job holds for `pretranslate`,
/// `analyze` and `match` alike (documents and bilingual files), so that a
/// quote counts the files that will be pretranslated.
pub(crate) const JOB_EXTENSIONS: &[&str] = &[
    "txt", "md", "markdown", "html", "htm", "xhtml", "xlf", "xliff", "sdlxliff", "mqxliff",
];

/// What every subcommand knows about how it was run.
#[derive(Debug, Clone)]
pub struct Context {
    /// `--quiet`: no progress bars, no summary lines.
    pub quiet: bool,
    /// Colour on stdout (a terminal, and `NO_COLOR` unset).
    pub color_stdout: bool,
    /// Colour on stderr.
    pub color_stderr: bool,
    /// Standard error is a terminal (progress bars allowed).
    pub stderr_is_terminal: bool,
}

impl Context {
    /// Reads the terminal state and `NO_COLOR`.
    pub fn from_env(quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stderr_is_terminal = io::stderr().is_terminal();
        Context {
            quiet,
            color_stdout: !no_color && io::stdout().is_terminal(),
            color_stderr: !no_color && stderr_is_terminal,
            stderr_is_terminal,
        }
    }

    /// Styles for text written to stdout.
    pub fn out_style(&self) -> Style {
        Style {
            enabled: self.color_stdout,
        }
    }

    /// A progress reporter for `total` inputs: a bar when stderr is a terminal
    /// and not `--quiet`, nothing otherwise.
    pub fn progress(&self, verb: &str) -> Bar {
        if self.quiet || !self.stderr_is_terminal {
            return Bar { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let template = if self.color_stderr {
            "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} files, {rate}, ETA {eta} {wide_msg:.dim}"
        } else {
            "{prefix} [{bar:30}] {pos}/{len} files, {rate}, ETA {eta} {wide_msg}"
        };
        // indicatif's {per_sec} prints "1690.1607/s"; people read "1,690/s".
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate(state.per_sec()));
                },
            )
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(verb.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar: Some(bar) }
    }

    /// Prints a note on stderr unless `--quiet`.
    pub fn note(&self, msg: impl std::fmt::Display) {
        if !self.quiet {
            tmkit::diag!("tmkit: {msg}");
        }
    }

    /// Reports a failed input on stderr (always, even with `--quiet`).
    pub fn warn_input(&self, input: &Path, err: impl std::fmt::Display) {
        let name = tmkit::files::display_name(input);
        let msg = err.to_string();
        // Library errors already start with the file name; do not say it twice.
        if msg.starts_with(&name) {
            tmkit::diag!("{}: {msg}", self.err_label("error"));
        } else {
            tmkit::diag!("{}: {name}: {msg}", self.err_label("error"));
        }
    }

    /// Reports a failed input on stderr and records it in the batch summary,
    /// so the batch goes on and exits 1 at the end.
    pub fn fail_input(
        &self,
        summary: &mut BatchSummary,
        input: &Path,
        err: impl std::fmt::Display,
    ) {
        let msg = err.to_string();
        self.warn_input(input, &msg);
        summary.failures.push((input.to_path_buf(), msg));
    }

    /// Expands the paths given into inputs ([`tmkit::batch::walk_inputs`]),
    /// reporting each entry of a folder that cannot be read (a dangling link,
    /// a link loop, an unreadable subfolder) and counting it as a failure in
    /// `summary`, so the batch goes on and exits 1 at the end. `-` given
    /// twice is a usage error ([`stdin_once`]).
    pub fn walk_inputs(
        &self,
        paths: &[std::path::PathBuf],
        filter: &InputFilter,
        summary: &mut BatchSummary,
    ) -> anyhow::Result<Vec<std::path::PathBuf>> {
        stdin_once(paths)?;
        self.walk_inputs_reading_stdin_again(paths, filter, summary)
    }

    /// [`Context::walk_inputs`] for a command that keeps standard input to
    /// read it again (`tmx merge - -`).
    pub fn walk_inputs_reading_stdin_again(
        &self,
        paths: &[std::path::PathBuf],
        filter: &InputFilter,
        summary: &mut BatchSummary,
    ) -> anyhow::Result<Vec<std::path::PathBuf>> {
        let walk = tmkit::batch::walk_inputs(paths, filter)?;
        for problem in walk.problems {
            let path = match &problem {
                tmkit::Error::Io { path, .. } => path.clone(),
                _ => std::path::PathBuf::new(),
            };
            self.fail_input(summary, &path, problem);
        }
        Ok(walk.inputs)
    }

    /// `tmkit: LABEL` for a diagnostic, the label in red when stderr is a colour terminal.
    pub fn err_label(&self, label: &str) -> String {
        if self.color_stderr {
            format!("tmkit: \x1b[1;31m{label}\x1b[0m")
        } else {
            format!("tmkit: {label}")
        }
    }
}

/// A rate for people: whole units per second with thousands separated
/// (`1,690/s`), one decimal below 10 (`2.5/s`).
fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        return "0/s".to_string();
    }
    if per_sec < 10.0 {
        return format!("{per_sec:.1}/s");
    }
    let digits = (per_sec.round() as u64).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out.push_str("/s");
    out
}

/// An indicatif bar behind the library's [`Progress`] trait; inert when hidden.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// Shows `msg` beside the bar (until the next input starts).
    pub fn message(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(msg.to_string());
        }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(b) = &self.bar {
            b.set_length(total);
        }
    }
    fn item_started(&self, input: &Path) {
        if let Some(b) = &self.bar {
            b.set_message(tmkit::files::display_name(input));
        }
    }
    fn item_done(&self, _input: &Path, _ok: bool) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// ANSI styles, or plain text when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    enabled: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Dimmed.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Green (insertions, good).
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    /// Red (deletions, bad).
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    /// Yellow (warnings, middling).
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    /// Cyan (labels).
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
    /// Whether colour is on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }
}

/// Buffered standard output. Write results through it and propagate errors,
/// so a closed pipe ends the run quietly instead of panicking.
pub fn stdout() -> BufWriter<Stdout> {
    BufWriter::with_capacity(1 << 16, io::stdout())
}

/// Writes `value` as one line of JSON.
pub fn write_json_line<W: Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(json_to_io)?;
    out.write_all(b"\n")
}

/// Keeps the kind of an I/O error met while serializing (a closed pipe stays
/// `BrokenPipe`, so the run ends quietly).
pub(crate) fn json_to_io(err: serde_json::Error) -> io::Error {
    match err.io_error_kind() {
        Some(kind) => io::Error::new(kind, err),
        None => io::Error::other(err),
    }
}

/// Writes `value` as indented JSON followed by a newline.
pub fn write_json_pretty<W: Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(json_to_io)?;
    out.write_all(b"\n")
}

/// Output formats for data-producing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum DataFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
}

/// A usage error discovered after parsing (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

/// A usage error to return from `run` (exit status 2).
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}

/// The parser of a count (`--limit`, `--max`, a size in bytes): a whole
/// number from 1 to `i64::MAX` (what a store's SQL `LIMIT` takes), so that
/// 0, a negative number or an absurd one is clap's usage error (exit 2)
/// rather than an empty answer or a limit that wraps around.
pub fn count() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..=i64::MAX as u64)
}

/// A usage error when `-` (standard input) is among `inputs` more than once:
/// the second read would find it empty.
pub fn stdin_once(inputs: &[std::path::PathBuf]) -> anyhow::Result<()> {
    if inputs.iter().filter(|p| tmkit::files::is_stdio(p)).count() > 1 {
        return Err(usage("standard input ('-') can be read only once"));
    }
    Ok(())
}

/// Parses `--src` and `--tgt` and checks they make a translation direction
/// ([`tmkit::text::check_pair`]); a language name or the same language twice
/// is a usage error with a hint.
pub fn language_pair(
    src: &str,
    tgt: &str,
) -> anyhow::Result<(tmkit::text::LanguageTag, tmkit::text::LanguageTag)> {
    let parse = |flag: &str, value: &str| {
        tmkit::text::LanguageTag::parse(value).map_err(|e| usage(format!("{flag}: {e}")))
    };
    let (src, tgt) = (parse("--src", src)?, parse("--tgt", tgt)?);
    check_language_pair(&src, &tgt)?;
    Ok((src, tgt))
}

/// [`tmkit::text::check_pair`] as a usage error.
pub fn check_language_pair(
    src: &tmkit::text::LanguageTag,
    tgt: &tmkit::text::LanguageTag,
) -> anyhow::Result<()> {
    tmkit::text::check_pair(src, tgt)
        .map_err(|e| usage(format!("--src {src} --tgt {tgt}: {}", e.reason)))
}

/// True when `a` and `b` name one existing file (links and `./` resolved):
/// an output that is an input would be overwritten by what is read from it.
pub fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A usage error when the output `out` is one of `inputs` (standard input
/// and output aside): `flag` names the option that gave it.
pub fn refuse_output_among_inputs<'a>(
    flag: &str,
    out: &std::path::Path,
    inputs: impl IntoIterator<Item = &'a std::path::PathBuf>,
) -> anyhow::Result<()> {
    if tmkit::files::is_stdio(out) {
        return Ok(());
    }
    for input in inputs {
        if !tmkit::files::is_stdio(input) && same_file(input, out) {
            return Err(usage(format!(
                "{flag} {} is also an input: it would be overwritten",
                out.display()
            )));
        }
    }
    Ok(())
}

/// A notice that units were taken from another region of an asked language.
pub fn region_fallback_note(units: u64, asked: &str) -> String {
    format!(
        "notice: {units} unit(s) had no {asked} variant closer than another region of the \
         same language, which was used (see --src/--tgt)"
    )
}

/// True when a command-line argument looks like a file name rather than
/// text: it has a path separator, or ends in an extension tmkit reads.
pub fn looks_like_path(arg: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "txt", "md", "markdown", "html", "htm", "xhtml", "tmx", "tsv", "csv", "jsonl", "json",
        "xlf", "xliff", "po", "srx", "xml", "sqlite", "db",
    ];
    if arg.contains(std::path::MAIN_SEPARATOR) || arg.contains('/') {
        return true;
    }
    std::path::Path::new(arg)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|k| e.eq_ignore_ascii_case(k)))
}

/// True when `err` is a usage error (exit status 2).
pub fn is_usage_error(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<UsageError>().is_some()
            || matches!(
                e.downcast_ref::<tmkit::Error>(),
                Some(tmkit::Error::Usage(_))
            )
    })
}

/// True when `err` comes from writing to a closed pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<tmkit::Error>()
                .is_some_and(tmkit::Error::is_broken_pipe)
    })
}

/// The error and its causes joined by `: `, leaving out a cause whose text
/// the message already ends with (library errors quote their source).
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !msg.ends_with(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

/// Prints `tmkit: error: ...` with the whole cause chain on stderr.
pub fn report_error(err: &anyhow::Error) {
    let color =
        std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stderr().is_terminal();
    let label = if color {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    tmkit::diag!("tmkit: {label}: {}", error_chain(err));
    if is_usage_error(err) {
        tmkit::diag!("Run 'tmkit --help' or 'tmkit <command> --help' for usage.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_rounded_and_grouped() {
        assert_eq!(rate(1690.1607), "1,690/s");
        assert_eq!(rate(1234567.9), "1,234,568/s");
        assert_eq!(rate(999.5), "1,000/s");
        assert_eq!(rate(42.4), "42/s");
        assert_eq!(rate(2.54), "2.5/s");
        assert_eq!(rate(f64::NAN), "0/s");
    }

    #[test]
    fn path_like_arguments() {
        for path in [
            "samples/en-port-strike.txt",
            "a.TMX",
            "./x",
            "memo.tsv",
            "notes.md",
        ] {
            assert!(looks_like_path(path), "{path}");
        }
        for text in [
            "The minister resigned on Monday.",
            "Prices rose 3.5 percent",
            "e.g. this",
        ] {
            assert!(!looks_like_path(text), "{text}");
        }
    }

    #[test]
    fn error_chain_does_not_repeat_quoted_causes() {
        let io = std::io::Error::new(io::ErrorKind::NotFound, "No such file");
        let err = anyhow::Error::new(tmkit::Error::io("a.txt", io));
        assert_eq!(error_chain(&err), "a.txt: No such file");
        let err = anyhow::Error::new(std::fmt::Error).context("writing the digest");
        assert_eq!(
            error_chain(&err),
            "writing the digest: an error occurred when formatting an argument"
        );
    }
}
