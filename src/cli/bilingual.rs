//! XLIFF and PO in `tmkit tmx convert`: a finished job back into a memory
//! (`tmx convert job.xlf memory.tmx`), a memory out as XLIFF or PO, and
//! XLIFF ↔ PO. Chosen by the files' extensions (`.xlf`, `.xliff`,
//! `.sdlxliff`, `.mqxliff`, `.po`, `.pot`); `tmx.rs` hands over to
//! [`convert`] before its own formats.

use std::path::Path;
use std::process::ExitCode;

use tmkit::files::{Output, display_name, is_stdio};
use tmkit::text::LanguageTag;
use tmkit::tmx::{Header, TmxWriter};
use tmkit::xliff::{Document, Format, State, convert, po, write_xliff12, write_xliff20};

use super::common::{self, Context};
use super::tmx::{ConvertArgs, FormatArg};

/// The states `--states` names (default: the finished ones).
fn states(names: &[String]) -> anyhow::Result<Vec<State>> {
    if names.is_empty() {
        return Ok(State::DONE.to_vec());
    }
    names
        .iter()
        .flat_map(|n| n.split(','))
        .map(|n| {
            State::parse(n).ok_or_else(|| {
                let all: Vec<&str> = State::ALL.iter().map(|s| s.name()).collect();
                common::usage(format!("unknown state {n:?} (one of {})", all.join(", ")))
            })
        })
        .collect()
}

fn lang(flag: &str, value: Option<&str>) -> anyhow::Result<Option<LanguageTag>> {
    value
        .map(|v| LanguageTag::parse(v).map_err(|e| common::usage(format!("{flag} {v:?}: {e}"))))
        .transpose()
}

/// The bilingual format of the output, by `--to` else `path`'s extension
/// (`.xlf` is XLIFF 1.2, or 2.0 with `--xliff-version 2.0`).
fn output_format(to: Option<FormatArg>, path: &Path, version2: bool) -> Option<Format> {
    let format = match to {
        Some(to) => to.bilingual()?,
        None => Format::from_path(path)?,
    };
    match format {
        Format::Xliff12 if version2 => Some(Format::Xliff20),
        f => Some(f),
    }
}

fn write_doc(doc: &Document, format: Format, out: Output, ctx: &Context) -> tmkit::Result<()> {
    match format {
        Format::Po => {
            po::write_po(doc, out)?.finish()?;
            // PO is plain text: say what became of inline codes (even with
            // --quiet when some are not in the output).
            let codes = po::code_report(doc);
            if codes.dropped > 0 {
                tmkit::diag!(
                    "{}: {} unit(s) had inline codes holding no original markup (XLIFF <g>, <x/>), left out of the PO; keep them with XLIFF output",
                    ctx.err_label("warning"),
                    codes.dropped
                );
            }
            if codes.as_markup > codes.dropped {
                ctx.note(format!(
                    "{} unit(s) with inline codes: written as their original markup (<b>, {{0}}), which reads back as text",
                    codes.as_markup - codes.dropped
                ));
            }
            Ok(())
        }
        Format::Xliff20 => write_xliff20(doc, out)?.finish(),
        Format::Xliff12 => write_xliff12(doc, out)?.finish(),
    }
}

/// Reads the XLIFF or PO input: by `--from` or the extension, standard
/// input read ahead by its first characters.
fn read_doc(a: &ConvertArgs) -> tmkit::Result<Document> {
    match (&a.stdin_head, a.from.and_then(FormatArg::bilingual)) {
        (Some(head), _) => Document::parse_sniffed(&head.read_text()?, None),
        (None, Some(Format::Po)) => po::parse(&tmkit::files::read_text(&a.input)?, Some(&a.input)),
        (None, Some(_)) => Document::parse_str(&tmkit::files::read_text(&a.input)?, Some(&a.input)),
        (None, None) => Document::read(&a.input),
    }
}

/// Runs the conversion when the input or the output is XLIFF or PO;
/// `None` when neither is (the TMX/TSV/CSV/JSONL paths run instead).
pub fn convert(a: &ConvertArgs, ctx: &Context) -> anyhow::Result<Option<ExitCode>> {
    let output = a.output.clone().unwrap_or_else(|| "-".into());
    let from = match a.from {
        Some(f) => f.bilingual(),
        None => Format::from_path(&a.input),
    };
    let version2 = a
        .xliff_version
        .as_deref()
        .is_some_and(|v| v.starts_with('2'));
    let to = output_format(a.to, &output, version2);
    if from.is_none() && to.is_none() {
        return Ok(None);
    }
    let (src, tgt) = (
        lang("--src", a.src.as_deref())?,
        lang("--tgt", a.tgt.as_deref())?,
    );
    let name = display_name(&a.input);
    match (from, to) {
        (Some(_), Some(to)) => {
            let doc = read_doc(a)?;
            write_doc(&doc, to, Output::create(&output)?, ctx)?;
            ctx.note(format!(
                "{name}: {} unit(s) written",
                doc.files.iter().map(|f| f.units.len()).sum::<usize>()
            ));
        }
        (Some(_), None) => {
            let tmx_out = a.to.is_some_and(|t| t == FormatArg::Tmx)
                || output
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("tmx"))
                || is_stdio(&output);
            if !tmx_out {
                return Err(common::usage(
                    "XLIFF and PO convert to TMX (.tmx), XLIFF (.xlf) or PO (.po)",
                ));
            }
            let doc = read_doc(a)?;
            let wanted = states(&a.states)?;
            let (tus, skipped) = convert::to_tus(&doc, &wanted, src.as_ref(), tgt.as_ref());
            // Nothing to write for want of languages is no conversion (a PO
            // file names only its target): say so, and write nothing.
            if tus.is_empty() && skipped.language > 0 {
                return Err(common::usage(format!(
                    "{name} does not name its source or target language: give --src and --tgt ({} segment(s) left out; nothing was written)",
                    skipped.language
                )));
            }
            let header_lang = tus
                .first()
                .map(|t| t.tuvs[0].lang.clone())
                .or_else(|| src.as_ref().map(ToString::to_string))
                .unwrap_or_else(|| "*all*".into());
            let mut w = TmxWriter::new(Output::create(&output)?, &Header::new(&header_lang))?;
            for tu in &tus {
                w.write_tu(tu)?;
            }
            w.finish()?.finish()?;
            if skipped.language > 0 {
                ctx.note(format!(
                    "{} segment(s) left out: the file names no source or target language (give --src and --tgt)",
                    skipped.language
                ));
            }
            let names: Vec<&str> = wanted.iter().map(|s| s.name()).collect();
            ctx.note(format!(
                "{name}: {} segment(s) written, {} in other states left out (--states {})",
                tus.len(),
                skipped.state,
                names.join(",")
            ));
        }
        (None, Some(to)) => {
            let mut reader = a.open_tmx()?;
            let src = match (src, reader.header().srclang_tag()) {
                (Some(s), _) | (None, Some(s)) => s,
                _ => {
                    return Err(common::usage(
                        "the header names no single source language: give --src",
                    ));
                }
            };
            let Some(tgt) = tgt else {
                return Err(common::usage("XLIFF and PO output need --tgt"));
            };
            // With --lenient a broken unit is reported and skipped, as in
            // the TMX, TSV and CSV outputs; any other error ends the run.
            let mut tus = Vec::new();
            let mut broken = 0u64;
            for tu in reader.by_ref() {
                match tu {
                    Ok(tu) => tus.push(tu),
                    Err(e @ tmkit::Error::Syntax { .. }) if a.lenient => {
                        ctx.warn_input(&a.input, format!("skipped a broken unit: {e}"));
                        broken += 1;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let (doc, skipped) = convert::from_tus(tus, &src, &tgt, &name, to);
            write_doc(&doc, to, Output::create(&output)?, ctx)?;
            ctx.note(format!(
                "{name}: {} unit(s) written, {skipped} without both {src} and {tgt} left out{}",
                doc.files[0].units.len(),
                if broken > 0 {
                    format!(", {broken} broken unit(s) skipped")
                } else {
                    String::new()
                }
            ));
            if broken > 0 {
                return Ok(Some(ExitCode::FAILURE));
            }
        }
        (None, None) => unreachable!("handled above"),
    }
    Ok(Some(ExitCode::SUCCESS))
}
