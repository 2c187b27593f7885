//! Getting an article out of its file: plain text, Markdown or HTML becomes a
//! [`Document`], that is an optional title and the body text to rank.
//!
//! - Plain text: a short first line without final punctuation, followed by a
//!   blank line, is the title (news wires and the BBC corpus look like that),
//!   unless the next paragraph opens in lower case: then the line is the
//!   start of a sentence broken at a link or a share bar cut in two, and the
//!   document has no title.
//! - Markdown: the first heading is the title; list markers, emphasis, inline
//!   code marks, links and images are reduced to their text; code blocks,
//!   HTML tags and link definitions are dropped.
//! - HTML: the page's main content as [`crate::html::extract`] finds it (the
//!   title is the first `<h1>`, else `<title>`), with a map from the text back
//!   to the page so that summaries give offsets into the file.

use std::path::Path;

use crate::html::{OffsetMap, TextBuilder};

/// The markup of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Plain text.
    Text,
    /// Markdown (CommonMark-ish).
    Markdown,
    /// HTML.
    Html,
}

impl InputFormat {
    /// The format a file name implies (`.md`, `.markdown`, `.html`, `.htm`;
    /// anything else is plain text).
    ///
    /// ```
    /// use tmkit::summarize::InputFormat;
    /// use std::path::Path;
    /// assert_eq!(InputFormat::from_path(Path::new("a/b.HTM")), InputFormat::Html);
    /// assert_eq!(InputFormat::from_path(Path::new("-")), InputFormat::Text);
    /// ```
    pub fn from_path(path: &Path) -> Self {
        if crate::html::is_page_path(path) {
            return InputFormat::Html;
        }
        match path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
        {
            Some("md" | "markdown") => InputFormat::Markdown,
            _ => InputFormat::Text,
        }
    }

    /// Guesses the format of text read from stdin: HTML when it starts with a
    /// tag such as `<!DOCTYPE html>` or `<html>`, plain text otherwise.
    pub fn sniff(text: &str) -> Self {
        let head = text.trim_start().get(..15).unwrap_or(text.trim_start());
        let head = head.to_ascii_lowercase();
        if head.starts_with("<!doctype html") || head.starts_with("<html") {
            InputFormat::Html
        } else {
            InputFormat::Text
        }
    }
}

/// An article ready to rank: its title when known, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The headline, if the input had one.
    pub title: Option<String>,
    /// The article text. Sentence offsets in a summary point into it.
    pub text: String,
    /// Byte offset in `text` where the body starts (after a title line kept in
    /// plain text); sentences before it are not ranked.
    pub body_start: usize,
    /// For text reduced from markup (HTML, Markdown): where each part of
    /// `text` lies in the input.
    pub source_map: Option<OffsetMap>,
    /// For a file decoded from a legacy encoding: where each byte of the
    /// decoded input lies in the file ([`crate::files::read_text_with_offsets`]).
    /// Set by the reader; [`Document::source_range`] goes through it.
    pub file_offsets: Option<crate::files::FileOffsets>,
}

impl Document {
    /// A document from `text` in `format`.
    ///
    /// ```
    /// use tmkit::summarize::{Document, InputFormat};
    /// let doc = Document::parse("Storm hits coast\n\nThe storm arrived at dawn.", InputFormat::Text);
    /// assert_eq!(doc.title.as_deref(), Some("Storm hits coast"));
    /// assert_eq!(doc.body().trim(), "The storm arrived at dawn.");
    /// ```
    pub fn parse(text: &str, format: InputFormat) -> Self {
        match format {
            InputFormat::Text => Document::from_plain(text),
            InputFormat::Markdown => Document::from_markdown(text),
            InputFormat::Html => Document::from_html(text),
        }
    }

    /// The part of `text` that is ranked.
    pub fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    /// Plain text, with the title rule described in the module docs.
    pub fn from_plain(text: &str) -> Self {
        let lead_ws = text.len() - text.trim_start().len();
        let rest = &text[lead_ws..];
        let first_end = rest.find('\n').unwrap_or(rest.len());
        let first = rest[..first_end].trim();
        let after = &rest[first_end..];
        // A blank line follows: "\n" then only whitespace up to the next "\n".
        let blank_follows = after
            .strip_prefix('\n')
            .and_then(|a| a.find('\n').map(|i| a[..i].trim().is_empty()))
            .unwrap_or(false);
        // A next paragraph that opens in lower case continues this line (a
        // sentence broken at a link, a share bar cut in two): not a headline.
        let continued = after
            .trim_start()
            .chars()
            .next()
            .is_some_and(char::is_lowercase);
        if blank_follows && !continued && looks_like_title(first) {
            return Document {
                title: Some(first.to_string()),
                text: text.to_string(),
                body_start: lead_ws + first_end,
                source_map: None,
                file_offsets: None,
            };
        }
        Document {
            title: None,
            text: text.to_string(),
            body_start: 0,
            source_map: None,
            file_offsets: None,
        }
    }

    /// Markdown reduced to plain paragraphs; the first heading is the title.
    /// The source map gives offsets into the Markdown.
    pub fn from_markdown(text: &str) -> Self {
        markdown(text, false)
    }

    /// The text to translate in a document of `format`, with its headline:
    /// plain text as it is; Markdown reduced to text with its first heading
    /// kept as the first paragraph; a page's main content with its headline
    /// ([`crate::html::extract_with_headline`]). `title` is the headline, `body_start`
    /// 0: every sentence is translated. Offsets map into the input
    /// ([`Document::source_range`]).
    ///
    /// This is the one decision of what is translated: `pretranslate`,
    /// `analyze`, `match`, `segment` and `align` all read documents through it,
    /// so a quote counts what the translator gets.
    ///
    /// ```
    /// use tmkit::summarize::{Document, InputFormat};
    /// let md = "# Storm closes port\n\nThe port of **Eastham** closed on [Monday](https://x.org/a/b).";
    /// let doc = Document::translatable(md, InputFormat::Markdown);
    /// assert_eq!(doc.text, "Storm closes port\n\nThe port of Eastham closed on Monday.");
    /// let (s, e) = doc.source_range(19, doc.text.len());
    /// assert_eq!(&md[s..e], "The port of **Eastham** closed on [Monday](https://x.org/a/b).");
    /// ```
    pub fn translatable(text: &str, format: InputFormat) -> Self {
        match format {
            InputFormat::Text => Document {
                title: None,
                text: text.to_string(),
                body_start: 0,
                source_map: None,
                file_offsets: None,
            },
            InputFormat::Markdown => markdown(text, true),
            InputFormat::Html => Self::from_page(crate::html::extract_with_headline(text)),
        }
    }

    /// The main content of an HTML page (see [`crate::html`]).
    pub fn from_html(html: &str) -> Self {
        Self::from_page(crate::html::extract(html))
    }

    /// A page's extracted text, with its map back into the markup.
    fn from_page(page: crate::html::Extracted) -> Self {
        Document {
            title: page.title,
            text: page.text,
            body_start: 0,
            source_map: Some(page.map),
            file_offsets: None,
        }
    }

    /// The byte range in the input file of `start..end` in [`Document::text`]:
    /// the same range for plain text; for HTML and Markdown, mapped into the markup.
    ///
    /// ```
    /// use tmkit::summarize::{Document, InputFormat};
    /// let html = "<p>Caf&eacute; prices rose.</p>";
    /// let doc = Document::parse(html, InputFormat::Html);
    /// assert_eq!(doc.text, "Café prices rose.");
    /// let (s, e) = doc.source_range(0, doc.text.len());
    /// assert_eq!(&html[s..e], "Caf&eacute; prices rose.");
    /// ```
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let (start, end) = match &self.source_map {
            Some(map) => map.to_source_range(start, end),
            None => (start, end),
        };
        match &self.file_offsets {
            Some(file) => (file.to_file(start), file.to_file(end)),
            None => (start, end),
        }
    }
}

/// Markdown reduced to plain paragraphs (see [`Document::from_markdown`]);
/// with `keep_title`, the first heading stays in the text as its first
/// paragraph (it is also the title).
fn markdown(text: &str, keep_title: bool) -> Document {
    let mut title = None;
    let mut out = TextBuilder::default();
    let mut in_fence: Option<&str> = None;
    let mut seen_text = false;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        i += 1;
        if let Some(fence) = in_fence {
            if trimmed.starts_with(fence) {
                in_fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = Some(&trimmed[..3]);
            continue;
        }
        if is_rule(trimmed) || is_link_definition(trimmed) {
            push_break(&mut out);
            continue;
        }
        // Setext heading: a text line underlined with === or ---.
        let underline = lines.get(i).map(|l| l.trim()).unwrap_or("");
        let setext = !trimmed.is_empty()
            && underline.len() >= 2
            && (underline.bytes().all(|b| b == b'=') || underline.bytes().all(|b| b == b'-'));
        let heading = if setext {
            i += 1;
            Some(trimmed)
        } else {
            atx_heading(trimmed)
        };
        if let Some(h) = heading {
            let h = inline_markdown(text, h);
            let first = title.is_none() && !seen_text && !h.is_empty();
            if first {
                title = Some(h.iter().map(|&(c, _, _)| c).collect());
            }
            if !first || keep_title {
                push_break(&mut out);
                push_mapped(&mut out, &h);
                push_break(&mut out);
            }
            continue;
        }
        if trimmed.is_empty() {
            push_break(&mut out);
            continue;
        }
        let content = inline_markdown(text, strip_block_markers(trimmed));
        if content.is_empty() {
            continue;
        }
        seen_text = true;
        if !out.text().is_empty() && !out.text().ends_with('\n') {
            // A list item starts its own line; a wrapped line continues its paragraph.
            if content_starts_item(trimmed) {
                out.push_unmapped("\n");
            } else {
                out.push_unmapped(" ");
            }
        }
        push_mapped(&mut out, &content);
    }
    let (mut out, map) = out.finish();
    // Only unmapped breaks can end the text.
    out.truncate(out.trim_end().len());
    Document {
        title,
        text: out,
        body_start: 0,
        source_map: Some(map),
        file_offsets: None,
    }
}

fn push_mapped(out: &mut TextBuilder, chars: &[(char, usize, usize)]) {
    for &(c, at, len) in chars {
        out.emit(c, at, len);
    }
}

/// A short line without final punctuation: a headline, not a sentence.
fn looks_like_title(line: &str) -> bool {
    if line.is_empty() || line.chars().count() > 200 {
        return false;
    }
    let words = crate::text::tokenize::word_count(line);
    if words == 0 || words > 25 {
        return false;
    }
    let last = line
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', '」', '』'])
        .chars()
        .next_back();
    !matches!(
        last,
        Some('.' | '!' | '?' | ',' | ';' | ':' | '。' | '！' | '？' | '…' | '؟' | '۔' | '।')
    )
}

fn push_break(out: &mut TextBuilder) {
    let text = out.text();
    if !text.is_empty() && !text.ends_with("\n\n") {
        if text.ends_with('\n') {
            out.push_unmapped("\n");
        } else {
            out.push_unmapped("\n\n");
        }
    }
}

fn is_rule(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|m| compact.chars().all(|c| c.to_string() == *m))
}

fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]:") && !line.contains("](")
}

fn atx_heading(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim())
}

fn content_starts_item(line: &str) -> bool {
    strip_block_markers(line).len() != line.len()
}

/// Strips blockquote markers and one list marker (`-`, `*`, `+`, `1.`, `1)`).
fn strip_block_markers(mut line: &str) -> &str {
    while let Some(rest) = line.strip_prefix('>') {
        line = rest.trim_start();
    }
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return r.trim_start();
        }
    }
    line
}

/// Inline Markdown to text: links and images, emphasis, code marks, HTML
/// tags. `s` is a slice of `doc`; each character of the result comes with its
/// byte offset and length in `doc`. Whitespace is collapsed and trimmed.
fn inline_markdown(doc: &str, s: &str) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(s.len());
    inline_into(doc, s, &mut out);
    collapse_spaces(out)
}

fn inline_into(doc: &str, s: &str, out: &mut Vec<(char, usize, usize)>) {
    let at = |rest: &str| rest.as_ptr() as usize - doc.as_ptr() as usize;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let clen = c.len_utf8();
        let keep = |out: &mut Vec<(char, usize, usize)>, rest: &mut &str| {
            out.push((c, at(rest), clen));
            *rest = &rest[clen..];
        };
        match c {
            '!' if rest[1..].starts_with('[') => {
                // An image: drop it (its alt text is not article prose).
                match link_parts(&rest[1..]) {
                    Some((_, used)) => rest = &rest[1 + used..],
                    None => keep(out, &mut rest),
                }
            }
            '[' => match link_parts(rest) {
                Some((label, used)) => {
                    inline_into(doc, label, out);
                    rest = &rest[used..];
                }
                None => keep(out, &mut rest),
            },
            '*' | '`' => rest = &rest[clen..],
            '_' => {
                // `_` marks emphasis at a word edge; inside a word it is a letter.
                let prev = out.last().map(|&(c, _, _)| c);
                let next = rest[1..].chars().next();
                let inside = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if inside {
                    keep(out, &mut rest);
                } else {
                    rest = &rest[1..];
                }
            }
            '<' => match rest.find('>') {
                Some(end)
                    if rest[1..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_ascii_alphabetic() || n == '/') =>
                {
                    rest = &rest[end + 1..];
                }
                _ => keep(out, &mut rest),
            },
            '\\' => {
                // A backslash escape keeps the next character literally.
                rest = &rest[1..];
                if let Some(n) = rest.chars().next() {
                    out.push((n, at(rest), n.len_utf8()));
                    rest = &rest[n.len_utf8()..];
                }
            }
            _ => keep(out, &mut rest),
        }
    }
}

/// `[label](url)` or `[label][ref]` at the start of `s`: the label and the
/// bytes the whole link takes.
fn link_parts(s: &str) -> Option<(&str, usize)> {
    let close = s.find(']')?;
    let label = &s[1..close];
    let after = &s[close + 1..];
    let (open, shut) = if after.starts_with('(') {
        ('(', ')')
    } else if after.starts_with('[') {
        ('[', ']')
    } else {
        return None;
    };
    let _ = open;
    let end = after.find(shut)?;
    Some((label, close + 1 + end + 1))
}

/// Whitespace runs become one space (at the first one's place); none at the ends.
fn collapse_spaces(chars: Vec<(char, usize, usize)>) -> Vec<(char, usize, usize)> {
    let mut out: Vec<(char, usize, usize)> = Vec::with_capacity(chars.len());
    let mut space = None;
    for (c, at, len) in chars {
        if c.is_whitespace() {
            space = space.or(Some((at, len)));
            continue;
        }
        if let Some((s_at, s_len)) = space.take()
            && !out.is_empty()
        {
            out.push((' ', s_at, s_len));
        }
        out.push((c, at, len));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_title_needs_blank_line_and_no_final_punctuation() {
        let d = Document::from_plain("Dollar gains on Greenspan speech\n\nThe dollar rose.\n");
        assert_eq!(d.title.as_deref(), Some("Dollar gains on Greenspan speech"));
        assert_eq!(d.body().trim(), "The dollar rose.");
        let d = Document::from_plain("The dollar rose sharply.\n\nIt was Friday.");
        assert_eq!(d.title, None);
        let d = Document::from_plain("No blank line here\nThe dollar rose.");
        assert_eq!(d.title, None);
        assert_eq!(Document::from_plain("").title, None);
        let d = Document::from_plain("  Титул статьи\n \nТекст.");
        assert_eq!(d.title.as_deref(), Some("Титул статьи"));
    }

    #[test]
    fn a_first_line_continued_in_lower_case_is_not_a_title() {
        // A sentence broken at a link, as news scrapes have them.
        let text = "Trainer John Gosden let the favourite race after he walked the course\n\n\
                    and she beat the runner-up by a length.";
        let d = Document::from_plain(text);
        assert_eq!(d.title, None);
        assert_eq!(d.body(), text);
    }

    #[test]
    fn markdown_is_reduced_to_text() {
        let md = "# Storm *hits* the coast\n\nThe **storm** arrived at [dawn](http://x.y) on `Monday`.\n\
                  It was ![a photo](p.jpg)strong.\n\n## Damage\n\n- Roofs were torn off.\n- Roads closed_for_days.\n\n\
                  ```\ncode line\n```\n\n> A quoted line.\n\n[ref]: http://example.com\n";
        let d = Document::from_markdown(md);
        assert_eq!(d.title.as_deref(), Some("Storm hits the coast"));
        assert_eq!(
            d.text,
            "The storm arrived at dawn on Monday. It was strong.\n\nDamage\n\n\
             Roofs were torn off.\nRoads closed_for_days.\n\nA quoted line."
        );
    }

    #[test]
    fn markdown_offsets_point_into_the_file() {
        let md = "# Rain *returns*\n\nThe **river** rose at [dawn](http://x.y/a b) on \\*Monday\\*.\n\
                  It  fell_back\r\nlater.\n\n- A `gauge` broke.\n";
        let d = Document::from_markdown(md);
        assert_eq!(
            d.text,
            "The river rose at dawn on *Monday*. It fell_back later.\n\nA gauge broke."
        );
        let slice = |piece: &str| {
            let at = d.text.find(piece).unwrap();
            let (s, e) = d.source_range(at, at + piece.len());
            &md[s..e]
        };
        assert_eq!(slice("The river rose"), "The **river** rose");
        assert_eq!(
            slice("The river rose at dawn on *Monday*."),
            "The **river** rose at [dawn](http://x.y/a b) on \\*Monday\\*."
        );
        assert_eq!(slice("It fell_back later."), "It  fell_back\r\nlater.");
        assert_eq!(slice("A gauge broke."), "A `gauge` broke.");
        assert_eq!(d.title.as_deref(), Some("Rain returns"));
    }

    #[test]
    fn markdown_setext_title() {
        let d = Document::from_markdown("Big news\n========\n\nBody _text_ here.");
        assert_eq!(d.title.as_deref(), Some("Big news"));
        assert_eq!(d.text, "Body text here.");
    }

    #[test]
    fn html_title_falls_back_to_the_title_element() {
        let d = Document::from_html(
            "<html><head><title>Only title</title></head><body><p>Text.</p></body></html>",
        );
        assert_eq!(d.title.as_deref(), Some("Only title"));
        assert_eq!(d.text, "Text.");
        assert!(d.source_map.is_some());
    }

    #[test]
    fn formats_from_paths_and_sniffing() {
        assert_eq!(
            InputFormat::from_path(Path::new("x.md")),
            InputFormat::Markdown
        );
        assert_eq!(
            InputFormat::from_path(Path::new("x.txt")),
            InputFormat::Text
        );
        assert_eq!(
            InputFormat::sniff("  <!DOCTYPE html><p>"),
            InputFormat::Html
        );
        assert_eq!(InputFormat::sniff("Hello"), InputFormat::Text);
        assert_eq!(
            InputFormat::sniff("日本語のテキストです。"),
            InputFormat::Text
        );
    }

    proptest::proptest! {
        /// Every sentence of a Markdown document maps to the bytes of the
        /// file that hold it: without markup marks, link targets and
        /// whitespace, the slice is the sentence.
        #[test]
        fn markdown_sentence_ranges_slice_to_the_sentence(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "# ", "## ", "**", "*", "`", "_", "\\*", "[", "](http://x.y/a)", "the ", "river ",
                "rose", "Rain fell. ", "It ended! ", "snake_case ", "\n", "\n\n", "\n- ", "\r\n", "  ",
            ]), 1..30)
        ) {
            let md = pieces.concat();
            let strip = |s: &str| -> String {
                s.replace("](http://x.y/a)", "")
                    .chars()
                    .filter(|c| !c.is_whitespace() && !"*`_\\[]#-".contains(*c))
                    .collect()
            };
            let seg = crate::segment::Segmenter::for_language(&"en".parse().unwrap());
            for doc in [Document::from_markdown(&md), Document::translatable(&md, InputFormat::Markdown)] {
                for sent in seg.segments(&doc.text) {
                    let (a, b) = doc.source_range(sent.start, sent.end);
                    proptest::prop_assert!(a <= b && b <= md.len());
                    proptest::prop_assert_eq!(strip(&md[a..b]), strip(sent.text), "in {:?}", md);
                }
            }
        }
    }
}
