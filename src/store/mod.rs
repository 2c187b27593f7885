//! The persistent translation memory: units with every variant, their
//! metadata and usage, kept in an embedded SQLite file (`team.tmdb`, the
//! default) or a PostgreSQL database (`postgres://…`, for a team), behind one
//! [`Store`] trait with the same schema in both engines.
//!
//! - [`StoreLocation`] names a store; its form picks the engine.
//! - [`open`] / [`create`] give a `Box<dyn Store>`, checking the schema:
//!   a file that is not a tmkit store, or one of a newer schema, is refused
//!   and left untouched; an older schema is migrated by the numbered SQL
//!   files under `src/store/migrations/<engine>/`.
//! - [`Unit`] is a TMX unit plus what the store adds (origin, project, free
//!   fields, context); [`import`] and [`export`] stream files in and out.
//! - [`StoreMemory`] serves a store to the fuzzy matcher through
//!   [`TranslationMemory`](crate::tm::TranslationMemory), with the fuzzy index
//!   persisted beside the data, so lookups from a store return exactly what
//!   the in-memory index returns.
//!
//! ```
//! use tmkit::store::{self, DuplicatePolicy, Filter, Unit};
//! let dir = tempfile::tempdir()?;
//! let mut tm = store::create(&dir.path().join("team.tmdb").to_string_lossy())?;
//! let report = tm.add_units(&[Unit::new(&[("en", "Good morning"), ("fr", "Bonjour")])], DuplicatePolicy::default())?;
//! assert_eq!(report.added, 1);
//! let hits = tm.search(&store::SearchQuery::new("MORNING"))?;
//! assert_eq!(hits[0].unit.tu.tuvs[1].seg.plain_text(), "Bonjour");
//! assert_eq!(tm.count(&Filter::default())?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

pub mod export;
mod filter;
pub mod import;
mod memory;
mod pgcopy;
pub mod postgres;
pub mod sqlite;
pub mod unit;

pub use memory::{IndexFeed, IndexSource, StoreMemory, entry_of, index_path};
pub use unit::{PreparedUnit, StoredUnit, Unit, text_hash};

/// Where a store lives. `*.tmdb` (or an existing SQLite file) is SQLite;
/// `postgres://` or `postgresql://` is PostgreSQL. `Debug` and `Display`
/// never show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URI.
    Postgres(String),
}

impl StoreLocation {
    /// The location `spec` names, or `None` when it names memory files
    /// (`.tmx`, `.tsv`, a folder) rather than a store.
    ///
    /// ```
    /// use tmkit::store::StoreLocation;
    /// assert!(matches!(StoreLocation::parse("team.tmdb"), Some(StoreLocation::Sqlite(_))));
    /// let pg = StoreLocation::parse("postgres://tm:secret@db/tm").unwrap();
    /// assert_eq!(format!("{pg:?}"), "Postgres(\"postgres://tm:***@db/tm\")");
    /// assert_eq!(StoreLocation::parse("memory.tmx"), None);
    /// ```
    pub fn parse(spec: &str) -> Option<StoreLocation> {
        let lower = spec.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Some(StoreLocation::Postgres(spec.to_string()));
        }
        let path = PathBuf::from(spec);
        let is_tmdb = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("tmdb"));
        (is_tmdb || sqlite::is_sqlite_file(&path)).then_some(StoreLocation::Sqlite(path))
    }

    /// The location with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            StoreLocation::Sqlite(p) => p.display().to_string(),
            StoreLocation::Postgres(uri) => redact_uri(uri),
        }
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            StoreLocation::Postgres(_) => {
                f.debug_tuple("Postgres").field(&self.redacted()).finish()
            }
        }
    }
}

impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; a
/// `password=` parameter is hidden too.
fn redact_uri(uri: &str) -> String {
    let mut out = uri.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    if let Some(p) = out.find("password=") {
        let end = out[p..].find('&').map_or(out.len(), |i| p + i);
        out.replace_range(p + "password=".len()..end, "***");
    }
    out
}

/// What to do with an incoming unit whose source (same text, same
/// languages) is already in the store with other targets. Exact duplicates
/// (every variant the same) are always skipped, so importing a file twice
/// changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// Add it beside the others, an alternative translation (as memoQ and
    /// `tmx merge` keep them): nothing is lost; the default.
    #[default]
    Add,
    /// Replace the others by it.
    Overwrite,
    /// Keep the others, skip it.
    Keep,
    /// Keep whichever has the newest change date (the store's unit on a tie).
    Newest,
}

/// What adding a batch of units did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddReport {
    /// Units added.
    pub added: u64,
    /// Exact duplicates skipped.
    pub duplicates: u64,
    /// Units whose source was already there with other targets (resolved by the policy).
    pub conflicts: u64,
    /// Units removed because an incoming unit replaced them (units added
    /// earlier in the same import among them).
    pub replaced: u64,
    /// Incoming units not added because the policy kept the stored units of
    /// their source (`Keep`, or `Newest` with a stored unit as new).
    pub kept_stored: u64,
    /// Ids of the units added, in order.
    pub ids: Vec<i64>,
    /// Units of an imported file left out: XLIFF/PO segments that are not
    /// finished (or have no target), units without a variant.
    pub left_out: u64,
    /// What of an imported TMX file the store does not hold (its reader's
    /// "lost" notices: text where TMX allows only elements, an external
    /// entity never fetched), each as `location: what`.
    pub lost: Vec<String>,
}

impl AddReport {
    /// Adds `other`'s counts to this report.
    pub fn merge(&mut self, other: AddReport) {
        self.added += other.added;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        self.replaced += other.replaced;
        self.kept_stored += other.kept_stored;
        self.ids.extend(other.ids);
        self.left_out += other.left_out;
        self.lost.extend(other.lost);
    }
}

/// Which units an export, a count, an edit or a delete concerns. Every field
/// set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these ids.
    pub ids: Vec<i64>,
    /// Has a variant in this language (BCP-47; `en` also takes `en-US`).
    pub src: Option<String>,
    /// Has a variant in this language too.
    pub tgt: Option<String>,
    /// Changed (or created) on or after this date (`YYYY-MM-DD` or TMX `YYYYMMDDThhmmssZ`).
    pub since: Option<String>,
    /// Changed (or created) before the end of this date.
    pub until: Option<String>,
    /// Created or changed by this user.
    pub user: Option<String>,
    /// In this project.
    pub project: Option<String>,
    /// In this client.
    pub client: Option<String>,
    /// In this domain.
    pub domain: Option<String>,
    /// Has these free fields or props (`name`, `value`).
    pub fields: Vec<(String, String)>,
    /// Some variant contains this text (case- and accent-insensitive).
    pub search: Option<String>,
    /// At most this many units (the first ones by id).
    pub limit: Option<u64>,
}

impl Filter {
    /// The units with these ids.
    pub fn of_ids(ids: Vec<i64>) -> Filter {
        Filter {
            ids,
            ..Filter::default()
        }
    }
}

/// The units `filter` selects, in id order, gathered.
pub fn collect_units<S: Store + ?Sized>(store: &mut S, filter: &Filter) -> Result<Vec<StoredUnit>> {
    let mut units = Vec::new();
    store.for_each_unit(filter, &mut |u| {
        units.push(u);
        Ok(())
    })?;
    Ok(units)
}

/// A concordance query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The text looked for, anywhere in a variant (case- and accent-insensitive).
    pub text: String,
    /// Look only in variants of this language.
    pub lang: Option<String>,
    /// Most units returned.
    pub limit: usize,
}

impl SearchQuery {
    /// A query for `text` in any language, at most 50 units.
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            lang: None,
            limit: 50,
        }
    }
}

/// What a store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Units.
    pub units: u64,
    /// Variants.
    pub variants: u64,
    /// Variants per language.
    pub languages: Vec<(String, u64)>,
    /// Units per (source language, other language).
    pub pairs: Vec<(String, String, u64)>,
    /// Words in the source variants.
    pub source_words: u64,
    /// Units per project (`""` for none).
    pub projects: Vec<(String, u64)>,
    /// Sources with more than one set of targets.
    pub conflicts: u64,
    /// Schema version.
    pub schema_version: u32,
}

/// A source stored with several different targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The units sharing the source, oldest id first.
    pub units: Vec<StoredUnit>,
}

/// Ways to change a unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    /// Set the text of the variant in this language (added when missing).
    pub variants: Vec<(String, String)>,
    /// Set the project (`Some("")` clears it).
    pub project: Option<String>,
    /// Set the client.
    pub client: Option<String>,
    /// Set the domain.
    pub domain: Option<String>,
    /// Set these free fields.
    pub fields: Vec<(String, String)>,
    /// Who changes it (recorded as the change user).
    pub user: Option<String>,
}

/// A translation memory store. Every write is one transaction: a reader never
/// sees half a batch, and a crash leaves exactly the committed batches.
pub trait Store: Send {
    /// Where the store lives (passwords redacted when shown).
    fn location(&self) -> &StoreLocation;
    /// The store's random id, fixed at creation (names its index files).
    fn store_id(&self) -> &str;
    /// The schema version.
    fn schema_version(&self) -> u32;
    /// A counter raised by every change of units (not by usage updates).
    fn generation(&mut self) -> Result<u64>;
    /// Records the file units are imported from and its TMX header; returns its id.
    fn register_origin(&mut self, name: &str, header: Option<&crate::tmx::Header>) -> Result<i64>;
    /// The TMX header recorded for an origin file.
    fn origin_header(&mut self, name: &str) -> Result<Option<crate::tmx::Header>>;
    /// Adds units in one transaction, skipping exact duplicates and resolving
    /// same-source conflicts by `policy`. Each unit is cloned: a
    /// [`PreparedUnit`] owns its unit (an import sends them to the writing
    /// thread), and a borrowing variant would split both engines' writers in
    /// two for a copy that costs little beside the write; a bulk caller
    /// prepares owned units and calls [`Store::add_prepared`].
    fn add_units(&mut self, units: &[Unit], policy: DuplicatePolicy) -> Result<AddReport> {
        let prepared = units
            .iter()
            .cloned()
            .map(PreparedUnit::new)
            .collect::<Result<_>>()?;
        self.add_prepared(prepared, policy)
    }
    /// [`Store::add_units`] of units prepared ahead (on an import's reading
    /// thread, so the writing one only writes): what both engines write from.
    fn add_prepared(
        &mut self,
        units: Vec<PreparedUnit>,
        policy: DuplicatePolicy,
    ) -> Result<AddReport>;
    /// Calls `each` for every unit the filter selects, in id order, streaming.
    fn for_each_unit(
        &mut self,
        filter: &Filter,
        each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64>;
    /// How many units the filter selects.
    fn count(&mut self, filter: &Filter) -> Result<u64>;
    /// One unit.
    fn unit(&mut self, id: i64) -> Result<Option<StoredUnit>> {
        Ok(collect_units(self, &Filter::of_ids(vec![id]))?.pop())
    }
    /// Changes the selected units; returns how many changed.
    fn edit(&mut self, filter: &Filter, edit: &Edit) -> Result<u64>;
    /// Deletes the selected units; returns how many.
    fn delete(&mut self, filter: &Filter) -> Result<u64>;
    /// Concordance: units with a variant containing the text.
    fn search(&mut self, query: &SearchQuery) -> Result<Vec<StoredUnit>>;
    /// Adds one use to each unit, dated `when` (TMX date).
    fn record_usage(&mut self, ids: &[i64], when: &str) -> Result<()>;
    /// Counts.
    fn stats(&mut self) -> Result<Stats>;
    /// Units per (source language, other language), as in [`Stats::pairs`],
    /// without the rest of the counts (what an import reindexes).
    fn pairs(&mut self) -> Result<Vec<(String, String, u64)>> {
        Ok(self.stats()?.pairs)
    }
    /// Sources stored with several sets of targets.
    fn conflicts(&mut self, limit: usize) -> Result<Vec<Conflict>>;
    /// Removes exact duplicates (keeping the oldest unit); returns how many went.
    fn dedupe(&mut self) -> Result<u64>;
    /// Checks the store's integrity; returns the problems found (none:
    /// healthy). Nothing is committed, but SQLite's check holds the write
    /// lock while it runs.
    fn check(&mut self) -> Result<Vec<String>>;
    /// Unit ids and change dates of units in id order, with the plain texts
    /// of their variants (language, text, inline-code count): what the fuzzy
    /// index is built from, read in one consistent snapshot with the
    /// generation it belongs to.
    fn scan_variants(&mut self, each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<u64>;
    /// The same for the given ids only (in the order given; missing ids skipped).
    fn scan_ids(&mut self, ids: &[i64], each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<()>;
    /// The units added, changed or deleted since generation `since`, by this
    /// handle or any other client, sorted, with the generation they bring a
    /// reader to: what a long-lived fuzzy index applies (reading them with
    /// [`Store::scan_ids`]; a missing one was deleted) instead of being
    /// rebuilt. `None` when the store cannot tell (it keeps no log, or too
    /// much changed): rebuild.
    fn changes_since(&mut self, since: u64) -> Result<Option<(u64, Vec<i64>)>> {
        let _ = since;
        Ok(None)
    }
    /// Announces an import of a whole file (followed by its batches and
    /// [`Store::finish_import`]): SQLite builds the concordance index of an
    /// import into an empty store beside the writes and moves it in at the
    /// end.
    fn start_import(&mut self) -> Result<()> {
        Ok(())
    }
    /// Finishes what an import left pending (PostgreSQL builds its indexes
    /// once after a bulk load into an empty store; SQLite starts moving the
    /// concordance index it built beside the store); called at the end of
    /// every file [`import`] reads, and implied by any other call. Called
    /// again, it waits for what the first call left running (SQLite's move,
    /// which a caller may overlap with other work, such as its fuzzy index).
    fn finish_import(&mut self) -> Result<()> {
        Ok(())
    }
    /// Takes what went wrong without failing the work done so far (such as
    /// SQLite's failed move of an import's side index, repaired by indexing
    /// the units in the store), for the caller to show.
    fn take_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// [`Store::scan_variants`] of the units with ids from `first` to `last`
    /// (what an import's index builder reads of each batch it added);
    /// returns the generation read.
    fn scan_range(
        &mut self,
        first: i64,
        last: i64,
        each: &mut dyn FnMut(ScannedUnit<'_>),
    ) -> Result<u64> {
        let ids: Vec<i64> = (first..=last).collect();
        self.scan_ids(&ids, each)?;
        self.generation()
    }
}

/// Generations a store's change log keeps ([`Store::changes_since`]): a
/// reader further behind rebuilds, as it does when too many units changed.
/// A bound rather than "what every reader has seen": a store does not know
/// its readers (a server may stop without saying so).
pub(crate) const CHANGES_KEPT: i64 = 10_000;

/// The change log is pruned every this many generations.
pub(crate) const PRUNE_EVERY: i64 = 256;

/// `ids` as inclusive ranges of consecutive ids.
pub(crate) fn ranges_of(ids: &[i64]) -> Vec<(i64, i64)> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for id in sorted {
        match out.last_mut() {
            Some(r) if r.1 + 1 == id => r.1 = id,
            _ => out.push((id, id)),
        }
    }
    out
}

/// One unit as [`Store::scan_variants`] hands it over.
#[derive(Debug, Clone, Copy)]
pub struct ScannedUnit<'a> {
    /// Its id.
    pub id: i64,
    /// `tuid`.
    pub tuid: Option<&'a str>,
    /// Change date (else creation date).
    pub date: Option<&'a str>,
    /// Origin file name and position.
    pub origin: Option<(&'a str, u32)>,
    /// (language, plain text, inline codes) per variant, in order.
    pub variants: &'a [(String, String, u32)],
}

/// Opens an existing store (refusing files that are not tmkit stores or have a newer schema).
pub fn open(spec: &str) -> Result<Box<dyn Store>> {
    open_location(&location_of(spec)?, false)
}

/// Opens a store, creating it when it does not exist yet.
pub fn create(spec: &str) -> Result<Box<dyn Store>> {
    open_location(&location_of(spec)?, true)
}

fn location_of(spec: &str) -> Result<StoreLocation> {
    StoreLocation::parse(spec).ok_or_else(|| {
        Error::Usage(format!(
            "{spec}: not a store (a store is a .tmdb file or a postgres:// URI)"
        ))
    })
}

/// Opens the store at `location`.
pub fn open_location(location: &StoreLocation, create: bool) -> Result<Box<dyn Store>> {
    match location {
        StoreLocation::Sqlite(path) => Ok(Box::new(sqlite::SqliteStore::open(path, create)?)),
        StoreLocation::Postgres(uri) => Ok(Box::new(postgres::PgStore::connect(uri)?)),
    }
}

/// Applies `edit` to `unit`, dating the change `now`.
pub fn apply_edit(unit: &mut Unit, edit: &Edit, now: &str) {
    for (lang, text) in &edit.variants {
        match unit
            .tu
            .tuvs
            .iter_mut()
            .find(|v| crate::tmx::model::lang_eq(&v.lang, lang))
        {
            Some(tuv) => tuv.seg = crate::tmx::Seg::from_text(text.clone()),
            None => unit
                .tu
                .tuvs
                .push(crate::tmx::Tuv::new(lang.clone(), text.clone())),
        }
    }
    for (slot, value) in [
        (&mut unit.project, &edit.project),
        (&mut unit.client, &edit.client),
        (&mut unit.domain, &edit.domain),
    ] {
        if let Some(v) = value {
            *slot = (!v.is_empty()).then(|| v.clone());
        }
    }
    for (key, value) in &edit.fields {
        match unit.fields.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => unit.fields.push((key.clone(), value.clone())),
        }
    }
    unit.tu.changedate = Some(now.to_string());
    if let Some(user) = &edit.user {
        unit.tu.changeid = Some(user.clone());
    }
}

/// TMX date (`YYYYMMDDThhmmssZ`) of now, UTC.
pub fn tmx_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A filter date as a TMX date prefix: `2024-05-01` → `20240501`; TMX dates
/// pass as they are.
pub fn date_key(date: &str) -> Result<String> {
    let digits: String = date.chars().filter(|c| *c != '-').collect();
    // By bytes: a non-ASCII character in the first eight must not be cut.
    let ok = digits.len() >= 8 && digits.as_bytes()[..8].iter().all(u8::is_ascii_digit);
    if ok {
        // A day that does not exist (2024-13-01, 2024-02-30) is refused, as
        // `tmx filter` refuses it, rather than compared as text.
        crate::tmx::validate::check_date(&format!("{}T000000Z", &digits[..8]))
            .map_err(|why| Error::Usage(format!("{date}: not a date: {why}")))?;
        Ok(digits)
    } else {
        Err(Error::Usage(format!(
            "{date}: not a date (YYYY-MM-DD or YYYYMMDDThhmmssZ)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let loc =
            StoreLocation::parse("postgresql://u:p%40ss@h:5432/db?password=x&sslmode=off").unwrap();
        let shown = format!("{loc:?} {loc}");
        assert!(
            !shown.contains("p%40ss") && !shown.contains("=x"),
            "{shown}"
        );
        assert_eq!(
            loc.redacted(),
            "postgresql://u:***@h:5432/db?password=***&sslmode=off"
        );
    }

    #[test]
    fn now_is_a_tmx_date_and_dates_become_keys() {
        let now = tmx_now();
        assert_eq!(now.len(), 16);
        assert!(now.starts_with("20") && now.ends_with('Z'));
        assert_eq!(date_key("2024-05-01").unwrap(), "20240501");
        assert!(date_key("May 1").is_err());
        assert!(date_key("2024-13-01").is_err());
        assert!(date_key("2024-02-30").is_err());
        assert_eq!(date_key("2024-02-29").unwrap(), "20240229");
        assert!(date_key("iâ\u{23ca9}\u{a0ed1}x").is_err());
    }
}
