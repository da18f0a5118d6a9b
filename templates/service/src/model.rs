//! The `users` resource: what the API accepts, what it stores and returns, and
//! the rules in between. Input is parsed into [`NewUser`] once, in the handler,
//! so the repository only ever sees valid data.

<% if (!libThiserror) { -%>
use anyhow::ensure;
<% } -%>
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest email accepted, in characters (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The oldest age accepted.
pub const MAX_AGE: i32 = 150;
/// Users per page when `limit` is not given.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// The largest `limit` accepted.
pub const MAX_PAGE_SIZE: u32 = 100;
<% if (jobs) { -%>
/// The text of one job (`POST /jobs`); the body limit applies too.
pub const MAX_JOB_TEXT_BYTES: usize = 64 * 1024;
/// The longest `Idempotency-Key` accepted, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;
<% } -%>

/// A stored user, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Assigned by the database.
    pub id: i64,
    /// Trimmed, never empty.
    pub name: String,
    /// Lower case.
    pub email: String,
    /// In years, if known.
    pub age: Option<i32>,
}

/// The body of `POST /users` and `PUT /users/{id}`, before validation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// The name, trimmed when validated.
    pub name: String,
    /// The email, lower-cased when validated.
    pub email: String,
    /// The age in years; may be left out.
    #[serde(default)]
    pub age: Option<i32>,
}

/// A user that passed validation: the only input the repository accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    name: String,
    email: String,
    age: Option<i32>,
}
<% if (libThiserror) { -%>

/// Why input was rejected; answered with 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The name is empty once trimmed.
    #[error("name must not be empty")]
    EmptyName,
    /// The name is longer than [`MAX_NAME_CHARS`].
    #[error("name must be at most {} characters", MAX_NAME_CHARS)]
    NameTooLong,
    /// The email has no `@` with text on both sides and a dot in the domain.
    #[error("email must look like name@example.com")]
    InvalidEmail,
    /// The email is longer than [`MAX_EMAIL_CHARS`].
    #[error("email must be at most {} characters", MAX_EMAIL_CHARS)]
    EmailTooLong,
    /// The age is negative or above [`MAX_AGE`].
    #[error("age must be between 0 and {}", MAX_AGE)]
    AgeOutOfRange,
    /// `limit` is 0 or above [`MAX_PAGE_SIZE`].
    #[error("limit must be between 1 and {}", MAX_PAGE_SIZE)]
    LimitOutOfRange,
<% if (jobs) { -%>
    /// A job's text is empty or blank.
    #[error("text must not be empty")]
    EmptyText,
    /// A job's text is longer than [`MAX_JOB_TEXT_BYTES`].
    #[error("text must be at most {} bytes", MAX_JOB_TEXT_BYTES)]
    TextTooLong,
    /// The `Idempotency-Key` header is empty, too long or not visible ASCII.
    #[error("Idempotency-Key must be 1 to {} visible ASCII characters", MAX_IDEMPOTENCY_KEY_CHARS)]
    InvalidIdempotencyKey,
<% } -%>
}
<% } -%>

impl UserInput {
    /// Trims the name, normalises the email to lower case and checks every field.
    ///
    /// # Errors
    ///
    /// The first rule a field breaks.
    pub fn validate(self) -> <%- result('NewUser', 'ValidationError') %> {
        let name = self.name.trim().to_owned();
        let email = self.email.trim().to_lowercase();
<% if (libThiserror) { -%>
        if name.is_empty() {
            return Err(ValidationError::EmptyName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ValidationError::NameTooLong);
        }
        if !looks_like_email(&email) {
            return Err(ValidationError::InvalidEmail);
        }
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(ValidationError::EmailTooLong);
        }
        if self.age.is_some_and(|age| !(0..=MAX_AGE).contains(&age)) {
            return Err(ValidationError::AgeOutOfRange);
        }
<% } else { -%>
        ensure!(!name.is_empty(), "name must not be empty");
        ensure!(
            name.chars().count() <= MAX_NAME_CHARS,
            "name must be at most {MAX_NAME_CHARS} characters"
        );
        ensure!(
            looks_like_email(&email),
            "email must look like name@example.com"
        );
        ensure!(
            email.chars().count() <= MAX_EMAIL_CHARS,
            "email must be at most {MAX_EMAIL_CHARS} characters"
        );
        ensure!(
            self.age.is_none_or(|age| (0..=MAX_AGE).contains(&age)),
            "age must be between 0 and {MAX_AGE}"
        );
<% } -%>
        Ok(NewUser {
            name,
            email,
            age: self.age,
        })
    }
}

/// A deliberately loose check: one `@` with text on both sides and a dot in
/// the domain. Only sending a message proves an address works.
fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

impl NewUser {
    /// The trimmed name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The lower-cased email.
    #[must_use]
    pub fn email(&self) -> &str {
        &self.email
    }

    /// The age in years, if given.
    #[must_use]
    pub fn age(&self) -> Option<i32> {
        self.age
    }

    /// The stored user this input becomes once the database assigned `id`.
    #[must_use]
    pub fn into_user(self, id: i64) -> User {
        User {
            id,
            name: self.name,
            email: self.email,
            age: self.age,
        }
    }
}

/// The query string of `GET /users`: `?limit=20&cursor=…&min_age=18`. A
/// cursor that does not decode fails the query extractor (400).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Users per page, [`DEFAULT_PAGE_SIZE`] when left out.
    pub limit: Option<u32>,
    /// The `next` of the previous page; none for the first.
    pub cursor: Option<Cursor>,
    /// Only users at least this old.
    pub min_age: Option<i32>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Users per page, within 1..=[`MAX_PAGE_SIZE`].
    pub limit: u32,
    /// Start after this position; `None` is the first page.
    pub cursor: Option<Cursor>,
    /// Only users at least this old.
    pub min_age: Option<i32>,
}

impl ListParams {
    /// The page these parameters ask for.
    ///
    /// # Errors
    ///
    /// When `limit` is out of range.
    pub fn validate(self) -> <%- result('Page', 'ValidationError') %> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE_SIZE);
<% if (libThiserror) { -%>
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(ValidationError::LimitOutOfRange);
        }
<% } else { -%>
        ensure!(
            (1..=MAX_PAGE_SIZE).contains(&limit),
            "limit must be between 1 and {MAX_PAGE_SIZE}"
        );
<% } -%>
        Ok(Page {
            limit,
            cursor: self.cursor,
            min_age: self.min_age,
        })
    }
}

/// Where the next page of `GET /users` starts: after the user with this id.
/// Keyset pagination (`WHERE id > ?`), unlike an offset, costs the same on
/// every page and neither skips nor repeats rows when others are inserted or
/// deleted meanwhile. Clients get it as `next` and pass it back as `cursor`;
/// it is opaque to them (base64url of the id), so its contents may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Cursor(i64);

impl Cursor {
    /// The position right after `id`.
    #[must_use]
    pub fn after(id: i64) -> Self {
        Self(id)
    }

    /// The id the next page starts after.
    #[must_use]
    pub fn last_id(self) -> i64 {
        self.0
    }
}

impl From<Cursor> for String {
    fn from(cursor: Cursor) -> Self {
        URL_SAFE_NO_PAD.encode(cursor.0.to_be_bytes())
    }
}

impl TryFrom<String> for Cursor {
    type Error = InvalidCursor;

    fn try_from(text: String) -> Result<Self, InvalidCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| InvalidCursor)?;
        let id = <[u8; 8]>::try_from(bytes).map_err(|_| InvalidCursor)?;
        Ok(Self(i64::from_be_bytes(id)))
    }
}

/// A `cursor` this service did not hand out, as serde reports it (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidCursor;

impl fmt::Display for InvalidCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cursor must be a `next` value from a previous page")
    }
}

/// One page of `GET /users`. `next` is the cursor of the following page,
/// `null` on the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    /// This page's users, by id.
    pub users: Vec<User>,
    /// The page size asked for.
    pub limit: u32,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, email: &str, age: Option<i32>) -> UserInput {
        UserInput {
            name: name.to_owned(),
            email: email.to_owned(),
            age,
        }
    }

    #[test]
    fn normalises_valid_input() {
        let user = input("  Ada Lovelace ", " Ada@Example.COM", Some(36))
            .validate()
            .unwrap();
        assert_eq!(user.name(), "Ada Lovelace");
        assert_eq!(user.email(), "ada@example.com");
        assert_eq!(user.age(), Some(36));
        assert_eq!(user.into_user(7).id, 7);
    }

    #[test]
    fn rejects_invalid_fields() {
        let long_name = "x".repeat(MAX_NAME_CHARS + 1);
        let long_email = format!("{}@example.com", "x".repeat(MAX_EMAIL_CHARS));
        let cases = [
            (input(" ", "a@b.io", None), "name must not be empty"),
            (input(&long_name, "a@b.io", None), "name must be at most"),
            (input("Ada", "ada.io", None), "email must look like"),
            (input("Ada", "ada@localhost", None), "email must look like"),
            (input("Ada", "a b@c.io", None), "email must look like"),
            (input("Ada", &long_email, None), "email must be at most"),
            (input("Ada", "a@b.io", Some(-1)), "age must be between"),
            (input("Ada", "a@b.io", Some(151)), "age must be between"),
        ];
        for (input, expected) in cases {
            let message = input.clone().validate().unwrap_err().to_string();
            assert!(message.starts_with(expected), "{input:?}: {message}");
        }
    }

    #[test]
    fn age_is_optional() {
        assert_eq!(input("Ada", "a@b.io", None).validate().unwrap().age(), None);
    }

    #[test]
    fn pages_default_and_stay_bounded() {
        let page = ListParams::default().validate().unwrap();
        assert_eq!(
            page,
            Page {
                limit: DEFAULT_PAGE_SIZE,
                cursor: None,
                min_age: None
            }
        );
        for limit in [0, MAX_PAGE_SIZE + 1] {
            let params = ListParams {
                limit: Some(limit),
                ..ListParams::default()
            };
            assert!(params.validate().is_err(), "limit {limit}");
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_what_they_did_not_write() {
        for id in [0, 1, 41, i64::MAX, i64::MIN] {
            let text = String::from(Cursor::after(id));
            assert_eq!(text.len(), 11, "{text}");
            assert_eq!(Cursor::try_from(text).map(Cursor::last_id), Ok(id));
        }
        for bad in ["", "x", "AAAAAAAAAA", "AAAAAAAAAAAA", "AAAAAAAAAA!", "AAAAAAAAAAE="] {
            assert_eq!(Cursor::try_from(bad.to_owned()), Err(InvalidCursor), "{bad:?}");
        }
    }
}
