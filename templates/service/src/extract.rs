//! axum's `Json`, `Path` and `Query` extractors with [`ApiError`] as their
//! rejection, so a malformed body, path or query string gets the same JSON
//! error body as every other failure instead of axum's plain-text one.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
/// A JSON body; malformed JSON, a wrong type, a missing content type or a
/// body over the limit is a JSON error.
pub struct JsonBody<T>(pub T);

#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
/// A path parameter (`/users/{id}`); one of the wrong type is a JSON 400.
pub struct PathParam<T>(pub T);

#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
/// The query string; one that does not parse is a JSON 400.
pub struct QueryParams<T>(pub T);
