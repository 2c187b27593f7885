//! The streaming TMX reader: parses the prolog and `<header>` on open, then
//! yields one [`Tu`] at a time, in constant memory, from any byte source.
//!
//! Built on quick-xml's pull parser with one reused event buffer. Every input
//! is checked as an XML 1.0 parser would (well-formedness, allowed
//! characters, declared entities); errors name the file, line and column and
//! say what was expected. Line and column are computed only when an error is
//! reported, from the byte offset.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};

use super::entities::{Entities, Resolved, is_xml_name};
use super::input::Input;
use super::model::{Attr, Header, Inline, InlineKind, MetaKind, Note, Prop, SegPart, Tu, Tuv, Ude};
use super::pool::Pool;
use crate::error::{Error, Location, Result};
use crate::files::is_stdio;

/// Deepest element nesting accepted inside a segment (guards the stack).
const MAX_DEPTH: usize = 256;
/// Entity text a document may expand beyond its own size before it is
/// refused as an amplification attack.
const ENTITY_ALLOWANCE: u64 = 64 << 20;

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
    xml: quick_xml::Reader<Input<R>>,
    buf: Vec<u8>,
    header: Header,
    file: Option<PathBuf>,
    entities: Entities,
    options: ReadOptions,
    state: State,
    entity_bytes: u64,
    last_tu_offset: u64,
    header_offset: u64,
    event_start: u64,
    /// Unknown elements open around the current position in `<body>`.
    wrapper_depth: usize,
    /// Element depth, and namespace prefixes declared with the depth of the
    /// element that declared them.
    depth: u32,
    ns_decls: Vec<(String, u32)>,
    /// A `<tu>` start found while skipping a broken unit (lenient mode).
    pending_tu: Option<(Tu, bool, u64)>,
    in_tu: bool,
    tus_read: u64,
    /// Allocations of recycled units, filled again for the next ones.
    pool: Pool,
    /// Scratch space for an entity name.
    ref_name: String,
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
                Error::syntax(Self::location_for(&file), e.to_string())
            } else {
                Error::io(display_path(&file), e)
            }
        })?;
        let mut xml = quick_xml::Reader::from_reader(input);
        let config = xml.config_mut();
        config.check_comments = true;
        config.check_end_names = true;
        let mut reader = TmxReader {
            xml,
            buf: Vec::with_capacity(4096),
            header: Header::default(),
            file,
            entities: Entities::default(),
            options,
            state: State::Done,
            entity_bytes: 0,
            last_tu_offset: 0,
            header_offset: 0,
            event_start: 0,
            wrapper_depth: 0,
            depth: 0,
            ns_decls: Vec::new(),
            pending_tu: None,
            in_tu: false,
            tus_read: 0,
            pool: Pool::default(),
            ref_name: String::new(),
        };
        reader.read_prolog_and_header()?;
        Ok(reader)
    }

    /// The header, parsed when the reader was opened.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The encoding the input was decoded from (`UTF-8`, `UTF-16LE`, ...).
    pub fn encoding(&self) -> &'static str {
        self.xml.get_ref().encoding_name()
    }

    /// Where the most recently read `<tu>` starts.
    pub fn last_tu_location(&self) -> Location {
        self.location_at(self.last_tu_offset)
    }

    /// Where the `<header>` starts (the file alone when there is none).
    pub fn header_location(&self) -> Location {
        if self.header.present {
            self.location_at(self.header_offset)
        } else {
            Self::location_for(&self.file)
        }
    }

    /// Bytes of (UTF-8) input parsed so far.
    pub fn bytes_read(&self) -> u64 {
        self.xml.buffer_position()
    }

    /// The file named in errors.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    fn location_for(file: &Option<PathBuf>) -> Location {
        Location {
            file: file.clone(),
            line: None,
            column: None,
        }
    }

    /// The location of a byte offset, or of the file alone when the offset
    /// has left the retained window.
    pub(crate) fn location_at(&self, offset: u64) -> Location {
        let mut loc = Self::location_for(&self.file);
        if let Some((line, col)) = self.xml.get_ref().position(offset) {
            loc = loc.at(line, col);
        }
        loc
    }

    fn error_at(&self, offset: u64, message: impl Into<String>) -> Error {
        let loc = self.location_at(offset);
        let mut message = message.into();
        if loc.line.is_none() {
            message.push_str(&format!(" (at byte {offset})"));
        }
        Error::syntax(loc, message)
    }

    /// The pending bad-input error, when it lies before `upto`.
    fn bad_input_before(&self, upto: u64) -> Option<Error> {
        let bad = self.xml.get_ref().bad()?;
        (bad.offset < upto).then(|| self.error_at(bad.offset, bad.message.clone()))
    }

    fn map_xml_error(&self, e: quick_xml::Error) -> Error {
        if let Some(err) = self.bad_input_before(self.xml.buffer_position() + 1) {
            return err;
        }
        if let quick_xml::Error::Io(io) = &e {
            return Error::io(
                display_path(&self.file),
                std::io::Error::new(io.kind(), io.to_string()),
            );
        }
        let msg = match &e {
            quick_xml::Error::Syntax(s) => {
                format!("malformed XML: {s} (the file may be truncated)")
            }
            quick_xml::Error::IllFormed(quick_xml::errors::IllFormedError::UnclosedReference) => {
                "'&' must start a reference such as &amp; or &#160; (write &amp; for a literal '&')"
                    .to_string()
            }
            quick_xml::Error::IllFormed(s) => format!("malformed XML: {s}"),
            quick_xml::Error::Encoding(_) => {
                // quick-xml does not say where; look from the event's start.
                let input = self.xml.get_ref();
                let offset = input
                    .first_invalid_utf8(self.event_start)
                    .unwrap_or(self.event_start);
                return self.error_at(
                    offset,
                    "invalid UTF-8 byte sequence (is the encoding in the XML declaration right?)",
                );
            }
            other => format!("malformed XML: {other}"),
        };
        self.error_at(self.xml.error_position(), msg)
    }

    /// Reads the next event into `buf`, checking the bytes it covers.
    fn read<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>> {
        buf.clear();
        self.event_start = self.xml.buffer_position();
        let result = self.xml.read_event_into(buf);
        match result {
            Ok(ev) => {
                if let Some(err) = self.bad_input_before(self.xml.buffer_position()) {
                    return Err(err);
                }
                match &ev {
                    Event::Text(t) if has_cdata_end(t.as_bytes()) => {
                        return Err(self.error_at(
                            self.event_start,
                            "']]>' is not allowed in text (write ]]&gt;)",
                        ));
                    }
                    Event::Decl(_) if self.event_start > 0 => {
                        return Err(self.error_at(
                            self.event_start,
                            "an XML declaration is allowed only at the very start of the file",
                        ));
                    }
                    _ => {}
                }
                match &ev {
                    Event::Start(e) | Event::Empty(e) => {
                        if !is_xml_name(e.name().0) {
                            return Err(self.error_at(
                                self.event_start,
                                format!("{:?} is not a valid element name", e.name().0),
                            ));
                        }
                        let problem = self.ns_enter(e);
                        if matches!(ev, Event::Empty(_)) {
                            self.ns_leave();
                        }
                        if let Some(msg) = problem {
                            return Err(self.error_at(self.event_start, msg));
                        }
                    }
                    Event::End(_) => self.ns_leave(),
                    _ => {}
                }
                Ok(ev)
            }
            Err(e) => Err(self.map_xml_error(e)),
        }
    }

    /// Enters an element: records its namespace declarations and checks
    /// that every prefix it uses is declared (as namespace-aware parsers
    /// require). Returns the problem, if any.
    fn ns_enter(&mut self, e: &BytesStart<'_>) -> Option<String> {
        self.depth += 1;
        let name = e.name().0;
        if !name.contains(':') && !uses_prefixes(e.attributes_raw()) {
            return None;
        }
        for a in e.attributes().with_checks(false).flatten() {
            if let Some(prefix) = a.key.0.strip_prefix("xmlns:") {
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
        for a in e.attributes().with_checks(false).flatten() {
            let key = a.key.0;
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

    fn unexpected_eof(&self, expected: &str) -> Error {
        self.error_at(
            self.xml.buffer_position(),
            format!("unexpected end of file: expected {expected} (the file is truncated)"),
        )
    }

    fn read_prolog_and_header(&mut self) -> Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        let result = self.prolog_and_header(&mut buf);
        self.buf = buf;
        result
    }

    fn prolog_and_header(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        // Prolog up to the root element.
        let root_empty =
            loop {
                let offset = self.xml.buffer_position();
                match self.read(buf)? {
                    Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                    Event::DocType(d) => {
                        let text = d.xml10_content().into_owned();
                        self.entities = Entities::from_doctype(&text)
                            .map_err(|m| self.error_at(offset, format!("in the DOCTYPE: {m}")))?;
                    }
                    Event::Text(t) => {
                        if !t.bytes().all(|b| b.is_ascii_whitespace()) {
                            return Err(self
                                .error_at(offset, "text before the root element: expected <tmx>"));
                        }
                    }
                    Event::GeneralRef(_) | Event::CData(_) => {
                        return Err(self
                            .error_at(offset, "content before the root element: expected <tmx>"));
                    }
                    Event::Start(e) | Event::Empty(e) if local(e.name().0) != "tmx" => {
                        let name = e.name().0.to_string();
                        return Err(self.error_at(
                            offset,
                            format!(
                                "the root element is <{name}>: expected <tmx> (is this a TMX file?)"
                            ),
                        ));
                    }
                    Event::Start(e) => {
                        self.root_attrs(&e, offset)?;
                        break false;
                    }
                    Event::Empty(e) => {
                        self.root_attrs(&e, offset)?;
                        break true;
                    }
                    Event::End(_) => {
                        return Err(self.error_at(offset, "end tag before the root element"));
                    }
                    Event::Eof => {
                        return Err(
                            self.error_at(offset, "no <tmx> element: the file is empty or not XML")
                        );
                    }
                }
            };
        if root_empty {
            self.finish_document(buf)?;
            return Ok(());
        }
        // Inside <tmx>: header, then body.
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::Start(e) => {
                    let name = local(e.name().0).to_string();
                    match name.as_str() {
                        "header" => {
                            self.header_offset = offset;
                            let attrs = self.attrs(&e, offset)?;
                            self.header_attrs(attrs);
                            self.header_children(buf)?;
                        }
                        "body" => {
                            self.state = State::Body;
                            return Ok(());
                        }
                        _ => self.skip_element(buf, &name)?,
                    }
                }
                Event::Empty(e) => {
                    let name = local(e.name().0).to_string();
                    match name.as_str() {
                        "header" => {
                            self.header_offset = offset;
                            let attrs = self.attrs(&e, offset)?;
                            self.header_attrs(attrs);
                        }
                        "body" => {
                            self.expect_root_end(buf)?;
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                Event::End(_) => {
                    // </tmx> without a body: a memory with no units.
                    self.finish_document(buf)?;
                    return Ok(());
                }
                Event::GeneralRef(r) => self.resolve_discard(&r, offset)?,
                Event::Eof => return Err(self.unexpected_eof("<body> and </tmx>")),
                _ => {}
            }
        }
    }

    fn root_attrs(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<()> {
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

    fn header_children(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        loop {
            let offset = self.xml.buffer_position();
            let (name, attrs, empty) = match self.read(buf)? {
                Event::Start(e) => (
                    local(e.name().0).to_string(),
                    self.attrs(&e, offset)?,
                    false,
                ),
                Event::Empty(e) => (local(e.name().0).to_string(), self.attrs(&e, offset)?, true),
                Event::End(_) => return Ok(()),
                Event::GeneralRef(r) => {
                    self.resolve_discard(&r, offset)?;
                    continue;
                }
                Event::Eof => return Err(self.unexpected_eof("</header>")),
                _ => continue,
            };
            match name.as_str() {
                "note" => {
                    let note = self.note(buf, attrs, empty)?;
                    self.header.notes.push(note);
                    self.header.meta_order.push(MetaKind::Note);
                }
                "prop" => {
                    let prop = self.prop(buf, attrs, empty)?;
                    self.header.props.push(prop);
                    self.header.meta_order.push(MetaKind::Prop);
                }
                "ude" => {
                    let ude = if empty {
                        Ude {
                            attrs,
                            maps: Vec::new(),
                        }
                    } else {
                        self.ude(buf, attrs)?
                    };
                    self.header.udes.push(ude);
                    self.header.meta_order.push(MetaKind::Ude);
                }
                _ if !empty => self.skip_element(buf, &name)?,
                _ => {}
            }
        }
    }

    fn ude(&mut self, buf: &mut Vec<u8>, attrs: Vec<Attr>) -> Result<Ude> {
        let mut ude = Ude {
            attrs,
            maps: Vec::new(),
        };
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::Start(e) => {
                    let name = local(e.name().0).to_string();
                    if name == "map" {
                        let attrs = self.attrs(&e, offset)?;
                        ude.maps.push(attrs);
                    }
                    self.skip_element(buf, &name)?;
                }
                Event::Empty(e) if local(e.name().0) == "map" => {
                    let attrs = self.attrs(&e, offset)?;
                    ude.maps.push(attrs);
                }
                Event::End(_) => return Ok(ude),
                Event::GeneralRef(r) => self.resolve_discard(&r, offset)?,
                Event::Eof => return Err(self.unexpected_eof("</ude>")),
                _ => {}
            }
        }
    }

    /// After `</body>`: expects `</tmx>`, then only comments and whitespace.
    fn expect_root_end(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::End(_) => return self.finish_document(buf),
                Event::Start(e) => {
                    let name = local(e.name().0).to_string();
                    self.skip_element(buf, &name)?;
                }
                Event::GeneralRef(r) => self.resolve_discard(&r, offset)?,
                Event::Eof => return Err(self.unexpected_eof("</tmx>")),
                _ => {}
            }
        }
    }

    /// After `</tmx>`: only comments, processing instructions and whitespace.
    fn finish_document(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        self.state = State::Done;
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
                _ => {
                    return Err(
                        self.error_at(offset, "content after the end of the root element </tmx>")
                    );
                }
            }
        }
    }

    /// Reads attributes: names as written, values normalized as XML requires
    /// (entities resolved, literal whitespace turned into spaces).
    fn attrs(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<Vec<Attr>> {
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

    /// Resolves a reference in content, appending what it stands for to
    /// `parts` (text, or the elements of an entity that holds markup).
    fn resolve_into(
        &mut self,
        name: &str,
        offset: u64,
        parts: &mut Vec<SegPart>,
        depth: usize,
    ) -> Result<()> {
        let markup = match self
            .entities
            .resolve(name)
            .map_err(|m| self.error_at(offset, m))?
        {
            Resolved::Char(c) => {
                let mut tmp = [0u8; 4];
                push_text(&mut self.pool, parts, c.encode_utf8(&mut tmp));
                return Ok(());
            }
            Resolved::Text(t) => {
                self.entity_bytes += t.len() as u64;
                if self.entity_bytes <= ENTITY_ALLOWANCE + 16 * self.xml.buffer_position() {
                    push_text(&mut self.pool, parts, t);
                    return Ok(());
                }
                None
            }
            Resolved::Markup(m) => Some(m.to_string()),
            Resolved::Nothing => return Ok(()),
        };
        let Some(markup) = markup else {
            return Err(self.error_at(
                offset,
                "entities expand to far more text than the file holds: refusing an entity expansion attack",
            ));
        };
        self.entity_bytes += markup.len() as u64;
        if self.entity_bytes > ENTITY_ALLOWANCE + 16 * self.xml.buffer_position() {
            return Err(self.error_at(
                offset,
                "entities expand to far more text than the file holds: refusing an entity expansion attack",
            ));
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
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(self.error_at(offset, format!("entity &{entity}; is nested too deeply")));
        }
        let mut reader = quick_xml::Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut open: Vec<Inline> = Vec::new();
        let bad = |this: &Self, what: String| {
            this.error_at(
                offset,
                format!("in the replacement text of &{entity};: {what}"),
            )
        };
        loop {
            let event = reader.read_event().map_err(|e| bad(self, e.to_string()))?;
            if let Event::Start(e) | Event::Empty(e) = &event {
                let name = e.name().0;
                if !is_xml_name(name) {
                    return Err(bad(self, format!("{name:?} is not a valid element name")));
                }
                if let Some((prefix, _)) = name.split_once(':')
                    && prefix != "xml"
                    && !self.ns_decls.iter().any(|(p, _)| p == prefix)
                {
                    return Err(bad(
                        self,
                        format!("namespace prefix {prefix:?} is not declared"),
                    ));
                }
            }
            let target = match open.last_mut() {
                Some(inline) => &mut inline.content,
                None => &mut *parts,
            };
            match event {
                Event::Text(t) => push_text(&mut self.pool, target, &t.xml10_content()),
                Event::CData(c) => push_text(&mut self.pool, target, &c.xml10_content()),
                Event::GeneralRef(r) => {
                    let r = r.to_string();
                    self.resolve_into(&r, offset, target, depth)?;
                }
                Event::Start(e) => {
                    let kind = InlineKind::from_name(local(e.name().0));
                    let attrs = self.attrs(&e, offset)?;
                    open.push(Inline {
                        kind,
                        attrs,
                        content: Vec::new(),
                    });
                }
                Event::Empty(e) => {
                    let kind = InlineKind::from_name(local(e.name().0));
                    let attrs = self.attrs(&e, offset)?;
                    target.push(SegPart::Inline(Inline {
                        kind,
                        attrs,
                        content: Vec::new(),
                    }));
                }
                Event::End(_) => {
                    let Some(done) = open.pop() else {
                        return Err(bad(self, "an end tag without its start".into()));
                    };
                    let target = match open.last_mut() {
                        Some(inline) => &mut inline.content,
                        None => &mut *parts,
                    };
                    target.push(SegPart::Inline(done));
                }
                Event::Eof if open.is_empty() => return Ok(()),
                Event::Eof => return Err(bad(self, "an element is not closed".into())),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(bad(self, "a declaration".into()));
                }
            }
        }
    }

    fn resolve_discard(&mut self, r: &str, offset: u64) -> Result<()> {
        let mut sink = Vec::new();
        self.resolve_into(r, offset, &mut sink, 0)
    }

    /// Skips an element whose start tag was just read, checking its content.
    fn skip_element(&mut self, buf: &mut Vec<u8>, name: &str) -> Result<()> {
        let mut depth = 1usize;
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::GeneralRef(r) => {
                    let r = r.to_string();
                    self.resolve_discard(&r, offset)?;
                }
                Event::Eof => return Err(self.unexpected_eof(&format!("</{name}>"))),
                _ => {}
            }
        }
    }

    /// Mixed content up to the end tag of the element just opened.
    fn content(
        &mut self,
        buf: &mut Vec<u8>,
        name: &str,
        parts: &mut Vec<SegPart>,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(self.error_at(
                self.xml.buffer_position(),
                "inline elements nested too deeply",
            ));
        }
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::Text(t) => push_text(&mut self.pool, parts, &t.xml10_content()),
                Event::CData(c) => push_text(&mut self.pool, parts, &c.xml10_content()),
                Event::GeneralRef(r) => {
                    // The name is copied out of `buf` (the reader is
                    // borrowed again to resolve it) into reused scratch.
                    let mut name = std::mem::take(&mut self.ref_name);
                    name.clear();
                    name.push_str(&r);
                    let resolved = self.resolve_into(&name, offset, parts, depth);
                    self.ref_name = name;
                    resolved?;
                }
                Event::Start(e) => {
                    let kind = InlineKind::from_name(local(e.name().0));
                    let attrs = self.attrs(&e, offset)?;
                    let mut content = self.pool.parts();
                    self.content(buf, kind.name(), &mut content, depth + 1)?;
                    parts.push(SegPart::Inline(Inline {
                        kind,
                        attrs,
                        content,
                    }));
                }
                Event::Empty(e) => {
                    let kind = InlineKind::from_name(local(e.name().0));
                    let attrs = self.attrs(&e, offset)?;
                    parts.push(SegPart::Inline(Inline {
                        kind,
                        attrs,
                        content: Vec::new(),
                    }));
                }
                Event::End(_) => return Ok(()),
                Event::Eof => return Err(self.unexpected_eof(&format!("</{name}>"))),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(
                        self.error_at(offset, "an XML declaration or DOCTYPE inside an element")
                    );
                }
            }
        }
    }

    fn text_of(&mut self, buf: &mut Vec<u8>, name: &str, empty: bool) -> Result<String> {
        if empty {
            return Ok(String::new());
        }
        let mut parts = self.pool.parts();
        self.content(buf, name, &mut parts, 1)?;
        if let [SegPart::Text(_)] = parts.as_slice()
            && let Some(SegPart::Text(text)) = parts.pop()
        {
            self.pool.put_parts(parts);
            return Ok(text);
        }
        let seg = super::model::Seg {
            parts,
            attrs: Vec::new(),
        };
        let text = seg.plain_text();
        self.pool.put_parts(seg.parts);
        Ok(text)
    }

    fn note(&mut self, buf: &mut Vec<u8>, mut attrs: Vec<Attr>, empty: bool) -> Result<Note> {
        legacy_lang(&mut attrs);
        let text = self.text_of(buf, "note", empty)?;
        Ok(Note { text, attrs })
    }

    fn prop(&mut self, buf: &mut Vec<u8>, mut attrs: Vec<Attr>, empty: bool) -> Result<Prop> {
        legacy_lang(&mut attrs);
        let kind = match attrs.iter().position(|a| a.name == "type") {
            Some(i) => attrs.remove(i).value,
            None => String::new(),
        };
        let value = self.text_of(buf, "prop", empty)?;
        Ok(Prop { kind, value, attrs })
    }

    /// Visits attributes without allocating their names.
    fn for_each_attr(
        &mut self,
        e: &BytesStart<'_>,
        offset: u64,
        mut f: impl FnMut(&mut Pool, &str, Cow<'_, str>),
    ) -> Result<()> {
        // Duplicates are checked here: quick-xml's own check allocates a
        // vector per element. Up to 16 names are compared directly, more go
        // into a set (a tag with thousands of attributes stays linear).
        let mut seen: smallvec::SmallVec<[&str; 16]> = smallvec::SmallVec::new();
        let mut seen_set: Option<std::collections::HashSet<&str>> = None;
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| {
                let tag = e.name().0;
                let msg = match err {
                    quick_xml::events::attributes::AttrError::Duplicated(..) => {
                        format!("an attribute appears twice in <{tag}>")
                    }
                    other => format!("malformed attribute in <{tag}>: {other}"),
                };
                self.error_at(offset, msg)
            })?;
            let name = attr.key.0;
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
                let tag = e.name().0;
                return Err(self.error_at(offset, format!("an attribute appears twice in <{tag}>")));
            }
            if !is_xml_name(name) {
                return Err(
                    self.error_at(offset, format!("{name:?} is not a valid attribute name"))
                );
            }
            let value = self
                .attr_value(&attr.value)
                .map_err(|m| self.error_at(offset, format!("attribute {name}: {m}")))?;
            f(&mut self.pool, name, value);
        }
        Ok(())
    }

    /// Reads the attributes of a `<tu>` into `tu` (empty).
    fn tu_start(&mut self, e: &BytesStart<'_>, offset: u64, tu: &mut Tu) -> Result<()> {
        self.for_each_attr(e, offset, |pool, name, value| {
            if let Some(v) = tu.set_known(name, pool.own(value)) {
                tu.extra.push(Attr {
                    name: pool.string(name),
                    value: v,
                });
            }
        })?;
        Ok(())
    }

    /// Reads the content of a `<tu>` into `tu`. Units are large structs: they
    /// are filled in place rather than moved from function to function.
    fn tu(&mut self, buf: &mut Vec<u8>, tu: &mut Tu, empty: bool) -> Result<()> {
        if empty {
            return Ok(());
        }
        self.in_tu = true;
        loop {
            let offset = self.xml.buffer_position();
            // A note or prop to read: its name, attributes, and whether it is empty.
            let ((name, attrs), empty) = match self.read(buf)? {
                Event::Start(e) => {
                    let name = classify(local(e.name().0));
                    match name {
                        Name::Tuv => {
                            let tuv = push_tuv(&mut self.pool, &mut tu.tuvs);
                            self.tuv_start(&e, offset, tuv)?;
                            self.tuv(buf, tuv, false)?;
                            continue;
                        }
                        Name::Note | Name::Prop => ((name, self.attrs(&e, offset)?), false),
                        _ => {
                            let other = local(e.name().0).to_string();
                            self.skip_element(buf, &other)?;
                            continue;
                        }
                    }
                }
                Event::Empty(e) => {
                    let name = classify(local(e.name().0));
                    match name {
                        Name::Tuv => {
                            let tuv = push_tuv(&mut self.pool, &mut tu.tuvs);
                            self.tuv_start(&e, offset, tuv)?;
                            continue;
                        }
                        Name::Note | Name::Prop => ((name, self.attrs(&e, offset)?), true),
                        _ => continue,
                    }
                }
                Event::End(_) => {
                    self.in_tu = false;
                    return Ok(());
                }
                Event::GeneralRef(r) => {
                    let r = r.to_string();
                    self.resolve_discard(&r, offset)?;
                    continue;
                }
                Event::Eof => return Err(self.unexpected_eof("</tu>")),
                _ => continue,
            };
            if name == Name::Note {
                tu.notes.push(self.note(buf, attrs, empty)?);
                tu.meta_order.push(MetaKind::Note);
            } else {
                tu.props.push(self.prop(buf, attrs, empty)?);
                tu.meta_order.push(MetaKind::Prop);
            }
        }
    }

    /// Reads the attributes of a `<tuv>` into `tuv` (empty).
    fn tuv_start(&mut self, e: &BytesStart<'_>, offset: u64, tuv: &mut Tuv) -> Result<()> {
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
        Ok(())
    }

    fn tuv(&mut self, buf: &mut Vec<u8>, tuv: &mut Tuv, empty: bool) -> Result<()> {
        if empty {
            return Ok(());
        }
        loop {
            let offset = self.xml.buffer_position();
            let (name, attrs, empty) = match self.read(buf)? {
                Event::Start(e) => {
                    let name = classify(local(e.name().0));
                    if name == Name::Other {
                        let other = local(e.name().0).to_string();
                        self.skip_element(buf, &other)?;
                        continue;
                    }
                    (name, self.attrs(&e, offset)?, false)
                }
                Event::Empty(e) => (classify(local(e.name().0)), self.attrs(&e, offset)?, true),
                Event::End(_) => return Ok(()),
                Event::GeneralRef(r) => {
                    let r = r.to_string();
                    self.resolve_discard(&r, offset)?;
                    continue;
                }
                Event::Eof => return Err(self.unexpected_eof("</tuv>")),
                _ => continue,
            };
            match name {
                Name::Seg if tuv.missing_seg => {
                    tuv.missing_seg = false;
                    tuv.seg.attrs = attrs;
                    if !empty {
                        self.content(buf, "seg", &mut tuv.seg.parts, 1)?;
                    }
                }
                Name::Note => {
                    tuv.notes.push(self.note(buf, attrs, empty)?);
                    tuv.meta_order.push(MetaKind::Note);
                }
                Name::Prop => {
                    tuv.props.push(self.prop(buf, attrs, empty)?);
                    tuv.meta_order.push(MetaKind::Prop);
                }
                _ if !empty => self.skip_element(buf, "seg")?,
                _ => {}
            }
        }
    }

    /// Reads the next unit into `tu` (empty); false at `</body>`.
    fn next_tu(&mut self, buf: &mut Vec<u8>, tu: &mut Tu) -> Result<bool> {
        if let Some((mut pending, empty, offset)) = self.pending_tu.take() {
            self.last_tu_offset = offset;
            std::mem::swap(tu, &mut pending);
            self.pool.put_tu(pending);
            return self.tu(buf, tu, empty).map(|()| true);
        }
        loop {
            let offset = self.xml.buffer_position();
            match self.read(buf)? {
                Event::Start(e) => {
                    if local(e.name().0) == "tu" {
                        self.last_tu_offset = offset;
                        self.in_tu = true;
                        self.tu_start(&e, offset, tu)?;
                        return self.tu(buf, tu, false).map(|()| true);
                    }
                    // An unknown wrapper (a group some tools add): look inside.
                    self.for_each_attr(&e, offset, |_, _, _| {})?;
                    self.wrapper_depth += 1;
                }
                Event::Empty(e) => {
                    if local(e.name().0) == "tu" {
                        self.last_tu_offset = offset;
                        self.in_tu = true;
                        self.tu_start(&e, offset, tu)?;
                        self.in_tu = false;
                        return Ok(true);
                    }
                    self.for_each_attr(&e, offset, |_, _, _| {})?;
                }
                Event::End(_) if self.wrapper_depth > 0 => self.wrapper_depth -= 1,
                Event::End(_) => {
                    self.expect_root_end(buf)?;
                    return Ok(false);
                }
                Event::GeneralRef(r) => {
                    let r = r.to_string();
                    self.resolve_discard(&r, offset)?;
                }
                Event::Eof => return Err(self.unexpected_eof("</body>")),
                _ => {}
            }
        }
    }

    /// Lenient mode: skips to the end of the broken unit (or the start of the
    /// next one). Returns false when reading cannot go on.
    fn resync(&mut self, buf: &mut Vec<u8>) -> bool {
        for _ in 0..10_000 {
            self.xml.get_mut().clear_bad();
            let offset = self.xml.buffer_position();
            buf.clear();
            let event = self.xml.read_event_into(buf);
            match &event {
                Ok(Event::Start(e)) => {
                    // Enter, ignoring problems: this unit is already reported.
                    let _ = self.ns_enter(e);
                }
                Ok(Event::End(_)) => self.ns_leave(),
                _ => {}
            }
            match event {
                Ok(Event::End(e)) => match local(e.name().0) {
                    "tu" => return true,
                    "body" if self.wrapper_depth == 0 => {
                        self.pending_tu = None;
                        return self.expect_root_end(buf).is_ok();
                    }
                    _ => {}
                },
                Ok(Event::Start(e)) if local(e.name().0) == "tu" => {
                    self.pending_tu = Some((lenient_tu(&e), false, offset));
                    return true;
                }
                Ok(Event::Empty(e)) if local(e.name().0) == "tu" => {
                    self.pending_tu = Some((lenient_tu(&e), true, offset));
                    return true;
                }
                Ok(Event::Eof) => return false,
                Ok(_) => {}
                Err(_) => {
                    if self.xml.buffer_position() == offset {
                        return false;
                    }
                }
            }
        }
        false
    }

    /// Units read so far.
    pub fn tus_read(&self) -> u64 {
        self.tus_read
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
        if self.state == State::Done {
            return None;
        }
        self.pool.clear_tu(tu);
        let mut buf = std::mem::take(&mut self.buf);
        let result = self.next_tu(&mut buf, tu);
        let item = match result {
            Ok(true) => {
                self.tus_read += 1;
                Some(Ok(()))
            }
            Ok(false) => {
                self.state = State::Done;
                None
            }
            Err(e) => {
                let inside_tu = std::mem::take(&mut self.in_tu) && !matches!(e, Error::Io { .. });
                if !(self.options.lenient && inside_tu && self.resync(&mut buf)) {
                    self.state = State::Done;
                }
                Some(Err(e))
            }
        };
        self.buf = buf;
        item
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
        self.pool.put_tu(tu);
    }
}

impl<R: Read> Iterator for TmxReader<R> {
    type Item = Result<Tu>;

    fn next(&mut self) -> Option<Result<Tu>> {
        if self.state == State::Done {
            return None;
        }
        let mut tu = self.pool.tu();
        match self.next_into(&mut tu) {
            Some(Ok(())) => Some(Ok(tu)),
            other => {
                self.pool.put_tu(tu);
                other.map(|r| r.map(|()| Tu::default()))
            }
        }
    }
}

/// Attributes of a start tag, ignoring malformed ones (used only to resume
/// after an error in lenient mode; a malformed attribute is reported when
/// the unit is parsed).
fn lenient_tu(e: &BytesStart<'_>) -> Tu {
    let mut tu = Tu::default();
    for a in e.attributes().flatten() {
        if let Some(v) = tu.set_known(a.key.0, a.value.into_owned()) {
            tu.extra.push(Attr {
                name: a.key.0.to_string(),
                value: v,
            });
        }
    }
    tu
}

/// True when text holds `]]>`, which XML forbids outside CDATA sections.
fn has_cdata_end(text: &[u8]) -> bool {
    memchr::memchr_iter(b'>', text).any(|i| i >= 2 && &text[i - 2..i] == b"]]")
}

/// True when the raw attributes of a tag may use a namespace prefix other
/// than `xml:` (a quick test; false positives only cost the full check).
fn uses_prefixes(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|colon| {
        let start = bytes[..colon]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
            .map_or(0, |p| p + 1);
        &bytes[start..colon] != b"xml"
    })
}

/// The elements the reader dispatches on, recognized without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    Tuv,
    Seg,
    Note,
    Prop,
    Other,
}

fn classify(local: &str) -> Name {
    match local {
        "tuv" => Name::Tuv,
        "seg" => Name::Seg,
        "note" => Name::Note,
        "prop" => Name::Prop,
        _ => Name::Other,
    }
}

fn display_path(file: &Option<PathBuf>) -> PathBuf {
    file.clone().unwrap_or_else(|| PathBuf::from("<stdin>"))
}

/// The local part of a qualified name (`tmx:tu` → `tu`).
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// Appends an empty variant (from the pool) and returns it to be filled.
fn push_tuv<'t>(pool: &mut Pool, tuvs: &'t mut Vec<Tuv>) -> &'t mut Tuv {
    tuvs.push(pool.tuv());
    let last = tuvs.len() - 1;
    &mut tuvs[last]
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
