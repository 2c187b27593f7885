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
    modifiers(&BearerAuth, &LanguagePatterns, &Enforced),
)]
struct ApiDoc;

/// Gives every language parameter and body field the pattern the server
/// checks it against ([`routes::LANG_PATTERN`] and its variants), so a
/// client generating requests from this description sends only tags the
/// server takes, and the server refuses exactly what the description does
/// (and the document routes' `weights` [`routes::WEIGHTS_PATTERN`]).
struct LanguagePatterns;

impl LanguagePatterns {
    /// The pattern of parameter `name` of the operation at `path`, and
    /// whether that operation requires it (`None`: as the code says).
    fn of(path: &str, name: &str) -> Option<(&'static str, Option<bool>)> {
        use routes::{LANG_OR_AUTO_PATTERN, LANG_OR_EMPTY_PATTERN, LANG_PATTERN, LANGPAIR_PATTERN};
        match (path, name) {
            ("/translate", "langpair") => Some((LANGPAIR_PATTERN, Some(true))),
            // Every document route takes (and checks) it.
            (_, "weights") => Some((routes::WEIGHTS_PATTERN, None)),
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
            for op in operations(item) {
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
        // An upload is bytes (at least one), not a JSON array of numbers.
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
                        // An empty upload is refused.
                        .min_length(Some(1))
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

/// States what the server enforces that the route code does not say: the
/// answers every route may give (414 for a request target over the bound,
/// 413 for a body over it, 405 for an import into memory files), and the
/// rule of a unit's change that a text needs its language (`source` with
/// `src`, `target` with `tgt`), as a `oneOf` per pair.
struct Enforced;

impl utoipa::Modify for Enforced {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{
            AllOfBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
        };
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in operations(item) {
                let answers = &mut op.responses.responses;
                answers
                    .entry("414".into())
                    .or_insert_with(|| error("Request target (path and query) too long"));
                if op.request_body.is_some() {
                    answers
                        .entry("413".into())
                        .or_insert_with(|| error("Request body too large"));
                }
                if path == "/v1/tms/{tm}/import" {
                    answers.entry("405".into()).or_insert_with(|| {
                        error("The memory is served from files: only a store takes imports")
                    });
                }
            }
        }
        let Some(c) = openapi.components.as_mut() else {
            return;
        };
        let Some(edit) = c.schemas.remove("UnitEdit") else {
            return;
        };
        // Either no text (absent or null), or the text with its language.
        let text_with_language = |lang: &str, text: &str| {
            let string = || ObjectBuilder::new().schema_type(Type::String);
            let without = ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .property(text, ObjectBuilder::new().schema_type(Type::Null));
            let with = ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .property(lang, string())
                .property(text, string())
                .required(lang)
                .required(text);
            Schema::OneOf(OneOfBuilder::new().item(without).item(with).build())
        };
        let rules = AllOfBuilder::new()
            .item(edit)
            .item(text_with_language("src", "source"))
            .item(text_with_language("tgt", "target"));
        c.schemas
            .insert("UnitEdit".into(), RefOr::T(Schema::AllOf(rules.build())));
    }
}

/// The operations of a path (the methods the API uses).
fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
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
            // A change's fields are its first part (see `Enforced`).
            let fields = match &schemas[body]["allOf"][0] {
                serde_json::Value::Null => &schemas[body]["properties"],
                object => &object["properties"],
            };
            for f in ["src", "tgt"] {
                assert_eq!(fields[f]["pattern"], LANG_PATTERN, "{body}.{f}");
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

    /// What the server enforces beyond the route code is stated: a change's
    /// text needs its language, and every route may answer 414.
    #[test]
    fn enforced_rules_are_stated() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let edit = &doc["components"]["schemas"]["UnitEdit"]["allOf"];
        for (k, (lang, text)) in [("src", "source"), ("tgt", "target")].iter().enumerate() {
            let either = &edit[k + 1]["oneOf"];
            assert_eq!(either[0]["properties"][text]["type"], "null", "{either}");
            assert_eq!(either[1]["required"], serde_json::json!([lang, text]));
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let answers = op["responses"].as_object().unwrap();
                assert!(answers.contains_key("414"), "{method} {path}");
                if op.get("requestBody").is_some() {
                    assert!(answers.contains_key("413"), "{method} {path}");
                }
            }
        }
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
