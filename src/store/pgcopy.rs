//! Rows of a `COPY (…) TO STDOUT (FORMAT binary)` stream, parsed in the
//! messages they arrive in: the server sends a CopyData message per row,
//! which is read where it lies (no copy), texts as raw UTF-8. A row that
//! spans messages (the header's message, say) is joined first.
//! The layout is PostgreSQL's: an 11-byte signature, flags, a header
//! extension, then per row a field count (-1 ends the stream) and per
//! field a length (-1 for NULL) and the bytes, integers big-endian.

use std::io;
use std::ops::Range;

use futures_util::{Stream, StreamExt};

/// The signature a binary COPY stream starts with.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("binary COPY: {what}"))
}

/// What [`CopyRows`] reads from: the message at hand, or the rest of one
/// joined with the next (a row or header they split).
enum Data<B> {
    Message(B),
    Joined(Vec<u8>),
}

impl<B: AsRef<[u8]>> Data<B> {
    fn bytes(&self) -> &[u8] {
        match self {
            Data::Message(b) => b.as_ref(),
            Data::Joined(v) => v,
        }
    }
}

/// What the bytes at hand hold next.
enum Next {
    /// A row of this many bytes (its fields are set).
    Row(usize),
    /// The end of the stream (2 bytes).
    End,
    /// A row needing at least this many bytes.
    Short(usize),
}

/// A binary COPY stream (the messages of `S`), one row at a time; the
/// current row's fields are ranges of the message that holds it.
pub(crate) struct CopyRows<S, B> {
    stream: S,
    data: Data<B>,
    /// Where the next row starts in `data`.
    at: usize,
    fields: Vec<Option<Range<usize>>>,
    done: bool,
}

impl<S, B, E> CopyRows<S, B>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    /// Reads and checks the stream's header.
    pub(crate) async fn new(stream: S) -> io::Result<CopyRows<S, B>> {
        let mut rows = CopyRows {
            stream,
            data: Data::Joined(Vec::new()),
            at: 0,
            fields: Vec::new(),
            done: false,
        };
        rows.need(19).await?;
        let head = &rows.data.bytes()[rows.at..rows.at + 19];
        if &head[..11] != SIGNATURE {
            return Err(invalid("no PGCOPY signature"));
        }
        let extension = u32::from_be_bytes([head[15], head[16], head[17], head[18]]) as usize;
        rows.at += 19;
        rows.need(extension).await?;
        rows.at += extension;
        Ok(rows)
    }

    /// Makes `n` bytes from `at` readable; false when the stream ends first.
    async fn fill(&mut self, n: usize) -> io::Result<bool> {
        loop {
            let have = self.data.bytes().len() - self.at;
            if have >= n {
                return Ok(true);
            }
            let Some(next) = self.stream.next().await else {
                return Ok(false);
            };
            let next = next.map_err(io::Error::other)?;
            self.data = if have == 0 {
                Data::Message(next)
            } else {
                let rest = &self.data.bytes()[self.at..];
                let mut joined = Vec::with_capacity(have + next.as_ref().len());
                joined.extend_from_slice(rest);
                joined.extend_from_slice(next.as_ref());
                Data::Joined(joined)
            };
            self.at = 0;
        }
    }

    async fn need(&mut self, n: usize) -> io::Result<()> {
        if self.fill(n).await? {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "binary COPY: the stream ended inside a row",
            ))
        }
    }

    /// Moves to the next row; false at the end of the stream (whose
    /// messages are then read to their end, so a late error shows).
    pub(crate) async fn advance(&mut self) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        loop {
            match self.parse() {
                Next::Row(len) => {
                    self.at += len;
                    return Ok(true);
                }
                Next::End => {
                    self.at += 2;
                    self.done = true;
                    while let Some(message) = self.stream.next().await {
                        message.map_err(io::Error::other)?;
                    }
                    return Ok(false);
                }
                Next::Short(n) => self.need(n).await?,
            }
        }
    }

    /// The row at `at`, if the bytes at hand hold all of it.
    fn parse(&mut self) -> Next {
        let start = self.at;
        let chunk = &self.data.bytes()[start..];
        let Some(count) = chunk.get(..2) else {
            return Next::Short(2);
        };
        let count = i16::from_be_bytes([count[0], count[1]]);
        if count < 0 {
            return Next::End;
        }
        self.fields.clear();
        let mut at = 2;
        for _ in 0..count {
            let Some(len) = chunk.get(at..at + 4) else {
                return Next::Short(at + 4);
            };
            let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            at += 4;
            if len < 0 {
                self.fields.push(None);
                continue;
            }
            let end = at + len as usize;
            if end > chunk.len() {
                return Next::Short(end);
            }
            self.fields.push(Some(start + at..start + end));
            at = end;
        }
        Next::Row(at)
    }

    fn bytes(&self, i: usize) -> io::Result<Option<&[u8]>> {
        match self.fields.get(i) {
            Some(field) => Ok(field.clone().map(|r| &self.data.bytes()[r])),
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
            .map(|b| simdutf8::basic::from_utf8(b).map_err(|_| invalid("text is not UTF-8")))
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

    type Messages = futures_util::stream::Iter<std::vec::IntoIter<io::Result<Vec<u8>>>>;

    /// `bytes` in messages of at most `size` bytes.
    fn messages(bytes: &[u8], size: usize) -> Messages {
        let parts: Vec<io::Result<Vec<u8>>> = bytes.chunks(size).map(|c| Ok(c.to_vec())).collect();
        futures_util::stream::iter(parts)
    }

    /// Runs a step whose messages are all at hand.
    fn now<T>(step: impl std::future::Future<Output = T>) -> T {
        use futures_util::FutureExt;
        step.now_or_never().expect("never waits")
    }

    fn rows(bytes: &[u8], size: usize) -> io::Result<CopyRows<Messages, Vec<u8>>> {
        now(CopyRows::new(messages(bytes, size)))
    }

    #[test]
    fn reads_rows_nulls_and_the_end() {
        let id = 42i64.to_be_bytes();
        let big = (-7i64).to_be_bytes();
        let bytes = stream(&[
            &[Some(&id), Some("héllo\tworld\n".as_bytes()), None],
            &[Some(&big), Some(b""), Some(b"x")],
        ]);
        let mut rows = rows(&bytes, bytes.len()).unwrap();
        assert!(now(rows.advance()).unwrap());
        assert_eq!(rows.int8(0).unwrap(), Some(42));
        assert_eq!(rows.text(1).unwrap(), Some("héllo\tworld\n"));
        assert_eq!(rows.text(2).unwrap(), None);
        assert!(now(rows.advance()).unwrap());
        assert_eq!(rows.int8(0).unwrap(), Some(-7));
        assert_eq!(rows.text(1).unwrap(), Some(""));
        assert_eq!(rows.text(2).unwrap(), Some("x"));
        assert!(rows.text(3).is_err());
        assert!(!now(rows.advance()).unwrap());
        assert!(!now(rows.advance()).unwrap());
    }

    #[test]
    fn reads_rows_split_across_messages() {
        let text = "a longer text than a message";
        let bytes = stream(&[
            &[Some(&5i64.to_be_bytes()), None, Some(text.as_bytes())],
            &[Some(&6i64.to_be_bytes()), Some(b"y"), None],
        ]);
        // Every split, down to a byte per message.
        for size in 1..bytes.len() {
            let mut rows = rows(&bytes, size).unwrap();
            assert!(now(rows.advance()).unwrap(), "{size}");
            assert_eq!(rows.int8(0).unwrap(), Some(5));
            assert_eq!(rows.text(1).unwrap(), None);
            assert_eq!(rows.text(2).unwrap(), Some(text));
            assert!(now(rows.advance()).unwrap(), "{size}");
            assert_eq!(rows.int8(0).unwrap(), Some(6));
            assert_eq!(rows.text(1).unwrap(), Some("y"));
            assert!(!now(rows.advance()).unwrap(), "{size}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_binary_copy() {
        // Long enough for a header, so it is the signature that is refused.
        assert!(rows(&b"1\tfoo\n\\.\n".repeat(3), 64).is_err());
        let bytes = stream(&[&[Some(b"abc"), Some(&[0xff, 0xfe])]]);
        let mut r = rows(&bytes, 64).unwrap();
        assert!(now(r.advance()).unwrap());
        assert!(r.int8(0).is_err());
        assert!(r.text(1).is_err());
        // Cut short: an error, not a silent end.
        let mut r = rows(&bytes[..bytes.len() - 4], 64).unwrap();
        assert!(now(r.advance()).is_err());
        // A failed message (a broken connection) is an error too.
        let failed = futures_util::stream::iter(vec![
            Ok(bytes[..22].to_vec()),
            Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset")),
        ]);
        let mut r = now(CopyRows::new(failed)).unwrap();
        let e = now(r.advance()).unwrap_err();
        assert!(e.to_string().contains("reset"), "{e}");
    }
}
