//! `POST /v1/pretranslate`: a posted document (plain text, Markdown, HTML,
//! or an XLIFF file to fill) back as XLIFF 1.2, XLIFF 2.0 or TMX with the
//! memory's matches as targets and candidates (what `tmkit pretranslate`
//! writes).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{DocParams, lang};
use crate::pretranslate::{self, OutputFormat, Pretranslated};
use crate::segment::Segmenter;
use crate::serve::error::ApiQuery;
use crate::serve::state::LookupQuery;
use crate::serve::{ApiError, Shared, blocking};
use crate::xliff::Document;

/// Pretranslates a document.
#[utoipa::path(post, path = "/v1/pretranslate", tag = "documents",
    params(DocParams),
    request_body(content = String, description = "The document: plain text, Markdown, HTML, or XLIFF 1.2/2.0", content_type = "text/plain"),
    responses(
        (status = 200, description = "The bilingual file: XLIFF, or TMX with `to=tmx`",
            content((String = "application/xliff+xml"), (String = "application/x-tmx+xml"))),
        (status = 400, description = "Bad parameters", body = crate::serve::error::ErrorBody),
        (status = 404, description = "No such memory", body = crate::serve::error::ErrorBody),
        (status = 413, description = "Document too large", body = crate::serve::error::ErrorBody),
        (status = 422, description = "A malformed XLIFF file", body = crate::serve::error::ErrorBody)))]
pub async fn pretranslate(
    State(state): State<Shared>,
    ApiQuery(p): ApiQuery<DocParams>,
    body: String,
) -> Result<Response, ApiError> {
    let checked = p.check()?;
    let tm = state.tm(p.tm.as_deref().unwrap_or("default"))?;
    let (src, tgt) = (
        lang(p.src.as_deref(), "src")?,
        lang(p.tgt.as_deref(), "tgt")?,
    );
    let to = checked.to;
    let options = pretranslate::Options {
        min_score: checked.min,
        max_candidates: checked.max,
        copy_source: p.copy_source.unwrap_or(false),
    };
    blocking(move || {
        let name = p.name.clone().unwrap_or_else(|| "document".into());
        let is_xliff = body.trim_start().starts_with("<?xml") && body.contains("<xliff")
            || body.trim_start().starts_with("<xliff");
        let item = if is_xliff {
            let doc = Document::parse_str(&body, None)?;
            Pretranslated {
                doc,
                original: Some(body.clone()),
                encoding: Default::default(),
            }
        } else {
            let segmenter = Segmenter::for_language(&src);
            let doc = pretranslate::source_document(
                &name,
                &body,
                super::doc_format(&body, &p),
                &src,
                &tgt,
                &segmenter,
                p.lines.unwrap_or(false),
            );
            Pretranslated {
                doc,
                original: None,
                encoding: Default::default(),
            }
        };
        let index = tm.pair(&src, &tgt)?;
        // The segments' best matches, gathered into a small memory that the
        // pretranslation library reads as it reads memory files: with the
        // served origins and the matched units' inline codes, so the XLIFF
        // is what `tmkit pretranslate` writes with the same memory.
        let mut texts: Vec<(String, u16)> = Vec::new();
        for file in &item.doc.files {
            for unit in file.units.iter().filter(|u| u.translate) {
                for seg in unit.segments.iter().filter(|s| !s.has_target()) {
                    let codes =
                        u16::try_from(crate::xliff::code_count(&seg.source)).unwrap_or(u16::MAX);
                    texts.push((seg.source.plain_text(), codes));
                }
            }
        }
        let queries: Vec<LookupQuery<'_>> = texts
            .iter()
            .map(|(t, codes)| LookupQuery {
                text: t,
                previous: None,
                codes: *codes,
            })
            .collect();
        let match_options = crate::fuzzy::MatchOptions {
            min_score: options.min_score,
            max_results: options.max_candidates,
            exhaustive: false,
        };
        let matcher = tm.subset(&index, &queries, &match_options)?;
        let mut docs = vec![item.doc];
        pretranslate::pretranslate(&mut docs, &matcher, &options)?;
        let item = Pretranslated {
            doc: docs.remove(0),
            original: item.original,
            encoding: item.encoding,
        };
        let format = to.unwrap_or(match item.doc.format {
            Some(crate::xliff::Format::Xliff20) if item.original.is_some() => OutputFormat::Xliff20,
            _ => OutputFormat::Xliff12,
        });
        let out = pretranslate::write(
            &[&item],
            format,
            &src.to_string(),
            &tgt.to_string(),
            Vec::new(),
        )?;
        let content_type = match format {
            OutputFormat::Tmx => "application/x-tmx+xml",
            _ => "application/xliff+xml",
        };
        Ok(([(header::CONTENT_TYPE, content_type)], out).into_response())
    })
    .await
}
