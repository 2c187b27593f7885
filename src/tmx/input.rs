//! The byte source under the XML tokenizer: detects the encoding (BOM, then
//! the XML declaration), transcodes to UTF-8 as it streams, checks every
//! character against XML 1.0 (valid UTF-8, no forbidden control characters)
//! once per chunk, and keeps a short history so an error's line and column
//! can be computed from its byte offset only when one is reported.
//!
//! The decoded text lives in one `String` window: the tokenizer slices it at
//! markup delimiters (ASCII bytes, so always character boundaries) and hands
//! out borrowed `&str`, with no copy and no UTF-8 check per event.

use std::cell::Cell;
use std::io::{self, Read};

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE};

/// Bytes read from the source per read, at most; reads start small (so a
/// small document costs little) and double up to this.
const CHUNK: usize = 256 * 1024;
const FIRST_READ: usize = 8 * 1024;
/// Bytes kept before the tokenizer's position, to locate recent errors.
const HISTORY: usize = 64 * 1024;
/// Bytes read to find a BOM and the XML declaration.
const SNIFF: usize = 1024;

/// A character or byte sequence XML 1.0 does not allow, at a byte offset of
/// the UTF-8 stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadInput {
    pub offset: u64,
    pub message: String,
}

enum Transcoder {
    /// The input is UTF-8 already (checked, not copied through a decoder).
    Utf8,
    /// ISO-8859-1 proper: every byte is the code point of the same number
    /// (encoding_rs treats the label as windows-1252, XML parsers do not).
    Latin1,
    /// Any other encoding.
    Decoder(encoding_rs::Decoder),
}

/// A UTF-8 window over an XML byte stream in any encoding.
pub(crate) struct Input<R> {
    raw: R,
    transcoder: Transcoder,
    encoding_name: &'static str,
    raw_buf: Vec<u8>,
    /// Current read size (grows to `CHUNK`).
    read_size: usize,
    raw_pos: usize,
    raw_end: usize,
    raw_eof: bool,
    /// Decoded text: `window[pos..]` is not consumed yet, what comes before
    /// is history kept for error positions.
    window: String,
    pos: usize,
    /// No more text will come.
    eof: bool,
    /// Stream offset of `window[0]`.
    base: u64,
    /// Lines before `window[0]` (0-based) and characters since the last line
    /// break at `window[0]`.
    base_line: u64,
    base_col: u64,
    /// Offset up to which the content was checked.
    scanned: u64,
    bad: Option<BadInput>,
    /// The last position computed (offset, 1-based line, characters since
    /// the line start), so the next one counts on from there.
    last_position: Cell<Option<(u64, u64, u64)>>,
}

impl<R: Read> Input<R> {
    /// Wraps `raw`, reading its first bytes to choose the encoding.
    pub fn new(mut raw: R) -> io::Result<Self> {
        let mut raw_buf = vec![0u8; FIRST_READ];
        let mut raw_end = 0;
        let mut raw_eof = false;
        while raw_end < SNIFF {
            match raw.read(&mut raw_buf[raw_end..]) {
                Ok(0) => {
                    raw_eof = true;
                    break;
                }
                Ok(n) => raw_end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let (transcoder, skip, encoding_name) = sniff(&raw_buf[..raw_end])?;
        Ok(Input {
            raw,
            transcoder,
            encoding_name,
            raw_buf,
            raw_pos: skip,
            raw_end,
            raw_eof,
            window: String::with_capacity(FIRST_READ),
            read_size: FIRST_READ,
            pos: 0,
            eof: false,
            base: 0,
            base_line: 0,
            base_col: 0,
            scanned: 0,
            bad: None,
            last_position: Cell::new(None),
        })
    }

    /// The encoding the input was read in.
    pub fn encoding_name(&self) -> &'static str {
        self.encoding_name
    }

    /// The decoded text in the window (history and unconsumed text).
    pub fn window(&self) -> &str {
        &self.window
    }

    /// Index in the window of the first unconsumed byte.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Marks the window up to index `to` as consumed.
    pub fn consume_to(&mut self, to: usize) {
        self.pos = to.min(self.window.len());
    }

    /// True when the whole input is in the window.
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// The stream offset of a window index.
    pub fn offset_of(&self, index: usize) -> u64 {
        self.base + index as u64
    }

    /// The window index of a stream offset (which must be in the window).
    pub fn index_of(&self, offset: u64) -> usize {
        (offset.saturating_sub(self.base) as usize).min(self.window.len())
    }

    /// The first unchecked problem in the text decoded so far.
    pub fn bad(&self) -> Option<&BadInput> {
        self.bad.as_ref()
    }

    /// Forgets the current problem (after it was reported) and checks on.
    pub fn clear_bad(&mut self) {
        if let Some(bad) = self.bad.take() {
            // Skip the offending character and look at the rest.
            let mut next = bad.offset + 1;
            let bytes = self.window.as_bytes();
            while next < self.base + bytes.len() as u64 {
                let i = (next - self.base) as usize;
                if bytes.get(i).is_some_and(|b| b & 0xC0 == 0x80) {
                    next += 1;
                } else {
                    break;
                }
            }
            self.scanned = next;
            self.scan();
        }
    }

    /// 1-based line and column (in characters) of `offset`, when it is still
    /// in the retained window.
    pub fn position(&self, offset: u64) -> Option<(u64, u64)> {
        if offset < self.base {
            return None;
        }
        let bytes = self.window.as_bytes();
        let end = ((offset - self.base) as usize).min(bytes.len());
        // Count on from the last position when it is in the window and not
        // after this one (units are located in order: this keeps it linear).
        let (from, line, col) = match self.last_position.get() {
            Some((o, line, col)) if o >= self.base && o - self.base <= end as u64 => {
                ((o - self.base) as usize, line, col)
            }
            _ => (0, self.base_line + 1, self.base_col),
        };
        let window = &bytes[from..end];
        let line = line + memchr::memchr_iter(b'\n', window).count() as u64;
        let col = match memchr::memrchr(b'\n', window) {
            Some(k) => count_chars(&window[k + 1..]),
            None => col + count_chars(window),
        };
        self.last_position
            .set(Some((self.base + end as u64, line, col)));
        Some((line, col + 1))
    }

    /// Appends more decoded text to the window, dropping old history first;
    /// the unconsumed text stays (its index may move: read [`Input::pos`]
    /// again). Returns false when the input is exhausted.
    pub fn fill_more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > HISTORY {
            let mut drop = self.pos - HISTORY;
            while !self.window.is_char_boundary(drop) {
                drop -= 1;
            }
            let gone = &self.window.as_bytes()[..drop];
            self.base_line += memchr::memchr_iter(b'\n', gone).count() as u64;
            self.base_col = match memchr::memrchr(b'\n', gone) {
                Some(k) => count_chars(&gone[k + 1..]),
                None => self.base_col + count_chars(gone),
            };
            self.window.drain(..drop);
            self.pos -= drop;
            self.base += drop as u64;
        }
        if self.read_size < CHUNK {
            self.read_size = (self.read_size * 2).min(CHUNK);
        }
        let before = self.window.len();
        while self.window.len() == before && !self.eof {
            self.decode_some()?;
        }
        self.scan();
        Ok(self.window.len() > before)
    }

    /// Reads raw bytes when the raw buffer is used up, or (`more`) after
    /// the incomplete character that ends it.
    fn read_raw(&mut self, more: bool) -> io::Result<()> {
        if (self.raw_pos < self.raw_end && !more) || self.raw_eof {
            return Ok(());
        }
        let carry = self.raw_end - self.raw_pos;
        self.raw_buf.copy_within(self.raw_pos..self.raw_end, 0);
        if self.raw_buf.len() < self.read_size + carry {
            self.raw_buf.resize(self.read_size + carry, 0);
        }
        self.raw_pos = 0;
        self.raw_end = carry;
        loop {
            match self.raw.read(&mut self.raw_buf[carry..]) {
                Ok(0) => self.raw_eof = true,
                Ok(n) => self.raw_end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }

    /// Moves some bytes from the raw source into the window, transcoding.
    fn decode_some(&mut self) -> io::Result<()> {
        if self.raw_pos == self.raw_end {
            self.read_raw(false)?;
        }
        let src = &self.raw_buf[self.raw_pos..self.raw_end];
        match &mut self.transcoder {
            Transcoder::Utf8 => {
                // SIMD validation: several times faster than std on text
                // that is not all ASCII, same answers.
                match simdutf8::compat::from_utf8(src) {
                    Ok(text) => {
                        self.window.push_str(text);
                        self.raw_pos = self.raw_end;
                    }
                    Err(e) => {
                        let valid = e.valid_up_to();
                        // Checked just above: the prefix is UTF-8.
                        let text = std::str::from_utf8(&src[..valid]).unwrap_or_default();
                        self.window.push_str(text);
                        self.raw_pos += valid;
                        match e.error_len() {
                            Some(len) => {
                                self.bad_bytes("invalid UTF-8 byte sequence (is the encoding in the XML declaration right?)");
                                self.raw_pos += len;
                            }
                            // An incomplete character at the end of the bytes read:
                            // more bytes complete it, or the file ends inside it.
                            None if self.raw_eof => {
                                self.bad_bytes("invalid UTF-8 byte sequence (the file ends inside a character)");
                                self.raw_pos = self.raw_end;
                            }
                            None => self.read_raw(true)?,
                        }
                    }
                }
            }
            Transcoder::Latin1 => {
                self.window.reserve(src.len() * 2);
                self.window.extend(src.iter().map(|&b| char::from(b)));
                self.raw_pos = self.raw_end;
            }
            Transcoder::Decoder(decoder) => {
                let last = self.raw_eof;
                let needed = decoder
                    .max_utf8_buffer_length_without_replacement(src.len())
                    .unwrap_or(src.len() * 3 + 16);
                self.window.reserve(needed);
                let (result, read) =
                    decoder.decode_to_string_without_replacement(src, &mut self.window, last);
                self.raw_pos += read;
                if let DecoderResult::Malformed(_, _) = result {
                    let message = format!(
                        "bytes that are not valid {} (the encoding the file declares)",
                        self.encoding_name
                    );
                    self.bad_bytes(&message);
                }
            }
        }
        if self.raw_eof && self.raw_pos >= self.raw_end {
            self.eof = true;
        }
        Ok(())
    }

    /// Records bytes that do not decode at the end of the window (the first
    /// such problem is the one reported) and stands in U+FFFD so lenient
    /// reading can go on.
    fn bad_bytes(&mut self, message: &str) {
        let offset = self.base + self.window.len() as u64;
        if self.bad.as_ref().is_none_or(|b| b.offset > offset) {
            self.bad = Some(BadInput {
                offset,
                message: message.to_string(),
            });
        }
        self.window.push('\u{FFFD}');
    }

    /// Checks new text for characters XML 1.0 forbids.
    fn scan(&mut self) {
        if self.bad.is_some() {
            return;
        }
        let bytes = self.window.as_bytes();
        let start = (self.scanned.saturating_sub(self.base)) as usize;
        let end = bytes.len();
        if start >= end {
            return;
        }
        // A U+FFFE/U+FFFF sequence may straddle the end: leave 2 bytes for later.
        let limit = if self.eof {
            end
        } else {
            end.saturating_sub(2).max(start)
        };
        if let Some(i) = find_forbidden(&bytes[start..end], limit - start) {
            let offset = self.base + (start + i) as u64;
            let ch = self.window[start + i..].chars().next().unwrap_or('\0');
            self.bad = Some(BadInput {
                offset,
                message: format!(
                    "character U+{:04X} is not allowed in XML 1.0 (remove it or fix the export)",
                    ch as u32
                ),
            });
            self.scanned = offset;
            return;
        }
        self.scanned = self.base + limit as u64;
    }
}

fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64
}

/// Index (below `limit`) of the first character XML 1.0 forbids: C0
/// controls other than tab, LF and CR, and U+FFFE / U+FFFF (`EF BF BE/BF`).
/// Blocks of 64 bytes are tested at once; only blocks holding a byte below
/// 0x20 or an 0xEF are looked at closely.
fn find_forbidden(bytes: &[u8], limit: usize) -> Option<usize> {
    const BLOCK: usize = 64;
    let limit = limit.min(bytes.len());
    let check = |i: usize| -> bool {
        let b = bytes[i];
        if b < 0x20 {
            b != b'\t' && b != b'\n' && b != b'\r'
        } else {
            b == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        }
    };
    let mut i = 0;
    while i + BLOCK <= limit {
        // A branch-free test of the whole block (the compiler turns it into
        // vector compares); only a block holding a candidate is looked at
        // byte by byte.
        let mut hit = 0u8;
        for &b in &bytes[i..i + BLOCK] {
            let control = (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
            hit |= u8::from(control | (b == 0xEF));
        }
        if hit != 0
            && let Some(j) = (i..i + BLOCK).find(|&j| check(j))
        {
            return Some(j);
        }
        i += BLOCK;
    }
    (i..limit).find(|&j| check(j))
}

/// Chooses the transcoder from the first bytes; returns it, the number of
/// BOM bytes to skip, and the encoding's name.
fn sniff(head: &[u8]) -> io::Result<(Transcoder, usize, &'static str)> {
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok((Transcoder::Utf8, 3, "UTF-8"));
    }
    if head.starts_with(b"\xFF\xFE") {
        let d = UTF_16LE.new_decoder_without_bom_handling();
        return Ok((Transcoder::Decoder(d), 2, "UTF-16LE"));
    }
    if head.starts_with(b"\xFE\xFF") {
        let d = UTF_16BE.new_decoder_without_bom_handling();
        return Ok((Transcoder::Decoder(d), 2, "UTF-16BE"));
    }
    if head.starts_with(b"<\0?\0") {
        let d = UTF_16LE.new_decoder_without_bom_handling();
        return Ok((Transcoder::Decoder(d), 0, "UTF-16LE"));
    }
    if head.starts_with(b"\0<\0?") {
        let d = UTF_16BE.new_decoder_without_bom_handling();
        return Ok((Transcoder::Decoder(d), 0, "UTF-16BE"));
    }
    let Some(label) = declared_encoding(head) else {
        return Ok((Transcoder::Utf8, 0, "UTF-8"));
    };
    let lower = label.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" | "iso-ir-100"
    ) {
        return Ok((Transcoder::Latin1, 0, "ISO-8859-1"));
    }
    match Encoding::for_label(label.as_bytes()) {
        Some(enc) if enc == encoding_rs::UTF_8 => Ok((Transcoder::Utf8, 0, "UTF-8")),
        // UTF-16 named, but the bytes are 8-bit text without a byte-order
        // mark: XML parsers refuse such a file, and so do we, clearly.
        Some(enc) if enc == UTF_16LE || enc == UTF_16BE => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the XML declaration says encoding=\"{label}\" but the file is 8-bit text without a UTF-16 byte-order mark (fix the declaration, e.g. encoding=\"UTF-8\")"
            ),
        )),
        Some(enc) => Ok((
            Transcoder::Decoder(enc.new_decoder_without_bom_handling()),
            0,
            enc.name(),
        )),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unknown encoding {label:?} in the XML declaration"),
        )),
    }
}

/// The `encoding="..."` value of an XML declaration at the start of `head`.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let rest = head.strip_prefix(b"<?xml")?;
    let end = memchr::memmem::find(rest, b"?>")?;
    let decl = &rest[..end];
    let at = memchr::memmem::find(decl, b"encoding")?;
    let mut after = &decl[at + b"encoding".len()..];
    while let Some((&c, tail)) = after.split_first() {
        if c.is_ascii_whitespace() || c == b'=' {
            after = tail;
        } else {
            break;
        }
    }
    let (&quote, tail) = after.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let close = memchr::memchr(quote, tail)?;
    std::str::from_utf8(&tail[..close]).ok().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (String, Option<BadInput>) {
        let mut input = Input::new(bytes).unwrap();
        while input.fill_more().unwrap() {}
        (input.window().to_string(), input.bad.clone())
    }

    #[test]
    fn decodes_boms_and_declared_encodings() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "<?xml version=\"1.0\"?><a>é</a>".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(read_all(&utf16).0, "<?xml version=\"1.0\"?><a>é</a>");
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xe9\x80</a>";
        assert_eq!(
            read_all(latin).0,
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>é\u{80}</a>"
        );
        let cp1252 = b"<?xml version='1.0' encoding='windows-1252'?><a>\x80</a>";
        assert!(read_all(cp1252).0.contains("<a>€</a>"));
        assert!(Input::new(&b"<?xml version='1.0' encoding='klingon'?>"[..]).is_err());
    }

    #[test]
    fn flags_control_characters_and_bad_utf8_with_offsets() {
        let (_, bad) = read_all(b"<a>ok\x01</a>");
        assert_eq!(bad.unwrap().offset, 5);
        let (text, bad) = read_all(b"<a>\xff</a>");
        assert_eq!((text.as_str(), bad.unwrap().offset), ("<a>\u{FFFD}</a>", 3));
        // A character cut by the end of the file.
        let (_, bad) = read_all(b"<a>ok</a>\xc3");
        assert!(bad.unwrap().message.contains("ends inside a character"));
        let (_, bad) = read_all("<a>\u{FFFE}</a>".as_bytes());
        assert_eq!(bad.unwrap().offset, 3);
        assert!(read_all("<a>\tok\r\n</a>".as_bytes()).1.is_none());
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncdé\nfg";
        let mut input = Input::new(text.as_bytes()).unwrap();
        while input.fill_more().unwrap() {}
        assert_eq!(input.position(text.find('f').unwrap() as u64), Some((3, 1)));
        assert_eq!(
            input.position((text.find('é').unwrap() + 2) as u64),
            Some((2, 4))
        );
        // Counting on from a cached position gives the same answers.
        assert_eq!(input.position(text.find('c').unwrap() as u64), Some((2, 1)));
        assert_eq!(input.position(text.find('g').unwrap() as u64), Some((3, 2)));
        assert_eq!(input.position(1), Some((1, 2)));
        assert_eq!(input.position(text.len() as u64), Some((3, 3)));
    }
}
