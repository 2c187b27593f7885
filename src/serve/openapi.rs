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
    modifiers(&BearerAuth, &LanguagePatterns),
)]
struct ApiDoc;

/// Gives every language parameter and body field the pattern the server
/// checks it against ([`routes::LANG_PATTERN`] and its variants), so a
/// client generating requests from this description sends only tags the
/// server takes, and the server refuses exactly what the description does.
struct LanguagePatterns;

impl LanguagePatterns {
    /// The pattern of parameter `name` of the operation at `path`, and
    /// whether that operation requires it (`None`: as the code says).
    fn of(path: &str, name: &str) -> Option<(&'static str, Option<bool>)> {
        use routes::{LANG_OR_AUTO_PATTERN, LANG_OR_EMPTY_PATTERN, LANG_PATTERN, LANGPAIR_PATTERN};
        match (path, name) {
            ("/translate", "langpair") => Some((LANGPAIR_PATTERN, Some(true))),
            (_, "src" | "tgt") => Some(match path {
                // Documents to pretranslate or analyze need both languages.
                "/v1/analyze" | "/v1/pretranslate" => (LANG_PATTERN, Some(true)),
                "/v1/summarize" if name == "src" => (LANG_OR_AUTO_PATTERN, None),
                // Optional filters, where an empty value means any language.
                "/v1/summarize"
                | "/v1/tms/{tm}/concordance"
                | "/v1/tms/{tm}/export.tmx"
                | "/v1/tms/{tm}/import" => (LANG_OR_EMPTY_PATTERN, None),
                _ => (LANG_PATTERN, None),
            }),
            _ => None,
        }
    }
}

impl utoipa::Modify for LanguagePatterns {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::Schema;
        use utoipa::openapi::{RefOr, Required};
        let set = |schema: &mut RefOr<Schema>, pattern: &str| {
            if let RefOr::T(Schema::Object(o)) = schema {
                o.pattern = Some(pattern.to_string());
                o.min_length = None;
            }
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                for p in op.parameters.iter_mut().flatten() {
                    if let Some((pattern, required)) = Self::of(path, &p.name) {
                        if let Some(schema) = p.schema.as_mut() {
                            set(schema, pattern);
                        }
                        if let Some(r) = required {
                            p.required = if r { Required::True } else { Required::False };
                        }
                    }
                }
            }
        }
        // An upload is bytes, not a JSON array of numbers.
        if let Some(body) = openapi
            .paths
            .paths
            .get_mut("/v1/tms/{tm}/import")
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.request_body.as_mut())
        {
            use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
            for content in body.content.values_mut() {
                content.schema = Some(RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                        .build(),
                )));
            }
        }
        // JSON bodies: the batch lookup, a new unit, a unit's change.
        if let Some(c) = openapi.components.as_mut() {
            // A change's `variants`: language → text (not only spaces).
            if let Some(RefOr::T(Schema::Object(o))) = c.schemas.get_mut("UnitEdit")
                && let Some(RefOr::T(Schema::Object(v))) = o.properties.get_mut("variants")
            {
                use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
                v.property_names = Some(Box::new(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(routes::LANG_PATTERN))
                        .build(),
                )));
                v.additional_properties = Some(Box::new(AdditionalProperties::RefOr(RefOr::T(
                    Schema::Object(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(r"\S"))
                            .build(),
                    ),
                ))));
            }
            for name in ["BatchRequest", "NewUnit", "UnitEdit"] {
                if let Some(RefOr::T(Schema::Object(o))) = c.schemas.get_mut(name) {
                    for field in ["src", "tgt"] {
                        if let Some(schema) = o.properties.get_mut(field) {
                            set(schema, routes::LANG_PATTERN);
                        }
                    }
                }
            }
        }
    }
}

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

    /// Every parameter or JSON field that names a language carries the
    /// pattern the server checks.
    #[test]
    fn every_language_parameter_has_the_servers_pattern() {
        use crate::serve::routes::{LANG_OR_EMPTY_PATTERN, LANG_PATTERN};
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (_, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap();
                    if matches!(name, "src" | "tgt" | "langpair") {
                        let pattern = p["schema"]["pattern"].as_str();
                        assert!(pattern.is_some(), "{path} {name} has no pattern");
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen >= 20, "{seen} language parameters");
        let schemas = &doc["components"]["schemas"];
        for body in ["BatchRequest", "NewUnit", "UnitEdit"] {
            for f in ["src", "tgt"] {
                assert_eq!(
                    schemas[body]["properties"][f]["pattern"], LANG_PATTERN,
                    "{body}.{f}"
                );
            }
        }
        let lookup = &doc["paths"]["/v1/tms/{tm}/lookup"]["get"]["parameters"];
        let src = lookup
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "src")
            .unwrap();
        assert_eq!(src["schema"]["pattern"], LANG_PATTERN);
        let conc = &doc["paths"]["/v1/tms/{tm}/concordance"]["get"]["parameters"];
        let src = conc
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "src")
            .unwrap();
        assert_eq!(src["schema"]["pattern"], LANG_OR_EMPTY_PATTERN);
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
