//! Offsets from extracted text back into the page: [`OffsetMap`], the
//! [`TextBuilder`] that records it while the text is written, and the
//! [`Aligner`] that finds each parsed text node in the page's bytes (the parser
//! decodes entities and drops markup, so its text is not a slice of the file).

/// Maps byte offsets in an extracted text to byte offsets in its source.
///
/// Built of runs: stretches of text copied verbatim from the source (an
/// offset inside maps one to one), and single characters that stand for
/// something longer there (an entity such as `&amp;`, collapsed whitespace),
/// which map to the whole of it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffsetMap {
    runs: Vec<Run>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    text: usize,
    text_len: usize,
    source: usize,
    source_len: usize,
}

impl Run {
    fn verbatim(&self) -> bool {
        self.text_len == self.source_len
    }
}

impl OffsetMap {
    /// The source offset of the character that starts at `offset` in the text
    /// (offsets between blocks map to the end of the block before).
    pub fn to_source(&self, offset: usize) -> usize {
        let i = self.runs.partition_point(|r| r.text <= offset);
        let Some(run) = i.checked_sub(1).map(|i| self.runs[i]) else {
            return self.runs.first().map_or(0, |r| r.source);
        };
        if offset < run.text + run.text_len {
            if run.verbatim() {
                run.source + (offset - run.text)
            } else {
                run.source
            }
        } else {
            run.source + run.source_len
        }
    }

    /// The source offset just past the text that ends at `end`.
    fn to_source_end(&self, end: usize) -> usize {
        let i = self.runs.partition_point(|r| r.text < end);
        let Some(run) = i.checked_sub(1).map(|i| self.runs[i]) else {
            return self.to_source(end);
        };
        if end <= run.text + run.text_len && run.verbatim() {
            run.source + (end - run.text)
        } else {
            run.source + run.source_len
        }
    }

    /// The source range of the text range `start..end`: from the first
    /// character's source to the end of the last one's.
    ///
    /// ```
    /// let doc = tmkit::html::extract("<p>Fish &amp; chips, <i>hot</i>.</p>");
    /// assert_eq!(doc.text, "Fish & chips, hot.");
    /// assert_eq!(doc.map.to_source_range(5, 6), (8, 13)); // "&" is "&amp;"
    /// assert_eq!(doc.map.to_source_range(14, 18), (24, 32)); // "hot." is "hot</i>."
    /// ```
    pub fn to_source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.to_source(start);
        (s, self.to_source_end(end).max(s))
    }
}

/// Writes extracted text block by block, collapsing whitespace and recording
/// where each character came from (also used for Markdown, through
/// [`TextBuilder::emit`] and [`TextBuilder::push_unmapped`]).
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    text: String,
    runs: Vec<Run>,
    /// Source of the whitespace seen since the last character, if any.
    pending_space: Option<(usize, usize)>,
    /// A block was started and has no character yet.
    pending_break: bool,
    /// A line break (`<br>`) was seen since the last character.
    pending_line: bool,
}

impl TextBuilder {
    /// The next characters start a new paragraph.
    pub(super) fn start_block(&mut self) {
        self.pending_break = true;
        self.pending_line = false;
        self.pending_space = None;
    }

    /// The next characters start a new line of the same paragraph.
    pub(super) fn line_break(&mut self) {
        if !self.pending_break && !self.text.is_empty() {
            self.pending_line = true;
            self.pending_space = None;
        }
    }

    /// Appends `node`; `positions[i]` is the source (offset, length) of its
    /// i-th character, `None` where it could not be found.
    pub(super) fn push(&mut self, node: &str, positions: &[Option<(usize, usize)>]) {
        for (i, c) in node.chars().enumerate() {
            let pos = positions.get(i).copied().flatten();
            if c.is_whitespace() {
                if !self.pending_break
                    && !self.pending_line
                    && !self.text.is_empty()
                    && self.pending_space.is_none()
                {
                    self.pending_space = Some(pos.unwrap_or((self.source_end(), 0)));
                }
                continue;
            }
            if self.pending_break {
                if !self.text.is_empty() {
                    self.text.push_str("\n\n");
                }
                self.pending_break = false;
                self.pending_line = false;
                self.pending_space = None;
            } else if self.pending_line {
                self.text.push('\n');
                self.pending_line = false;
            } else if let Some((at, len)) = self.pending_space.take() {
                self.emit(' ', at, len);
            }
            let (at, len) = pos.unwrap_or((self.source_end(), 0));
            self.emit(c, at, len);
        }
    }

    fn source_end(&self) -> usize {
        self.runs.last().map_or(0, |r| r.source + r.source_len)
    }

    /// The text written so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Appends `s`, which stands for nothing in the source (a paragraph
    /// break, a space joining two lines).
    pub(crate) fn push_unmapped(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends `c`, found at `source` (`source_len` bytes) in the source.
    pub(crate) fn emit(&mut self, c: char, source: usize, source_len: usize) {
        let text = self.text.len();
        self.text.push(c);
        let text_len = c.len_utf8();
        // Verbatim characters extend a verbatim run; characters not found
        // in the source extend a run of such characters at the same place.
        if let Some(last) = self.runs.last_mut()
            && last.text + last.text_len == text
            && ((last.verbatim()
                && text_len == source_len
                && last.source + last.source_len == source)
                || (last.source_len == 0 && source_len == 0 && last.source == source))
        {
            last.text_len += text_len;
            last.source_len += source_len;
            return;
        }
        self.runs.push(Run {
            text,
            text_len,
            source,
            source_len,
        });
    }

    /// Appends `text` (mapped by `map`) as a new paragraph.
    pub(super) fn append_block(&mut self, text: &str, map: &OffsetMap) {
        if text.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        let shift = self.text.len();
        self.text.push_str(text);
        self.runs.extend(map.runs.iter().map(|r| Run {
            text: r.text + shift,
            ..*r
        }));
        self.pending_break = false;
        self.pending_line = false;
        self.pending_space = None;
    }

    /// The text and its map.
    pub(crate) fn finish(self) -> (String, OffsetMap) {
        (self.text, OffsetMap { runs: self.runs })
    }
}

/// Finds parsed text nodes in the page, in document order.
#[derive(Debug)]
pub(super) struct Aligner<'a> {
    source: &'a str,
    /// Where the last node found ends: the next one is after it.
    cursor: usize,
}

/// Elements whose content is raw text that must not be searched.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

impl<'a> Aligner<'a> {
    pub(super) fn new(source: &'a str) -> Self {
        Aligner { source, cursor: 0 }
    }

    /// An aligner that starts inside the first `<tag>` (a raw-text element
    /// such as `<title>`, whose content [`Aligner::align`] finds only from there).
    pub(super) fn after_tag(source: &'a str, tag: &str) -> Self {
        let lower = source.to_ascii_lowercase();
        let open = format!("<{tag}");
        let cursor = lower
            .match_indices(&open)
            .find(|(at, _)| {
                lower[at + open.len()..].starts_with(|c: char| c == '>' || c.is_ascii_whitespace())
            })
            .and_then(|(at, _)| lower[at..].find('>').map(|e| at + e + 1))
            .unwrap_or(0);
        Aligner { source, cursor }
    }

    /// The source (offset, length) of each character of `node`, found after
    /// the previous node; all `None` when the node is not found.
    pub(super) fn align(&mut self, node: &str) -> Vec<Option<(usize, usize)>> {
        let chars: Vec<char> = node.chars().collect();
        let mut at = self.cursor;
        while at < self.source.len() {
            if self.source.as_bytes()[at] == b'<' {
                at = self.skip_markup(at);
                continue;
            }
            if let Some(positions) = self.match_at(at, &chars) {
                if let Some(&Some((last, len))) = positions.iter().rev().find(|p| p.is_some()) {
                    self.cursor = last + len;
                }
                return positions;
            }
            at += self.source[at..].chars().next().map_or(1, char::len_utf8);
        }
        vec![None; chars.len()]
    }

    /// Past the tag, comment or raw-text element that starts at `at`.
    fn skip_markup(&self, at: usize) -> usize {
        let rest = &self.source[at..];
        if rest.starts_with("<!--") {
            return rest.find("-->").map_or(self.source.len(), |e| at + e + 3);
        }
        let Some(close) = rest.find('>') else {
            return self.source.len();
        };
        let tag = rest[1..close]
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let after = at + close + 1;
        if RAW_TEXT.contains(&tag.as_str()) {
            let end_tag = format!("</{tag}");
            let lower = self.source[after..].to_ascii_lowercase();
            return lower
                .find(&end_tag)
                .map_or(self.source.len(), |e| after + e);
        }
        after
    }

    /// Matches `chars` at `at`, allowing entities for characters and stray
    /// tags between them (the parser merges text across ignored tags).
    fn match_at(&self, at: usize, chars: &[char]) -> Option<Vec<Option<(usize, usize)>>> {
        let mut q = at;
        let mut out = Vec::with_capacity(chars.len());
        for (i, &c) in chars.iter().enumerate() {
            loop {
                let rest = self.source.get(q..)?;
                let next = rest.chars().next()?;
                if next == '&'
                    && let Some(len) = entity_len(rest)
                {
                    out.push(Some((q, len)));
                    q += len;
                } else if next == c {
                    out.push(Some((q, c.len_utf8())));
                    q += c.len_utf8();
                } else if c == '\n' && rest.starts_with("\r\n") {
                    out.push(Some((q, 2)));
                    q += 2;
                } else if next == '<' && i > 0 {
                    q = self.skip_markup(q);
                    continue;
                } else {
                    return None;
                }
                break;
            }
        }
        Some(out)
    }
}

/// Length of a character reference (`&amp;`, `&#233;`, `&#x2014;`) at the start of `s`.
fn entity_len(s: &str) -> Option<usize> {
    let body = s.get(1..)?;
    let end = body
        .char_indices()
        .take(32)
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#'))?;
    (end.1 == ';' && end.0 > 0).then_some(end.0 + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligner_finds_nodes_across_entities_comments_and_scripts() {
        let src = "<p>a &lt; b</p><!-- a < b --><script>var x = 'c d';</script><p>c\r\nd</p>";
        let mut a = Aligner::new(src);
        let p = a.align("a < b");
        assert_eq!(p[2], Some((5, 4)));
        let p = a.align("c\nd");
        assert_eq!(&src[p[0].unwrap().0..p[2].unwrap().0 + 1], "c\r\nd");
        assert_eq!(a.align("missing"), vec![None; 7]);
    }

    #[test]
    fn map_of_collapsed_whitespace_and_blocks() {
        let src = "<p>one\n   two</p><p>three</p>";
        let mut a = Aligner::new(src);
        let mut b = TextBuilder::default();
        b.start_block();
        let node = "one\n   two";
        b.push(node, &a.align(node));
        b.start_block();
        b.push("three", &a.align("three"));
        let (text, map) = b.finish();
        assert_eq!(text, "one two\n\nthree");
        assert_eq!(map.to_source_range(0, 7), (3, 13));
        assert_eq!(map.to_source_range(9, 14), (20, 25));
        // An offset in the gap between blocks maps to the end of the block before.
        assert_eq!(map.to_source(7), 13);
        assert_eq!(OffsetMap::default().to_source_range(0, 5), (0, 0));
    }
}
