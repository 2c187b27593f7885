//! What the store keeps of a translation unit, and the way between it and the
//! TMX model: columns for everything searched and filtered, and the whole
//! `<tu>` as TMX when the columns cannot hold it losslessly.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use crate::error::{Error, Location, Result};
use crate::text::{LanguageTag, comparison_key};
use crate::tmx::{Header, Prop, Seg, SegPart, TmxReader, TmxWriter, Tu, Tuv};

/// A translation unit with what the store adds to TMX: where it came from,
/// its project, client and domain, free fields and its neighbours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    /// Every variant (language, segment with inline codes), tuid, dates,
    /// users, usage count and last-used date, notes and props.
    pub tu: Tu,
    /// The language of the source variant (the unit's `srclang`, the file's,
    /// or its first variant's).
    pub source_lang: String,
    /// The file the unit was imported from (as named at import).
    pub origin: Option<String>,
    /// Its 1-based place in that file (unit number or line).
    pub origin_position: Option<u32>,
    /// Project tag.
    pub project: Option<String>,
    /// Client tag.
    pub client: Option<String>,
    /// Domain tag.
    pub domain: Option<String>,
    /// Free key/value fields.
    pub fields: Vec<(String, String)>,
    /// Hashes of the source text of the previous and next unit in the origin
    /// file (see [`text_hash`]): what a 101% (context) match compares.
    pub context: (Option<u64>, Option<u64>),
}

/// A unit read back from a store, with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUnit {
    /// The unit's id in its store.
    pub id: i64,
    /// The unit.
    pub unit: Unit,
}

impl Unit {
    /// A unit of plain-text variants, the first being the source.
    ///
    /// ```
    /// let u = tmkit::store::Unit::new(&[("en", "Hello"), ("fr", "Bonjour")]);
    /// assert_eq!(u.source_text(), Some("Hello".to_string()));
    /// ```
    pub fn new(variants: &[(&str, &str)]) -> Unit {
        let tuvs = variants.iter().map(|(l, t)| Tuv::new(*l, *t)).collect();
        Unit {
            tu: Tu::new(tuvs),
            source_lang: variants
                .first()
                .map(|v| v.0.to_string())
                .unwrap_or_default(),
            ..Unit::default()
        }
    }

    /// The source variant: the one in [`Unit::source_lang`], else the first
    /// one of that language in another region (a TMX whose `srclang="en"`
    /// has `en-US` variants), else the first one.
    pub fn source_variant(&self) -> Option<&Tuv> {
        let tuvs = &self.tu.tuvs;
        tuvs.iter()
            .find(|v| crate::tmx::model::lang_eq(&v.lang, &self.source_lang))
            .or_else(|| {
                let primary = primary_language(&self.source_lang);
                tuvs.iter()
                    .find(|v| primary_language(&v.lang).eq_ignore_ascii_case(primary))
            })
            .or(tuvs.first())
    }

    /// The language of [`Unit::source_variant`], normalized (what the store
    /// keeps as the unit's source language, so that it names a variant);
    /// [`Unit::source_lang`] normalized when the unit has no variant.
    pub fn source_variant_lang(&self) -> String {
        normalize_lang(
            self.source_variant()
                .map_or(self.source_lang.as_str(), |v| v.lang.as_str()),
        )
    }

    /// The plain text of the source variant.
    pub fn source_text(&self) -> Option<String> {
        self.source_variant().map(|v| v.seg.plain_text())
    }

    /// Note text (the unit's notes, one per line).
    pub fn note(&self) -> Option<String> {
        (!self.tu.notes.is_empty()).then(|| {
            let texts: Vec<&str> = self.tu.notes.iter().map(|n| n.text.as_str()).collect();
            texts.join("\n")
        })
    }
}

/// The form concordance search compares: compatibility decomposition,
/// combining marks dropped, case folded (`Élan` and `elan` meet).
///
/// ```
/// assert_eq!(tmkit::store::unit::search_fold("Ça Élan ＡＢ"), "ca elan ab");
/// ```
pub fn search_fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // ASCII decomposes to itself and folds to lower case: the common case
    // of every candidate a concordance search checks.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let stripped: String = text
        .nfkd()
        .filter(|&c| {
            unicode_general_category::get_general_category(c)
                != unicode_general_category::GeneralCategory::NonspacingMark
        })
        .collect();
    crate::text::casefold(&stripped).into_owned()
}

/// The hashes a unit is stored with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitHashes {
    /// Every variant: language and text with code placeholders (exact duplicates).
    pub content: u64,
    /// The source variant and the set of languages (same source, other targets).
    pub source: u64,
}

/// 64-bit FNV-1a: a hash that stays the same across builds and platforms,
/// as stored hashes must.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The exact-lookup hash of a text: FNV-1a of its comparison key (NFKC and
/// case folding), so `Ｈello` and `hello` meet.
pub fn text_hash(text: &str) -> u64 {
    fnv1a(&[comparison_key(text).as_bytes()])
}

/// The primary language subtag of `lang` (`en` of `en-US`, `pt` of `pt_BR`).
fn primary_language(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// The language tag a variant is stored under: BCP-47, normalized
/// (`en_us` → `en-US`); a tag that does not parse is kept lower-cased.
pub fn normalize_lang(lang: &str) -> String {
    LanguageTag::parse(lang)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| lang.to_ascii_lowercase())
}

/// The hashes of `unit`.
pub fn unit_hashes(unit: &Unit) -> UnitHashes {
    let langs = variant_langs(&unit.tu);
    hashes_with(unit, &langs, &unit.source_variant_lang())
}

/// The normalized language of each variant of `tu`.
fn variant_langs(tu: &Tu) -> Vec<String> {
    tu.tuvs.iter().map(|t| normalize_lang(&t.lang)).collect()
}

/// [`unit_hashes`] with the variants' and the source's languages normalized.
fn hashes_with(unit: &Unit, langs: &[String], src_lang: &str) -> UnitHashes {
    let mut content: Vec<Cow<'_, [u8]>> = Vec::with_capacity(2 * langs.len());
    for (tuv, lang) in unit.tu.tuvs.iter().zip(langs) {
        content.push(Cow::Borrowed(lang.as_bytes()));
        content.push(match plain_only(&tuv.seg) {
            Some(text) => Cow::Borrowed(text.as_bytes()),
            None => Cow::Owned(tuv.seg.text_with_placeholders().into_bytes()),
        });
    }
    let parts: Vec<&[u8]> = content.iter().map(|c| c.as_ref()).collect();
    let mut sorted: Vec<&str> = langs.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let source = unit.source_text().unwrap_or_default();
    let joined = sorted.join(",");
    UnitHashes {
        content: fnv1a(&parts),
        source: fnv1a(&[src_lang.as_bytes(), source.as_bytes(), joined.as_bytes()]),
    }
}

/// The text of a segment made of one text part (no inline code): its plain
/// text and its text with placeholders, without building either.
fn plain_only(seg: &Seg) -> Option<&str> {
    match seg.parts.as_slice() {
        [SegPart::Text(t)] => Some(t),
        _ => None,
    }
}

/// A unit with what writing it takes computed ahead (its hashes, the plain
/// text, normalized language and code count of each variant, and its `<tu>`
/// when the columns cannot hold it): an import computes it on its reading
/// thread, so the writing one only writes.
#[derive(Debug, Clone)]
pub struct PreparedUnit {
    /// The unit.
    pub unit: Unit,
    /// Its hashes.
    pub hashes: UnitHashes,
    /// The source language, normalized.
    pub source_lang: String,
    /// (normalized language, plain text, inline codes) per variant, in order.
    pub variants: Vec<(String, String, u32)>,
    /// The whole `<tu>` when the columns do not suffice.
    pub tmx: Option<String>,
}

impl PreparedUnit {
    /// Computes what writing `unit` takes. A unit the columns do not hold
    /// whole is kept as its `<tu>` too; one that cannot be written as TMX
    /// (an attribute whose name is not an XML name) is an error naming the
    /// unit, rather than a unit stored without its notes, props or codes.
    pub fn new(unit: Unit) -> Result<PreparedUnit> {
        Self::read_from(unit, &Location::default())
    }

    /// [`PreparedUnit::new`] of a unit read from `location` (named by its error).
    pub fn read_from(unit: Unit, location: &Location) -> Result<PreparedUnit> {
        // Each language is normalized once (hashes, variants and the check
        // of the columns all need it).
        let langs = variant_langs(&unit.tu);
        let source_lang = unit.source_variant_lang();
        let hashes = hashes_with(&unit, &langs, &source_lang);
        let tmx = if columns_suffice_with(&unit.tu, &langs) {
            None
        } else {
            match tu_to_xml(&unit.tu) {
                Ok(xml) => Some(xml),
                Err(e) => {
                    return Err(Error::invalid(
                        location.clone(),
                        format!("{} cannot be stored: {e}", unit_name(&unit)),
                    ));
                }
            }
        };
        let variants = unit
            .tu
            .tuvs
            .iter()
            .zip(langs)
            .map(|(tuv, lang)| {
                let text = match plain_only(&tuv.seg) {
                    Some(t) => t.to_string(),
                    None => tuv.seg.plain_text(),
                };
                (lang, text, code_count(tuv))
            })
            .collect();
        Ok(PreparedUnit {
            source_lang,
            unit,
            hashes,
            variants,
            tmx,
        })
    }
}

/// How an error names a unit: its tuid, else its source text (shortened).
fn unit_name(unit: &Unit) -> String {
    if let Some(tuid) = &unit.tu.tuid {
        return format!("unit {tuid:?}");
    }
    let source = unit.source_text().unwrap_or_default();
    let short: String = source.chars().take(60).collect();
    let more = if short.len() < source.len() {
        "…"
    } else {
        ""
    };
    format!("the unit with source {short:?}{more}")
}

/// True when the store's columns hold `tu` losslessly: the common unit
/// attributes only, no notes or props, and variants of plain text with only a
/// normalized language. Anything else keeps its whole `<tu>` as TMX too.
pub fn columns_suffice(tu: &Tu) -> bool {
    let langs = variant_langs(tu);
    columns_suffice_with(tu, &langs)
}

/// [`columns_suffice`] with the variants' languages normalized.
fn columns_suffice_with(tu: &Tu, langs: &[String]) -> bool {
    let unit_ok = tu.o_encoding.is_none()
        && tu.datatype.is_none()
        && tu.creationtool.is_none()
        && tu.creationtoolversion.is_none()
        && tu.segtype.is_none()
        && tu.o_tmf.is_none()
        && tu.srclang.is_none()
        && tu.extra.is_empty()
        && tu.notes.is_empty()
        && tu.props.is_empty()
        && tu.meta_order.is_empty()
        && tu.usagecount.as_deref().is_none_or(is_canonical_count)
        && !tu.tuvs.is_empty();
    unit_ok
        && tu.tuvs.iter().zip(langs).all(|(v, lang)| {
            v.o_encoding.is_none()
                && v.datatype.is_none()
                && v.usagecount.is_none()
                && v.lastusagedate.is_none()
                && v.creationtool.is_none()
                && v.creationtoolversion.is_none()
                && v.creationdate.is_none()
                && v.creationid.is_none()
                && v.changedate.is_none()
                && v.changeid.is_none()
                && v.o_tmf.is_none()
                && v.extra.is_empty()
                && v.notes.is_empty()
                && v.props.is_empty()
                && v.meta_order.is_empty()
                && !v.missing_seg
                && !v.no_lang
                && v.seg.attrs.is_empty()
                && v.seg.parts.iter().all(|p| matches!(p, SegPart::Text(_)))
                && *lang == v.lang
        })
}

/// A usage count written as the store writes it back: digits, no leading zero, not zero.
fn is_canonical_count(s: &str) -> bool {
    s.parse::<u64>().is_ok_and(|n| n > 0 && n.to_string() == s)
}

/// Number of inline codes in a variant's segment.
pub fn code_count(tuv: &Tuv) -> u32 {
    let mut n = 0u32;
    tuv.seg.count_inline(|k| {
        if k.is_code() {
            n += 1;
        }
    });
    n
}

/// A `Write` whose bytes the caller can take while a writer still holds it.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `tu` as a TMX `<tu>` element.
pub fn tu_to_xml(tu: &Tu) -> Result<String> {
    let buf = SharedBuf::default();
    let mut writer = TmxWriter::new(buf.clone(), &Header::default())?;
    let start = buf.0.borrow().len();
    writer.write_tu(tu)?;
    let bytes = buf.0.borrow()[start..].to_vec();
    String::from_utf8(bytes).map_err(|e| Error::Usage(format!("TMX writer output: {e}")))
}

/// The unit of a `<tu>` element written by [`tu_to_xml`].
pub fn tu_from_xml(xml: &str) -> Result<Tu> {
    let doc = format!("<tmx version=\"1.4\"><header/><body>{xml}</body></tmx>");
    let mut reader = TmxReader::from_reader(std::io::Cursor::new(doc.into_bytes()), None)?;
    match reader.next() {
        Some(tu) => tu,
        None => Err(Error::Usage("a stored <tu> is empty".into())),
    }
}

/// A header as a whole (empty) TMX document, the form the store keeps it in.
pub fn header_to_doc(header: &Header) -> Result<String> {
    let out = TmxWriter::new(Vec::new(), header)?.finish()?;
    String::from_utf8(out).map_err(|e| Error::Usage(format!("TMX writer output: {e}")))
}

/// The header of a document written by [`header_to_doc`].
pub fn header_from_doc(doc: &str) -> Result<Header> {
    let reader = TmxReader::from_reader(std::io::Cursor::new(doc.as_bytes().to_vec()), None)?;
    Ok(reader.header().clone())
}

/// A unit row before its variants and fields are attached.
pub(crate) struct UnitRow {
    pub(crate) id: i64,
    pub(crate) unit: Unit,
    pub(crate) tmx: Option<String>,
    pub(crate) usage: i64,
}

/// Finishes a unit: its TMX form when stored, else variants and props from rows.
pub(crate) fn finish_unit(
    row: UnitRow,
    variants: Vec<(String, String)>,
    fields: Vec<(String, String, String)>,
) -> Result<StoredUnit> {
    let UnitRow {
        id,
        mut unit,
        tmx,
        usage,
    } = row;
    for (kind, name, value) in fields {
        if kind == "field" {
            unit.fields.push((name, value));
        } else if tmx.is_none() {
            unit.tu.props.push(Prop::new(name, value));
        }
    }
    match tmx {
        Some(xml) => {
            let mut tu = tu_from_xml(&xml)?;
            // Usage is kept in columns (matches record it without rewriting the unit).
            if usage > 0 {
                tu.usagecount = Some(usage.to_string());
            }
            if unit.tu.lastusagedate.is_some() {
                tu.lastusagedate = unit.tu.lastusagedate.take();
            }
            unit.tu = tu;
        }
        None => {
            unit.tu.tuvs = variants
                .into_iter()
                .map(|(lang, text)| Tuv {
                    lang,
                    seg: Seg::from_text(text),
                    ..Tuv::default()
                })
                .collect();
        }
    }
    Ok(StoredUnit { id, unit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tu_xml_round_trips_inline_codes_and_attributes() {
        let xml = r#"<tmx version="1.4"><header srclang="en"/><body>
<tu tuid="7" creationtool="x" usagecount="0"><prop type="x-client">ACME</prop><tuv xml:lang="en"><seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept></seg></tuv><tuv xml:lang="fr"><seg>Appuyez</seg></tuv></tu>
</body></tmx>"#;
        let tu = TmxReader::from_reader(std::io::Cursor::new(xml.as_bytes().to_vec()), None)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert!(!columns_suffice(&tu));
        assert_eq!(tu_from_xml(&tu_to_xml(&tu).unwrap()).unwrap(), tu);
        assert_eq!(code_count(&tu.tuvs[0]), 2);
    }

    #[test]
    fn plain_units_fit_the_columns_and_hashes_see_every_variant() {
        let a = Unit::new(&[("en", "Hello"), ("fr", "Bonjour")]);
        let b = Unit::new(&[("en", "Hello"), ("fr", "Salut")]);
        assert!(columns_suffice(&a.tu));
        let (ha, hb) = (unit_hashes(&a), unit_hashes(&b));
        assert_ne!(ha.content, hb.content);
        assert_eq!(ha.source, hb.source);
        assert_eq!(text_hash("ＨELLO"), text_hash("hello"));
        assert!(!columns_suffice(&Unit::new(&[("en_us", "x")]).tu));
    }
}
