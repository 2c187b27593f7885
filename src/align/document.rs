//! The sentences of one side: from a file with one sentence per line, or
//! from a document (plain text, Markdown, HTML) cut by the segmenter, with
//! the paragraph each sentence starts.
//!
//! HTML and Markdown are reduced to text by [`extract_text`], that is by
//! [`Document::translatable`], as for every tool that reads documents.

use crate::segment::Segmenter;
use crate::summarize::{Document, InputFormat};

/// The sentences of one side of a pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentences {
    /// The sentences, in order.
    pub texts: Vec<String>,
    /// For each sentence, whether it begins a paragraph.
    pub paragraph_starts: Vec<bool>,
}

impl Sentences {
    /// One sentence per line, every line kept (an empty line is an empty
    /// sentence, so indices are line numbers minus one). A final line break
    /// does not make a last empty sentence; `\r\n` endings are accepted.
    ///
    /// ```
    /// let s = tmkit::align::Sentences::from_lines("One.\r\nTwo.\n\nFour.\n");
    /// assert_eq!(s.texts, ["One.", "Two.", "", "Four."]);
    /// ```
    pub fn from_lines(text: &str) -> Self {
        let mut texts: Vec<String> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
            .collect();
        if texts.last().is_some_and(String::is_empty) {
            texts.pop();
        }
        let paragraph_starts = vec![false; texts.len()];
        Sentences {
            texts,
            paragraph_starts,
        }
    }

    /// The sentences of a document in `format`: its text (see
    /// [`extract_text`]) split into paragraphs at blank lines and each
    /// paragraph into sentences by `segmenter`.
    ///
    /// ```
    /// use tmkit::align::Sentences;
    /// use tmkit::segment::Segmenter;
    /// use tmkit::summarize::InputFormat;
    /// let seg = Segmenter::for_language(&"en".parse().unwrap());
    /// let s = Sentences::from_document("Storm hits.\n\nIt rained. It blew.", InputFormat::Text, &seg);
    /// assert_eq!(s.texts, ["Storm hits.", "It rained.", "It blew."]);
    /// assert_eq!(s.paragraph_starts, [true, true, false]);
    /// ```
    pub fn from_document(text: &str, format: InputFormat, segmenter: &Segmenter) -> Self {
        let body = extract_text(text, format);
        let mut out = Sentences::default();
        for paragraph in paragraphs(&body) {
            let mut first = true;
            for sentence in segmenter.segments(paragraph) {
                out.texts.push(sentence.text.to_string());
                out.paragraph_starts.push(first);
                first = false;
            }
        }
        out
    }

    /// Number of sentences.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// True when there is no sentence.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Total length in characters.
    pub fn chars(&self) -> usize {
        self.texts.iter().map(|t| t.chars().count()).sum()
    }
}

/// The text of a document: plain text as it is; Markdown without its
/// markup; the main content of an HTML page (the summarizer's extractor for
/// now). Titles come first, as their own paragraph.
pub fn extract_text(text: &str, format: InputFormat) -> String {
    Document::translatable(text, format).text
}

/// Paragraphs: runs of lines separated by blank lines.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let mut end = rest.len();
            let mut next = rest.len();
            let mut pos = 0;
            for line in rest.split_inclusive('\n') {
                if pos > 0 && line.trim().is_empty() {
                    end = pos;
                    next = pos + line.len();
                    break;
                }
                pos += line.len();
            }
            let para = &rest[..end];
            rest = &rest[next..];
            if !para.trim().is_empty() {
                return Some(para);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines() {
        let p: Vec<&str> = paragraphs("a\nb\n\n\n  \nc\n").map(str::trim).collect();
        assert_eq!(p, ["a\nb", "c"]);
    }

    #[test]
    fn markdown_title_becomes_first_paragraph() {
        let seg = Segmenter::for_language(&"en".parse().unwrap());
        let s = Sentences::from_document(
            "# Big news\n\nSome *text* here. More.",
            InputFormat::Markdown,
            &seg,
        );
        assert_eq!(s.texts, ["Big news", "Some text here.", "More."]);
        assert_eq!(s.paragraph_starts, [true, true, false]);
    }
}
