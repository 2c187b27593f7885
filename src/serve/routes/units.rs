//! `/v1/tms/{tm}/units`: add a unit (`POST`), read, change or delete one
//! (`GET`, `PUT`, `DELETE /units/{id}`). Every write needs the token; each
//! is visible to the next lookup.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::lang;
use crate::serve::error::{ApiJson, ApiPath};
use crate::serve::{ApiError, Shared, WriteAccess, blocking};
use crate::store::{DuplicatePolicy, Edit, Filter, StoredUnit, Unit};
use crate::text::nfc;
use crate::tmx::Note;

/// A unit to add.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    /// Source language (BCP-47).
    pub src: String,
    /// Target language (BCP-47).
    pub tgt: String,
    /// Source text (not only spaces).
    #[schema(pattern = r"\S")]
    pub source: String,
    /// Target text (not only spaces).
    #[schema(pattern = r"\S")]
    pub target: String,
    /// The unit's `tuid`.
    pub tuid: Option<String>,
    /// Project tag.
    pub project: Option<String>,
    /// Client tag.
    pub client: Option<String>,
    /// Domain tag.
    pub domain: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Free key/value fields.
    pub fields: Option<BTreeMap<String, String>>,
    /// Who adds it (creation user).
    pub user: Option<String>,
    /// When the source is already stored with another target: `add` it
    /// beside (default), `keep` the stored one, `overwrite` it, or keep the
    /// `newest`.
    #[schema(pattern = "^(?:add|keep|overwrite|newest)$")]
    pub policy: Option<String>,
}

/// A change of a unit: the fields given are set.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitEdit {
    /// Texts to set, by language (a language the unit lacks is added).
    pub variants: Option<BTreeMap<String, String>>,
    /// With `source`: the language whose text to set.
    pub src: Option<String>,
    /// The text of `src` (not only spaces).
    #[schema(pattern = r"\S")]
    pub source: Option<String>,
    /// With `target`: the language whose text to set.
    pub tgt: Option<String>,
    /// The text of `tgt` (not only spaces).
    #[schema(pattern = r"\S")]
    pub target: Option<String>,
    /// Project tag (`""` clears it).
    pub project: Option<String>,
    /// Client tag (`""` clears it).
    pub client: Option<String>,
    /// Domain tag (`""` clears it).
    pub domain: Option<String>,
    /// Free fields to set.
    pub fields: Option<BTreeMap<String, String>>,
    /// Who changes it (change user).
    pub user: Option<String>,
}

/// What an add did.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AddResult {
    /// Ids of the units added.
    pub ids: Vec<i64>,
    /// Units added (0 for an exact duplicate).
    pub added: u64,
    /// Exact duplicates skipped.
    pub duplicates: u64,
    /// Stored units with the same source and other targets.
    pub conflicts: u64,
    /// Stored units replaced (policies `overwrite`, `newest`).
    pub replaced: u64,
}

/// One variant of a unit.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct VariantJson {
    /// Language.
    pub lang: String,
    /// Text (inline codes removed).
    pub text: String,
}

/// A stored unit.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitJson {
    /// Its id.
    pub id: i64,
    /// Every variant, source first.
    pub variants: Vec<VariantJson>,
    /// `tuid`.
    pub tuid: Option<String>,
    /// Creation date (TMX form).
    pub creationdate: Option<String>,
    /// Creation user.
    pub creationid: Option<String>,
    /// Change date.
    pub changedate: Option<String>,
    /// Change user.
    pub changeid: Option<String>,
    /// Project tag.
    pub project: Option<String>,
    /// Client tag.
    pub client: Option<String>,
    /// Domain tag.
    pub domain: Option<String>,
    /// Notes.
    pub notes: Vec<String>,
    /// Free fields.
    pub fields: BTreeMap<String, String>,
    /// The file it was imported from: its name only, without folders.
    pub origin: Option<String>,
}

impl UnitJson {
    /// The JSON of a stored unit.
    pub fn of(u: &StoredUnit) -> Self {
        let unit = &u.unit;
        let source_first = unit
            .source_variant()
            .and_then(|s| unit.tu.tuvs.iter().position(|v| std::ptr::eq(v, s)));
        let mut variants: Vec<VariantJson> = unit
            .tu
            .tuvs
            .iter()
            .map(|v| VariantJson {
                lang: v.lang.clone(),
                text: v.seg.plain_text(),
            })
            .collect();
        if let Some(i) = source_first.filter(|&i| i > 0) {
            let v = variants.remove(i);
            variants.insert(0, v);
        }
        UnitJson {
            id: u.id,
            variants,
            tuid: unit.tu.tuid.clone(),
            creationdate: unit.tu.creationdate.clone(),
            creationid: unit.tu.creationid.clone(),
            changedate: unit.tu.changedate.clone(),
            changeid: unit.tu.changeid.clone(),
            project: unit.project.clone(),
            client: unit.client.clone(),
            domain: unit.domain.clone(),
            notes: unit.tu.notes.iter().map(|n| n.text.clone()).collect(),
            fields: unit.fields.iter().cloned().collect(),
            // `tmkit tm import` records the path given; clients see no folders.
            origin: unit
                .origin
                .as_deref()
                .map(|o| o.rsplit(['/', '\\']).next().unwrap_or(o).to_string()),
        }
    }
}

fn policy(p: Option<&str>) -> Result<DuplicatePolicy, ApiError> {
    match p.unwrap_or("add") {
        "add" => Ok(DuplicatePolicy::Add),
        "keep" => Ok(DuplicatePolicy::Keep),
        "overwrite" => Ok(DuplicatePolicy::Overwrite),
        "newest" => Ok(DuplicatePolicy::Newest),
        other => Err(ApiError::bad_request(format!(
            "policy '{other}': expected add, keep, overwrite or newest"
        ))),
    }
}

fn non_empty(text: &str, what: &str) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(format!("'{what}' is empty")));
    }
    Ok(())
}

/// Adds a unit.
#[utoipa::path(post, path = "/v1/tms/{tm}/units", tag = "units",
    params(("tm" = String, Path, description = "Memory name")),
    request_body = NewUnit,
    security(("token" = [])),
    responses(
        (status = 201, description = "Added (or an exact duplicate: `added` 0)", body = AddResult),
        (status = 400, description = "Bad unit", body = crate::serve::error::ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = crate::serve::error::ErrorBody),
        (status = 422, description = "Body is JSON but not of this shape", body = crate::serve::error::ErrorBody),
        (status = 401, description = "No or wrong token", body = crate::serve::error::ErrorBody),
        (status = 403, description = "Read-only server, or writes disabled", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody)))]
pub async fn add(
    State(state): State<Shared>,
    _: WriteAccess,
    ApiPath(tm_name): ApiPath<String>,
    ApiJson(req): ApiJson<NewUnit>,
) -> Result<Response, ApiError> {
    let tm = state.tm(&tm_name)?;
    let (src, tgt) = (lang(Some(&req.src), "src")?, lang(Some(&req.tgt), "tgt")?);
    super::distinct(&src, &tgt)?;
    non_empty(&req.source, "source")?;
    non_empty(&req.target, "target")?;
    let policy = policy(req.policy.as_deref())?;
    let mut unit = Unit::new(&[
        (&src.to_string(), &nfc(&req.source)),
        (&tgt.to_string(), &nfc(&req.target)),
    ]);
    let now = crate::store::tmx_now();
    unit.tu.tuid = req.tuid;
    unit.tu.creationdate = Some(now);
    unit.tu.creationid = req.user;
    unit.project = req.project.filter(|p| !p.is_empty());
    unit.client = req.client.filter(|p| !p.is_empty());
    unit.domain = req.domain.filter(|p| !p.is_empty());
    if let Some(note) = req.note.filter(|n| !n.trim().is_empty()) {
        unit.tu.notes.push(Note::new(nfc(&note)));
    }
    unit.fields = req.fields.unwrap_or_default().into_iter().collect();
    let report = blocking(move || {
        let report = tm.write(|store| {
            let report = store.add_units(&[unit], policy)?;
            let ids = report.ids.clone();
            Ok((report, ids))
        })?;
        if report.replaced > 0 {
            // Which units went is not reported: rebuild from the store.
            tm.rebase_all();
        }
        Ok(report)
    })
    .await?;
    let body = AddResult {
        ids: report.ids.clone(),
        added: report.added,
        duplicates: report.duplicates,
        conflicts: report.conflicts,
        replaced: report.replaced,
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Some(id) = report.ids.first()
        && let Ok(v) = HeaderValue::from_str(&format!("/v1/tms/{tm_name}/units/{id}"))
    {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Reads a unit.
#[utoipa::path(get, path = "/v1/tms/{tm}/units/{id}", tag = "units",
    params(("tm" = String, Path, description = "Memory name"), ("id" = i64, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The unit", body = UnitJson),
        (status = 400, description = "Malformed id", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory or unit", body = crate::serve::error::ErrorBody)))]
pub async fn get(
    State(state): State<Shared>,
    ApiPath((tm, id)): ApiPath<(String, i64)>,
) -> Result<Json<UnitJson>, ApiError> {
    let tm = state.tm(&tm)?;
    blocking(move || {
        let unit = tm.read(|store| store.unit(id))?;
        unit.map(|u| Json(UnitJson::of(&u)))
            .ok_or_else(|| ApiError::not_found(format!("no unit {id}")))
    })
    .await
}

/// Changes a unit.
#[utoipa::path(put, path = "/v1/tms/{tm}/units/{id}", tag = "units",
    params(("tm" = String, Path, description = "Memory name"), ("id" = i64, Path, description = "Unit id")),
    request_body = UnitEdit,
    security(("token" = [])),
    responses(
        (status = 200, description = "The changed unit", body = UnitJson),
        (status = 400, description = "Bad change or malformed id", body = crate::serve::error::ErrorBody),
        (status = 415, description = "Body not sent as application/json", body = crate::serve::error::ErrorBody),
        (status = 422, description = "Body is JSON but not of this shape", body = crate::serve::error::ErrorBody),
        (status = 401, description = "No or wrong token", body = crate::serve::error::ErrorBody),
        (status = 403, description = "Read-only server, or writes disabled", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory or unit", body = crate::serve::error::ErrorBody)))]
pub async fn put(
    State(state): State<Shared>,
    _: WriteAccess,
    ApiPath((tm, id)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<UnitEdit>,
) -> Result<Json<UnitJson>, ApiError> {
    let tm = state.tm(&tm)?;
    let mut variants: Vec<(String, String)> = Vec::new();
    for (l, text) in req.variants.unwrap_or_default() {
        variants.push((lang(Some(&l), "variants")?.to_string(), text));
    }
    for (l, text, what) in [
        (&req.src, &req.source, "src"),
        (&req.tgt, &req.target, "tgt"),
    ] {
        // A language given is checked even without its text.
        let l = l.as_deref().map(|l| lang(Some(l), what)).transpose()?;
        match (l, text) {
            (Some(l), Some(t)) => variants.push((l.to_string(), t.clone())),
            (None, Some(_)) => {
                return Err(ApiError::bad_request(format!(
                    "a text needs its language ('{what}')"
                )));
            }
            _ => {}
        }
    }
    for (_, t) in &mut variants {
        non_empty(t, "text")?;
        *t = nfc(t).into_owned();
    }
    let edit = Edit {
        variants,
        project: req.project,
        client: req.client,
        domain: req.domain,
        fields: req.fields.unwrap_or_default().into_iter().collect(),
        user: req.user,
    };
    blocking(move || {
        let filter = Filter::of_ids(vec![id]);
        let changed = tm.write(|store| {
            let n = store.edit(&filter, &edit)?;
            Ok((n, if n > 0 { vec![id] } else { Vec::new() }))
        })?;
        if changed == 0 {
            return Err(ApiError::not_found(format!("no unit {id}")));
        }
        let unit = tm.read(|store| store.unit(id))?;
        unit.map(|u| Json(UnitJson::of(&u)))
            .ok_or_else(|| ApiError::not_found(format!("no unit {id}")))
    })
    .await
}

/// Deletes a unit.
#[utoipa::path(delete, path = "/v1/tms/{tm}/units/{id}", tag = "units",
    params(("tm" = String, Path, description = "Memory name"), ("id" = i64, Path, description = "Unit id")),
    security(("token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed id", body = crate::serve::error::ErrorBody),
        (status = 401, description = "No or wrong token", body = crate::serve::error::ErrorBody),
        (status = 403, description = "Read-only server, or writes disabled", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory or unit", body = crate::serve::error::ErrorBody)))]
pub async fn delete(
    State(state): State<Shared>,
    _: WriteAccess,
    ApiPath((tm, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let tm = state.tm(&tm)?;
    blocking(move || {
        let filter = Filter::of_ids(vec![id]);
        let n = tm.write(|store| {
            let n = store.delete(&filter)?;
            Ok((n, if n > 0 { vec![id] } else { Vec::new() }))
        })?;
        if n == 0 {
            return Err(ApiError::not_found(format!("no unit {id}")));
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
