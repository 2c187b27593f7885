//! Rows of a `COPY (…) TO STDOUT (FORMAT binary)` stream, parsed as they
//! arrive: no per-row protocol message to decode, texts as raw UTF-8.
//! The layout is PostgreSQL's: an 11-byte signature, flags, a header
//! extension, then per row a field count (-1 ends the stream) and per
//! field a length (-1 for NULL) and the bytes, integers big-endian.

use std::io::{self, BufRead, Read};
use std::ops::Range;

/// The signature a binary COPY stream starts with.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("binary COPY: {what}"))
}

/// A binary COPY stream, one row at a time (the current row's fields are
/// kept in one reused buffer).
pub(crate) struct CopyRows<R> {
    reader: R,
    buf: Vec<u8>,
    fields: Vec<Option<Range<usize>>>,
    done: bool,
}

impl<R: BufRead> CopyRows<R> {
    /// Reads and checks the stream's header.
    pub(crate) fn new(mut reader: R) -> io::Result<CopyRows<R>> {
        let mut head = [0u8; 19];
        reader.read_exact(&mut head)?;
        if &head[..11] != SIGNATURE {
            return Err(invalid("no PGCOPY signature"));
        }
        let extension = u32::from_be_bytes([head[15], head[16], head[17], head[18]]);
        io::copy(
            &mut (&mut reader).take(u64::from(extension)),
            &mut io::sink(),
        )?;
        Ok(CopyRows {
            reader,
            buf: Vec::new(),
            fields: Vec::new(),
            done: false,
        })
    }

    /// Moves to the next row; false at the end of the stream.
    pub(crate) fn advance(&mut self) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        if let Some(more) = self.row_in_place()? {
            return Ok(more);
        }
        let mut count = [0u8; 2];
        self.reader.read_exact(&mut count)?;
        let count = i16::from_be_bytes(count);
        if count < 0 {
            self.done = true;
            return Ok(false);
        }
        self.buf.clear();
        self.fields.clear();
        for _ in 0..count {
            let mut len = [0u8; 4];
            self.reader.read_exact(&mut len)?;
            let len = i32::from_be_bytes(len);
            if len < 0 {
                self.fields.push(None);
                continue;
            }
            let start = self.buf.len();
            self.buf.resize(start + len as usize, 0);
            self.reader.read_exact(&mut self.buf[start..])?;
            self.fields.push(Some(start..self.buf.len()));
        }
        Ok(true)
    }

    /// The next row when the reader's buffer holds all of it (the server
    /// sends a message per row, so it nearly always does): its bytes are
    /// copied once, not field by field. `None`: read it piecewise.
    fn row_in_place(&mut self) -> io::Result<Option<bool>> {
        let chunk = self.reader.fill_buf()?;
        let Some(count) = chunk.get(..2) else {
            return Ok(None);
        };
        let count = i16::from_be_bytes([count[0], count[1]]);
        if count < 0 {
            self.reader.consume(2);
            self.done = true;
            return Ok(Some(false));
        }
        self.fields.clear();
        let mut at = 2;
        for _ in 0..count {
            let Some(len) = chunk.get(at..at + 4) else {
                return Ok(None);
            };
            let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            at += 4;
            if len < 0 {
                self.fields.push(None);
                continue;
            }
            let end = at + len as usize;
            if end > chunk.len() {
                return Ok(None);
            }
            self.fields.push(Some(at..end));
            at = end;
        }
        self.buf.clear();
        self.buf.extend_from_slice(&chunk[..at]);
        self.reader.consume(at);
        Ok(Some(true))
    }

    fn bytes(&self, i: usize) -> io::Result<Option<&[u8]>> {
        match self.fields.get(i) {
            Some(field) => Ok(field.clone().map(|r| &self.buf[r])),
            None => Err(invalid("fewer fields than expected")),
        }
    }

    /// Field `i` as a `bigint`.
    pub(crate) fn int8(&self, i: usize) -> io::Result<Option<i64>> {
        self.bytes(i)?
            .map(|b| {
                <[u8; 8]>::try_from(b)
                    .map(i64::from_be_bytes)
                    .map_err(|_| invalid("a bigint is not 8 bytes"))
            })
            .transpose()
    }

    /// Field `i` as text.
    pub(crate) fn text(&self, i: usize) -> io::Result<Option<&str>> {
        self.bytes(i)?
            .map(|b| std::str::from_utf8(b).map_err(|_| invalid("text is not UTF-8")))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream as the server writes it: header, rows, trailer.
    fn stream(rows: &[&[Option<&[u8]>]]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend(0u32.to_be_bytes());
        out.extend(3u32.to_be_bytes());
        out.extend(b"ext");
        for row in rows {
            out.extend((row.len() as i16).to_be_bytes());
            for field in *row {
                match field {
                    Some(b) => {
                        out.extend((b.len() as i32).to_be_bytes());
                        out.extend(*b);
                    }
                    None => out.extend((-1i32).to_be_bytes()),
                }
            }
        }
        out.extend((-1i16).to_be_bytes());
        out
    }

    #[test]
    fn reads_rows_nulls_and_the_end() {
        let id = 42i64.to_be_bytes();
        let big = (-7i64).to_be_bytes();
        let bytes = stream(&[
            &[Some(&id), Some("héllo\tworld\n".as_bytes()), None],
            &[Some(&big), Some(b""), Some(b"x")],
        ]);
        let mut rows = CopyRows::new(&bytes[..]).unwrap();
        assert!(rows.advance().unwrap());
        assert_eq!(rows.int8(0).unwrap(), Some(42));
        assert_eq!(rows.text(1).unwrap(), Some("héllo\tworld\n"));
        assert_eq!(rows.text(2).unwrap(), None);
        assert!(rows.advance().unwrap());
        assert_eq!(rows.int8(0).unwrap(), Some(-7));
        assert_eq!(rows.text(1).unwrap(), Some(""));
        assert_eq!(rows.text(2).unwrap(), Some("x"));
        assert!(rows.text(3).is_err());
        assert!(!rows.advance().unwrap());
        assert!(!rows.advance().unwrap());
    }

    #[test]
    fn reads_rows_split_across_the_readers_buffers() {
        let text = "a longer text than the buffer";
        let bytes = stream(&[&[Some(&5i64.to_be_bytes()), None, Some(text.as_bytes())]]);
        let mut rows = CopyRows::new(io::BufReader::with_capacity(7, &bytes[..])).unwrap();
        assert!(rows.advance().unwrap());
        assert_eq!(rows.int8(0).unwrap(), Some(5));
        assert_eq!(rows.text(1).unwrap(), None);
        assert_eq!(rows.text(2).unwrap(), Some(text));
        assert!(!rows.advance().unwrap());
    }

    #[test]
    fn refuses_what_is_not_a_binary_copy() {
        // Long enough for a header, so it is the signature that is refused.
        assert!(CopyRows::new(&b"1\tfoo\n\\.\n".repeat(3)[..]).is_err());
        let bytes = stream(&[&[Some(b"abc"), Some(&[0xff, 0xfe])]]);
        let mut rows = CopyRows::new(&bytes[..]).unwrap();
        assert!(rows.advance().unwrap());
        assert!(rows.int8(0).is_err());
        assert!(rows.text(1).is_err());
        // Cut short: an error, not a silent end.
        let mut rows = CopyRows::new(&bytes[..bytes.len() - 4]).unwrap();
        assert!(rows.advance().is_err());
    }
}
