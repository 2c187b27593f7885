//! Tab-separated memories: `source<TAB>target` per line. Further columns are
//! ignored; blank lines are skipped; a line without a tab is an error naming
//! its file, line and column.

use std::path::Path;

use super::{Entry, Origin, PositionUnit};
use crate::error::{Error, Location, Result};

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
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let line_no = index as u64 + 1;
        let Some((source, rest)) = line.split_once('\t') else {
            let column = line.chars().count() as u64 + 1;
            return Err(Error::syntax(
                Location {
                    file: file.map(Path::to_path_buf),
                    ..Location::default()
                }
                .at(line_no, column),
                "expected a tab between source and target (source<TAB>target)",
            ));
        };
        let second = rest.split_once('\t').map_or(rest, |(t, _)| t);
        let (source, target) = if swapped {
            (second, source)
        } else {
            (source, second)
        };
        let position = u32::try_from(line_no).map_err(|_| {
            Error::invalid(
                Location {
                    file: file.map(Path::to_path_buf),
                    ..Location::default()
                },
                "more than 4 billion lines",
            )
        })?;
        out.push(Entry {
            source: source.to_string(),
            target: target.to_string(),
            tuid: None,
            changedate: None,
            source_codes: 0,
            origin: Origin {
                file: file_index,
                position,
                unit: PositionUnit::Line,
            },
        });
    }
    Ok(())
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
    fn swapped_reads_the_second_column_as_source() {
        let mut out = Vec::new();
        parse_tsv_oriented("Bonjour\tHello\n", None, 0, true, &mut out).unwrap();
        assert_eq!(
            (out[0].source.as_str(), out[0].target.as_str()),
            ("Hello", "Bonjour")
        );
    }

    #[test]
    fn extra_columns_are_ignored_and_rtl_text_kept() {
        let mut out = Vec::new();
        parse_tsv("Peace\tسلام\tnote\n", None, 0, &mut out).unwrap();
        assert_eq!(out[0].target, "سلام");
    }
}
