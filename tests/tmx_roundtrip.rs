//! Round trips: generated documents survive write → read unchanged, and
//! arbitrary bytes never make the reader panic.

use proptest::prelude::*;
use tmkit::tmx::{
    Attr, Header, Inline, InlineKind, MetaKind, Note, Prop, Seg, SegPart, Tmx, TmxReader, Tu, Tuv,
};

/// Text of characters XML 1.0 allows, with the ones writers get wrong
/// (markup characters, CR, tab, `]]>`, astral and RTL characters) made likely.
fn xml_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-zA-Z0-9 ]{1,6}",
            1 => prop::sample::select(vec![
                "&", "<", ">", "\"", "'", "]]>", "\r", "\r\n", "\n", "\t", "é", "😀", "שלום", "مرحبا", "日本語", "\u{a0}", "&amp;",
            ])
            .prop_map(str::to_string),
            1 => any::<char>()
                .prop_filter("XML char", |c| matches!(*c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}'))
                .prop_map(|c| c.to_string()),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn extra_attrs() -> impl Strategy<Value = Vec<Attr>> {
    prop::collection::btree_map("x-[a-z]{1,6}", xml_text(), 0..3)
        .prop_map(|m| m.into_iter().map(|(k, v)| Attr::new(k, v)).collect())
}

fn normalize(parts: Vec<SegPart>) -> Vec<SegPart> {
    let mut out: Vec<SegPart> = Vec::new();
    for p in parts {
        match p {
            SegPart::Text(t) if t.is_empty() => {}
            SegPart::Text(t) => {
                if let Some(SegPart::Text(last)) = out.last_mut() {
                    last.push_str(&t);
                } else {
                    out.push(SegPart::Text(t));
                }
            }
            inline => out.push(inline),
        }
    }
    out
}

fn seg_part() -> impl Strategy<Value = SegPart> {
    let leaf = xml_text().prop_map(SegPart::Text);
    leaf.prop_recursive(3, 24, 4, |inner| {
        (
            prop::sample::select(vec!["bpt", "ept", "it", "ph", "hi", "ut", "sub", "x-mark"]),
            prop::collection::btree_map(
                prop::sample::select(vec!["i", "x", "type", "pos", "assoc", "datatype", "x-any"]),
                "[a-z0-9]{0,4}",
                0..3,
            ),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|(name, attrs, content)| {
                SegPart::Inline(Inline {
                    kind: InlineKind::from_name(name),
                    attrs: attrs.into_iter().map(|(k, v)| Attr::new(k, v)).collect(),
                    content: normalize(content),
                })
            })
    })
}

fn meta() -> impl Strategy<Value = (Vec<MetaKind>, Vec<Note>, Vec<Prop>)> {
    prop::collection::vec(
        prop_oneof![
            xml_text().prop_map(|t| (MetaKind::Note, Note::new(t), Prop::default())),
            ("x-[a-z]{1,5}", xml_text(), prop::option::of("[a-z]{2}")).prop_map(|(k, v, lang)| {
                let mut p = Prop::new(k, v);
                if let Some(l) = lang {
                    p.attrs.push(Attr::new("xml:lang", l));
                }
                (MetaKind::Prop, Note::default(), p)
            }),
        ],
        0..4,
    )
    .prop_map(|items| {
        let mut order = Vec::new();
        let mut notes = Vec::new();
        let mut props = Vec::new();
        for (kind, n, p) in items {
            order.push(kind);
            match kind {
                MetaKind::Note => notes.push(n),
                _ => props.push(p),
            }
        }
        (order, notes, props)
    })
}

fn tuv() -> impl Strategy<Value = Tuv> {
    (
        prop::sample::select(vec![
            "en",
            "en-US",
            "fr-FR",
            "ja",
            "ar",
            "zh-Hant-TW",
            "EN-gb",
        ]),
        prop::collection::vec(seg_part(), 0..4),
        extra_attrs(),
        meta(),
        any::<bool>(),
        prop::option::of("20[0-9]{2}0[1-9]1[0-9]T[01][0-9][0-5][0-9][0-5][0-9]Z"),
    )
        .prop_map(
            |(lang, parts, extra, (order, notes, props), missing, date)| {
                let missing_seg = missing && parts.is_empty();
                Tuv {
                    lang: lang.to_string(),
                    seg: Seg {
                        parts: normalize(parts),
                        attrs: Vec::new(),
                    },
                    missing_seg,
                    extra,
                    meta_order: order,
                    notes,
                    props,
                    changedate: date,
                    ..Tuv::default()
                }
            },
        )
}

fn tu() -> impl Strategy<Value = Tu> {
    (
        prop::option::of(xml_text()),
        prop::collection::vec(tuv(), 0..4),
        extra_attrs(),
        meta(),
        prop::option::of("[0-9]{1,3}"),
    )
        .prop_map(|(tuid, tuvs, extra, (order, notes, props), usage)| Tu {
            tuid,
            tuvs,
            extra,
            meta_order: order,
            notes,
            props,
            usagecount: usage,
            ..Tu::default()
        })
}

fn header() -> impl Strategy<Value = Header> {
    (extra_attrs(), meta(), xml_text()).prop_map(|(extra, (order, notes, props), tool)| {
        let mut h = Header::new("en");
        h.creationtool = Some(tool);
        h.extra = extra;
        h.meta_order = order;
        h.notes = notes;
        h.props = props;
        h.version = Some("1.4".into());
        h
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_same_document(header in header(), tus in prop::collection::vec(tu(), 0..6)) {
        let doc = Tmx {
            header,
            tus,
            trailer: Vec::new(),
        };
        let mut bytes = Vec::new();
        let dropped = doc.write_to(&mut bytes).unwrap();
        prop_assert_eq!(dropped, 0);
        let back = Tmx::from_reader(bytes.as_slice(), None).unwrap();
        prop_assert_eq!(&back.tus, &doc.tus);
        prop_assert_eq!(&back.header, &doc.header);
    }

    #[test]
    fn skipping_units_finds_the_same_units(
        tus in prop::collection::vec(tu(), 0..6),
        skip in prop::collection::vec(any::<bool>(), 6),
    ) {
        let doc = Tmx { header: Header::new("en"), tus, trailer: Vec::new() };
        let mut bytes = Vec::new();
        doc.write_to(&mut bytes).unwrap();
        let mut reader = TmxReader::from_reader(bytes.as_slice(), None).unwrap();
        let mut tu = tmkit::tmx::Tu::default();
        for (full, &skip) in doc.tus.iter().zip(&skip) {
            if skip {
                reader.skip_into(&mut tu).unwrap().unwrap();
                prop_assert!(tu.tuvs.is_empty() && tu.props.is_empty() && tu.notes.is_empty());
                prop_assert_eq!(&tu.tuid, &full.tuid);
                prop_assert_eq!(&tu.changedate, &full.changedate);
            } else {
                reader.next_into(&mut tu).unwrap().unwrap();
                prop_assert_eq!(&tu, full);
            }
        }
        prop_assert!(reader.skip_into(&mut tu).is_none());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(reader) = TmxReader::from_reader(bytes.as_slice(), None) {
            for tu in reader.take(1000) {
                let _ = tu;
            }
        }
    }

    #[test]
    fn mutated_documents_never_panic(pos in 0usize..400, byte in any::<u8>(), cut in 0usize..400) {
        let doc = br#"<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY e "x&#38;y">]><tmx version="1.4"><header srclang="en"><prop type="a">b</prop></header><body><tu tuid="1"><tuv xml:lang="en"><seg>a<bpt i="1">&lt;b&gt;</bpt>&e;<ept i="1"/><![CDATA[c]]></seg></tuv></tu></body></tmx>"#;
        let mut bytes = doc.to_vec();
        let p = pos % bytes.len();
        bytes[p] = byte;
        bytes.truncate(cut.max(1).min(bytes.len()));
        for lenient in [false, true] {
            let opts = tmkit::tmx::ReadOptions { lenient };
            if let Ok(reader) = TmxReader::with_options(bytes.as_slice(), None, opts) {
                for tu in reader.take(1000) {
                    let _ = tu;
                }
            }
        }
    }
}

/// What a JSONL line keeps of a unit: everything but inline codes (the
/// plain text stays), elements TMX does not define, and how notes and props
/// interleaved.
fn jsonl_view(tu: &Tu) -> Tu {
    let mut tu = tu.clone();
    tu.meta_order.clear();
    for v in &mut tu.tuvs {
        v.meta_order.clear();
        v.seg = Seg::from_text(v.seg.plain_text());
        v.missing_seg = false;
    }
    tu
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn tmx_to_jsonl_to_tmx_keeps_attributes_props_and_notes(tus in prop::collection::vec(tu(), 0..6)) {
        use tmkit::tmx::convert::{convert_tmx, CodeMode, ConvertOptions, Format};
        let doc = Tmx { header: Header::new("en"), tus, trailer: Vec::new() };
        let mut tmx = Vec::new();
        doc.write_to(&mut tmx).unwrap();
        let mut reader = TmxReader::from_reader(tmx.as_slice(), None).unwrap();
        let opts = ConvertOptions {
            format: Format::Jsonl,
            pair: None,
            mode: CodeMode::Drop,
            header: None,
            lenient: false,
        };
        let (_, jsonl) = convert_tmx(&mut reader, Vec::new(), &opts, |_| {}, |_| {}).unwrap();
        let mut back = Vec::new();
        tmkit::tmx::flat::read_jsonl(jsonl.as_slice(), None, false, |tu| {
            back.push(tu);
            Ok(())
        })
        .unwrap();
        // ... and back to TMX, read again.
        let again = Tmx { header: Header::new("*all*"), tus: back, trailer: Vec::new() };
        let mut tmx = Vec::new();
        again.write_to(&mut tmx).unwrap();
        let again = Tmx::from_reader(tmx.as_slice(), None).unwrap();
        let want: Vec<Tu> = doc.tus.iter().map(jsonl_view).collect();
        let got: Vec<Tu> = again.tus.iter().map(jsonl_view).collect();
        prop_assert_eq!(got, want);
    }
}
