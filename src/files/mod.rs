//! Reading inputs and writing outputs safely.
//!
//! Inputs are named by path, `-` meaning stdin; text inputs are decoded from
//! whatever encoding their byte-order mark or the user says ([`decode_text`]).
//! Outputs are written to a temporary file in the destination's folder and
//! renamed into place when complete ([`AtomicFile`]), so an interrupted run
//! never leaves a truncated file behind and never touches the input.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, Result};

mod atomic;
mod decode;
mod tree;

pub use atomic::{AtomicFile, remove_temporaries, write_atomic};
pub use decode::{
    FileOffsets, TextEncoding, XmlEncoding, decode_page, decode_page_with_offsets, decode_text,
    decode_utf8, decode_xml, page_charset, utf8_reader,
};
pub use tree::OutputTree;

/// True when `path` means standard input or output.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How an input is named in messages: its path, or `<stdin>`.
pub fn display_name(path: &Path) -> String {
    if is_stdio(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads a whole input (a path or `-` for stdin) as bytes.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if is_stdio(path) {
        io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("<stdin>", e))?;
    } else {
        buf = read_file(path).map_err(|e| Error::io(path, e))?;
    }
    Ok(buf)
}

/// A whole file, in as few reads as its size allows: a buffer one byte larger
/// than the size `fstat` gives, so that a file read whole ends on a short read
/// instead of a second read returning nothing (`read_to_end` also seeks and
/// reads twice: five calls instead of three, per article of a folder).
fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    // Files that report no size (procfs) or are not regular are read until a read returns nothing.
    let size = if meta.is_file() {
        meta.len() as usize
    } else {
        0
    };
    let mut buf = vec![0u8; size + 1];
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(2 * len + 8192, 0);
        }
        let asked = buf.len() - len;
        let n = match file.read(&mut buf[len..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        len += n;
        // A short read of a regular file that has reached its size is its end.
        if n == 0 || (size > 0 && len >= size && n < asked) {
            break;
        }
    }
    buf.truncate(len);
    Ok(buf)
}

/// The encoding [`read_text`] assumes when no byte-order mark says, for the
/// whole process; UTF-8 unless [`set_default_encoding`] was called.
pub fn default_encoding() -> TextEncoding {
    DEFAULT_ENCODING.get().copied().unwrap_or_default()
}

/// Sets [`default_encoding`] once for the process (the CLI's `--encoding`).
/// Returns false when it was already set.
pub fn set_default_encoding(encoding: TextEncoding) -> bool {
    DEFAULT_ENCODING.set(encoding).is_ok()
}

static DEFAULT_ENCODING: OnceLock<TextEncoding> = OnceLock::new();

/// Reads a whole text input (a path or `-`) into a string: a byte-order mark
/// decides the encoding, else [`default_encoding`] when it was set, else for
/// a web page ([`crate::html::is_page_path`]) the charset it declares, else
/// UTF-8; see [`decode_text`] and [`decode_page`]. Errors name the file, and
/// the line and column of the first bad byte.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    let file = (!is_stdio(path)).then_some(path);
    if file.is_some() && crate::html::is_page_path(path) {
        decode_page(bytes, file, default_encoding())
    } else {
        decode_text(bytes, file, default_encoding())
    }
}

/// Reads a text input as [`read_text`] does, with the map from the text's
/// offsets to the file's when a web page was decoded from its declared
/// legacy charset ([`decode_page_with_offsets`]; `None` otherwise).
pub fn read_text_with_offsets(path: &Path) -> Result<(String, Option<FileOffsets>)> {
    let bytes = read_bytes(path)?;
    let file = (!is_stdio(path)).then_some(path);
    if file.is_some() && crate::html::is_page_path(path) {
        decode_page_with_offsets(bytes, file, default_encoding())
    } else {
        Ok((decode_text(bytes, file, default_encoding())?, None))
    }
}

/// Opens a text input (a path or `-`) as a stream of UTF-8 bytes, decoded as
/// [`read_text`] does, for inputs read piece by piece.
pub fn open_text(path: &Path) -> Result<Box<dyn Read + Send>> {
    if is_stdio(path) {
        utf8_reader(io::stdin(), None, default_encoding())
    } else {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        utf8_reader(file, Some(path), default_encoding())
    }
}

/// The first bytes of standard input, read ahead to tell its format (it
/// has no name to tell it by); [`StdinHead::reader`] gives them back
/// before the rest.
#[derive(Debug, Clone, Default)]
pub struct StdinHead(Vec<u8>);

impl StdinHead {
    /// Reads the first `n` bytes of standard input (fewer when it ends first).
    pub fn read(n: usize) -> Result<StdinHead> {
        let mut head = Vec::with_capacity(n);
        io::stdin()
            .take(n as u64)
            .read_to_end(&mut head)
            .map_err(|e| Error::io("<stdin>", e))?;
        Ok(StdinHead(head))
    }

    /// The bytes read ahead.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Standard input from its first byte: the bytes read ahead, then the
    /// rest (which only one reader can take).
    pub fn reader(&self) -> Box<dyn Read + Send> {
        Box::new(io::Cursor::new(self.0.clone()).chain(io::stdin()))
    }

    /// [`open_text`] of standard input from its first byte.
    pub fn open_text(&self) -> Result<Box<dyn Read + Send>> {
        utf8_reader(self.reader(), None, default_encoding())
    }

    /// [`read_text`] of standard input from its first byte.
    pub fn read_text(&self) -> Result<String> {
        let mut bytes = Vec::new();
        self.reader()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?;
        decode_text(bytes, None, default_encoding())
    }
}

/// An output destination: stdout for `-`, otherwise an [`AtomicFile`].
pub enum Output {
    /// Standard output, buffered.
    Stdout(BufWriter<io::Stdout>),
    /// A file written atomically.
    File(AtomicFile),
}

impl Output {
    /// Opens `path` for writing (`-` is stdout).
    pub fn create(path: &Path) -> Result<Self> {
        if is_stdio(path) {
            Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )))
        } else {
            AtomicFile::create(path).map(Output::File)
        }
    }

    /// Finishes the output: flushes stdout, or commits the file.
    pub fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().map_err(|e| Error::io("<stdout>", e)),
            Output::File(f) => f.commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

/// What the tests of this module's files share.
#[cfg(test)]
mod test_support {
    use std::path::Path;

    /// The names in `dir`, sorted.
    pub(super) fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_bytes_reads_whole_files_of_any_size() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0usize, 1, 4095, 4096, 4097, 100_000] {
            let path = dir.path().join(format!("f{len}"));
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_bytes(&path).unwrap(), bytes, "{len} bytes");
        }
        let err = read_bytes(&dir.path().join("missing")).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn read_bytes_reads_files_that_report_no_size() {
        // procfs reports size 0 and answers about a page per read: read to the end.
        let ours = read_bytes(Path::new("/proc/self/maps")).unwrap();
        let std = std::fs::read("/proc/self/maps").unwrap();
        let last = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .lines()
                .last()
                .map(str::to_string)
        };
        assert!(
            ours.len() > 4096,
            "{} bytes: not past a first short read",
            ours.len()
        );
        assert_eq!(last(&ours), last(&std));
    }
}
