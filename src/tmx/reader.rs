//! The streaming TMX reader: parses the prolog and `<header>` on open, then
//! yields one [`Tu`] at a time, in constant memory, from any byte source.
//!
//! Built on the crate's own XML tokenizer (`xml.rs`), which slices
//! events out of a decoded window without copying them. Every input is
//! checked as an XML 1.0 parser would (well-formedness, allowed characters,
//! declared entities); errors name the file, line and column and say what
//! was expected. Line and column are computed only when an error is
//! reported, from the byte offset.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::entities::{Entities, Resolved, is_xml_name};
use super::input::Input;
use super::model::{
    Attr, Header, Inline, InlineKind, MetaKind, Note, Prop, RawElement, SegPart, Tu, Tuv, Ude,
};
use super::pool::Pool;
use super::xml::{Event, Lexer, Tag, XmlError, find1, find2};
use crate::error::{Error, Location, Result};
use crate::files::is_stdio;

/// Deepest element nesting accepted inside a segment (guards the stack).
const MAX_DEPTH: usize = 256;
/// Entity text a document may expand beyond its own size before it is
/// refused as an amplification attack.
const ENTITY_ALLOWANCE: u64 = 64 << 20;

/// Results inside the parser: errors carry a byte offset, turned into a
/// line and column by [`TmxReader`], which owns the window.
type PResult<T> = std::result::Result<T, XmlError>;

/// Notices kept per file before further ones are only counted.
const MAX_NOTICES: usize = 10_000;

/// Something the file holds that the model keeps differently from how it
/// was written, or cannot keep. The reader goes on; `convert` and
/// `validate` decide what it means for their output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Where it starts.
    pub location: Location,
    /// What became of it.
    pub kind: NoticeKind,
    /// What it is, in words.
    pub message: String,
}

/// What became of something the model does not hold as TMX defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// An element TMX does not define (or a second `<seg>`), kept as written
    /// in a [`RawElement`]: a TMX output keeps it, flat outputs cannot.
    Kept,
    /// Content not kept: text where TMX allows only elements, markup inside
    /// `<note>`/`<prop>`, the tags of a wrapper around units.
    Lost,
    /// Kept, but where TMX does not allow it (a `<note>` after the `<seg>`);
    /// a TMX output writes it in its place.
    Misplaced,
    /// Kept, but the structure breaks a rule of TMX that loses nothing (no
    /// `<body>`, a `<prop>` without `type`).
    Invalid,
    /// A `<tuv>` with the `lang` of TMX 1.1–1.3 and no `xml:lang`: valid in
    /// those versions, not in 1.4.
    Legacy,
}

/// A notice as the parser records it: offset, line and column (when
/// computed at once), kind, message.
type PendingNotice = (u64, Option<(u64, u64)>, NoticeKind, String);

/// How to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Skip a broken `<tu>` and go on: the iterator yields the error (with
    /// its position) and then the next unit. Errors outside units still end
    /// the reading.
    pub lenient: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Body,
    Done,
}

/// A streaming TMX reader.
///
/// ```
/// use tmkit::tmx::TmxReader;
/// let xml = r#"<?xml version="1.0"?>
/// <tmx version="1.1"><header srclang="en" creationtool="x"/><body>
///   <tu tuid="1"><tuv lang="en"><seg>Hello</seg></tuv><tuv lang="fr"><seg>Bonjour</seg></tuv></tu>
/// </body></tmx>"#;
/// let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
/// assert_eq!(reader.header().srclang.as_deref(), Some("en"));
/// let tu = reader.next().unwrap().unwrap();
/// assert_eq!(tu.tuvs[1].lang, "fr");
/// assert_eq!(tu.tuvs[1].seg.plain_text(), "Bonjour");
/// assert!(reader.next().is_none());
/// ```
pub struct TmxReader<R: Read = Box<dyn Read + Send>> {
    lx: Lexer<R>,
    p: Parser,
    file: Option<PathBuf>,
}

/// Everything the reader keeps apart from the tokenizer, so events can
/// borrow the tokenizer's window while the parser builds units.
struct Parser {
    header: Header,
    entities: Entities,
    options: ReadOptions,
    state: State,
    entity_bytes: u64,
    last_tu_offset: u64,
    header_offset: u64,
    /// Unknown elements open around the current position in `<body>`.
    wrapper_depth: usize,
    /// Element depth, and namespace prefixes declared with the depth of the
    /// element that declared them.
    depth: u32,
    ns_decls: Vec<(String, u32)>,
    /// A `<tu>` start found while skipping a broken unit (lenient mode).
    pending_tu: Option<(Tu, bool, u64)>,
    in_tu: bool,
    /// [`TmxReader::skip_into`] is reading: units' content is skipped.
    skip_content: bool,
    tus_read: u64,
    /// Allocations of recycled units, filled again for the next ones.
    pool: Pool,
    /// Notices not yet taken: offset, line and column (when computed at
    /// once), kind, message.
    notices: Vec<PendingNotice>,
    notices_dropped: u64,
    /// Elements TMX does not define met in `<body>` since the last unit.
    body_pending: Vec<RawElement>,
    /// Elements TMX does not define after the last unit.
    trailer: Vec<RawElement>,
}

impl TmxReader {
    /// Opens a TMX file (`-` reads standard input) and parses its header.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, ReadOptions::default())
    }

    /// [`TmxReader::open`] with options.
    pub fn open_with(path: &Path, options: ReadOptions) -> Result<Self> {
        if is_stdio(path) {
            let stdin: Box<dyn Read + Send> = Box::new(std::io::stdin());
            return TmxReader::with_options(stdin, None, options);
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let boxed: Box<dyn Read + Send> = Box::new(file);
        TmxReader::with_options(boxed, Some(path), options)
    }
}

impl<R: Read> TmxReader<R> {
    /// Reads TMX from any byte source (a `BufRead` such as locked stdin, a
    /// file, a byte slice); `name` is the file named in errors.
    pub fn from_reader(reader: R, name: Option<&Path>) -> Result<Self> {
        Self::with_options(reader, name, ReadOptions::default())
    }

    /// [`TmxReader::from_reader`] with options.
    pub fn with_options(reader: R, name: Option<&Path>, options: ReadOptions) -> Result<Self> {
        let file = name.map(Path::to_path_buf);
        let input = Input::new(reader).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                Error::syntax(location_for(&file), e.to_string())
            } else {
                Error::io(display_path(&file), e)
            }
        })?;
        let mut reader = TmxReader {
            lx: Lexer::new(input),
            p: Parser {
                header: Header::default(),
                entities: Entities::default(),
                options,
                state: State::Done,
                entity_bytes: 0,
                last_tu_offset: 0,
                header_offset: 0,
                wrapper_depth: 0,
                depth: 0,
                ns_decls: Vec::new(),
                pending_tu: None,
                in_tu: false,
                skip_content: false,
                tus_read: 0,
                pool: Pool::default(),
                notices: Vec::new(),
                notices_dropped: 0,
                body_pending: Vec::new(),
                trailer: Vec::new(),
            },
            file,
        };
        if let Err(e) = reader.p.prolog_and_header(&mut reader.lx) {
            return Err(reader.to_error(e));
        }
        Ok(reader)
    }

    /// The header, parsed when the reader was opened.
    pub fn header(&self) -> &Header {
        &self.p.header
    }

    /// The encoding the input was decoded from (`UTF-8`, `UTF-16LE`, ...).
    pub fn encoding(&self) -> &'static str {
        self.lx.input().encoding_name()
    }

    /// Where the most recently read `<tu>` starts.
    pub fn last_tu_location(&self) -> Location {
        self.location_at(self.p.last_tu_offset)
    }

    /// Where the `<header>` starts (the root `<tmx>` when there is none).
    pub fn header_location(&self) -> Location {
        self.location_at(self.p.header_offset)
    }

    /// Bytes of (UTF-8) input parsed so far.
    pub fn bytes_read(&self) -> u64 {
        self.lx.offset()
    }

    /// The file named in errors.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The location of a byte offset, or of the file alone when the offset
    /// has left the retained window.
    pub(crate) fn location_at(&self, offset: u64) -> Location {
        let mut loc = location_for(&self.file);
        if let Some((line, col)) = self.lx.input().position(offset) {
            loc = loc.at(line, col);
        }
        loc
    }

    fn to_error(&self, e: XmlError) -> Error {
        match e {
            XmlError::Io(io) => Error::io(display_path(&self.file), io),
            XmlError::Syntax {
                offset,
                mut message,
            } => {
                let loc = self.location_at(offset);
                if loc.line.is_none() {
                    message.push_str(&format!(" (at byte {offset})"));
                }
                Error::syntax(loc, message)
            }
        }
    }

    /// Takes the notices found since the last call, in document order:
    /// elements kept as written, content not kept, elements out of place.
    /// At most 10,000 are kept between calls (see
    /// [`TmxReader::notices_dropped`]).
    ///
    /// ```
    /// use tmkit::tmx::{NoticeKind, TmxReader};
    /// let xml = r#"<tmx version="1.4"><header srclang="en"/><body>
    ///   <tu><x-origin app="cat"/><tuv xml:lang="en"><seg>One</seg><seg>Two</seg></tuv></tu>
    /// </body></tmx>"#;
    /// let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
    /// let tu = reader.next().unwrap().unwrap();
    /// assert_eq!(tu.extensions[0].xml, r#"<x-origin app="cat"/>"#);
    /// assert_eq!(tu.tuvs[0].extensions[0].xml, "<seg>Two</seg>");
    /// let notices = reader.take_notices();
    /// assert_eq!(notices.len(), 2);
    /// assert!(notices.iter().all(|n| n.kind == NoticeKind::Kept));
    /// assert_eq!(notices[1].location.to_string(), "<stdin>:2:61");
    /// ```
    pub fn take_notices(&mut self) -> Vec<Notice> {
        let notices = std::mem::take(&mut self.p.notices);
        notices
            .into_iter()
            .map(|(offset, pos, kind, message)| {
                let location = match pos {
                    Some((line, col)) => location_for(&self.file).at(line, col),
                    None => self.location_at(offset),
                };
                Notice {
                    location,
                    kind,
                    message,
                }
            })
            .collect()
    }

    /// Notices found but not kept (more than 10,000 between two calls of
    /// [`TmxReader::take_notices`]).
    pub fn notices_dropped(&self) -> u64 {
        self.p.notices_dropped
    }

    /// Elements TMX does not define that followed the last unit, known once
    /// every unit has been read.
    pub fn trailer(&self) -> &[RawElement] {
        &self.p.trailer
    }

    /// Units read so far.
    pub fn tus_read(&self) -> u64 {
        self.p.tus_read
    }

    /// Reads the next unit into `tu`, replacing what it held (whose strings
    /// and vectors are reused): the fastest way to stream a memory, as no
    /// unit is moved or freed. Yields what [`Iterator::next`] yields; after
    /// an error, `tu` holds whatever was read of the broken unit.
    ///
    /// ```
    /// use tmkit::tmx::{TmxReader, Tu};
    /// let xml = r#"<tmx version="1.4"><header srclang="en"/><body>
    ///   <tu tuid="1"><tuv xml:lang="en"><seg>One</seg></tuv></tu>
    ///   <tu><tuv xml:lang="en"><seg>Two</seg></tuv></tu>
    /// </body></tmx>"#;
    /// let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
    /// let mut tu = Tu::default();
    /// let mut seen = Vec::new();
    /// while let Some(result) = reader.next_into(&mut tu) {
    ///     result.unwrap();
    ///     seen.push((tu.tuid.clone(), tu.tuvs[0].seg.plain_text()));
    /// }
    /// assert_eq!(seen, [(Some("1".into()), "One".into()), (None, "Two".into())]);
    /// ```
    pub fn next_into(&mut self, tu: &mut Tu) -> Option<Result<()>> {
        if self.p.state == State::Done {
            return None;
        }
        self.p.pool.clear_tu(tu);
        match self.p.next_tu(&mut self.lx, tu) {
            Ok(true) => {
                self.p.tus_read += 1;
                Some(Ok(()))
            }
            Ok(false) => {
                self.p.state = State::Done;
                None
            }
            Err(e) => {
                let inside_tu = std::mem::take(&mut self.p.in_tu) && !matches!(e, XmlError::Io(_));
                // Located before resynchronising moves the window on.
                let err = self.to_error(e);
                if !(self.p.options.lenient && inside_tu && self.p.resync(&mut self.lx)) {
                    self.p.state = State::Done;
                }
                Some(Err(err))
            }
        }
    }

    /// Reads past the next unit: `tu` gets its attributes (`tuid`, dates,
    /// ...) but nothing of its content (no variants, props or notes), which
    /// is only tokenized. Yields what [`TmxReader::next_into`] yields for
    /// the same unit, with one difference: problems that only building the
    /// content finds (a bad reference, a malformed attribute inside the
    /// unit, an element TMX does not allow there) go unseen. For a second
    /// pass over input already read in full, such as the one of
    /// [`crate::tmx::merge`], where most units are not needed again.
    ///
    /// ```
    /// use tmkit::tmx::{TmxReader, Tu};
    /// let xml = r#"<tmx version="1.4"><header srclang="en"/><body>
    ///   <tu tuid="1"><tuv xml:lang="en"><seg>One</seg></tuv></tu>
    ///   <tu tuid="2"><tuv xml:lang="en"><seg>Two</seg></tuv></tu>
    /// </body></tmx>"#;
    /// let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
    /// let mut tu = Tu::default();
    /// reader.skip_into(&mut tu).unwrap().unwrap();
    /// assert_eq!((tu.tuid.as_deref(), tu.tuvs.len()), (Some("1"), 0));
    /// reader.next_into(&mut tu).unwrap().unwrap();
    /// assert_eq!(tu.tuvs[0].seg.plain_text(), "Two");
    /// assert!(reader.skip_into(&mut tu).is_none());
    /// ```
    pub fn skip_into(&mut self, tu: &mut Tu) -> Option<Result<()>> {
        self.p.skip_content = true;
        let result = self.next_into(tu);
        self.p.skip_content = false;
        result
    }

    /// Gives back a unit the caller has finished with: its strings and
    /// vectors are reused for the next units, which saves most of the
    /// allocator's work on a long stream. Optional; memory stays bounded.
    ///
    /// ```
    /// use tmkit::tmx::TmxReader;
    /// let xml = r#"<tmx version="1.4"><header srclang="en"/><body>
    ///   <tu><tuv xml:lang="en"><seg>One</seg></tuv></tu>
    ///   <tu><tuv xml:lang="en"><seg>Two</seg></tuv></tu>
    /// </body></tmx>"#;
    /// let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
    /// let mut texts = Vec::new();
    /// while let Some(tu) = reader.next() {
    ///     let tu = tu.unwrap();
    ///     texts.push(tu.tuvs[0].seg.plain_text());
    ///     reader.recycle(tu);
    /// }
    /// assert_eq!(texts, ["One", "Two"]);
    /// ```
    pub fn recycle(&mut self, tu: Tu) {
        self.p.pool.put_tu(tu);
    }
}

impl<R: Read> Iterator for TmxReader<R> {
    type Item = Result<Tu>;

    fn next(&mut self) -> Option<Result<Tu>> {
        if self.p.state == State::Done {
            return None;
        }
        let mut tu = self.p.pool.tu();
        match self.next_into(&mut tu) {
            Some(Ok(())) => Some(Ok(tu)),
            other => {
                self.p.pool.put_tu(tu);
                other.map(|r| r.map(|()| Tu::default()))
            }
        }
    }
}

impl Parser {
    /// Reads the next event, checking element names and namespace prefixes.
    /// `offset` is where it starts ([`Lexer::offset`] before the call).
    #[inline(always)]
    fn read<'l, S: Read>(&mut self, lx: &'l mut Lexer<S>, offset: u64) -> PResult<Event<'l>> {
        let ev = lx.next_event()?;
        match &ev {
            Event::Start(tag) | Event::Empty(tag) => {
                if !is_xml_name(tag.name) {
                    return Err(XmlError::at(
                        offset,
                        format!("{:?} is not a valid element name", tag.name),
                    ));
                }
                let problem = self.ns_enter(tag);
                if matches!(ev, Event::Empty(_)) {
                    self.ns_leave();
                }
                if let Some(msg) = problem {
                    return Err(XmlError::at(offset, msg));
                }
            }
            Event::End(_) => self.ns_leave(),
            _ => {}
        }
        Ok(ev)
    }

    /// The next thing inside an element whose content is elements: a child
    /// element, the parent's end tag, or something already checked and
    /// skipped (white space, comments, processing instructions). `end` names
    /// what a truncated file lacks.
    #[inline(always)]
    fn next_child<'l, S: Read>(&mut self, lx: &'l mut Lexer<S>, end: &str) -> PResult<Child<'l>> {
        let offset = lx.offset();
        Ok(match self.read(lx, offset)? {
            Event::Start(tag) => Child::Tag(tag, false, offset),
            Event::Empty(tag) => Child::Tag(tag, true, offset),
            Event::End(_) => Child::End,
            Event::Text(t) => {
                let blank = t.bytes().all(|b| b.is_ascii_whitespace());
                self.discard_text(t, offset)?;
                if !blank {
                    self.stray_text(None::<&Lexer<S>>, offset, end);
                }
                Child::Skipped
            }
            Event::CData(_) => {
                self.stray_text(None::<&Lexer<S>>, offset, end);
                Child::Skipped
            }
            Event::Eof => return Err(Self::unexpected_eof(offset, end)),
            _ => Child::Skipped,
        })
    }

    /// Records a notice at `offset` (kept up to [`MAX_NOTICES`]).
    /// The position is computed now when the tokenizer is at hand (else
    /// when the notices are taken).
    #[cold]
    fn notice<S: Read>(
        &mut self,
        lx: Option<&Lexer<S>>,
        offset: u64,
        kind: NoticeKind,
        message: String,
    ) {
        if self.notices.len() < MAX_NOTICES {
            let pos = lx.and_then(|lx| lx.input().position(offset));
            self.notices.push((offset, pos, kind, message));
        } else {
            self.notices_dropped += 1;
        }
    }

    #[cold]
    fn stray_text<S: Read>(&mut self, lx: Option<&Lexer<S>>, offset: u64, end: &str) {
        self.notice(
            lx,
            offset,
            NoticeKind::Lost,
            format!("text where TMX allows only elements (before {end}) is not kept"),
        );
    }

    /// Reads the rest of an element whose start tag (at `offset`) was the
    /// last event, checking it as any content, and returns its markup as
    /// written. In `<body>` (`unit` given), a `<tu>` inside it ends the
    /// capture: the element is a wrapper, and the unit is started.
    #[cold]
    fn capture<S: Read>(
        &mut self,
        lx: &mut Lexer<S>,
        offset: u64,
        empty: bool,
        unit: Option<&mut Tu>,
        xml: &mut String,
    ) -> PResult<Option<WrappedUnit>> {
        xml.push_str(lx.raw_since(offset));
        let mut depth = usize::from(!empty);
        while depth > 0 {
            let at = lx.offset();
            let event = self.read(lx, at)?;
            let empty_tag = matches!(event, Event::Empty(_));
            match event {
                Event::Start(tag) | Event::Empty(tag)
                    if unit.is_some() && local(tag.name) == "tu" =>
                {
                    if let Some(tu) = unit {
                        self.tu_start(&tag, at, tu)?;
                    }
                    return Ok(Some(WrappedUnit {
                        empty: empty_tag,
                        offset: at,
                        depth,
                    }));
                }
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Text(t) => self.discard_text(t, at)?,
                Event::Eof => {
                    return Err(Self::unexpected_eof(at, "the end of the element"));
                }
                _ => {}
            }
            xml.push_str(lx.raw_since(at));
        }
        Ok(None)
    }

    /// Checks the start tag of an element TMX does not define (at
    /// `offset`) and returns its name, to be captured with
    /// [`Parser::unknown`].
    #[cold]
    fn unknown_tag(&mut self, tag: &Tag<'_>, offset: u64) -> PResult<String> {
        self.for_each_attr(tag, offset, |_, _, _| {})?;
        Ok(tag.name.to_string())
    }

    /// Captures an element TMX does not define in `parent` (its start tag,
    /// named `name`, was the last event), with a notice.
    #[cold]
    fn unknown<S: Read>(
        &mut self,
        lx: &mut Lexer<S>,
        name: &str,
        parent: &str,
        offset: u64,
        empty: bool,
    ) -> PResult<String> {
        let mut xml = String::new();
        self.capture(lx, offset, empty, None, &mut xml)?;
        self.notice(
            Some(lx),
            offset,
            NoticeKind::Kept,
            format!("<{name}> in <{parent}> is not a TMX element"),
        );
        Ok(xml)
    }

    /// Enters an element: records its namespace declarations and checks
    /// that every prefix it uses is declared (as namespace-aware parsers
    /// require). Returns the problem, if any.
    fn ns_enter(&mut self, tag: &Tag<'_>) -> Option<String> {
        self.depth += 1;
        let name = tag.name;
        if !tag.colon || (find1(name.as_bytes(), b':').is_none() && !uses_prefixes(tag.attrs_raw)) {
            return None;
        }
        for (key, _) in tag.attributes().flatten() {
            if let Some(prefix) = key.strip_prefix("xmlns:") {
                self.ns_decls.push((prefix.to_string(), self.depth));
            }
        }
        let declared = |decls: &[(String, u32)], prefix: &str| {
            prefix == "xml" || decls.iter().rev().any(|(p, _)| p == prefix)
        };
        if let Some((prefix, _)) = name.split_once(':')
            && !declared(&self.ns_decls, prefix)
        {
            return Some(format!(
                "namespace prefix {prefix:?} of <{name}> is not declared"
            ));
        }
        for (key, _) in tag.attributes().flatten() {
            if let Some((prefix, _)) = key.split_once(':')
                && prefix != "xmlns"
                && !declared(&self.ns_decls, prefix)
            {
                return Some(format!(
                    "namespace prefix {prefix:?} of attribute {key} on <{name}> is not declared"
                ));
            }
        }
        None
    }

    /// Leaves an element: forgets its namespace declarations.
    fn ns_leave(&mut self) {
        while self.ns_decls.last().is_some_and(|(_, d)| *d >= self.depth) {
            self.ns_decls.pop();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn unexpected_eof(offset: u64, expected: &str) -> XmlError {
        XmlError::at(
            offset,
            format!("unexpected end of file: expected {expected} (the file is truncated)"),
        )
    }

    fn prolog_and_header<S: Read>(&mut self, lx: &mut Lexer<S>) -> PResult<()> {
        // Prolog up to the root element.
        let root_empty = loop {
            let offset = lx.offset();
            match self.read(lx, offset)? {
                Event::Decl | Event::Comment | Event::Pi => {}
                Event::DocType(d) => {
                    let text = d.replace("\r\n", "\n");
                    self.entities = Entities::from_doctype(&text)
                        .map_err(|m| XmlError::at(offset, format!("in the DOCTYPE: {m}")))?;
                }
                Event::Text(t) => {
                    if !t.bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(XmlError::at(
                            offset,
                            "text before the root element: expected <tmx>",
                        ));
                    }
                }
                Event::CData(_) => {
                    return Err(XmlError::at(
                        offset,
                        "content before the root element: expected <tmx>",
                    ));
                }
                Event::Start(e) | Event::Empty(e) if local(e.name) != "tmx" => {
                    return Err(XmlError::at(
                        offset,
                        format!(
                            "the root element is <{}>: expected <tmx> (is this a TMX file?)",
                            e.name
                        ),
                    ));
                }
                Event::Start(e) => {
                    self.header_offset = offset;
                    self.root_attrs(&e, offset)?;
                    break false;
                }
                Event::Empty(e) => {
                    self.header_offset = offset;
                    self.root_attrs(&e, offset)?;
                    break true;
                }
                Event::End(_) => {
                    return Err(XmlError::at(offset, "end tag before the root element"));
                }
                Event::Eof => {
                    return Err(XmlError::at(
                        offset,
                        "no <tmx> element: the file is empty or not XML",
                    ));
                }
            }
        };
        if root_empty {
            let at = lx.offset();
            self.notice(
                Some(lx),
                at,
                NoticeKind::Invalid,
                "<tmx/> is empty: TMX requires a <header> and a <body>".into(),
            );
            return self.finish_document(lx);
        }
        // Inside <tmx>: header, then body.
        loop {
            let (tag, empty, offset) = match self.next_child(lx, "<body> and </tmx>")? {
                Child::Tag(tag, empty, offset) => (tag, empty, offset),
                // </tmx> without a body: a memory with no units.
                Child::End => {
                    let at = lx.offset();
                    self.notice(
                        Some(lx),
                        at,
                        NoticeKind::Invalid,
                        "no <body> before </tmx>: TMX requires one (it may be empty)".into(),
                    );
                    return self.finish_document(lx);
                }
                Child::Skipped => continue,
            };
            match local(tag.name) {
                "header" if !self.header.present => {
                    self.header_offset = offset;
                    let attrs = self.attrs(&tag, offset)?;
                    self.header_attrs(attrs);
                    if !empty {
                        self.header_children(lx)?;
                    }
                }
                "body" => {
                    self.header.body_attrs = self.attrs(&tag, offset)?;
                    if empty {
                        return self.expect_root_end(lx);
                    }
                    self.state = State::Body;
                    return Ok(());
                }
                _ => {
                    let name = self.unknown_tag(&tag, offset)?;
                    let xml = self.unknown(lx, &name, "tmx", offset, empty)?;
                    self.header.root_extensions.push(RawElement::new(xml, 0));
                }
            }
        }
    }
}

impl Parser {
    fn root_attrs(&mut self, e: &Tag<'_>, offset: u64) -> PResult<()> {
        for a in self.attrs(e, offset)? {
            if a.name == "version" {
                self.header.version = Some(a.value);
            } else {
                self.header.root_attrs.push(a);
            }
        }
        Ok(())
    }

    fn header_attrs(&mut self, attrs: Vec<Attr>) {
        self.header.present = true;
        for a in attrs {
            if let Some(v) = self.header.set_known(&a.name, a.value) {
                self.header.extra.push(Attr {
                    name: a.name,
                    value: v,
                });
            }
        }
    }

    fn header_children<S: Read>(&mut self, lx: &mut Lexer<S>) -> PResult<()> {
        loop {
            let (tag, empty, offset) = match self.next_child(lx, "</header>")? {
                Child::Tag(tag, empty, offset) => (tag, empty, offset),
                Child::End => return Ok(()),
                Child::Skipped => continue,
            };
            let name = classify(local(tag.name));
            let tag_name =
                matches!(name, Name::Other | Name::Tuv | Name::Seg).then(|| tag.name.to_string());
            let attrs = self.attrs(&tag, offset)?;
            match name {
                Name::Note => {
                    let note = self.note(lx, attrs, empty)?;
                    self.header.notes.push(note);
                    self.header.meta_order.push(MetaKind::Note);
                }
                Name::Prop => {
                    let prop = self.prop(lx, attrs, empty)?;
                    self.header.props.push(prop);
                    self.header.meta_order.push(MetaKind::Prop);
                }
                Name::Ude => {
                    let ude = if empty {
                        Ude {
                            attrs,
                            maps: Vec::new(),
                        }
                    } else {
                        self.ude(lx, attrs)?
                    };
                    self.header.udes.push(ude);
                    self.header.meta_order.push(MetaKind::Ude);
                }
                Name::Other | Name::Tuv | Name::Seg => {
                    self.pool.put_attrs(attrs);
                    let name = tag_name.unwrap_or_default();
                    let xml = self.unknown(lx, &name, "header", offset, empty)?;
                    self.header.extensions.push(RawElement::new(xml, 0));
                }
            }
        }
    }

    fn ude<S: Read>(&mut self, lx: &mut Lexer<S>, attrs: Vec<Attr>) -> PResult<Ude> {
        let mut ude = Ude {
            attrs,
            maps: Vec::new(),
        };
        loop {
            let offset = lx.offset();
            match self.read(lx, offset)? {
                Event::Start(e) => {
                    let name = local(e.name).to_string();
                    if name == "map" {
                        let attrs = self.attrs(&e, offset)?;
                        ude.maps.push(attrs);
                    }
                    self.skip_element(lx, &name)?;
                    self.notice(
                        Some(lx),
                        offset,
                        NoticeKind::Lost,
                        format!("<{name}> with content inside <ude> is not kept (TMX allows only empty <map/>)"),
                    );
                }
                Event::Empty(e) if local(e.name) != "map" => {
                    let name = e.name.to_string();
                    self.notice(
                        Some(lx),
                        offset,
                        NoticeKind::Lost,
                        format!("<{name}/> inside <ude> is not kept (TMX allows only <map/>)"),
                    );
                }
                Event::Empty(e) if local(e.name) == "map" => {
                    let attrs = self.attrs(&e, offset)?;
                    ude.maps.push(attrs);
                }
                Event::End(_) => return Ok(ude),
                Event::Text(t) => self.discard_text(t, offset)?,
                Event::Eof => return Err(Self::unexpected_eof(offset, "</ude>")),
                _ => {}
            }
        }
    }

    /// After `</body>`: expects `</tmx>`, then only comments and whitespace.
    fn expect_root_end<S: Read>(&mut self, lx: &mut Lexer<S>) -> PResult<()> {
        loop {
            let offset = lx.offset();
            let event = self.read(lx, offset)?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::End(_) => return self.finish_document(lx),
                Event::Start(e) | Event::Empty(e) => {
                    let name = self.unknown_tag(&e, offset)?;
                    let xml = self.unknown(lx, &name, "tmx", offset, empty)?;
                    self.trailer.push(RawElement::new(xml, 1));
                }
                Event::Text(t) => {
                    let blank = t.bytes().all(|b| b.is_ascii_whitespace());
                    self.discard_text(t, offset)?;
                    if !blank {
                        self.stray_text(Some(lx), offset, "</tmx>");
                    }
                }
                Event::CData(_) => self.stray_text(Some(lx), offset, "</tmx>"),
                Event::Eof => return Err(Self::unexpected_eof(offset, "</tmx>")),
                _ => {}
            }
        }
    }

    /// After `</tmx>`: only comments, processing instructions and whitespace.
    fn finish_document<S: Read>(&mut self, lx: &mut Lexer<S>) -> PResult<()> {
        self.state = State::Done;
        loop {
            let offset = lx.offset();
            match self.read(lx, offset)? {
                Event::Eof => return Ok(()),
                Event::Comment | Event::Pi => {}
                Event::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
                _ => {
                    return Err(XmlError::at(
                        offset,
                        "content after the end of the root element </tmx>",
                    ));
                }
            }
        }
    }

    /// Reads attributes: names as written, values normalized as XML requires
    /// (entities resolved, literal whitespace turned into spaces).
    fn attrs(&mut self, e: &Tag<'_>, offset: u64) -> PResult<Vec<Attr>> {
        let mut out = self.pool.attrs();
        self.for_each_attr(e, offset, |pool, name, value| {
            out.push(Attr {
                name: pool.string(name),
                value: pool.own(value),
            })
        })?;
        Ok(out)
    }

    fn attr_value<'v>(&mut self, raw: &'v str) -> std::result::Result<Cow<'v, str>, String> {
        if !raw
            .bytes()
            .any(|b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
        {
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(i) = rest.find(['&', '<', '\t', '\n', '\r']) {
            out.push_str(&rest[..i]);
            let c = rest.as_bytes()[i];
            rest = &rest[i + 1..];
            match c {
                b'<' => return Err("'<' is not allowed in an attribute value (write &lt;)".into()),
                b'\r' => {
                    out.push(' ');
                    if rest.starts_with('\n') {
                        rest = &rest[1..];
                    }
                }
                b'\t' | b'\n' => out.push(' '),
                _ => {
                    let semi = rest.find(';').ok_or(
                        "'&' must start a reference such as &amp; (write &amp; for a literal '&')",
                    )?;
                    match self.entities.resolve(&rest[..semi])? {
                        Resolved::Char(c) => out.push(c),
                        Resolved::Text(t) => {
                            self.entity_bytes += t.len() as u64;
                            out.extend(t.chars().map(|c| {
                                if matches!(c, '\t' | '\n' | '\r') {
                                    ' '
                                } else {
                                    c
                                }
                            }));
                        }
                        Resolved::Markup(_) => {
                            return Err(format!(
                                "entity &{}; holds markup, which an attribute value cannot",
                                &rest[..semi]
                            ));
                        }
                        Resolved::Nothing => {}
                    }
                    rest = &rest[semi + 1..];
                }
            }
        }
        out.push_str(rest);
        Ok(Cow::Owned(out))
    }

    /// Appends character data as written (references unresolved, line ends
    /// not normalized) to `parts`, as an XML parser reports it. `offset` is
    /// where `raw` starts (errors point into it; it also bounds entity
    /// expansion).
    fn push_raw_text(
        &mut self,
        raw: &str,
        offset: u64,
        parts: &mut Vec<SegPart>,
        depth: usize,
    ) -> PResult<()> {
        let bytes = raw.as_bytes();
        let Some(first) = find2(bytes, b'&', b'\r') else {
            push_text(&mut self.pool, parts, raw);
            return Ok(());
        };
        // Pieces go straight into the text run being built; only a declared
        // entity (which may hold elements) goes through `resolve_into`.
        let mut text = last_text(&mut self.pool, parts);
        text.push_str(&raw[..first]);
        let mut at = first;
        loop {
            let mut from = at + 1;
            if bytes[at] == b'\r' {
                // XML 1.0 §2.11: CR LF and lone CR are read as LF.
                text.push('\n');
                if bytes.get(from) == Some(&b'\n') {
                    from += 1;
                }
            } else {
                let ref_offset = offset + at as u64;
                let Some(semi) = find1(&bytes[from..], b';') else {
                    parts.push(SegPart::Text(text));
                    return Err(XmlError::at(
                        ref_offset,
                        "'&' must start a reference such as &amp; or &#160; (write &amp; for a literal '&')",
                    ));
                };
                let name = &raw[from..from + semi];
                from += semi + 1;
                match predefined_char(name) {
                    Some(c) => text.push(c),
                    None => {
                        parts.push(SegPart::Text(text));
                        self.resolve_into(name, ref_offset, parts, depth)?;
                        text = last_text(&mut self.pool, parts);
                    }
                }
            }
            match find2(&bytes[from..], b'&', b'\r') {
                Some(k) => {
                    text.push_str(&raw[from..from + k]);
                    at = from + k;
                }
                None => {
                    text.push_str(&raw[from..]);
                    break;
                }
            }
        }
        if !text.is_empty() {
            parts.push(SegPart::Text(text));
        } else {
            self.pool.put_string(text);
        }
        Ok(())
    }

    /// Checks the references in text the reader does not keep (white space
    /// between elements, content of skipped elements).
    fn discard_text(&mut self, raw: &str, offset: u64) -> PResult<()> {
        if find1(raw.as_bytes(), b'&').is_none() {
            return Ok(());
        }
        let mut sink = Vec::new();
        self.push_raw_text(raw, offset, &mut sink, 0)?;
        self.pool.put_parts(sink);
        Ok(())
    }

    /// Resolves a reference in content, appending what it stands for to
    /// `parts` (text, or the elements of an entity that holds markup).
    fn resolve_into(
        &mut self,
        name: &str,
        offset: u64,
        parts: &mut Vec<SegPart>,
        depth: usize,
    ) -> PResult<()> {
        let bomb = || {
            XmlError::at(
                offset,
                "entities expand to far more text than the file holds: refusing an entity expansion attack",
            )
        };
        let allowance = ENTITY_ALLOWANCE + 16 * offset;
        let markup = match self
            .entities
            .resolve(name)
            .map_err(|m| XmlError::at(offset, m))?
        {
            Resolved::Char(c) => {
                let mut tmp = [0u8; 4];
                push_text(&mut self.pool, parts, c.encode_utf8(&mut tmp));
                return Ok(());
            }
            Resolved::Text(t) => {
                self.entity_bytes += t.len() as u64;
                if self.entity_bytes > allowance {
                    return Err(bomb());
                }
                push_text(&mut self.pool, parts, t);
                return Ok(());
            }
            Resolved::Markup(m) => m.to_string(),
            Resolved::Nothing => {
                // Never fetched (no file or network read), but not silently:
                // the text it stands for is missing from the segment.
                self.notice(
                    None::<&Lexer<&[u8]>>,
                    offset,
                    NoticeKind::Lost,
                    format!(
                        "&{name}; is an external entity, which is not loaded: its text is missing"
                    ),
                );
                return Ok(());
            }
        };
        self.entity_bytes += markup.len() as u64;
        if self.entity_bytes > allowance {
            return Err(bomb());
        }
        self.fragment(&markup, name, offset, parts, depth + 1)
    }

    /// Parses the replacement text of an entity that holds markup as
    /// content, as an XML parser does where the entity is referenced.
    fn fragment(
        &mut self,
        text: &str,
        entity: &str,
        offset: u64,
        parts: &mut Vec<SegPart>,
        depth: usize,
    ) -> PResult<()> {
        let bad = |what: String| {
            XmlError::at(
                offset,
                format!("in the replacement text of &{entity};: {what}"),
            )
        };
        if depth > MAX_DEPTH {
            return Err(XmlError::at(
                offset,
                format!("entity &{entity}; is nested too deeply"),
            ));
        }
        let input = Input::new(text.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let mut lx = Lexer::new(input);
        let depth_before = self.depth;
        let result = self.content(&mut lx, None, parts, depth);
        self.depth = depth_before;
        result.map_err(|e| match e {
            XmlError::Syntax { message, .. } => bad(message),
            io => io,
        })
    }

    /// Skips an element whose start tag was just read, checking its content.
    fn skip_element<S: Read>(&mut self, lx: &mut Lexer<S>, name: &str) -> PResult<()> {
        let mut depth = 1usize;
        loop {
            let offset = lx.offset();
            match self.read(lx, offset)? {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::Text(t) => self.discard_text(t, offset)?,
                Event::Eof => return Err(Self::unexpected_eof(offset, &format!("</{name}>"))),
                _ => {}
            }
        }
    }

    /// Mixed content up to the end tag of the element just opened (`name`),
    /// or to the end of an entity's replacement text (`None`).
    fn content<S: Read>(
        &mut self,
        lx: &mut Lexer<S>,
        name: Option<&str>,
        parts: &mut Vec<SegPart>,
        depth: usize,
    ) -> PResult<()> {
        if depth > MAX_DEPTH {
            return Err(XmlError::at(
                lx.offset(),
                "inline elements nested too deeply",
            ));
        }
        loop {
            let offset = lx.offset();
            match self.read(lx, offset)? {
                Event::Text(t) => self.push_raw_text(t, offset, parts, depth)?,
                Event::CData(c) => push_cdata(&mut self.pool, parts, c),
                Event::Start(e) => {
                    let kind = InlineKind::from_name(local(e.name));
                    let attrs = self.attrs(&e, offset)?;
                    let mut content = self.pool.parts();
                    self.content(lx, Some(kind.name()), &mut content, depth + 1)?;
                    parts.push(SegPart::Inline(Inline {
                        kind,
                        attrs,
                        content,
                    }));
                }
                Event::Empty(e) => {
                    let kind = InlineKind::from_name(local(e.name));
                    let attrs = self.attrs(&e, offset)?;
                    parts.push(SegPart::Inline(Inline {
                        kind,
                        attrs,
                        content: Vec::new(),
                    }));
                }
                Event::End(_) => return Ok(()),
                Event::Eof => {
                    return match name {
                        None => Ok(()),
                        Some(name) => Err(Self::unexpected_eof(offset, &format!("</{name}>"))),
                    };
                }
                Event::Comment | Event::Pi => {}
                Event::Decl | Event::DocType(_) => {
                    return Err(XmlError::at(
                        offset,
                        "an XML declaration or DOCTYPE inside an element",
                    ));
                }
            }
        }
    }

    fn text_of<S: Read>(&mut self, lx: &mut Lexer<S>, name: &str, empty: bool) -> PResult<String> {
        if empty {
            return Ok(String::new());
        }
        let mut parts = self.pool.parts();
        self.content(lx, Some(name), &mut parts, 1)?;
        if let [SegPart::Text(_)] = parts.as_slice()
            && let Some(SegPart::Text(text)) = parts.pop()
        {
            self.pool.put_parts(parts);
            return Ok(text);
        }
        if parts.iter().any(|p| matches!(p, SegPart::Inline(_))) {
            let at = lx.offset();
            self.notice(
                Some(lx),
                at,
                NoticeKind::Lost,
                format!("markup inside <{name}> (before this point) is not kept, only its text"),
            );
        }
        let seg = super::model::Seg {
            parts,
            attrs: Vec::new(),
        };
        let text = seg.plain_text();
        self.pool.put_parts(seg.parts);
        Ok(text)
    }

    fn note<S: Read>(
        &mut self,
        lx: &mut Lexer<S>,
        mut attrs: Vec<Attr>,
        empty: bool,
    ) -> PResult<Note> {
        legacy_lang(&mut attrs);
        let text = self.text_of(lx, "note", empty)?;
        Ok(Note { text, attrs })
    }

    fn prop<S: Read>(
        &mut self,
        lx: &mut Lexer<S>,
        mut attrs: Vec<Attr>,
        empty: bool,
    ) -> PResult<Prop> {
        legacy_lang(&mut attrs);
        let kind = match attrs.iter().position(|a| a.name == "type") {
            Some(i) => {
                let attr = attrs.remove(i);
                self.pool.put_string(attr.name);
                attr.value
            }
            None => {
                let at = lx.offset();
                self.notice(
                    Some(lx),
                    at,
                    NoticeKind::Invalid,
                    "a <prop> without the required type attribute (ending before this point)"
                        .into(),
                );
                String::new()
            }
        };
        let value = self.text_of(lx, "prop", empty)?;
        Ok(Prop { kind, value, attrs })
    }

    /// Visits attributes without allocating their names.
    fn for_each_attr(
        &mut self,
        e: &Tag<'_>,
        offset: u64,
        mut f: impl FnMut(&mut Pool, &str, Cow<'_, str>),
    ) -> PResult<()> {
        // Up to 16 names are compared directly for duplicates, more go into
        // a set (a tag with thousands of attributes stays linear).
        let mut seen: smallvec::SmallVec<[&str; 16]> = smallvec::SmallVec::new();
        let mut seen_set: Option<std::collections::HashSet<&str>> = None;
        let tag = e.name;
        for attr in e.attributes() {
            let (name, raw) = attr.map_err(|msg| {
                XmlError::at(offset, format!("malformed attribute in <{tag}>: {msg}"))
            })?;
            let duplicate = match &mut seen_set {
                Some(set) => !set.insert(name),
                None if seen.len() < 16 => {
                    let dup = seen.contains(&name);
                    seen.push(name);
                    dup
                }
                None => {
                    let mut set: std::collections::HashSet<&str> = seen.drain(..).collect();
                    let dup = !set.insert(name);
                    seen_set = Some(set);
                    dup
                }
            };
            if duplicate {
                return Err(XmlError::at(
                    offset,
                    format!("an attribute appears twice in <{tag}>"),
                ));
            }
            if !is_xml_name(name) {
                return Err(XmlError::at(
                    offset,
                    format!("{name:?} is not a valid attribute name"),
                ));
            }
            let value = self
                .attr_value(raw)
                .map_err(|m| XmlError::at(offset, format!("attribute {name}: {m}")))?;
            f(&mut self.pool, name, value);
        }
        Ok(())
    }

    /// Reads the attributes of a `<tu>` into `tu` (empty).
    fn tu_start(&mut self, e: &Tag<'_>, offset: u64, tu: &mut Tu) -> PResult<()> {
        self.for_each_attr(e, offset, |pool, name, value| {
            if let Some(v) = tu.set_known(name, pool.own(value)) {
                tu.extra.push(Attr {
                    name: pool.string(name),
                    value: v,
                });
            }
        })
    }

    /// Reads the content of a `<tu>` into `tu`. Units are large structs: they
    /// are filled in place rather than moved from function to function.
    fn tu<S: Read>(&mut self, lx: &mut Lexer<S>, tu: &mut Tu, empty: bool) -> PResult<()> {
        if self.skip_content {
            // The variants left in place for reuse go back to the pool.
            self.pool.truncate_tuvs(&mut tu.tuvs, 0);
            return self.skip_tu(lx, empty);
        }
        let mut used = 0;
        let result = if empty {
            Ok(())
        } else {
            self.in_tu = true;
            self.tu_content(lx, tu, &mut used)
        };
        self.pool.truncate_tuvs(&mut tu.tuvs, used);
        result
    }

    /// Reads past the content of a unit whose start tag was the last
    /// event, checking only what the tokenizer and [`Parser::read`] check.
    fn skip_tu<S: Read>(&mut self, lx: &mut Lexer<S>, empty: bool) -> PResult<()> {
        let mut depth = usize::from(!empty);
        while depth > 0 {
            let at = lx.offset();
            match self.read(lx, at)? {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(Self::unexpected_eof(at, "</tu>")),
                _ => {}
            }
        }
        self.in_tu = false;
        Ok(())
    }

    fn tu_content<S: Read>(
        &mut self,
        lx: &mut Lexer<S>,
        tu: &mut Tu,
        used: &mut usize,
    ) -> PResult<()> {
        loop {
            let (tag, empty, offset) = match self.next_child(lx, "</tu>")? {
                Child::Tag(tag, empty, offset) => (tag, empty, offset),
                Child::End => {
                    self.in_tu = false;
                    return Ok(());
                }
                Child::Skipped => continue,
            };
            match classify(local(tag.name)) {
                Name::Tuv => {
                    let tuv = self.pool.next_tuv(&mut tu.tuvs, used);
                    self.tuv_start(&tag, offset, tuv)?;
                    self.tuv(lx, tuv, empty)?;
                }
                Name::Note | Name::Prop => {
                    let is_note = local(tag.name) == "note";
                    let attrs = self.attrs(&tag, offset)?;
                    if *used > 0 {
                        self.misplaced(
                            lx,
                            offset,
                            if is_note { "note" } else { "prop" },
                            "a <tuv>",
                        );
                    }
                    if is_note {
                        tu.notes.push(self.note(lx, attrs, empty)?);
                        tu.meta_order.push(MetaKind::Note);
                    } else {
                        tu.props.push(self.prop(lx, attrs, empty)?);
                        tu.meta_order.push(MetaKind::Prop);
                    }
                }
                _ => {
                    let name = self.unknown_tag(&tag, offset)?;
                    let xml = self.unknown(lx, &name, "tu", offset, empty)?;
                    tu.extensions.push(RawElement::new(xml, *used));
                }
            }
        }
    }

    /// Reads the attributes of a `<tuv>` into `tuv` (empty).
    fn tuv_start(&mut self, e: &Tag<'_>, offset: u64, tuv: &mut Tuv) -> PResult<()> {
        tuv.missing_seg = true;
        let mut legacy = None;
        let mut has_xml_lang = false;
        let mut has_lang = false;
        self.for_each_attr(e, offset, |pool, name, value| match name {
            "xml:lang" => {
                tuv.lang.clear();
                tuv.lang.push_str(&value);
                has_xml_lang = true;
            }
            "lang" => {
                legacy = Some(pool.own(value));
                has_lang = true;
            }
            _ => {
                if let Some(v) = tuv.set_known(name, pool.own(value)) {
                    tuv.extra.push(Attr {
                        name: pool.string(name),
                        value: v,
                    });
                }
            }
        })?;
        if let Some(l) = legacy {
            if !has_xml_lang {
                tuv.lang.clear();
                tuv.lang.push_str(&l);
            }
            self.pool.put_string(l);
        }
        tuv.no_lang = !has_xml_lang && !has_lang;
        if has_lang && !has_xml_lang {
            self.notice(
                None::<&Lexer<&[u8]>>,
                offset,
                NoticeKind::Legacy,
                "<tuv> has lang (TMX 1.1–1.3) but not xml:lang, which TMX 1.4 requires".into(),
            );
        }
        Ok(())
    }

    fn tuv<S: Read>(&mut self, lx: &mut Lexer<S>, tuv: &mut Tuv, empty: bool) -> PResult<()> {
        if empty {
            return Ok(());
        }
        loop {
            let (tag, empty, offset) = match self.next_child(lx, "</tuv>")? {
                Child::Tag(tag, empty, offset) => (tag, empty, offset),
                Child::End => return Ok(()),
                Child::Skipped => continue,
            };
            let name = classify(local(tag.name));
            let second_seg = name == Name::Seg && !tuv.missing_seg;
            if second_seg || !matches!(name, Name::Seg | Name::Note | Name::Prop) {
                let tag_name = self.unknown_tag(&tag, offset)?;
                let after = usize::from(!tuv.missing_seg);
                let xml = if second_seg {
                    let mut xml = String::new();
                    self.capture(lx, offset, empty, None, &mut xml)?;
                    self.notice(
                        Some(lx),
                        offset,
                        NoticeKind::Kept,
                        "a second <seg> in a <tuv> (TMX allows one; only the first is the variant's text)".into(),
                    );
                    xml
                } else {
                    self.unknown(lx, &tag_name, "tuv", offset, empty)?
                };
                tuv.extensions.push(RawElement::new(xml, after));
                continue;
            }
            let attrs = self.attrs(&tag, offset)?;
            if name != Name::Seg && !tuv.missing_seg {
                let what = if name == Name::Note { "note" } else { "prop" };
                self.misplaced(lx, offset, what, "the <seg>");
            }
            match name {
                Name::Seg if tuv.missing_seg => {
                    tuv.missing_seg = false;
                    tuv.seg.attrs = attrs;
                    if !empty {
                        self.content(lx, Some("seg"), &mut tuv.seg.parts, 1)?;
                    }
                }
                Name::Note => {
                    tuv.notes.push(self.note(lx, attrs, empty)?);
                    tuv.meta_order.push(MetaKind::Note);
                }
                Name::Prop => {
                    tuv.props.push(self.prop(lx, attrs, empty)?);
                    tuv.meta_order.push(MetaKind::Prop);
                }
                _ => self.pool.put_attrs(attrs),
            }
        }
    }

    /// Notes a `<note>` or `<prop>` (`what`) that comes after `after`.
    #[cold]
    fn misplaced<S: Read>(&mut self, lx: &Lexer<S>, offset: u64, what: &str, after: &str) {
        self.notice(
            Some(lx),
            offset,
            NoticeKind::Misplaced,
            format!("<{what}> after {after}: TMX puts notes and props first (a TMX output moves it there)"),
        );
    }

    /// Reads the next unit into `tu` (empty); false at `</body>`.
    fn next_tu<S: Read>(&mut self, lx: &mut Lexer<S>, tu: &mut Tu) -> PResult<bool> {
        if let Some((mut pending, empty, offset)) = self.pending_tu.take() {
            self.last_tu_offset = offset;
            std::mem::swap(tu, &mut pending);
            self.pool.put_tu(pending);
            return self.tu(lx, tu, empty).map(|()| true);
        }
        loop {
            let (tag, empty, offset) = match self.next_child(lx, "</body>")? {
                Child::Tag(tag, empty, offset) => (tag, empty, offset),
                Child::End if self.wrapper_depth > 0 => {
                    self.wrapper_depth -= 1;
                    continue;
                }
                Child::End => {
                    self.trailer.append(&mut self.body_pending);
                    self.expect_root_end(lx)?;
                    return Ok(false);
                }
                Child::Skipped => continue,
            };
            let (tu_offset, tu_empty) = if local(tag.name) == "tu" {
                self.in_tu = true;
                self.tu_start(&tag, offset, tu)?;
                (offset, empty)
            } else {
                // Kept as written, unless it wraps units (a group some tools
                // add): then its units are read and its tags are lost.
                let name = self.unknown_tag(&tag, offset)?;
                let mut xml = String::new();
                self.in_tu = true;
                match self.capture(lx, offset, empty, Some(tu), &mut xml)? {
                    None => {
                        self.in_tu = false;
                        self.notice(
                            Some(lx),
                            offset,
                            NoticeKind::Kept,
                            format!("<{name}> in <body> is not a TMX element"),
                        );
                        self.body_pending.push(RawElement::new(xml, 0));
                        continue;
                    }
                    Some(unit) => {
                        self.wrapper_depth += unit.depth;
                        self.notice(
                            Some(lx),
                            offset,
                            NoticeKind::Lost,
                            format!(
                                "<{name}> around units is not TMX: its units are read, its tags and any content before them are not kept"
                            ),
                        );
                        (unit.offset, unit.empty)
                    }
                }
            };
            self.last_tu_offset = tu_offset;
            self.tu(lx, tu, tu_empty)?;
            self.in_tu = false;
            if !self.body_pending.is_empty() {
                tu.body_before.append(&mut self.body_pending);
            }
            return Ok(true);
        }
    }

    /// Lenient mode: skips to the end of the broken unit (or the start of the
    /// next one). Returns false when reading cannot go on.
    fn resync<S: Read>(&mut self, lx: &mut Lexer<S>) -> bool {
        lx.set_lenient(true);
        let resumed = self.resync_inner(lx);
        lx.set_lenient(false);
        resumed
    }

    fn resync_inner<S: Read>(&mut self, lx: &mut Lexer<S>) -> bool {
        loop {
            lx.clear_bad();
            let offset = lx.offset();
            match lx.next_event() {
                Ok(Event::Start(tag)) => {
                    // Enter, ignoring problems: this unit is already reported.
                    let _ = self.ns_enter(&tag);
                    if local(tag.name) == "tu" {
                        self.pending_tu = Some((lenient_tu(&tag), false, offset));
                        return true;
                    }
                }
                Ok(Event::Empty(tag)) if local(tag.name) == "tu" => {
                    self.pending_tu = Some((lenient_tu(&tag), true, offset));
                    return true;
                }
                Ok(Event::End(name)) => {
                    let name = local(name);
                    let (at_tu, at_body) = (name == "tu", name == "body");
                    self.ns_sync(lx.depth());
                    if at_tu {
                        return true;
                    }
                    if at_body && self.wrapper_depth == 0 {
                        self.pending_tu = None;
                        return self.expect_root_end(lx).is_ok();
                    }
                }
                Ok(Event::Eof) => return false,
                Ok(_) => {}
                Err(XmlError::Io(_)) => return false,
                Err(_) => lx.skip_broken(),
            }
        }
    }

    /// Sets the namespace depth to the tokenizer's (after skipping a broken
    /// unit whose elements were closed out of order).
    fn ns_sync(&mut self, depth: usize) {
        self.depth = depth as u32 + 1;
        self.ns_leave();
    }
}

/// Attributes of a start tag, ignoring malformed ones (used only to resume
/// after an error in lenient mode; a malformed attribute is reported when
/// the unit is parsed).
fn lenient_tu(e: &Tag<'_>) -> Tu {
    let mut tu = Tu::default();
    for (name, value) in e.attributes().map_while(|a| a.ok()) {
        if let Some(v) = tu.set_known(name, value.to_string()) {
            tu.extra.push(Attr {
                name: name.to_string(),
                value: v,
            });
        }
    }
    tu
}

/// True when the raw attributes of a tag may use a namespace prefix other
/// than `xml:` (a quick test; false positives only cost the full check).
fn uses_prefixes(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut from = 0;
    while let Some(k) = find1(&bytes[from..], b':') {
        let colon = from + k;
        let start = bytes[..colon]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
            .map_or(0, |p| p + 1);
        if &bytes[start..colon] != b"xml" {
            return true;
        }
        from = colon + 1;
    }
    false
}

/// A `<tu>` found inside an element of `<body>` that [`Parser::capture`]
/// was reading (started, its attributes read): the element wraps units.
struct WrappedUnit {
    /// The `<tu>` is an empty-element tag.
    empty: bool,
    /// Where it starts.
    offset: u64,
    /// Elements open around it inside `<body>`.
    depth: usize,
}

/// What [`Parser::next_child`] found.
enum Child<'l> {
    /// A child element: its tag, whether it is empty, where it starts.
    Tag(Tag<'l>, bool, u64),
    /// The parent's end tag.
    End,
    /// Something between elements, checked and skipped.
    Skipped,
}

/// The elements the reader dispatches on, recognized without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Tuv,
    Seg,
    Note,
    Prop,
    Ude,
    Other,
}

fn classify(local: &str) -> Name {
    match local {
        "tuv" => Name::Tuv,
        "seg" => Name::Seg,
        "note" => Name::Note,
        "prop" => Name::Prop,
        "ude" => Name::Ude,
        _ => Name::Other,
    }
}

fn location_for(file: &Option<PathBuf>) -> Location {
    Location {
        file: file.clone(),
        line: None,
        column: None,
    }
}

fn display_path(file: &Option<PathBuf>) -> PathBuf {
    file.clone().unwrap_or_else(|| PathBuf::from("<stdin>"))
}

/// The local part of a qualified name (`tmx:tu` → `tu`).
fn local(name: &str) -> &str {
    // A byte loop: names are short, and most have no prefix.
    match name.bytes().rposition(|b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// The five entities XML predefines, resolved without a table lookup.
fn predefined_char(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Takes the text run that ends `parts` out of it (or a new string) to be
/// extended; the caller pushes it back.
fn last_text(pool: &mut Pool, parts: &mut Vec<SegPart>) -> String {
    match parts.pop() {
        Some(SegPart::Text(text)) => text,
        Some(other) => {
            parts.push(other);
            pool.string("")
        }
        None => pool.string(""),
    }
}

fn push_text(pool: &mut Pool, parts: &mut Vec<SegPart>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(SegPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(SegPart::Text(pool.string(text)));
    }
}

/// Appends a CDATA section's content, its line ends read as XML reads them.
fn push_cdata(pool: &mut Pool, parts: &mut Vec<SegPart>, raw: &str) {
    let mut rest = raw;
    while let Some(i) = memchr::memchr(b'\r', rest.as_bytes()) {
        push_text(pool, parts, &rest[..i]);
        push_text(pool, parts, "\n");
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    push_text(pool, parts, rest);
}

/// TMX 1.1–1.3 wrote `lang` where 1.4 writes `xml:lang`.
fn legacy_lang(attrs: &mut [Attr]) {
    if !attrs.iter().any(|a| a.name == "xml:lang")
        && let Some(a) = attrs.iter_mut().find(|a| a.name == "lang")
    {
        a.name = "xml:lang".into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(n: usize) -> String {
        (0..n)
            .map(|i| {
                format!("<tu tuid=\"{i}\"><tuv xml:lang=\"en\"><seg>unit {i} é</seg></tuv></tu>\n")
            })
            .collect()
    }

    #[test]
    fn duplicate_attributes_are_refused_however_many_there_are() {
        for n in [1usize, 15, 16, 17, 40] {
            let attrs: String = (0..n).map(|i| format!(" x-a{i}=\"v\"")).collect();
            for dup in [" x-a0=\"w\"", ""] {
                let xml = format!(
                    "<tmx version=\"1.4\"><header srclang=\"en\"/><body><tu{attrs}{dup}><tuv xml:lang=\"en\"><seg>a</seg></tuv></tu></body></tmx>"
                );
                let result: Result<Vec<Tu>> = TmxReader::from_reader(xml.as_bytes(), None)
                    .unwrap()
                    .collect();
                if dup.is_empty() {
                    assert_eq!(result.unwrap()[0].extra.len(), n);
                } else {
                    let err = result.unwrap_err().to_string();
                    assert!(err.contains("appears twice in <tu>"), "{n}: {err}");
                }
            }
        }
    }

    #[test]
    fn recycled_units_read_the_same_as_fresh_ones() {
        let xml = r#"<?xml version="1.0"?>
<tmx version="1.4"><header srclang="en" creationtool="t"/><body>
<tu tuid="a" changedate="20240101T000000Z" x-one="1"><prop type="p">v&amp;w</prop><note>n</note>
  <tuv xml:lang="en" creationid="me"><prop type="q">x</prop><seg>A <bpt i="1">&lt;b&gt;</bpt>b<ept i="1">&lt;/b&gt;</ept> &#233;</seg></tuv>
  <tuv lang="fr"><seg><hi type="em">C</hi><ph x="2"/></seg></tuv>
  <tuv xml:lang="de"><seg>D</seg></tuv></tu>
<tu><tuv xml:lang="ja"><seg>日本</seg></tuv></tu>
<tu tuid="c"><tuv><seg/></tuv><tuv xml:lang="en"/></tu>
<tu tuid="d" x-two="2"><note xml:lang="en">m</note><tuv xml:lang="en"><seg>e<sub>f</sub></seg></tuv></tu>
</body></tmx>"#;
        let fresh: Vec<Tu> = TmxReader::from_reader(xml.as_bytes(), None)
            .unwrap()
            .map(|tu| tu.unwrap())
            .collect();
        assert_eq!(fresh.len(), 4);
        for _ in 0..3 {
            let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
            let mut recycled = Vec::new();
            while let Some(tu) = reader.next() {
                let tu = tu.unwrap();
                recycled.push(tu.clone());
                reader.recycle(tu);
            }
            assert_eq!(recycled, fresh);
            let mut reader = TmxReader::from_reader(xml.as_bytes(), None).unwrap();
            let mut tu = Tu::default();
            let mut filled = Vec::new();
            while let Some(result) = reader.next_into(&mut tu) {
                result.unwrap();
                filled.push(tu.clone());
            }
            assert_eq!(filled, fresh);
        }
    }

    #[test]
    fn errors_far_into_a_large_file_have_exact_positions() {
        // About 1.3 MB of units (several buffer refills), then a bad character.
        let body = units(20_000);
        let lines_before = body.lines().count();
        let doc = format!(
            "<tmx version=\"1.4\">\n<header/>\n<body>\n{body}<tu><tuv xml:lang=\"en\"><seg>ok\u{1}</seg></tuv></tu>\n</body></tmx>"
        );
        let reader = TmxReader::from_reader(doc.as_bytes(), Some(Path::new("big.tmx"))).unwrap();
        let results: Vec<Result<Tu>> = reader.collect();
        assert_eq!(results.len(), 20_001);
        let err = results.last().unwrap().as_ref().unwrap_err().to_string();
        let line = 3 + lines_before + 1;
        assert_eq!(
            err,
            format!(
                "big.tmx:{line}:31: character U+0001 is not allowed in XML 1.0 (remove it or fix the export)"
            )
        );
    }

    #[test]
    fn lenient_mode_reports_and_goes_on() {
        let doc = "<tmx version=\"1.4\"><header/><body>\n\
            <tu tuid=\"1\"><tuv xml:lang=\"en\"><seg>one</seg></tuv></tu>\n\
            <tu tuid=\"2\"><tuv xml:lang=\"en\"><seg>bad &nbsp; entity</seg></tuv></tu>\n\
            <tu tuid=\"3\"><tuv xml:lang=\"en\"><seg>three</seg></tuv></tu>\n\
            </body></tmx>";
        let strict: Vec<_> = TmxReader::from_reader(doc.as_bytes(), None)
            .unwrap()
            .collect();
        assert_eq!(strict.len(), 2);
        assert!(strict[1].is_err());
        let opts = ReadOptions { lenient: true };
        let lenient: Vec<_> = TmxReader::with_options(doc.as_bytes(), None, opts)
            .unwrap()
            .collect();
        assert_eq!(lenient.len(), 3);
        assert!(
            lenient[1]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("<stdin>:3:")
        );
        assert_eq!(lenient[2].as_ref().unwrap().tuid.as_deref(), Some("3"));
    }

    #[test]
    fn utf16_big_endian_without_bom_is_detected() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"ko\"><seg>안녕하세요</seg></tuv></tu></body></tmx>";
        let bytes: Vec<u8> = doc.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut reader = TmxReader::from_reader(bytes.as_slice(), None).unwrap();
        assert_eq!(reader.encoding(), "UTF-16BE");
        let tu = reader.next().unwrap().unwrap();
        assert_eq!(tu.tuvs[0].seg.plain_text(), "안녕하세요");
    }

    #[test]
    fn fuzz_regression_markup_entity_with_an_invalid_element_name() {
        // Found by cargo-fuzz: an entity expanding to `<ph(/>` was read, and
        // the writer then refused the name. It must be rejected on reading.
        let doc = "<!DOCTYPE tmx [ <!ENTITY br \"<ph( x='1'/>\"> ]><tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"en\"><seg>a&br;b</seg></tuv></tu></body></tmx>";
        let results: Vec<_> = TmxReader::from_reader(doc.as_bytes(), None)
            .unwrap()
            .collect();
        let err = results[0].as_ref().unwrap_err().to_string();
        assert!(err.contains("not a valid element name"), "{err}");
    }

    #[test]
    fn empty_and_non_tmx_inputs_are_clear_errors() {
        let err = TmxReader::from_reader(&b""[..], None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no <tmx> element"), "{err}");
        let err = TmxReader::from_reader(&b"<xliff/>"[..], None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("expected <tmx>"), "{err}");
        let tmx =
            crate::tmx::Tmx::parse_str("<tmx version=\"1.4\"><header/><body/></tmx>").unwrap();
        assert!(tmx.tus.is_empty());
    }
}
