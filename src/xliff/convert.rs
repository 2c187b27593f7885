//! Bilingual files ↔ TMX units: the finished segments of a job go back
//! into a memory with their inline codes; a memory's units become an XLIFF
//! or PO file.

use super::{Document, File, Format, Segment, State, Unit};
use crate::text::LanguageTag;
use crate::tmx::{Note, Tu, Tuv};

/// What [`to_tus`] left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Segments in a state not asked for (or without a target).
    pub state: usize,
    /// Segments whose file names neither language, when no default was given.
    pub language: usize,
}

/// The segments of `doc` in one of `states` as TMX units, source and target
/// with their inline codes. Languages come from each file, else from `src`
/// and `tgt`. Unit ids become `tuid`s (`id#segment` for segmented units),
/// unit notes TU notes.
///
/// ```
/// use tmkit::xliff::{Document, State, convert::to_tus};
/// let doc = Document::parse_str(r#"<xliff version="1.2"><file original="a" source-language="en" target-language="fr" datatype="plaintext"><body>
///  <trans-unit id="1"><source>Yes <x id="1"/></source><target state="signed-off">Oui <x id="1"/></target></trans-unit>
///  <trans-unit id="2"><source>No</source><target state="needs-review-translation">Non</target></trans-unit>
/// </body></file></xliff>"#, None)?;
/// let (tus, skipped) = to_tus(&doc, &State::DONE, None, None);
/// assert_eq!(tus.len(), 1);
/// assert_eq!(skipped.state, 1);
/// assert_eq!(tus[0].tuvs[1].seg.text_with_placeholders(), "Oui {1}");
/// # Ok::<(), tmkit::Error>(())
/// ```
pub fn to_tus(
    doc: &Document,
    states: &[State],
    src: Option<&LanguageTag>,
    tgt: Option<&LanguageTag>,
) -> (Vec<Tu>, Skipped) {
    let mut tus = Vec::new();
    let mut skipped = Skipped::default();
    for file in &doc.files {
        let lang = |given: Option<&LanguageTag>, declared: &Option<String>| {
            given
                .map(ToString::to_string)
                .or_else(|| declared.as_deref().map(|d| d.replace('_', "-")))
        };
        let (Some(sl), Some(tl)) = (
            lang(src, &file.source_language),
            lang(tgt, &file.target_language),
        ) else {
            skipped.language += file.units.iter().map(|u| u.segments.len()).sum::<usize>();
            continue;
        };
        for unit in &file.units {
            let several = unit.segments.len() > 1;
            for seg in &unit.segments {
                if !seg.has_target() || !states.contains(&seg.state) {
                    skipped.state += 1;
                    continue;
                }
                let mut tu = Tu::new(vec![
                    Tuv {
                        seg: seg.source.clone(),
                        ..Tuv::new(sl.clone(), "")
                    },
                    Tuv {
                        seg: seg.target.clone().unwrap_or_default(),
                        ..Tuv::new(tl.clone(), "")
                    },
                ]);
                let id = unit.name.clone().unwrap_or_else(|| unit.id.clone());
                tu.tuid = Some(match (&seg.id, several) {
                    (Some(s), true) => format!("{id}#{s}"),
                    _ => id,
                });
                tu.notes = unit.notes.iter().map(Note::new).collect();
                tus.push(tu);
            }
        }
    }
    (tus, skipped)
}

/// A bilingual document of the units that have both `src` and `tgt`
/// variants (best BCP-47 match), each a translated segment; `original`
/// names the file. Returns the document and how many units lacked a language.
pub fn from_tus(
    tus: impl IntoIterator<Item = Tu>,
    src: &LanguageTag,
    tgt: &LanguageTag,
    original: &str,
    format: Format,
) -> (Document, usize) {
    let mut file = File {
        original: original.to_string(),
        source_language: Some(src.to_string()),
        target_language: Some(tgt.to_string()),
        datatype: Some(
            if format == Format::Po {
                "po"
            } else {
                "plaintext"
            }
            .into(),
        ),
        ..File::default()
    };
    let mut skipped = 0;
    // The variants' own tags when every unit has the same (`en-US` and
    // `fr-FR` asked for as `en` and `fr`): the file keeps their regions,
    // which a round trip back to TMX would lose.
    let (mut src_tags, mut tgt_tags) = (Common::default(), Common::default());
    for tu in tus {
        let (Some(s), Some(t)) = (tu.variant(src), tu.variant(tgt)) else {
            skipped += 1;
            continue;
        };
        src_tags.see(&s.lang);
        tgt_tags.see(&t.lang);
        let n = file.units.len() + 1;
        file.units.push(Unit {
            id: n.to_string(),
            name: tu.tuid.clone(),
            segments: vec![Segment {
                source: s.seg.clone(),
                target: Some(t.seg.clone()),
                state: State::Translated,
                ..Segment::default()
            }],
            notes: tu.notes.iter().map(|n| n.text.clone()).collect(),
            translate: true,
            ..Unit::default()
        });
    }
    if let Some(tag) = src_tags.tag() {
        file.source_language = Some(tag);
    }
    if let Some(tag) = tgt_tags.tag() {
        file.target_language = Some(tag);
    }
    (
        Document {
            format: Some(format),
            files: vec![file],
            ..Document::default()
        },
        skipped,
    )
}

/// The one language tag every variant seen has, if they agree; else what
/// their tags share.
#[derive(Default)]
pub(crate) enum Common {
    #[default]
    Nothing,
    One(LanguageTag),
    /// Tags that differ, with the language (and script) they all share;
    /// `None` when they share none or one did not parse.
    Several(Option<LanguageTag>),
}

/// The language, and the script when both have it, of `a` and `b`; `None`
/// for other languages.
fn shared(a: &LanguageTag, b: &LanguageTag) -> Option<LanguageTag> {
    if a.primary() != b.primary() {
        return None;
    }
    match (a.script(), b.script()) {
        (Some(x), Some(y)) if x == y => format!("{}-{x}", a.primary()).parse().ok(),
        _ => Some(a.primary_tag()),
    }
}

impl Common {
    /// Notes a variant's tag.
    pub(crate) fn see(&mut self, lang: &str) {
        let Ok(tag) = LanguageTag::parse(lang) else {
            *self = Common::Several(None);
            return;
        };
        *self = match std::mem::take(self) {
            Common::Nothing => Common::One(tag),
            Common::One(t) if t == tag => Common::One(t),
            Common::One(t) | Common::Several(Some(t)) => Common::Several(shared(&t, &tag)),
            Common::Several(None) => Common::Several(None),
        };
    }

    /// The tag every variant seen has, if they agree.
    pub(crate) fn tag(&self) -> Option<String> {
        match self {
            Common::One(t) => Some(t.to_string()),
            _ => None,
        }
    }

    /// The tag every variant seen has, else the language they share
    /// (`en` for `en-US` and `en-GB`), else `None`.
    pub(crate) fn shared_tag(&self) -> Option<&LanguageTag> {
        match self {
            Common::One(t) | Common::Several(Some(t)) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_keeps_the_one_tag_else_the_language_shared() {
        let common = |tags: &[&str]| {
            let mut c = Common::default();
            for t in tags {
                c.see(t);
            }
            (c.tag(), c.shared_tag().map(ToString::to_string))
        };
        let some = |t: &str| Some(t.to_string());
        assert_eq!(common(&["en-US", "en-us"]), (some("en-US"), some("en-US")));
        assert_eq!(common(&["en-US", "en-GB", "en"]), (None, some("en")));
        assert_eq!(
            common(&["zh-Hant-TW", "zh-Hant-HK"]),
            (None, some("zh-Hant"))
        );
        assert_eq!(common(&["zh-Hant-TW", "zh-TW"]), (None, some("zh")));
        assert_eq!(common(&["en", "fr"]), (None, None));
        assert_eq!(common(&["en", "not a tag"]), (None, None));
        assert_eq!(common(&[]), (None, None));
    }

    #[test]
    fn tmx_units_round_trip_through_xliff() {
        let tmx = crate::tmx::Tmx::parse_str(r#"<tmx version="1.4"><header srclang="en"/><body>
<tu tuid="a"><note>n</note><tuv xml:lang="en"><seg>Press <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept></seg></tuv><tuv xml:lang="fr-FR"><seg>Appuyez sur <bpt i="1">&lt;b&gt;</bpt>OK<ept i="1">&lt;/b&gt;</ept></seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only English</seg></tuv></tu></body></tmx>"#).unwrap();
        let (en, fr) = ("en".parse().unwrap(), "fr".parse().unwrap());
        let (doc, skipped) = from_tus(tmx.tus, &en, &fr, "m.tmx", Format::Xliff12);
        assert_eq!(skipped, 1);
        let xml =
            String::from_utf8(crate::xliff::write_xliff12(&doc, Vec::new()).unwrap()).unwrap();
        assert!(
            xml.contains("<source>Press <g id=\"1\">OK</g></source>"),
            "{xml}"
        );
        let back = Document::parse_str(&xml, None).unwrap();
        let (tus, _) = to_tus(&back, &State::DONE, None, None);
        assert_eq!(tus[0].tuid.as_deref(), Some("a"));
        assert_eq!(
            tus[0].tuvs[1].seg.text_with_placeholders(),
            "Appuyez sur {1}OK{/1}"
        );
        assert_eq!(tus[0].notes[0].text, "n");
    }

    /// Variants in one region each (`en-US`, `fr-FR`) asked for as `en` and
    /// `fr` give a file in `en-US` and `fr-FR`, so the units come back from
    /// XLIFF in their own languages; the file said `en` and `fr`, and the
    /// round trip dropped the regions. Variants in several regions keep
    /// the asked tag.
    #[test]
    fn the_file_languages_are_the_variants_own_when_they_agree() {
        let tmx = |second_en: &str| {
            crate::tmx::Tmx::parse_str(&format!(
                r#"<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en-US"><seg>Color</seg></tuv><tuv xml:lang="fr-FR"><seg>Couleur</seg></tuv></tu>
<tu><tuv xml:lang="{second_en}"><seg>Port</seg></tuv><tuv xml:lang="fr-fr"><seg>Port</seg></tuv></tu></body></tmx>"#
            ))
            .unwrap()
        };
        let (en, fr) = ("en".parse().unwrap(), "fr".parse().unwrap());
        let (doc, _) = from_tus(tmx("EN_us").tus, &en, &fr, "m.tmx", Format::Xliff12);
        let file = &doc.files[0];
        assert_eq!(file.source_language.as_deref(), Some("en-US"));
        assert_eq!(file.target_language.as_deref(), Some("fr-FR"));
        let xml =
            String::from_utf8(crate::xliff::write_xliff12(&doc, Vec::new()).unwrap()).unwrap();
        let back = Document::parse_str(&xml, None).unwrap();
        let (tus, _) = to_tus(&back, &State::DONE, None, None);
        assert_eq!(
            (tus[1].tuvs[0].lang.as_str(), tus[1].tuvs[1].lang.as_str()),
            ("en-US", "fr-FR")
        );
        let (doc, _) = from_tus(tmx("en-GB").tus, &en, &fr, "m.tmx", Format::Xliff12);
        assert_eq!(doc.files[0].source_language.as_deref(), Some("en"));
        assert_eq!(doc.files[0].target_language.as_deref(), Some("fr-FR"));
    }
}
