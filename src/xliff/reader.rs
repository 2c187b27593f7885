//! The XLIFF reader: XLIFF 1.2 (with Trados `<mrk mtype="seg">`
//! segmentation and `sdl:seg` states, memoQ `mq:status`) and XLIFF 2.0/2.1,
//! on quick-xml's pull parser over the whole text.
//!
//! Besides the content it records byte spans (the target of each segment,
//! where a missing one would go, the start tags a state is written into) so
//! [`super::fill`] can edit a file in place. Elements of other namespaces
//! are skipped, except Trados' segment definitions; `<alt-trans>` and
//! `<mtc:matches>` are suggestions, not content, and are skipped too.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::inline::{code, merge_text};
use super::{Dialect, Document, File, Format, Segment, State, Unit, syntax_at};
use crate::error::{Error, Result};
use crate::tmx::{Attr, InlineKind, Seg, SegPart};

/// A start tag's byte span and its attributes.
pub type Tag = (Range<usize>, Vec<(String, String)>);

/// Where a segment's target is in the file read (opaque: what [`super::fill`] needs).
#[derive(Debug, Clone, Default)]
pub struct SegmentSpan {
    /// The existing target (a `<target>` element, or a Trados target `<mrk>`).
    pub(crate) target: Option<Range<usize>>,
    /// True when the file read had a target with text or codes for it.
    pub(crate) had_target: bool,
    /// XLIFF 2.0: where a new `<target>` goes (after `</source>`).
    pub(crate) insert_at: usize,
    /// XLIFF 2.0: the `<segment …>` start tag and its attributes; Trados:
    /// the segment's `<sdl:seg …>` tag.
    pub(crate) start_tag: Option<Tag>,
}

/// Where a unit's parts are in the file read (opaque).
#[derive(Debug, Clone, Default)]
pub struct UnitSpan {
    /// XLIFF 1.2: the unit's `<target>` element.
    pub(crate) target: Option<Range<usize>>,
    /// XLIFF 1.2: where a new `<target>` goes (after `</source>` or `</seg-source>`).
    pub(crate) insert_at: usize,
    /// Just after the unit's start tag.
    pub(crate) after_start: usize,
    /// True when the source is segmented with `<mrk mtype="seg">`.
    pub(crate) mrk_segmented: bool,
    /// Notes read (those past it were added since).
    pub(crate) notes_read: usize,
    /// XLIFF 2.0: before the first core child (`notes`, `originalData`,
    /// `segment`), where module elements may still go.
    pub(crate) core_at: Option<usize>,
    /// XLIFF 2.0: the unit had `<notes>`.
    pub(crate) had_notes: bool,
    /// XLIFF 2.0: where new notes go inside the unit's `<notes>` (before
    /// `</notes>`), or the span of an empty `<notes/>` to replace.
    pub(crate) notes_end: Option<Range<usize>>,
    /// XLIFF 2.0: the unit's `<originalData>` entries (id, native code), in order.
    pub(crate) data: Vec<(String, String)>,
    /// XLIFF 2.0: where new `<data>` go inside `<originalData>` (before
    /// `</originalData>`).
    pub(crate) data_end: Option<usize>,
    /// XLIFF 2.0: before the first `<segment>`/`<ignorable>`, where a new
    /// `<originalData>` goes when the unit has none.
    pub(crate) segments_at: Option<usize>,
}

/// Where a file's start tag is in the file read (opaque).
#[derive(Debug, Clone, Default)]
pub struct FileSpan {
    pub(crate) start_tag: Option<Tag>,
    /// The root `<xliff …>` start tag.
    pub(crate) root_tag: Option<Tag>,
}

// Spans say where content was, not what it is: documents compare by content.
macro_rules! spans_compare_equal {
    ($($t:ty),*) => {$(
        impl PartialEq for $t {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }
        impl Eq for $t {}
    )*};
}
spans_compare_equal!(SegmentSpan, UnitSpan, FileSpan);

/// Parses an XLIFF document.
pub(crate) fn parse(text: &str, file: Option<&Path>) -> Result<Document> {
    let mut p = Parser {
        xml: Reader::from_str(text),
        text,
        file,
        v2: false,
        data: HashMap::new(),
        next_i: 0,
        line: (0, 1),
        root: None,
    };
    p.xml.config_mut().trim_text(false);
    p.document()
}

struct Parser<'a> {
    xml: Reader<&'a [u8]>,
    text: &'a str,
    file: Option<&'a Path>,
    v2: bool,
    /// XLIFF 2.0: the current unit's `<originalData>`.
    data: HashMap<String, String>,
    /// TMX `i` numbers handed out in the current segment.
    next_i: u32,
    /// (offset, line) last counted, so lines are counted once.
    line: (usize, u64),
    /// The root start tag and its attributes.
    root: Option<Tag>,
}

type Attrs = Vec<(String, String)>;

/// A Trados segment marker: its `mid`, its content, its byte span.
type Mrk = (String, Seg, Range<usize>);

fn get<'v>(attrs: &'v Attrs, name: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

impl<'a> Parser<'a> {
    fn err(&self, offset: usize, message: impl Into<String>) -> Error {
        syntax_at(self.file, self.text, offset, message)
    }

    /// The next event with its start and end offsets.
    fn next(&mut self) -> Result<(Event<'a>, usize, usize)> {
        let start = self.xml.buffer_position() as usize;
        let event = self.xml.read_event().map_err(|e| {
            syntax_at(
                self.file,
                self.text,
                self.xml.error_position() as usize,
                format!("malformed XML: {e}"),
            )
        })?;
        Ok((event, start, self.xml.buffer_position() as usize))
    }

    fn attrs(&self, e: &BytesStart, at: usize) -> Result<Attrs> {
        let mut out = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| self.err(at, format!("bad attribute: {err}")))?;
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| self.err(at, format!("bad attribute value: {err}")))?;
            let name = a.key.as_ref().to_string();
            out.push((name, value.into_owned()));
        }
        Ok(out)
    }

    fn line_at(&mut self, offset: usize) -> u64 {
        let (from, line) = self.line;
        let offset = offset.max(from).min(self.text.len());
        let added = memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..offset]).count();
        self.line = (offset, line + added as u64);
        self.line.1
    }

    fn skip(&mut self, e: &BytesStart, at: usize) -> Result<()> {
        let end = e.to_end().into_owned();
        self.xml.read_to_end(end.name()).map_err(|err| {
            self.err(
                at,
                format!("malformed XML in <{}>: {err}", name_of(e).as_str()),
            )
        })?;
        Ok(())
    }

    fn document(&mut self) -> Result<Document> {
        let mut doc = Document::default();
        loop {
            let (event, start, end) = self.next()?;
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = name_of(&e);
                    if local(&name) != "xliff" {
                        return Err(self.err(
                            start,
                            format!("not an XLIFF document: the root element is <{name}>"),
                        ));
                    }
                    let attrs = self.attrs(&e, start)?;
                    self.root = Some((start..end, attrs.clone()));
                    doc.version = get(&attrs, "version").unwrap_or("1.2").to_string();
                    self.v2 = doc.version.starts_with('2');
                    if !self.v2 && !doc.version.starts_with('1') {
                        return Err(self.err(
                            start,
                            format!(
                                "unsupported XLIFF version {:?} (1.0–1.2 and 2.x are read)",
                                doc.version
                            ),
                        ));
                    }
                    doc.format = Some(if self.v2 {
                        Format::Xliff20
                    } else {
                        Format::Xliff12
                    });
                    for (n, v) in &attrs {
                        if n.starts_with("xmlns:") && v.contains("sdl.com") {
                            doc.dialect = Dialect::Sdl;
                        } else if n.starts_with("xmlns:") && v.contains("kilgray.com") {
                            doc.dialect = Dialect::MemoQ;
                        }
                    }
                    let langs = (
                        get(&attrs, "srcLang").map(str::to_string),
                        get(&attrs, "trgLang").map(str::to_string),
                    );
                    if !self.text[start..end].ends_with("/>") {
                        self.body(&mut doc, langs)?;
                    }
                    return Ok(doc);
                }
                Event::Text(t) if !t.trim().is_empty() => {
                    return Err(self.err(start, "text before the root element"));
                }
                Event::Eof => return Err(self.err(end, "empty document: no <xliff> element")),
                _ => {}
            }
        }
    }

    /// The content of `<xliff>`: files, groups, units.
    fn body(&mut self, doc: &mut Document, langs: (Option<String>, Option<String>)) -> Result<()> {
        let mut file: Option<File> = None;
        loop {
            let (event, start, end) = self.next()?;
            match event {
                Event::Start(e) if e.name().prefix().is_some() => self.skip(&e, start)?,
                Event::Start(e) => match name_of(&e).as_str() {
                    "file" => {
                        let attrs = self.attrs(&e, start)?;
                        file = Some(self.file_of(&attrs, &langs, start..end)?);
                    }
                    "trans-unit" if !self.v2 => {
                        let attrs = self.attrs(&e, start)?;
                        let unit = self.unit12(&attrs, start, end)?;
                        self.push_unit(&mut file, unit, start)?;
                    }
                    "unit" if self.v2 => {
                        let attrs = self.attrs(&e, start)?;
                        let unit = self.unit20(&attrs, start, end)?;
                        self.push_unit(&mut file, unit, start)?;
                    }
                    "group" | "body" => {}
                    _ => self.skip(&e, start)?,
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "file" => doc.files.extend(file.take()),
                    "xliff" => return Ok(()),
                    _ => {}
                },
                Event::Eof => return Err(self.err(end, "unexpected end of file: </xliff> missing")),
                _ => {}
            }
        }
    }

    fn push_unit(&self, file: &mut Option<File>, unit: Unit, at: usize) -> Result<()> {
        match file {
            // A 2.0 unit of `<ignorable>`s only has nothing to translate.
            Some(_) if unit.segments.is_empty() => Ok(()),
            Some(f) => {
                f.units.push(unit);
                Ok(())
            }
            None => Err(self.err(at, "a unit outside any <file>")),
        }
    }

    fn file_of(
        &self,
        attrs: &Attrs,
        langs: &(Option<String>, Option<String>),
        tag: Range<usize>,
    ) -> Result<File> {
        let (source_language, target_language) = if self.v2 {
            langs.clone()
        } else {
            (
                get(attrs, "source-language").map(str::to_string),
                get(attrs, "target-language").map(str::to_string),
            )
        };
        Ok(File {
            original: get(attrs, "original")
                .or_else(|| get(attrs, "id"))
                .unwrap_or_default()
                .to_string(),
            source_language,
            target_language,
            datatype: get(attrs, "datatype").map(str::to_string),
            units: Vec::new(),
            po_header: None,
            span: FileSpan {
                start_tag: Some((tag, attrs.clone())),
                root_tag: self.root.clone(),
            },
        })
    }

    /// An XLIFF 1.2 `<trans-unit>` (its start tag already read).
    fn unit12(&mut self, attrs: &Attrs, start: usize, end: usize) -> Result<Unit> {
        let id = get(attrs, "id")
            .ok_or_else(|| self.err(start, "<trans-unit> without the required id"))?;
        let mut unit = Unit {
            id: id.to_string(),
            name: get(attrs, "resname").map(str::to_string),
            translate: get(attrs, "translate") != Some("no"),
            line: self.line_at(start),
            ..Unit::default()
        };
        unit.span.after_start = end;
        let approved = get(attrs, "approved") == Some("yes");
        let memoq = get(attrs, "mq:status").map(State::of_memoq);
        let mut source = Seg::default();
        let mut seg_source: Option<Vec<Mrk>> = None;
        let mut target: Option<(Seg, Vec<Mrk>, Attrs)> = None;
        let mut confs: HashMap<String, (Option<String>, Tag)> = HashMap::new();
        loop {
            let (event, start, end) = self.next()?;
            match event {
                Event::Start(e) if e.local_name().as_ref() == "seg-defs" => {
                    self.seg_defs(&mut confs)?
                }
                Event::Start(e) if e.name().prefix().is_some() => self.skip(&e, start)?,
                Event::Start(e) => match name_of(&e).as_str() {
                    "source" => {
                        source = self.inline()?.0;
                        unit.span.insert_at = self.xml.buffer_position() as usize;
                    }
                    "seg-source" => {
                        let (_, mrks) = self.inline()?;
                        seg_source = Some(mrks);
                        unit.span.insert_at = self.xml.buffer_position() as usize;
                    }
                    "target" => {
                        let tattrs = self.attrs(&e, start)?;
                        let (seg, mrks) = self.inline()?;
                        unit.span.target = Some(start..self.xml.buffer_position() as usize);
                        target = Some((seg, mrks, tattrs));
                    }
                    "note" => {
                        let (seg, _) = self.inline()?;
                        unit.notes.push(seg.plain_text());
                    }
                    _ => self.skip(&e, start)?,
                },
                Event::Empty(e) => match name_of(&e).as_str() {
                    "source" => unit.span.insert_at = end,
                    "target" => {
                        let tattrs = self.attrs(&e, start)?;
                        unit.span.target = Some(start..end);
                        target = Some((Seg::default(), Vec::new(), tattrs));
                    }
                    _ => {}
                },
                Event::End(_) => break,
                Event::Eof => return Err(self.err(end, "unexpected end of file in <trans-unit>")),
                _ => {}
            }
        }
        match seg_source.filter(|m| !m.is_empty()) {
            Some(mrks) => {
                unit.span.mrk_segmented = true;
                for (mid, src, _) in mrks {
                    let found = target
                        .as_ref()
                        .and_then(|(_, t, _)| t.iter().find(|(m, _, _)| *m == mid));
                    let tgt = found.map(|(_, s, _)| s.clone());
                    let (conf, sdl_tag) = match confs.remove(&mid) {
                        Some((conf, tag)) => (conf, Some(tag)),
                        None => (None, None),
                    };
                    let has_text = tgt.as_ref().is_some_and(has_content);
                    let state = match (&conf, has_text) {
                        (_, false) => State::New,
                        (Some(c), true) => State::of_sdl_conf(c),
                        (None, true) => target
                            .as_ref()
                            .and_then(|(_, _, a)| get(a, "state"))
                            .map_or(State::Draft, State::of_xliff12),
                    };
                    unit.segments.push(Segment {
                        id: Some(mid),
                        source: src,
                        target: tgt,
                        state,
                        raw_state: conf,
                        state_qualifier: None,
                        candidates: Vec::new(),
                        span: SegmentSpan {
                            target: found.map(|(_, _, r)| r.clone()),
                            had_target: has_text,
                            start_tag: sdl_tag,
                            ..SegmentSpan::default()
                        },
                    });
                }
            }
            None => {
                let (tgt, tattrs) = match target {
                    Some((seg, _, a)) => (Some(seg), a),
                    None => (None, Vec::new()),
                };
                let raw_state = get(&tattrs, "state").map(str::to_string);
                let had_target = tgt.as_ref().is_some_and(has_content);
                let mut state = if had_target {
                    let mut s = raw_state
                        .as_deref()
                        .map_or(State::Translated, State::of_xliff12);
                    if let Some(m) = memoq {
                        s = m;
                    }
                    s
                } else {
                    State::New
                };
                if approved && state >= State::Translated {
                    state = state.max(State::Reviewed);
                }
                unit.segments.push(Segment {
                    id: None,
                    source,
                    target: tgt,
                    state,
                    raw_state,
                    state_qualifier: get(&tattrs, "state-qualifier").map(str::to_string),
                    candidates: Vec::new(),
                    span: SegmentSpan {
                        target: unit.span.target.clone(),
                        had_target,
                        ..SegmentSpan::default()
                    },
                });
            }
        }
        unit.span.notes_read = unit.notes.len();
        Ok(unit)
    }

    /// Trados `<sdl:seg-defs>`: each segment's `conf`, by id.
    fn seg_defs(&mut self, confs: &mut HashMap<String, (Option<String>, Tag)>) -> Result<()> {
        let mut depth = 1;
        loop {
            let (event, start, end) = self.next()?;
            if matches!(event, Event::Start(_)) {
                depth += 1;
            }
            match event {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "seg" => {
                    let attrs = self.attrs(&e, start)?;
                    if let Some(id) = get(&attrs, "id") {
                        let conf = get(&attrs, "conf").map(str::to_string);
                        confs.insert(id.to_string(), (conf, (start..end, attrs.clone())));
                    }
                }
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::Eof => return Err(self.err(end, "unexpected end of file in seg-defs")),
                _ => {}
            }
        }
    }

    /// An XLIFF 2.0 `<unit>` (its start tag already read).
    fn unit20(&mut self, attrs: &Attrs, start: usize, end: usize) -> Result<Unit> {
        let id =
            get(attrs, "id").ok_or_else(|| self.err(start, "<unit> without the required id"))?;
        let mut unit = Unit {
            id: id.to_string(),
            name: get(attrs, "name").map(str::to_string),
            translate: get(attrs, "translate") != Some("no"),
            line: self.line_at(start),
            ..Unit::default()
        };
        unit.span.after_start = end;
        self.data.clear();
        loop {
            let (event, start, end) = self.next()?;
            match event {
                Event::Start(e) if e.name().prefix().is_some() => self.skip(&e, start)?,
                Event::Start(e) => {
                    let name = name_of(&e);
                    if matches!(
                        name.as_str(),
                        "segment" | "notes" | "originalData" | "ignorable"
                    ) && unit.span.core_at.is_none()
                    {
                        unit.span.core_at = Some(start);
                    }
                    unit.span.had_notes |= name == "notes";
                    if matches!(name.as_str(), "segment" | "ignorable")
                        && unit.span.segments_at.is_none()
                    {
                        unit.span.segments_at = Some(start);
                    }
                    match name.as_str() {
                        "segment" => {
                            let sattrs = self.attrs(&e, start)?;
                            let seg = self.segment20(sattrs, start..end)?;
                            unit.segments.push(seg);
                        }
                        "notes" | "originalData" => {}
                        "note" => {
                            let (seg, _) = self.inline()?;
                            unit.notes.push(seg.plain_text());
                        }
                        "data" => {
                            let dattrs = self.attrs(&e, start)?;
                            let (seg, _) = self.inline()?;
                            if let Some(id) = get(&dattrs, "id") {
                                self.data.insert(id.to_string(), seg.plain_text());
                                unit.span.data.push((id.to_string(), seg.plain_text()));
                            }
                        }
                        _ => self.skip(&e, start)?,
                    }
                }
                Event::Empty(e) if e.name().prefix().is_none() => match name_of(&e).as_str() {
                    "notes" => {
                        unit.span.core_at.get_or_insert(start);
                        unit.span.had_notes = true;
                        unit.span.notes_end = Some(start..end);
                    }
                    "originalData" => {
                        unit.span.core_at.get_or_insert(start);
                    }
                    "segment" | "ignorable" => {
                        unit.span.core_at.get_or_insert(start);
                        unit.span.segments_at.get_or_insert(start);
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == "notes" => {
                    unit.span.notes_end = Some(start..start);
                }
                Event::End(e) if e.local_name().as_ref() == "originalData" => {
                    unit.span.data_end = Some(start);
                }
                Event::End(e) if e.local_name().as_ref() == "unit" => {
                    unit.span.notes_read = unit.notes.len();
                    return Ok(unit);
                }
                Event::Eof => return Err(self.err(end, "unexpected end of file in <unit>")),
                _ => {}
            }
        }
    }

    fn segment20(&mut self, attrs: Attrs, tag: Range<usize>) -> Result<Segment> {
        let mut segment = Segment {
            id: get(&attrs, "id").map(str::to_string),
            raw_state: get(&attrs, "state").map(str::to_string),
            state_qualifier: get(&attrs, "subState").map(str::to_string),
            ..Segment::default()
        };
        segment.span.insert_at = tag.end;
        loop {
            let (event, start, end) = self.next()?;
            match event {
                Event::Start(e) => match name_of(&e).as_str() {
                    "source" => {
                        self.next_i = 0;
                        segment.source = self.inline()?.0;
                        segment.span.insert_at = self.xml.buffer_position() as usize;
                    }
                    "target" => {
                        self.next_i = 0;
                        segment.target = Some(self.inline()?.0);
                        segment.span.target = Some(start..self.xml.buffer_position() as usize);
                    }
                    _ => self.skip(&e, start)?,
                },
                Event::Empty(e) => match name_of(&e).as_str() {
                    "source" => segment.span.insert_at = end,
                    "target" => {
                        segment.target = Some(Seg::default());
                        segment.span.target = Some(start..end);
                    }
                    _ => {}
                },
                Event::End(_) => break,
                Event::Eof => return Err(self.err(end, "unexpected end of file in <segment>")),
                _ => {}
            }
        }
        let has_target = segment.target.as_ref().is_some_and(has_content);
        segment.span.had_target = has_target;
        segment.state = match segment.raw_state.as_deref() {
            Some(s) => State::of_xliff20(s, has_target),
            None if has_target => State::Translated,
            None => State::New,
        };
        segment.span.start_tag = Some((tag, attrs));
        Ok(segment)
    }

    /// The inline content of the element just opened, up to its end tag;
    /// Trados segment markers (`<mrk mtype="seg">`) at its top level are also
    /// returned one by one, with their byte spans.
    fn inline(&mut self) -> Result<(Seg, Vec<Mrk>)> {
        self.next_i = 0;
        let mut mrks = Vec::new();
        let parts = self.parts(true, &mut mrks, &mut Vec::new())?;
        Ok((
            Seg {
                parts,
                attrs: Vec::new(),
            },
            mrks,
        ))
    }

    fn parts(
        &mut self,
        top: bool,
        mrks: &mut Vec<Mrk>,
        sc_open: &mut Vec<(String, u32)>,
    ) -> Result<Vec<SegPart>> {
        let mut parts = Vec::new();
        loop {
            let (event, start, end) = self.next()?;
            match event {
                Event::Text(t) => parts.push(SegPart::Text(t.xml10_content().into_owned())),
                Event::CData(t) => parts.push(SegPart::Text(t.xml10_content().into_owned())),
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*r {
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "amp" => "&".into(),
                            "apos" => "'".into(),
                            "quot" => "\"".into(),
                            other => {
                                return Err(self.err(start, format!("unknown entity &{other};")));
                            }
                        },
                        Err(e) => {
                            return Err(self.err(start, format!("bad character reference: {e}")));
                        }
                    };
                    parts.push(SegPart::Text(c));
                }
                Event::Start(e) => {
                    let attrs = self.attrs(&e, start)?;
                    let name = name_of(&e);
                    let kids = self.parts(false, mrks, sc_open)?;
                    let span = start..self.xml.buffer_position() as usize;
                    self.element(&name, &attrs, kids, top, span, mrks, sc_open, &mut parts);
                }
                Event::Empty(e) => {
                    let attrs = self.attrs(&e, start)?;
                    let name = name_of(&e);
                    self.element(
                        &name,
                        &attrs,
                        Vec::new(),
                        top,
                        start..end,
                        mrks,
                        sc_open,
                        &mut parts,
                    );
                }
                Event::End(_) => return Ok(merge_text(parts)),
                Event::Eof => return Err(self.err(end, "unexpected end of file inside a segment")),
                _ => {}
            }
        }
    }

    /// Appends the TMX form of an XLIFF inline element to `out`.
    #[allow(clippy::too_many_arguments)]
    fn element(
        &mut self,
        name: &str,
        attrs: &Attrs,
        kids: Vec<SegPart>,
        top: bool,
        span: Range<usize>,
        mrks: &mut Vec<Mrk>,
        sc_open: &mut Vec<(String, u32)>,
        out: &mut Vec<SegPart>,
    ) {
        let id = get(attrs, "id").unwrap_or_default().to_string();
        let x = || {
            let mut a = vec![Attr::new("x", id.clone())];
            if let Some(t) = get(attrs, "ctype").or_else(|| get(attrs, "type")) {
                a.push(Attr::new("type", t));
            }
            a
        };
        let mut next_i = || {
            self.next_i += 1;
            self.next_i.to_string()
        };
        let data = |key: &str| -> Vec<SegPart> {
            get(attrs, key)
                .and_then(|d| self.data.get(d))
                .map(|d| vec![SegPart::Text(d.clone())])
                .unwrap_or_default()
        };
        match (self.v2, local(name)) {
            (false, "g") | (true, "pc") => {
                let i = next_i();
                let mut open = vec![Attr::new("i", i.clone()), Attr::new("x", id.clone())];
                if let Some(t) = get(attrs, "ctype").or_else(|| get(attrs, "type")) {
                    open.push(Attr::new("type", t));
                }
                out.push(code(InlineKind::Bpt, open, data("dataRefStart")));
                out.extend(kids);
                out.push(code(
                    InlineKind::Ept,
                    vec![Attr::new("i", i)],
                    data("dataRefEnd"),
                ));
            }
            (false, "x") => out.push(code(InlineKind::Ph, x(), Vec::new())),
            (false, "ph") => out.push(code(InlineKind::Ph, x(), kids)),
            (true, "ph") => out.push(code(InlineKind::Ph, x(), data("dataRef"))),
            (false, "bx") => out.push(code(InlineKind::It, pos("begin", x()), Vec::new())),
            (false, "ex") => out.push(code(InlineKind::It, pos("end", x()), Vec::new())),
            (false, "it") => {
                let p = if get(attrs, "pos") == Some("close") {
                    "end"
                } else {
                    "begin"
                };
                out.push(code(InlineKind::It, pos(p, x()), kids));
            }
            (false, "bpt" | "ept") => {
                let i = get(attrs, "rid").unwrap_or(&id).to_string();
                let kind = if local(name) == "bpt" {
                    InlineKind::Bpt
                } else {
                    InlineKind::Ept
                };
                let mut a = vec![Attr::new("i", i)];
                if kind == InlineKind::Bpt {
                    a.push(Attr::new("x", id.clone()));
                }
                out.push(code(kind, a, kids));
            }
            (false, "sub") => out.push(code(InlineKind::Sub, Vec::new(), kids)),
            (true, "sc") if get(attrs, "isolated") != Some("yes") => {
                let i = next_i();
                sc_open.push((id.clone(), i.parse().unwrap_or(0)));
                out.push(code(
                    InlineKind::Bpt,
                    vec![Attr::new("i", i), Attr::new("x", id.clone())],
                    data("dataRef"),
                ));
            }
            (true, "sc") => out.push(code(InlineKind::It, pos("begin", x()), data("dataRef"))),
            (true, "ec") => {
                let start_ref = get(attrs, "startRef").unwrap_or_default();
                match sc_open.iter().rposition(|(s, _)| s == start_ref) {
                    Some(k) if !start_ref.is_empty() => {
                        let (_, i) = sc_open.remove(k);
                        out.push(code(
                            InlineKind::Ept,
                            vec![Attr::new("i", i.to_string())],
                            data("dataRef"),
                        ));
                    }
                    _ => {
                        let ident = if id.is_empty() {
                            start_ref.to_string()
                        } else {
                            id.clone()
                        };
                        out.push(code(
                            InlineKind::It,
                            pos("end", vec![Attr::new("x", ident)]),
                            data("dataRef"),
                        ));
                    }
                }
            }
            (true, "cp") => {
                if let Some(c) = get(attrs, "hex")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                {
                    out.push(SegPart::Text(c.to_string()));
                }
            }
            (_, "mrk") if get(attrs, "mtype") == Some("seg") => {
                if top {
                    let mid = get(attrs, "mid").unwrap_or_default().to_string();
                    mrks.push((
                        mid,
                        Seg {
                            parts: merge_text(kids.clone()),
                            attrs: Vec::new(),
                        },
                        span,
                    ));
                }
                out.extend(kids);
            }
            (_, "mrk") => {
                let t = get(attrs, "mtype").or_else(|| get(attrs, "type"));
                let a = t.map(|t| vec![Attr::new("type", t)]).unwrap_or_default();
                out.push(code(InlineKind::Hi, a, kids));
            }
            // Annotation boundaries (2.0 sm/em) and foreign elements: their text stays.
            _ => out.extend(kids),
        }
    }
}

fn pos(p: &str, mut attrs: Vec<Attr>) -> Vec<Attr> {
    attrs.insert(0, Attr::new("pos", p));
    attrs
}

fn has_content(seg: &Seg) -> bool {
    !seg.plain_text().trim().is_empty() || seg.has_inline_codes()
}

fn name_of(e: &BytesStart) -> String {
    e.name().as_ref().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trados_segments_and_confs() {
        let doc = parse(
            r#"<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0">
<file original="a.docx" source-language="en-US" target-language="fr-FR" datatype="x-sdlfilterframework2"><body>
<trans-unit id="u1"><source>One. Two.</source>
<seg-source><mrk mtype="seg" mid="1">One.</mrk> <mrk mtype="seg" mid="2">Two <g id="5">x</g>.</mrk></seg-source>
<target><mrk mtype="seg" mid="1">Un.</mrk> <mrk mtype="seg" mid="2"/></target>
<sdl:seg-defs><sdl:seg id="1" conf="ApprovedTranslation" origin="tm"/><sdl:seg id="2"/></sdl:seg-defs>
</trans-unit></body></file></xliff>"#,
            None,
        )
        .unwrap();
        assert_eq!(doc.dialect, Dialect::Sdl);
        let unit = &doc.files[0].units[0];
        assert_eq!(unit.segments.len(), 2);
        assert_eq!(unit.segments[0].state, State::Reviewed);
        assert_eq!(unit.segments[1].state, State::New);
        assert_eq!(
            unit.segments[1].source.text_with_placeholders(),
            "Two {1}x{/1}."
        );
        assert!(unit.segments[1].span.target.is_some());
    }

    #[test]
    fn xliff20_codes_and_original_data() {
        let doc = parse(
            r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">
<file id="f1"><unit id="u1"><originalData><data id="d1">&lt;br/&gt;</data></originalData>
<segment id="s1" state="reviewed"><source>A<ph id="1" dataRef="d1"/><sc id="2"/>b<ec startRef="2"/></source><target>B<ph id="1" dataRef="d1"/></target></segment>
<segment id="s2"><source>C<pc id="3">d</pc></source></segment></unit></file></xliff>"#,
            None,
        )
        .unwrap();
        let u = &doc.files[0].units[0];
        assert_eq!(doc.files[0].target_language.as_deref(), Some("de"));
        assert_eq!(u.segments[0].state, State::Reviewed);
        assert_eq!(
            u.segments[0].source.text_with_placeholders(),
            "A{1}{2}b{/2}"
        );
        let SegPart::Inline(ph) = &u.segments[0].source.parts[1] else {
            panic!()
        };
        assert_eq!(ph.content, vec![SegPart::Text("<br/>".into())]);
        assert_eq!(u.segments[1].state, State::New);
        assert_eq!(u.segments[1].source.plain_text(), "Cd");
    }

    /// Found by the `xliff_reader` fuzz target: a unit without segments was
    /// written back as a unit with one empty segment.
    #[test]
    fn regression_units_without_segments_are_left_out() {
        let doc = parse(
            r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en"><file id="f">
<unit id="a"><segment id="s"><source>Hi</source></segment></unit>
<unit id="b"><ignorable><source> </source></ignorable></unit></file></xliff>"#,
            None,
        )
        .unwrap();
        assert_eq!(doc.files[0].units.len(), 1);
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse(
            "<xliff version=\"1.2\"><file original=\"a\" source-language=\"en\" datatype=\"plaintext\"><body>\n  <trans-unit><source>x</source></trans-unit></body></file></xliff>",
            Some(Path::new("job.xlf")),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "job.xlf:2:3: <trans-unit> without the required id"
        );
        let err = parse(
            "<xliff version=\"1.2\">\n<file>&bogus;</fil></xliff>",
            Some(Path::new("b.xlf")),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("b.xlf:2:"), "{err}");
        let err = parse("<tmx/>", None).unwrap_err().to_string();
        assert!(err.contains("root element"), "{err}");
    }
}
