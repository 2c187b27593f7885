//! Word-level differences between a memory source and a query, for showing a
//! translator what changed. Tokens follow the match tokenizer's rules on the
//! raw text (so offsets stay valid) and compare by their comparison keys.

use crate::text::{
    comparison_key, is_spaceless_char,
    tokenize::{NUMBER_SEPARATORS, is_token_space, is_word_char},
};

/// What a part of a diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    /// In both texts.
    Equal,
    /// Only in the memory source.
    Delete,
    /// Only in the query.
    Insert,
}

/// A run of tokens (with the spaces after them) of one kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DiffPart {
    /// Equal, deleted from the source, or inserted from the query.
    pub kind: DiffKind,
    /// The raw text, from the source for `Equal` and `Delete`, from the query for `Insert`.
    pub text: String,
}

/// Above this many token pairs the alignment table is not built and the
/// texts are shown as replaced wholesale (segments are rarely this long).
const MAX_CELLS: usize = 4_000_000;

/// Byte spans of the match tokens of raw `text`, each extended over the
/// whitespace that follows it.
pub fn token_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if is_word_char(c) && !is_spaceless_char(c) {
            if run.is_none() {
                run = Some(i);
            }
            continue;
        }
        // A number goes on over a separator between digits (`3.9`, `4,200`), as in the score.
        let number_goes_on = run.is_some_and(|s| {
            text[s..i]
                .chars()
                .all(|d| d.is_numeric() || NUMBER_SEPARATORS.contains(&d))
        }) && NUMBER_SEPARATORS.contains(&c)
            && text[end..]
                .chars()
                .next()
                .is_some_and(|n| n.is_numeric() && !is_spaceless_char(n));
        if number_goes_on {
            continue;
        }
        if let Some(s) = run.take() {
            spans.push((s, i));
        }
        if !is_token_space(c) {
            spans.push((i, end));
        }
    }
    if let Some(s) = run {
        spans.push((s, text.len()));
    }
    spans
}

/// The word diff turning `source` into `query`.
///
/// ```
/// use tmkit::fuzzy::{diff_words, DiffKind};
/// let parts = diff_words("The red car", "The blue car");
/// let kinds: Vec<DiffKind> = parts.iter().map(|p| p.kind).collect();
/// assert_eq!(kinds, [DiffKind::Equal, DiffKind::Delete, DiffKind::Insert, DiffKind::Equal]);
/// assert_eq!(parts[1].text, "red ");
/// ```
pub fn diff_words(source: &str, query: &str) -> Vec<DiffPart> {
    let a = token_spans(source);
    let b = token_spans(query);
    let ka: Vec<String> = a
        .iter()
        .map(|&(s, e)| comparison_key(&source[s..e]).into_owned())
        .collect();
    let kb: Vec<String> = b
        .iter()
        .map(|&(s, e)| comparison_key(&query[s..e]).into_owned())
        .collect();
    let ops = align(&ka, &kb);
    let mut parts: Vec<DiffPart> = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    for (n, &op) in ops.iter().enumerate() {
        let mut text = String::new();
        match op {
            DiffKind::Equal => {
                // The diff reads as the query with deletions shown, so the
                // space after an equal word is the query's, except before a
                // deletion, which sits where the source had its space.
                text.push_str(token(source, &a, i));
                if ops.get(n + 1) == Some(&DiffKind::Delete) {
                    text.push_str(space_after(source, &a, i));
                } else {
                    text.push_str(space_after(query, &b, j));
                }
                i += 1;
                j += 1;
            }
            DiffKind::Delete => {
                text.push_str(token(source, &a, i));
                text.push_str(space_after(source, &a, i));
                i += 1;
            }
            DiffKind::Insert => {
                text.push_str(token(query, &b, j));
                text.push_str(space_after(query, &b, j));
                j += 1;
            }
        }
        match parts.last_mut() {
            Some(last) if last.kind == op => last.text.push_str(&text),
            _ => parts.push(DiffPart { kind: op, text }),
        }
    }
    parts
}

/// Token `k` of `text`.
fn token<'a>(text: &'a str, spans: &[(usize, usize)], k: usize) -> &'a str {
    &text[spans[k].0..spans[k].1]
}

/// The whitespace between token `k` of `text` and the next token (or the end).
fn space_after<'a>(text: &'a str, spans: &[(usize, usize)], k: usize) -> &'a str {
    let end = spans[k].1;
    let next = spans.get(k + 1).map_or_else(
        || end + (text[end..].len() - text[end..].trim_start().len()),
        |next| next.0,
    );
    &text[end..next]
}

/// An edit script (longest common subsequence), deletions before insertions.
fn align(a: &[String], b: &[String]) -> Vec<DiffKind> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_CELLS {
        let mut ops = vec![DiffKind::Delete; n];
        ops.extend(std::iter::repeat_n(DiffKind::Insert, m));
        return ops;
    }
    // lcs[i][j]: LCS length of a[i..] and b[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut ops = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            ops.push(DiffKind::Equal);
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            ops.push(DiffKind::Delete);
            i += 1;
        } else {
            ops.push(DiffKind::Insert);
            j += 1;
        }
    }
    ops.extend(std::iter::repeat_n(DiffKind::Delete, n - i));
    ops.extend(std::iter::repeat_n(DiffKind::Insert, m - j));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_one_token_as_in_the_score() {
        let spans: Vec<&str> = token_spans("from 4,200,000 to 3.9%, 1.")
            .into_iter()
            .map(|(a, b)| "from 4,200,000 to 3.9%, 1."[a..b].trim_end())
            .collect();
        assert_eq!(
            spans,
            ["from", "4,200,000", "to", "3.9", "%", ",", "1", "."]
        );
    }

    fn render(parts: &[DiffPart]) -> String {
        parts
            .iter()
            .map(|p| {
                let (body, space) = p.text.split_at(p.text.trim_end().len());
                match p.kind {
                    DiffKind::Equal => p.text.clone(),
                    DiffKind::Delete => format!("[-{body}-]{space}"),
                    DiffKind::Insert => format!("{{+{body}+}}{space}"),
                }
            })
            .collect()
    }

    #[test]
    fn spaces_around_insertions_and_deletions_read_naturally() {
        assert_eq!(
            render(&diff_words("three ports.", "three ports after talks.")),
            "three ports {+after talks+}."
        );
        assert_eq!(
            render(&diff_words(
                "Its negotiator told us",
                "Its negotiator, Dr. Chen, told us"
            )),
            "Its negotiator{+, Dr. Chen,+} told us"
        );
        assert_eq!(
            render(&diff_words("ports after talks.", "ports.")),
            "ports [-after talks-]."
        );
        assert_eq!(render(&diff_words("a big dog", "a dog")), "a [-big-] dog");
        assert_eq!(render(&diff_words("a dog", "a big dog")), "a {+big+} dog");
    }

    #[test]
    fn case_and_width_differences_are_equal() {
        let parts = diff_words("ＴＨＥ Cat", "the cat");
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].kind, DiffKind::Equal);
    }

    #[test]
    fn cjk_diffs_per_character_and_rtl_stays_whole() {
        assert_eq!(
            render(&diff_words("東京に行く", "東京へ行く")),
            "東京[-に-]{+へ+}行く"
        );
        assert_eq!(
            render(&diff_words("مرحبا بالعالم", "مرحبا يا عالم")),
            "مرحبا [-بالعالم-]{+يا عالم+}"
        );
    }

    #[test]
    fn keeps_every_source_character() {
        let src = "  He said: «Oui», twice.  ";
        let parts = diff_words(src, "He said no");
        let kept: String = parts
            .iter()
            .filter(|p| p.kind != DiffKind::Insert)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(kept, src.trim_start());
    }
}
