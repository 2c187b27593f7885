//! Translation memories: entries loaded from TMX or TSV files for a language pair.
