//! TMX 1.4b: the model, a streaming reader, a writer, and the operations on
//! memories.
//!
//! | file | what it owns |
//! |---|---|
//! | `model.rs` | [`Header`], [`Tu`], [`Tuv`], [`Seg`] with inline elements, [`Prop`], [`Note`], [`Ude`] |
//! | `reader.rs` | [`TmxReader`]: streams units from any encoding, checks well-formedness, positions in errors |
//! | `writer.rs` | [`TmxWriter`]: UTF-8 TMX 1.4b, always well-formed |
//! | `input.rs`, `xml.rs`, `entities.rs` | encoding detection and transcoding into a checked UTF-8 window; the zero-copy XML tokenizer over it; DTD entities under hard limits |
//! | [`stats`] | units, languages, words, characters, inline codes, duplicates, in one pass |
//! | [`validate`] | every TMX 1.4b problem with its position |
//! | [`convert`] | TMX → TSV / CSV / JSONL, TMX → normalized TMX 1.4b |
//! | [`flat`] | TSV / CSV glossaries (header rows, extra columns, placeholders) and JSONL read into units |
//! | [`merge`] | several memories into one in two streaming passes: duplicates removed (newest kept), conflicts reported and resolved by a policy |
//! | [`filter`] | languages, empty or untranslated units, props, dates |
//!
//! Every operation streams through [`TmxReader`] (one unit in memory at a
//! time); [`merge`] reads its inputs twice, keeping hashes of the units
//! between the passes.
//!
//! Reading a whole small file:
//!
//! ```
//! use tmkit::tmx::Tmx;
//! let tmx = Tmx::parse_str(r#"<tmx version="1.4"><header srclang="en"/><body>
//!   <tu tuid="7"><tuv xml:lang="en"><seg>Hi</seg></tuv><tuv xml:lang="ja"><seg>こんにちは</seg></tuv></tu>
//! </body></tmx>"#).unwrap();
//! assert_eq!(tmx.tus.len(), 1);
//! assert_eq!(tmx.tus[0].tuid.as_deref(), Some("7"));
//! ```

pub mod convert;
pub mod duplicates;
mod entities;
pub mod filter;
pub mod flat;
mod input;
pub mod jsonl;
pub mod merge;
pub mod model;
mod pool;
pub mod reader;
pub mod stats;
pub mod validate;
pub mod writer;
mod xml;

use std::io::Write;
use std::path::Path;

pub use model::{
    Attr, Header, Inline, InlineKind, MetaKind, Note, Prop, RawElement, Seg, SegPart, Tu, Tuv, Ude,
    lang_eq,
};
pub use reader::{Notice, NoticeKind};
pub use reader::{ReadOptions, TmxReader};
pub use writer::{SpooledTmxWriter, TmxWriter};

use crate::error::Result;

/// A whole TMX document in memory, for small files. Large files should be
/// streamed with [`TmxReader`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tmx {
    /// The header (and root attributes).
    pub header: Header,
    /// The units, in document order.
    pub tus: Vec<Tu>,
    /// Elements TMX does not define after the last unit (see
    /// [`RawElement::after`]).
    pub trailer: Vec<RawElement>,
}

impl Tmx {
    /// Reads a file (`-` for standard input).
    pub fn read(path: &Path) -> Result<Self> {
        Self::collect(TmxReader::open(path)?)
    }

    /// Reads from any byte source; `name` is the file named in errors.
    pub fn from_reader<R: std::io::Read>(reader: R, name: Option<&Path>) -> Result<Self> {
        Self::collect(TmxReader::from_reader(reader, name)?)
    }

    /// Parses a document held in a string.
    pub fn parse_str(text: &str) -> Result<Self> {
        Self::from_reader(text.as_bytes(), None)
    }

    fn collect<R: std::io::Read>(mut reader: TmxReader<R>) -> Result<Self> {
        let tus = reader.by_ref().collect::<Result<Vec<_>>>()?;
        Ok(Tmx {
            header: reader.header().clone(),
            tus,
            trailer: reader.trailer().to_vec(),
        })
    }

    /// Writes the document as TMX 1.4b; returns the number of characters
    /// left out because XML cannot hold them.
    pub fn write_to<W: Write>(&self, out: W) -> Result<u64> {
        let mut w = TmxWriter::new(out, &self.header)?;
        for tu in &self.tus {
            w.write_tu(tu)?;
        }
        let dropped = w.dropped_chars();
        w.finish_with(&self.trailer)?;
        Ok(dropped)
    }

    /// Writes the document to `path` atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<u64> {
        let mut file = crate::files::AtomicFile::create(path)?;
        let dropped = self.write_to(&mut file)?;
        file.commit()?;
        Ok(dropped)
    }
}
