//! The JSON form of match results: one shape for `tmkit match --format
//! json` and the server's lookups (`tmkit serve`), so a client gets the same
//! fields, scores and penalties from either.

use super::diff::{DiffPart, diff_words};
use super::{Match, Penalty};
use crate::tm::TranslationMemory;
use crate::tm::coded::CodedTargets;

/// One match as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct MatchJson {
    /// The match percentage (101: an exact match in context).
    pub score: u8,
    /// The memory's source text (plain).
    pub source: String,
    /// The memory's target text (plain).
    pub target: String,
    /// The target with its inline codes as numbered placeholders (`{1}OK{/1}`).
    pub target_placeholders: String,
    /// The target as TMX inline XML.
    pub target_xml: String,
    /// The unit's `tuid`.
    pub tuid: Option<String>,
    /// Where the entry comes from (`file#tuN`, `store#unit-id`).
    pub origin: String,
    /// The unit's change (else creation) date, TMX form.
    pub changedate: Option<String>,
    /// Points taken off besides word edits, each with its reason.
    pub penalties: Vec<Penalty>,
    /// The target with the query's numbers written the target language's way.
    pub adapted_target: Option<String>,
    /// Word diff of `source` against the query, as `tmkit match` shows it:
    /// the parts in order, `delete` for source words the query lacks and
    /// `insert` for query words the source lacks.
    pub diff: Vec<DiffPart>,
}

impl MatchJson {
    /// The JSON form of `m`, a match of `query` from `tm`; `coded` gives
    /// targets their inline codes back (plain text when absent or when the
    /// unit has none).
    pub fn new<T: TranslationMemory + ?Sized>(
        m: &Match<'_>,
        query: &str,
        tm: &T,
        coded: Option<&CodedTargets>,
    ) -> Self {
        let (target_placeholders, target_xml) = coded
            .map(|c| c.target(&m.entry))
            .map(|c| (c.placeholders, c.xml))
            .unwrap_or_default();
        MatchJson {
            score: m.score,
            source: m.entry.source.clone(),
            target: m.entry.target.clone(),
            target_placeholders,
            target_xml,
            tuid: m.entry.tuid.clone(),
            origin: tm.describe_origin(&m.entry.origin),
            changedate: m.entry.changedate.clone(),
            penalties: m.penalties.clone(),
            adapted_target: m.adapted_target.clone(),
            diff: diff_words(&m.entry.source, query),
        }
    }
}

/// The matches of one query.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct LookupJson {
    /// The query as given.
    pub query: String,
    /// Best first.
    pub matches: Vec<MatchJson>,
    /// Time taken, in milliseconds.
    pub ms: f64,
}
