//! Entities: the five predefined ones, character references, and general
//! entities declared in the DOCTYPE's internal subset. Declared entities are
//! expanded once, up front, under hard limits, so an entity bomb ("billion
//! laughs") fails at once with a clear message. External entities are never
//! fetched: a reference to one expands to nothing, as XML parsers that do not
//! load external DTDs report it.

use ahash::AHashMap;

/// Largest expansion of one declared entity.
pub(crate) const MAX_ENTITY_BYTES: usize = 1 << 20;
/// Deepest nesting of entity references.
const MAX_DEPTH: usize = 32;

/// General entities of a document.
#[derive(Debug, Default, Clone)]
pub(crate) struct Entities {
    /// Declared entities, expanded (`None` for external ones).
    expanded: AHashMap<String, Option<String>>,
    /// Declared entities whose replacement text holds markup: the text, to
    /// be parsed as content where the entity is used.
    markup: AHashMap<String, String>,
    /// Whether the document names an external DTD (never loaded: an entity
    /// only it could declare is reported as undeclared, as XML parsers
    /// that do not load DTDs do).
    pub has_external_subset: bool,
}

/// What a reference resolves to.
pub(crate) enum Resolved<'a> {
    /// A character (`&#233;`, `&amp;`).
    Char(char),
    /// Text of a declared entity.
    Text(&'a str),
    /// The replacement text of a declared entity that holds markup, to be
    /// parsed as content.
    Markup(&'a str),
    /// An external or unknown entity: no text.
    Nothing,
}

impl Entities {
    /// Parses the declarations in a DOCTYPE's content (the text after
    /// `<!DOCTYPE`) and expands them.
    pub fn from_doctype(doctype: &str) -> Result<Self, String> {
        let mut raw: Vec<(String, Option<String>)> = Vec::new();
        let subset_start = doctype.find('[');
        let head = &doctype[..subset_start.unwrap_or(doctype.len())];
        let has_external_subset = head.contains("SYSTEM") || head.contains("PUBLIC");
        if let Some(start) = subset_start {
            parse_subset(&doctype[start + 1..], &mut raw)?;
        }
        let mut entities = Entities {
            expanded: AHashMap::new(),
            markup: AHashMap::new(),
            has_external_subset,
        };
        let literals: AHashMap<&str, Option<&str>> = raw
            .iter()
            .rev() // the first declaration of a name wins
            .map(|(n, v)| (n.as_str(), v.as_deref()))
            .collect();
        for (name, _) in &raw {
            if entities.expanded.contains_key(name) {
                continue;
            }
            let value = match literals.get(name.as_str()).copied().flatten() {
                Some(replacement) => {
                    let mut out = String::new();
                    let mut stack = Vec::new();
                    // Expanding also enforces the size limits for markup entities.
                    expand_into(name, &literals, &mut out, &mut stack)?;
                    if out.contains('<') {
                        entities
                            .markup
                            .insert(name.clone(), replacement.to_string());
                        continue;
                    }
                    Some(out)
                }
                None => None,
            };
            entities.expanded.insert(name.clone(), value);
        }
        Ok(entities)
    }

    /// Resolves the reference `&name;` (`name` without `&` and `;`).
    pub fn resolve(&self, name: &str) -> Result<Resolved<'_>, String> {
        if let Some(num) = name.strip_prefix('#') {
            return char_ref(num).map(Resolved::Char);
        }
        if let Some(c) = predefined(name) {
            return Ok(Resolved::Char(c));
        }
        match self.expanded.get(name) {
            Some(Some(text)) => Ok(Resolved::Text(text)),
            None if self.markup.contains_key(name) => Ok(Resolved::Markup(
                self.markup.get(name).map_or("", String::as_str),
            )),
            Some(None) => Ok(Resolved::Nothing),
            None => Err(format!(
                "undeclared entity &{name};{} (XML knows only &amp; &lt; &gt; &apos; &quot;: write a character reference such as &#160; or declare it in the DOCTYPE)",
                if self.has_external_subset {
                    " (external DTDs are not loaded)"
                } else {
                    ""
                }
            )),
        }
    }
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Resolves the number of a character reference (after `#`), enforcing
/// XML 1.0's allowed characters.
pub(crate) fn char_ref(num: &str) -> Result<char, String> {
    let value = if let Some(hex) = num.strip_prefix('x') {
        u32::from_str_radix(hex, 16).ok()
    } else if num.bytes().all(|b| b.is_ascii_digit()) {
        num.parse::<u32>().ok()
    } else {
        None
    };
    let ch = value
        .filter(|_| !num.is_empty() && num != "x" && !num.contains(['+', '-']))
        .and_then(char::from_u32)
        .ok_or_else(|| format!("invalid character reference &#{num};"))?;
    if is_xml_char(ch) {
        Ok(ch)
    } else {
        Err(format!(
            "character reference &#{num}; names U+{:04X}, which XML 1.0 does not allow",
            ch as u32
        ))
    }
}

/// True for the characters XML 1.0 allows.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

const NAME_START: u8 = 1;
const NAME_CHAR: u8 = 2;

/// What each ASCII byte may be in a name (bytes from 0x80 are 0: names
/// with other characters take the slow path).
static ASCII_NAME: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        let start = c.is_ascii_alphabetic() || c == b'_' || c == b':';
        let inner = start || c.is_ascii_digit() || c == b'-' || c == b'.';
        table[b] = if start {
            NAME_START | NAME_CHAR
        } else if inner {
            NAME_CHAR
        } else {
            0
        };
        b += 1;
    }
    table
};

/// True for an XML name (element or attribute): a letter, `_` or `:` first,
/// then letters, digits, `-`, `.`, `_`, `:`; non-ASCII letters allowed.
pub(crate) fn is_xml_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    // Fast path: the ASCII names of every TMX document, by table.
    if let Some((&first, rest)) = bytes.split_first()
        && ASCII_NAME[usize::from(first)] & NAME_START != 0
        && rest
            .iter()
            .all(|&b| ASCII_NAME[usize::from(b)] & NAME_CHAR != 0)
    {
        return true;
    }
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start = |c: char| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (c as u32) >= 0xC0 && c.is_alphabetic()
    };
    start(first)
        && chars.all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '.' | '_' | ':')
                || (c as u32) >= 0xB7
                    && (c.is_alphanumeric()
                        || c == '\u{B7}'
                        || ('\u{300}'..='\u{36F}').contains(&c)
                        || c == '\u{203F}'
                        || c == '\u{2040}')
        })
}

/// Parses `<!ENTITY ...>` declarations out of an internal subset, skipping
/// comments, processing instructions and other declarations.
fn parse_subset(subset: &str, out: &mut Vec<(String, Option<String>)>) -> Result<(), String> {
    let mut rest = subset;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed comment in the DOCTYPE")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after
                .find("?>")
                .ok_or("unclosed processing instruction in the DOCTYPE")?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<!ENTITY") {
            rest = parse_entity_decl(after, out)?;
        } else {
            // Another declaration: skip it, honouring quoted strings.
            rest = skip_decl(&rest[1..])?;
        }
    }
    Ok(())
}

fn skip_decl(mut s: &str) -> Result<&str, String> {
    loop {
        let i = s
            .find(['>', '"', '\''])
            .ok_or("unclosed declaration in the DOCTYPE")?;
        let c = s.as_bytes()[i];
        if c == b'>' {
            return Ok(&s[i + 1..]);
        }
        let after = &s[i + 1..];
        let close = after
            .find(c as char)
            .ok_or("unclosed quoted string in the DOCTYPE")?;
        s = &after[close + 1..];
    }
}

fn take_quoted(s: &str) -> Result<(&str, &str), String> {
    let s = s.trim_start();
    let quote = s
        .chars()
        .next()
        .filter(|c| *c == '"' || *c == '\'')
        .ok_or("expected a quoted value in an <!ENTITY> declaration")?;
    let body = &s[1..];
    let close = body
        .find(quote)
        .ok_or("unclosed quoted value in an <!ENTITY> declaration")?;
    Ok((&body[..close], &body[close + 1..]))
}

fn parse_entity_decl<'a>(
    s: &'a str,
    out: &mut Vec<(String, Option<String>)>,
) -> Result<&'a str, String> {
    let mut s = s.trim_start();
    let parameter = s.starts_with('%');
    if parameter {
        s = s[1..].trim_start();
    }
    let name_end = s
        .find(|c: char| c.is_whitespace())
        .ok_or("incomplete <!ENTITY> declaration")?;
    let name = &s[..name_end];
    let s = s[name_end..].trim_start();
    let (value, rest) = if s.starts_with(['"', '\'']) {
        let (literal, rest) = take_quoted(s)?;
        let end = rest.find('>').ok_or("unclosed <!ENTITY> declaration")?;
        (Some(replacement_text(literal)?), &rest[end + 1..])
    } else {
        // SYSTEM "uri" or PUBLIC "id" "uri" (with optional NDATA): never fetched.
        (None, skip_decl(s)?)
    };
    if !parameter {
        out.push((name.to_string(), value));
    }
    Ok(rest)
}

/// The replacement text of an entity literal: character references are
/// replaced at declaration, entity references are kept for expansion at use.
fn replacement_text(literal: &str) -> Result<String, String> {
    let mut out = String::with_capacity(literal.len());
    let mut rest = literal;
    while let Some(amp) = rest.find("&#") {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 2..];
        let semi = after
            .find(';')
            .ok_or("unterminated character reference in an entity value")?;
        out.push(char_ref(&after[..semi])?);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn expand_into(
    name: &str,
    literals: &AHashMap<&str, Option<&str>>,
    out: &mut String,
    stack: &mut Vec<String>,
) -> Result<(), String> {
    if stack.iter().any(|n| n == name) {
        return Err(format!("entity &{name}; refers to itself"));
    }
    if stack.len() >= MAX_DEPTH {
        return Err(format!("entity &{name}; is nested too deeply"));
    }
    let Some(Some(text)) = literals.get(name).copied() else {
        return Ok(()); // external: no text
    };
    stack.push(name.to_string());
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'<' {
            out.push('<');
            rest = &rest[i + 1..];
            continue;
        }
        let after = &rest[i + 1..];
        let semi = after
            .find(';')
            .ok_or_else(|| format!("unterminated reference in entity &{name};"))?;
        let inner = &after[..semi];
        if let Some(num) = inner.strip_prefix('#') {
            out.push(char_ref(num)?);
        } else if let Some(c) = predefined(inner) {
            out.push(c);
        } else if literals.contains_key(inner) {
            expand_into(inner, literals, out, stack)?;
        } else {
            return Err(format!(
                "entity &{name}; refers to undeclared entity &{inner};"
            ));
        }
        if out.len() > MAX_ENTITY_BYTES {
            return Err(bomb(stack));
        }
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    if out.len() > MAX_ENTITY_BYTES {
        return Err(bomb(stack));
    }
    stack.pop();
    Ok(())
}

fn bomb(stack: &[String]) -> String {
    let top = stack.first().map_or("?", String::as_str);
    format!(
        "entity &{top}; expands to more than {} MiB: refusing a possible entity expansion bomb",
        MAX_ENTITY_BYTES >> 20
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: &Entities, name: &str) -> String {
        match e.resolve(name).unwrap() {
            Resolved::Char(c) => c.to_string(),
            Resolved::Text(t) | Resolved::Markup(t) => t.to_string(),
            Resolved::Nothing => String::new(),
        }
    }

    #[test]
    fn expands_declared_and_nested_entities() {
        let e = Entities::from_doctype(
            r#" tmx [ <!-- c --> <!ENTITY nbsp "&#160;"> <!ENTITY co "ACME &amp; &nbsp;Co"> <!ENTITY ext SYSTEM "x.ent"> <!ENTITY nbsp "ignored"> ]"#,
        )
        .unwrap();
        assert_eq!(text(&e, "nbsp"), "\u{a0}");
        assert_eq!(text(&e, "co"), "ACME & \u{a0}Co");
        assert_eq!(text(&e, "ext"), "");
        assert_eq!(text(&e, "#x41"), "A");
        assert!(e.resolve("undeclared").is_err());
        assert!(e.resolve("#1").is_err());
        assert!(e.resolve("#xD800").is_err());
    }

    #[test]
    fn refuses_entity_bombs_quickly() {
        let mut dtd = String::from(" lolz [ <!ENTITY lol \"lol\">");
        dtd.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">");
        for i in 2..10 {
            let prev = format!("&lol{};", i - 1).repeat(10);
            dtd.push_str(&format!(" <!ENTITY lol{i} \"{prev}\">"));
        }
        dtd.push_str(" ]");
        let err = Entities::from_doctype(&dtd).unwrap_err();
        assert!(err.contains("expansion bomb"), "{err}");
        let err =
            Entities::from_doctype(r#" a [ <!ENTITY a "&b;"> <!ENTITY b "&a;"> ]"#).unwrap_err();
        assert!(err.contains("refers to itself"), "{err}");
    }
}
