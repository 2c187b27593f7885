//! `GET /`: the web page (a single self-contained file, `page/index.html`,
//! compiled into the binary).

use axum::http::header;
use axum::response::IntoResponse;

/// The page.
const PAGE: &str = include_str!("../page/index.html");

/// Serves the page.
#[utoipa::path(get, path = "/", tag = "page",
    responses((status = 200, description = "The web page", content_type = "text/html")))]
pub async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
}
