//! The byte source under the XML parser: detects the encoding (BOM, then the
//! XML declaration), transcodes to UTF-8 as it streams, checks every
//! character against XML 1.0 (valid UTF-8, no forbidden control characters),
//! and keeps a short history so an error's line and column can be computed
//! from its byte offset only when one is reported.

use std::cell::Cell;
use std::io::{self, BufRead, Read};

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE};

/// Bytes handed to the parser per read, at most; reads start small (so a
/// small document costs little) and double up to this.
const CHUNK: usize = 256 * 1024;
const FIRST_READ: usize = 8 * 1024;
/// Bytes kept before the parser's position, to locate recent errors.
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
    /// The input is UTF-8 already.
    Utf8,
    /// ISO-8859-1 proper: every byte is the code point of the same number
    /// (encoding_rs treats the label as windows-1252, XML parsers do not).
    Latin1,
    /// Any other encoding.
    Decoder(encoding_rs::Decoder),
}

/// A UTF-8 view of an XML byte stream in any encoding.
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
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    eof: bool,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Lines before `buf[0]` (0-based) and characters since the last line
    /// break at `buf[0]`.
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
            buf: vec![0u8; FIRST_READ],
            read_size: FIRST_READ,
            pos: 0,
            filled: 0,
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

    /// The first unchecked problem in the bytes handed out so far.
    pub fn bad(&self) -> Option<&BadInput> {
        self.bad.as_ref()
    }

    /// Forgets the current problem (after it was reported) and checks on.
    pub fn clear_bad(&mut self) {
        if let Some(bad) = self.bad.take() {
            // Skip the offending character and look at the rest.
            let mut next = bad.offset + 1;
            while next < self.base + self.filled as u64 {
                let i = (next - self.base) as usize;
                if self.buf.get(i).is_some_and(|b| b & 0xC0 == 0x80) {
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
        let end = ((offset - self.base) as usize).min(self.filled);
        // Count on from the last position when it is in the window and not
        // after this one (units are located in order: this keeps it linear).
        let (from, line, col) = match self.last_position.get() {
            Some((o, line, col)) if o >= self.base && o - self.base <= end as u64 => {
                ((o - self.base) as usize, line, col)
            }
            _ => (0, self.base_line + 1, self.base_col),
        };
        let window = &self.buf[from..end];
        let line = line + memchr::memchr_iter(b'\n', window).count() as u64;
        let col = match memchr::memrchr(b'\n', window) {
            Some(k) => count_chars(&window[k + 1..]),
            None => col + count_chars(window),
        };
        self.last_position
            .set(Some((self.base + end as u64, line, col)));
        Some((line, col + 1))
    }

    fn refill(&mut self) -> io::Result<()> {
        if self.pos > HISTORY {
            let drop = self.pos - HISTORY;
            let gone = &self.buf[..drop];
            self.base_line += memchr::memchr_iter(b'\n', gone).count() as u64;
            self.base_col = match memchr::memrchr(b'\n', gone) {
                Some(k) => count_chars(&gone[k + 1..]),
                None => self.base_col + count_chars(gone),
            };
            self.buf.copy_within(drop..self.filled, 0);
            self.pos -= drop;
            self.filled -= drop;
            self.base += drop as u64;
        }
        if self.buf.len() - self.filled < self.read_size / 2 {
            self.read_size = (self.read_size * 2).min(CHUNK);
            self.buf.resize(self.filled + self.read_size, 0);
            if self.raw_buf.len() < self.read_size && self.raw_pos == self.raw_end {
                self.raw_buf.resize(self.read_size, 0);
            }
        }
        loop {
            let before = self.filled;
            self.decode_some()?;
            if self.filled > before || self.eof {
                break;
            }
        }
        self.scan();
        Ok(())
    }

    /// Moves some bytes from the raw source into `buf`, transcoding.
    fn decode_some(&mut self) -> io::Result<()> {
        if matches!(self.transcoder, Transcoder::Utf8) && self.raw_pos == self.raw_end {
            // UTF-8 needs no transcoding: read straight into the window.
            if self.raw_eof {
                self.eof = true;
                return Ok(());
            }
            loop {
                match self.raw.read(&mut self.buf[self.filled..]) {
                    Ok(0) => {
                        self.raw_eof = true;
                        self.eof = true;
                    }
                    Ok(n) => self.filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
                return Ok(());
            }
        }
        if self.raw_pos == self.raw_end && !self.raw_eof {
            self.raw_pos = 0;
            self.raw_end = 0;
            loop {
                match self.raw.read(&mut self.raw_buf) {
                    Ok(0) => self.raw_eof = true,
                    Ok(n) => self.raw_end = n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
                break;
            }
        }
        let src = &self.raw_buf[self.raw_pos..self.raw_end];
        let dst = &mut self.buf[self.filled..];
        match &mut self.transcoder {
            Transcoder::Utf8 => {
                let n = src.len().min(dst.len());
                dst[..n].copy_from_slice(&src[..n]);
                self.raw_pos += n;
                self.filled += n;
                if self.raw_eof && self.raw_pos == self.raw_end {
                    self.eof = true;
                }
            }
            Transcoder::Latin1 => {
                let mut written = 0;
                let mut read = 0;
                for &b in src {
                    if written + 2 > dst.len() {
                        break;
                    }
                    if b < 0x80 {
                        dst[written] = b;
                        written += 1;
                    } else {
                        dst[written] = 0xC0 | (b >> 6);
                        dst[written + 1] = 0x80 | (b & 0x3F);
                        written += 2;
                    }
                    read += 1;
                }
                self.raw_pos += read;
                self.filled += written;
                if self.raw_eof && self.raw_pos == self.raw_end {
                    self.eof = true;
                }
            }
            Transcoder::Decoder(decoder) => {
                let last = self.raw_eof;
                let (result, read, written) =
                    decoder.decode_to_utf8_without_replacement(src, dst, last);
                self.raw_pos += read;
                self.filled += written;
                match result {
                    DecoderResult::InputEmpty => {
                        if last {
                            self.eof = true;
                        }
                    }
                    DecoderResult::OutputFull => {}
                    DecoderResult::Malformed(_, _) => {
                        let offset = self.base + self.filled as u64;
                        if self.bad.as_ref().is_none_or(|b| b.offset > offset) {
                            self.bad = Some(BadInput {
                                offset,
                                message: format!(
                                    "bytes that are not valid {} (the encoding the file declares)",
                                    self.encoding_name
                                ),
                            });
                        }
                        // Stand in a replacement so parsing can go on in lenient mode.
                        if self.buf.len() - self.filled < 3 {
                            self.buf.resize(self.filled + 3, 0);
                        }
                        self.buf[self.filled..self.filled + 3]
                            .copy_from_slice("\u{FFFD}".as_bytes());
                        self.filled += 3;
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks new bytes for characters XML 1.0 forbids. UTF-8 validity is
    /// checked by the parser on every event; [`Input::first_invalid_utf8`]
    /// finds the exact byte when it reports a problem.
    fn scan(&mut self) {
        if self.bad.is_some() {
            return;
        }
        let start = (self.scanned.saturating_sub(self.base)) as usize;
        let end = self.filled;
        if start >= end {
            return;
        }
        // A U+FFFE/U+FFFF sequence may straddle the end: leave 2 bytes for later.
        let limit = if self.eof {
            end
        } else {
            end.saturating_sub(2).max(start)
        };
        if let Some(i) = find_forbidden(&self.buf[start..end], limit - start) {
            let offset = self.base + (start + i) as u64;
            let ch = std::str::from_utf8(&self.buf[start + i..end.min(start + i + 3)])
                .ok()
                .and_then(|s| s.chars().next())
                .or_else(|| self.buf.get(start + i).map(|&b| char::from(b)))
                .unwrap_or('\0');
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

    /// The offset of the first byte that is not UTF-8 at or after `from`,
    /// within the retained window.
    pub fn first_invalid_utf8(&self, from: u64) -> Option<u64> {
        let start = from.checked_sub(self.base)? as usize;
        let bytes = self.buf.get(start..self.filled)?;
        match std::str::from_utf8(bytes) {
            Ok(_) => None,
            Err(e) if e.error_len().is_some() || self.eof => Some(from + e.valid_up_to() as u64),
            Err(_) => None,
        }
    }
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled && !self.eof {
            self.refill()?;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64
}

/// Index (below `limit`) of the first character XML 1.0 forbids: C0
/// controls other than tab, LF and CR, and U+FFFE / U+FFFF (`EF BF BE/BF`).
/// Eight bytes are tested at a time; only words holding a byte below 0x20
/// or an 0xEF are looked at closely.
fn find_forbidden(bytes: &[u8], limit: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
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
    while i + 8 <= limit {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let x = u64::from_le_bytes(word);
        let below_20 = x.wrapping_sub(LO * 0x20) & !x & HI;
        let y = x ^ (LO * 0xEF);
        let is_ef = y.wrapping_sub(LO) & !y & HI;
        if below_20 | is_ef != 0 {
            for j in i..i + 8 {
                if check(j) {
                    return Some(j);
                }
            }
        }
        i += 8;
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
        let mut out = Vec::new();
        input.read_to_end(&mut out).unwrap();
        (
            String::from_utf8_lossy(&out).into_owned(),
            input.bad.clone(),
        )
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
        let mut input = Input::new(&b"<a>\xff</a>"[..]).unwrap();
        input.read_to_end(&mut Vec::new()).unwrap();
        assert_eq!(input.first_invalid_utf8(0), Some(3));
        let (_, bad) = read_all("<a>\u{FFFE}</a>".as_bytes());
        assert_eq!(bad.unwrap().offset, 3);
        assert!(read_all("<a>\tok\r\n</a>".as_bytes()).1.is_none());
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncdé\nfg";
        let mut input = Input::new(text.as_bytes()).unwrap();
        let mut out = Vec::new();
        input.read_to_end(&mut out).unwrap();
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
