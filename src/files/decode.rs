//! Turning the bytes of a text input into UTF-8.
//!
//! The order of evidence, as browsers and editors apply it: a byte-order mark
//! (UTF-8, UTF-16LE/BE, UTF-32LE/BE) wins; then the encoding the user named
//! (`--encoding`, any WHATWG label `encoding_rs` knows: `latin1`, `cp1252`,
//! `shift_jis`, `utf-16le`, ...); then UTF-8. UTF-16 without a mark is
//! recognised by its NUL bytes and refused with a hint rather than read as
//! UTF-8 full of NULs.
//!
//! A web page ([`decode_page`]) has one more piece of evidence between the
//! user's and UTF-8: the charset it declares in its first 1024 bytes
//! (`<meta charset>`, `<meta http-equiv="Content-Type" content="…; charset=…">`,
//! or an XHTML page's `<?xml … encoding="…"?>`), found as the HTML standard's
//! prescan finds it ([`page_charset`]), unless the page is valid UTF-8.

use std::io::{self, Read};
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, UTF_8};

use crate::error::{Error, Location, Result};

/// How to read text inputs: which encoding to assume when no byte-order mark says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextEncoding {
    declared: Option<&'static Encoding>,
}

impl TextEncoding {
    /// UTF-8 unless a byte-order mark says otherwise.
    pub const DETECT: TextEncoding = TextEncoding { declared: None };

    /// The encoding a WHATWG label names (`latin1`, `windows-1252`, `utf-16le`,
    /// `Shift_JIS`; case and surrounding spaces ignored).
    ///
    /// ```
    /// use tmkit::files::TextEncoding;
    /// assert_eq!(TextEncoding::for_label("latin1").unwrap().name(), "windows-1252");
    /// assert!(TextEncoding::for_label("klingon").is_err());
    /// ```
    pub fn for_label(label: &str) -> Result<Self> {
        match label.trim() {
            l if l.eq_ignore_ascii_case("utf-32") || l.eq_ignore_ascii_case("utf32") => {
                Err(Error::Usage(
                    "UTF-32 is read only with a byte-order mark (it is detected without --encoding)"
                        .into(),
                ))
            }
            l => Encoding::for_label(l.as_bytes())
                .map(|e| TextEncoding { declared: Some(e) })
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown encoding {label:?} (try utf-8, utf-16le, utf-16be, windows-1252, iso-8859-15, shift_jis, gbk, big5, koi8-r)"
                    ))
                }),
        }
    }

    /// The name of the declared encoding (`UTF-8` when none).
    pub fn name(&self) -> &'static str {
        self.declared.unwrap_or(UTF_8).name()
    }
}

/// What the first bytes of an input say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    /// A byte-order mark of this many bytes for an encoding `encoding_rs` reads.
    Bom(&'static Encoding, usize),
    /// A UTF-32 byte-order mark (little-endian when true).
    Utf32Bom(bool),
    /// No mark, but NUL bytes in the pattern of UTF-16 (little-endian when true).
    UndeclaredUtf16(bool),
    /// Nothing to say.
    Plain,
}

fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(b"\xFF\xFE\x00\x00") {
        return Sniffed::Utf32Bom(true);
    }
    if bytes.starts_with(b"\x00\x00\xFE\xFF") {
        return Sniffed::Utf32Bom(false);
    }
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        return Sniffed::Bom(enc, len);
    }
    // UTF-16 writes each ASCII character (all of Latin text; the spaces,
    // digits and punctuation of most others) as a NUL beside a printable
    // byte, always on the same side; text in UTF-8 has no NULs. Characters
    // such as U+1200 or U+4E00 also hold a NUL, but beside a byte that is
    // not printable ASCII or on the other side, so they are outvoted.
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let printable = |b: u8| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E);
    let (mut le, mut be) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        le += usize::from(pair[1] == 0 && printable(pair[0]));
        be += usize::from(pair[0] == 0 && printable(pair[1]));
    }
    let units = sample.len() / 2;
    let (winner, loser) = (le.max(be), le.min(be));
    if winner >= 4 && winner * 64 >= units && winner > 2 * loser {
        Sniffed::UndeclaredUtf16(le > be)
    } else {
        Sniffed::Plain
    }
}

fn undeclared_utf16(file: Option<&Path>, little_endian: bool) -> Error {
    let (name, label) = if little_endian {
        ("UTF-16LE", "utf-16le")
    } else {
        ("UTF-16BE", "utf-16be")
    };
    Error::invalid(
        Location {
            file: file.map(Path::to_path_buf),
            ..Default::default()
        },
        format!(
            "looks like {name} text without a byte-order mark (NUL bytes in every other byte); \
             give --encoding {label}, or save it as UTF-8"
        ),
    )
}

/// Turns the bytes of a text input into a string (see the module's order of
/// evidence). `file` names the input in errors, which give the line and
/// column of the first byte that is not valid in the encoding.
///
/// ```
/// use tmkit::files::{TextEncoding, decode_text};
/// let utf16 = b"\xFF\xFEH\x00i\x00".to_vec();
/// assert_eq!(decode_text(utf16, None, TextEncoding::DETECT).unwrap(), "Hi");
/// let latin1 = b"caf\xE9".to_vec();
/// let enc = TextEncoding::for_label("latin1").unwrap();
/// assert_eq!(decode_text(latin1, None, enc).unwrap(), "café");
/// ```
///
/// A U+FEFF inside the text (two files with a byte-order mark each, joined
/// with `cat`) is no text either, as the leading one is not: it is dropped,
/// so that an invisible character costs no match a point.
pub fn decode_text(bytes: Vec<u8>, file: Option<&Path>, encoding: TextEncoding) -> Result<String> {
    let text = decode_as_is(bytes, file, encoding)?;
    Ok(if text.contains('\u{FEFF}') {
        text.replace('\u{FEFF}', "")
    } else {
        text
    })
}

/// [`decode_text`], keeping a U+FEFF inside the text (an XML document is
/// written back byte for byte).
fn decode_as_is(bytes: Vec<u8>, file: Option<&Path>, encoding: TextEncoding) -> Result<String> {
    match sniff(&bytes) {
        Sniffed::Utf32Bom(le) => decode_utf32(&bytes[4..], le, file),
        Sniffed::Bom(enc, len) => decode_with(&bytes[len..], enc, file),
        Sniffed::UndeclaredUtf16(le) if encoding.declared.is_none() => {
            Err(undeclared_utf16(file, le))
        }
        _ => match encoding.declared {
            Some(enc) if enc != UTF_8 => decode_with(&bytes, enc, file),
            _ => decode_utf8(bytes, file),
        },
    }
}

/// Turns the bytes of a web page into a string: as [`decode_text`], except
/// that, with no byte-order mark and no encoding named by the user, the
/// charset the page declares ([`page_charset`]) decides, unless the bytes are
/// valid UTF-8 (a page re-saved as UTF-8 with its old declaration).
///
/// ```
/// use tmkit::files::{TextEncoding, decode_page};
/// let page = b"<meta charset=\"windows-1252\"><p>Caf\xe9 cr\xe8me.</p>".to_vec();
/// assert!(decode_page(page, None, TextEncoding::DETECT).unwrap().ends_with("<p>Café crème.</p>"));
/// ```
pub fn decode_page(bytes: Vec<u8>, file: Option<&Path>, encoding: TextEncoding) -> Result<String> {
    let declared = encoding.declared.or_else(|| page_declared(&bytes));
    decode_text(bytes, file, TextEncoding { declared })
}

/// The charset a page declares ([`page_charset`]), unless its bytes are valid
/// UTF-8: a page saved as UTF-8 that kept its old declaration is read as
/// UTF-8 (non-ASCII text in a legacy encoding is almost never valid UTF-8).
fn page_declared(bytes: &[u8]) -> Option<&'static Encoding> {
    page_charset(bytes).filter(|_| simdutf8::basic::from_utf8(bytes).is_err())
}

/// Where each byte of a text decoded from a legacy encoding lies in its file,
/// so that offsets into the text can be given as offsets into the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileOffsets {
    /// For each byte of the text, and one past its end: the file offset of
    /// the bytes its character was decoded from.
    starts: Vec<u32>,
}

impl FileOffsets {
    /// The file offset of the text offset `at` (a character boundary; the
    /// text's length gives the file's).
    pub fn to_file(&self, at: usize) -> usize {
        self.starts
            .get(at)
            .or(self.starts.last())
            .map_or(at, |&o| o as usize)
    }
}

/// A web page as [`decode_page`] reads it, with the map from its text back
/// to the file when it was decoded from another encoding than UTF-8 (`None`
/// when the text's offsets are the file's, a byte-order mark aside).
///
/// ```
/// use tmkit::files::{TextEncoding, decode_page_with_offsets};
/// let page = b"<meta charset=windows-1252><p>Caf\xe9 cr\xe8me.</p>".to_vec();
/// let (text, offsets) = decode_page_with_offsets(page, None, TextEncoding::DETECT).unwrap();
/// let at = text.find("crème").unwrap();
/// assert_eq!(offsets.unwrap().to_file(at + "crème".len()), 40);
/// ```
pub fn decode_page_with_offsets(
    bytes: Vec<u8>,
    file: Option<&Path>,
    encoding: TextEncoding,
) -> Result<(String, Option<FileOffsets>)> {
    let declared = encoding.declared.or_else(|| page_declared(&bytes));
    let legacy = declared.filter(|e| {
        *e != UTF_8 && matches!(sniff(&bytes), Sniffed::Plain | Sniffed::UndeclaredUtf16(_))
    });
    let offsets = legacy.map(|e| file_offsets(&bytes, e));
    let text = decode_text(bytes, file, TextEncoding { declared })?;
    Ok((text, offsets))
}

/// The [`FileOffsets`] of `bytes` decoded from `encoding` (valid text).
fn file_offsets(bytes: &[u8], encoding: &'static Encoding) -> FileOffsets {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut starts = Vec::with_capacity(bytes.len() * 2 + 1);
    let mut buf = [0u8; 32];
    let mut start = 0;
    for i in 0..bytes.len() {
        let last = i + 1 == bytes.len();
        let (_, _, written) =
            decoder.decode_to_utf8_without_replacement(&bytes[i..=i], &mut buf, last);
        if written > 0 {
            starts.extend(std::iter::repeat_n(start as u32, written));
            start = i + 1;
        }
    }
    starts.push(bytes.len() as u32);
    FileOffsets { starts }
}

/// The encoding a page declares in its first 1024 bytes: an XML declaration's
/// `encoding`, else the first `<meta charset>` or `<meta http-equiv=
/// "Content-Type">` whose label `encoding_rs` knows (comments and other tags
/// skipped, as the HTML standard's prescan does). A declared UTF-16 means
/// UTF-8 (the bytes were read as ASCII), `x-user-defined` windows-1252.
///
/// ```
/// use tmkit::files::page_charset;
/// let page = br#"<html><head><meta http-equiv="content-type" content="text/html; charset=Shift_JIS">"#;
/// assert_eq!(page_charset(page).unwrap().name(), "Shift_JIS");
/// assert_eq!(page_charset(b"<?xml version='1.0' encoding='windows-1251'?><html>").unwrap().name(), "windows-1251");
/// assert_eq!(page_charset(b"<!-- <meta charset=koi8-r> --><p>"), None);
/// ```
pub fn page_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let found = xml_declared(head).or_else(|| meta_declared(head))?;
    Some(
        if found == encoding_rs::UTF_16LE || found == encoding_rs::UTF_16BE {
            UTF_8
        } else if found == encoding_rs::X_USER_DEFINED {
            encoding_rs::WINDOWS_1252
        } else {
            found
        },
    )
}

/// `<?xml … encoding="…"?>` at the very start (see [`declared_xml_encoding`]).
fn xml_declared(head: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(declared_xml_encoding(head)?.as_bytes())
}

/// The prescan's `<meta>` search.
fn meta_declared(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < head.len() {
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            i += find(&rest[4..], b"-->").map_or(head.len(), |e| e + 7);
        } else if rest.len() > 5
            && rest[..5].eq_ignore_ascii_case(b"<meta")
            && matches!(rest[5], b'/' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
        {
            let (found, end) = meta_charset(head, i + 5);
            if found.is_some() {
                return found;
            }
            i = end;
        } else if rest.starts_with(b"<")
            && rest.len() > 1
            && (rest[1].is_ascii_alphabetic()
                || rest[1] == b'/'
                || rest[1] == b'!'
                || rest[1] == b'?')
        {
            i += find(rest, b">").map_or(head.len(), |e| e + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// The charset of the `<meta` tag whose attributes start at `at`, and where the tag ends.
fn meta_charset(head: &[u8], mut at: usize) -> (Option<&'static Encoding>, usize) {
    let (mut charset, mut content, mut http_equiv) = (None, None, false);
    loop {
        at = skip_space(head, at);
        while head.get(at) == Some(&b'/') {
            at = skip_space(head, at + 1);
        }
        match head.get(at) {
            None => return (None, head.len()),
            Some(b'>') => break,
            Some(_) => {}
        }
        let name_start = at;
        while at < head.len()
            && !matches!(
                head[at],
                b'=' | b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'
            )
        {
            at += 1;
        }
        let name = head[name_start..at].to_ascii_lowercase();
        at = skip_space(head, at);
        let mut value: &[u8] = b"";
        if head.get(at) == Some(&b'=') {
            match attribute_value(head, skip_space(head, at + 1)) {
                Some((end, v)) => {
                    value = v;
                    at = end;
                }
                None => return (None, head.len()),
            }
        }
        match name.as_slice() {
            b"charset" if charset.is_none() => charset = Some(value),
            b"content" if content.is_none() => content = Some(value),
            b"http-equiv" => http_equiv |= value.eq_ignore_ascii_case(b"content-type"),
            _ => {}
        }
    }
    let label = charset.or_else(|| content.filter(|_| http_equiv).and_then(content_charset));
    (label.and_then(Encoding::for_label), at + 1)
}

/// The `charset=` of a `content` attribute (`text/html; charset=utf-8`).
fn content_charset(content: &[u8]) -> Option<&[u8]> {
    let lower = content.to_ascii_lowercase();
    let at = find(&lower, b"charset")? + b"charset".len();
    let at = skip_space(content, at);
    if content.get(at) != Some(&b'=') {
        return None;
    }
    let at = skip_space(content, at + 1);
    match content.get(at)? {
        q @ (b'"' | b'\'') => {
            let end = content[at + 1..].iter().position(|b| b == q)?;
            Some(&content[at + 1..at + 1 + end])
        }
        _ => {
            let end = content[at..]
                .iter()
                .position(|b| matches!(b, b';' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
                .map_or(content.len(), |e| at + e);
            Some(&content[at..end])
        }
    }
}

/// A quoted or unquoted attribute value at `at`: where it ends, and the value.
fn attribute_value(s: &[u8], at: usize) -> Option<(usize, &[u8])> {
    let at = if s.get(at) == Some(&b'=') {
        skip_space(s, at + 1)
    } else {
        at
    };
    match s.get(at)? {
        q @ (b'"' | b'\'') => {
            let end = s[at + 1..].iter().position(|b| b == q)?;
            Some((at + 2 + end, &s[at + 1..at + 1 + end]))
        }
        _ => {
            let end = s[at..]
                .iter()
                .position(|b| matches!(b, b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
                .map_or(s.len(), |e| at + e);
            Some((end, &s[at..end]))
        }
    }
}

fn skip_space(s: &[u8], mut at: usize) -> usize {
    while s
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
    {
        at += 1;
    }
    at
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Turns UTF-8 bytes into a string, dropping a BOM; errors point at the first bad byte.
pub fn decode_utf8(mut bytes: Vec<u8>, file: Option<&Path>) -> Result<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // simdutf8 checks several times faster than the standard library (a
    // 4 MB memory file: ~2 ms of CPU less); the standard library then
    // finds where invalid text goes wrong.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just found `bytes` to be valid UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            Err(malformed_at(file, &bytes[..valid], UTF_8))
        }
    }
}

/// The error for bytes that stop being valid `encoding` text after `valid`
/// (UTF-8, since it was decoded).
fn malformed_at(file: Option<&Path>, valid: &[u8], encoding: &'static Encoding) -> Error {
    let prefix = std::str::from_utf8(valid).unwrap_or_default();
    let location = Location::of_offset(file, prefix, prefix.len());
    let message = if encoding == UTF_8 {
        "not valid UTF-8 text (convert it to UTF-8 first, or give --encoding)".to_string()
    } else {
        format!("not valid {} text (check --encoding)", encoding.name())
    };
    Error::invalid(location, message)
}

fn decode_with(bytes: &[u8], encoding: &'static Encoding, file: Option<&Path>) -> Result<String> {
    if encoding == UTF_8 {
        return decode_utf8(bytes.to_vec(), file);
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (result, _read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(_, _) => Err(malformed_at(file, out.as_bytes(), encoding)),
        DecoderResult::OutputFull => unreachable!("the buffer was sized for the worst case"),
    }
}

fn decode_utf32(bytes: &[u8], little_endian: bool, file: Option<&Path>) -> Result<String> {
    let mut out = String::with_capacity(bytes.len() / 4);
    for unit in bytes.chunks(4) {
        let value = match <[u8; 4]>::try_from(unit) {
            Ok(b) if little_endian => u32::from_le_bytes(b),
            Ok(b) => u32::from_be_bytes(b),
            Err(_) => u32::MAX,
        };
        match char::from_u32(value) {
            Some(c) => out.push(c),
            None => {
                let location = Location::of_offset(file, &out, out.len());
                return Err(Error::invalid(location, "not valid UTF-32 text"));
            }
        }
    }
    Ok(out)
}

/// Reads a text input as a stream of UTF-8 bytes, for inputs too large to hold
/// at once. UTF-8 passes through untouched (a UTF-8 BOM included, for the
/// reader to drop); UTF-16 and declared legacy encodings are transcoded as
/// they are read; UTF-32 is decoded whole. Undeclared UTF-16 is an error.
pub fn utf8_reader<R: Read + Send + 'static>(
    mut reader: R,
    file: Option<&Path>,
    encoding: TextEncoding,
) -> Result<Box<dyn Read + Send>> {
    let name = || file.map_or_else(|| "<stdin>".into(), |p| p.display().to_string());
    let mut head = Vec::with_capacity(4096);
    (&mut reader)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(name(), e))?;
    let rest = io::Cursor::new(head).chain(reader);
    let (encoding, skip) = match sniff(rest.get_ref().0.get_ref()) {
        Sniffed::Utf32Bom(_) => {
            let mut all = Vec::new();
            let mut rest = rest;
            rest.read_to_end(&mut all)
                .map_err(|e| Error::io(name(), e))?;
            let text = decode_text(all, file, TextEncoding::DETECT)?;
            return Ok(Box::new(io::Cursor::new(text.into_bytes())));
        }
        Sniffed::Bom(enc, len) => (enc, len),
        Sniffed::UndeclaredUtf16(le) if encoding.declared.is_none() => {
            return Err(undeclared_utf16(file, le));
        }
        _ => (encoding.declared.unwrap_or(UTF_8), 0),
    };
    if encoding == UTF_8 {
        return Ok(Box::new(rest));
    }
    let mut rest = rest;
    io::copy(&mut (&mut rest).take(skip as u64), &mut io::sink())
        .map_err(|e| Error::io(name(), e))?;
    Ok(Box::new(TranscodingReader {
        inner: Box::new(rest),
        decoder: encoding.new_decoder_without_bom_handling(),
        encoding,
        input: vec![0; 1 << 16],
        input_range: (0, 0),
        eof: false,
        output: vec![0; 1 << 17],
        output_range: (0, 0),
        decoded: 0,
        finished: false,
    }))
}

/// A reader that decodes another reader's bytes from a legacy encoding or
/// UTF-16 into UTF-8, refusing malformed input.
struct TranscodingReader {
    inner: Box<dyn Read + Send>,
    decoder: encoding_rs::Decoder,
    encoding: &'static Encoding,
    input: Vec<u8>,
    /// The bytes of `input` not decoded yet.
    input_range: (usize, usize),
    eof: bool,
    output: Vec<u8>,
    /// The bytes of `output` not handed out yet.
    output_range: (usize, usize),
    /// Bytes of input decoded so far, for error messages.
    decoded: u64,
    /// The decoder has seen the end of the input (it must not be called again).
    finished: bool,
}

impl TranscodingReader {
    /// Decodes more input into `output`; false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            if self.finished {
                return Ok(false);
            }
            let (start, end) = self.input_range;
            if start == end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.input_range = (0, n);
                self.eof = n == 0;
                continue;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[start..end],
                &mut self.output,
                self.eof,
            );
            self.input_range.0 += read;
            self.decoded += read as u64;
            if let DecoderResult::Malformed(_, _) = result {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "not valid {} text near byte {} (check --encoding)",
                        self.encoding.name(),
                        self.decoded
                    ),
                ));
            }
            self.output_range = (0, written);
            self.finished = self.eof && result == DecoderResult::InputEmpty;
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl Read for TranscodingReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.output_range.0 == self.output_range.1 && !self.refill()? {
            return Ok(0);
        }
        let (start, end) = self.output_range;
        let n = out.len().min(end - start);
        out[..n].copy_from_slice(&self.output[start..start + n]);
        self.output_range.0 += n;
        Ok(n)
    }
}

/// The encoding an XML document was read in, so that it can be written back
/// byte for byte: its byte-order mark, then its declaration
/// (`<?xml … encoding="ISO-8859-1"?>`), then `--encoding`, then UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XmlEncoding {
    form: XmlForm,
    bom: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum XmlForm {
    #[default]
    Utf8,
    /// UTF-16, little-endian when true.
    Utf16(bool),
    /// UTF-32, little-endian when true.
    Utf32(bool),
    /// ISO-8859-1 proper: byte n is U+00nn (WHATWG reads the label as windows-1252).
    Latin1,
    /// Another single- or multi-byte encoding `encoding_rs` writes.
    Legacy(&'static Encoding),
}

/// The `encoding` pseudo-attribute of an XML declaration in ASCII-compatible bytes.
fn declared_xml_encoding(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(512)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let decl = head.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&decl[..end]).ok()?;
    let rest = decl[decl.find("encoding")? + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

impl XmlEncoding {
    /// The form an encoding label names, None for one read as bytes say
    /// (UTF-16 named in ASCII bytes) or unknown.
    fn form_for_label(label: &str) -> Option<XmlForm> {
        let latin1 = ["iso-8859-1", "iso_8859-1", "iso8859-1", "latin1", "l1"];
        if latin1.iter().any(|l| label.trim().eq_ignore_ascii_case(l)) {
            return Some(XmlForm::Latin1);
        }
        match Encoding::for_label(label.trim().as_bytes())? {
            e if e == UTF_8 => Some(XmlForm::Utf8),
            e if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => None,
            e => Some(XmlForm::Legacy(e)),
        }
    }

    /// The name of the encoding (`UTF-16LE`, `ISO-8859-1`, `windows-1252`, ...).
    pub fn name(&self) -> &'static str {
        match self.form {
            XmlForm::Utf8 => "UTF-8",
            XmlForm::Utf16(true) => "UTF-16LE",
            XmlForm::Utf16(false) => "UTF-16BE",
            XmlForm::Utf32(true) => "UTF-32LE",
            XmlForm::Utf32(false) => "UTF-32BE",
            XmlForm::Latin1 => "ISO-8859-1",
            XmlForm::Legacy(e) => e.name(),
        }
    }

    /// True when the text was read after a byte-order mark.
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// `text` in this encoding, with the byte-order mark if the input had
    /// one. A character the encoding cannot hold is written as a numeric
    /// character reference (`&#x20AC;`), so nothing is lost; text read in
    /// this encoding comes back byte for byte.
    ///
    /// ```
    /// use tmkit::files::{TextEncoding, decode_xml};
    /// let bytes = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xE9</a>".to_vec();
    /// let (text, enc) = decode_xml(bytes.clone(), None, TextEncoding::DETECT).unwrap();
    /// assert_eq!(text, "<?xml version='1.0' encoding='ISO-8859-1'?><a>café</a>");
    /// assert_eq!(enc.encode(&text), bytes);
    /// assert_eq!(enc.encode("€"), b"&#x20AC;");
    /// ```
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 4);
        let ncr = |out: &mut Vec<u8>, c: char| {
            out.extend_from_slice(format!("&#x{:X};", u32::from(c)).as_bytes())
        };
        match self.form {
            XmlForm::Utf8 => {
                if self.bom {
                    out.extend_from_slice(b"\xEF\xBB\xBF");
                }
                out.extend_from_slice(text.as_bytes());
            }
            XmlForm::Utf16(le) => {
                if self.bom {
                    out.extend_from_slice(if le { b"\xFF\xFE" } else { b"\xFE\xFF" });
                }
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&if le {
                        unit.to_le_bytes()
                    } else {
                        unit.to_be_bytes()
                    });
                }
            }
            XmlForm::Utf32(le) => {
                let bytes = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
                if self.bom {
                    out.extend_from_slice(&bytes(0xFEFF));
                }
                for c in text.chars() {
                    out.extend_from_slice(&bytes(u32::from(c)));
                }
            }
            XmlForm::Latin1 => {
                for c in text.chars() {
                    match u8::try_from(u32::from(c)) {
                        Ok(b) => out.push(b),
                        Err(_) => ncr(&mut out, c),
                    }
                }
            }
            XmlForm::Legacy(encoding) => {
                let mut encoder = encoding.new_encoder();
                let mut rest = text;
                loop {
                    out.reserve(rest.len() + 16);
                    let (result, read) =
                        encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
                    rest = &rest[read..];
                    match result {
                        encoding_rs::EncoderResult::InputEmpty => break,
                        encoding_rs::EncoderResult::OutputFull => {}
                        encoding_rs::EncoderResult::Unmappable(c) => ncr(&mut out, c),
                    }
                }
            }
        }
        out
    }
}

/// Decodes an XML document and says how to write it back ([`XmlEncoding`]):
/// a byte-order mark wins, then the declaration's `encoding` (ISO-8859-1
/// read as such, not as windows-1252), then `encoding` (`--encoding`), then
/// UTF-8. Text that is not XML (does not start with `<`) is decoded as
/// [`decode_text`] does.
pub fn decode_xml(
    bytes: Vec<u8>,
    file: Option<&Path>,
    encoding: TextEncoding,
) -> Result<(String, XmlEncoding)> {
    let fallback = |declared: Option<&'static Encoding>| match declared {
        Some(e) if e == encoding_rs::UTF_16LE => XmlForm::Utf16(true),
        Some(e) if e == encoding_rs::UTF_16BE => XmlForm::Utf16(false),
        Some(e) if e != UTF_8 => XmlForm::Legacy(e),
        _ => XmlForm::Utf8,
    };
    let sniffed = sniff(&bytes);
    let declared = match sniffed {
        Sniffed::Plain => declared_xml_encoding(&bytes).and_then(XmlEncoding::form_for_label),
        _ => None,
    };
    let (form, bom) = match sniffed {
        Sniffed::Utf32Bom(le) => (XmlForm::Utf32(le), true),
        Sniffed::Bom(e, _) => (fallback(Some(e)), true),
        _ => (
            declared.unwrap_or_else(|| fallback(encoding.declared)),
            false,
        ),
    };
    let as_read = XmlEncoding { form, bom };
    let text = match declared {
        Some(XmlForm::Latin1) => bytes.iter().map(|&b| char::from(b)).collect(),
        Some(XmlForm::Legacy(e)) => decode_with(&bytes, e, file)?,
        Some(_) => decode_utf8(bytes, file)?,
        None => decode_as_is(bytes, file, encoding)?,
    };
    // Markup keeps a U+FEFF inside it, to be written back byte for byte;
    // other text drops it as decode_text does.
    let text = if !text.trim_start().starts_with('<') && text.contains('\u{FEFF}') {
        text.replace('\u{FEFF}', "")
    } else {
        text
    };
    Ok((text, as_read))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_inside_the_text_is_dropped_as_the_leading_one_is() {
        let joined = "\u{FEFF}One.\n\u{FEFF}Two.\n".as_bytes().to_vec();
        assert_eq!(
            decode_text(joined.clone(), None, TextEncoding::DETECT).unwrap(),
            "One.\nTwo.\n"
        );
        let utf16 = utf16("One.\n\u{FEFF}Two.", true, true);
        assert_eq!(
            decode_text(utf16, None, TextEncoding::DETECT).unwrap(),
            "One.\nTwo."
        );
        // Text read for a job drops it too; markup keeps it, to be written back byte for byte.
        let (text, _) = decode_xml(joined, None, TextEncoding::DETECT).unwrap();
        assert_eq!(text, "One.\nTwo.\n");
        let xml = "<a>\u{FEFF}x</a>".as_bytes().to_vec();
        let (xml, _) = decode_xml(xml, None, TextEncoding::DETECT).unwrap();
        assert_eq!(xml, "<a>\u{FEFF}x</a>");
    }

    #[test]
    fn xml_comes_back_in_its_own_encoding_and_bom() {
        let cases: [(&[u8], &str); 5] = [
            (b"\xEF\xBB\xBF<?xml version='1.0'?><a>\xC3\xA9</a>", "UTF-8"),
            (
                b"<?xml version='1.0' encoding='windows-1252'?><a>\x80</a>",
                "windows-1252",
            ),
            (
                b"<?xml version='1.0' encoding=\"latin1\"?><a>\x80</a>",
                "ISO-8859-1",
            ),
            (b"\xFE\xFF\0<\0a\0>\0\xE9\0<\0/\0a\0>", "UTF-16BE"),
            (b"<a>plain</a>", "UTF-8"),
        ];
        for (bytes, name) in cases {
            let (text, enc) = decode_xml(bytes.to_vec(), None, TextEncoding::DETECT).unwrap();
            assert_eq!(enc.name(), name);
            assert!(!text.starts_with('\u{FEFF}'));
            assert_eq!(enc.encode(&text), bytes, "{name}");
        }
        let (_, cp1252) = decode_xml(cases[1].0.to_vec(), None, TextEncoding::DETECT).unwrap();
        assert_eq!(cp1252.encode("\u{20AC}\u{1F600}"), b"\x80&#x1F600;");
        let (_, utf8) = decode_xml(cases[0].0.to_vec(), None, TextEncoding::DETECT).unwrap();
        assert!(utf8.has_bom());
    }

    fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if little_endian {
                b"\xFF\xFE"
            } else {
                b"\xFE\xFF"
            });
        }
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    fn utf32(text: &str, little_endian: bool) -> Vec<u8> {
        let mut out = if little_endian {
            b"\xFF\xFE\x00\x00".to_vec()
        } else {
            b"\x00\x00\xFE\xFF".to_vec()
        };
        for c in text.chars() {
            let v = c as u32;
            out.extend_from_slice(&if little_endian {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            });
        }
        out
    }

    const TEXT: &str = "Grève à Porto. 罢工。 Ünïcødé 😀\n";

    #[test]
    fn every_byte_order_mark_is_read() {
        let d = TextEncoding::DETECT;
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice(TEXT.as_bytes());
        for bytes in [
            utf8,
            utf16(TEXT, true, true),
            utf16(TEXT, false, true),
            utf32(TEXT, true),
            utf32(TEXT, false),
        ] {
            assert_eq!(decode_text(bytes, None, d).unwrap(), TEXT);
        }
    }

    #[test]
    fn undeclared_utf16_is_refused_with_a_hint_unless_declared() {
        let file = Path::new("win.txt");
        let err = decode_text(utf16(TEXT, true, false), Some(file), TextEncoding::DETECT)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("win.txt: looks like UTF-16LE"), "{err}");
        assert!(err.contains("--encoding utf-16le"), "{err}");
        let err = decode_text(utf16(TEXT, false, false), None, TextEncoding::DETECT)
            .unwrap_err()
            .to_string();
        assert!(err.contains("UTF-16BE"), "{err}");
        let le = TextEncoding::for_label("UTF-16LE").unwrap();
        assert_eq!(
            decode_text(utf16(TEXT, true, false), None, le).unwrap(),
            TEXT
        );
    }

    #[test]
    fn declared_legacy_encodings_and_their_errors() {
        let cp1252 = TextEncoding::for_label("cp1252").unwrap();
        assert_eq!(
            decode_text(b"\x93Gr\xE8ve\x94".to_vec(), None, cp1252).unwrap(),
            "\u{201C}Grève\u{201D}"
        );
        let sjis = TextEncoding::for_label("shift_jis").unwrap();
        assert_eq!(
            decode_text(b"\x93\xFA\x96\x7B".to_vec(), None, sjis).unwrap(),
            "日本"
        );
        let err = decode_text(b"ab\ncd\x82".to_vec(), Some(Path::new("j.txt")), sjis)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "j.txt:2:3: not valid Shift_JIS text (check --encoding)"
        );
        assert!(TextEncoding::for_label("utf-32").is_err());
        assert!(TextEncoding::for_label("no-such").is_err());
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = decode_text(
            b"ok\nab\xffc".to_vec(),
            Some(Path::new("bad.txt")),
            TextEncoding::DETECT,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.txt:2:3: not valid UTF-8 text (convert it to UTF-8 first, or give --encoding)"
        );
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFhi".to_vec(), None).unwrap(), "hi");
    }

    #[test]
    fn utf8_is_checked_as_the_standard_library_checks_it() {
        // Every kind of sequence, whole and cut, with bad bytes at each place,
        // long enough for the vectorized paths.
        let text = "ascii é ß € 𝄞 中文 ".repeat(20);
        let bytes = text.as_bytes();
        for cut in 0..bytes.len().min(120) {
            for bad in [
                None,
                Some(0x80u8),
                Some(0xC0),
                Some(0xED),
                Some(0xF5),
                Some(0xFF),
            ] {
                let mut input = bytes[..bytes.len() - cut].to_vec();
                if let Some(b) = bad {
                    let at = input.len() / 2;
                    input[at] = b;
                }
                let ours = decode_utf8(input.clone(), None).map_err(|e| e.to_string());
                let std = String::from_utf8(input).map_err(|e| e.utf8_error().valid_up_to());
                assert_eq!(ours.is_ok(), std.is_ok(), "cut {cut}, {bad:?}");
                if let (Ok(a), Ok(b)) = (ours, std) {
                    assert_eq!(a, b);
                }
            }
        }
    }

    #[test]
    fn undeclared_utf16_of_non_latin_scripts_is_recognised_by_its_spaces() {
        // Amharic, Thai, Hindi: few ASCII code units, but spaces and digits.
        for text in [
            "የኢትዮጵያ መንግሥት ዛሬ አዲስ በጀት አቀረበ። ሠራተኞች 12 ቀናት ይጠብቃሉ።",
            "รัฐบาลประกาศงบประมาณใหม่ เมื่อวันอังคาร 2567",
            "सरकार ने मंगलवार को नया बजट पेश किया। मानसून 12 दिन देर से आया।",
        ] {
            let err = decode_text(utf16(text, true, false), None, TextEncoding::DETECT)
                .unwrap_err()
                .to_string();
            assert!(err.contains("UTF-16LE"), "{text}: {err}");
        }
    }

    #[test]
    fn a_stray_nul_is_not_utf16() {
        let text = "plain text\0with one NUL and enough letters around it";
        assert_eq!(
            decode_text(text.into(), None, TextEncoding::DETECT).unwrap(),
            text
        );
    }

    fn read_all(bytes: Vec<u8>, enc: TextEncoding) -> Result<String> {
        let mut r = utf8_reader(io::Cursor::new(bytes), None, enc)?;
        let mut out = Vec::new();
        // Tiny reads exercise the decoder's partial-character path.
        let mut buf = [0u8; 3];
        loop {
            let n = r.read(&mut buf).map_err(|e| Error::io("x", e))?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        Ok(String::from_utf8(out).unwrap())
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            /// Any bytes, any declared encoding: no panic, and the streaming
            /// reader refuses nothing the whole-file decoder reads, giving the same text.
            #[test]
            fn stream_and_whole_file_agree(bytes in proptest::collection::vec(any::<u8>(), 0..600), pick in 0usize..4) {
                let enc = [None, Some("utf-16le"), Some("utf-16be"), Some("shift_jis")][pick]
                    .map_or(TextEncoding::DETECT, |l| TextEncoding::for_label(l).unwrap());
                let whole = decode_text(bytes.clone(), None, enc);
                let streamed = utf8_reader(io::Cursor::new(bytes), None, enc).and_then(|mut r| {
                    let mut out = Vec::new();
                    r.read_to_end(&mut out).map_err(|e| Error::io("x", e))?;
                    Ok(out)
                });
                if let Ok(text) = whole {
                    let streamed = streamed.expect("the stream refused what the decoder read");
                    let streamed = streamed.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&streamed);
                    prop_assert_eq!(streamed, text.as_bytes());
                }
            }
        }
    }

    #[test]
    fn streaming_reader_transcodes_like_the_whole_file_decoder() {
        let long: String = TEXT.repeat(5000);
        for bytes in [
            utf16(&long, true, true),
            utf16(&long, false, true),
            utf32(&long, true),
        ] {
            assert_eq!(read_all(bytes, TextEncoding::DETECT).unwrap(), long);
        }
        let plain = read_all(long.clone().into_bytes(), TextEncoding::DETECT).unwrap();
        assert_eq!(plain, long);
        assert!(read_all(utf16(&long, true, false), TextEncoding::DETECT).is_err());
        let latin = TextEncoding::for_label("latin1").unwrap();
        assert_eq!(read_all(b"caf\xE9".to_vec(), latin).unwrap(), "café");
    }

    #[test]
    fn page_charset_follows_the_prescan() {
        let name = |s: &[u8]| page_charset(s).map(Encoding::name);
        assert_eq!(name(b"<meta charset=\"ISO-8859-1\">"), Some("windows-1252"));
        assert_eq!(name(b"<META CHARSET=koi8-r>"), Some("KOI8-R"));
        assert_eq!(
            name(b"<meta content='text/html; charset=\"euc-kr\"' http-equiv='Content-Type'>"),
            Some("EUC-KR")
        );
        // content without http-equiv is no declaration; a bad label is skipped.
        assert_eq!(name(b"<meta content=\"text/html; charset=gbk\">"), None);
        assert_eq!(
            name(b"<meta charset=klingon><meta charset=big5>"),
            Some("Big5")
        );
        // UTF-16 declared in bytes read as ASCII means UTF-8.
        assert_eq!(name(b"<meta charset=utf-16le>"), Some("UTF-8"));
        // Only the first 1024 bytes count; a <meta> inside another tag's
        // attribute is not one.
        let mut late = vec![b' '; 1024];
        late.extend_from_slice(b"<meta charset=big5>");
        assert_eq!(name(&late), None);
        assert_eq!(name(b"<p title=\"x\"><meta charset=gbk>"), Some("GBK"));
        assert_eq!(name(b"<meta charset"), None);
    }

    #[test]
    fn a_page_in_valid_utf8_with_a_stale_declaration_stays_utf8() {
        let page = "<meta charset=windows-1252><p>Café crème</p>"
            .as_bytes()
            .to_vec();
        let (text, offsets) =
            decode_page_with_offsets(page.clone(), None, TextEncoding::DETECT).unwrap();
        assert!(text.contains("Café crème"));
        assert_eq!(offsets, None);
        assert!(
            decode_page(page, None, TextEncoding::DETECT)
                .unwrap()
                .contains("Café")
        );
    }

    #[test]
    fn a_bom_and_the_users_encoding_win_over_the_page() {
        let page = b"<meta charset=windows-1251><p>\xcf\xee\xf0\xf2</p>".to_vec();
        assert!(
            decode_page(page.clone(), None, TextEncoding::DETECT)
                .unwrap()
                .contains("Порт")
        );
        let latin1 = TextEncoding::for_label("latin1").unwrap();
        assert!(decode_page(page, None, latin1).unwrap().contains("Ïîðò"));
        let mut bom = b"\xEF\xBB\xBF<meta charset=windows-1251>".to_vec();
        bom.extend_from_slice("<p>Порт</p>".as_bytes());
        assert!(
            decode_page(bom, None, TextEncoding::DETECT)
                .unwrap()
                .contains("Порт")
        );
    }
}
