//! TMX units as JSON Lines: what `tmx convert --to jsonl` writes and what
//! `tmx convert units.jsonl ...` reads back.
//!
//! One unit per line. Fields after the first are written only when the
//! unit has them, so a unit with nothing but texts is
//! `{"tuid":"7","variants":[{"lang":"en","text":"Hello"}]}`:
//!
//! ```text
//! unit    = {"tuid": string|null, ATTRS, "extra"?, "notes"?, "props"?, "variants": [variant]}
//! variant = {"lang": string|null, ATTRS, "extra"?, "notes"?, "props"?, "text": string}
//! note    = {"lang"?, "o-encoding"?, "extra"?, "text": string}
//! prop    = {"type": string, "lang"?, "o-encoding"?, "extra"?, "value": string}
//! ```
//!
//! - `ATTRS` are the attributes TMX 1.4b defines on `<tu>` or `<tuv>`,
//!   named as in TMX, each a string written only when set, in the order the
//!   specification lists them: `o-encoding`, `datatype`, `usagecount`,
//!   `lastusagedate`, `creationtool`, `creationtoolversion`, `creationdate`,
//!   `creationid`, `changedate`, (unit only: `segtype`), `changeid`, `o-tmf`,
//!   (unit only: `srclang`). Dates stay as written (`20240131T120000Z`).
//! - `extra` holds the attributes TMX does not define (`x-origin`, ...) as
//!   an object, in document order.
//! - `notes` and `props` keep their order among themselves (a type may
//!   repeat); a note's or prop's `lang` is its `xml:lang`. How notes and
//!   props interleaved in the TMX is not kept: notes are written first.
//! - `lang` is `null` for a variant without a language; `text` is the
//!   segment's plain text, or with `--placeholders` its inline codes as
//!   `{1}`, `{/1}` placeholders.
//!
//! Reading accepts exactly these fields (an unknown one is an error, so a
//! misspelt attribute is not dropped) in any order.

use std::fmt;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::convert::{CodeMode, ConvertReport};
use super::model::{Attr, Note, Prop, Seg, Tu, Tuv};
use crate::error::{Error, Location, Result};

/// What serde's deserializers give.
type DeResult<T, E> = std::result::Result<T, E>;

/// Writes one unit as a JSONL line (see the module documentation), with
/// texts as `mode` says.
pub fn write_jsonl_tu<W: Write>(out: &mut W, tu: &Tu, mode: CodeMode) -> Result<()> {
    let mut line = JsonlLine::default();
    line.write(out, tu, mode)
}

/// Reused buffers for JSONL lines: a line is built in memory and written
/// with one call, and variant texts are built in reused strings.
#[derive(Default)]
pub(crate) struct JsonlLine {
    bytes: Vec<u8>,
    text: String,
}

fn json_err(e: serde_json::Error) -> Error {
    Error::io("<output>", e.into())
}

/// Appends `value` as a JSON string.
fn push_json<T: Serialize + ?Sized>(bytes: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(bytes, value).map_err(json_err)
}

/// Appends `,"name":value`.
fn push_field(bytes: &mut Vec<u8>, name: &str, value: &str) -> Result<()> {
    bytes.push(b',');
    push_json(bytes, name)?;
    bytes.push(b':');
    push_json(bytes, value)
}

/// Appends `,"extra":{...}` when `attrs` is not empty.
fn push_extra(bytes: &mut Vec<u8>, attrs: &[&Attr]) -> Result<()> {
    if attrs.is_empty() {
        return Ok(());
    }
    bytes.extend_from_slice(b",\"extra\":{");
    for (i, a) in attrs.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        push_json(bytes, &a.name)?;
        bytes.push(b':');
        push_json(bytes, &a.value)?;
    }
    bytes.push(b'}');
    Ok(())
}

/// Appends the attributes of a note or prop: `xml:lang` as `lang`,
/// `o-encoding`, then the others as `extra`.
fn push_meta_attrs(bytes: &mut Vec<u8>, attrs: &[Attr]) -> Result<()> {
    for name in ["xml:lang", "o-encoding"] {
        if let Some(a) = attrs.iter().find(|a| a.name == name) {
            push_field(bytes, name.strip_prefix("xml:").unwrap_or(name), &a.value)?;
        }
    }
    let extra: Vec<&Attr> = attrs
        .iter()
        .filter(|a| a.name != "xml:lang" && a.name != "o-encoding")
        .collect();
    push_extra(bytes, &extra)
}

/// Appends `,"extra"`, `,"notes"` and `,"props"` of a unit or variant.
fn push_meta(bytes: &mut Vec<u8>, extra: &[Attr], notes: &[Note], props: &[Prop]) -> Result<()> {
    push_extra(bytes, &extra.iter().collect::<Vec<_>>())?;
    if !notes.is_empty() {
        bytes.extend_from_slice(b",\"notes\":[");
        for (i, n) in notes.iter().enumerate() {
            bytes.extend_from_slice(if i > 0 { b",{" } else { b"{" });
            // Every field is written with a leading comma: start with one
            // that is taken out again.
            let start = bytes.len();
            push_meta_attrs(bytes, &n.attrs)?;
            push_field(bytes, "text", &n.text)?;
            bytes.remove(start);
            bytes.push(b'}');
        }
        bytes.push(b']');
    }
    if !props.is_empty() {
        bytes.extend_from_slice(b",\"props\":[");
        for (i, p) in props.iter().enumerate() {
            bytes.extend_from_slice(if i > 0 { b",{\"type\":" } else { b"{\"type\":" });
            push_json(bytes, &p.kind)?;
            push_meta_attrs(bytes, &p.attrs)?;
            push_field(bytes, "value", &p.value)?;
            bytes.push(b'}');
        }
        bytes.push(b']');
    }
    Ok(())
}

impl JsonlLine {
    /// Writes `tu` as one line.
    pub(crate) fn write<W: Write>(&mut self, out: &mut W, tu: &Tu, mode: CodeMode) -> Result<()> {
        let bytes = &mut self.bytes;
        bytes.clear();
        bytes.extend_from_slice(b"{\"tuid\":");
        push_json(bytes, &tu.tuid)?;
        let mut result = Ok(());
        tu.for_each_known(|name, value| {
            if name != "tuid" && result.is_ok() {
                result = push_field(bytes, name, value);
            }
        });
        result?;
        push_meta(bytes, &tu.extra, &tu.notes, &tu.props)?;
        bytes.extend_from_slice(b",\"variants\":[");
        for (i, v) in tu.tuvs.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            bytes.extend_from_slice(b"{\"lang\":");
            let lang = (!v.no_lang).then_some(v.lang.as_str());
            push_json(bytes, &lang)?;
            let mut result = Ok(());
            v.for_each_known(|name, value| {
                if result.is_ok() {
                    result = push_field(bytes, name, value);
                }
            });
            result?;
            push_meta(bytes, &v.extra, &v.notes, &v.props)?;
            bytes.extend_from_slice(b",\"text\":");
            self.text.clear();
            match mode {
                CodeMode::Drop => v.seg.push_plain_text(&mut self.text),
                CodeMode::Placeholders => self.text = v.seg.text_with_placeholders(),
            }
            push_json(bytes, &self.text)?;
            bytes.push(b'}');
        }
        bytes.extend_from_slice(b"]}\n");
        out.write_all(bytes).map_err(|e| Error::io("<output>", e))
    }
}

/// Attributes as a JSON object, in the object's order.
#[derive(Default)]
struct OrderedAttrs(Vec<Attr>);

impl<'de> Deserialize<'de> for OrderedAttrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> DeResult<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedAttrs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of attribute names and string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> DeResult<OrderedAttrs, A::Error> {
                let mut attrs = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, String>()? {
                    attrs.push(Attr::new(name, value));
                }
                Ok(OrderedAttrs(attrs))
            }
        }
        d.deserialize_map(V)
    }
}

/// A note or a prop as a JSONL line holds it: one shape for both, which
/// [`JsonlMeta::note`] and [`JsonlMeta::prop`] check.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonlMeta {
    #[serde(default)]
    text: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default, rename = "o-encoding")]
    o_encoding: Option<String>,
    #[serde(default)]
    extra: OrderedAttrs,
}

impl JsonlMeta {
    /// The attributes, in the order they are written.
    fn attrs(lang: Option<String>, o_encoding: Option<String>, extra: OrderedAttrs) -> Vec<Attr> {
        let mut attrs = Vec::new();
        if let Some(l) = lang {
            attrs.push(Attr::new("xml:lang", l));
        }
        if let Some(e) = o_encoding {
            attrs.push(Attr::new("o-encoding", e));
        }
        attrs.extend(extra.0);
        attrs
    }

    fn note(self) -> std::result::Result<Note, &'static str> {
        match (self.text, self.kind, self.value) {
            (Some(text), None, None) => Ok(Note {
                text,
                attrs: Self::attrs(self.lang, self.o_encoding, self.extra),
            }),
            _ => Err("a note is {\"text\"} with \"lang\", \"o-encoding\" or \"extra\" if any"),
        }
    }

    fn prop(self) -> std::result::Result<Prop, &'static str> {
        match (self.text, self.kind, self.value) {
            (None, Some(kind), Some(value)) => Ok(Prop {
                kind,
                value,
                attrs: Self::attrs(self.lang, self.o_encoding, self.extra),
            }),
            _ => Err(
                "a prop is {\"type\", \"value\"} with \"lang\", \"o-encoding\" or \"extra\" if any",
            ),
        }
    }
}

/// A unit or a variant: TMX attributes, `extra`, notes and props.
trait Described {
    /// Stores a TMX attribute; gives the value back when `name` is none.
    fn set_attribute(&mut self, name: &str, value: String) -> Option<String>;
    fn described(&mut self) -> (&mut Vec<Attr>, &mut Vec<Note>, &mut Vec<Prop>);
    /// The TMX element, for errors.
    fn element(&self) -> &'static str;
}

macro_rules! described {
    ($($ty:ty => $element:literal),*) => {$(
        impl Described for $ty {
            fn element(&self) -> &'static str {
                $element
            }
            fn set_attribute(&mut self, name: &str, value: String) -> Option<String> {
                self.set_known(name, value)
            }
            fn described(&mut self) -> (&mut Vec<Attr>, &mut Vec<Note>, &mut Vec<Prop>) {
                (&mut self.extra, &mut self.notes, &mut self.props)
            }
        }
    )*};
}

described!(Tu => "<tu>", Tuv => "<tuv>");

/// Reads the field `key` common to units and variants into `target`:
/// `extra`, `notes`, `props` or a TMX attribute (else an unknown field).
fn read_described<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &str,
    target: &mut impl Described,
) -> DeResult<(), A::Error> {
    let (extra, notes, props) = target.described();
    match key {
        "extra" => *extra = map.next_value::<OrderedAttrs>()?.0,
        "notes" => {
            let read: Vec<JsonlMeta> = map.next_value()?;
            let read: std::result::Result<_, _> = read.into_iter().map(JsonlMeta::note).collect();
            *notes = read.map_err(de::Error::custom)?;
        }
        "props" => {
            let read: Vec<JsonlMeta> = map.next_value()?;
            let read: std::result::Result<_, _> = read.into_iter().map(JsonlMeta::prop).collect();
            *props = read.map_err(de::Error::custom)?;
        }
        _ => {
            if target.set_attribute(key, map.next_value()?).is_some() {
                return Err(de::Error::custom(format_args!(
                    "unknown field `{key}` (not a TMX attribute of {})",
                    target.element()
                )));
            }
        }
    }
    Ok(())
}

/// A JSON object read field by field, in the order written.
trait JsonlObject: Default {
    /// What the object is, for errors.
    const EXPECTING: &'static str;
    /// Reads the value of the field `key`.
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> DeResult<(), A::Error>;
    /// The field missing from a complete object, if any.
    fn missing(&self) -> Option<&'static str>;
}

struct ObjectVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: JsonlObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> DeResult<T, A::Error> {
        let mut object = T::default();
        while let Some(key) = map.next_key::<String>()? {
            object.field(&key, &mut map)?;
        }
        match object.missing() {
            Some(name) => Err(de::Error::missing_field(name)),
            None => Ok(object),
        }
    }
}

/// A variant as a JSONL line holds it; the text is kept as written until
/// the reader knows whether it holds placeholders.
#[derive(Default)]
struct JsonlTuv {
    tuv: Tuv,
    lang: Option<Option<String>>,
    text: Option<String>,
}

impl JsonlObject for JsonlTuv {
    const EXPECTING: &'static str = "a variant {\"lang\", \"text\"}";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> DeResult<(), A::Error> {
        match key {
            "lang" => self.lang = Some(map.next_value()?),
            "text" => self.text = Some(map.next_value()?),
            _ => read_described(map, key, &mut self.tuv)?,
        }
        Ok(())
    }
    fn missing(&self) -> Option<&'static str> {
        match (&self.lang, &self.text) {
            (None, _) => Some("lang"),
            (_, None) => Some("text"),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for JsonlTuv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> DeResult<Self, D::Error> {
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
    }
}

/// A unit as a JSONL line holds it.
#[derive(Default)]
struct JsonlTu {
    tu: Tu,
    variants: Option<Vec<JsonlTuv>>,
}

impl JsonlObject for JsonlTu {
    const EXPECTING: &'static str = "a unit {\"tuid\", \"variants\"}";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> DeResult<(), A::Error> {
        match key {
            "tuid" => self.tu.tuid = map.next_value()?,
            "variants" => self.variants = Some(map.next_value()?),
            _ => read_described(map, key, &mut self.tu)?,
        }
        Ok(())
    }
    fn missing(&self) -> Option<&'static str> {
        self.variants.is_none().then_some("variants")
    }
}

impl<'de> Deserialize<'de> for JsonlTu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> DeResult<Self, D::Error> {
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
    }
}

/// Reads JSONL as `convert --to jsonl` writes it (see the module
/// documentation), handing each unit to `each`. With `placeholders`,
/// `{1}`, `{/1}` in texts become inline codes. Blank lines are skipped; a
/// bad line is an error with its line and column.
pub fn read_jsonl<R: BufRead>(
    mut input: R,
    name: Option<&Path>,
    placeholders: bool,
    mut each: impl FnMut(Tu) -> Result<()>,
) -> Result<ConvertReport> {
    let mut report = ConvertReport::default();
    let display = || name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
    let mut line = Vec::new();
    let mut line_no = 0u64;
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(display(), e))?
            == 0
        {
            return Ok(report);
        }
        line_no += 1;
        let text = if line_no == 1 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line)
        } else {
            &line
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        report.read += 1;
        let unit: JsonlTu = serde_json::from_slice(text).map_err(|e| {
            Error::syntax(
                Location {
                    file: name.map(Path::to_path_buf),
                    line: Some(line_no),
                    column: Some(e.column() as u64),
                },
                format!(
                    "not a JSONL unit ({{\"tuid\", \"variants\": [{{\"lang\", \"text\"}}]}}): {e}"
                ),
            )
        })?;
        let mut tu = unit.tu;
        for v in unit.variants.unwrap_or_default() {
            let (mut tuv, lang, text) = (v.tuv, v.lang.flatten(), v.text.unwrap_or_default());
            tuv.no_lang = lang.is_none();
            tuv.lang = lang.unwrap_or_default();
            tuv.seg = if placeholders {
                super::flat::seg_from_placeholders(&text)
            } else {
                Seg::from_text(text)
            };
            tu.tuvs.push(tuv);
        }
        each(tu)?;
        report.written += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Result<Vec<Tu>> {
        let mut got = Vec::new();
        read_jsonl(text.as_bytes(), Some(Path::new("x.jsonl")), false, |t| {
            got.push(t);
            Ok(())
        })?;
        Ok(got)
    }

    fn line(tu: &Tu) -> String {
        let mut bytes = Vec::new();
        write_jsonl_tu(&mut bytes, tu, CodeMode::Drop).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn jsonl_reads_what_it_writes() {
        let mut tu = Tu::new(vec![Tuv::new("en", "a \"q\""), Tuv::new("ja", "日本")]);
        tu.tuid = Some("7".into());
        assert_eq!(read_all(&line(&tu)).unwrap(), [tu]);
        let err = read_all("{\"variants\": 3}\n").unwrap_err().to_string();
        assert!(err.starts_with("x.jsonl:1:"), "{err}");
    }

    #[test]
    fn a_unit_with_texts_only_is_written_as_before() {
        let mut tu = Tu::new(vec![Tuv::new("en", "Hello"), Tuv::new("fr", "Bonjour")]);
        tu.tuid = Some("7".into());
        tu.tuvs[1].no_lang = true;
        assert_eq!(
            line(&tu),
            "{\"tuid\":\"7\",\"variants\":[{\"lang\":\"en\",\"text\":\"Hello\"},{\"lang\":null,\"text\":\"Bonjour\"}]}\n"
        );
    }

    #[test]
    fn attributes_props_and_notes_are_written_and_read_back() {
        let mut tu = Tu::new(vec![Tuv::new("en", "Hello"), Tuv::new("fr", "Bonjour")]);
        tu.creationdate = Some("20240131T120000Z".into());
        tu.changeid = Some("ana".into());
        tu.srclang = Some("en".into());
        tu.extra.push(Attr::new("x-origin", "mt"));
        tu.props.push(Prop::new("x-Domain", "legal"));
        tu.props.push(Prop::new("x-Domain", "tax"));
        tu.props[1].attrs.push(Attr::new("xml:lang", "en"));
        tu.notes.push(Note::new("checked"));
        tu.tuvs[1].usagecount = Some("3".into());
        tu.tuvs[1].notes.push(Note {
            text: "formal".into(),
            attrs: vec![Attr::new("xml:lang", "fr"), Attr::new("x-by", "jo")],
        });
        let text = line(&tu);
        assert_eq!(
            text,
            concat!(
                r#"{"tuid":null,"creationdate":"20240131T120000Z","changeid":"ana","srclang":"en","#,
                r#""extra":{"x-origin":"mt"},"notes":[{"text":"checked"}],"#,
                r#""props":[{"type":"x-Domain","value":"legal"},{"type":"x-Domain","lang":"en","value":"tax"}],"#,
                r#""variants":[{"lang":"en","text":"Hello"},{"lang":"fr","usagecount":"3","#,
                r#""notes":[{"lang":"fr","extra":{"x-by":"jo"},"text":"formal"}],"text":"Bonjour"}]}"#,
                "\n"
            )
        );
        assert_eq!(read_all(&text).unwrap(), [tu]);
    }

    #[test]
    fn an_unknown_field_is_an_error() {
        for text in [
            r#"{"tuid":"1","creatondate":"x","variants":[]}"#,
            r#"{"tuid":"1","variants":[{"lang":"en","text":"a","srclang":"en"}]}"#,
            r#"{"tuid":"1","variants":[],"props":[{"type":"a","value":"b","kind":"c"}]}"#,
        ] {
            let err = read_all(text).unwrap_err().to_string();
            assert!(err.contains("unknown field"), "{text}: {err}");
        }
        for (text, what) in [
            (
                r#"{"tuid":"1","variants":[],"props":[{"type":"a"}]}"#,
                "a prop is",
            ),
            (
                r#"{"tuid":"1","variants":[],"notes":[{"text":"a","value":"b"}]}"#,
                "a note is",
            ),
        ] {
            let err = read_all(text).unwrap_err().to_string();
            assert!(err.contains(what), "{text}: {err}");
        }
    }
}
