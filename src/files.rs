//! Reading inputs and writing outputs safely.
//!
//! Inputs are named by path, `-` meaning stdin. Outputs are written to a
//! temporary file in the destination's folder and renamed into place when
//! complete, so an interrupted run never leaves a truncated file behind and
//! never touches the input.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

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

/// Reads a whole input as UTF-8 text. A leading byte-order mark is dropped;
/// invalid UTF-8 is an error naming the file, line and column of the first bad byte.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    decode_utf8(bytes, (!is_stdio(path)).then_some(path))
}

/// Turns bytes into a UTF-8 string, dropping a BOM; errors point at the first bad byte.
pub fn decode_utf8(mut bytes: Vec<u8>, file: Option<&Path>) -> Result<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // The valid prefix is UTF-8, so positions can be counted in characters.
            let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            let location = Location::of_offset(file, prefix, valid);
            Err(Error::invalid(
                location,
                "not valid UTF-8 text (convert it to UTF-8 first)",
            ))
        }
    }
}

/// A file being written: bytes go to a temporary file beside `dest`, which
/// [`AtomicFile::commit`] renames over `dest`. Dropped without commit, the
/// temporary file is removed and `dest` is untouched.
pub struct AtomicFile {
    dest: PathBuf,
    writer: BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `dest` (its folder must exist).
    pub fn create(dest: impl AsRef<Path>) -> Result<Self> {
        let dest = dest.as_ref().to_path_buf();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".tmkit-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| Error::io(&dest, e))?;
        Ok(AtomicFile {
            dest,
            writer: BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Flushes and renames the temporary file into place without waiting for
    /// the disk (no fsync): readers never see a partial file and an
    /// interrupted process leaves none, but a power cut may lose the newest
    /// outputs. For batches of many small, re-creatable outputs, where one
    /// fsync per file would dominate the run time.
    pub fn commit_unsynced(self) -> Result<()> {
        let dest = self.dest;
        let tmp = self
            .writer
            .into_inner()
            .map_err(|e| Error::io(&dest, e.into_error()))?;
        tmp.persist(&dest).map_err(|e| Error::io(&dest, e.error))?;
        Ok(())
    }

    /// Flushes, syncs and renames the temporary file into place.
    pub fn commit(self) -> Result<()> {
        let dest = self.dest;
        let tmp = self
            .writer
            .into_inner()
            .map_err(|e| Error::io(&dest, e.into_error()))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(&dest, e))?;
        tmp.persist(&dest).map_err(|e| Error::io(&dest, e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writes `contents` to `dest` atomically (temporary file, then rename).
pub fn write_atomic(dest: &Path, contents: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(dest)?;
    f.write_all(contents).map_err(|e| Error::io(dest, e))?;
    f.commit()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.write_all(b"new but abandoned").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temporary file left behind"
        );
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
    }

    #[test]
    fn unsynced_commit_is_still_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("digest.txt");
        let mut f = AtomicFile::create(&dest).unwrap();
        f.write_all(b"summary").unwrap();
        assert!(!dest.exists(), "visible before commit");
        f.commit_unsynced().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "summary");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = decode_utf8(b"ok\nab\xffc".to_vec(), Some(Path::new("bad.txt"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.txt:2:3: not valid UTF-8 text (convert it to UTF-8 first)"
        );
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFhi".to_vec(), None).unwrap(), "hi");
    }
}
