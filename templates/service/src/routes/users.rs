<%
const invalid = libThiserror ? '' : '.map_err(ApiError::invalid)';
const notFound = libThiserror ? 'ApiError::UserNotFound(id)' : 'ApiError::not_found(format!("user {id}"))';
-%>
//! `/users` and `/users/{id}`: create, list (paginated, `?min_age=` filter),
//! read, replace and delete, JSON in and out.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::extract::{JsonBody, PathParam, QueryParams};
use crate::model::{ListParams, User, UserInput, UserPage};
use crate::repository::UserRepository;

/// `POST /users`: 201 with the user and its `Location`.
pub(crate) async fn create(
    State(users): State<UserRepository>,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<impl IntoResponse, ApiError> {
    let new_user = input.validate()<%- invalid %>?;
    let user = users.create(new_user).await?;
    let location = [(header::LOCATION, format!("/users/{}", user.id))];
    Ok((StatusCode::CREATED, location, Json(user)))
}

/// `GET /users?limit=&cursor=&min_age=`: `next` is the cursor of the next page.
pub(crate) async fn list(
    State(users): State<UserRepository>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<UserPage>, ApiError> {
    let page = params.validate()<%- invalid %>?;
    Ok(Json(users.list(page).await?))
}

/// `GET /users/{id}`
pub(crate) async fn get(
    State(users): State<UserRepository>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<User>, ApiError> {
    match users.get(id).await? {
        Some(user) => Ok(Json(user)),
        None => Err(<%- notFound %>),
    }
}

/// `PUT /users/{id}`: replaces every field.
pub(crate) async fn update(
    State(users): State<UserRepository>,
    PathParam(id): PathParam<i64>,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<Json<User>, ApiError> {
    let new_user = input.validate()<%- invalid %>?;
    match users.update(id, new_user).await? {
        Some(user) => Ok(Json(user)),
        None => Err(<%- notFound %>),
    }
}

/// `DELETE /users/{id}`: 204, or 404 if there was nothing to delete.
pub(crate) async fn delete(
    State(users): State<UserRepository>,
    PathParam(id): PathParam<i64>,
) -> Result<StatusCode, ApiError> {
    if users.delete(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(<%- notFound %>)
    }
}
