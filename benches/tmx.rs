//! Reader and writer throughput on a synthetic memory shaped like real ones
//! (two or three variants per unit, props, notes, bpt/ept/ph/hi codes,
//! entities, several scripts). quick-xml's bare event loop over the same
//! bytes (every event discarded, no unit built) is measured alongside as a
//! reference: the reader used to be built on it; it now builds whole units
//! at about half the speed at which quick-xml alone only tokenizes.
//!
//! Run: `cargo bench --bench tmx` (figures in docs/performance/tmx.md).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tmkit::tmx::{Tmx, TmxReader, TmxWriter, Tu};

const SENTENCES: &[(&str, &str)] = &[
    (
        "Click <bpt i=\"1\">&lt;b&gt;</bpt>Save<ept i=\"1\">&lt;/b&gt;</ept> to keep your changes.",
        "Cliquez sur <bpt i=\"1\">&lt;b&gt;</bpt>Enregistrer<ept i=\"1\">&lt;/b&gt;</ept> pour conserver vos modifications.",
    ),
    (
        "The chart wizard can guess the range and create an initial chart even if not all of the data is selected.",
        "L'assistant de diagramme peut deviner la plage et créer un diagramme initial même si toutes les données ne sont pas sélectionnées.",
    ),
    (
        "Press <ph x=\"1\" type=\"lb\">&lt;br/&gt;</ph>Enter &amp; wait.",
        "Appuyez sur <ph x=\"1\" type=\"lb\">&lt;br/&gt;</ph>Entrée et patientez.",
    ),
    (
        "<hi type=\"em\">Deactivate</hi> the document",
        "文書を<hi type=\"em\">無効</hi>にする",
    ),
    (
        "Open the file in read-only mode.",
        "افتح الملف في وضع القراءة فقط.",
    ),
];

fn document(units: usize) -> Vec<u8> {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n<header creationtool=\"bench\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"bench\" adminlang=\"en\" srclang=\"en-US\" datatype=\"plaintext\"/>\n<body>\n",
    );
    for i in 0..units {
        let (en, fr) = SENTENCES[i % SENTENCES.len()];
        doc.push_str(&format!(
            "<tu tuid=\"u{i}\" creationdate=\"20240501T000000Z\" changeid=\"bench\"><prop type=\"x-batch\">{}</prop>{}<tuv xml:lang=\"en-US\"><seg>{en}</seg></tuv><tuv xml:lang=\"fr-FR\"><seg>{fr}</seg></tuv></tu>\n",
            i % 97,
            if i % 10 == 0 { "<note>reviewed</note>" } else { "" }
        ));
    }
    doc.push_str("</body>\n</tmx>\n");
    doc.into_bytes()
}

fn bench(c: &mut Criterion) {
    let doc = document(40_000);
    let mut group = c.benchmark_group("tmx");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.sample_size(10);

    group.bench_function("quick-xml events alone (reference)", |b| {
        b.iter(|| {
            let mut reader = quick_xml::Reader::from_reader(doc.as_slice());
            let mut buf = Vec::new();
            let mut n = 0u64;
            loop {
                buf.clear();
                match reader.read_event_into(&mut buf) {
                    Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                    Ok(_) => n += 1,
                }
            }
            black_box(n)
        })
    });

    group.bench_function("TmxReader: every unit", |b| {
        b.iter(|| {
            let reader = TmxReader::from_reader(doc.as_slice(), None).unwrap();
            let mut variants = 0usize;
            for tu in reader {
                variants += tu.unwrap().tuvs.len();
            }
            black_box(variants)
        })
    });

    group.bench_function("TmxReader::next_into (reused unit)", |b| {
        b.iter(|| {
            let mut reader = TmxReader::from_reader(doc.as_slice(), None).unwrap();
            let mut tu = Tu::default();
            let mut variants = 0usize;
            while let Some(result) = reader.next_into(&mut tu) {
                result.unwrap();
                variants += tu.tuvs.len();
            }
            black_box(variants)
        })
    });

    group.bench_function("TmxReader + plain_text", |b| {
        b.iter(|| {
            let reader = TmxReader::from_reader(doc.as_slice(), None).unwrap();
            let mut chars = 0usize;
            for tu in reader {
                for tuv in tu.unwrap().tuvs {
                    chars += tuv.seg.plain_text().len();
                }
            }
            black_box(chars)
        })
    });

    let tmx = Tmx::from_reader(doc.as_slice(), None).unwrap();
    group.bench_function("TmxWriter: every unit", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(doc.len() + doc.len() / 4);
            let mut w = TmxWriter::new(&mut out, &tmx.header).unwrap();
            for tu in &tmx.tus {
                w.write_tu(tu).unwrap();
            }
            w.finish().unwrap();
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
