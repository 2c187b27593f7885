//! Errors as the API shows them: a status and `{"error": {"status", "message"}}`.
//! A message never holds a path of the server's machine or an internal
//! detail: errors of the user's request (bad query, bad upload) say what was
//! wrong with it; anything else is logged on stderr and shown as
//! "internal error".

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the client.
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status code.
    pub status: u16,
    /// A message for the user (never a server path or an internal detail).
    pub message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 500, with the detail logged on stderr only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        crate::diag!("tmkit serve: internal error: {detail}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }

    /// The library error `e` met while serving a request. `upload` is the
    /// temporary file a request's body was saved to: errors that name it
    /// (with line and column) are the client's, shown as `upload:L:C`.
    pub fn from_library(e: Error, upload: Option<&std::path::Path>) -> Self {
        match e {
            Error::Usage(m) => Self::bad_request(m),
            Error::LanguageTag(e) => Self::bad_request(e.to_string()),
            Error::Syntax { location, message } | Error::Invalid { location, message }
                if location.file.is_none() || location.file.as_deref() == upload =>
            {
                let mut at = String::from("request");
                if location.file.is_some() {
                    at = "upload".into();
                }
                if let Some(line) = location.line {
                    at.push_str(&format!(":{line}"));
                    if let Some(col) = location.column {
                        at.push_str(&format!(":{col}"));
                    }
                }
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, format!("{at}: {message}"))
            }
            other => Self::internal(other),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                status: self.status.as_u16(),
                message: self.message.clone(),
            },
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::from_library(e, None)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// A JSON body, rejected with a JSON error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    match e {
        JsonRejection::BytesRejection(b) => ApiError::new(b.status(), b.body_text()),
        other => ApiError::new(other.status(), other.body_text()),
    }
}

/// Query parameters, rejected with a JSON error.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| ApiError::bad_request(e.body_text()))
    }
}

/// Path parameters, rejected with a JSON error.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| ApiError::bad_request(e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    #[test]
    fn server_paths_never_show() {
        let e = ApiError::from(Error::io(
            "/srv/tm/team.tmdb",
            std::io::Error::other("disk full"),
        ));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.message, "internal error");
        let upload = std::path::Path::new("/tmp/.tmpAb12.tmx");
        let e = ApiError::from_library(
            Error::syntax(Location::file(upload).at(3, 9), "expected </seg>"),
            Some(upload),
        );
        assert_eq!(e.message, "upload:3:9: expected </seg>");
        let e = ApiError::from(Error::syntax(
            Location::file("/srv/tm/other.tmx").at(1, 1),
            "bad",
        ));
        assert_eq!(e.message, "internal error");
    }
}
