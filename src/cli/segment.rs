//! `tmkit segment`: split text into sentences, one per line or as JSON lines.
//!
//! One input is streamed in large chunks (flat memory on any size); several
//! files or folders go through the batch runner, in parallel, in order.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use tmkit::batch::{self, BatchSummary, InputFilter};
use tmkit::files;
use tmkit::segment::srx::SrxRules;
use tmkit::segment::stream::ChunkedText;
use tmkit::segment::{QuoteMode, Segmenter, Sentence, write_on_one_line};
use tmkit::text::LanguageTag;
use tmkit::text::lang::LangChoice;

use super::common::{self, Context};

const AFTER_HELP: &str = "\
Examples:
  tmkit segment article.txt                     one sentence per line, language detected
  tmkit segment --lang de bericht.txt           German rules (abbreviations, ordinals)
  cat news.txt | tmkit segment --lang fr -      read standard input
  tmkit segment --wrapped book.txt              hard-wrapped text: single line breaks are spaces
  tmkit segment --no-join-lines list.txt        every line break ends a sentence
  tmkit segment --quotes split speech.txt       break inside quotations and brackets too
  tmkit segment --format jsonl samples/         offsets, file and language of each sentence
  tmkit segment --srx okapi.srx --lang en a.txt rules from an SRX 2.0 file (Okapi, OmegaT)

Languages with their own rules: en de fr es it pt nl da sv nb pl cs sk ru uk bg el tr fi
hu ca id vi ar fa ur he hi mr hy ka am my kk zh ja ko; any other tag gets generic rules.
By default a line break ends a sentence (the convention of CAT tools on plain text),
except inside a hard-wrapped sentence: a line that does not end in a terminal,
followed by one that goes on in lower case, or a full line (as wide as its block of
60-120 characters) followed by one that goes on with a capital (never a list item or
bullet), when the sentence ends within the next few lines (--no-join-lines turns this
off); with --wrapped only a blank line does. In text output a line break inside a
sentence becomes a space, or nothing between two Chinese or Japanese characters. A
bracket or quotation that closes on the same line is not split (\"Run! Hide!\" she
said. is one sentence), as in the standard test sets, except an English-style
quotation holding no exclamation mark (only full stops or question marks), split as in
news prose (\"We won. It is over,\" he said. is two) unless it is broken off by a dash
or followed by its source in parentheses; --quotes keep never splits one, --quotes
split always does, as most CAT tools' rules do. JSON offsets are bytes into the input
(after a BOM).";

/// How the output is named in errors from writing it.
const OUTPUT: &str = "<output>";

/// Inputs above this size are not segmented into memory in a batch but
/// streamed to the output in turn.
const IN_MEMORY_LIMIT: u64 = 64 << 20;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// One sentence per line.
    #[default]
    Text,
    /// One JSON object per sentence: text, start, end (+ file, lang).
    Jsonl,
}

/// `--quotes`: how quotations and brackets holding several sentences are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Quotes {
    /// Kept whole, except English-style quotations holding no exclamation mark
    /// (only full stops or question marks; not broken off by a dash nor followed
    /// by their source).
    #[default]
    Auto,
    /// Never split.
    Keep,
    /// Split at every terminal inside them.
    Split,
}

/// Arguments of `tmkit segment`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Language of the text: a BCP-47 tag (en, pt-BR, zh-Hant) or `auto` to detect it per input.
    #[arg(short, long, value_name = "LANG", default_value = "auto")]
    lang: LangChoice,

    /// Use the rules of this SRX 2.0 file instead of the built-in rules.
    #[arg(long, value_name = "FILE")]
    srx: Option<PathBuf>,

    /// Hard-wrapped text: a single line break is a space, a blank line ends a paragraph.
    #[arg(short, long)]
    wrapped: bool,

    /// Every line break ends a sentence: do not join a line that does not end in a
    /// terminal with a next line that goes on in lower case (or, after a full line of a
    /// wrapped block, with a capital).
    #[arg(long, conflicts_with = "wrapped")]
    no_join_lines: bool,

    /// Quotations and brackets holding several sentences: auto (kept whole unless an
    /// English-style quotation holds no exclamation mark), keep (never split), split (always).
    #[arg(long, value_enum, value_name = "MODE", default_value_t)]
    quotes: Quotes,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t)]
    format: Format,

    /// In folders, take only files matching these globs (default: *.txt). Repeatable.
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,

    /// Files or folders to read; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// How sentences are printed.
struct Printer {
    format: Format,
    /// Name the file in JSON lines (several inputs).
    file: Option<String>,
    /// Name the detected language in JSON lines (`--lang auto`).
    lang: Option<String>,
}

#[derive(serde::Serialize)]
struct JsonSentence<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
}

impl Printer {
    fn write(&self, out: &mut impl Write, offset: usize, s: &Sentence<'_>) -> io::Result<()> {
        self.write_at(out, offset + s.start, offset + s.end, s.text)
    }

    /// Writes a sentence found at `start..end` in the input file.
    fn write_at(
        &self,
        out: &mut impl Write,
        start: usize,
        end: usize,
        text: &str,
    ) -> io::Result<()> {
        match self.format {
            Format::Text => write_one_line(out, text),
            Format::Jsonl => common::write_json_line(
                out,
                &JsonSentence {
                    text,
                    start,
                    end,
                    file: self.file.as_deref(),
                    lang: self.lang.as_deref(),
                },
            ),
        }
    }
}

/// Writes `text` on one line: line breaks inside it become spaces, or
/// nothing between Chinese or Japanese characters ([`write_on_one_line`]).
fn write_one_line(out: &mut impl Write, text: &str) -> io::Result<()> {
    write_on_one_line(out, text)?;
    out.write_all(b"\n")
}

/// Builds the segmenter for one input once its language is known.
struct SegmenterFactory {
    lang: LangChoice,
    srx: Option<SrxRules>,
    wrapped: bool,
    join_lines: bool,
    quotes: QuoteMode,
    quiet: bool,
}

impl SegmenterFactory {
    /// The segmenter for a text starting with `sample`, and the detected tag (`--lang auto`).
    fn for_sample(&self, sample: &str) -> (Segmenter, Option<LanguageTag>) {
        let tag = self.lang.resolve(sample);
        let seg = match &self.srx {
            Some(srx) => {
                if srx.rule_names_for(&tag).is_empty() && !self.quiet {
                    tmkit::diag!(
                        "tmkit: warning: no language map of the SRX file matches {tag}: only line breaks split"
                    );
                }
                srx.segmenter(&tag)
            }
            None => Segmenter::for_language(&tag),
        };
        let detected = matches!(self.lang, LangChoice::Auto).then_some(tag);
        let seg = seg
            .wrapped(self.wrapped)
            .join_lines(self.join_lines)
            .quotes(self.quotes);
        (seg, detected)
    }
}

/// Runs `tmkit segment`.
pub fn run(args: Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let srx = match &args.srx {
        Some(path) => {
            let rules = SrxRules::load(path)?;
            if !ctx.quiet {
                for w in rules.warnings() {
                    tmkit::diag!("tmkit: warning: {w}");
                }
            }
            Some(rules)
        }
        None => None,
    };
    let factory = SegmenterFactory {
        lang: args.lang.clone(),
        srx,
        wrapped: args.wrapped,
        join_lines: !args.no_join_lines,
        quotes: match args.quotes {
            Quotes::Auto => QuoteMode::Auto,
            Quotes::Keep => QuoteMode::Keep,
            Quotes::Split => QuoteMode::Split,
        },
        quiet: ctx.quiet,
    };
    let filter = InputFilter::new(&args.include, &["txt"])?;
    let mut summary = BatchSummary::default();
    let inputs = ctx.walk_inputs(&args.files, &filter, &mut summary)?;
    if inputs.is_empty() && summary.is_success() {
        return Err(common::usage(
            "no input files found in the given folders (files ending in .txt are taken; choose others with --include)",
        ));
    }
    let several =
        inputs.len() > 1 || args.files.iter().any(|p| p.is_dir()) || !summary.is_success();
    if !several {
        let input = inputs
            .first()
            .map_or_else(|| PathBuf::from("-"), PathBuf::clone);
        let mut out = common::stdout();
        stream_one(&input, &factory, args.format, None, &mut out)?;
        out.flush().context("writing standard output")?;
        return Ok(ExitCode::SUCCESS);
    }

    let progress = ctx.progress("segment");
    let mut out = common::stdout();
    let mut write_error: Option<io::Error> = None;
    batch::run_ordered(
        &inputs,
        &progress,
        |input| {
            // Large files are streamed straight to the output in input order
            // (below), so memory stays flat; small ones are done in parallel here.
            let large = std::fs::metadata(input).is_ok_and(|m| m.len() > IN_MEMORY_LIMIT);
            if large || files::is_stdio(input) {
                return Ok(None);
            }
            let mut buf = Vec::new();
            stream_one(
                input,
                &factory,
                args.format,
                Some(files::display_name(input)),
                &mut buf,
            )?;
            Ok(Some(buf))
        },
        |input, result| {
            if write_error.is_some() {
                return;
            }
            let result = match result {
                Ok(Some(bytes)) => out
                    .write_all(&bytes)
                    .map_err(|e| tmkit::Error::io(OUTPUT, e)),
                Ok(None) => stream_one(
                    input,
                    &factory,
                    args.format,
                    Some(files::display_name(input)),
                    &mut out,
                ),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => summary.succeeded += 1,
                // Writing failed (closed pipe, full disk): stop writing, report it once.
                Err(tmkit::Error::Io { path, source }) if path.as_os_str() == OUTPUT => {
                    write_error = Some(source);
                }
                Err(e) => {
                    ctx.fail_input(&mut summary, input, &e);
                }
            }
        },
    );
    if let Some(e) = write_error {
        return Err(e).context("writing standard output");
    }
    out.flush().context("writing standard output")?;
    if summary.is_success() {
        Ok(ExitCode::SUCCESS)
    } else {
        ctx.note(format!("segment: {}", summary.line()));
        Ok(ExitCode::FAILURE)
    }
}

/// Segments one input chunk by chunk into `out`.
fn stream_one(
    input: &Path,
    factory: &SegmenterFactory,
    format: Format,
    file_name: Option<String>,
    out: &mut impl Write,
) -> tmkit::Result<()> {
    let markup = tmkit::summarize::InputFormat::from_path(input);
    if markup != tmkit::summarize::InputFormat::Text {
        return segment_document(input, markup, factory, format, file_name, out);
    }
    let reader = files::open_text(input)?;
    let file = (!files::is_stdio(input)).then_some(input);
    let mut chunks = ChunkedText::new(reader, file);
    let (seg, detected) = factory.for_sample(chunks.peek()?);
    let printer = Printer {
        format,
        file: file_name,
        lang: detected.map(|t| t.to_string()),
    };
    let output_error = |e: io::Error| tmkit::Error::io(OUTPUT, e);
    while let Some(chunk) = chunks.next_chunk(&seg)? {
        for s in seg.segments(chunk.text) {
            printer.write(out, chunk.offset, &s).map_err(output_error)?;
        }
    }
    Ok(())
}

/// Segments what is translated in a web page or a Markdown file (its main
/// text with the headline, as `pretranslate` has it); offsets point into the file.
fn segment_document(
    input: &Path,
    markup: tmkit::summarize::InputFormat,
    factory: &SegmenterFactory,
    format: Format,
    file_name: Option<String>,
    out: &mut impl Write,
) -> tmkit::Result<()> {
    let (text, file_offsets) = files::read_text_with_offsets(input)?;
    let mut page = tmkit::summarize::Document::translatable(&text, markup);
    page.file_offsets = file_offsets;
    let (seg, detected) = factory.for_sample(&page.text);
    let printer = Printer {
        format,
        file: file_name,
        lang: detected.map(|t| t.to_string()),
    };
    for s in seg.segments(&page.text) {
        let (start, end) = page.source_range(s.start, s.end);
        printer
            .write_at(out, start, end, s.text)
            .map_err(|e| tmkit::Error::io(OUTPUT, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_inside_a_sentence_become_spaces() {
        let mut out = Vec::new();
        write_one_line(&mut out, "a\nb\r\nc\rd").unwrap();
        assert_eq!(out, b"a b c d\n");
    }
}
