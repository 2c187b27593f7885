//! The routes, one file per resource. Each handler carries its OpenAPI
//! description (`#[utoipa::path]`), gathered in [`super::openapi`].

use axum::Router;
use axum::routing::{get, post};

use super::{ApiError, Shared};
use crate::text::LanguageTag;

pub mod analyze;
pub mod compat;
pub mod concordance;
pub mod export;
pub mod import;
pub mod lookup;
pub mod page;
pub mod pretranslate;
pub mod summarize;
pub mod tms;
pub mod units;

/// Every route (without the middleware: see [`super::router`]).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(page::index))
        .route("/v1/openapi.json", get(super::openapi::serve))
        .route("/v1/tms", get(tms::list))
        .route(
            "/v1/tms/{tm}/lookup",
            get(lookup::lookup).post(lookup::batch),
        )
        .route("/v1/tms/{tm}/concordance", get(concordance::concordance))
        .route("/v1/tms/{tm}/units", post(units::add))
        .route(
            "/v1/tms/{tm}/units/{id}",
            get(units::get).put(units::put).delete(units::delete),
        )
        .route("/v1/tms/{tm}/import", post(import::import))
        .route("/v1/jobs/{id}", get(import::job))
        .route("/v1/tms/{tm}/export.tmx", get(export::export_tmx))
        .route("/tmserver/{src}/{tgt}/unit/{*text}", get(compat::tmserver))
        .route("/api/v1/{src}/{tgt}/unit/{*text}", get(compat::amagama))
        .route("/api/v1/{src}/{tgt}/unit/", get(compat::amagama_query))
        .route("/tmserver/languages/", get(compat::languages))
        .route("/api/v1/languages/", get(compat::languages))
        .route("/languages/", get(compat::languages))
        .route("/v1/analyze", post(analyze::analyze))
        .route("/v1/pretranslate", post(pretranslate::pretranslate))
        .route("/v1/summarize", post(summarize::summarize))
        .route("/translate", get(compat::translate))
        .route("/listPairs", get(compat::list_pairs))
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

/// A language tag as the API takes it: a language subtag of 2 or 3
/// letters (or `x`/`i` for a private or grandfathered tag), then subtags of
/// 1 to 8 letters or digits after `-` or `_` (`en`, `pt-BR`, `zh_Hant_TW`,
/// `x-klingon`). It is the `pattern` of every language parameter in the
/// OpenAPI description, and `lang` refuses what it does not match, so the
/// two agree (the CLI's parser also trims spaces; a request must not carry them).
pub const LANG_PATTERN: &str = r"^(?:[A-Za-z]{2,3}|[xXiI])(?:[-_][A-Za-z0-9]{1,8})*$";

/// [`LANG_PATTERN`] or nothing: an optional filter whose empty value means "any".
pub const LANG_OR_EMPTY_PATTERN: &str = r"^(?:(?:[A-Za-z]{2,3}|[xXiI])(?:[-_][A-Za-z0-9]{1,8})*)?$";

/// [`LANG_PATTERN`], `auto` (detect it) or nothing (also detect).
pub const LANG_OR_AUTO_PATTERN: &str =
    r"^(?:auto|(?:[A-Za-z]{2,3}|[xXiI])(?:[-_][A-Za-z0-9]{1,8})*)?$";

/// `SRC|TGT`, two tags of [`LANG_PATTERN`] (Apertium's `langpair`).
pub const LANGPAIR_PATTERN: &str = r"^(?:[A-Za-z]{2,3}|[xXiI])(?:[-_][A-Za-z0-9]{1,8})*\|(?:[A-Za-z]{2,3}|[xXiI])(?:[-_][A-Za-z0-9]{1,8})*$";

fn lang_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(LANG_PATTERN).expect("LANG_PATTERN compiles"))
}

/// A 400 when `src` and `tgt` are one language: a memory holds
/// translations, so such a unit or lookup is a mistake.
pub(crate) fn distinct(src: &LanguageTag, tgt: &LanguageTag) -> Result<(), ApiError> {
    if src == tgt {
        return Err(ApiError::bad_request("src and tgt are the same language"));
    }
    Ok(())
}

/// A language tag from a request parameter (400 naming the parameter):
/// what [`LANG_PATTERN`] matches (the parser's own message first, which
/// says `en` for `english`).
pub(crate) fn lang(value: Option<&str>, param: &str) -> Result<LanguageTag, ApiError> {
    let value = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        ApiError::bad_request(format!("'{param}' (a language, e.g. en) is required"))
    })?;
    let tag: LanguageTag = value
        .parse()
        .map_err(|e| ApiError::bad_request(format!("{param}: {e}")))?;
    if !lang_re().is_match(value) {
        return Err(ApiError::bad_request(format!(
            "{param}: {value:?} is not a language tag as the API takes it (no spaces; e.g. en, pt-BR)"
        )));
    }
    Ok(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_patterns_are_the_tag_pattern_with_their_extras() {
        let core = &LANG_PATTERN[1..LANG_PATTERN.len() - 1];
        assert_eq!(LANG_OR_EMPTY_PATTERN, format!("^(?:{core})?$"));
        assert_eq!(LANG_OR_AUTO_PATTERN, format!("^(?:auto|{core})?$"));
        assert_eq!(LANGPAIR_PATTERN, format!("^{core}\\|{core}$"));
        for p in [
            LANG_OR_EMPTY_PATTERN,
            LANG_OR_AUTO_PATTERN,
            LANGPAIR_PATTERN,
        ] {
            regex::Regex::new(p).unwrap();
        }
        let pair = regex::Regex::new(LANGPAIR_PATTERN).unwrap();
        assert!(pair.is_match("en|pt-BR") && !pair.is_match("en|") && !pair.is_match("en"));
    }

    /// The parameter `name` of `/v1/analyze` in the OpenAPI description.
    fn analyze_param(name: &str) -> serde_json::Value {
        let doc: serde_json::Value =
            serde_json::from_str(&crate::serve::openapi::document()).unwrap();
        let params = doc["paths"]["/v1/analyze"]["post"]["parameters"]
            .as_array()
            .unwrap();
        params.iter().find(|p| p["name"] == name).unwrap().clone()
    }

    #[test]
    fn the_weights_pattern_in_the_description_is_the_one_checked() {
        let w = analyze_param("weights");
        let re = regex::Regex::new(w["schema"]["pattern"].as_str().unwrap()).unwrap();
        for (text, ok) in [
            ("100:0.1,75:0.6,new:1", true),
            (" rep : 0.2 , xrep:0.5,", true),
            ("101:0", true),
            ("102:1", false),
            ("new:-1", false),
            ("new", false),
            // A weight is at most 1000 (as `tmkit analyze --weights`).
            ("new:1000,rep:0999.5", true),
            ("new:1000.5", false),
            ("7:23113.060", false),
            // A key is a band's lowest score, as `tmkit analyze --weights` checks.
            ("50:0.9,95:0.2", true),
            ("60:0.9", false),
            ("7:1", false),
        ] {
            let p = DocParams {
                weights: Some(text.into()),
                ..DocParams::default()
            };
            assert_eq!(re.is_match(text), ok, "{text}");
            assert_eq!(p.grid().is_ok(), ok, "{text}");
        }
    }

    /// A rate whose price would not be a number (1e308 is finite, its
    /// price was not) is refused, as the description's maximum says.
    #[test]
    fn the_rate_is_bounded_as_described() {
        let rate = analyze_param("rate");
        assert_eq!(rate["schema"]["maximum"].as_f64(), Some(1e9));
        for (value, ok) in [(0.0, true), (1e9, true), (1e308, false), (-1.0, false)] {
            let p = DocParams {
                rate: Some(value),
                ..DocParams::default()
            };
            assert_eq!(p.check().is_ok(), ok, "{value}");
        }
    }

    #[test]
    fn lang_takes_tags_and_refuses_the_rest_with_a_reason() {
        for ok in [
            "en",
            "pt-BR",
            "zh_Hant_TW",
            "x-klingon",
            "i-default",
            "sr-Latn-RS",
        ] {
            assert!(lang(Some(ok), "src").is_ok(), "{ok}");
        }
        for bad in [
            "0",
            "e",
            "english",
            " en",
            "en ",
            "en--US",
            "en-abcdefghi",
            "en|fr",
        ] {
            let e = lang(Some(bad), "src").unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
            assert!(e.message.starts_with("src: "), "{bad}: {}", e.message);
        }
        assert!(
            lang(Some("english"), "src")
                .unwrap_err()
                .message
                .contains("did you mean en")
        );
    }

    proptest! {
        /// What the OpenAPI pattern admits, the server takes: a request a
        /// schema-driven client makes is never refused for its language.
        #[test]
        fn every_string_of_the_pattern_is_a_tag(s in "(?:[A-Za-z]{2,3}|[xXiI])(?:[-_][A-Za-z0-9]{1,8}){0,4}") {
            prop_assert!(lang_re().is_match(&s));
            prop_assert!(lang(Some(&s), "src").is_ok());
        }

        /// And what it refuses, the server refuses.
        #[test]
        fn strings_outside_the_pattern_are_refused(s in "[ a-zA-Z0-9_|-]{0,12}") {
            prop_assert_eq!(lang(Some(&s), "src").is_ok(), lang_re().is_match(&s));
        }
    }
}

/// What a posted document is and how to treat it (`/v1/analyze`,
/// `/v1/pretranslate`, `/v1/summarize`).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocParams {
    /// The memory (default: `default`).
    pub tm: Option<String>,
    /// The document's language (BCP-47; summarize also takes `auto`, the default there).
    pub src: Option<String>,
    /// The target language.
    pub tgt: Option<String>,
    /// `text`, `markdown` or `html` (default: guessed from the content).
    pub format: Option<String>,
    /// A name for the document (a label in the results).
    pub name: Option<String>,
    /// One segment per line instead of sentence splitting.
    pub lines: Option<bool>,
    /// Lowest match score used, 0-100 (pretranslate and summarize: default 75).
    #[param(minimum = 0, maximum = 100)]
    pub min: Option<u8>,
    /// Pretranslate: most candidates per segment, 1-50 (default 3).
    #[param(minimum = 1, maximum = 50)]
    pub max: Option<usize>,
    /// Pretranslate: `xliff12` (default), `xliff20` or `tmx`.
    #[param(pattern = "^(?:xliff12|xliff20|tmx)$")]
    pub to: Option<String>,
    /// Pretranslate: segments without a match get their source as target.
    pub copy_source: Option<bool>,
    /// Analyze: the weight grid, as `tmkit analyze --weights`: `KEY:WEIGHT`
    /// items separated by commas, a key being a band's lowest score (101,
    /// 100, 95, 85, 75 or 50), `new`, `rep` or `xrep`, a weight a decimal
    /// number from 0 to 1000.
    // Its pattern, [`WEIGHTS_PATTERN`], is set in `serve::openapi`.
    pub weights: Option<String>,
    /// Analyze: the price per weighted word, 0-1e9.
    #[param(minimum = 0, maximum = 1e9)]
    pub rate: Option<f64>,
    /// Summarize: sentences in the digest, 1-100 (default 3).
    #[param(minimum = 1, maximum = 100)]
    pub sentences: Option<usize>,
}

/// `weights` as `tmkit analyze --weights` takes it: `KEY:WEIGHT` items
/// separated by commas, a key a band's lowest score (101, 100, 95, 85, 75
/// or 50), `new`, `rep` or `xrep`, a weight a decimal number from 0 to 1000
/// ([`crate::fuzzy::analysis::MAX_WEIGHT`]). The `pattern` of the
/// parameter in the OpenAPI description, and what `DocParams::check`
/// refuses a grid for.
pub const WEIGHTS_PATTERN: &str = r"^\s*(?:(?:new|rep|xrep|10[01]|95|85|75|50)\s*:\s*0*(?:1000(?:\.0+)?|[0-9]{1,3}(?:\.[0-9]+)?)\s*)?(?:,\s*(?:(?:new|rep|xrep|10[01]|95|85|75|50)\s*:\s*0*(?:1000(?:\.0+)?|[0-9]{1,3}(?:\.[0-9]+)?)\s*)?)*$";

/// [`DocParams`] checked: each bound the description gives tested once,
/// here, and the defaults filled in.
#[derive(Debug)]
pub(crate) struct DocChecked {
    /// `min`, 0-100 (default 75).
    pub min: u8,
    /// `max`, 1-50 (default 3).
    pub max: usize,
    /// `sentences`, 1-100 (default 3).
    pub sentences: usize,
    /// `to`, when given.
    pub to: Option<crate::pretranslate::OutputFormat>,
    /// `weights` read as a grid (default: `tmkit analyze`'s).
    pub grid: crate::fuzzy::analysis::WeightGrid,
}

impl DocParams {
    /// Refuses numbers outside the bounds the description gives, whichever
    /// route takes them (each document route reads only some of them), and
    /// gives them with their defaults.
    pub(crate) fn check(&self) -> Result<DocChecked, ApiError> {
        use crate::pretranslate::OutputFormat;
        let min = self.min.unwrap_or(75);
        if min > 100 {
            return Err(ApiError::bad_request("min must be 0-100"));
        }
        let max = self.max.unwrap_or(3);
        if !(1..=50).contains(&max) {
            return Err(ApiError::bad_request("max must be 1-50"));
        }
        let sentences = self.sentences.unwrap_or(3);
        if !(1..=100).contains(&sentences) {
            return Err(ApiError::bad_request("sentences must be 1-100"));
        }
        use crate::fuzzy::analysis::MAX_RATE;
        if self.rate.is_some_and(|r| !(0.0..=MAX_RATE).contains(&r)) {
            return Err(ApiError::bad_request(format!(
                "rate must be a number from 0 to {MAX_RATE:e}"
            )));
        }
        let to = match self.to.as_deref() {
            None => None,
            Some("xliff12") => Some(OutputFormat::Xliff12),
            Some("xliff20") => Some(OutputFormat::Xliff20),
            Some("tmx") => Some(OutputFormat::Tmx),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "to '{other}': expected xliff12, xliff20 or tmx"
                )));
            }
        };
        Ok(DocChecked {
            min,
            max,
            sentences,
            to,
            grid: self.grid()?,
        })
    }

    /// The weight grid: what [`WEIGHTS_PATTERN`] describes (the server
    /// refuses anything else, so the description and the server agree),
    /// read as `tmkit analyze --weights` reads it.
    fn grid(&self) -> Result<crate::fuzzy::analysis::WeightGrid, ApiError> {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let Some(w) = &self.weights else {
            return Ok(Default::default());
        };
        let re = RE.get_or_init(|| {
            regex::Regex::new(WEIGHTS_PATTERN).expect("the weights pattern compiles")
        });
        if !re.is_match(w) {
            return Err(ApiError::bad_request(format!(
                "weights {w:?}: expected KEY:WEIGHT items separated by commas (e.g. 100:0.1,75:0.6,new:1)"
            )));
        }
        w.parse().map_err(ApiError::from)
    }
}

/// An optional whole number of a JSON body, written `100` or `100.0`: to
/// the JSON Schema of the description both are integers, so a client
/// generating requests from it may send either.
pub(crate) fn whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    use serde::Deserialize;
    use serde::de::Error;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(f))
            .map(|f| f as u64)
    });
    whole
        .and_then(|w| T::try_from(w).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("{n}: expected a whole number in range")))
}

/// The format of a posted document: `format`, else guessed from its content.
pub(crate) fn doc_format(body: &str, p: &DocParams) -> crate::summarize::input::InputFormat {
    use crate::summarize::input::InputFormat;
    match p.format.as_deref() {
        Some("html") => InputFormat::Html,
        Some("markdown" | "md") => InputFormat::Markdown,
        Some("text" | "txt") => InputFormat::Text,
        _ => InputFormat::sniff(body),
    }
}

/// The segments of a posted document: sentences (or lines with `lines`),
/// of its text (Markdown and HTML reduced as `tmkit` reduces them).
pub(crate) fn document_segments(body: &str, p: &DocParams, src: &LanguageTag) -> Vec<String> {
    let text = crate::pretranslate::document_text(body, doc_format(body, p));
    if p.lines.unwrap_or(false) {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    } else {
        crate::segment::Segmenter::for_language(src)
            .segments(&text)
            .map(|s| s.text.to_string())
            .collect()
    }
}
