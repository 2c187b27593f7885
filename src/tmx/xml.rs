//! A pull tokenizer for XML 1.0 documents, written for the TMX reader's
//! throughput: it slices events out of the decoded window of [`Input`]
//! without copying them and without re-checking UTF-8 (the window is a
//! `String`, checked once per chunk).
//!
//! It checks what a well-formedness checker must see at this level: tag and
//! comment syntax, matching end tags, `]]>` in text, and the XML
//! declaration's place; references, attribute values and names are checked
//! by the reader, which knows the declared entities. Errors carry the byte
//! offset of the construct at fault; the reader turns it into a line and a
//! column.

use std::io::Read;

use super::input::Input;

/// A problem found by the tokenizer, at a stream byte offset.
#[derive(Debug)]
pub(crate) enum XmlError {
    Syntax { offset: u64, message: String },
    Io(std::io::Error),
}

impl XmlError {
    pub fn at(offset: u64, message: impl Into<String>) -> Self {
        XmlError::Syntax {
            offset,
            message: message.into(),
        }
    }
}

impl From<std::io::Error> for XmlError {
    fn from(e: std::io::Error) -> Self {
        XmlError::Io(e)
    }
}

/// One piece of a document. Strings borrow the tokenizer's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// `<name attrs>`.
    Start(Tag<'a>),
    /// `<name attrs/>`.
    Empty(Tag<'a>),
    /// `</name>`: the name.
    End(&'a str),
    /// Character data as written: references unresolved, line ends not
    /// normalized.
    Text(&'a str),
    /// The content of a CDATA section, as written.
    CData(&'a str),
    Comment,
    /// A processing instruction other than the XML declaration.
    Pi,
    /// `<?xml ...?>`.
    Decl,
    /// What follows `<!DOCTYPE` up to its closing `>`.
    DocType(&'a str),
    Eof,
}

/// A start or empty-element tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    pub name: &'a str,
    /// Everything between the name and `>` (or `/>`).
    pub attrs_raw: &'a str,
    /// A colon appears outside attribute values: the name or an attribute
    /// may carry a namespace prefix (most tags have none, and skip the
    /// namespace checks).
    pub colon: bool,
}

impl<'a> Tag<'a> {
    /// The attributes: `(name, value as written)` pairs, or a message for
    /// the first malformed one.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            rest: self.attrs_raw,
        }
    }
}

/// Iterator over the attributes of a tag.
pub(crate) struct Attributes<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a str, &'a str), String>;

    // Inlined into the reader's attribute loop: the item is returned in
    // registers, not through memory.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = trim_space(self.rest);
        if rest.is_empty() {
            self.rest = rest;
            return None;
        }
        let bytes = rest.as_bytes();
        let name_end = bytes
            .iter()
            .position(|&b| is_space_byte(b) || b == b'=')
            .unwrap_or(bytes.len());
        let name = &rest[..name_end];
        let after = trim_space(&rest[name_end..]);
        self.rest = "";
        let Some(after) = after.strip_prefix('=') else {
            return Some(Err(attr_error(AttrProblem::NoValue, name)));
        };
        let after = trim_space(after);
        let quote = match after.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Some(Err(attr_error(AttrProblem::Unquoted, name))),
        };
        let body = &after[1..];
        let Some(close) = find1(body.as_bytes(), quote) else {
            return Some(Err(attr_error(AttrProblem::Unclosed, name)));
        };
        let value = &body[..close];
        let tail = &body[close + 1..];
        if !(tail.is_empty() || is_space_byte(tail.as_bytes()[0])) {
            return Some(Err(attr_error(AttrProblem::NoSpace, name)));
        }
        self.rest = tail;
        Some(Ok((name, value)))
    }
}

enum AttrProblem {
    NoValue,
    Unquoted,
    Unclosed,
    NoSpace,
}

#[cold]
fn attr_error(problem: AttrProblem, name: &str) -> String {
    match problem {
        AttrProblem::NoValue if name.contains(['"', '\'']) => {
            format!("{name:?} is not an attribute (is a space or '=' missing?)")
        }
        AttrProblem::NoValue => format!("attribute {name} has no value (write {name}=\"...\")"),
        AttrProblem::Unquoted => format!("the value of attribute {name} must be in quotes"),
        AttrProblem::Unclosed => format!("the value of attribute {name} is not closed"),
        AttrProblem::NoSpace => {
            format!("attributes must be separated by white space (after {name})")
        }
    }
}

/// Haystacks shorter than this are searched with a plain loop: most events
/// are short, and memchr's dispatch costs more than it saves on them.
const SHORT: usize = 32;

/// Index of the first `a` in `hay`.
#[inline]
pub(crate) fn find1(hay: &[u8], a: u8) -> Option<usize> {
    if hay.len() < SHORT {
        hay.iter().position(|&b| b == a)
    } else {
        memchr::memchr(a, hay)
    }
}

/// Index of the first `a` or `b` in `hay`.
#[inline]
pub(crate) fn find2(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    if hay.len() < SHORT {
        hay.iter().position(|&c| c == a || c == b)
    } else {
        memchr::memchr2(a, b, hay)
    }
}

/// `text` without its leading XML white space.
fn trim_space(text: &str) -> &str {
    let skip = text
        .bytes()
        .position(|b| !is_space_byte(b))
        .unwrap_or(text.len());
    &text[skip..]
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// What kind of event a scan found, with the window indices it needs.
enum Found {
    Text(usize),
    Start {
        name_end: usize,
        end: usize,
        colon: bool,
    },
    End {
        name_end: usize,
        end: usize,
    },
    CData(usize),
    Comment(usize),
    Pi(usize),
    Decl(usize),
    DocType(usize),
}

enum Scan {
    Found(Found),
    /// The event goes on past the window.
    More,
    Error(usize, String),
}

/// The tokenizer over an [`Input`].
pub(crate) struct Lexer<R> {
    input: Input<R>,
    /// Names of the open elements, one after the other, with their ends.
    names: String,
    name_ends: Vec<usize>,
    /// Resynchronising after an error: an end tag closes the innermost
    /// element of its name (and those inside it) instead of failing.
    lenient: bool,
}

impl<R: Read> Lexer<R> {
    pub fn new(input: Input<R>) -> Self {
        Lexer {
            input,
            names: String::new(),
            name_ends: Vec::new(),
            lenient: false,
        }
    }

    pub fn input(&self) -> &Input<R> {
        &self.input
    }

    /// Stream offset of the next event.
    pub fn offset(&self) -> u64 {
        self.input.offset_of(self.input.pos())
    }

    /// The text from stream offset `from` (the start of an event read
    /// since the last call to [`Lexer::next_event`] or later) to the current
    /// position, exactly as written.
    pub fn raw_since(&self, from: u64) -> &str {
        let window = self.input.window();
        &window[self.input.index_of(from).min(self.input.pos())..self.input.pos()]
    }

    /// Number of open elements.
    pub fn depth(&self) -> usize {
        self.name_ends.len()
    }

    /// Reads the next event.
    // Inlined into the reader's `read`, its hot caller: returning the event
    // through memory stalled on store forwarding.
    #[inline(always)]
    pub fn next_event(&mut self) -> Result<Event<'_>, XmlError> {
        let found = loop {
            let start = self.input.pos();
            let window = self.input.window().as_bytes();
            if start >= window.len() {
                if self.input.fill_more()? {
                    continue;
                }
                self.check_bad(self.input.window().len())?;
                return Ok(Event::Eof);
            }
            match scan(window, start, self.input.at_eof()) {
                Scan::Found(found) => break found,
                // At the end of the input a scan never asks for more, so this
                // loop ends.
                Scan::More => {
                    self.input.fill_more()?;
                }
                Scan::Error(at, message) => {
                    self.check_bad(at + 1)?;
                    return Err(XmlError::at(self.input.offset_of(at), message));
                }
            }
        };
        // Nothing is consumed until the event is whole: it starts at `pos`.
        let start = self.input.pos();
        let end = match found {
            Found::Text(end)
            | Found::Start { end, .. }
            | Found::End { end, .. }
            | Found::CData(end)
            | Found::Comment(end)
            | Found::Pi(end)
            | Found::Decl(end)
            | Found::DocType(end) => end,
        };
        self.check_bad(end)?;
        if let Found::End { name_end, .. } = found {
            // Checked before the window is borrowed for the event.
            self.close_element(start, name_end)?;
        }
        self.input.consume_to(end);
        let window = self.input.window();
        let offset = self.input.offset_of(start);
        Ok(match found {
            Found::Text(end) => Event::Text(&window[start..end]),
            Found::Start {
                name_end,
                end,
                colon,
            } => {
                let name = &window[start + 1..name_end];
                let empty = window.as_bytes()[end - 2] == b'/' && end - 2 >= name_end;
                let attrs_raw = &window[name_end..if empty { end - 2 } else { end - 1 }];
                let tag = Tag {
                    name,
                    attrs_raw,
                    colon,
                };
                if empty {
                    Event::Empty(tag)
                } else {
                    self.names.push_str(name);
                    self.name_ends.push(self.names.len());
                    Event::Start(tag)
                }
            }
            Found::End { name_end, .. } => Event::End(&window[start + 2..name_end]),
            Found::CData(end) => Event::CData(&window[start + 9..end - 3]),
            Found::Comment(_) => Event::Comment,
            Found::Pi(_) => Event::Pi,
            Found::Decl(_) => {
                if offset > 0 {
                    return Err(XmlError::at(
                        offset,
                        "an XML declaration is allowed only at the very start of the file",
                    ));
                }
                Event::Decl
            }
            Found::DocType(end) => Event::DocType(&window[start + 9..end - 1]),
        })
    }

    /// Pops the open element an end tag closes, checking its name.
    fn close_element(&mut self, start: usize, name_end: usize) -> Result<(), XmlError> {
        let window = self.input.window();
        let name = &window[start + 2..name_end];
        let offset = self.input.offset_of(start);
        let Some(end) = self.name_ends.pop() else {
            return Err(XmlError::at(
                offset,
                format!("malformed XML: </{name}> closes an element that was never opened"),
            ));
        };
        let begin = self.name_ends.last().copied().unwrap_or(0);
        let open = &self.names[begin..end];
        // Names are short: a byte loop beats a call to memcmp.
        let same = open.len() == name.len() && open.bytes().zip(name.bytes()).all(|(a, b)| a == b);
        if !same && self.lenient {
            self.name_ends.push(end);
            let mut depth = self.name_ends.len();
            while depth > 0 {
                let end = self.name_ends[depth - 1];
                let begin = if depth >= 2 {
                    self.name_ends[depth - 2]
                } else {
                    0
                };
                if &self.names[begin..end] == name {
                    self.truncate_open(depth - 1);
                    return Ok(());
                }
                depth -= 1;
            }
            // Closes nothing that is open: ignored.
            return Ok(());
        }
        if !same {
            return Err(XmlError::at(
                offset,
                format!("malformed XML: expected </{open}>, found </{name}>"),
            ));
        }
        self.names.truncate(begin);
        Ok(())
    }

    /// The pending bad-input error, when it lies before window index `upto`.
    #[inline]
    fn check_bad(&self, upto: usize) -> Result<(), XmlError> {
        match self.input.bad() {
            Some(bad) if bad.offset < self.input.offset_of(upto) => {
                Err(XmlError::at(bad.offset, bad.message.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Lenient mode: forgets the reported bad input and an unbalanced
    /// element stack, so reading can resume.
    pub fn clear_bad(&mut self) {
        self.input.clear_bad();
    }

    /// Lenient mode, after an error: skips the event that could not be read
    /// (one byte at least), so scanning resumes after it.
    pub fn skip_broken(&mut self) {
        let pos = self.input.pos();
        let window = self.input.window();
        let mut next = pos + 1;
        while next < window.len() && !window.is_char_boundary(next) {
            next += 1;
        }
        if next <= window.len() {
            self.input.consume_to(next);
        }
    }

    /// Lenient reading on or off (see [`Lexer::lenient`]).
    pub fn set_lenient(&mut self, lenient: bool) {
        self.lenient = lenient;
    }

    /// Sets the open elements back to `depth`.
    fn truncate_open(&mut self, depth: usize) {
        if depth < self.name_ends.len() {
            self.name_ends.truncate(depth);
            self.names
                .truncate(self.name_ends.last().copied().unwrap_or(0));
        }
    }
}

/// Finds the event starting at `start` (`window[start..]` is not empty).
fn scan(w: &[u8], start: usize, eof: bool) -> Scan {
    if w[start] != b'<' {
        // Text runs to the next '<'; a '>' on the way is checked for the
        // `]]>` that XML forbids in text, in the same pass.
        let mut from = start;
        loop {
            match find2(&w[from..], b'<', b'>') {
                Some(i) if w[from + i] == b'<' => return Scan::Found(Found::Text(from + i)),
                Some(i) => {
                    let at = from + i;
                    if at >= start + 2 && &w[at - 2..at] == b"]]" {
                        return Scan::Error(
                            start,
                            "']]>' is not allowed in text (write ]]&gt;)".into(),
                        );
                    }
                    from = at + 1;
                }
                None if eof => return Scan::Found(Found::Text(w.len())),
                None => return Scan::More,
            }
        }
    }
    let Some(&next) = w.get(start + 1) else {
        return truncated(eof, start, "a tag");
    };
    match next {
        b'/' => scan_end_tag(w, start, eof),
        b'?' => scan_pi(w, start, eof),
        b'!' => scan_bang(w, start, eof),
        _ => scan_start_tag(w, start, eof),
    }
}

fn truncated(eof: bool, start: usize, what: &str) -> Scan {
    if eof {
        Scan::Error(
            start,
            format!("malformed XML: the file ends inside {what} (the file may be truncated)"),
        )
    } else {
        Scan::More
    }
}

/// End of a name: the first space, `/`, `>` or `=` at or after `from`.
fn name_end(w: &[u8], from: usize) -> Option<usize> {
    w[from..]
        .iter()
        .position(|&b| is_space_byte(b) || matches!(b, b'/' | b'>' | b'=' | b'<'))
        .map(|i| from + i)
}

fn scan_start_tag(w: &[u8], start: usize, eof: bool) -> Scan {
    let first = w[start + 1];
    if is_space_byte(first) || matches!(first, b'>' | b'=' | b'"' | b'\'') {
        return Scan::Error(
            start,
            "'<' must start a tag (write &lt; for a literal '<')".into(),
        );
    }
    let Some(name_end) = name_end(w, start + 1) else {
        return truncated(eof, start, "a tag");
    };
    if w[name_end] == b'<' || w[name_end] == b'=' {
        return Scan::Error(start, "malformed XML: a tag is not closed with '>'".into());
    }
    // Find the closing '>' outside quoted attribute values (tags are
    // short: a byte loop beats memchr here).
    let mut colon = w[start + 1..name_end].contains(&b':');
    let mut i = name_end;
    while let Some(&b) = w.get(i) {
        match b {
            b'>' => {
                return Scan::Found(Found::Start {
                    name_end,
                    end: i + 1,
                    colon,
                });
            }
            b'<' => {
                return Scan::Error(
                    start,
                    "malformed XML: a tag is not closed with '>' before the next '<'".into(),
                );
            }
            b'"' | b'\'' => match find1(&w[i + 1..], b) {
                Some(close) => i += close + 2,
                None => return truncated(eof, start, "an attribute value"),
            },
            b':' => {
                colon = true;
                i += 1;
            }
            _ => i += 1,
        }
    }
    truncated(eof, start, "a tag")
}

fn scan_end_tag(w: &[u8], start: usize, eof: bool) -> Scan {
    let Some(name_end) = name_end(w, start + 2) else {
        return truncated(eof, start, "an end tag");
    };
    let rest = &w[name_end..];
    match rest.iter().position(|&b| !is_space_byte(b)) {
        None => truncated(eof, start, "an end tag"),
        Some(k) if rest[k] == b'>' && name_end > start + 2 => Scan::Found(Found::End {
            name_end,
            end: name_end + k + 1,
        }),
        Some(_) => Scan::Error(
            start,
            "malformed XML: an end tag is not closed with '>'".into(),
        ),
    }
}

fn scan_pi(w: &[u8], start: usize, eof: bool) -> Scan {
    let Some(close) = memchr::memmem::find(&w[start + 2..], b"?>") else {
        return truncated(eof, start, "a processing instruction");
    };
    let end = start + 2 + close + 2;
    let target_end = name_end(w, start + 2).unwrap_or(end - 2).min(end - 2);
    let target = &w[start + 2..target_end];
    if target.is_empty() {
        return Scan::Error(start, "malformed XML: '<?' without a target name".into());
    }
    if target == b"xml" {
        return Scan::Found(Found::Decl(end));
    }
    if target.eq_ignore_ascii_case(b"xml") {
        return Scan::Error(
            start,
            "malformed XML: processing instruction names starting with 'xml' are reserved".into(),
        );
    }
    Scan::Found(Found::Pi(end))
}

fn scan_bang(w: &[u8], start: usize, eof: bool) -> Scan {
    let rest = &w[start..];
    let need = |prefix: &[u8]| -> Option<bool> {
        let n = prefix.len().min(rest.len());
        if rest[..n] != prefix[..n] {
            Some(false)
        } else if n < prefix.len() {
            None
        } else {
            Some(true)
        }
    };
    match need(b"<!--") {
        Some(true) => return scan_comment(w, start, eof),
        None => return truncated(eof, start, "a comment"),
        Some(false) => {}
    }
    match need(b"<![CDATA[") {
        Some(true) => {
            return match memchr::memmem::find(&w[start + 9..], b"]]>") {
                Some(k) => Scan::Found(Found::CData(start + 9 + k + 3)),
                None => truncated(eof, start, "a CDATA section"),
            };
        }
        None => return truncated(eof, start, "a CDATA section"),
        Some(false) => {}
    }
    match need(b"<!DOCTYPE") {
        Some(true) => scan_doctype(w, start, eof),
        None => truncated(eof, start, "a declaration"),
        Some(false) => Scan::Error(
            start,
            "malformed XML: '<!' must start a comment, a CDATA section or the DOCTYPE".into(),
        ),
    }
}

fn scan_comment(w: &[u8], start: usize, eof: bool) -> Scan {
    let body = start + 4;
    match memchr::memmem::find(&w[body..], b"--") {
        None => truncated(eof, start, "a comment"),
        Some(k) => match w.get(body + k + 2) {
            Some(b'>') => Scan::Found(Found::Comment(body + k + 3)),
            Some(_) => Scan::Error(
                body + k,
                "malformed XML: '--' is not allowed inside a comment".into(),
            ),
            None => truncated(eof, start, "a comment"),
        },
    }
}

/// The DOCTYPE ends at the first `>` outside quotes, comments and the
/// internal subset's brackets.
fn scan_doctype(w: &[u8], start: usize, eof: bool) -> Scan {
    let mut i = start + 9;
    let mut depth = 0usize;
    while i < w.len() {
        match w[i] {
            q @ (b'"' | b'\'') => match memchr::memchr(q, &w[i + 1..]) {
                Some(k) => i += k + 2,
                None => return truncated(eof, start, "the DOCTYPE"),
            },
            b'<' if w[i..].starts_with(b"<!--") => {
                match memchr::memmem::find(&w[i + 4..], b"-->") {
                    Some(k) => i += 4 + k + 3,
                    None => return truncated(eof, start, "the DOCTYPE"),
                }
            }
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'>' if depth == 0 => return Scan::Found(Found::DocType(i + 1)),
            _ => i += 1,
        }
    }
    truncated(eof, start, "the DOCTYPE")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(xml: &str) -> Result<Vec<String>, String> {
        let input = Input::new(xml.as_bytes()).map_err(|e| e.to_string())?;
        let mut lexer = Lexer::new(input);
        let mut out = Vec::new();
        loop {
            let ev = lexer.next_event().map_err(|e| match e {
                XmlError::Syntax { offset, message } => format!("{offset}: {message}"),
                XmlError::Io(e) => e.to_string(),
            })?;
            out.push(match ev {
                Event::Start(t) => format!("<{}|{}>", t.name, t.attrs_raw),
                Event::Empty(t) => format!("<{}|{}/>", t.name, t.attrs_raw),
                Event::End(n) => format!("</{n}>"),
                Event::Text(t) => format!("T{t}"),
                Event::CData(t) => format!("C{t}"),
                Event::Comment => "!--".into(),
                Event::Pi => "?".into(),
                Event::Decl => "?xml".into(),
                Event::DocType(d) => format!("D{d}"),
                Event::Eof => break,
            });
        }
        Ok(out)
    }

    #[test]
    fn tokenizes_every_construct() {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE tmx [<!ENTITY a \"x>y\"><!-- ] > -->]>\
                   <tmx a='1' b=\"x>y\"><!-- c --><?pi x?><e/><f g=\"/\"/>t&amp;<![CDATA[<z>]]></tmx>";
        assert_eq!(
            events(doc).unwrap(),
            [
                "?xml",
                "D tmx [<!ENTITY a \"x>y\"><!-- ] > -->]",
                "<tmx| a='1' b=\"x>y\">",
                "!--",
                "?",
                "<e|/>",
                "<f| g=\"/\"/>",
                "Tt&amp;",
                "C<z>",
                "</tmx>"
            ]
        );
    }

    #[test]
    fn attributes_are_split_and_checked() {
        let tag = Tag {
            name: "a",
            attrs_raw: " x=\"1\"\n y = 'two words' z=\"\"",
            colon: false,
        };
        let attrs: Vec<_> = tag.attributes().collect::<Result<_, _>>().unwrap();
        assert_eq!(attrs, [("x", "1"), ("y", "two words"), ("z", "")]);
        for bad in [" x", " x=1", " x=\"1\"y=\"2\"", " x=\"1"] {
            let tag = Tag {
                name: "a",
                attrs_raw: bad,
                colon: false,
            };
            assert!(tag.attributes().any(|a| a.is_err()), "{bad}");
        }
    }

    #[test]
    fn malformed_documents_are_refused_with_the_offset_of_the_fault() {
        for (doc, offset, words) in [
            ("<a></b>", 3, "expected </a>"),
            ("<a><!-- x -- y --></a>", 10, "'--'"),
            ("<a>x]]>y</a>", 3, "']]>'"),
            ("<a>< b</a>", 3, "'<' must start a tag"),
            ("<a><b", 3, "truncated"),
            ("<a x=\"1></a>", 0, "truncated"),
            ("<a><!-- x", 3, "truncated"),
            ("<a></a> <?xml version=\"1.0\"?>", 8, "XML declaration"),
            ("</a>", 0, "never opened"),
            ("<a><!ELEMENT x></a>", 3, "'<!'"),
        ] {
            let err = events(doc).unwrap_err();
            assert!(
                err.starts_with(&format!("{offset}: ")) && err.contains(words),
                "{doc}: {err}"
            );
        }
    }

    #[test]
    fn events_split_across_reads_are_whole() {
        // A reader handing out three bytes at a time.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let doc = format!(
            "<tmx>{}</tmx>",
            "<tu a=\"é\"><seg>日本語 text &amp; more</seg></tu>".repeat(2000)
        );
        let mut lexer = Lexer::new(Input::new(Slow(doc.as_bytes())).unwrap());
        let mut texts = 0;
        loop {
            match lexer.next_event().unwrap() {
                Event::Text(t) => {
                    assert_eq!(t, "日本語 text &amp; more");
                    texts += 1;
                }
                Event::Start(t) if t.name == "tu" => assert_eq!(t.attrs_raw, " a=\"é\""),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(texts, 2000);
    }
    /// Events as comparable strings: text runs (with their references) are
    /// joined, as quick-xml splits them at each reference.
    fn ours(doc: &str) -> Vec<String> {
        let mut lexer = Lexer::new(Input::new(doc.as_bytes()).unwrap());
        let mut out: Vec<String> = Vec::new();
        loop {
            match lexer.next_event().unwrap() {
                Event::Start(t) | Event::Empty(t) => {
                    let attrs: Vec<String> = t
                        .attributes()
                        .map(|a| {
                            let (k, v) = a.unwrap();
                            format!("{k}={v}")
                        })
                        .collect();
                    out.push(format!("<{} {}>", t.name, attrs.join(" ")));
                }
                Event::End(n) => out.push(format!("</{n}>")),
                Event::Text(t) => out.push(format!("T{t}")),
                Event::CData(t) => out.push(format!("C{t}")),
                Event::Comment => out.push("!".into()),
                Event::Pi => out.push("?".into()),
                Event::Decl | Event::DocType(_) => {}
                Event::Eof => return out,
            }
        }
    }

    fn quick_xml_events(doc: &str) -> Vec<String> {
        use quick_xml::events::Event as Q;
        let mut reader = quick_xml::Reader::from_str(doc);
        let mut out: Vec<String> = Vec::new();
        let mut text: Option<String> = None;
        loop {
            let ev = reader.read_event().unwrap();
            if !matches!(ev, Q::Text(_) | Q::GeneralRef(_))
                && let Some(t) = text.take()
            {
                out.push(format!("T{t}"));
            }
            match ev {
                Q::Start(e) | Q::Empty(e) => {
                    let attrs: Vec<String> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            format!("{}={}", a.key.0, a.value)
                        })
                        .collect();
                    let name = e.name().0.to_string();
                    out.push(format!("<{name} {}>", attrs.join(" ")));
                }
                Q::End(e) => out.push(format!("</{}>", e.name().0)),
                Q::Text(t) => text.get_or_insert_with(String::new).push_str(&t),
                Q::GeneralRef(r) => {
                    let t = text.get_or_insert_with(String::new);
                    t.push('&');
                    t.push_str(&r);
                    t.push(';');
                }
                Q::CData(c) => out.push(format!("C{}", &*c)),
                Q::Comment(_) => out.push("!".into()),
                Q::PI(_) => out.push("?".into()),
                Q::Decl(_) | Q::DocType(_) => {}
                Q::Eof => return out,
            }
        }
    }

    fn node() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let name = prop_oneof!["seg", "tuv", "x:ph", "b-1", "é"];
        let value = "[a-z />'&;=\\-]{0,6}".prop_map(|v| v.replace('&', "&amp;"));
        let text = "[a-z \n\t>\\]éあ]{1,8}"
            .prop_map(|t| t.replace("]]>", "]] >"))
            .prop_map(|t| format!("{t}&lt;"));
        let leaf = prop_oneof![
            text,
            "[a-z<&>]{0,5}".prop_map(|c| format!("<![CDATA[{c}]]>")),
            "[a-z>]{0,5}".prop_map(|c| format!("<!--{c}-->")),
            "[a-z]{1,3}".prop_map(|c| format!("<?pi {c}?>")),
        ];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            (
                name.clone(),
                proptest::collection::vec((0..3usize, value.clone(), any::<bool>()), 0..3),
                proptest::collection::vec(inner, 0..4),
                any::<bool>(),
            )
                .prop_map(|(name, attrs, children, spaced)| {
                    let mut tag = format!("<{name}");
                    for (i, (k, v, single)) in attrs.iter().enumerate() {
                        let q = if *single { '\'' } else { '"' };
                        let v = v.replace(q, "");
                        tag.push_str(&format!(
                            " a{k}{i}{}={q}{v}{q}",
                            if spaced { " " } else { "" }
                        ));
                    }
                    if children.is_empty() && spaced {
                        tag.push_str(" />");
                        return tag;
                    }
                    format!(
                        "{tag}>{}</{name}{}>",
                        children.concat(),
                        if spaced { " " } else { "" }
                    )
                })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]
        /// On well-formed documents the tokenizer sees what quick-xml sees.
        #[test]
        fn same_events_as_quick_xml(body in node()) {
            let doc = format!("<?xml version=\"1.0\"?>\n<root>{body}</root>\n");
            proptest::prop_assert_eq!(ours(&doc), quick_xml_events(&doc));
        }
    }
}
