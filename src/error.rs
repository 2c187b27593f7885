//! The library's error type. Every error that concerns a file names it, and
//! where there is a position, its line and column, so a user can act on it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in an input something happened: a file (or `<stdin>`), and a 1-based
/// line and column when known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, or `None` for stdin or in-memory text.
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column, in characters.
    pub column: Option<u64>,
}

impl Location {
    /// A location naming only a file.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Location {
            file: Some(path.as_ref().to_path_buf()),
            line: None,
            column: None,
        }
    }

    /// This location at a given line and column.
    pub fn at(mut self, line: u64, column: u64) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Line and column of byte `offset` in `text` (columns count characters).
    pub fn of_offset(file: Option<&Path>, text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() as u64 + 1;
        Location {
            file: file.map(Path::to_path_buf),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(p) => write!(f, "{}", p.display())?,
            None => f.write_str("<stdin>")?,
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong in tmkit's library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An input is malformed at a known place (XML, SRX, TSV, ...).
    #[error("{location}: {message}")]
    Syntax {
        /// Where.
        location: Location,
        /// What was wrong, and what was expected.
        message: String,
    },
    /// An input is valid in form but not usable (missing language, empty file, ...).
    #[error("{location}: {message}")]
    Invalid {
        /// Which input (line and column when relevant).
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A language tag that does not parse.
    #[error(transparent)]
    LanguageTag(#[from] crate::text::lang::LanguageTagError),
    /// A caller's argument or option cannot be used.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A syntax error at `location`.
    pub fn syntax(location: Location, message: impl Into<String>) -> Self {
        Error::Syntax {
            location,
            message: message.into(),
        }
    }

    /// An invalid-input error at `location`.
    pub fn invalid(location: Location, message: impl Into<String>) -> Self {
        Error::Invalid {
            location,
            message: message.into(),
        }
    }

    /// True when the error is a closed pipe on output (`tmkit ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_from_offset_counts_lines_and_chars() {
        let text = "ab\ncdé\nfg";
        let loc = Location::of_offset(Some(Path::new("x.txt")), text, text.find('f').unwrap());
        assert_eq!(loc.to_string(), "x.txt:3:1");
        let loc = Location::of_offset(None, text, text.find('é').unwrap() + 2);
        assert_eq!(loc.to_string(), "<stdin>:2:4");
    }

    #[test]
    fn errors_name_file_and_position() {
        let e = Error::syntax(Location::file("a.tmx").at(4, 7), "expected </seg>");
        assert_eq!(e.to_string(), "a.tmx:4:7: expected </seg>");
    }
}
