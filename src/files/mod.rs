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

pub use atomic::{AtomicFile, remove_temporaries, write_atomic};
pub use decode::{TextEncoding, decode_text, decode_utf8, utf8_reader};

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
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(|e| Error::io(path, e))?;
    }
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
/// decides the encoding, else [`default_encoding`]; see [`decode_text`].
/// Errors name the file, and the line and column of the first bad byte.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    decode_text(bytes, (!is_stdio(path)).then_some(path), default_encoding())
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
