//! The query plans of the joins between units and their variants: each must
//! walk the variant rowid range of each unit, never build an automatic index
//! nor scan the variants once per unit (the quadratic plan `stats` once had).
//! Plans do not depend on the amount of data (the store keeps no
//! statistics), so a small store shows the plan a large one gets.

use super::*;
use crate::store::filter::{Dialect, filter_sql};

/// The plan SQLite picks for `sql`, one line per step.
fn plan(conn: &Connection, sql: &str, values: &[String]) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    stmt.query_map(params_from_iter(values.iter()), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

/// Asserts that the plan reaches variants only by rowid (the range of a
/// unit, or the candidates of the concordance index).
fn assert_range_plan(conn: &Connection, sql: &str, values: &[String]) {
    let steps = plan(conn, sql, values);
    let shown = steps.join("\n");
    assert!(!shown.contains("AUTOMATIC"), "{sql}\n{shown}");
    let on_variants: Vec<&String> = steps
        .iter()
        .filter(|s| s.contains(" v ") || s.ends_with(" v"))
        .collect();
    assert!(!on_variants.is_empty(), "{sql}\n{shown}");
    for step in on_variants {
        assert!(
            step.starts_with("SEARCH v ") && step.contains("USING INTEGER PRIMARY KEY (rowid"),
            "{sql}\n{shown}"
        );
    }
}

#[test]
fn joins_of_units_and_variants_stay_on_rowid_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("plans.tmdb"), true).unwrap();
    let mut unit = Unit::new(&[
        ("en", "The talks resume"),
        ("fr", "Les négociations reprennent"),
    ]);
    unit.project = Some("news".into());
    unit.fields.push(("desk".into(), "world".into()));
    store
        .add_units(
            &[unit, Unit::new(&[("en-GB", "Colour"), ("fr", "Couleur")])],
            DuplicatePolicy::Add,
        )
        .unwrap();
    let conn = store.connection();
    for sql in [PAIRS_SQL, SOURCE_TEXTS_SQL, UNITS_WITHOUT_VARIANTS_SQL] {
        assert_range_plan(conn, sql, &[]);
    }
    // What export, count, edit and delete run for each kind of filter.
    let filters = [
        Filter {
            src: Some("en".into()),
            tgt: Some("fr".into()),
            ..Filter::default()
        },
        Filter {
            project: Some("news".into()),
            ..Filter::default()
        },
        Filter {
            fields: vec![("desk".into(), "world".into())],
            ..Filter::default()
        },
        Filter {
            search: Some("talks".into()),
            ..Filter::default()
        },
        Filter {
            ids: vec![1, 2],
            ..Filter::default()
        },
    ];
    for filter in &filters {
        let (cond, values) = filter_sql(filter, Dialect::Sqlite).unwrap();
        let selected = format!("(SELECT u.id FROM units u WHERE {cond} ORDER BY u.id)");
        assert_range_plan(conn, &selected_variants_sql(&selected), &values);
        if filter.src.is_some() {
            // The language condition itself: per unit, a range.
            assert_range_plan(
                conn,
                &format!("SELECT u.id FROM units u WHERE {cond}"),
                &values,
            );
        }
    }
}

#[test]
fn concordance_walks_units_in_order_and_stops_at_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("search.tmdb"), true).unwrap();
    let conn = store.connection();
    for with_index in [true, false] {
        let sql = search_sql(with_index);
        let values: Vec<String> = ["talks", "en", "\"tal\"", "20"]
            .iter()
            .map(ToString::to_string)
            .collect();
        let shown = plan(conn, &sql, &values).join("\n");
        // No sort of every candidate before the limit applies.
        assert!(!shown.contains("TEMP B-TREE"), "{sql}\n{shown}");
        assert_range_plan(conn, &sql, &values);
    }
}

#[test]
fn concordance_queries_ask_for_enough_trigrams() {
    assert_eq!(fts_query("ok"), None);
    assert_eq!(
        fts_query(" don't his ").unwrap(),
        r#""don" AND "on'" AND "n't" AND "'t " AND "t h" AND " hi" AND "his""#
    );
    assert_eq!(fts_query("a\"bc").unwrap(), r#""a""b" AND """bc""#);
    // 26 trigrams: every third, and the last.
    let long = fts_query("I regret having rest so much").unwrap();
    assert_eq!(long.split(" AND ").count(), 10, "{long}");
    assert!(long.ends_with(r#""uch""#), "{long}");
}
