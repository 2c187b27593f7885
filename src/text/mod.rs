//! Unicode text handling shared by every capability: normalization, scripts,
//! language tags and detection, and tokenization.
//!
//! - [`normalize`]: NFC for storage and output, NFKC + full case folding for comparison.
//! - [`script`]: per-character script, scripts written without spaces, right-to-left text.
//! - [`lang`]: BCP-47 language tags (`en-US`, `en_us`, `EN`, `pt_BR`) and `--lang auto` detection.
//! - [`tokenize`]: the word tokens behind fuzzy matching, alignment and the digest's near-duplicate check.

pub mod lang;
pub mod normalize;
pub mod script;
mod tables;
pub mod tokenize;

pub use lang::{LangMatch, LanguageTag, check_pair, detect_language};
pub use normalize::{casefold, comparison_key, nfc, nfkc};
pub use script::{Script, is_bidi_control, is_rtl_char, is_spaceless_char, script_of};
pub use tokenize::{match_tokens, word_spans};

/// Version of the Unicode database the tokenizer and case-folding tables were generated from.
pub const TOKENIZER_UNICODE_VERSION: &str = tables::UNICODE_VERSION;
