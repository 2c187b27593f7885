//! Markdown for people: one article's summary as a section, and a digest of
//! many articles as a document of such sections.

use std::io::{self, Write};

use super::Summary;

/// Writes the heading of a digest.
pub fn write_digest_header<W: Write>(out: &mut W) -> io::Result<()> {
    writeln!(out, "# Digest\n")
}

/// Writes one article as a Markdown section: its title (or `name` when it has
/// none) as a heading, a line with its source and language, then the summary
/// sentences as a list, in document order; a sentence the memory translates
/// has its translation and match score as a nested item.
///
/// ```
/// use tmkit::summarize::{Summarizer, digest::write_article};
/// let s = Summarizer::default().summarize_text("Storm hits coast\n\nThe storm hit the coast on Monday.", &"en".parse().unwrap());
/// let mut out = Vec::new();
/// write_article(&mut out, "storm.txt", &s).unwrap();
/// let md = String::from_utf8(out).unwrap();
/// assert!(md.starts_with("## Storm hits coast\n"));
/// assert!(md.contains("- The storm hit the coast on Monday.\n"));
/// ```
pub fn write_article<W: Write>(out: &mut W, name: &str, summary: &Summary) -> io::Result<()> {
    let heading = summary.title.as_deref().unwrap_or(name);
    writeln!(out, "## {}\n", escape_inline(heading))?;
    writeln!(
        out,
        "*{} · {} · {} of {} sentences*\n",
        escape_inline(name),
        summary.language,
        summary.sentences.len(),
        summary.total_sentences
    )?;
    for s in &summary.sentences {
        writeln!(out, "- {}", escape_inline(&s.text))?;
        if let Some(t) = &s.translation {
            writeln!(out, "  - *{}%:* {}", t.score, escape_inline(&t.target))?;
        }
    }
    writeln!(out)
}

/// Escapes the characters that would turn prose into Markdown markup.
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarize::Summarizer;

    #[test]
    fn markdown_escapes_markup_and_uses_file_name_without_title() {
        let s = Summarizer::default().summarize_text(
            "The *new* rate is 5% [provisional].",
            &"en".parse().unwrap(),
        );
        let mut out = Vec::new();
        write_digest_header(&mut out).unwrap();
        write_article(&mut out, "a_b.txt", &s).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(md.starts_with("# Digest\n\n## "));
        assert!(md.contains("## a\\_b.txt\n"));
        assert!(md.contains("- The \\*new\\* rate is 5% \\[provisional\\]."));
        assert!(md.contains("· en · 1 of 1 sentences"));
    }
}
