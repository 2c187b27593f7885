//! Which units a [`Filter`] selects, as an SQL condition over `units u` for
//! either engine; every parameter is text.

use super::Filter;
use super::unit::{normalize_lang, search_fold};
use crate::error::Result;

/// The SQL spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite: `?N` parameters, FTS5 and `tm_fold` for search.
    Sqlite,
    /// PostgreSQL: `$N` parameters, the folded column and pg_trgm for search.
    Postgres,
}

impl Dialect {
    /// The condition tying variants `v` to unit `u`.
    fn variants_of_unit(self) -> &'static str {
        match self {
            Dialect::Sqlite => "v.id BETWEEN u.id * 256 AND u.id * 256 + 255",
            Dialect::Postgres => "v.unit_id = u.id",
        }
    }

    /// The variant's language as a condition reads it: in SQLite with a
    /// unary `+`, so the planner stays on the unit's rowid range instead of
    /// indexing `lang` (see the plans checked in `sqlite::plan_tests`).
    fn variant_lang(self) -> &'static str {
        match self {
            Dialect::Sqlite => "+v.lang",
            Dialect::Postgres => "v.lang",
        }
    }
}

/// `%text%` for LIKE, with `%`, `_` and `\` in the text escaped.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The SQL condition (over `units u`) and its parameters for `filter`.
pub(crate) fn filter_sql(filter: &Filter, dialect: Dialect) -> Result<(String, Vec<String>)> {
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let param = |values: &mut Vec<String>, v: String| {
        values.push(v);
        match dialect {
            Dialect::Sqlite => format!("?{}", values.len()),
            Dialect::Postgres => format!("${}::text", values.len()),
        }
    };
    if !filter.ids.is_empty() {
        let ids: Vec<String> = filter.ids.iter().map(i64::to_string).collect();
        conds.push(format!("u.id IN ({})", ids.join(",")));
    }
    for lang in [&filter.src, &filter.tgt].into_iter().flatten() {
        let p = param(&mut values, normalize_lang(lang));
        let lang = dialect.variant_lang();
        conds.push(format!(
            "EXISTS (SELECT 1 FROM variants v WHERE {} AND ({lang} = {p} OR {lang} LIKE {p} || '-%'))",
            dialect.variants_of_unit()
        ));
    }
    if let Some(since) = &filter.since {
        let p = param(&mut values, super::date_key(since)?[..8].to_string());
        conds.push(format!(
            "substr(coalesce(u.change_date, u.creation_date), 1, 8) >= {p}"
        ));
    }
    if let Some(until) = &filter.until {
        let p = param(&mut values, super::date_key(until)?[..8].to_string());
        conds.push(format!(
            "substr(coalesce(u.change_date, u.creation_date), 1, 8) <= {p}"
        ));
    }
    if let Some(user) = &filter.user {
        let p = param(&mut values, user.clone());
        conds.push(format!("(u.creation_user = {p} OR u.change_user = {p})"));
    }
    for (column, value) in [
        ("project", &filter.project),
        ("client", &filter.client),
        ("domain", &filter.domain),
    ] {
        if let Some(v) = value {
            let p = param(&mut values, v.clone());
            conds.push(format!("u.{column} = {p}"));
        }
    }
    for (name, value) in &filter.fields {
        let pn = param(&mut values, name.clone());
        let pv = param(&mut values, value.clone());
        conds.push(format!(
            "EXISTS (SELECT 1 FROM fields f WHERE f.unit_id = u.id AND f.name = {pn} AND f.value = {pv})"
        ));
    }
    if let Some(text) = &filter.search {
        let folded = search_fold(text);
        match dialect {
            Dialect::Sqlite => {
                let pf = param(&mut values, folded);
                // The trigram index (one row per unit) narrows the units;
                // the text of a variant decides.
                if let Some(fts) = super::sqlite::fts_query(text) {
                    let pm = param(&mut values, fts);
                    conds.push(format!(
                        "u.id IN (SELECT rowid FROM units_fts WHERE units_fts MATCH {pm})"
                    ));
                }
                conds.push(format!(
                    "EXISTS (SELECT 1 FROM variants v WHERE v.id BETWEEN u.id * 256 AND u.id * 256 + 255 \
                     AND instr(tm_fold(v.text), {pf}) > 0)"
                ));
            }
            Dialect::Postgres => {
                let p = param(&mut values, like_pattern(&folded));
                conds.push(format!(
                    "u.id IN (SELECT v.unit_id FROM variants v WHERE v.folded LIKE {p})"
                ));
            }
        }
    }
    let sql = if conds.is_empty() {
        "1 = 1".to_string()
    } else {
        conds.join(" AND ")
    };
    Ok((sql, values))
}
