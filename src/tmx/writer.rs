//! The TMX writer: UTF-8, TMX 1.4b, always well-formed. Characters XML 1.0
//! forbids are never written (they are counted, see
//! [`TmxWriter::dropped_chars`]); whitespace that an XML parser would
//! normalize (`\r`, and tabs and line breaks in attributes) is written as
//! character references so it reads back unchanged.

use std::io::Write;

use super::entities::{is_xml_char, is_xml_name};
use super::model::{
    Attr, Header, Inline, MetaKind, Note, Prop, RawElement, Seg, SegPart, Tu, Tuv, Ude,
};
use crate::error::{Error, Result};

/// A TMX writer whose header is written last, for a header that depends
/// on the units (the `srclang` of a filtered file): units go to an
/// anonymous temporary file, and [`SpooledTmxWriter::finish_into`] writes
/// the document, header first, to its output.
pub struct SpooledTmxWriter {
    units: TmxWriter<std::io::BufWriter<std::fs::File>>,
}

impl SpooledTmxWriter {
    /// A writer spooling to a temporary file (removed when dropped).
    pub fn new() -> Result<Self> {
        let file = tempfile::tempfile().map_err(|e| Error::io("<temporary file>", e))?;
        Ok(SpooledTmxWriter {
            units: TmxWriter::units_only(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Writes one unit (to the temporary file).
    pub fn write_tu(&mut self, tu: &Tu) -> Result<()> {
        self.units.write_tu(tu)
    }

    /// Characters left out because XML 1.0 cannot represent them.
    pub fn dropped_chars(&self) -> u64 {
        self.units.dropped
    }

    /// Writes the document to `out`: `header`, the units written, then
    /// `trailer` (see [`TmxWriter::finish_with`]).
    pub fn finish_into<W: Write>(
        self,
        out: W,
        header: &Header,
        trailer: &[RawElement],
    ) -> Result<W> {
        use std::io::{Seek, SeekFrom};
        let spool_err = |e| Error::io("<temporary file>", e);
        let mut file = self
            .units
            .out
            .into_inner()
            .map_err(|e| spool_err(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(spool_err)?;
        let mut w = TmxWriter::new(out, header)?;
        std::io::copy(&mut file, &mut w.out).map_err(io_err)?;
        w.dropped += self.units.dropped;
        w.written = self.units.written;
        w.finish_with(trailer)
    }
}

/// Writes a TMX document unit by unit.
///
/// ```
/// use tmkit::tmx::{Header, TmxWriter, Tu, Tuv};
/// let mut out = Vec::new();
/// let mut w = TmxWriter::new(&mut out, &Header::new("en")).unwrap();
/// w.write_tu(&Tu::new(vec![Tuv::new("en", "Fish & chips"), Tuv::new("fr", "Poisson-frites")])).unwrap();
/// w.finish().unwrap();
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains("<seg>Fish &amp; chips</seg>"));
/// ```
pub struct TmxWriter<W: Write> {
    out: W,
    scratch: String,
    dropped: u64,
    written: u64,
}

impl<W: Write> TmxWriter<W> {
    /// Starts a document: XML declaration, `<tmx version="1.4">`, the
    /// header, and `<body>`.
    pub fn new(out: W, header: &Header) -> Result<Self> {
        let mut w = TmxWriter::units_only(out);
        let mut s = std::mem::take(&mut w.scratch);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"");
        for a in &header.root_attrs {
            if a.name != "version" {
                w.attr(&mut s, &a.name, &a.value)?;
            }
        }
        s.push_str(">\n");
        // A document read without a header is written without one (a
        // faithful copy; `Header::complete` makes one).
        let mut has_known = false;
        header.for_each_known(|_, _| has_known = true);
        if header.present
            || has_known
            || !header.extra.is_empty()
            || !header.meta_order.is_empty()
            || !header.notes.is_empty()
            || !header.props.is_empty()
            || !header.udes.is_empty()
            || !header.extensions.is_empty()
        {
            w.header(&mut s, header)?;
        }
        raw(&mut s, &header.root_extensions, "  ", |_| true);
        s.push_str("  <body");
        w.attrs(&mut s, &header.body_attrs)?;
        s.push_str(">\n");
        w.flush_scratch(s)?;
        Ok(w)
    }

    /// Writes one unit.
    pub fn write_tu(&mut self, tu: &Tu) -> Result<()> {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        let result = self.tu(&mut s, tu);
        if let Err(e) = result {
            self.scratch = s;
            return Err(e);
        }
        self.written += 1;
        self.flush_scratch(s)
    }

    /// Closes `<body>` and `<tmx>`, flushes, and returns the output.
    pub fn finish(self) -> Result<W> {
        self.finish_with(&[])
    }

    /// [`TmxWriter::finish`], writing first the elements TMX does not
    /// define that followed the last unit (see [`RawElement::after`]).
    pub fn finish_with(mut self, trailer: &[RawElement]) -> Result<W> {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        raw(&mut s, trailer, "    ", |after| after == 0);
        s.push_str("  </body>\n");
        raw(&mut s, trailer, "  ", |after| after > 0);
        s.push_str("</tmx>\n");
        self.flush_scratch(s)?;
        self.out.flush().map_err(io_err)?;
        Ok(self.out)
    }

    /// Characters left out because XML 1.0 cannot represent them.
    pub fn dropped_chars(&self) -> u64 {
        self.dropped
    }

    /// Units written so far.
    pub fn units_written(&self) -> u64 {
        self.written
    }

    /// A writer of units only (no declaration, header or `<body>`), for
    /// [`SpooledTmxWriter`].
    fn units_only(out: W) -> Self {
        TmxWriter {
            out,
            scratch: String::with_capacity(4096),
            dropped: 0,
            written: 0,
        }
    }

    fn flush_scratch(&mut self, s: String) -> Result<()> {
        let r = self.out.write_all(s.as_bytes()).map_err(io_err);
        self.scratch = s;
        r
    }

    fn header(&mut self, s: &mut String, header: &Header) -> Result<()> {
        s.push_str("  <header");
        let mut result = Ok(());
        header.for_each_known(|name, value| {
            if result.is_ok() {
                result = self.attr(s, name, value);
            }
        });
        result?;
        self.attrs(s, &header.extra)?;
        if header.notes.is_empty()
            && header.props.is_empty()
            && header.udes.is_empty()
            && header.extensions.is_empty()
        {
            s.push_str("/>\n");
        } else {
            s.push_str(">\n");
            let order = full_order(
                &header.meta_order,
                header.notes.len(),
                header.props.len(),
                header.udes.len(),
            );
            let (mut n, mut p, mut u) = (0, 0, 0);
            for kind in order {
                match kind {
                    MetaKind::Note => {
                        self.note(s, &header.notes[n], "    ")?;
                        n += 1;
                    }
                    MetaKind::Prop => {
                        self.prop(s, &header.props[p], "    ")?;
                        p += 1;
                    }
                    MetaKind::Ude => {
                        self.ude(s, &header.udes[u])?;
                        u += 1;
                    }
                }
            }
            raw(s, &header.extensions, "    ", |_| true);
            s.push_str("  </header>\n");
        }
        Ok(())
    }

    fn tu(&mut self, s: &mut String, tu: &Tu) -> Result<()> {
        raw(s, &tu.body_before, "    ", |_| true);
        s.push_str("    <tu");
        let mut result = Ok(());
        tu.for_each_known(|name, value| {
            if result.is_ok() {
                result = self.attr(s, name, value);
            }
        });
        result?;
        self.attrs(s, &tu.extra)?;
        s.push_str(">\n");
        self.meta(s, &tu.meta_order, &tu.notes, &tu.props, "      ")?;
        raw(s, &tu.extensions, "      ", |after| after == 0);
        let last = tu.tuvs.len();
        for (i, tuv) in tu.tuvs.iter().enumerate() {
            self.tuv(s, tuv)?;
            let n = i + 1;
            raw(s, &tu.extensions, "      ", |after| {
                after == n || (n == last && after > last)
            });
        }
        s.push_str("    </tu>\n");
        Ok(())
    }

    fn tuv(&mut self, s: &mut String, tuv: &Tuv) -> Result<()> {
        s.push_str("      <tuv");
        if !tuv.no_lang {
            self.attr(s, "xml:lang", &tuv.lang)?;
        }
        let mut result = Ok(());
        tuv.for_each_known(|name, value| {
            if result.is_ok() {
                result = self.attr(s, name, value);
            }
        });
        result?;
        self.attrs(s, &tuv.extra)?;
        s.push_str(">\n");
        self.meta(s, &tuv.meta_order, &tuv.notes, &tuv.props, "        ")?;
        raw(s, &tuv.extensions, "        ", |after| after == 0);
        if !tuv.missing_seg {
            s.push_str("        <seg");
            self.attrs(s, &tuv.seg.attrs)?;
            s.push('>');
            self.parts(s, &tuv.seg.parts)?;
            s.push_str("</seg>\n");
        }
        raw(s, &tuv.extensions, "        ", |after| after > 0);
        s.push_str("      </tuv>\n");
        Ok(())
    }

    fn meta(
        &mut self,
        s: &mut String,
        order: &[MetaKind],
        notes: &[Note],
        props: &[Prop],
        indent: &str,
    ) -> Result<()> {
        let (mut n, mut p) = (0, 0);
        for kind in full_order(order, notes.len(), props.len(), 0) {
            match kind {
                MetaKind::Note => {
                    self.note(s, &notes[n], indent)?;
                    n += 1;
                }
                MetaKind::Prop => {
                    self.prop(s, &props[p], indent)?;
                    p += 1;
                }
                MetaKind::Ude => {}
            }
        }
        Ok(())
    }

    fn note(&mut self, s: &mut String, note: &Note, indent: &str) -> Result<()> {
        s.push_str(indent);
        s.push_str("<note");
        self.attrs(s, &note.attrs)?;
        s.push('>');
        self.text(s, &note.text);
        s.push_str("</note>\n");
        Ok(())
    }

    fn prop(&mut self, s: &mut String, prop: &Prop, indent: &str) -> Result<()> {
        s.push_str(indent);
        s.push_str("<prop");
        // An absent type reads back as empty; do not invent `type=""`.
        if !prop.kind.is_empty() {
            self.attr(s, "type", &prop.kind)?;
        }
        self.attrs(s, &prop.attrs)?;
        s.push('>');
        self.text(s, &prop.value);
        s.push_str("</prop>\n");
        Ok(())
    }

    fn ude(&mut self, s: &mut String, ude: &Ude) -> Result<()> {
        s.push_str("    <ude");
        self.attrs(s, &ude.attrs)?;
        if ude.maps.is_empty() {
            s.push_str("/>\n");
            return Ok(());
        }
        s.push_str(">\n");
        for map in &ude.maps {
            s.push_str("      <map");
            self.attrs(s, map)?;
            s.push_str("/>\n");
        }
        s.push_str("    </ude>\n");
        Ok(())
    }

    fn parts(&mut self, s: &mut String, parts: &[SegPart]) -> Result<()> {
        for part in parts {
            match part {
                SegPart::Text(t) => self.text(s, t),
                SegPart::Inline(i) => self.inline(s, i)?,
            }
        }
        Ok(())
    }

    fn inline(&mut self, s: &mut String, inline: &Inline) -> Result<()> {
        let name = inline.kind.name();
        check_name(name)?;
        s.push('<');
        s.push_str(name);
        self.attrs(s, &inline.attrs)?;
        if inline.content.is_empty() {
            s.push_str("/>");
            return Ok(());
        }
        s.push('>');
        self.parts(s, &inline.content)?;
        s.push_str("</");
        s.push_str(name);
        s.push('>');
        Ok(())
    }

    fn attrs(&mut self, s: &mut String, attrs: &[Attr]) -> Result<()> {
        for a in attrs {
            self.attr(s, &a.name, &a.value)?;
        }
        Ok(())
    }

    fn attr(&mut self, s: &mut String, name: &str, value: &str) -> Result<()> {
        check_name(name)?;
        s.push(' ');
        s.push_str(name);
        s.push_str("=\"");
        self.escape(s, value, true);
        s.push('"');
        Ok(())
    }

    fn text(&mut self, s: &mut String, text: &str) {
        self.escape(s, text, false);
    }

    fn escape(&mut self, s: &mut String, text: &str, in_attr: bool) {
        // Branch-free, so the block test below compiles to vector compares.
        let special = |b: u8| {
            (b == b'&')
                | (b == b'<')
                | (b == b'>')
                | (b == b'\r')
                | (b == 0xEF)
                | ((b < 0x20) & (in_attr | ((b != b'\n') & (b != b'\t'))))
                | (in_attr & (b == b'"'))
        };
        const BLOCK: usize = 32;
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Most text needs no escape: skip it a block at a time.
            if i + BLOCK <= bytes.len()
                && !bytes[i..i + BLOCK]
                    .iter()
                    .fold(false, |hit, &b| hit | special(b))
            {
                i += BLOCK;
                continue;
            }
            if !special(bytes[i]) {
                i += 1;
                continue;
            }
            s.push_str(&text[start..i]);
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            match c {
                '&' => s.push_str("&amp;"),
                '<' => s.push_str("&lt;"),
                '>' => s.push_str("&gt;"),
                '"' => s.push_str("&quot;"),
                '\r' => s.push_str("&#13;"),
                '\n' => s.push_str("&#10;"),
                '\t' => s.push_str("&#9;"),
                c if is_xml_char(c) => s.push(c),
                _ => self.dropped += 1,
            }
            i += c.len_utf8();
            start = i;
        }
        s.push_str(&text[start..]);
    }
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// Rejects names that would make the output malformed (possible only for
/// models built by hand: names read from a file are valid).
fn check_name(name: &str) -> Result<()> {
    if is_xml_name(name) {
        Ok(())
    } else {
        Err(Error::Usage(format!("{name:?} is not a valid XML name")))
    }
}

/// A segment's content as TMX inline XML, as it stands between `<seg>` and
/// `</seg>` (characters XML 1.0 cannot hold are left out).
///
/// ```
/// use tmkit::tmx::{Tmx, writer::seg_to_xml};
/// let tmx = Tmx::parse_str(r#"<tmx version="1.4"><header/><body><tu><tuv xml:lang="en">
///   <seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept> &amp; go</seg></tuv></tu></body></tmx>"#).unwrap();
/// let xml = seg_to_xml(&tmx.tus[0].tuvs[0].seg).unwrap();
/// assert_eq!(xml, r#"Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept> &amp; go"#);
/// ```
pub fn seg_to_xml(seg: &Seg) -> Result<String> {
    let mut w = TmxWriter {
        out: std::io::sink(),
        scratch: String::new(),
        dropped: 0,
        written: 0,
    };
    let mut s = String::new();
    w.parts(&mut s, &seg.parts)?;
    Ok(s)
}

/// Writes the elements of `elements` whose place `at` accepts, each on its
/// own line, exactly as they were read.
fn raw(s: &mut String, elements: &[RawElement], indent: &str, at: impl Fn(usize) -> bool) {
    for e in elements.iter().filter(|e| at(e.after)) {
        s.push_str(indent);
        s.push_str(&e.xml);
        s.push('\n');
    }
}

/// The order to write notes, props and udes in: the recorded order, then
/// whatever was added since (notes, props, udes).
fn full_order(order: &[MetaKind], notes: usize, props: usize, udes: usize) -> Vec<MetaKind> {
    let (mut n, mut p, mut u) = (0, 0, 0);
    let mut out = Vec::with_capacity(notes + props + udes);
    for &kind in order {
        let slot = match kind {
            MetaKind::Note => &mut n,
            MetaKind::Prop => &mut p,
            MetaKind::Ude => &mut u,
        };
        let limit = match kind {
            MetaKind::Note => notes,
            MetaKind::Prop => props,
            MetaKind::Ude => udes,
        };
        if *slot < limit {
            *slot += 1;
            out.push(kind);
        }
    }
    out.extend(std::iter::repeat_n(MetaKind::Note, notes - n));
    out.extend(std::iter::repeat_n(MetaKind::Prop, props - p));
    out.extend(std::iter::repeat_n(MetaKind::Ude, udes - u));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmx::Tmx;

    #[test]
    fn a_spooled_writer_writes_what_the_writer_writes() {
        let tus = [
            Tu::new(vec![Tuv::new("en", "a\u{1}"), Tuv::new("fr", "b")]),
            Tu::new(vec![Tuv::new("en", "c & d")]),
        ];
        let trailer = [RawElement::new("<x-end/>", 0)];
        let header = Header::new("*all*");
        let mut direct = TmxWriter::new(Vec::new(), &header).unwrap();
        let mut spooled = SpooledTmxWriter::new().unwrap();
        for tu in &tus {
            direct.write_tu(tu).unwrap();
            spooled.write_tu(tu).unwrap();
        }
        assert_eq!(spooled.dropped_chars(), 1);
        let direct = direct.finish_with(&trailer).unwrap();
        let spooled = spooled.finish_into(Vec::new(), &header, &trailer).unwrap();
        assert_eq!(
            String::from_utf8(spooled).unwrap(),
            String::from_utf8(direct).unwrap()
        );
    }

    #[test]
    fn escapes_and_drops_what_xml_cannot_hold() {
        let mut out = Vec::new();
        let mut w = TmxWriter::new(&mut out, &Header::new("en")).unwrap();
        let mut tu = Tu::new(vec![Tuv::new("en", "a\r\nb <c> & \u{1}d\u{FFFF}")]);
        tu.extra.push(Attr::new("x-note", "tab\there\nnl \"q\""));
        w.write_tu(&tu).unwrap();
        assert_eq!(w.dropped_chars(), 2);
        w.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("<seg>a&#13;\nb &lt;c&gt; &amp; d</seg>"),
            "{text}"
        );
        assert!(
            text.contains(r#"x-note="tab&#9;here&#10;nl &quot;q&quot;""#),
            "{text}"
        );
        let back = Tmx::parse_str(&text).unwrap();
        assert_eq!(back.tus[0].tuvs[0].seg.plain_text(), "a\r\nb <c> & d");
        assert_eq!(back.tus[0].extra, tu.extra);
    }

    #[test]
    fn refuses_names_that_would_break_the_document() {
        let mut out = Vec::new();
        let mut w = TmxWriter::new(&mut out, &Header::new("en")).unwrap();
        let mut tu = Tu::new(vec![]);
        tu.extra.push(Attr::new("bad name", "x"));
        assert!(w.write_tu(&tu).is_err());
    }
}
