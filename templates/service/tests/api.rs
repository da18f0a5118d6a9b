//! The HTTP API end to end through the router, against a real `<%= dbLabel %>`
//! database, without opening a socket: every endpoint, validation, 404, the
//! email conflict, the body limit, the request id, and JSON for the errors
//! that axum and the middleware answer (405, 408, a panic).

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing;
use serde_json::{Value, json};

use <%= crate %>::config::HttpConfig;
use <%= crate %>::error::ApiError;
use <%= crate %>::{AppState, app, db};

use common::{
    STATEMENT_TIMEOUT, TestApp, delete, get, json, raw_json, send, send_text, with_app,
    with_limits,
};

async fn create_user(app: &TestApp, name: &str, email: &str, age: Option<i32>) -> i64 {
    let body = json!({ "name": name, "email": email, "age": age });
    let reply = send(&app.router, json("POST", "/users", &body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_i64().expect("the user has an id")
}

#[tokio::test]
async fn health_answers_without_the_database() {
    with_app(|app| async move {
        app.pool.close().await;
        let reply = send(&app.router, get("/health")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!({ "status": "ok" }));
    })
    .await;
}

#[tokio::test]
async fn ready_reflects_the_database() {
    with_app(|app| async move {
        let reply = send(&app.router, get("/ready")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, json!({ "status": "ready" }));

        app.pool.close().await;
        let reply = send(&app.router, get("/ready")).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.body, json!({ "error": "database unavailable" }));
    })
    .await;
}

#[tokio::test]
async fn creates_reads_replaces_and_deletes_a_user() {
    with_app(|app| async move {
        let input = json!({ "name": " Ada ", "email": "Ada@Example.com", "age": 36 });
        let created = send(&app.router, json("POST", "/users", &input)).await;
        assert_eq!(created.status, StatusCode::CREATED);
        let id = created.body["id"].as_i64().unwrap();
        let uri = format!("/users/{id}");
        assert_eq!(created.headers[header::LOCATION], uri.as_str());
        assert_eq!(
            created.body,
            json!({ "id": id, "name": "Ada", "email": "ada@example.com", "age": 36 })
        );

        let read = send(&app.router, get(&uri)).await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.body, created.body);

        let replacement = json!({ "name": "Ada King", "email": "ada@example.org" });
        let replaced = send(&app.router, json("PUT", &uri, &replacement)).await;
        assert_eq!(replaced.status, StatusCode::OK);
        let expected =
            json!({ "id": id, "name": "Ada King", "email": "ada@example.org", "age": null });
        assert_eq!(replaced.body, expected);
        assert_eq!(send(&app.router, get(&uri)).await.body, expected);

        let deleted = send(&app.router, delete(&uri)).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(deleted.body, Value::Null);
        assert_eq!(
            send(&app.router, get(&uri)).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn lists_in_pages_and_filters_by_min_age() {
    with_app(|app| async move {
        let mut ids = Vec::new();
        for (i, age) in [Some(17), Some(18), None, Some(40), Some(65)]
            .into_iter()
            .enumerate()
        {
            ids.push(
                create_user(
                    &app,
                    &format!("User {i}"),
                    &format!("user{i}@example.com"),
                    age,
                )
                .await,
            );
        }

        let first = send(&app.router, get("/users?limit=2")).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.body["limit"], 2);
        assert_eq!(page_ids(&first.body), ids[..2]);

        let second = send(&app.router, next_page(&first.body, "/users?limit=2")).await;
        assert_eq!(page_ids(&second.body), ids[2..4]);
        let last = send(&app.router, next_page(&second.body, "/users?limit=2")).await;
        assert_eq!(page_ids(&last.body), ids[4..]);
        assert_eq!(last.body["next"], Value::Null);

        // A page that ends exactly on the last row says so.
        let all = send(&app.router, get("/users?limit=5")).await;
        assert_eq!(page_ids(&all.body), ids);
        assert_eq!(all.body["next"], Value::Null);

        let adults = send(&app.router, get("/users?min_age=18")).await;
        assert_eq!(adults.status, StatusCode::OK);
        assert_eq!(page_ids(&adults.body), [ids[1], ids[3], ids[4]]);

        let first = send(&app.router, get("/users?min_age=18&limit=2")).await;
        assert_eq!(page_ids(&first.body), [ids[1], ids[3]]);
        let seniors = send(
            &app.router,
            next_page(&first.body, "/users?min_age=18&limit=2"),
        )
        .await;
        assert_eq!(page_ids(&seniors.body), [ids[4]]);
        assert_eq!(seniors.body["next"], Value::Null);

        // The row a cursor points after may be gone: the next page still follows.
        let first = send(&app.router, get("/users?limit=1")).await;
        let uri = format!("/users/{}", ids[0]);
        assert_eq!(
            send(&app.router, delete(&uri)).await.status,
            StatusCode::NO_CONTENT
        );
        let after_deleted = send(&app.router, next_page(&first.body, "/users?limit=1")).await;
        assert_eq!(page_ids(&after_deleted.body), [ids[1]]);
    })
    .await;
}

/// The ids of a page's users, in order.
fn page_ids(body: &Value) -> Vec<i64> {
    body["users"]
        .as_array()
        .expect("a page has users")
        .iter()
        .map(|user| user["id"].as_i64().expect("a user has an id"))
        .collect()
}

/// The request for the page after `body`: `uri` with its `next` as the cursor.
fn next_page(body: &Value, uri: &str) -> Request<Body> {
    let cursor = body["next"].as_str().expect("another page follows");
    get(&format!("{uri}&cursor={cursor}"))
}

/// Walking the pages while other clients insert neither skips a row that was
/// there before the walk nor returns one twice (an offset would do both once
/// rows move between pages).
#[tokio::test]
async fn pages_neither_skip_nor_repeat_under_concurrent_inserts() {
    with_app(|app| async move {
        let mut before = Vec::new();
        for i in 0..30 {
            before.push(
                create_user(
                    &app,
                    &format!("User {i}"),
                    &format!("user{i}@example.com"),
                    Some(20),
                )
                .await,
            );
        }
        let router = app.router.clone();
        let inserts = tokio::spawn(async move {
            for i in 0..30 {
                let body = json!({ "name": "New", "email": format!("new{i}@example.com") });
                let reply = send(&router, json("POST", "/users", &body)).await;
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
                tokio::task::yield_now().await;
            }
        });

        let mut seen = Vec::new();
        let mut page = send(&app.router, get("/users?limit=4")).await;
        loop {
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            seen.extend(page_ids(&page.body));
            if page.body["next"].is_null() {
                break;
            }
            tokio::task::yield_now().await;
            page = send(&app.router, next_page(&page.body, "/users?limit=4")).await;
        }
        inserts.await.expect("the inserts succeed");

        assert!(
            seen.windows(2).all(|pair| pair[0] < pair[1]),
            "a row came twice or out of order: {seen:?}"
        );
        let skipped: Vec<i64> = before.iter().filter(|id| !seen.contains(id)).copied().collect();
        assert!(skipped.is_empty(), "skipped {skipped:?}");
    })
    .await;
}

#[tokio::test]
async fn a_cursor_it_did_not_give_out_is_a_400() {
    with_app(|app| async move {
        for cursor in ["nonsense!", "AAAA", "MTIzNDU2Nzg5MA", "AAAAAAAAAAE="] {
            let reply = send(&app.router, get(&format!("/users?cursor={cursor}"))).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{cursor}");
            let message = reply.body["error"].as_str().unwrap();
            assert!(message.contains("cursor"), "{message}");
        }
    })
    .await;
}

#[tokio::test]
async fn rejects_invalid_input_with_422() {
    with_app(|app| async move {
        for (body, message) in [
            (
                json!({ "name": "", "email": "a@b.io" }),
                "name must not be empty",
            ),
            (
                json!({ "name": "Ada", "email": "nobody" }),
                "email must look like name@example.com",
            ),
            (
                json!({ "name": "Ada", "email": "a@b.io", "age": 200 }),
                "age must be between 0 and 150",
            ),
        ] {
            let reply = send(&app.router, json("POST", "/users", &body)).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(reply.body, json!({ "error": message }));
        }
        // Well-formed JSON of the wrong shape is a 422 from the extractor.
        let reply = send(&app.router, json("POST", "/users", &json!({ "name": 1 }))).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body["error"].is_string());

        let reply = send(&app.router, get("/users?limit=0")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            reply.body,
            json!({ "error": "limit must be between 1 and 100" })
        );
        // Nothing was stored.
        let page = send(&app.router, get("/users")).await;
        assert_eq!(page.body["users"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn rejects_malformed_requests_with_json_errors() {
    with_app(|app| async move {
        let reply = send(&app.router, raw_json("POST", "/users", "{\"name\": ")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body["error"].is_string());

        let no_content_type = Request::post("/users")
            .body(Body::from("{}"))
            .unwrap();
        let reply = send(&app.router, no_content_type).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(reply.body["error"].is_string());

        let reply = send(&app.router, get("/users/abc")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body["error"].is_string());

        let reply = send(&app.router, get("/users?limit=many")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.body["error"].is_string());
    })
    .await;
}

#[tokio::test]
async fn missing_users_and_routes_are_404() {
    with_app(|app| async move {
        for request in [
            get("/users/999"),
            delete("/users/999"),
            json(
                "PUT",
                "/users/999",
                &json!({ "name": "Ada", "email": "a@b.io" }),
            ),
            get("/nowhere"),
        ] {
            let reply = send(&app.router, request).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND);
            let message = reply.body["error"].as_str().unwrap();
            assert!(message.ends_with("not found"), "{message}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_taken_email_is_a_409() {
    with_app(|app| async move {
        create_user(&app, "Ada", "ada@example.com", None).await;
        let other = create_user(&app, "Grace", "grace@example.com", None).await;

        // Emails are compared after normalisation to lower case.
        let duplicate = json!({ "name": "Ada 2", "email": "ADA@example.com" });
        let reply = send(&app.router, json("POST", "/users", &duplicate)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert_eq!(
            reply.body,
            json!({ "error": "a user with this email already exists" })
        );

        let reply = send(
            &app.router,
            json("PUT", &format!("/users/{other}"), &duplicate),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let limits = HttpConfig {
        body_limit: 1024,
        ..HttpConfig::default()
    };
    with_limits(limits, |app| async move {
        let big = json!({ "name": "x".repeat(2000), "email": "a@b.io" });
        let reply = send(&app.router, json("POST", "/users", &big)).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(reply.body["error"].is_string());
    })
    .await;
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    with_app(|app| async move {
        let reply = send(&app.router, get("/users")).await;
        let generated = reply.headers["x-request-id"].to_str().unwrap();
        assert_eq!(generated.len(), 36, "a UUID: {generated}");

        // Probes skip the middleware.
        let reply = send(&app.router, get("/health")).await;
        assert!(!reply.headers.contains_key("x-request-id"));

        let mut request = get("/users/1");
        request
            .headers_mut()
            .insert("x-request-id", "caller-chosen-id".parse().unwrap());
        let reply = send(&app.router, request).await;
        assert_eq!(reply.headers["x-request-id"], "caller-chosen-id");
    })
    .await;
}

#[tokio::test]
async fn ready_is_503_while_draining() {
    with_app(|app| async move {
        app.state.draining.start();
        let reply = send(&app.router, get("/ready")).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.body, json!({ "error": "shutting down" }));
        assert_eq!(reply.headers[header::RETRY_AFTER], "1");
        // Liveness is another matter: the process is fine.
        assert_eq!(
            send(&app.router, get("/health")).await.status,
            StatusCode::OK
        );
    })
    .await;
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    with_app(|app| async move {
        let reply = send(&app.router, delete("/users")).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.body, json!({ "error": "method not allowed" }));
        let allow = reply.headers[header::ALLOW].to_str().unwrap();
        assert!(allow.contains("POST"), "{allow}");
    })
    .await;
}

async fn panics() -> &'static str {
    panic!("handler bug")
}

/// The API's middleware around routes of the test's own.
fn with_routes(state: &AppState, routes: Router<AppState>) -> Router {
    app(routes, state.clone())
}

#[tokio::test]
async fn a_timed_out_request_is_a_json_408() {
    let limits = HttpConfig {
        request_timeout: Duration::from_millis(50),
        ..HttpConfig::default()
    };
    with_limits(limits, |app| async move {
        let slow = Router::new().route(
            "/slow",
            routing::get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "too late"
            }),
        );
        let reply = send(&with_routes(&app.state, slow), get("/slow")).await;
        assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(reply.body, json!({ "error": "request timeout" }));
    })
    .await;
}

#[tokio::test]
async fn a_panic_is_a_json_500() {
    with_app(|app| async move {
        let panics = Router::new().route("/panic", routing::get(panics));
        let reply = send(&with_routes(&app.state, panics), get("/panic")).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.body, json!({ "error": "internal error" }));
        // The request id still comes back, for the log line of the panic.
        assert!(reply.headers.contains_key("x-request-id"));
    })
    .await;
}

/// A rolling deploy or a rollback runs this build against a schema that a
/// newer build migrated further: that must start. A changed migration must not.
#[tokio::test]
async fn an_older_build_starts_against_a_newer_schema() {
    with_app(|app| async move {
        // What a newer build leaves behind: a migration this build does not know.
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (<%= p(1) %>, <%= p(2) %>, <%= p(3) %>, <%= p(4) %>, <%= p(5) %>)",
        )
        .bind(9_999_i64)
        .bind("from a newer build")
        .bind(true)
        .bind(vec![0_u8; 48])
        .bind(0_i64)
        .execute(&app.pool)
        .await
        .unwrap();
        db::migrate(&app.pool)
            .await
            .expect("an older build must start against a newer schema");

        sqlx::query("UPDATE _sqlx_migrations SET checksum = <%= p(1) %> WHERE version = 1")
            .bind(vec![1_u8; 48])
            .execute(&app.pool)
            .await
            .unwrap();
        let error = db::migrate(&app.pool).await.unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("modified"), "{message}");
    })
    .await;
}

/// Another transaction holds the row: when the lock wait runs out, the
/// request gets a 503 with `Retry-After`, not a 500.
#[tokio::test]
async fn a_lock_timeout_is_a_retryable_503() {
    with_app(|app| async move {
        let id = create_user(&app, "Ada", "ada@example.com", None).await;
        let mut holder = app.pool.begin().await.unwrap();
        sqlx::query("UPDATE users SET age = 1 WHERE id = <%= p(1) %>")
            .bind(id)
            .execute(&mut *holder)
            .await
            .unwrap();

        let mut waiter = app.pool.acquire().await.unwrap();
        sqlx::query("<%- dbPostgres ? "SET lock_timeout = '50ms'" : dbMysql ? 'SET SESSION innodb_lock_wait_timeout = 1' : 'PRAGMA busy_timeout = 50' %>")
            .execute(&mut *waiter)
            .await
            .unwrap();
        let error = sqlx::query("UPDATE users SET age = 2 WHERE id = <%= p(1) %>")
            .bind(id)
            .execute(&mut *waiter)
            .await
            .unwrap_err();
        let response = ApiError::from(error).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        holder.rollback().await.unwrap();
    })
    .await;
}

/// Every connection carries the statement timeout, so the server stops work
/// that no client waits for any more.
#[tokio::test]
async fn statement_timeout_applies() {
    with_app(|app| async move {
<% if (dbPostgres) { -%>
        let shown: String = sqlx::query_scalar("SHOW statement_timeout")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(shown, format!("{}s", STATEMENT_TIMEOUT.as_secs()));
<% } else if (dbMysql) { -%>
        let mysql: Result<u64, _> = sqlx::query_scalar("SELECT @@max_execution_time")
            .fetch_one(&app.pool)
            .await;
        let millis = if let Ok(millis) = mysql {
            u128::from(millis)
        } else {
            // MariaDB: seconds, under another name.
            let seconds: f64 = sqlx::query_scalar("SELECT @@max_statement_time")
                .fetch_one(&app.pool)
                .await
                .unwrap();
            Duration::from_secs_f64(seconds).as_millis()
        };
        assert_eq!(millis, STATEMENT_TIMEOUT.as_millis());
<% } else { -%>
        let millis: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(u128::try_from(millis).unwrap(), STATEMENT_TIMEOUT.as_millis());
<% } -%>
    })
    .await;
}

/// Requests are counted by matched route, never by raw path; the probes and
/// the scrape itself are not counted; the pool's gauges are there.
#[tokio::test]
async fn metrics_count_requests_by_route() {
    with_app(|app| async move {
        let id = create_user(&app, "Ada", "ada@example.com", None).await;
        for _ in 0..2 {
            assert_eq!(send(&app.router, get(&format!("/users/{id}"))).await.status, StatusCode::OK);
        }
        assert_eq!(send(&app.router, get("/users/999999")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(send(&app.router, get("/no/such/route")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(send(&app.router, get("/health")).await.status, StatusCode::OK);

        let (status, headers, text) = send_text(&app.router, get("/metrics")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
        for line in [
            r#"http_requests_total{method="POST",route="/users",status="201"} 1"#,
            r#"http_requests_total{method="GET",route="/users/{id}",status="200"} 2"#,
            r#"http_requests_total{method="GET",route="/users/{id}",status="404"} 1"#,
            r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
            r#"http_request_duration_seconds_count{method="GET",route="/users/{id}"} 3"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
        }
        assert!(text.contains("http_request_duration_seconds_bucket{"), "{text}");
        assert!(text.contains("db_pool_connections "), "{text}");
        assert!(text.contains("db_pool_idle_connections "), "{text}");
        for absent in ["/users/999999", "/no/such/route", "/health", "/metrics"] {
            assert!(!text.contains(absent), "{absent} in\n{text}");
        }
    })
    .await;
}

fn from_origin(origin: &str) -> Request<Body> {
    Request::get("/users")
        .header(header::ORIGIN, origin)
        .body(Body::empty())
        .expect("valid request")
}

/// An allowed origin gets the CORS headers, and its preflight an answer;
/// another origin gets none; without origins configured nobody does.
#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    with_app(|app| async move {
        let allowed = "https://app.example.com";
        let state = app
            .state
            .clone()
            .with_cors_origins(vec![HeaderValue::from_static(allowed)]);
        let router = <%= crate %>::router(state);

        let reply = send(&router, from_origin(allowed)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], allowed);

        let preflight = Request::options("/users")
            .header(header::ORIGIN, allowed)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .expect("valid request");
        let (status, headers, _) = send_text(&router, preflight).await;
        assert!(status.is_success(), "preflight answered {status}");
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], allowed);

        let reply = send(&router, from_origin("https://evil.example.com")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(!reply.headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));

        let reply = send(&app.router, from_origin(allowed)).await;
        assert!(!reply.headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    })
    .await;
}
<% if (jobs) { -%>

/// `POST /jobs` with an optional `Idempotency-Key`.
fn post_job(text: &str, key: Option<&str>) -> Request<Body> {
    let mut request = json("POST", "/jobs", &json!({ "text": text }));
    if let Some(key) = key {
        let value = HeaderValue::from_str(key).expect("a valid header value");
        request.headers_mut().insert("idempotency-key", value);
    }
    request
}

/// A job is stored as queued and read back by its `Location`.
#[tokio::test]
async fn queues_a_job_and_reads_its_status() {
    with_app(|app| async move {
        let reply = send(&app.router, post_job("to be or not to be", None)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        let id = reply.body["id"].as_i64().expect("the job has an id");
        let location = reply.headers[header::LOCATION].to_str().unwrap();
        assert_eq!(location, format!("/jobs/{id}"));

        let reply = send(&app.router, get(location)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.body,
            json!({ "id": id, "status": "queued", "attempts": 0 })
        );
    })
    .await;
}

/// A job a consumer completed shows the consumer's result.
#[tokio::test]
async fn a_done_job_shows_its_result() {
    with_app(|app| async move {
        let text = "to be or not to be";
        let reply = send(&app.router, post_job(text, None)).await;
        let id = reply.body["id"].as_i64().expect("the job has an id");

        let lease = Duration::from_secs(30);
        let claimed = <%= jobs.crate %>::queue::claim(&app.pool, "test", lease, 1)
            .await
            .expect("cannot claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, id);
        let stats = <%= jobs.crate %>::TextStats::of(text);
        let completed = <%= jobs.crate %>::queue::complete(&app.pool, "test", id, &stats)
            .await
            .expect("cannot complete");
        assert!(completed);

        let reply = send(&app.router, get(&format!("/jobs/{id}"))).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["status"], "done");
        assert_eq!(reply.body["attempts"], 1);
        assert_eq!(
            reply.body["result"],
            serde_json::to_value(&stats).expect("stats are JSON")
        );
    })
    .await;
}

/// A retried request with the same `Idempotency-Key` adds no second job.
#[tokio::test]
async fn the_same_idempotency_key_gives_the_same_job() {
    with_app(|app| async move {
        let first = send(&app.router, post_job("once", Some("order-42"))).await;
        let again = send(&app.router, post_job("once", Some("order-42"))).await;
        let other = send(&app.router, post_job("once", Some("order-43"))).await;
        assert_eq!(first.status, StatusCode::ACCEPTED);
        assert_eq!(again.body["id"], first.body["id"]);
        assert_ne!(other.body["id"], first.body["id"]);
    })
    .await;
}

/// Bad input is a JSON 422, an unknown job a JSON 404.
#[tokio::test]
async fn rejects_bad_jobs_with_json_errors() {
    with_app(|app| async move {
        let reply = send(&app.router, post_job("  ", None)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.body, json!({ "error": "text must not be empty" }));

        let long_key = "k".repeat(256);
        let reply = send(&app.router, post_job("text", Some(&long_key))).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error = reply.body["error"].as_str().unwrap_or_default();
        assert!(error.starts_with("Idempotency-Key"), "{error}");

        let reply = send(&app.router, get("/jobs/999999")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.body, json!({ "error": "job 999999 not found" }));
    })
    .await;
}

/// One migrator holds the service's migrations and the queue's: running it
/// again finds nothing to do and nothing it does not know.
#[tokio::test]
async fn migrate_runs_the_queues_migrations_too() {
    with_app(|app| async move {
        db::migrate(&app.pool).await.expect("a second migrate");
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&app.pool)
                .await
                .expect("cannot list the migrations");
        assert_eq!(applied.first(), Some(&1));
        assert!(applied.contains(&1_000_001), "{applied:?}");
    })
    .await;
}
<% } -%>
