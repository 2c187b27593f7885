//! `POST /v1/summarize`: the digest of a posted article, each sentence with
//! the memory's best translation when one scores at least `min`.

use axum::Json;
use axum::extract::State;

use super::{DocParams, lang};
use crate::serve::error::ApiQuery;
use crate::serve::state::LookupQuery;
use crate::serve::{ApiError, Shared, blocking};
use crate::summarize::translations::Translation;
use crate::summarize::{Budget, Options, Summarizer, Summary, resolve_language};
use crate::text::lang::LangChoice;

/// Summarizes an article.
#[utoipa::path(post, path = "/v1/summarize", tag = "documents",
    params(DocParams),
    request_body(content = String, description = "The article: plain text, Markdown or HTML", content_type = "text/plain"),
    responses(
        (status = 200, description = "The digest: sentences, offsets, scores and translations", body = Object),
        (status = 400, description = "Bad parameters", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody),
        (status = 413, description = "Article too large", body = crate::serve::error::ErrorBody)))]
pub async fn summarize(
    State(state): State<Shared>,
    ApiQuery(p): ApiQuery<DocParams>,
    body: String,
) -> Result<Json<Summary>, ApiError> {
    let checked = p.check()?;
    let choice: LangChoice = match p.src.as_deref() {
        None | Some("auto") | Some("") => LangChoice::Auto,
        Some(l) => LangChoice::Tag(lang(Some(l), "src")?),
    };
    // An empty `tgt` is none, as an empty `src` is `auto`.
    let tgt = p
        .tgt
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| lang(Some(t), "tgt"))
        .transpose()?;
    let tm = match (&p.tm, &tgt) {
        (Some(name), _) => Some(state.tm(name)?),
        (None, Some(_)) => Some(state.tm("default").unwrap_or_else(|_| state.default_tm())),
        (None, None) => None,
    };
    if tm.is_some() && tgt.is_none() {
        return Err(ApiError::bad_request(
            "'tgt' (the language of the translations) is required with 'tm'",
        ));
    }
    let (sentences, min) = (checked.sentences, checked.min);
    blocking(move || {
        let doc = crate::summarize::input::Document::parse(&body, super::doc_format(&body, &p));
        let language = resolve_language(&doc, &choice);
        let summarizer = Summarizer::new(Options {
            budget: Budget::Sentences(sentences),
            ..Options::default()
        });
        let mut summary = summarizer.summarize(&doc, &language);
        if let (Some(tm), Some(tgt)) = (tm, tgt)
            && language != tgt
        {
            let index = tm.pair(&language, &tgt)?;
            let queries: Vec<LookupQuery<'_>> = summary
                .sentences
                .iter()
                .map(|s| LookupQuery {
                    text: &s.text,
                    previous: None,
                    codes: 0,
                })
                .collect();
            let options = crate::fuzzy::MatchOptions {
                min_score: min,
                max_results: 1,
                exhaustive: false,
            };
            let found = index.lookup(&queries, &options);
            for (sentence, result) in summary.sentences.iter_mut().zip(found) {
                sentence.translation = result.matches.into_iter().next().map(|m| Translation {
                    score: m.score,
                    source: m.source,
                    target: m.adapted_target.unwrap_or(m.target),
                });
            }
        }
        Ok(Json(summary))
    })
    .await
}
