//! The PostgreSQL engine, for a team sharing one memory: the same schema as
//! SQLite (numbered migrations under `migrations/postgres/`), units written
//! with `COPY`, concordance through pg_trgm over a folded copy of each text.
//! Writers take a transaction-level advisory lock, so concurrent clients
//! never add the same unit twice; readers are never blocked.

use std::collections::HashMap;
use std::io::Write;

use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Transaction};

use super::filter::{Dialect, filter_sql, like_pattern};
use super::unit::{
    self, UnitHashes, UnitRow, columns_suffice, finish_unit, normalize_lang, search_fold,
    unit_hashes,
};
use super::{
    AddReport, Conflict, DuplicatePolicy, Edit, Filter, ScannedUnit, SearchQuery, Stats, Store,
    StoreLocation, StoredUnit, Unit,
};
use crate::error::{Error, Location, Result};
use crate::tmx::{Header, Note, Tu};

/// The migrations, in order; the schema version is how many have run.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_init.sql"),
    include_str!("migrations/postgres/0002_filter_indexes.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock writers hold (`tmkt`).
const WRITE_LOCK: i64 = 0x746D_6B74;

/// Units read per round trip when streaming.
const PAGE: i64 = 5000;

/// A store in a PostgreSQL database (the tables live in the connection's
/// first `search_path` schema).
pub struct PgStore {
    client: Client,
    location: StoreLocation,
    id: String,
    version: u32,
}

fn pg_err(location: &StoreLocation) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| {
        let detail = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string());
        Error::invalid(
            Location::file(location.redacted()),
            format!("PostgreSQL: {detail}"),
        )
    }
}

/// Drops and re-creates `schema` in the database at `uri`, with pg_trgm
/// available (tests give each case a schema of its own).
pub fn reset_schema(uri: &str, schema: &str) -> Result<()> {
    let location = StoreLocation::Postgres(uri.to_string());
    let mut client = Client::connect(uri, NoTls).map_err(pg_err(&location))?;
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    client
        .batch_execute(&format!(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public; \
             DROP SCHEMA IF EXISTS {quoted} CASCADE; CREATE SCHEMA {quoted};"
        ))
        .map_err(pg_err(&location))
}

impl PgStore {
    /// Connects, refusing a database whose tables are not a tmkit store's or
    /// whose schema is newer, and migrating an older one (or an empty database).
    pub fn connect(uri: &str) -> Result<PgStore> {
        Self::connect_at_version(uri, SCHEMA_VERSION)
    }

    /// [`PgStore::connect`], migrating no further than `version`.
    pub fn connect_at_version(uri: &str, version: u32) -> Result<PgStore> {
        let location = StoreLocation::Postgres(uri.to_string());
        let client = Client::connect(uri, NoTls).map_err(pg_err(&location))?;
        let mut store = PgStore {
            client,
            location,
            id: String::new(),
            version: 0,
        };
        store.migrate_to(version.min(SCHEMA_VERSION))?;
        let id: Option<String> = store
            .client
            .query_opt("SELECT value FROM tmkit_meta WHERE key = 'store_id'", &[])
            .map_err(pg_err(&store.location))?
            .map(|r| r.get(0));
        store.id = id.unwrap_or_default();
        Ok(store)
    }

    fn migrate_to(&mut self, target: u32) -> Result<()> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.client.transaction().map_err(&err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(&err)?;
        let has_meta: bool = tx
            .query_one("SELECT to_regclass('tmkit_meta') IS NOT NULL", &[])
            .map_err(&err)?
            .get(0);
        let current: u32 = if has_meta {
            let v: Option<String> = tx
                .query_opt(
                    "SELECT value FROM tmkit_meta WHERE key = 'schema_version'",
                    &[],
                )
                .map_err(&err)?
                .map(|r| r.get(0));
            v.and_then(|v| v.parse().ok()).ok_or_else(|| {
                Error::invalid(
                    Location::file(location.redacted()),
                    "tmkit_meta has no schema version: not a tmkit store; left untouched",
                )
            })?
        } else {
            let foreign: bool = tx
                .query_one(
                    "SELECT to_regclass('units') IS NOT NULL OR to_regclass('variants') IS NOT NULL",
                    &[],
                )
                .map_err(&err)?
                .get(0);
            if foreign {
                return Err(Error::invalid(
                    Location::file(location.redacted()),
                    "the database has tables named like a store's but is not a tmkit store; left untouched",
                ));
            }
            0
        };
        if current > SCHEMA_VERSION {
            return Err(Error::invalid(
                Location::file(location.redacted()),
                format!(
                    "store schema version {current} is newer than this tmkit's ({SCHEMA_VERSION}); upgrade tmkit; left untouched"
                ),
            ));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
            let version = i as u32 + 1;
            if version <= current {
                continue;
            }
            tx.batch_execute(sql).map_err(|e| {
                Error::invalid(
                    Location::file(location.redacted()),
                    format!("migration {version:04} failed: {e}"),
                )
            })?;
            if version == 1 {
                tx.execute(
                    "INSERT INTO tmkit_meta(key, value) VALUES ('store_id', $1), ('generation', '0'), ('schema_version', '1')",
                    &[&new_store_id()],
                )
                .map_err(&err)?;
            }
            tx.execute(
                "UPDATE tmkit_meta SET value = $1 WHERE key = 'schema_version'",
                &[&version.to_string()],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        self.version = current.max(target);
        Ok(())
    }

    fn write_tx(&mut self) -> Result<Transaction<'_>> {
        let err = pg_err(&self.location);
        let mut tx = self.client.transaction().map_err(&err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(&err)?;
        Ok(tx)
    }
}

fn new_store_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let h = unit::fnv1a(&[&nanos.to_le_bytes(), &std::process::id().to_le_bytes()]);
    format!("{h:016x}")
}

fn params(values: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// Appends `value` to a COPY text row (`\N` for none), then `sep`.
fn copy_field(row: &mut String, value: Option<&str>, sep: char) {
    match value {
        None => row.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => row.push_str("\\\\"),
                    '\t' => row.push_str("\\t"),
                    '\n' => row.push_str("\\n"),
                    '\r' => row.push_str("\\r"),
                    c => row.push(c),
                }
            }
        }
    }
    row.push(sep);
}

/// Writes units with the given ids through COPY.
fn copy_units(
    tx: &mut Transaction<'_>,
    rows: &[(i64, &Unit, UnitHashes, Option<i64>)],
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<()> {
    let (mut units, mut variants, mut fields) = (String::new(), String::new(), String::new());
    for &(id, unit, hashes, origin) in rows {
        let tu = &unit.tu;
        let usage: i64 = tu
            .usagecount
            .as_deref()
            .and_then(|u| u.trim().parse().ok())
            .unwrap_or(0);
        let tmx = if columns_suffice(tu) {
            None
        } else {
            Some(unit::tu_to_xml(tu)?)
        };
        let nums = [
            Some(id.to_string()),
            Some(usage.to_string()),
            origin.map(|o| o.to_string()),
            unit.origin_position.map(|p| p.to_string()),
            Some((hashes.content as i64).to_string()),
            Some((hashes.source as i64).to_string()),
            unit.context.0.map(|h| (h as i64).to_string()),
            unit.context.1.map(|h| (h as i64).to_string()),
        ];
        let note = unit.note();
        let source_lang = normalize_lang(&unit.source_lang);
        let fields_in_order: [Option<&str>; 20] = [
            nums[0].as_deref(),
            tu.tuid.as_deref(),
            Some(&source_lang),
            tu.creationdate.as_deref(),
            tu.creationid.as_deref(),
            tu.changedate.as_deref(),
            tu.changeid.as_deref(),
            nums[1].as_deref(),
            tu.lastusagedate.as_deref(),
            nums[2].as_deref(),
            nums[3].as_deref(),
            unit.project.as_deref(),
            unit.client.as_deref(),
            unit.domain.as_deref(),
            note.as_deref(),
            nums[4].as_deref(),
            nums[5].as_deref(),
            nums[6].as_deref(),
            nums[7].as_deref(),
            tmx.as_deref(),
        ];
        for (i, v) in fields_in_order.iter().enumerate() {
            copy_field(&mut units, *v, if i == 19 { '\n' } else { '\t' });
        }
        for tuv in &tu.tuvs {
            let text = tuv.seg.plain_text();
            copy_field(&mut variants, Some(&id.to_string()), '\t');
            copy_field(&mut variants, Some(&normalize_lang(&tuv.lang)), '\t');
            copy_field(&mut variants, Some(&text), '\t');
            copy_field(
                &mut variants,
                Some(&unit::code_count(tuv).to_string()),
                '\t',
            );
            copy_field(
                &mut variants,
                Some(&(unit::text_hash(&text) as i64).to_string()),
                '\t',
            );
            copy_field(&mut variants, Some(&search_fold(&text)), '\n');
        }
        let props = tu
            .props
            .iter()
            .map(|p| ("prop", p.kind.as_str(), p.value.as_str()));
        let free = unit
            .fields
            .iter()
            .map(|(k, v)| ("field", k.as_str(), v.as_str()));
        for (kind, name, value) in props.chain(free) {
            copy_field(&mut fields, Some(&id.to_string()), '\t');
            copy_field(&mut fields, Some(kind), '\t');
            copy_field(&mut fields, Some(name), '\t');
            copy_field(&mut fields, Some(value), '\n');
        }
    }
    for (sql, data) in [
        (
            "COPY units (id, tuid, source_lang, creation_date, creation_user, change_date, change_user, \
             usage_count, last_used, origin_id, origin_pos, project, client, domain, note, content_hash, \
             source_hash, context_prev, context_next, tmx) FROM STDIN",
            &units,
        ),
        (
            "COPY variants (unit_id, lang, text, codes, text_hash, folded) FROM STDIN",
            &variants,
        ),
        (
            "COPY fields (unit_id, kind, name, value) FROM STDIN",
            &fields,
        ),
    ] {
        if data.is_empty() {
            continue;
        }
        let mut writer = tx.copy_in(sql).map_err(err)?;
        writer
            .write_all(data.as_bytes())
            .map_err(|e| Error::Usage(format!("PostgreSQL COPY: {e}")))?;
        writer.finish().map_err(err)?;
    }
    Ok(())
}

fn origin_ids(
    tx: &mut Transaction<'_>,
    names: &[&str],
    err: &dyn Fn(postgres::Error) -> Error,
) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for name in names {
        if out.contains_key(*name) {
            continue;
        }
        tx.execute(
            "INSERT INTO origins (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
            &[name],
        )
        .map_err(err)?;
        let id: i64 = tx
            .query_one("SELECT id FROM origins WHERE name = $1", &[name])
            .map_err(err)?
            .get(0);
        out.insert(name.to_string(), id);
    }
    Ok(out)
}

fn bump_generation(tx: &mut Transaction<'_>, err: &dyn Fn(postgres::Error) -> Error) -> Result<()> {
    tx.execute(
        "UPDATE tmkit_meta SET value = (value::bigint + 1)::text WHERE key = 'generation'",
        &[],
    )
    .map_err(err)
    .map(|_| ())
}

/// Origin id and position of a stored unit (what makes a re-import a duplicate).
type Place = (Option<i64>, Option<i64>);

/// Id, tuid, date, origin name and position of a scanned unit.
type ScanHead = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

const UNIT_COLUMNS: &str = "u.id, u.tuid, u.source_lang, u.creation_date, u.creation_user, \
    u.change_date, u.change_user, u.usage_count, u.last_used, o.name, u.origin_pos, u.project, \
    u.client, u.domain, u.note, u.context_prev, u.context_next, u.tmx";

fn unit_row(r: &postgres::Row) -> UnitRow {
    let usage: i64 = r.get(7);
    let mut tu = Tu {
        tuid: r.get(1),
        creationdate: r.get(3),
        creationid: r.get(4),
        changedate: r.get(5),
        changeid: r.get(6),
        usagecount: (usage > 0).then(|| usage.to_string()),
        lastusagedate: r.get(8),
        ..Tu::default()
    };
    if let Some(note) = r.get::<_, Option<String>>(14) {
        tu.notes.push(Note::new(note));
    }
    let prev: Option<i64> = r.get(15);
    let next: Option<i64> = r.get(16);
    UnitRow {
        id: r.get(0),
        unit: Unit {
            tu,
            source_lang: r.get(2),
            origin: r.get(9),
            origin_position: r.get::<_, Option<i64>>(10).map(|p| p as u32),
            project: r.get(11),
            client: r.get(12),
            domain: r.get(13),
            fields: Vec::new(),
            context: (prev.map(|h| h as u64), next.map(|h| h as u64)),
        },
        tmx: r.get(17),
        usage,
    }
}

impl Store for PgStore {
    fn location(&self) -> &StoreLocation {
        &self.location
    }

    fn store_id(&self) -> &str {
        &self.id
    }

    fn schema_version(&self) -> u32 {
        self.version
    }

    fn generation(&mut self) -> Result<u64> {
        let v: String = self
            .client
            .query_one("SELECT value FROM tmkit_meta WHERE key = 'generation'", &[])
            .map_err(pg_err(&self.location))?
            .get(0);
        Ok(v.parse().unwrap_or(0))
    }

    fn register_origin(&mut self, name: &str, header: Option<&Header>) -> Result<i64> {
        let doc = header.map(unit::header_to_doc).transpose()?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.write_tx()?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO origins (name, header) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET header = coalesce(excluded.header, origins.header) RETURNING id",
                &[&name, &doc],
            )
            .map_err(&err)?
            .get(0);
        tx.commit().map_err(&err)?;
        Ok(id)
    }

    fn origin_header(&mut self, name: &str) -> Result<Option<Header>> {
        let doc: Option<Option<String>> = self
            .client
            .query_opt("SELECT header FROM origins WHERE name = $1", &[&name])
            .map_err(pg_err(&self.location))?
            .map(|r| r.get(0));
        doc.flatten().map(|d| unit::header_from_doc(&d)).transpose()
    }

    fn add_units(&mut self, units: &[Unit], policy: DuplicatePolicy) -> Result<AddReport> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.write_tx()?;
        let names: Vec<&str> = units.iter().filter_map(|u| u.origin.as_deref()).collect();
        let origins = origin_ids(&mut tx, &names, &err)?;
        let hashes: Vec<UnitHashes> = units.iter().map(unit_hashes).collect();
        let contents: Vec<i64> = hashes.iter().map(|h| h.content as i64).collect();
        let sources: Vec<i64> = hashes.iter().map(|h| h.source as i64).collect();
        // What the store holds of this batch's hashes; then the batch's own
        // units join these maps as they are admitted (ids < 0: not yet written).
        let mut by_content: HashMap<i64, Vec<Place>> = HashMap::new();
        for r in tx
            .query(
                "SELECT content_hash, origin_id, origin_pos FROM units WHERE content_hash = ANY($1)",
                &[&contents],
            )
            .map_err(&err)?
        {
            by_content.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
        }
        let mut by_source: HashMap<i64, Vec<(i64, Option<String>)>> = HashMap::new();
        for r in tx
            .query(
                "SELECT source_hash, id, coalesce(change_date, creation_date) FROM units WHERE source_hash = ANY($1)",
                &[&sources],
            )
            .map_err(&err)?
        {
            by_source.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
        }
        let mut report = AddReport::default();
        let mut admitted: Vec<Option<usize>> = Vec::new();
        let mut removed: Vec<i64> = Vec::new();
        for (i, unit) in units.iter().enumerate() {
            if unit.tu.tuvs.is_empty() {
                continue;
            }
            let h = hashes[i];
            let origin = unit.origin.as_deref().and_then(|n| origins.get(n).copied());
            let pos = unit.origin_position.map(i64::from);
            let known = by_content.get(&(h.content as i64));
            let duplicate = match policy {
                DuplicatePolicy::Add => known.is_some_and(|k| k.contains(&(origin, pos))),
                _ => known.is_some_and(|k| !k.is_empty()),
            };
            if duplicate {
                report.duplicates += 1;
                continue;
            }
            let same = by_source.entry(h.source as i64).or_default();
            if !same.is_empty() {
                report.conflicts += 1;
                let dates: Vec<Option<String>> = same.iter().map(|(_, d)| d.clone()).collect();
                if !super::sqlite::policy_admits(policy, unit.tu.last_modified(), &dates) {
                    continue;
                }
                if policy != DuplicatePolicy::Add {
                    for (id, _) in same.drain(..) {
                        report.replaced += 1;
                        if id < 0 {
                            admitted[(-id - 1) as usize] = None;
                            report.added -= 1;
                        } else {
                            removed.push(id);
                        }
                    }
                }
            }
            let slot = admitted.len() as i64;
            admitted.push(Some(i));
            same.push((-slot - 1, unit.tu.last_modified().map(str::to_string)));
            by_content
                .entry(h.content as i64)
                .or_default()
                .push((origin, pos));
            report.added += 1;
        }
        if !removed.is_empty() {
            tx.execute("DELETE FROM units WHERE id = ANY($1)", &[&removed])
                .map_err(&err)?;
        }
        let keep: Vec<usize> = admitted.into_iter().flatten().collect();
        if !keep.is_empty() {
            let ids: Vec<i64> = tx
                .query(
                    "SELECT nextval(pg_get_serial_sequence('units', 'id')) FROM generate_series(1, $1::bigint)",
                    &[&(keep.len() as i64)],
                )
                .map_err(&err)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let rows: Vec<(i64, &Unit, UnitHashes, Option<i64>)> = keep
                .iter()
                .zip(&ids)
                .map(|(&i, &id)| {
                    let origin = units[i]
                        .origin
                        .as_deref()
                        .and_then(|n| origins.get(n).copied());
                    (id, &units[i], hashes[i], origin)
                })
                .collect();
            copy_units(&mut tx, &rows, &err)?;
            report.ids = ids;
        }
        if report.added + report.replaced > 0 {
            bump_generation(&mut tx, &err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(report)
    }

    fn for_each_unit(
        &mut self,
        filter: &Filter,
        each: &mut dyn FnMut(StoredUnit) -> Result<()>,
    ) -> Result<u64> {
        let (cond, mut values) = filter_sql(filter, Dialect::Postgres)?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(&err)?;
        values.push(String::new());
        let last_param = values.len();
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
             WHERE {cond} AND u.id > ${last_param}::text::bigint ORDER BY u.id LIMIT {PAGE}"
        );
        let mut after = 0i64;
        let mut count = 0u64;
        let limit = filter.limit.unwrap_or(u64::MAX);
        while count < limit {
            values[last_param - 1] = after.to_string();
            let rows = tx.query(&sql, &params(&values)).map_err(&err)?;
            if rows.is_empty() {
                break;
            }
            let units: Vec<UnitRow> = rows.iter().map(unit_row).collect();
            let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
            after = *ids.last().unwrap_or(&after);
            let mut vars: HashMap<i64, Vec<(String, String)>> = HashMap::new();
            for r in tx
                .query(
                    "SELECT unit_id, lang, text FROM variants WHERE unit_id = ANY($1) ORDER BY unit_id, id",
                    &[&ids],
                )
                .map_err(&err)?
            {
                vars.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
            }
            let mut flds: HashMap<i64, Vec<(String, String, String)>> = HashMap::new();
            for r in tx
                .query(
                    "SELECT unit_id, kind, name, value FROM fields WHERE unit_id = ANY($1) ORDER BY unit_id, ctid",
                    &[&ids],
                )
                .map_err(&err)?
            {
                flds.entry(r.get(0))
                    .or_default()
                    .push((r.get(1), r.get(2), r.get(3)));
            }
            for row in units {
                if count >= limit {
                    break;
                }
                let id = row.id;
                let v = vars.remove(&id).unwrap_or_default();
                let f = flds.remove(&id).unwrap_or_default();
                each(finish_unit(row, v, f)?)?;
                count += 1;
            }
        }
        tx.commit().map_err(&err)?;
        Ok(count)
    }

    fn count(&mut self, filter: &Filter) -> Result<u64> {
        let (cond, values) = filter_sql(filter, Dialect::Postgres)?;
        let limit = filter
            .limit
            .map(|n| format!(" LIMIT {n}"))
            .unwrap_or_default();
        let n: i64 = self
            .client
            .query_one(
                &format!("SELECT count(*) FROM (SELECT 1 FROM units u WHERE {cond}{limit}) s"),
                &params(&values),
            )
            .map_err(pg_err(&self.location))?
            .get(0);
        Ok(n as u64)
    }

    fn edit(&mut self, filter: &Filter, edit: &Edit) -> Result<u64> {
        let selected = super::collect_units(self, filter)?;
        let now = super::tmx_now();
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.write_tx()?;
        let mut edited: Vec<(i64, Unit)> = Vec::new();
        for stored in &selected {
            let mut unit = stored.unit.clone();
            super::apply_edit(&mut unit, edit, &now);
            edited.push((stored.id, unit));
        }
        let ids: Vec<i64> = edited.iter().map(|(id, _)| *id).collect();
        tx.execute("DELETE FROM units WHERE id = ANY($1)", &[&ids])
            .map_err(&err)?;
        let names: Vec<&str> = edited
            .iter()
            .filter_map(|(_, u)| u.origin.as_deref())
            .collect();
        let origins = origin_ids(&mut tx, &names, &err)?;
        let rows: Vec<(i64, &Unit, UnitHashes, Option<i64>)> = edited
            .iter()
            .map(|(id, u)| {
                let origin = u.origin.as_deref().and_then(|n| origins.get(n).copied());
                (*id, u, unit_hashes(u), origin)
            })
            .collect();
        copy_units(&mut tx, &rows, &err)?;
        if !rows.is_empty() {
            bump_generation(&mut tx, &err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(rows.len() as u64)
    }

    fn delete(&mut self, filter: &Filter) -> Result<u64> {
        let (cond, values) = filter_sql(filter, Dialect::Postgres)?;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.write_tx()?;
        let n = tx
            .execute(
                &format!("DELETE FROM units WHERE id IN (SELECT u.id FROM units u WHERE {cond})"),
                &params(&values),
            )
            .map_err(&err)?;
        if n > 0 {
            bump_generation(&mut tx, &err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(n)
    }

    fn search(&mut self, query: &SearchQuery) -> Result<Vec<StoredUnit>> {
        if query.text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let pattern = like_pattern(&search_fold(&query.text));
        let lang = query.lang.as_deref().map(normalize_lang);
        let ids: Vec<i64> = self
            .client
            .query(
                "SELECT DISTINCT v.unit_id FROM variants v WHERE v.folded LIKE $1 \
                 AND ($2::text IS NULL OR v.lang = $2 OR v.lang LIKE $2 || '-%') \
                 ORDER BY v.unit_id LIMIT $3",
                &[&pattern, &lang, &(query.limit as i64)],
            )
            .map_err(pg_err(&self.location))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        super::collect_units(self, &Filter::of_ids(ids))
    }

    fn record_usage(&mut self, ids: &[i64], when: &str) -> Result<()> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.client.transaction().map_err(&err)?;
        for id in ids {
            tx.execute(
                "UPDATE units SET usage_count = usage_count + 1, last_used = $2 WHERE id = $1",
                &[id, &when],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    fn stats(&mut self) -> Result<Stats> {
        let err = pg_err(&self.location);
        let c = &mut self.client;
        let mut count = |sql: &str| -> Result<u64> {
            Ok(c.query_one(sql, &[]).map_err(&err)?.get::<_, i64>(0) as u64)
        };
        let units = count("SELECT count(*) FROM units")?;
        let variants = count("SELECT count(*) FROM variants")?;
        let conflicts = count(
            "SELECT count(*) FROM (SELECT source_hash FROM units GROUP BY source_hash \
             HAVING count(DISTINCT content_hash) > 1) s",
        )?;
        let pairs_of = |c: &mut Client, sql: &str| -> Result<Vec<(String, u64)>> {
            Ok(c.query(sql, &[])
                .map_err(&err)?
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
                .collect())
        };
        let languages = pairs_of(
            c,
            "SELECT lang, count(*) FROM variants GROUP BY lang ORDER BY 2 DESC, 1",
        )?;
        let projects = pairs_of(
            c,
            "SELECT coalesce(project, ''), count(*) FROM units GROUP BY 1 ORDER BY 2 DESC, 1",
        )?;
        let pairs = c
            .query(
                "SELECT u.source_lang, v.lang, count(*) FROM units u JOIN variants v ON v.unit_id = u.id \
                 WHERE v.lang <> u.source_lang GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
                &[],
            )
            .map_err(&err)?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get::<_, i64>(2) as u64))
            .collect();
        let mut source_words = 0u64;
        let mut tx = c.transaction().map_err(&err)?;
        let rows = tx
            .query_raw(
                "SELECT v.text FROM units u JOIN variants v ON v.unit_id = u.id AND v.lang = u.source_lang",
                std::iter::empty::<&str>(),
            )
            .map_err(&err)?;
        use postgres::fallible_iterator::FallibleIterator;
        let mut rows = rows;
        while let Some(r) = rows.next().map_err(&err)? {
            source_words += crate::text::tokenize::word_count(r.get::<_, &str>(0)) as u64;
        }
        drop(rows);
        tx.commit().map_err(&err)?;
        Ok(Stats {
            units,
            variants,
            languages,
            pairs,
            source_words,
            projects,
            conflicts,
            schema_version: self.version,
        })
    }

    fn conflicts(&mut self, limit: usize) -> Result<Vec<Conflict>> {
        let groups: Vec<i64> = self
            .client
            .query(
                "SELECT source_hash FROM units GROUP BY source_hash \
                 HAVING count(DISTINCT content_hash) > 1 ORDER BY min(id) LIMIT $1",
                &[&(limit as i64)],
            )
            .map_err(pg_err(&self.location))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::new();
        for hash in groups {
            let ids: Vec<i64> = self
                .client
                .query(
                    "SELECT id FROM units WHERE source_hash = $1 ORDER BY id",
                    &[&hash],
                )
                .map_err(pg_err(&self.location))?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let units = super::collect_units(self, &Filter::of_ids(ids))?;
            out.push(Conflict { units });
        }
        Ok(out)
    }

    fn dedupe(&mut self) -> Result<u64> {
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self.write_tx()?;
        let n = tx
            .execute(
                "DELETE FROM units u WHERE EXISTS \
                 (SELECT 1 FROM units o WHERE o.content_hash = u.content_hash AND o.id < u.id)",
                &[],
            )
            .map_err(&err)?;
        if n > 0 {
            bump_generation(&mut tx, &err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(n)
    }

    fn check(&mut self) -> Result<Vec<String>> {
        let err = pg_err(&self.location);
        let mut problems = Vec::new();
        let checks = [
            (
                "SELECT count(*) FROM units u WHERE NOT EXISTS (SELECT 1 FROM variants v WHERE v.unit_id = u.id)",
                "unit(s) without any variant",
            ),
            (
                "SELECT count(*) FROM variants WHERE folded IS NULL",
                "variant(s) missing from the concordance",
            ),
            (
                "SELECT 2 - count(*) FROM tmkit_meta WHERE key IN ('store_id', 'generation')",
                "metadata row(s) missing",
            ),
        ];
        for (sql, what) in checks {
            let n: i64 = self.client.query_one(sql, &[]).map_err(&err)?.get(0);
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        Ok(problems)
    }

    fn scan_variants(&mut self, each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<u64> {
        use postgres::fallible_iterator::FallibleIterator;
        let location = self.location.clone();
        let err = pg_err(&location);
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(&err)?;
        let generation: String = tx
            .query_one("SELECT value FROM tmkit_meta WHERE key = 'generation'", &[])
            .map_err(&err)?
            .get(0);
        let mut rows = tx
            .query_raw(
                "SELECT u.id, u.tuid, coalesce(u.change_date, u.creation_date), o.name, u.origin_pos, \
                 v.lang, v.text, v.codes FROM units u LEFT JOIN origins o ON o.id = u.origin_id \
                 JOIN variants v ON v.unit_id = u.id ORDER BY u.id, v.id",
                std::iter::empty::<&str>(),
            )
            .map_err(&err)?;
        let mut current: Option<ScanHead> = None;
        let mut vars: Vec<(String, String, u32)> = Vec::new();
        let mut emit = |head: &ScanHead, vars: &[(String, String, u32)]| {
            each(ScannedUnit {
                id: head.0,
                tuid: head.1.as_deref(),
                date: head.2.as_deref(),
                origin: head.3.as_deref().map(|o| (o, head.4.unwrap_or(0) as u32)),
                variants: vars,
            });
        };
        while let Some(r) = rows.next().map_err(&err)? {
            let id: i64 = r.get(0);
            if current.as_ref().is_none_or(|c| c.0 != id) {
                if let Some(head) = current.take() {
                    emit(&head, &vars);
                }
                vars.clear();
                current = Some((id, r.get(1), r.get(2), r.get(3), r.get(4)));
            }
            let codes: i32 = r.get(7);
            vars.push((r.get(5), r.get(6), codes.max(0) as u32));
        }
        if let Some(head) = current.take() {
            emit(&head, &vars);
        }
        drop(rows);
        tx.commit().map_err(&err)?;
        Ok(generation.parse().unwrap_or(0))
    }

    fn scan_ids(&mut self, ids: &[i64], each: &mut dyn FnMut(ScannedUnit<'_>)) -> Result<()> {
        let err = pg_err(&self.location);
        for &id in ids {
            let Some(head) = self
                .client
                .query_opt(
                    "SELECT u.tuid, coalesce(u.change_date, u.creation_date), o.name, u.origin_pos \
                     FROM units u LEFT JOIN origins o ON o.id = u.origin_id WHERE u.id = $1",
                    &[&id],
                )
                .map_err(&err)?
            else {
                continue;
            };
            let vars: Vec<(String, String, u32)> = self
                .client
                .query(
                    "SELECT lang, text, codes FROM variants WHERE unit_id = $1 ORDER BY id",
                    &[&id],
                )
                .map_err(&err)?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get::<_, i32>(2).max(0) as u32))
                .collect();
            let (tuid, date, origin, pos): (
                Option<String>,
                Option<String>,
                Option<String>,
                Option<i64>,
            ) = (head.get(0), head.get(1), head.get(2), head.get(3));
            each(ScannedUnit {
                id,
                tuid: tuid.as_deref(),
                date: date.as_deref(),
                origin: origin.as_deref().map(|o| (o, pos.unwrap_or(0) as u32)),
                variants: &vars,
            });
        }
        Ok(())
    }
}
