//! Tab-separated memories: `source<TAB>target` per line. Further columns are
//! ignored; blank lines are skipped; a line without a tab is an error naming
//! its file, line and column.
//!
//! One convention for every TSV file tmkit writes and reads (the "linear
//! TSV" of PostgreSQL's COPY text format): a tab, line feed, carriage return
//! and backslash in a field are written `\t`, `\n`, `\r` and `\\`
//! ([`escape_field`]), and read back ([`unescape_field`]); a backslash
//! followed by any other character is kept as it is, so a third-party file
//! holding `C:\path` or `\d` reads unchanged.

use std::borrow::Cow;
use std::path::Path;

use super::{Entry, Origin, PositionUnit};
use crate::error::{Error, Location, Result};

/// Appends `text` to `out` as one TSV field: tab, line feed, carriage
/// return and backslash escaped (see the module docs).
///
/// ```
/// let mut out = String::new();
/// tmkit::tm::escape_tsv_field(&mut out, "C:\\dir\tnew\nline");
/// assert_eq!(out, r"C:\\dir\tnew\nline");
/// ```
pub fn escape_field(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(k) = rest.find(['\t', '\n', '\r', '\\']) {
        out.push_str(&rest[..k]);
        out.push_str(match rest.as_bytes()[k] {
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\r' => "\\r",
            _ => "\\\\",
        });
        rest = &rest[k + 1..];
    }
    out.push_str(rest);
}

/// Appends `fields` to `out` as one TSV row: each escaped
/// ([`escape_field`]), tab-separated, ending in a line feed.
pub fn push_row(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        escape_field(out, field);
    }
    out.push('\n');
}

/// The text of one TSV field: `\t`, `\n`, `\r` and `\\` decoded, any
/// other backslash kept; borrowed when the field holds no escape.
///
/// ```
/// use tmkit::tm::unescape_tsv_field as un;
/// assert_eq!(un(r"a\tb\\n"), "a\tb\\n");
/// assert_eq!(un(r"C:\path\d"), r"C:\path\d");
/// assert!(matches!(un(r"C:\path"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn unescape_field(field: &str) -> Cow<'_, str> {
    let bytes = field.as_bytes();
    let Some(first) = memchr::memchr_iter(b'\\', bytes)
        .find(|&k| matches!(bytes.get(k + 1), Some(b't' | b'n' | b'r' | b'\\')))
    else {
        return Cow::Borrowed(field);
    };
    let mut out = String::with_capacity(field.len());
    out.push_str(&field[..first]);
    let mut chars = field[first..].chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// Parses TSV `text` into `out`, recording `file_index` and the line of each entry.
///
/// ```
/// let mut out = Vec::new();
/// tmkit::tm::parse_tsv("Hello\tBonjour\r\n\nBye\tSalut\n", None, 0, &mut out).unwrap();
/// assert_eq!(out.len(), 2);
/// assert_eq!(out[1].target, "Salut");
/// assert_eq!(out[1].origin.position, 3);
/// ```
pub fn parse_tsv(
    text: &str,
    file: Option<&Path>,
    file_index: u32,
    out: &mut Vec<Entry>,
) -> Result<()> {
    parse_tsv_oriented(text, file, file_index, false, out)
}

/// [`parse_tsv`], reading the second column as the source when `swapped`
/// (a `fr-en.tsv` memory used for English into French).
pub fn parse_tsv_oriented(
    text: &str,
    file: Option<&Path>,
    file_index: u32,
    swapped: bool,
    out: &mut Vec<Entry>,
) -> Result<()> {
    parse_tsv_lines(text, file, file_index, swapped, 1, out)
}

/// [`parse_tsv_oriented`] of a piece of a file whose first line is line
/// `first_line` of the file (see [`pieces`]).
pub(crate) fn parse_tsv_lines(
    text: &str,
    file: Option<&Path>,
    file_index: u32,
    swapped: bool,
    first_line: u64,
    out: &mut Vec<Entry>,
) -> Result<()> {
    for_each_pair(
        text,
        file,
        swapped,
        first_line,
        |position, source, target| {
            out.push(Entry {
                source: unescape_field(source).into_owned(),
                target: unescape_field(target).into_owned(),
                tuid: None,
                changedate: None,
                source_codes: 0,
                origin: Origin {
                    file: file_index,
                    position,
                    unit: PositionUnit::Line,
                },
            });
        },
    )
}

/// Calls `pair` with the line number, source and target (slices of `text`,
/// still escaped: see [`unescape_field`]) of each non-blank line of TSV `text`, whose first line is line
/// `first_line` of `file`; the second column is the source when `swapped`.
/// A line without a tab is an error naming its line and column.
pub(crate) fn for_each_pair<'t>(
    text: &'t str,
    file: Option<&Path>,
    swapped: bool,
    first_line: u64,
    mut pair: impl FnMut(u32, &'t str, &'t str),
) -> Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut line_no = first_line;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |k| start + k);
        let line = &text[start..end];
        let (this_line, next) = (line_no, end + 1);
        start = next;
        line_no += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let Some(tab) = memchr::memchr(b'\t', line.as_bytes()) else {
            let column = line.chars().count() as u64 + 1;
            return Err(Error::syntax(
                Location {
                    file: file.map(Path::to_path_buf),
                    ..Location::default()
                }
                .at(this_line, column),
                "expected a tab between source and target (source<TAB>target)",
            ));
        };
        let (source, rest) = (&line[..tab], &line[tab + 1..]);
        let second = memchr::memchr(b'\t', rest.as_bytes()).map_or(rest, |k| &rest[..k]);
        let (source, target) = if swapped {
            (second, source)
        } else {
            (source, second)
        };
        let position = u32::try_from(this_line).map_err(|_| {
            Error::invalid(
                Location {
                    file: file.map(Path::to_path_buf),
                    ..Location::default()
                },
                "more than 4 billion lines",
            )
        })?;
        pair(position, source, target);
    }
    Ok(())
}

/// `text` cut into pieces of about `size` bytes that end after a newline
/// (the last one at the end of the text), so they can be parsed apart: each
/// piece's byte range and the 1-based number of its first line.
pub(crate) fn pieces(text: &str, size: usize) -> Vec<(std::ops::Range<usize>, u64)> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / size.max(1) + 1);
    let (mut start, mut line) = (0, 1u64);
    while start < bytes.len() {
        let cut = (start + size.max(1)).min(bytes.len());
        let end = memchr::memchr(b'\n', &bytes[cut..]).map_or(bytes.len(), |k| cut + k + 1);
        out.push((start..end, line));
        line += memchr::memchr_iter(b'\n', &bytes[start..end]).count() as u64;
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tab_names_line_and_column() {
        let mut out = Vec::new();
        let err = parse_tsv("a\tb\nnaïve\n", Some(Path::new("m.tsv")), 0, &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.tsv:2:6: expected a tab between source and target (source<TAB>target)"
        );
    }

    #[test]
    fn pieces_cut_after_newlines_and_number_their_lines() {
        let text = "a\tA\n\nb\tB\r\nc\tC\nd\tD";
        for size in 1..=text.len() + 1 {
            let mut whole = Vec::new();
            parse_tsv(text, None, 0, &mut whole).unwrap();
            let mut parts = Vec::new();
            let cut = pieces(text, size);
            assert_eq!(cut.first().map(|(r, _)| r.start), Some(0));
            assert_eq!(cut.last().map(|(r, _)| r.end), Some(text.len()));
            for (range, line) in cut {
                parse_tsv_lines(&text[range], None, 0, false, line, &mut parts).unwrap();
            }
            assert_eq!(parts, whole, "pieces of {size} bytes");
        }
        assert_eq!(whole_positions(text), [1, 3, 4, 5]);
        let err = parse_tsv_lines(
            "x\ty\nbad\n",
            Some(Path::new("m.tsv")),
            0,
            false,
            41,
            &mut Vec::new(),
        )
        .unwrap_err();
        assert_eq!(err.to_string().split(": ").next(), Some("m.tsv:42:4"));
    }

    fn whole_positions(text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        parse_tsv(text, None, 0, &mut out).unwrap();
        out.iter().map(|e| e.origin.position).collect()
    }

    #[test]
    fn swapped_reads_the_second_column_as_source() {
        let mut out = Vec::new();
        parse_tsv_oriented("Bonjour\tHello\n", None, 0, true, &mut out).unwrap();
        assert_eq!(
            (out[0].source.as_str(), out[0].target.as_str()),
            ("Hello", "Bonjour")
        );
    }

    #[test]
    fn escapes_are_decoded_and_other_backslashes_kept() {
        let mut out = Vec::new();
        parse_tsv(
            "a\\tb\\\\n\tline\\none\\r\nC:\\path\\d\tend\\\n",
            None,
            0,
            &mut out,
        )
        .unwrap();
        assert_eq!(out[0].source, "a\tb\\n");
        assert_eq!(out[0].target, "line\none\r");
        assert_eq!(out[1].source, "C:\\path\\d");
        assert_eq!(out[1].target, "end\\");
        for text in [
            "",
            "plain",
            "a\tb\nc\r\\",
            "\\n",
            "C:\\path",
            "\\\\t",
            "é\\",
        ] {
            let mut field = String::new();
            escape_field(&mut field, text);
            assert!(!field.contains(['\t', '\n', '\r']), "{field:?}");
            assert_eq!(unescape_field(&field), text, "{field:?}");
        }
    }

    #[test]
    fn extra_columns_are_ignored_and_rtl_text_kept() {
        let mut out = Vec::new();
        parse_tsv("Peace\tسلام\tnote\n", None, 0, &mut out).unwrap();
        assert_eq!(out[0].target, "سلام");
    }
}
