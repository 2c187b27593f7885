//! # tmkit
//!
//! A toolkit for people who work with news in several languages and with
//! translation memories. The binary `tmkit` is a thin layer over this library.
//!
//! | module | what it owns |
//! |---|---|
//! | [`text`] | Unicode normalization, scripts, BCP-47 tags, language detection, tokens |
//! | [`segment`] | sentence segmentation: per-language rules and SRX 2.0 rule files |
//! | [`tmx`] | the TMX 1.4b model, a streaming reader and a writer; stats, validation, conversion, merge, filter |
//! | [`tm`] | translation memories loaded from TMX, TSV, XLIFF or PO, and their entries |
//! | [`xliff`] | XLIFF 1.2 (Trados, memoQ), XLIFF 2.0/2.1 and gettext PO: the model, readers, writers, in-place filling |
//! | [`store`] | the persistent memory: SQLite (`.tmdb`) or PostgreSQL, import, export, concordance |
//! | [`fuzzy`] | the CAT-style match score and an exact top-k fuzzy index |
//! | [`pretranslate`] | documents into bilingual files: segments, best memory matches as targets and candidates |
//! | [`html`] | main-content extraction from web pages, with offsets into the page |
//! | [`serve`] | `tmkit serve`: memories over HTTP (native JSON API, OpenAPI, compatibility routes) |
//! | [`summarize`] | extractive digests: the eligible lead (first eligible sentences, near-duplicates vetoed) |
//! | [`align`] | bilingual sentence alignment: lexicons, the bead cost, the banded search |
//! | [`batch`] | walking inputs, running work in parallel, reporting progress |
//! | [`files`] | reading inputs and writing outputs atomically |
//! | [`error`] | the library's error type, with file, line and column where there is one |
//!
//! The library knows nothing of terminals, flags or exit codes: progress goes
//! through the [`batch::Progress`] trait and failures through [`Error`].

/// `eprintln!` that never panics: a diagnostic that cannot be written (stderr
/// closed, or a pipe whose reader is gone) is dropped, and the work it reports
/// on goes on to its exit status. `eprintln!` panics there (exit 101).
#[doc(hidden)]
#[macro_export]
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod align;
pub mod batch;
pub mod error;
pub mod files;
pub mod fuzzy;
pub mod html;
pub mod pretranslate;
pub mod segment;
pub mod serve;
pub mod store;
pub mod summarize;
pub mod text;
pub mod tm;
pub mod tmx;
pub mod xliff;

pub use error::{Error, Location, Result};
