//! Translation of Java (`java.util.regex`) patterns, as written in SRX files,
//! into the syntax of the `regex` and `fancy-regex` crates.
//!
//! Handled: `\Q..\E` quoting, `\uXXXX`, octal `\0nn`, `\e`, `\a`, `\cX`, `\h`/`\H`,
//! `\v`/`\V`, `\R`, `\Z`, Java's property names (`\p{javaLowerCase}`,
//! `\p{IsAlphabetic}`, `\p{IsLatin}`, `\p{InGreek}`, POSIX `\p{Punct}`, ...),
//! possessive quantifiers (made greedy: the same matches for the patterns SRX
//! files use), inline flags (`(?i)`, `(?u)` and `(?d)` dropped, Java's `(?U)`
//! dropped because it means "swap greed" in Rust). `\G` has no equivalent and is
//! an error. Shorthand classes (`\w`, `\d`, `\s`, `\b`) keep Rust's Unicode
//! meaning, which is what multilingual SRX rules intend.

use std::fmt::Write;

const HSPACE: &str = r"\t\x20\xA0\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}";
const VSPACE: &str = r"\n\x0B\x0C\r\x{85}\x{2028}\x{2029}";

/// A compiled rule pattern: the fast `regex` engine when the pattern allows it,
/// `fancy-regex` when it needs look-around or back-references.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    Plain(regex::Regex),
    Fancy(fancy_regex::Regex),
}

impl Pattern {
    /// Compiles a translated pattern.
    pub(crate) fn compile(rust: &str) -> Result<Pattern, String> {
        match regex::Regex::new(rust) {
            Ok(r) => Ok(Pattern::Plain(r)),
            Err(plain_err) => {
                fancy_regex::Regex::new(rust)
                    .map(Pattern::Fancy)
                    .map_err(|e| match e {
                        fancy_regex::Error::CompileError(_)
                        | fancy_regex::Error::ParseError(..) => {
                            format!("{e}")
                        }
                        _ => format!("{plain_err}"),
                    })
            }
        }
    }

    /// End offsets of the non-overlapping matches in `hay` (as Java's `find()` loop).
    pub(crate) fn for_each_match_end(&self, hay: &str, mut f: impl FnMut(usize)) {
        match self {
            Pattern::Plain(r) => r.find_iter(hay).for_each(|m| f(m.end())),
            Pattern::Fancy(r) => {
                for m in r.find_iter(hay) {
                    match m {
                        Ok(m) => f(m.end()),
                        // Backtracking limit: treat as no further match.
                        Err(_) => break,
                    }
                }
            }
        }
    }

    /// True when the pattern (compiled anchored with `^`) matches at the start of `hay`.
    pub(crate) fn matches_start(&self, hay: &str) -> bool {
        match self {
            Pattern::Plain(r) => r.is_match(hay),
            Pattern::Fancy(r) => r.is_match(hay).unwrap_or(false),
        }
    }
}

/// Translates a Java pattern into Rust regex syntax.
pub(crate) fn translate(java: &str) -> Result<String, String> {
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::with_capacity(java.len() + 8);
    let mut i = 0;
    let mut class_depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err("pattern ends with a lone backslash".into());
                };
                i += 2;
                match e {
                    'Q' => {
                        let mut lit = String::new();
                        while i < chars.len() {
                            if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                                i += 2;
                                break;
                            }
                            lit.push(chars[i]);
                            i += 1;
                        }
                        for ch in lit.chars() {
                            push_literal(&mut out, ch);
                        }
                    }
                    'E' => {} // stray \E: Java ignores it
                    'p' | 'P' => {
                        let (name, used) = property_name(&chars[i..])?;
                        i += used;
                        out.push_str(&property(&name, e == 'P', class_depth > 0)?);
                    }
                    'h' => push_set(&mut out, HSPACE, false, class_depth > 0),
                    'H' => push_set(&mut out, HSPACE, true, class_depth > 0),
                    'v' => push_set(&mut out, VSPACE, false, class_depth > 0),
                    'V' => push_set(&mut out, VSPACE, true, class_depth > 0),
                    'R' if class_depth == 0 => {
                        let _ = write!(out, r"(?:\r\n|[{VSPACE}])");
                    }
                    'Z' => out.push_str(r"(?:\n?\z)"),
                    'G' => return Err(r"\G (end of previous match) has no Rust equivalent".into()),
                    'u' => {
                        let hex: String = chars.get(i..i + 4).unwrap_or(&[]).iter().collect();
                        if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return Err(r"\u must be followed by four hex digits".into());
                        }
                        i += 4;
                        let _ = write!(out, r"\x{{{hex}}}");
                    }
                    '0' => {
                        let mut value = 0u32;
                        let mut used = 0;
                        while used < 3 {
                            match chars.get(i + used).and_then(|d| d.to_digit(8)) {
                                Some(d) if value * 8 + d <= 0o377 => {
                                    value = value * 8 + d;
                                    used += 1;
                                }
                                _ => break,
                            }
                        }
                        if used == 0 {
                            return Err(r"\0 must be followed by an octal digit".into());
                        }
                        i += used;
                        let _ = write!(out, r"\x{{{value:X}}}");
                    }
                    'e' => out.push_str(r"\x1B"),
                    'a' => out.push_str(r"\x07"),
                    'c' => {
                        let Some(&ctl) = chars.get(i) else {
                            return Err(r"\c must be followed by a letter".into());
                        };
                        i += 1;
                        let _ = write!(out, r"\x{{{:X}}}", (ctl as u32) ^ 0x40);
                    }
                    'x' | 'd' | 'D' | 's' | 'S' | 'w' | 'W' | 'b' | 'B' | 'A' | 'z' | 'n' | 't'
                    | 'r' | 'f' | 'k' => {
                        out.push('\\');
                        out.push(e);
                    }
                    '1'..='9' => {
                        out.push('\\');
                        out.push(e);
                    }
                    e if e.is_ascii_alphanumeric() => {
                        return Err(format!("unknown escape \\{e}"));
                    }
                    e => push_literal(&mut out, e),
                }
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A `]` first in a class is a literal in Java.
                if chars.get(i) == Some(&']') {
                    out.push_str(r"\]");
                    i += 1;
                }
                continue;
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '(' if class_depth == 0 && chars.get(i + 1) == Some(&'?') => {
                let (group, used) = group_opening(&chars[i..])?;
                out.push_str(&group);
                i += used;
                continue;
            }
            '*' | '+' | '?' | '}' if class_depth == 0 => {
                out.push(c);
                // Possessive `x*+`: the greedy form matches the same text here.
                if chars.get(i + 1) == Some(&'+') {
                    i += 1;
                }
            }
            '-' if class_depth > 0 && chars.get(i + 1) == Some(&'-') => out.push_str(r"\-"),
            '~' if class_depth > 0 => out.push_str(r"\~"),
            _ => out.push(c),
        }
        i += 1;
    }
    if class_depth > 0 {
        return Err("unclosed character class".into());
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

fn push_set(out: &mut String, members: &str, negated: bool, in_class: bool) {
    let _ = if negated {
        write!(out, "[^{members}]")
    } else if in_class {
        write!(out, "{members}")
    } else {
        write!(out, "[{members}]")
    };
}

/// The name after `\p`: `{Name}` or one letter. Returns it and the chars used.
fn property_name(rest: &[char]) -> Result<(String, usize), String> {
    match rest.first() {
        Some('{') => {
            let end = rest
                .iter()
                .position(|&c| c == '}')
                .ok_or_else(|| "unclosed \\p{...}".to_string())?;
            Ok((rest[1..end].iter().collect(), end + 1))
        }
        Some(&c) if c.is_ascii_alphabetic() => Ok((c.to_string(), 1)),
        _ => Err(r"\p must be followed by a property name".into()),
    }
}

/// A Java property class in Rust syntax.
fn property(name: &str, negated: bool, in_class: bool) -> Result<String, String> {
    let posix = match name {
        "Lower" => Some("a-z"),
        "Upper" => Some("A-Z"),
        "ASCII" => Some(r"\x00-\x7F"),
        "Alpha" => Some("a-zA-Z"),
        "Digit" => Some("0-9"),
        "Alnum" => Some("a-zA-Z0-9"),
        "Punct" => Some(r"!-/:-@\[-`{-~"),
        "Graph" => Some(r"!-~"),
        "Print" => Some(r"\x20-~"),
        "Blank" => Some(r" \t"),
        "Cntrl" => Some(r"\x00-\x1F\x7F"),
        "XDigit" => Some("0-9a-fA-F"),
        "Space" => Some(r" \t\n\x0B\f\r"),
        _ => None,
    };
    if let Some(members) = posix {
        let mut s = String::new();
        push_set(&mut s, members, negated, in_class);
        return Ok(s);
    }
    let rust = match name {
        "javaLowerCase" => "Lowercase".to_string(),
        "javaUpperCase" => "Uppercase".to_string(),
        "javaWhitespace" | "javaSpaceChar" | "IsWhite_Space" | "IsWhiteSpace" => {
            "White_Space".to_string()
        }
        "javaLetter" | "javaAlphabetic" => "Alphabetic".to_string(),
        "javaDigit" => "Nd".to_string(),
        "javaLetterOrDigit" => {
            return Ok(wrap_union(
                &[r"\p{Alphabetic}", r"\p{Nd}"],
                negated,
                in_class,
            ));
        }
        "IsPunctuation" => "P".to_string(),
        "L&" | "LC" => "LC".to_string(),
        n => {
            let n = n
                .strip_prefix("Is")
                .or_else(|| n.strip_prefix("In"))
                .or_else(|| n.strip_prefix("block="))
                .or_else(|| n.strip_prefix("script="))
                .or_else(|| n.strip_prefix("sc="))
                .or_else(|| n.strip_prefix("general_category="))
                .or_else(|| n.strip_prefix("gc="))
                .unwrap_or(n);
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("unknown property \\p{{{name}}}"));
            }
            n.to_string()
        }
    };
    Ok(format!(r"\{}{{{rust}}}", if negated { 'P' } else { 'p' }))
}

fn wrap_union(parts: &[&str], negated: bool, in_class: bool) -> String {
    let joined: String = parts.concat();
    if negated {
        format!("[^{joined}]")
    } else if in_class {
        joined
    } else {
        format!("[{joined}]")
    }
}

/// `(?...` at the start of `rest`: returns the Rust form and the chars used.
fn group_opening(rest: &[char]) -> Result<(String, usize), String> {
    // rest[0] == '(' and rest[1] == '?'
    match rest.get(2) {
        Some(':' | '=' | '!' | '>') => Ok((rest[..3].iter().collect(), 3)),
        Some('<') => match rest.get(3) {
            Some('=' | '!') => Ok((rest[..4].iter().collect(), 4)),
            _ => Ok(("(?<".into(), 3)), // named group
        },
        _ => {
            // Inline flags: (?idmsuxU-idmsuxU) or (?flags:
            let mut j = 2;
            let mut flags = String::new();
            while let Some(&f) = rest.get(j) {
                match f {
                    'i' | 'm' | 's' | 'x' | '-' => flags.push(f),
                    'd' | 'u' | 'U' => {}
                    ')' | ':' => break,
                    other => return Err(format!("unknown inline flag {other:?}")),
                }
                j += 1;
            }
            let close = rest.get(j).copied().ok_or("unclosed group")?;
            let flags = flags.trim_end_matches('-').to_string();
            let rust = match (close, flags.is_empty()) {
                (')', true) => String::new(),
                (')', false) => format!("(?{flags})"),
                (_, true) => "(?:".to_string(),
                (_, false) => format!("(?{flags}:"),
            };
            Ok((rust, j + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(java: &str) -> String {
        translate(java).unwrap_or_else(|e| panic!("{java}: {e}"))
    }

    #[test]
    fn translates_java_specifics() {
        assert_eq!(ok(r"\Q.*\E"), r"\.\*");
        assert_eq!(ok(r"\u00A0"), r"\x{00A0}");
        assert_eq!(ok(r"\011"), r"\x{9}");
        assert_eq!(ok(r"[\p{javaLowerCase}]"), r"[\p{Lowercase}]");
        assert_eq!(ok(r"\p{IsLatin}"), r"\p{Latin}");
        assert_eq!(ok(r"\p{Punct}"), r"[!-/:-@\[-`{-~]");
        assert_eq!(ok(r"a++b*+c?+"), "a+b*c?");
        assert_eq!(ok(r"(?iu)x(?U)"), "(?i)x");
        assert_eq!(ok(r"(?u:x)"), "(?:x)");
        assert_eq!(ok(r"(?<=a)b(?<name>c)"), "(?<=a)b(?<name>c)");
        assert!(ok(r"\h+").starts_with(r"[\t"));
        assert!(translate(r"\G").is_err());
        assert!(translate(r"[abc").is_err());
        assert!(translate(r"\y").is_err());
    }

    #[test]
    fn translated_patterns_compile_and_match() {
        let p = Pattern::compile(&ok(r"\b(?i)mr\.")).unwrap();
        let mut ends = Vec::new();
        p.for_each_match_end("MR. x Mr. y", |e| ends.push(e));
        assert_eq!(ends, [3, 9]);
        let look = Pattern::compile(&ok(r"(?<!\p{Lu})\.")).unwrap();
        assert!(matches!(look, Pattern::Fancy(_)));
        let after = Pattern::compile(&format!("^(?:{})", ok(r"\s\p{Lu}"))).unwrap();
        assert!(after.matches_start(" The"));
        assert!(!after.matches_start(" the"));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]

            /// Any pattern text translates or is rejected with a message; never a panic,
            /// and what translates compiles or is rejected cleanly.
            #[test]
            fn translation_never_panics(java in "[\\\\a-zA-Z0-9(){}\\[\\]?*+.^$|:=!<>&QEpPuhvRZG01-7 ]{0,24}") {
                if let Ok(rust) = translate(&java) {
                    let _ = Pattern::compile(&rust);
                }
            }

            /// Literals quoted with \Q..\E match themselves.
            #[test]
            fn quoted_literals_match_themselves(lit in "[a-z.*+?()\\[\\]{}|^$ ]{1,12}") {
                let rust = translate(&format!("\\Q{lit}\\E")).unwrap();
                let re = regex::Regex::new(&format!("^(?:{rust})$")).unwrap();
                prop_assert!(re.is_match(&lit));
            }
        }
    }
}
