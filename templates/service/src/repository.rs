<% if (queriesChecked) { -%>
//! Data access for users, in `<%= dbLabel %>`'s dialect. Every query is checked
//! against the schema when it compiles (`query!`, `query_as!`): against the
//! database of `DATABASE_URL`, or with `SQLX_OFFLINE=true` against the query
//! data in `.sqlx/` (`cargo sqlx prepare` writes it; see the README). Every
//! value is a bound parameter, never formatted into the SQL.
<% } else { -%>
//! Data access for users. Handlers call these methods; the SQL itself is in
//! [`crate::db`], in the database's dialect. Every value is a bound parameter,
//! never formatted into the SQL.
<% } -%>

<% if (!libThiserror) { -%>
use anyhow::Context;

<% } -%>
use crate::db::{self, DbPool};
use crate::model::{Cursor, NewUser, Page, User, UserPage};

/// The users table. Cheap to clone: the pool is a handle to shared connections.
#[derive(Debug, Clone)]
pub struct UserRepository {
    pool: DbPool,
}

impl UserRepository {
    /// A repository on `pool`.
    #[must_use]
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    /// Inserts a user.
    ///
    /// # Errors
    ///
    /// A taken email fails with the database's unique violation; otherwise
    /// when the database fails or cannot be reached.
    pub async fn create(&self, user: NewUser) -> <%- result('User', 'sqlx::Error') %> {
        let id = db::insert_user(&self.pool, &user).await?;
        Ok(user.into_user(id))
    }

    /// The user with this id, if any.
    ///
    /// # Errors
    ///
    /// When the database fails or cannot be reached.
    pub async fn get(&self, id: i64) -> <%- result('Option<User>', 'sqlx::Error') %> {
<% if (queriesChecked) { -%>
        sqlx::query_as!(
            User,
            "SELECT <%- userColumns %> FROM users WHERE id = <%= p(1) %>",
            id
        )
        .fetch_optional(&self.pool)
        .await<%- context(8, 'cannot load user {id}') %>
<% } else { -%>
        sqlx::query_as(db::SELECT_USER)
            .bind(id)
            .fetch_optional(&self.pool)
            .await<%- context(12, 'cannot load user {id}') %>
<% } -%>
    }

    /// One page of users ordered by id, after the page's cursor, optionally
    /// only those at least `min_age` old.
    ///
    /// # Errors
    ///
    /// When the database fails or cannot be reached.
    pub async fn list(&self, page: Page) -> <%- result('UserPage', 'sqlx::Error') %> {
        // One row more than asked tells whether another page follows.
        let fetch = i64::from(page.limit) + 1;
        let after = page.cursor.map_or(i64::MIN, Cursor::last_id);
        let mut users: Vec<User> = match page.min_age {
<% if (queriesChecked) { -%>
            Some(min_age) => {
                sqlx::query_as!(
                    User,
                    "SELECT <%- userColumns %> FROM users \
                     WHERE id > <%= p(1) %> AND age >= <%= p(2) %> ORDER BY id LIMIT <%= p(3) %>",
                    after,
                    min_age,
                    fetch
                )
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query_as!(
                    User,
                    "SELECT <%- userColumns %> FROM users WHERE id > <%= p(1) %> ORDER BY id LIMIT <%= p(2) %>",
                    after,
                    fetch
                )
                .fetch_all(&self.pool)
                .await
            }
<% } else { -%>
            Some(min_age) => {
                sqlx::query_as(db::LIST_USERS_MIN_AGE)
                    .bind(after)
                    .bind(min_age)
                    .bind(fetch)
                    .fetch_all(&self.pool)
                    .await
            }
            None => {
                sqlx::query_as(db::LIST_USERS)
                    .bind(after)
                    .bind(fetch)
                    .fetch_all(&self.pool)
                    .await
            }
<% } -%>
        }<%- context(8, 'cannot list users') %>?;
        let has_more = users.len() > page.limit as usize;
        users.truncate(page.limit as usize);
        let next = users
            .last()
            .filter(|_| has_more)
            .map(|last| Cursor::after(last.id));
        Ok(UserPage {
            users,
            limit: page.limit,
            next,
        })
    }

    /// Replaces a user's fields; `None` when there is no such user.
    ///
    /// # Errors
    ///
    /// When the database fails or cannot be reached.
    pub async fn update(&self, id: i64, user: NewUser) -> <%- result('Option<User>', 'sqlx::Error') %> {
<% if (queriesChecked) { -%>
        // The macro borrows its arguments past the statement: no temporaries.
        let (name, email, age) = (user.name(), user.email(), user.age());
        let result = sqlx::query!(
            "UPDATE users SET name = <%= p(1) %>, email = <%= p(2) %>, age = <%= p(3) %> WHERE id = <%= p(4) %>",
            name,
            email,
            age,
            id
        )
        .execute(&self.pool)
        .await<%- context(8, 'cannot update user {id}') %>?;
<% } else { -%>
        let result = sqlx::query(db::UPDATE_USER)
            .bind(user.name())
            .bind(user.email())
            .bind(user.age())
            .bind(id)
            .execute(&self.pool)
            .await<%- context(12, 'cannot update user {id}') %>?;
<% } -%>
        Ok((result.rows_affected() > 0).then(|| user.into_user(id)))
    }

    /// Deletes a user; `false` when there was no such user.
    ///
    /// # Errors
    ///
    /// When the database fails or cannot be reached.
    pub async fn delete(&self, id: i64) -> <%- result('bool', 'sqlx::Error') %> {
<% if (queriesChecked) { -%>
        let result = sqlx::query!("DELETE FROM users WHERE id = <%= p(1) %>", id)
            .execute(&self.pool)
            .await<%- context(12, 'cannot delete user {id}') %>?;
<% } else { -%>
        let result = sqlx::query(db::DELETE_USER)
            .bind(id)
            .execute(&self.pool)
            .await<%- context(12, 'cannot delete user {id}') %>?;
<% } -%>
        Ok(result.rows_affected() > 0)
    }
}
