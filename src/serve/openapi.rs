//! The OpenAPI 3 description of the API, generated from the route code
//! (each handler's `#[utoipa::path]`), served at `/v1/openapi.json` and
//! kept in the repository as `docs/openapi.json` (a test checks the two agree).

use axum::Json;
use utoipa::OpenApi;

use super::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tmkit serve",
        description = "Translation memories over HTTP: fuzzy lookups with the scores and penalties of `tmkit match`, concordance, units, imports, exports, analysis, pretranslation and digests. Writes need `Authorization: Bearer <token>`.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        routes::page::index,
        routes::tms::list,
        routes::lookup::lookup,
        routes::lookup::batch,
        routes::concordance::concordance,
        routes::units::add,
        routes::units::get,
        routes::units::put,
        routes::units::delete,
        routes::import::import,
        routes::import::job,
        routes::export::export_tmx,
        routes::analyze::analyze,
        routes::pretranslate::pretranslate,
        routes::summarize::summarize,
        routes::compat::tmserver,
        routes::compat::amagama,
        routes::compat::amagama_query,
        routes::compat::languages,
        routes::compat::translate,
        routes::compat::list_pairs,
        serve,
    ),
    components(schemas(
        crate::serve::error::ErrorBody,
        crate::serve::error::ErrorDetail,
        crate::fuzzy::json::MatchJson,
        crate::fuzzy::json::LookupJson,
        crate::fuzzy::PenaltyKind,
        crate::fuzzy::Penalty,
        crate::serve::jobs::JobStatus,
        crate::serve::jobs::ImportResult,
    )),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The description, as JSON text (pretty, ending with a newline).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut s = doc.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Serves the description.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This description (OpenAPI 3)")))]
pub async fn serve() -> Json<serde_json::Value> {
    Json(serde_json::from_str(&document()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    /// `docs/openapi.json` is what the code describes: regenerate it with
    /// `tmkit serve --print-openapi > docs/openapi.json` after changing a route.
    #[test]
    fn checked_in_description_matches_the_code() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == super::document(),
            "docs/openapi.json differs from the routes: run `tmkit serve --print-openapi > docs/openapi.json`"
        );
    }

    #[test]
    fn every_route_is_described() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/v1/tms",
            "/v1/tms/{tm}/lookup",
            "/v1/tms/{tm}/units/{id}",
            "/v1/tms/{tm}/export.tmx",
            "/v1/jobs/{id}",
            "/translate",
            "/v1/openapi.json",
        ] {
            assert!(paths.contains_key(p), "{p} missing");
        }
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    }
}
