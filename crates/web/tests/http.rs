//! The HTTP contract end to end: the real router against a real SQLite file, one fresh
//! data dir per test. Each refused request is checked to have changed nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Password, Role, Username};
use infohus_store::{Store, password, sqlite_url};
use infohus_web::{AppState, Config, router};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

const PASSWORD: &str = "et-godt-langt-kodeord";

struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// Log lines of every test in this binary, to check that no personal data reaches them.
fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = logs.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_writer(move || CaptureWriter(writer.clone()))
            .try_init();
        logs
    })
}

struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct App {
    router: axum::Router,
    state: AppState,
    clock: Arc<TestClock>,
    dir: PathBuf,
    url: String,
}

/// A fresh, empty database: a SQLite file in `dir`, or a new PostgreSQL database when
/// `INFOHUS_TEST_POSTGRES` names a server (the test script's second pass).
async fn fresh_database(dir: &std::path::Path) -> String {
    let Some(base) = std::env::var("INFOHUS_TEST_POSTGRES").ok().filter(|v| !v.is_empty()) else {
        return sqlite_url(dir);
    };
    sqlx::any::install_default_drivers();
    let name = format!("infohus_web_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    admin.close().await;
    let server = base.rsplit_once('/').map_or(base.as_str(), |(server, _)| server);
    format!("{server}/{name}")
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
    fn field_names(&self) -> Vec<String> {
        self.json()["error"]["fields"]
            .as_array()
            .map(|a| a.iter().map(|f| f["field"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default()
    }
}

async fn spawn() -> App {
    spawn_with(Config::default()).await
}

async fn spawn_with(config: Config) -> App {
    captured_logs();
    let dir = std::env::temp_dir().join(format!("infohus-http-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(datetime!(2026-11-22 10:00 UTC))));
    let now = clock.now();
    let url = fresh_database(&dir).await;
    let store = Store::open(&url, &dir.join("keys"), now).await.unwrap();
    let infohus = store.default_infohus().await.unwrap();
    for (code, kind) in [
        ("KK", AgencyKind::Municipality),
        ("POL", AgencyKind::Police),
        ("PSY", AgencyKind::Psychiatry),
        ("KF", AgencyKind::PrisonProbation),
    ] {
        let name = AgencyName::parse(&format!("Myndighed {code}")).unwrap();
        store.add_agency(&infohus, &AgencyCode::parse(code).unwrap(), &name, kind, now).await.unwrap();
    }
    let hash = password::hash(&Password::parse(PASSWORD).unwrap()).unwrap();
    for (name, agency, role) in [
        ("koordinator", "KK", Role::Coordinator),
        ("politi", "POL", Role::Member),
        ("psykiatri", "PSY", Role::Member),
        ("revisor", "KK", Role::Auditor),
        ("analytiker", "KK", Role::Analyst),
        ("admin", "KK", Role::Admin),
        ("mentor", "KK", Role::Mentor),
        ("kriminalforsorgen", "KF", Role::Member),
    ] {
        store
            .add_user(
                &infohus,
                &Username::parse(name).unwrap(),
                name,
                &AgencyCode::parse(agency).unwrap(),
                role,
                &hash,
                now,
            )
            .await
            .unwrap();
    }
    let state = AppState::new(store, clock.clone(), config);
    App { router: router(state.clone()), state, clock, dir, url }
}

impl App {
    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
        assert!(status.as_u16() < 500, "5xx for {status}: {}", String::from_utf8_lossy(&body));
        Reply { status, headers, body }
    }

    async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Option<Vec<u8>>) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(bytes) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(bytes)),
            None => builder.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    async fn get(&self, uri: &str, token: &str) -> Reply {
        self.call(Method::GET, uri, Some(token), None).await
    }

    async fn post(&self, uri: &str, token: Option<&str>, body: &Value) -> Reply {
        self.call(Method::POST, uri, token, Some(serde_json::to_vec(body).unwrap())).await
    }

    async fn put(&self, uri: &str, token: &str, body: &Value) -> Reply {
        self.call(Method::PUT, uri, Some(token), Some(serde_json::to_vec(body).unwrap())).await
    }

    async fn patch(&self, uri: &str, token: &str, body: &Value) -> Reply {
        self.call(Method::PATCH, uri, Some(token), Some(serde_json::to_vec(body).unwrap())).await
    }

    fn set_time(&self, at: OffsetDateTime) {
        *self.clock.0.lock().unwrap() = at;
    }

    async fn login(&self, username: &str) -> String {
        let reply = self.post("/api/v1/auth/login", None, &json!({"username": username, "password": PASSWORD})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    /// Row counts of every table a request could change.
    async fn snapshot(&self) -> Vec<i64> {
        let pool = sqlx::AnyPool::connect(&self.url).await.unwrap();
        let mut counts = Vec::new();
        for table in ["persons", "referrals", "referral_agencies", "access_log", "users", "agencies"] {
            let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&pool)
                .await
                .unwrap();
            counts.push(row.0);
        }
        pool.close().await;
        counts
    }
}

fn example() -> Value {
    json!({
        "channel": "professional",
        "referrer": {"name": "Lærer Hansen", "organisation": "Skole X", "phone": "+45 12345678", "email": "a@b.dk"},
        "subject": {"name": "Navn Navnesen", "cpr": "0101051234", "birth_date": "2005-01-01", "gender": "male", "municipality": "0101"},
        "concern_category": "right_wing",
        "description": "Hvad er observeret …",
        "urgency": "normal"
    })
}

#[tokio::test]
async fn the_contract_example_is_stored_and_equal_cprs_share_a_person() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    let first = app.post("/api/v1/referrals", Some(&token), &example()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let first = first.json();
    assert_eq!(first["status"], "received");
    // Received Sunday 22 November 2026: five Danish working days later is Friday 27th.
    assert_eq!(first["screening_due"], "2026-11-27");
    let id = first["id"].as_str().unwrap();
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));

    let mut hyphen = example();
    hyphen["subject"]["cpr"] = json!("010105-1234");
    let second = app.post("/api/v1/referrals", Some(&token), &hyphen).await.json();
    assert_eq!(first["person_id"], second["person_id"]);

    let fetched = app.get(&format!("/api/v1/referrals/{id}"), &token).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json()["subject"]["name"], "Navn Navnesen");

    let person = app.get(&format!("/api/v1/persons/{}", first["person_id"].as_str().unwrap()), &token).await;
    assert_eq!(person.json()["referrals"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_json_is_400_and_changes_nothing() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    let before = app.snapshot().await;
    for body in [&b"{"[..], b"not json", b"{\"channel\": \"professional\",}", b""] {
        let reply = app.call(Method::POST, "/api/v1/referrals", Some(&token), Some(body.to_vec())).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(body));
        assert_eq!(reply.error_code(), "malformed");
        assert!(reply.json()["error"]["message"].is_string());
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn invalid_fields_are_422_with_every_field_named_and_change_nothing() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    let before = app.snapshot().await;

    let reply = app.post("/api/v1/referrals", Some(&token), &json!({})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.field_names(), ["channel", "concern_category", "description", "subject"]);

    let mut bad = example();
    bad["subject"]["cpr"] = json!("3213051234");
    bad["channel"] = json!("fax");
    bad["urgency"] = json!("now");
    let reply = app.post("/api/v1/referrals", Some(&token), &bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.field_names(), ["channel", "urgency", "subject.cpr"]);
    assert!(!reply.text().contains("3213051234"), "no submitted value echoed");

    for (parent, key) in [("", "extra"), ("/subject", "nickname"), ("/referrer", "fax")] {
        let mut body = example();
        body.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_owned(), json!("x"));
        let reply = app.post("/api/v1/referrals", Some(&token), &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{parent}/{key}");
        assert_eq!(reply.error_code(), "invalid");
        assert!(reply.field_names()[0].starts_with(parent.trim_start_matches('/')), "{:?}", reply.field_names());
    }

    let mut wrong_type = example();
    wrong_type["subject"]["name"] = json!(42);
    let reply = app.post("/api/v1/referrals", Some(&token), &wrong_type).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.field_names(), ["subject.name"]);

    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413_and_change_nothing() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    let before = app.snapshot().await;
    let mut big = example();
    big["description"] = json!("x".repeat(1024 * 1024 + 10));
    let reply = app.post("/api/v1/referrals", Some(&token), &big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "too_large");

    // Without a declared length the cap still holds.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/referrals")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_like_stream(vec![b' '; 2 * 1024 * 1024])))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.snapshot().await, before);
}

/// A streamed body in 64 KiB chunks, which carries no Content-Length.
fn futures_like_stream(bytes: Vec<u8>) -> IterStream<Result<axum::body::Bytes, std::io::Error>> {
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
        bytes.chunks(64 * 1024).map(|c| Ok(axum::body::Bytes::copy_from_slice(c))).collect();
    tokio_stream_iter(chunks)
}

fn tokio_stream_iter<T>(items: Vec<T>) -> IterStream<T> {
    IterStream(items.into_iter())
}

struct IterStream<T>(std::vec::IntoIter<T>);

impl<T: Unpin> futures_core::Stream for IterStream<T> {
    type Item = T;
    fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[tokio::test]
async fn without_a_valid_token_every_endpoint_is_401() {
    let app = spawn().await;
    let before = app.snapshot().await;
    for (method, uri) in [
        (Method::GET, "/api/v1/referrals"),
        (Method::POST, "/api/v1/referrals"),
        (Method::GET, "/api/v1/referrals/abc"),
        (Method::GET, "/api/v1/persons/abc"),
        (Method::GET, "/api/v1/audit?person=abc"),
        (Method::GET, "/api/v1/me"),
    ] {
        for token in [None, Some("not-a-token")] {
            let body = (method == Method::POST).then(|| serde_json::to_vec(&example()).unwrap());
            let reply = app.call(method.clone(), uri, token, body).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
            assert_eq!(reply.error_code(), "unauthenticated");
        }
    }
    let reply = app
        .post("/api/v1/auth/login", None, &json!({"username": "koordinator", "password": "forkert-kodeord-123"}))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = app.post("/api/v1/auth/login", None, &json!({"username": "ingen-bruger", "password": PASSWORD})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn repeated_failed_logins_are_rate_limited_even_for_the_right_password() {
    let app = spawn().await;
    for _ in 0..5 {
        let reply = app
            .post("/api/v1/auth/login", None, &json!({"username": "politi", "password": "forkert-kodeord-123"}))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = app.post("/api/v1/auth/login", None, &json!({"username": "politi", "password": PASSWORD})).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.error_code(), "rate_limited");
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    // Other accounts are unaffected, and the window passes.
    app.login("koordinator").await;
    *app.clock.0.lock().unwrap() += time::Duration::minutes(16);
    app.login("politi").await;
}

#[tokio::test]
async fn roles_without_intake_get_403_and_change_nothing() {
    let app = spawn().await;
    for role in ["analytiker", "revisor", "admin", "mentor"] {
        let token = app.login(role).await;
        let before = app.snapshot().await;
        let reply = app.post("/api/v1/referrals", Some(&token), &example()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(reply.error_code(), "forbidden");
        assert_eq!(app.snapshot().await, before);
    }
    let coordinator = app.login("koordinator").await;
    let reply = app.get("/api/v1/audit?person=abc", &coordinator).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn what_the_caller_may_not_see_is_404_whatever_the_id() {
    let app = spawn().await;
    let police = app.login("politi").await;
    let psychiatry = app.login("psykiatri").await;
    let analyst = app.login("analytiker").await;
    let coordinator = app.login("koordinator").await;
    let created = app.post("/api/v1/referrals", Some(&police), &example()).await.json();
    let id = created["id"].as_str().unwrap();
    let person = created["person_id"].as_str().unwrap();

    assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), &police).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), &coordinator).await.status, StatusCode::OK);
    for token in [&psychiatry, &analyst] {
        let reply = app.get(&format!("/api/v1/referrals/{id}"), token).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.error_code(), "not_found");
        assert_eq!(app.get(&format!("/api/v1/persons/{person}"), token).await.status, StatusCode::NOT_FOUND);
    }
    for odd in
        ["x", "0190f5c2-8e4b-7cc3-9b1e-2f7f6a1d9e01", "%00", "%E2%9C%93", "a.b", &"a".repeat(300), "..%2F..%2Fetc"]
    {
        let reply = app.get(&format!("/api/v1/referrals/{odd}"), &coordinator).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{odd}");
    }
    let list = app.get("/api/v1/referrals", &analyst).await.json();
    assert_eq!(list["items"], json!([]));
    assert_eq!(list["next_cursor"], Value::Null);
    let list = app.get("/api/v1/referrals", &psychiatry).await.json();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn limit_accepts_1_to_100_and_nothing_else() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    for _ in 0..3 {
        app.post("/api/v1/referrals", Some(&token), &example()).await;
    }
    for ok in ["1", "2", "50", "99", "100"] {
        let reply = app.get(&format!("/api/v1/referrals?limit={ok}"), &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{ok}");
        assert!(reply.json()["items"].as_array().unwrap().len() <= ok.parse::<usize>().unwrap());
    }
    for bad in ["0", "101", "-1", "abc", "1.5", "", "99999999999999999999"] {
        let reply = app.get(&format!("/api/v1/referrals?limit={bad}"), &token).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "limit={bad}");
        assert_eq!(reply.field_names(), ["limit"]);
    }
    let reply = app.get("/api/v1/referrals?cursor=bogus", &token).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn paging_with_next_cursor_returns_every_referral_once() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    let mut created = Vec::new();
    for i in 0..7 {
        let mut body = example();
        body["subject"]["cpr"] = json!(format!("01010{i}1234"));
        *app.clock.0.lock().unwrap() += time::Duration::seconds(1);
        created
            .push(app.post("/api/v1/referrals", Some(&token), &body).await.json()["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut uri = "/api/v1/referrals?limit=3".to_owned();
    loop {
        let page = app.get(&uri, &token).await.json();
        seen.extend(page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(cursor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
                uri = format!("/api/v1/referrals?limit=3&cursor={cursor}");
            }
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created, "newest first, each once");
}

#[tokio::test]
async fn the_auditor_sees_every_use_of_a_persons_data_in_order() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let auditor = app.login("revisor").await;
    let created = app.post("/api/v1/referrals", Some(&coordinator), &example()).await.json();
    let person = created["person_id"].as_str().unwrap();
    app.get(&format!("/api/v1/referrals/{}", created["id"].as_str().unwrap()), &coordinator).await;
    app.get("/api/v1/referrals", &coordinator).await;

    let log = app.get(&format!("/api/v1/audit?person={person}"), &auditor).await;
    assert_eq!(log.status, StatusCode::OK);
    let items = log.json()["items"].as_array().unwrap().clone();
    let actions: Vec<_> = items.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    assert_eq!(actions, ["create", "create", "read", "search"]);
    assert!(items.iter().all(|e| e["actor"] == "koordinator" && e["at"].as_str().unwrap().ends_with('Z')));

    let page = app.get(&format!("/api/v1/audit?person={person}&limit=2"), &auditor).await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("/api/v1/audit?person={person}&limit=2&cursor={cursor}"), &auditor).await.json();
    assert_eq!(rest["items"][0]["action"], "read");

    let unknown = app.get("/api/v1/audit?person=nobody", &auditor).await.json();
    assert_eq!(unknown["items"], json!([]));
    assert_eq!(app.get("/api/v1/audit?person=x&limit=0", &auditor).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn sessions_end_on_logout_and_after_the_idle_timeout() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);
    *app.clock.0.lock().unwrap() += time::Duration::minutes(29);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK, "activity keeps it alive");
    *app.clock.0.lock().unwrap() += time::Duration::minutes(31);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);

    let token = app.login("koordinator").await;
    let reply = app.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = spawn().await;
    let reply = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let source = [
        include_str!("../src/api.rs"),
        include_str!("../src/casework_api.rs"),
        include_str!("../src/meetings_api.rs"),
        include_str!("../src/search_api.rs"),
    ]
    .concat();
    for piece in source.split(".route(\"").skip(1) {
        let path = piece.split('"').next().unwrap();
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let app = spawn().await;
    let reply = app.call(Method::GET, "/api/v1/nothing", None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
    let reply = app.call(Method::DELETE, "/api/v1/referrals", None, None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(app.call(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
}

// ---- the web pages ---------------------------------------------------------------------

fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().split_once('=').unwrap().1.to_owned())
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_owned()
}

async fn form(app: &App, uri: &str, cookies: &str, fields: &[(&str, &str)]) -> Reply {
    let body = serde_urlencoded::to_string(fields).unwrap();
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

async fn page(app: &App, uri: &str, cookies: &str) -> Reply {
    let request = Request::builder().uri(uri).header(header::COOKIE, cookies).body(Body::empty()).unwrap();
    app.send(request).await
}

async fn web_login(app: &App, username: &str) -> String {
    let login = page(app, "/log-ind", "").await;
    let pre = set_cookie(&login, "infohus_login_csrf").unwrap();
    let csrf = hidden_csrf(&login.text());
    let cookies = format!("infohus_login_csrf={pre}");
    let reply =
        form(app, "/log-ind", &cookies, &[("csrf", &csrf), ("username", username), ("password", PASSWORD)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    format!("infohus_session={}", set_cookie(&reply, "infohus_session").unwrap())
}

#[tokio::test]
async fn pages_send_a_strict_csp_and_need_a_login() {
    let app = spawn().await;
    let login = page(&app, "/log-ind", "").await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe"));
    let html = login.text();
    assert!(html.contains("lang=\"da\"") && html.contains("<label class=\"form-label\" for=\"username\">"));
    assert!(!html.contains("<script"), "works without JavaScript");
    let cookie = login.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    let inbox = page(&app, "/indbakke", "").await;
    assert_eq!(inbox.status, StatusCode::SEE_OTHER);
    assert_eq!(inbox.headers.get(header::LOCATION).unwrap(), "/log-ind");
    let css = page(&app, "/static/dkfds/css/dkfds.min.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
}

#[tokio::test]
async fn a_login_form_without_its_csrf_token_is_refused() {
    let app = spawn().await;
    let login = page(&app, "/log-ind", "").await;
    let pre = set_cookie(&login, "infohus_login_csrf").unwrap();
    let reply = form(
        &app,
        "/log-ind",
        &format!("infohus_login_csrf={pre}"),
        &[("csrf", "forged"), ("username", "koordinator"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&reply, "infohus_session").is_none());
}

#[tokio::test]
async fn a_coordinator_registers_a_referral_through_the_web_form() {
    let app = spawn().await;
    let session = web_login(&app, "koordinator").await;
    let new = page(&app, "/henvendelser/ny", &session).await;
    assert_eq!(new.status, StatusCode::OK);
    let html = new.text();
    let csrf = hidden_csrf(&html);
    for id in ["f-channel", "f-concern_category", "f-description", "f-subject-name", "f-subject-cpr"] {
        assert!(html.contains(&format!("for=\"{id}\"")), "label for {id}");
    }

    // Without the CSRF token nothing is stored.
    let before = app.snapshot().await;
    let reply = form(&app, "/henvendelser", &session, &[("channel", "hotline"), ("subject.name", "Åse Ørsted")]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot().await, before);

    // Invalid fields come back with Danish messages next to the fields.
    let reply = form(
        &app,
        "/henvendelser",
        &session,
        &[("csrf", &csrf), ("channel", "hotline"), ("subject.name", "Åse Ørsted"), ("subject.cpr", "123")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = reply.text();
    assert!(html.contains("Der er problemer med formularen"));
    assert!(html.contains("id=\"f-subject-cpr-error\""));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("Åse Ørsted"), "typed values are kept");
    assert_eq!(app.snapshot().await, before);

    let reply = form(
        &app,
        "/henvendelser",
        &session,
        &[
            ("csrf", &csrf),
            ("channel", "hotline"),
            ("concern_category", "conspiracy"),
            ("urgency", "urgent"),
            ("description", "Har delt opfordringer til vold i en lukket gruppe."),
            ("subject.name", "Åse Ørsted"),
            ("subject.cpr", "150310-4321"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let location = reply.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
    assert!(location.starts_with("/henvendelser/") && !location.contains("4321") && !location.contains("rsted"));
    let detail = page(&app, &location, &session).await;
    assert_eq!(detail.status, StatusCode::OK);
    let html = detail.text();
    assert!(html.contains("Henvendelsen er registreret") && html.contains("Under 18 år"));

    let inbox = page(&app, "/indbakke?urgency=urgent", &session).await;
    assert!(inbox.text().contains("Åse Ørsted"));
    assert!(!inbox.text().contains("Overskredet"));
    let person_link = html
        .split("href=\"/personer/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .find(|link| *link != "soeg")
        .unwrap()
        .to_owned();
    let person = page(&app, &format!("/personer/{person_link}"), &session).await;
    assert!(person.text().contains("150310-4321"));

    // Logging out ends the session for good.
    let reply = form(&app, "/log-ud", &session, &[("csrf", &csrf)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(page(&app, "/indbakke", &session).await.status, StatusCode::SEE_OTHER);

    // Ten days on, the screening deadline has passed and the inbox says so.
    *app.clock.0.lock().unwrap() += time::Duration::days(10);
    let later = web_login(&app, "koordinator").await;
    assert!(
        page(&app, "/indbakke?urgency=urgent", &later).await.text().contains("Overskredet"),
        "overdue screening stands out"
    );
}

#[tokio::test]
async fn no_personal_data_reaches_the_logs() {
    let app = spawn().await;
    let token = app.login("koordinator").await;
    let mut body = example();
    body["subject"]["name"] = json!("Xyzzy Hemmeligsen");
    body["subject"]["cpr"] = json!("2902961235");
    body["description"] = json!("Beskrivelse-som-aldrig-maa-logges");
    let created = app.post("/api/v1/referrals", Some(&token), &body).await;
    assert_eq!(created.status, StatusCode::CREATED);
    body["subject"]["cpr"] = json!("9999999999");
    app.post("/api/v1/referrals", Some(&token), &body).await;
    app.get("/api/v1/referrals", &token).await;
    let _ = app
        .post("/api/v1/auth/login", None, &json!({"username": "koordinator", "password": "Xyzzy Hemmeligsen"}))
        .await;
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(logs.contains("request"), "the capture works");
    for secret in ["Xyzzy", "Hemmeligsen", "2902961235", "290296", "9999999999", "aldrig-maa-logges"] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
    }
}

// ---- the authorisation matrix --------------------------------------------------------

/// Expected status per caller, in the order of `CALLERS`.
#[derive(Clone, Copy)]
struct Expect([u16; 8]);

/// Who calls: nobody, then each role; `politi` takes part in the case, `psykiatri` does not.
const CALLERS: [&str; 8] = ["", "koordinator", "politi", "psykiatri", "mentor", "analytiker", "revisor", "admin"];

/// Order in which callers are tried: changes by the allowed ones come last, so that every
/// refused attempt meets the same state.
const ORDER: [usize; 8] = [0, 3, 4, 5, 6, 7, 2, 1];

#[tokio::test]
async fn every_endpoint_answers_every_role_exactly_as_the_policy_says() {
    let app = spawn().await;
    let mut tokens = vec![String::new()];
    for caller in &CALLERS[1..] {
        tokens.push(app.login(caller).await);
    }
    let coordinator = tokens[1].clone();
    let police = tokens[2].clone();
    // The police's own referral; and a coordinator's referral with a case the police take part in.
    let r_pol = app.post("/api/v1/referrals", Some(&police), &example()).await.json();
    let mut other = example();
    other["subject"]["cpr"] = json!("0202051234");
    let r_case = app.post("/api/v1/referrals", Some(&coordinator), &other).await.json();
    let mut third = example();
    third["subject"]["cpr"] = json!("0303051234");
    let r_open = app.post("/api/v1/referrals", Some(&coordinator), &third).await.json();
    let (r_pol_id, p_pol) = (r_pol["id"].as_str().unwrap(), r_pol["person_id"].as_str().unwrap());
    let (r_case_id, p_case) = (r_case["id"].as_str().unwrap(), r_case["person_id"].as_str().unwrap());
    let r_open_id = r_open["id"].as_str().unwrap();
    let mut fresh = example();
    fresh["subject"]["cpr"] = json!("0404051234");
    let case = app
        .post(
            &format!("/api/v1/referrals/{r_case_id}/case"),
            Some(&coordinator),
            &json!({"lead_agency": "KK", "agencies": ["POL"]}),
        )
        .await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.text());
    let case_id = case.json()["id"].as_str().unwrap().to_owned();
    let note =
        app.post(&format!("/api/v1/cases/{case_id}/notes"), Some(&police), &json!({"body": "Politiets notat"})).await;
    let note_id = note.json()["id"].as_str().unwrap().to_owned();

    //                       nobody coord politi psyk  mentor analyt revisor admin
    let e = |a: [u16; 8]| Expect(a);
    let rows: Vec<(&str, Method, String, Option<Value>, Expect)> = vec![
        ("me", Method::GET, "/api/v1/me".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
        (
            "categories",
            Method::GET,
            "/api/v1/concern-categories".into(),
            None,
            e([401, 200, 200, 200, 200, 200, 200, 200]),
        ),
        ("list referrals", Method::GET, "/api/v1/referrals".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
        (
            "own agency's referral",
            Method::GET,
            format!("/api/v1/referrals/{r_pol_id}"),
            None,
            e([401, 200, 200, 404, 404, 404, 404, 404]),
        ),
        (
            "case's referral",
            Method::GET,
            format!("/api/v1/referrals/{r_case_id}"),
            None,
            e([401, 200, 200, 404, 404, 404, 404, 404]),
        ),
        ("person", Method::GET, format!("/api/v1/persons/{p_pol}"), None, e([401, 200, 200, 404, 404, 404, 404, 404])),
        (
            "person of the case",
            Method::GET,
            format!("/api/v1/persons/{p_case}"),
            None,
            e([401, 200, 200, 404, 404, 404, 404, 404]),
        ),
        (
            "link suggestion",
            Method::POST,
            format!("/api/v1/referrals/{r_pol_id}/suggestion"),
            Some(json!({"decision": "dismiss"})),
            e([401, 409, 403, 404, 404, 404, 404, 404]),
        ),
        ("case", Method::GET, format!("/api/v1/cases/{case_id}"), None, e([401, 200, 200, 404, 404, 404, 404, 404])),
        (
            "add note",
            Method::POST,
            format!("/api/v1/cases/{case_id}/notes"),
            Some(json!({"body": "Notat"})),
            e([401, 201, 201, 404, 404, 404, 404, 404]),
        ),
        (
            "disclose note",
            Method::POST,
            format!("/api/v1/notes/{note_id}/disclosures"),
            Some(json!({"to_agency": "PSY", "legal_basis": "rpl_115a", "purpose": "Koordinering"})),
            e([401, 404, 201, 404, 404, 404, 404, 404]),
        ),
        (
            "add agency",
            Method::POST,
            format!("/api/v1/cases/{case_id}/agencies"),
            Some(json!({"agency": "PSY"})),
            e([401, 204, 403, 404, 404, 404, 404, 404]),
        ),
        (
            "break glass",
            Method::POST,
            format!("/api/v1/cases/{case_id}/break-glass"),
            Some(json!({"reason": "Akut henvendelse fra vagten"})),
            e([401, 201, 201, 201, 404, 404, 404, 404]),
        ),
        (
            "open case",
            Method::POST,
            format!("/api/v1/referrals/{r_open_id}/case"),
            Some(json!({"lead_agency": "KK"})),
            e([401, 201, 403, 403, 404, 404, 404, 404]),
        ),
        (
            "create referral",
            Method::POST,
            "/api/v1/referrals".into(),
            Some(fresh.clone()),
            e([401, 201, 201, 201, 403, 403, 403, 403]),
        ),
        ("legal bases", Method::GET, "/api/v1/legal-bases".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
        (
            "add legal basis",
            Method::POST,
            "/api/v1/legal-bases".into(),
            Some(json!({"code": "lokal", "label": "Lokal aftale"})),
            e([401, 403, 403, 403, 403, 403, 403, 201]),
        ),
        (
            "access log",
            Method::GET,
            format!("/api/v1/audit?person={p_pol}"),
            None,
            e([401, 403, 403, 403, 403, 403, 200, 403]),
        ),
        (
            "access log csv",
            Method::GET,
            format!("/api/v1/audit?person={p_pol}&format=csv"),
            None,
            e([401, 403, 403, 403, 403, 403, 200, 403]),
        ),
        (
            "break-glass list",
            Method::GET,
            "/api/v1/audit/break-glass".into(),
            None,
            e([401, 403, 403, 403, 403, 403, 200, 403]),
        ),
        (
            "disclosure list",
            Method::GET,
            "/api/v1/audit/disclosures".into(),
            None,
            e([401, 403, 403, 403, 403, 403, 200, 403]),
        ),
        (
            "subject access",
            Method::GET,
            format!("/api/v1/audit/subject-access?person={p_pol}"),
            None,
            e([401, 403, 403, 403, 403, 403, 200, 403]),
        ),
    ];
    let mut failures = Vec::new();
    for (name, method, path, body, Expect(expected)) in &rows {
        for &who in &ORDER {
            let token = (who > 0).then(|| tokens[who].as_str());
            let body = body.as_ref().map(|b| serde_json::to_vec(b).unwrap());
            let reply = app.call(method.clone(), path, token, body).await;
            if reply.status.as_u16() != expected[who] {
                failures.push(format!("{name}: {} got {} expected {}", CALLERS[who], reply.status, expected[who]));
            }
        }
    }
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));

    // Lists show each caller only what they may see.
    let count = |token: &str| {
        let app = &app;
        let token = token.to_owned();
        async move { app.get("/api/v1/referrals?limit=100", &token).await.json()["items"].as_array().unwrap().len() }
    };
    assert_eq!(count(&tokens[3]).await, 2, "psykiatri: its own new referral and the one whose case it joined");
    assert_eq!(count(&tokens[4]).await, 0);
    assert!(count(&tokens[2]).await >= 2);

    // Zero unexpected reads: nobody outside the policy touched either person's data.
    let auditor = &tokens[6];
    for (caller, person) in [
        ("psykiatri", p_pol),
        ("mentor", p_pol),
        ("analytiker", p_pol),
        ("admin", p_pol),
        ("mentor", p_case),
        ("analytiker", p_case),
        ("admin", p_case),
    ] {
        let log = app.get(&format!("/api/v1/audit?person={person}&user={caller}&limit=100"), auditor).await.json();
        assert_eq!(log["items"], json!([]), "{caller} used {person}'s data");
    }
    let log = app.get(&format!("/api/v1/audit?person={p_case}&user=psykiatri&limit=100"), auditor).await.json();
    let purposes: Vec<_> =
        log["items"].as_array().unwrap().iter().map(|e| e["purpose"].as_str().unwrap().to_owned()).collect();
    // Break glass before psykiatri's agency joined the case; the inbox listing after.
    assert_eq!(purposes, ["break_glass", "inbox"]);
}

#[tokio::test]
async fn case_pages_show_notes_by_need_to_know_and_offer_break_glass() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let police = app.login("politi").await;
    let created = app.post("/api/v1/referrals", Some(&coordinator), &example()).await.json();
    let referral = created["id"].as_str().unwrap();
    let case = app
        .post(
            &format!("/api/v1/referrals/{referral}/case"),
            Some(&coordinator),
            &json!({"lead_agency": "KK", "agencies": ["POL"]}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let note = app
        .post(
            &format!("/api/v1/cases/{case}/notes"),
            Some(&police),
            &json!({"body": "Politiets vurdering", "sensitivity": ["criminal_offence"]}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED);
    let note = note.json()["id"].as_str().unwrap().to_owned();

    let police_page = page(&app, &format!("/sager/{case}"), &web_login(&app, "politi").await).await;
    assert_eq!(police_page.status, StatusCode::OK);
    assert!(police_page.text().contains("Politiets vurdering"));
    let coordinator_session = web_login(&app, "koordinator").await;
    let coordinator_page = page(&app, &format!("/sager/{case}"), &coordinator_session).await;
    assert!(!coordinator_page.text().contains("Politiets vurdering"), "not disclosed to the secretariat");
    // A basis that does not cover criminal-offence data is refused; one that does works.
    let refused = app
        .post(
            &format!("/api/v1/notes/{note}/disclosures"),
            Some(&police),
            &json!({"to_agency": "KK", "legal_basis": "dbl_7_4", "purpose": "Koordinering"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.field_names(), ["legal_basis"]);
    let disclosed = app
        .post(
            &format!("/api/v1/notes/{note}/disclosures"),
            Some(&police),
            &json!({"to_agency": "KK", "legal_basis": "dbl_8", "purpose": "Koordinering"}),
        )
        .await;
    assert_eq!(disclosed.status, StatusCode::CREATED);
    assert!(page(&app, &format!("/sager/{case}"), &coordinator_session).await.text().contains("Politiets vurdering"));

    // Outside the case: a 404 that offers break glass, for any id alike.
    let psychiatry = web_login(&app, "psykiatri").await;
    for id in [case.as_str(), "0190f5c2-8e4b-7cc3-9b1e-2f7f6a1d9e01"] {
        let refused = page(&app, &format!("/sager/{id}"), &psychiatry).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        assert!(refused.text().contains(&format!("/sager/{id}/noedadgang")));
    }
}

#[tokio::test]
async fn the_auditor_downloads_the_log_as_csv_and_the_download_is_logged() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let auditor = app.login("revisor").await;
    let created = app.post("/api/v1/referrals", Some(&coordinator), &example()).await.json();
    let person = created["person_id"].as_str().unwrap();
    let csv = app.get(&format!("/api/v1/audit?person={person}&format=csv"), &auditor).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers.get(header::CONTENT_TYPE).unwrap(), "text/csv; charset=utf-8");
    let text = csv.text();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.lines().count(), 3, "header and the two intake entries: {text}");
    let log = app.get("/api/v1/audit?user=revisor&action=export", &auditor).await.json();
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "the export itself is logged");
    let page_csv = page(&app, &format!("/revision/csv?person={person}"), &web_login(&app, "revisor").await).await;
    assert_eq!(page_csv.status, StatusCode::OK);
    assert!(page_csv.text().contains("Registrering"), "purposes in Danish");
    let bad = app.get("/api/v1/audit?from=yesterday", &auditor).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The audit page shows Copenhagen times, so its date filters are Copenhagen days: an entry
/// made at 23:30 UTC on a winter evening belongs to the next day's search.
#[tokio::test]
async fn the_audit_pages_date_filters_are_copenhagen_days() {
    let app = spawn().await;
    for at in [datetime!(2026-11-22 23:30 UTC), datetime!(2026-11-23 23:30 UTC)] {
        app.set_time(at);
        let coordinator = app.login("koordinator").await;
        assert_eq!(app.post("/api/v1/referrals", Some(&coordinator), &example()).await.status, StatusCode::CREATED);
    }
    let auditor = web_login(&app, "revisor").await;
    let csv =
        page(&app, "/revision/csv?username=koordinator&action=create&from=2026-11-23&to=2026-11-23", &auditor).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    // The CSV gives times in UTC (its header says so): 00:30 in Copenhagen is 23:30Z the day before.
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|r| r.contains("\"2026-11-22T23:30:00Z\"")), "{text}");
    let html =
        page(&app, "/revision?username=koordinator&action=create&from=2026-11-24&to=2026-11-24", &auditor).await.text();
    assert!(html.contains("24.11.2026 kl. 00.30") && !html.contains("23.11.2026 kl. 00.30"), "{html}");
}

#[tokio::test]
async fn an_admin_extends_the_legal_bases_through_the_page() {
    let app = spawn().await;
    let session = web_login(&app, "admin").await;
    let listing = page(&app, "/opsaetning/hjemler", &session).await;
    assert_eq!(listing.status, StatusCode::OK);
    assert!(listing.text().contains("Retsplejeloven § 115 a"));
    let csrf = hidden_csrf(&listing.text());
    let added = form(
        &app,
        "/opsaetning/hjemler",
        &session,
        &[
            ("csrf", &csrf),
            ("code", "lokal_aftale"),
            ("label", "Lokal samarbejdsaftale"),
            ("covers_criminal_offence", "1"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let again =
        form(&app, "/opsaetning/hjemler", &session, &[("csrf", &csrf), ("code", "lokal_aftale"), ("label", "Igen")])
            .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad =
        form(&app, "/opsaetning/hjemler", &session, &[("csrf", &csrf), ("code", "med mellemrum"), ("label", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = app.login("admin").await;
    let bases = app.get("/api/v1/legal-bases", &token).await.json();
    let found = bases["items"].as_array().unwrap().iter().find(|b| b["code"] == "lokal_aftale").cloned().unwrap();
    assert_eq!(
        (found["covers_special_category"].as_bool(), found["covers_criminal_offence"].as_bool()),
        (Some(false), Some(true))
    );
    let coordinator = web_login(&app, "koordinator").await;
    assert_eq!(page(&app, "/opsaetning/hjemler", &coordinator).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_of_one_infohus_never_see_or_count_anything_of_another() {
    use infohus_domain::municipality::PoliceDistrict;
    use infohus_store::NewInfohus;
    let app = spawn().await;
    let store = app.state.store();
    let now = app.clock.now();
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let b = store
        .add_infohus(
            NewInfohus {
                code: code("IB"),
                name: "Infohus B".into(),
                police_district: Some(PoliceDistrict::Fyn),
                national: false,
            },
            now,
        )
        .await
        .unwrap();
    let hash = password::hash(&Password::parse(PASSWORD).unwrap()).unwrap();
    store
        .add_agency(&b, &code("B-KOM"), &AgencyName::parse("Kommune B").unwrap(), AgencyKind::Municipality, now)
        .await
        .unwrap();
    store
        .add_agency(&b, &code("B-POL"), &AgencyName::parse("Politi B").unwrap(), AgencyKind::Police, now)
        .await
        .unwrap();
    for (name, agency, role) in [
        ("b-koord", "B-KOM", Role::Coordinator),
        ("b-politi", "B-POL", Role::Member),
        ("b-revisor", "B-KOM", Role::Auditor),
    ] {
        store.add_user(&b, &Username::parse(name).unwrap(), name, &code(agency), role, &hash, now).await.unwrap();
    }
    // Both infohuse hold a referral about the same CPR, with a case and a note in B.
    let a_coord = app.login("koordinator").await;
    let b_coord = app.login("b-koord").await;
    let b_police = app.login("b-politi").await;
    let a_ref = app.post("/api/v1/referrals", Some(&a_coord), &example()).await.json();
    let b_ref = app.post("/api/v1/referrals", Some(&b_coord), &example()).await.json();
    assert_ne!(a_ref["person_id"], b_ref["person_id"], "the same CPR is two persons in two infohuse");
    let (b_ref_id, b_person) = (b_ref["id"].as_str().unwrap(), b_ref["person_id"].as_str().unwrap());
    let b_case = app
        .post(
            &format!("/api/v1/referrals/{b_ref_id}/case"),
            Some(&b_coord),
            &json!({"lead_agency": "B-KOM", "agencies": ["B-POL"]}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_note =
        app.post(&format!("/api/v1/cases/{b_case}/notes"), Some(&b_police), &json!({"body": "B's notat"})).await.json()
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let b_ids = [b_ref_id.to_owned(), b_person.to_owned(), b_case.clone(), b_note.clone()];

    // Every endpoint, called by every user of infohus A.
    for user in CALLERS.iter().skip(1) {
        let token = app.login(user).await;
        for path in [
            format!("/api/v1/referrals/{b_ref_id}"),
            format!("/api/v1/persons/{b_person}"),
            format!("/api/v1/cases/{b_case}"),
        ] {
            assert_eq!(app.get(&path, &token).await.status, StatusCode::NOT_FOUND, "{user} {path}");
        }
        for (path, body) in [
            (format!("/api/v1/cases/{b_case}/notes"), json!({"body": "x"})),
            (format!("/api/v1/cases/{b_case}/break-glass"), json!({"reason": "Akut behov for oplysninger"})),
            (
                format!("/api/v1/notes/{b_note}/disclosures"),
                json!({"to_agency": "KK", "legal_basis": "rpl_115a", "purpose": "x"}),
            ),
            (format!("/api/v1/cases/{b_case}/agencies"), json!({"agency": "KK"})),
        ] {
            let status = app.post(&path, Some(&token), &body).await.status;
            assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{user} {path}: {status}");
        }
        // The whole log first: a search by B's person id, once made, is itself in A's log.
        for path in [
            "/api/v1/referrals?limit=100".to_owned(),
            "/api/v1/audit?limit=100".to_owned(),
            format!("/api/v1/audit?person={b_person}"),
            "/api/v1/audit/break-glass".to_owned(),
            "/api/v1/audit/disclosures".to_owned(),
        ] {
            let reply = app.get(&path, &token).await;
            let text = reply.text();
            for id in &b_ids {
                assert!(!text.contains(id.as_str()), "{user} {path} reveals {id}");
            }
        }
    }
    let auditor = app.login("revisor").await;
    let report = app.get(&format!("/api/v1/audit/subject-access?person={b_person}"), &auditor).await;
    assert_eq!(report.status, StatusCode::UNPROCESSABLE_ENTITY, "B's person is unknown in A");
}

#[tokio::test]
async fn a_coordinator_asks_whether_a_person_is_known_elsewhere_and_requests_sharing() {
    use infohus_domain::municipality::PoliceDistrict;
    use infohus_store::NewInfohus;
    let app = spawn().await;
    let store = app.state.store();
    let now = app.clock.now();
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let fyn = store
        .add_infohus(
            NewInfohus {
                code: code("FYN"),
                name: "Infohus Fyn".into(),
                police_district: Some(PoliceDistrict::Fyn),
                national: false,
            },
            now,
        )
        .await
        .unwrap();
    store
        .add_agency(
            &fyn,
            &code("FYN-SEK"),
            &AgencyName::parse("Sekretariat Fyn").unwrap(),
            AgencyKind::Municipality,
            now,
        )
        .await
        .unwrap();
    let hash = password::hash(&Password::parse(PASSWORD).unwrap()).unwrap();
    store
        .add_user(&fyn, &Username::parse("fyn").unwrap(), "Fyn", &code("FYN-SEK"), Role::Coordinator, &hash, now)
        .await
        .unwrap();
    let fyn_token = app.login("fyn").await;
    assert_eq!(app.post("/api/v1/referrals", Some(&fyn_token), &example()).await.status, StatusCode::CREATED);

    let session = web_login(&app, "koordinator").await;
    let page_html = page(&app, "/kendt-andetsteds", &session).await.text();
    let csrf = hidden_csrf(&page_html);
    let result = form(&app, "/kendt-andetsteds", &session, &[("csrf", &csrf), ("cpr", "010105-1234")]).await;
    assert_eq!(result.status, StatusCode::OK);
    assert!(result.text().contains("Infohus Fyn"));
    let none = form(&app, "/kendt-andetsteds", &session, &[("csrf", &csrf), ("cpr", "0202051234")]).await;
    assert!(none.text().contains("ikke kendt"));
    let bad = form(&app, "/kendt-andetsteds", &session, &[("csrf", &csrf), ("cpr", "123")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = form(
        &app,
        "/kendt-andetsteds/anmodning",
        &session,
        &[
            ("csrf", &csrf),
            ("cpr", "0101051234"),
            ("to_infohus", "FYN"),
            ("legal_basis", "rpl_115a"),
            ("purpose", "Fælles bekymring"),
        ],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert!(!sent.headers.get(header::LOCATION).unwrap().to_str().unwrap().contains("0101"), "no CPR in a URL");
    let fyn_page = page(&app, "/kendt-andetsteds", &web_login(&app, "fyn").await).await;
    assert!(fyn_page.text().contains("Fælles bekymring"));
    let member = web_login(&app, "politi").await;
    assert_eq!(page(&app, "/kendt-andetsteds", &member).await.status, StatusCode::FORBIDDEN);
}

// ---- casework ---------------------------------------------------------------------------

/// Row counts and states of the casework tables, to check that a refusal changed nothing.
async fn casework_snapshot(app: &App) -> Vec<String> {
    let pool = sqlx::AnyPool::connect(&app.url).await.unwrap();
    let mut state = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM assessments",
        "SELECT COUNT(*) FROM assessments WHERE status = 'signed'",
        "SELECT COUNT(*) FROM tasks WHERE status = 'open'",
        "SELECT COUNT(*) FROM cases WHERE status = 'open'",
        "SELECT COUNT(*) FROM case_events",
        "SELECT COUNT(*) FROM interventions",
        "SELECT COUNT(*) FROM instruments",
    ] {
        let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
        state.push(format!("{sql}: {}", row.0));
    }
    let contents: Vec<(String,)> =
        sqlx::query_as("SELECT content FROM assessments ORDER BY id").fetch_all(&pool).await.unwrap();
    state.extend(contents.into_iter().map(|(c,)| c));
    pool.close().await;
    state
}

/// Ratings for every item of an instrument: risks at `risk`, resources at `resource`.
fn ratings(instrument: &Value, risk: &str, resource: &str) -> Value {
    let mut map = serde_json::Map::new();
    for dimension in instrument["dimensions"].as_array().unwrap() {
        for item in dimension["items"].as_array().unwrap() {
            let level = if item["side"] == "risk" { risk } else { resource };
            map.insert(item["key"].as_str().unwrap().to_owned(), json!(level));
        }
    }
    Value::Object(map)
}

fn rationales(instrument: &Value) -> Value {
    let mut map = serde_json::Map::new();
    for dimension in instrument["dimensions"].as_array().unwrap() {
        map.insert(dimension["key"].as_str().unwrap().to_owned(), json!("Begrundelse efter samtale med familien."));
    }
    Value::Object(map)
}

fn full_assessment(instrument: &Value, kind: &str, on: &str, risk: &str, resource: &str) -> Value {
    json!({
        "instrument": instrument["key"], "kind": kind, "assessed_on": on,
        "ratings": ratings(instrument, risk, resource),
        "rationales": rationales(instrument),
        "overall": "Samlet vurdering: bekymringen er reel, men der er ressourcer i netværket.",
        "recommendation": instrument["recommendations"][0]["key"],
        "assessors": ["Sagsbehandler A", "Psykolog B"],
    })
}

/// A referral screened to a prevention case by the coordinator, with POL and PSY checks.
async fn screened_case(app: &App) -> (String, String, String) {
    let coordinator = app.login("koordinator").await;
    let referral = app.post("/api/v1/referrals", Some(&coordinator), &example()).await.json();
    let referral_id = referral["id"].as_str().unwrap().to_owned();
    let person_id = referral["person_id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/referrals/{referral_id}/screening");
    let reply = app.post(&format!("{uri}/requests"), Some(&coordinator), &json!({"agencies": ["POL", "PSY"]})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let police = app.login("politi").await;
    let reply = app
        .post(&format!("{uri}/checks"), Some(&police), &json!({"result": "known", "note": "Kendt fra en sag i 2024."}))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let psychiatry = app.login("psykiatri").await;
    let reply = app
        .post(
            &format!("{uri}/checks"),
            Some(&psychiatry),
            &json!({"result": "not_known", "note": "Ikke i vores journaler."}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let outcome = app
        .post(
            &format!("{uri}/outcome"),
            Some(&coordinator),
            &json!({"outcome": "prevention_case", "lead_agency": "KK", "agencies": ["POL", "PSY"]}),
        )
        .await;
    assert_eq!(outcome.status, StatusCode::OK, "{}", outcome.text());
    (referral_id, outcome.json()["case_id"].as_str().unwrap().to_owned(), person_id)
}

#[tokio::test]
async fn a_case_lives_from_referral_through_screening_assessments_and_mentoring_to_closure() {
    let app = spawn().await;
    app.set_time(datetime!(2026-11-23 09:00 UTC));
    let (referral_id, case_id, person_id) = screened_case(&app).await;
    let coordinator = app.login("koordinator").await;
    let kinds = app.get("/api/v1/intervention-types", &coordinator).await.json();
    let mentoring = kinds["items"].as_array().unwrap().iter().find(|k| k["code"] == "mentoring").unwrap();
    assert_eq!(mentoring["label"], "Mentorforløb");

    // The screening: both checks, the police sees its own note only; the coordinator all.
    let screening = app.get(&format!("/api/v1/referrals/{referral_id}/screening"), &coordinator).await.json();
    assert_eq!(screening["status"], "prevention_case");
    assert_eq!(screening["checks"].as_array().unwrap().len(), 2);
    assert!(screening["checks"].as_array().unwrap().iter().all(|c| c["note"].is_string()));
    assert_eq!(screening["outcome"]["case_id"], case_id.as_str());
    let police = app.login("politi").await;
    let seen = app.get(&format!("/api/v1/referrals/{referral_id}/screening"), &police).await.json();
    let notes: Vec<&Value> = seen["checks"].as_array().unwrap().iter().map(|c| &c["note"]).collect();
    assert_eq!(notes.iter().filter(|n| n.is_string()).count(), 1, "police reads only its own check note");
    // Deciding twice is refused.
    let again = app
        .post(
            &format!("/api/v1/referrals/{referral_id}/screening/outcome"),
            Some(&coordinator),
            &json!({"outcome": "no_concern", "reply": "Tak for henvendelsen."}),
        )
        .await;
    assert_eq!((again.status, again.error_code().as_str()), (StatusCode::CONFLICT, "screening_decided"));

    // Baseline assessment with the shipped nine-dimension instrument.
    let instrument = app.get("/api/v1/instruments/ni-dimensioner", &coordinator).await.json();
    assert_eq!(instrument["dimensions"].as_array().unwrap().len(), 9);
    let baseline = app
        .post(
            &format!("/api/v1/cases/{case_id}/assessments"),
            Some(&coordinator),
            &full_assessment(&instrument, "baseline", "2026-11-23", "nogen", "mindre"),
        )
        .await;
    assert_eq!(baseline.status, StatusCode::CREATED, "{}", baseline.text());
    let baseline_id = baseline.json()["id"].as_str().unwrap().to_owned();
    let reply = app.post(&format!("/api/v1/assessments/{baseline_id}/sign"), Some(&coordinator), &json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let signed = app.get(&format!("/api/v1/assessments/{baseline_id}"), &coordinator).await.json();
    assert_eq!(signed["status"], "signed");
    assert!(signed.get("score").is_none() && signed["content"].get("score").is_none(), "no score anywhere");
    // The police takes part in the case but does not read the municipality's assessment.
    assert_eq!(app.get(&format!("/api/v1/assessments/{baseline_id}"), &police).await.status, StatusCode::NOT_FOUND);
    // Disclosed on a basis covering special-category data, the police reads it; once is enough.
    let disclosure = json!({"to_agency": "POL", "legal_basis": "rpl_115a", "purpose": "Fælles indsatsplan"});
    let uri = format!("/api/v1/assessments/{baseline_id}/disclosures");
    let narrow =
        app.post(&uri, Some(&coordinator), &json!({"to_agency": "POL", "legal_basis": "dbl_8", "purpose": "x"})).await;
    assert_eq!(narrow.status, StatusCode::UNPROCESSABLE_ENTITY, "a basis not covering special categories");
    assert_eq!(app.post(&uri, Some(&coordinator), &disclosure).await.status, StatusCode::CREATED);
    assert_eq!(app.post(&uri, Some(&coordinator), &disclosure).await.error_code(), "already_disclosed");
    assert_eq!(
        app.get(&format!("/api/v1/assessments/{baseline_id}"), &coordinator).await.json()["disclosed_to"],
        json!(["POL"])
    );
    let read = app.get(&format!("/api/v1/assessments/{baseline_id}"), &police).await.json();
    assert_eq!((read["status"].as_str(), read["disclosed_to"].clone()), (Some("signed"), json!([])));

    // Mentoring: review date defaults to six months; the mentor logs a session.
    let mentoring = app
        .post(
            &format!("/api/v1/cases/{case_id}/interventions"),
            Some(&coordinator),
            &json!({"kind": "mentoring", "responsible": "mentor", "goals": "Fast job og et nyt netværk.", "start_on": "2026-11-24"}),
        )
        .await;
    assert_eq!(mentoring.status, StatusCode::CREATED, "{}", mentoring.text());
    let mentoring_id = mentoring.json()["id"].as_str().unwrap().to_owned();
    let mentor = app.login("mentor").await;
    let intervention = app.get(&format!("/api/v1/interventions/{mentoring_id}"), &mentor).await.json();
    assert_eq!(intervention["review_on"], "2027-05-24");
    assert_eq!(intervention["goals"], "Fast job og et nyt netværk.");
    assert_eq!(app.get(&format!("/api/v1/cases/{case_id}"), &mentor).await.status, StatusCode::NOT_FOUND);
    app.set_time(datetime!(2026-12-01 09:00 UTC));
    let mentor = app.login("mentor").await;
    let session = app
        .post(
            &format!("/api/v1/interventions/{mentoring_id}/sessions"),
            Some(&mentor),
            &json!({"held_on": "2026-12-01", "minutes": 60, "note": "Første møde; god kontakt."}),
        )
        .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.text());

    // Six months later: the follow-up shows lower risks and more resources.
    app.set_time(datetime!(2027-05-25 09:00 UTC));
    let coordinator = app.login("koordinator").await;
    let work = app.get("/api/v1/my-work?scope=agency", &coordinator).await.json();
    let review = &work["reviews"].as_array().unwrap()[0];
    assert_eq!(
        (review["intervention_id"].as_str().unwrap(), &review["overdue"]),
        (mentoring_id.as_str(), &json!(true))
    );
    let followup = app
        .post(
            &format!("/api/v1/cases/{case_id}/assessments"),
            Some(&coordinator),
            &full_assessment(&instrument, "follow_up", "2027-05-25", "mindre", "nogen"),
        )
        .await;
    let followup_id = followup.json()["id"].as_str().unwrap().to_owned();
    let reply = app.post(&format!("/api/v1/assessments/{followup_id}/sign"), Some(&coordinator), &json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let progression = app.get(&format!("/api/v1/persons/{person_id}/progression"), &coordinator).await.json();
    assert_eq!(progression["columns"].as_array().unwrap().len(), 2);
    let items = progression["items"].as_array().unwrap();
    assert_eq!(items.len(), 18, "nine dimensions, each judged for risks and for resources");
    assert!(items.iter().all(|i| i["movement"] == "better"), "{progression}");
    let analyst = app.login("analytiker").await;
    let figure = app.get("/api/v1/statistics/mentoring", &analyst).await.json();
    assert_eq!(
        (
            figure["persons_in_programme"].as_u64(),
            figure["followed_up"].as_u64(),
            figure["moved_right_direction"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );

    // Closure: refused while a task is open, then done with the task completed.
    let task = app
        .post(
            &format!("/api/v1/cases/{case_id}/tasks"),
            Some(&coordinator),
            &json!({"title": "Afsluttende samtale", "owner_agency": "KK", "due_on": "2027-06-01"}),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.text());
    let before = casework_snapshot(&app).await;
    let refused =
        app.post(&format!("/api/v1/cases/{case_id}/close"), Some(&coordinator), &json!({"reason": "goals_met"})).await;
    assert_eq!((refused.status, refused.error_code().as_str()), (StatusCode::CONFLICT, "open_tasks"));
    assert!(refused.json()["error"]["message"].as_str().unwrap().len() > 10);
    assert_eq!(casework_snapshot(&app).await, before, "a refused closure changes nothing");
    let task_id = task.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(&format!("/api/v1/tasks/{task_id}/done"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let update = app
        .patch(
            &format!("/api/v1/interventions/{mentoring_id}"),
            &coordinator,
            &json!({"status": "ended", "outcome": "Målene er nået."}),
        )
        .await;
    assert_eq!(update.status, StatusCode::NO_CONTENT, "{}", update.text());
    let closed = app
        .post(
            &format!("/api/v1/cases/{case_id}/close"),
            Some(&coordinator),
            &json!({"reason": "goals_met", "note": "Afsluttet efter opfølgning."}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::NO_CONTENT, "{}", closed.text());
    let case = app.get(&format!("/api/v1/cases/{case_id}"), &coordinator).await.json();
    assert_eq!((case["status"].as_str(), case["closed_reason"].as_str()), (Some("closed"), Some("goals_met")));
    let kinds: Vec<&str> = case["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "received",
        "check_requested",
        "check_recorded",
        "opened",
        "assessment_started",
        "assessment_signed",
        "intervention_added",
        "task_added",
        "task_done",
        "intervention_updated",
        "closed",
    ] {
        assert!(kinds.contains(&kind), "timeline lacks {kind}: {kinds:?}");
    }
    // A closed case takes no new work until reopened.
    let late = app
        .post(
            &format!("/api/v1/cases/{case_id}/tasks"),
            Some(&coordinator),
            &json!({"title": "x", "owner_agency": "KK", "due_on": "2027-07-01"}),
        )
        .await;
    assert_eq!((late.status, late.error_code().as_str()), (StatusCode::CONFLICT, "case_closed"));
    let reopened = app
        .post(
            &format!("/api/v1/cases/{case_id}/reopen"),
            Some(&coordinator),
            &json!({"reason": "Ny bekymring fra skolen."}),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::NO_CONTENT);
    let case = app.get(&format!("/api/v1/cases/{case_id}"), &coordinator).await.json();
    assert_eq!(case["status"], "open");
    assert_eq!(case["timeline"].as_array().unwrap().last().unwrap()["note"], "Ny bekymring fra skolen.");
}

#[tokio::test]
async fn assessments_refuse_ratings_off_the_scale_and_edits_after_sign_off_and_change_nothing() {
    let app = spawn().await;
    let (_, case_id, _) = screened_case(&app).await;
    let coordinator = app.login("koordinator").await;
    let instrument = app.get("/api/v1/instruments/indikatorliste", &coordinator).await.json();
    let mut body = full_assessment(&instrument, "baseline", "2026-11-22", "hoej", "lav");
    let first_item = instrument["dimensions"][0]["items"][0]["key"].as_str().unwrap().to_owned();
    body["ratings"][&first_item] = json!("katastrofal");
    let before = casework_snapshot(&app).await;
    let reply = app.post(&format!("/api/v1/cases/{case_id}/assessments"), Some(&coordinator), &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let fields = &reply.json()["error"]["fields"][0];
    assert_eq!(
        (fields["field"].as_str().unwrap(), fields["code"].as_str().unwrap()),
        (format!("ratings.{first_item}").as_str(), "not_on_scale")
    );
    assert!(!fields["message"].as_str().unwrap().is_empty());
    assert_eq!(casework_snapshot(&app).await, before);

    // An incomplete draft cannot be signed; the reply names what is missing.
    let draft = app
        .post(
            &format!("/api/v1/cases/{case_id}/assessments"),
            Some(&coordinator),
            &json!({"instrument": "indikatorliste", "kind": "baseline"}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text());
    let id = draft.json()["id"].as_str().unwrap().to_owned();
    let before = casework_snapshot(&app).await;
    let reply = app.post(&format!("/api/v1/assessments/{id}/sign"), Some(&coordinator), &json!({})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.field_names().contains(&"overall".to_owned())
            && reply.field_names().contains(&format!("ratings.{first_item}"))
    );
    assert_eq!(casework_snapshot(&app).await, before);

    // Complete it, sign it; then every edit is refused and the signed content stays.
    let mut complete = full_assessment(&instrument, "baseline", "2026-11-22", "hoej", "lav");
    for key in ["instrument", "kind"] {
        complete.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(
        app.put(&format!("/api/v1/assessments/{id}"), &coordinator, &complete).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post(&format!("/api/v1/assessments/{id}/sign"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let before = casework_snapshot(&app).await;
    let mut changed = complete.clone();
    changed["overall"] = json!("Noget andet.");
    let reply = app.put(&format!("/api/v1/assessments/{id}"), &coordinator, &changed).await;
    assert_eq!((reply.status, reply.error_code().as_str()), (StatusCode::CONFLICT, "assessment_signed"));
    let reply = app.post(&format!("/api/v1/assessments/{id}/sign"), Some(&coordinator), &json!({})).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(casework_snapshot(&app).await, before);

    // A correction is a new version pointing to the old one, which stays as signed.
    let correction = app.post(&format!("/api/v1/assessments/{id}/corrections"), Some(&coordinator), &json!({})).await;
    assert_eq!(correction.status, StatusCode::CREATED);
    let new_id = correction.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.put(&format!("/api/v1/assessments/{new_id}"), &coordinator, &changed).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.post(&format!("/api/v1/assessments/{new_id}/sign"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let old = app.get(&format!("/api/v1/assessments/{id}"), &coordinator).await.json();
    let new = app.get(&format!("/api/v1/assessments/{new_id}"), &coordinator).await.json();
    assert_eq!(
        (old["content"]["overall"].as_str(), old["superseded_by"].as_str()),
        (complete["overall"].as_str(), Some(new_id.as_str()))
    );
    assert_eq!(
        (new["content"]["overall"].as_str(), new["supersedes"].as_str()),
        (Some("Noget andet."), Some(id.as_str()))
    );
    let again = app.post(&format!("/api/v1/assessments/{id}/corrections"), Some(&coordinator), &json!({})).await;
    assert_eq!((again.status, again.error_code().as_str()), (StatusCode::CONFLICT, "correction_exists"));
}

#[tokio::test]
async fn screening_outcomes_reply_to_the_referrer_or_keep_only_the_hand_over_record() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let police = app.login("politi").await;
    // No concern: the referring member reads the plain reply.
    let referral = app.post("/api/v1/referrals", Some(&police), &example()).await.json();
    let id = referral["id"].as_str().unwrap();
    let reply = app
        .post(
            &format!("/api/v1/referrals/{id}/screening/outcome"),
            Some(&coordinator),
            &json!({"outcome": "no_concern", "reply": "Tak. Infohuset har vurderet henvendelsen og foretager sig ikke mere."}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let seen = app.get(&format!("/api/v1/referrals/{id}/screening"), &police).await.json();
    assert_eq!(seen["outcome"]["outcome"], "no_concern");
    assert!(seen["outcome"]["reply"].as_str().unwrap().starts_with("Tak."));
    assert_eq!(app.get(&format!("/api/v1/referrals/{id}"), &police).await.json()["status"], "no_concern");

    // Security matter: only to a police agency; afterwards the account of the concern is gone.
    let referral = app.post("/api/v1/referrals", Some(&coordinator), &example()).await.json();
    let id = referral["id"].as_str().unwrap();
    let uri = format!("/api/v1/referrals/{id}/screening/outcome");
    let wrong = app
        .post(
            &uri,
            Some(&coordinator),
            &json!({"outcome": "security_matter", "police_agency": "PSY", "reference": "J.nr. 1"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["error"]["fields"][0]["code"], "not_police");
    let handed = app
        .post(
            &uri,
            Some(&coordinator),
            &json!({"outcome": "security_matter", "police_agency": "POL", "reference": "J.nr. 0100-12345"}),
        )
        .await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.text());
    let kept = app.get(&format!("/api/v1/referrals/{id}"), &coordinator).await.json();
    assert_eq!((kept["status"].as_str(), kept["description"].as_str()), (Some("security_matter"), Some("")));
    assert!(kept["referrer"]["phone"].is_null());
    let record = app.get(&format!("/api/v1/referrals/{id}/screening"), &coordinator).await.json();
    assert_eq!(record["outcome"]["handover_agency"]["code"], "POL");
    assert_eq!(record["outcome"]["handover_reference"], "J.nr. 0100-12345");
}

#[tokio::test]
async fn releases_come_from_the_prison_and_probation_service_and_are_listed_for_90_days() {
    let app = spawn().await;
    let (_, case_id, _) = screened_case(&app).await;
    let coordinator = app.login("koordinator").await;
    assert_eq!(
        app.post(&format!("/api/v1/cases/{case_id}/agencies"), Some(&coordinator), &json!({"agency": "KF"}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let police = app.login("politi").await;
    let refused =
        app.put(&format!("/api/v1/cases/{case_id}/release"), &police, &json!({"expected_on": "2027-01-15"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let kf = app.login("kriminalforsorgen").await;
    let reply = app.put(&format!("/api/v1/cases/{case_id}/release"), &kf, &json!({"expected_on": "2027-01-15"})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text());
    let list = app.get("/api/v1/releases", &coordinator).await.json();
    assert_eq!(list["items"][0]["case_id"], case_id.as_str());
    assert_eq!(list["items"][0]["days_left"], 54);
    // Beyond 90 days it is not listed.
    let reply = app.put(&format!("/api/v1/cases/{case_id}/release"), &kf, &json!({"expected_on": "2027-03-01"})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(app.get("/api/v1/releases", &coordinator).await.json()["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn every_casework_endpoint_answers_every_role_exactly_as_the_policy_says() {
    let app = spawn().await;
    let mut tokens = vec![String::new()];
    for caller in &CALLERS[1..] {
        tokens.push(app.login(caller).await);
    }
    let coordinator = tokens[1].clone();
    let mut other = example();
    other["subject"]["cpr"] = json!("0202051234");
    let r_case = app.post("/api/v1/referrals", Some(&coordinator), &other).await.json();
    let (r_case_id, p_case) = (r_case["id"].as_str().unwrap(), r_case["person_id"].as_str().unwrap());
    let mut third = example();
    third["subject"]["cpr"] = json!("0303051234");
    let r_open = app.post("/api/v1/referrals", Some(&coordinator), &third).await.json();
    let r_open_id = r_open["id"].as_str().unwrap();
    let case = app
        .post(
            &format!("/api/v1/referrals/{r_case_id}/case"),
            Some(&coordinator),
            &json!({"lead_agency": "KK", "agencies": ["POL"]}),
        )
        .await;
    let case_id = case.json()["id"].as_str().unwrap().to_owned();
    let instrument = app.get("/api/v1/instruments/ni-dimensioner", &coordinator).await.json();
    let assessment = app
        .post(
            &format!("/api/v1/cases/{case_id}/assessments"),
            Some(&coordinator),
            &full_assessment(&instrument, "baseline", "2026-11-22", "nogen", "mindre"),
        )
        .await;
    let a_id = assessment.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(&format!("/api/v1/assessments/{a_id}/sign"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let mentoring = app
        .post(
            &format!("/api/v1/cases/{case_id}/interventions"),
            Some(&coordinator),
            &json!({"kind": "mentoring", "responsible": "mentor", "goals": "Job", "start_on": "2026-11-22"}),
        )
        .await;
    let i_id = mentoring.json()["id"].as_str().unwrap().to_owned();
    let task = app
        .post(
            &format!("/api/v1/cases/{case_id}/tasks"),
            Some(&coordinator),
            &json!({"title": "Ring til skolen", "owner_agency": "KK", "due_on": "2026-12-01"}),
        )
        .await;
    let t_id = task.json()["id"].as_str().unwrap().to_owned();

    //                       nobody coord politi psyk  mentor analyt revisor admin
    let e = |a: [u16; 8]| Expect(a);
    let rows: Vec<(&str, Method, String, Option<Value>, Expect)> = vec![
        (
            "screening",
            Method::GET,
            format!("/api/v1/referrals/{r_case_id}/screening"),
            None,
            e([401, 200, 200, 404, 404, 404, 404, 404]),
        ),
        (
            "ask for checks",
            Method::POST,
            format!("/api/v1/referrals/{r_open_id}/screening/requests"),
            Some(json!({"agencies": ["POL"]})),
            e([401, 204, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "record check",
            Method::POST,
            format!("/api/v1/referrals/{r_open_id}/screening/checks"),
            Some(json!({"result": "known"})),
            e([401, 403, 204, 404, 404, 404, 404, 404]),
        ),
        (
            "decide screening",
            Method::POST,
            format!("/api/v1/referrals/{r_open_id}/screening/outcome"),
            Some(json!({"outcome": "no_concern", "reply": "Tak."})),
            e([401, 200, 403, 404, 404, 404, 404, 404]),
        ),
        (
            "timeline",
            Method::GET,
            format!("/api/v1/cases/{case_id}/timeline"),
            None,
            e([401, 200, 200, 404, 404, 404, 404, 404]),
        ),
        (
            "close with open task",
            Method::POST,
            format!("/api/v1/cases/{case_id}/close"),
            Some(json!({"reason": "goals_met"})),
            e([401, 409, 403, 404, 404, 404, 404, 404]),
        ),
        (
            "reopen an open case",
            Method::POST,
            format!("/api/v1/cases/{case_id}/reopen"),
            Some(json!({"reason": "Ny viden"})),
            e([401, 409, 403, 404, 404, 404, 404, 404]),
        ),
        (
            "lead agency",
            Method::PUT,
            format!("/api/v1/cases/{case_id}/lead-agency"),
            Some(json!({"agency": "POL"})),
            e([401, 204, 403, 404, 404, 404, 404, 404]),
        ),
        (
            "release",
            Method::PUT,
            format!("/api/v1/cases/{case_id}/release"),
            Some(json!({"expected_on": "2027-01-10"})),
            e([401, 403, 403, 404, 404, 404, 404, 404]),
        ),
        ("releases", Method::GET, "/api/v1/releases".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
        ("instruments", Method::GET, "/api/v1/instruments".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
        (
            "instrument",
            Method::GET,
            "/api/v1/instruments/indikatorliste".into(),
            None,
            e([401, 200, 200, 200, 200, 200, 200, 200]),
        ),
        (
            "new assessment",
            Method::POST,
            format!("/api/v1/cases/{case_id}/assessments"),
            Some(json!({"instrument": "indikatorliste", "kind": "baseline"})),
            e([401, 201, 201, 404, 404, 404, 404, 404]),
        ),
        (
            "assessment",
            Method::GET,
            format!("/api/v1/assessments/{a_id}"),
            None,
            e([401, 200, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "edit signed",
            Method::PUT,
            format!("/api/v1/assessments/{a_id}"),
            Some(json!({"overall": "Ændret"})),
            e([401, 409, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "sign signed",
            Method::POST,
            format!("/api/v1/assessments/{a_id}/sign"),
            Some(json!({})),
            e([401, 409, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "correct",
            Method::POST,
            format!("/api/v1/assessments/{a_id}/corrections"),
            Some(json!({})),
            e([401, 201, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "disclose assessment",
            Method::POST,
            format!("/api/v1/assessments/{a_id}/disclosures"),
            Some(json!({"to_agency": "POL", "legal_basis": "rpl_115a", "purpose": "Fælles plan"})),
            e([401, 201, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "progression",
            Method::GET,
            format!("/api/v1/persons/{p_case}/progression"),
            None,
            e([401, 200, 200, 404, 404, 404, 404, 404]),
        ),
        (
            "mentoring figure",
            Method::GET,
            "/api/v1/statistics/mentoring".into(),
            None,
            e([401, 200, 403, 403, 403, 200, 403, 403]),
        ),
        (
            "intervention types",
            Method::GET,
            "/api/v1/intervention-types".into(),
            None,
            e([401, 200, 200, 200, 200, 200, 200, 200]),
        ),
        (
            "add intervention type",
            Method::POST,
            "/api/v1/intervention-types".into(),
            Some(json!({"code": "kunst", "label": "Kunstterapi", "default_review_months": 3})),
            e([401, 403, 403, 403, 403, 403, 403, 201]),
        ),
        (
            "new intervention",
            Method::POST,
            format!("/api/v1/cases/{case_id}/interventions"),
            Some(json!({"kind": "social", "responsible": "politi", "goals": "Bolig", "start_on": "2026-11-22"})),
            e([401, 201, 201, 404, 404, 404, 404, 404]),
        ),
        (
            "intervention",
            Method::GET,
            format!("/api/v1/interventions/{i_id}"),
            None,
            e([401, 200, 200, 404, 200, 404, 404, 404]),
        ),
        (
            "update intervention",
            Method::PATCH,
            format!("/api/v1/interventions/{i_id}"),
            Some(json!({"review_on": "2027-06-01"})),
            e([401, 204, 403, 404, 204, 404, 404, 404]),
        ),
        (
            "log session",
            Method::POST,
            format!("/api/v1/interventions/{i_id}/sessions"),
            Some(json!({"held_on": "2026-11-22", "minutes": 45, "note": "Samtale"})),
            e([401, 201, 403, 404, 201, 404, 404, 404]),
        ),
        (
            "disclose intervention",
            Method::POST,
            format!("/api/v1/interventions/{i_id}/disclosures"),
            Some(json!({"to_agency": "POL", "legal_basis": "rpl_115a", "purpose": "Fælles plan"})),
            e([401, 201, 404, 404, 404, 404, 404, 404]),
        ),
        (
            "new task",
            Method::POST,
            format!("/api/v1/cases/{case_id}/tasks"),
            Some(json!({"title": "Møde", "owner_agency": "KK", "due_on": "2026-12-10"})),
            e([401, 201, 201, 404, 404, 404, 404, 404]),
        ),
        (
            "task done",
            Method::POST,
            format!("/api/v1/tasks/{t_id}/done"),
            Some(json!({})),
            e([401, 204, 403, 404, 404, 404, 404, 404]),
        ),
        ("my work", Method::GET, "/api/v1/my-work".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
    ];
    let mut failures = Vec::new();
    for (name, method, path, body, Expect(expected)) in &rows {
        for &who in &ORDER {
            let token = (who > 0).then(|| tokens[who].as_str());
            let body = body.as_ref().map(|b| serde_json::to_vec(b).unwrap());
            let reply = app.call(method.clone(), path, token, body).await;
            if reply.status.as_u16() != expected[who] {
                failures.push(format!("{name}: {} got {} expected {}", CALLERS[who], reply.status, expected[who]));
            }
        }
    }
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));

    // Nobody outside the policy touched the person's data; the mentor only through the intervention.
    let auditor = &tokens[6];
    for caller in ["psykiatri", "analytiker", "admin", "revisor"] {
        let log = app.get(&format!("/api/v1/audit?person={p_case}&user={caller}&limit=100"), auditor).await.json();
        assert_eq!(log["items"], json!([]), "{caller} used the person's data");
    }
    let log = app.get(&format!("/api/v1/audit?person={p_case}&user=mentor&limit=100"), auditor).await.json();
    let objects: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["object_type"].as_str().unwrap()).collect();
    assert!(!objects.is_empty() && objects.iter().all(|o| o.starts_with("intervention")), "{objects:?}");
}

// ---- meetings ---------------------------------------------------------------------------

/// A referral about a person of its own (by CPR), registered by the coordinator.
async fn referral_for(app: &App, token: &str, cpr: &str) -> Value {
    let mut body = example();
    body["subject"]["cpr"] = json!(cpr);
    let reply = app.post("/api/v1/referrals", Some(token), &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

/// Found by schemathesis: `[null]` as a flag's body made a flag (201). An array where the
/// document has an object is a 422 naming where, at the top or nested, and writes nothing.
#[tokio::test]
async fn an_array_where_an_object_belongs_is_refused_and_writes_nothing() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let case = case_for(&app, &coordinator, "0202021234", &["POL"]).await;
    let flags = format!("/api/v1/cases/{case}/flags");
    // Every write is logged, so an unchanged log means nothing was written.
    let logged = || async { app.state.store().verify_access_log(None).await.unwrap().unwrap().entries };
    let before = logged().await;
    for body in [json!([null]), json!([]), json!(["Drøftes"])] {
        let reply = app.post(&flags, Some(&coordinator), &body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.field_names(), ["body"]);
    }
    let mut referral = example();
    referral["subject"] = json!(["Navn", null]);
    let reply = app.post("/api/v1/referrals", Some(&coordinator), &referral).await;
    assert_eq!((reply.status, reply.field_names()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["subject".to_owned()]));
    let series =
        json!({"name": "Møde", "first_start": "2026-11-24T09:00", "occurrences": 1, "participants": [["POL"]]});
    let reply = app.post("/api/v1/meeting-series", Some(&coordinator), &series).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.field_names(), ["participants[0]"]);
    assert_eq!(logged().await, before, "a refused body writes nothing");
    let reply = app.post(&flags, Some(&coordinator), &json!({"note": "Drøftes"})).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert!(logged().await > before, "the same flag as an object is written and logged");
}

async fn case_for(app: &App, token: &str, cpr: &str, agencies: &[&str]) -> String {
    let referral = referral_for(app, token, cpr).await;
    let id = referral["id"].as_str().unwrap();
    let reply = app
        .post(&format!("/api/v1/referrals/{id}/case"), Some(token), &json!({"lead_agency": "KK", "agencies": agencies}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn agenda_summary(meeting: &Value) -> Vec<(String, Vec<String>)> {
    meeting["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let subject = i["full"]["case_id"]
                .as_str()
                .or(i["full"]["referral_id"].as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| i["title"].as_str().unwrap_or("?").to_owned());
            (
                subject,
                i["reasons"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect()
}

fn item_for<'a>(meeting: &'a Value, subject: &str) -> &'a Value {
    meeting["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["full"]["case_id"] == subject || i["full"]["referral_id"] == subject)
        .unwrap_or_else(|| panic!("{subject} not on the agenda"))
}

#[tokio::test]
async fn the_agenda_is_built_from_the_cases_with_reasons_and_each_agency_sees_what_it_may() {
    let app = spawn().await;
    // A referral received ten days before the meeting: its screening is overdue by then.
    app.set_time(datetime!(2026-11-12 10:00 UTC));
    let coordinator = app.login("koordinator").await;
    let overdue = referral_for(&app, &coordinator, "1212121212").await;
    app.set_time(datetime!(2026-11-22 10:00 UTC));
    let coordinator = app.login("koordinator").await;
    let fresh = referral_for(&app, &coordinator, "0101011234").await;
    let review_case = case_for(&app, &coordinator, "0202021234", &["POL"]).await;
    let flagged_case = case_for(&app, &coordinator, "0303031234", &["POL", "PSY"]).await;
    let release_case = case_for(&app, &coordinator, "0404041234", &["KF"]).await;
    let quiet_case = case_for(&app, &coordinator, "0505051234", &["POL"]).await;
    let reply = app
        .post(
            &format!("/api/v1/cases/{review_case}/interventions"),
            Some(&coordinator),
            &json!({"kind": "mentoring", "responsible": "mentor", "goals": "Job", "start_on": "2026-06-01", "review_on": "2026-12-01"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let police = app.login("politi").await;
    let flag =
        app.post(&format!("/api/v1/cases/{flagged_case}/flags"), Some(&police), &json!({"note": "Ny oplysning"})).await;
    assert_eq!(flag.status, StatusCode::CREATED, "{}", flag.text());
    let kf = app.login("kriminalforsorgen").await;
    assert_eq!(
        app.put(&format!("/api/v1/cases/{release_case}/release"), &kf, &json!({"expected_on": "2027-01-10"}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    // A series every 14 days, Tuesday 09:00, agenda closing Monday 12:00.
    let series = app
        .post(
            "/api/v1/meeting-series",
            Some(&coordinator),
            &json!({"name": "Koordineringsmøde", "first_start": "2026-11-24T09:00", "interval_days": 14, "cutoff_minutes": 1260,
                    "location": "Rådhuset, mødelokale 3", "participants": [{"agency": "KK"}, {"agency": "POL"}, {"agency": "PSY", "user": "psykiatri"}],
                    "occurrences": 4}),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text());
    let meetings = app.get("/api/v1/meetings?from=2026-11-01", &coordinator).await.json();
    let ids: Vec<String> =
        meetings["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 4);
    assert_eq!(meetings["items"][1]["starts_at"], "2026-12-08T09:00");
    assert_eq!(meetings["items"][0]["cutoff_at"], "2026-11-23T12:00");
    let first = &ids[0];

    // Build: every item and every reason follows from the case states; twice gives the same.
    let built = app.post(&format!("/api/v1/meetings/{first}/agenda/build"), Some(&coordinator), &json!({})).await;
    assert_eq!(built.status, StatusCode::OK, "{}", built.text());
    let agenda = app.get(&format!("/api/v1/meetings/{first}"), &coordinator).await.json();
    let s = |v: &str| v.to_owned();
    assert_eq!(
        agenda_summary(&agenda),
        vec![
            (s(overdue["id"].as_str().unwrap()), vec![s("screening_overdue")]),
            (flagged_case.clone(), vec![s("flagged")]),
            (review_case.clone(), vec![s("review_due")]),
            (release_case.clone(), vec![s("release_soon")]),
            (s(fresh["id"].as_str().unwrap()), vec![s("new_referral")]),
        ],
        "the quiet case {quiet_case} has no reason to be there"
    );
    assert_eq!(
        item_for(&agenda, overdue["id"].as_str().unwrap())["reasons"][0]["date"],
        "2026-11-19",
        "the screening deadline"
    );
    assert_eq!(item_for(&agenda, &review_case)["reasons"][0]["date"], "2026-12-01");
    assert_eq!(item_for(&agenda, &release_case)["reasons"][0]["date"], "2027-01-10");
    app.post(&format!("/api/v1/meetings/{first}/agenda/build"), Some(&coordinator), &json!({})).await;
    assert_eq!(app.get(&format!("/api/v1/meetings/{first}"), &coordinator).await.json()["agenda"], agenda["agenda"]);

    // Participants see nothing before publication; then each sees what policy allows.
    assert!(
        app.get(&format!("/api/v1/meetings/{first}"), &police).await.json()["agenda"].as_array().unwrap().is_empty()
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/meetings/{first}/agenda/items"),
            Some(&coordinator),
            &json!({"title": "Orientering om ny SSP-plan"})
        )
        .await
        .status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.post(&format!("/api/v1/meetings/{first}/agenda/publish"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let psychiatry = app.login("psykiatri").await;
    let police_view = app.get(&format!("/api/v1/meetings/{first}"), &police).await.json();
    let psych_view = app.get(&format!("/api/v1/meetings/{first}"), &psychiatry).await.json();
    let shown = |view: &Value| -> Vec<(bool, Option<String>)> {
        view["agenda"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["full"].is_object(), i["neutral"]["initials"].as_str().map(str::to_owned)))
            .collect()
    };
    // Order: overdue referral, flagged case (POL+PSY), review case (POL), release case (KF), new referral, free item.
    assert_eq!(
        shown(&police_view),
        vec![
            (false, Some(s("N.N."))),
            (true, None),
            (true, None),
            (false, Some(s("N.N."))),
            (false, Some(s("N.N."))),
            (false, None)
        ]
    );
    assert_eq!(
        shown(&psych_view),
        vec![
            (false, Some(s("N.N."))),
            (true, None),
            (false, Some(s("N.N."))),
            (false, Some(s("N.N."))),
            (false, Some(s("N.N."))),
            (false, None)
        ]
    );
    let neutral = &psych_view["agenda"][2]["neutral"];
    assert_eq!((neutral["age_band"].as_str(), neutral["category"].as_str()), (Some("18_24"), Some("right_wing")));
    assert_eq!(neutral["number"].as_str().unwrap().len(), 8);
    assert!(!psych_view.to_string().contains("Navn Navnesen") || psych_view["agenda"][1]["full"].is_object());
    assert_eq!(psych_view["agenda"][5]["title"], "Orientering om ny SSP-plan");
    // Roles outside the meeting see nothing of it.
    for outsider in ["mentor", "analytiker", "revisor", "admin"] {
        let token = app.login(outsider).await;
        assert_eq!(
            app.get(&format!("/api/v1/meetings/{first}"), &token).await.status,
            StatusCode::NOT_FOUND,
            "{outsider}"
        );
    }

    // Discussed in the meeting and disclosed on a legal basis: psychiatry sees the item in full.
    let review_item = item_for(&agenda, &review_case)["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/agenda-items/{review_item}/disclosures");
    let narrow = app
        .post(&uri, Some(&coordinator), &json!({"to_agency": "PSY", "legal_basis": "dbl_8", "purpose": "Møde"}))
        .await;
    assert_eq!(narrow.status, StatusCode::UNPROCESSABLE_ENTITY);
    let disclosed = app
        .post(
            &uri,
            Some(&coordinator),
            &json!({"to_agency": "PSY", "legal_basis": "rpl_115a", "purpose": "Drøftet i mødet"}),
        )
        .await;
    assert_eq!(disclosed.status, StatusCode::CREATED, "{}", disclosed.text());
    let psych_view = app.get(&format!("/api/v1/meetings/{first}"), &psychiatry).await.json();
    assert!(psych_view["agenda"][2]["full"].is_object());

    // Minutes: attendance, a summary, an action item; approved minutes are locked.
    let minutes = app.post(&format!("/api/v1/meetings/{first}/minutes"), Some(&coordinator), &json!({})).await;
    assert_eq!(minutes.status, StatusCode::CREATED, "{}", minutes.text());
    let minutes_id = minutes.json()["id"].as_str().unwrap().to_owned();
    let body = json!({"attendance": ["koordinator", "politi", "psykiatri"],
                      "items": [{"agenda_item": review_item, "summary": "Mentorforløbet går godt.", "decisions": "Familien indkaldes."}]});
    assert_eq!(
        app.put(&format!("/api/v1/minutes/{minutes_id}"), &coordinator, &body).await.status,
        StatusCode::NO_CONTENT
    );
    let action = app
        .post(
            &format!("/api/v1/minutes/{minutes_id}/action-items"),
            Some(&coordinator),
            &json!({"agenda_item": review_item, "title": "Indkald familien", "owner_agency": "KK", "due_on": "2026-12-01"}),
        )
        .await;
    assert_eq!(action.status, StatusCode::CREATED, "{}", action.text());
    assert_eq!(
        app.post(&format!("/api/v1/minutes/{minutes_id}/approve"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let locked = app.put(&format!("/api/v1/minutes/{minutes_id}"), &coordinator, &body).await;
    assert_eq!((locked.status, locked.error_code().as_str()), (StatusCode::CONFLICT, "minutes_approved"));
    // The police read the approved minutes with the text of the item it takes part in; the
    // Kriminalforsorgen member only the items it may see (none here).
    let police_minutes = app.get(&format!("/api/v1/meetings/{first}/minutes"), &police).await.json();
    assert_eq!(police_minutes["minutes"]["items"][0]["summary"], "Mentorforløbet går godt.");
    assert_eq!(police_minutes["minutes"]["attendance"].as_array().unwrap().len(), 3);
    assert_eq!(police_minutes["minutes"]["disclosures"][0]["item"], 3, "the disclosure made in the meeting");
    let kf_minutes = app.get(&format!("/api/v1/meetings/{first}/minutes"), &kf).await.json();
    assert!(kf_minutes["minutes"]["items"][0]["summary"].is_null());
    // A correction is a new version with its reason.
    let correction = app
        .post(
            &format!("/api/v1/minutes/{minutes_id}/corrections"),
            Some(&coordinator),
            &json!({"reason": "Forkert dato i beslutningen"}),
        )
        .await;
    assert_eq!(correction.status, StatusCode::CREATED, "{}", correction.text());
    let draft = app.get(&format!("/api/v1/meetings/{first}/minutes"), &coordinator).await.json();
    assert_eq!((draft["minutes"]["version"].as_u64(), draft["minutes"]["status"].as_str()), (Some(2), Some("draft")));
    assert_eq!(draft["minutes"]["items"][0]["decisions"], "Familien indkaldes.");
    assert_eq!(app.get(&format!("/api/v1/meetings/{first}/minutes"), &police).await.json()["minutes"]["version"], 1);

    // The action item is on the owner's "my work" and returns on the next agenda, overdue by then;
    // the handled flag does not return.
    let work = app.get("/api/v1/my-work?scope=agency", &coordinator).await.json();
    assert!(work["tasks"].as_array().unwrap().iter().any(|t| t["title"] == "Indkald familien"));
    let second = &ids[1];
    app.post(&format!("/api/v1/meetings/{second}/agenda/build"), Some(&coordinator), &json!({})).await;
    let next = app.get(&format!("/api/v1/meetings/{second}"), &coordinator).await.json();
    assert_eq!(
        agenda_summary(&next),
        vec![
            (s(overdue["id"].as_str().unwrap()), vec![s("screening_overdue")]),
            (s(fresh["id"].as_str().unwrap()), vec![s("screening_overdue")]),
            (review_case.clone(), vec![s("action_item_overdue"), s("review_due")]),
            (release_case.clone(), vec![s("release_soon")]),
        ]
    );
}

#[tokio::test]
async fn meetings_move_and_cancel_and_a_published_agenda_no_longer_changes() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let reply = app
        .post(
            "/api/v1/meeting-series",
            Some(&coordinator),
            &json!({"name": "Møde", "first_start": "2026-11-24T09:00", "occurrences": 3}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let meetings = app.get("/api/v1/meetings?from=2026-11-01", &coordinator).await.json();
    let (first, second) = (meetings["items"][0]["id"].as_str().unwrap(), meetings["items"][1]["id"].as_str().unwrap());
    assert_eq!(
        app.post(
            &format!("/api/v1/meetings/{first}/move"),
            Some(&coordinator),
            &json!({"starts_at": "2026-11-25T13:00"})
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let moved = app.get(&format!("/api/v1/meetings/{first}"), &coordinator).await.json();
    assert_eq!(
        (moved["starts_at"].as_str(), moved["cutoff_at"].as_str(), moved["sequence"].as_u64()),
        (Some("2026-11-25T13:00"), Some("2026-11-24T16:00"), Some(1))
    );
    assert_eq!(moved["planned_start"], "2026-11-24T09:00");
    let bad = app
        .post(&format!("/api/v1/meetings/{first}/move"), Some(&coordinator), &json!({"starts_at": "25-11-2026 13:00"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(&format!("/api/v1/meetings/{second}/cancel"), Some(&coordinator), &json!({"reason": "Helligdag"}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let again =
        app.post(&format!("/api/v1/meetings/{second}/cancel"), Some(&coordinator), &json!({"reason": "Igen"})).await;
    assert_eq!(again.error_code(), "meeting_not_planned");
    let police = app.login("politi").await;
    assert_eq!(
        app.post(&format!("/api/v1/meetings/{first}/agenda/build"), Some(&police), &json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    app.post(&format!("/api/v1/meetings/{first}/agenda/build"), Some(&coordinator), &json!({})).await;
    assert_eq!(
        app.post(&format!("/api/v1/meetings/{first}/agenda/publish"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let late = app
        .post(&format!("/api/v1/meetings/{first}/agenda/items"), Some(&coordinator), &json!({"title": "For sent"}))
        .await;
    assert_eq!((late.status, late.error_code().as_str()), (StatusCode::CONFLICT, "agenda_published"));
}

/// A fake SMTP relay on loopback: accepts one session and hands back the envelope and data.
async fn fake_relay() -> (String, tokio::task::JoinHandle<(Vec<String>, String)>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut stream = BufReader::new(stream);
        stream.get_mut().write_all(b"220 relay ready\r\n").await.unwrap();
        let (mut envelope, mut data, mut in_data) = (Vec::new(), String::new(), false);
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    stream.get_mut().write_all(b"250 queued\r\n").await.unwrap();
                } else {
                    data.push_str(&line);
                }
                continue;
            }
            let reply: &[u8] = if line.starts_with("EHLO") {
                b"250-relay\r\n250 8BITMIME\r\n"
            } else if line.starts_with("DATA") {
                in_data = true;
                b"354 go on\r\n"
            } else if line.starts_with("QUIT") {
                stream.get_mut().write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                envelope.push(line.trim().to_owned());
                b"250 ok\r\n"
            };
            stream.get_mut().write_all(reply).await.unwrap();
        }
        (envelope, data)
    });
    (address, task)
}

#[tokio::test]
async fn publishing_an_agenda_sends_a_notice_with_a_link_and_no_content() {
    use base64::Engine;
    let (relay, received) = fake_relay().await;
    let config = Config {
        smtp: Some(infohus_web::notify::SmtpConfig {
            relay,
            from: "infohus@kk.dk".into(),
            public_url: "https://infohus.example.dk".into(),
        }),
        ..Config::default()
    };
    let app = spawn_with(config).await;
    for (user, email) in [("koordinator", "k@kk.dk"), ("politi", "p@politi.dk"), ("psykiatri", "s@regionh.dk")] {
        app.state.store().set_user_email(user, Some(email)).await.unwrap();
    }
    assert!(app.state.store().set_user_email("politi", Some("ikke en adresse")).await.is_err());
    let coordinator = app.login("koordinator").await;
    let case = case_for(&app, &coordinator, "0202021234", &["POL"]).await;
    let reply = app.post(&format!("/api/v1/cases/{case}/flags"), Some(&coordinator), &json!({"note": "Drøftes"})).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    app.post(
        "/api/v1/meeting-series",
        Some(&coordinator),
        &json!({"name": "Møde", "first_start": "2026-11-24T09:00", "occurrences": 1, "participants": [{"agency": "POL"}]}),
    )
    .await;
    let meeting = app.get("/api/v1/meetings?from=2026-11-01", &coordinator).await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/api/v1/meetings/{meeting}/agenda/build"), Some(&coordinator), &json!({})).await;
    assert_eq!(
        app.post(&format!("/api/v1/meetings/{meeting}/agenda/publish"), Some(&coordinator), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let (envelope, data) = tokio::time::timeout(std::time::Duration::from_secs(10), received).await.unwrap().unwrap();
    // The coordinator and the standing agency's member; psychiatry is not a participant.
    assert_eq!(
        envelope.iter().filter(|l| l.starts_with("RCPT TO")).cloned().collect::<Vec<_>>(),
        ["RCPT TO:<k@kk.dk>", "RCPT TO:<p@politi.dk>"]
    );
    let body64: String = data.split("\r\n\r\n").nth(1).unwrap().split("\r\n").collect();
    let body = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body64.trim()).unwrap()).unwrap();
    assert!(body.contains(&format!("https://infohus.example.dk/moeder/{meeting}")), "{body}");
    for secret in ["Navn", "Navnesen", "0202021234", "Drøftes", "right_wing", &case] {
        assert!(!body.contains(secret) && !data.contains(secret), "{secret} in the notice");
    }
}

#[tokio::test]
async fn every_meeting_endpoint_answers_every_role_exactly_as_the_policy_says() {
    let app = spawn().await;
    let mut tokens = vec![String::new()];
    for caller in &CALLERS[1..] {
        tokens.push(app.login(caller).await);
    }
    let coordinator = tokens[1].clone();
    let case = case_for(&app, &coordinator, "0202021234", &["POL"]).await;
    app.post(&format!("/api/v1/cases/{case}/flags"), Some(&coordinator), &json!({})).await;
    let series = app
        .post(
            "/api/v1/meeting-series",
            Some(&coordinator),
            &json!({"name": "Møde", "first_start": "2026-11-24T09:00", "occurrences": 3, "participants": [{"agency": "POL"}, {"agency": "PSY"}]}),
        )
        .await;
    let series_id = series.json()["id"].as_str().unwrap().to_owned();
    let list = app.get("/api/v1/meetings?from=2026-11-01", &coordinator).await.json();
    let (m, later) =
        (list["items"][0]["id"].as_str().unwrap().to_owned(), list["items"][2]["id"].as_str().unwrap().to_owned());
    app.post(&format!("/api/v1/meetings/{m}/agenda/build"), Some(&coordinator), &json!({})).await;
    let free = |title: &'static str| {
        let (app, coordinator, m) = (&app, coordinator.clone(), m.clone());
        async move {
            app.post(&format!("/api/v1/meetings/{m}/agenda/items"), Some(&coordinator), &json!({"title": title}))
                .await
                .json()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (f1, f2) = (free("Punkt 1").await, free("Punkt 2").await);
    let agenda = app.get(&format!("/api/v1/meetings/{m}"), &coordinator).await.json();
    let case_item = item_for(&agenda, &case)["id"].as_str().unwrap().to_owned();
    let minutes = format!("/api/v1/meetings/{m}/minutes");

    //                       nobody coord politi psyk  mentor analyt revisor admin
    let e = |a: [u16; 8]| Expect(a);
    let runner = |ok: u16| e([401, ok, 403, 403, 403, 403, 403, 403]);
    let attendee = |ok: u16| e([401, ok, ok, ok, 404, 404, 404, 404]);
    let mut rows: Vec<(&str, Method, String, Option<Value>, Expect)> = vec![
        (
            "create series",
            Method::POST,
            "/api/v1/meeting-series".into(),
            Some(json!({"name": "Ekstra", "first_start": "2026-12-01T10:00", "occurrences": 1})),
            runner(201),
        ),
        ("series", Method::GET, format!("/api/v1/meeting-series/{series_id}"), None, attendee(200)),
        ("meetings", Method::GET, "/api/v1/meetings".into(), None, e([401, 200, 200, 200, 200, 200, 200, 200])),
        ("meeting", Method::GET, format!("/api/v1/meetings/{m}"), None, attendee(200)),
        ("build agenda", Method::POST, format!("/api/v1/meetings/{m}/agenda/build"), None, runner(200)),
        (
            "free item",
            Method::POST,
            format!("/api/v1/meetings/{m}/agenda/items"),
            Some(json!({"title": "Orientering"})),
            runner(201),
        ),
        (
            "move item",
            Method::POST,
            format!("/api/v1/agenda-items/{f1}/move"),
            Some(json!({"direction": "up"})),
            runner(204),
        ),
        (
            "postpone item",
            Method::POST,
            format!("/api/v1/agenda-items/{f1}/postpone"),
            Some(json!({"reason": "Ikke nået"})),
            runner(204),
        ),
        (
            "remove item",
            Method::POST,
            format!("/api/v1/agenda-items/{f2}/remove"),
            Some(json!({"reason": "Bortfaldet"})),
            runner(204),
        ),
        (
            "disclose in meeting",
            Method::POST,
            format!("/api/v1/agenda-items/{case_item}/disclosures"),
            Some(json!({"to_agency": "PSY", "legal_basis": "rpl_115a", "purpose": "Drøftet"})),
            runner(201),
        ),
        (
            "flag case",
            Method::POST,
            format!("/api/v1/cases/{case}/flags"),
            Some(json!({"note": "Drøftes"})),
            e([401, 201, 201, 404, 404, 404, 404, 404]),
        ),
        ("publish", Method::POST, format!("/api/v1/meetings/{m}/agenda/publish"), None, runner(204)),
        ("start minutes", Method::POST, minutes.clone(), None, runner(201)),
        ("minutes", Method::GET, minutes.clone(), None, attendee(200)),
    ];
    let mut failures = Vec::new();
    let run = |rows: Vec<(&'static str, Method, String, Option<Value>, Expect)>| {
        let (app, tokens) = (&app, tokens.clone());
        async move {
            let mut failures = Vec::new();
            for (name, method, path, body, Expect(expected)) in &rows {
                for &who in &ORDER {
                    let token = (who > 0).then(|| tokens[who].as_str());
                    let body = Some(serde_json::to_vec(body.as_ref().unwrap_or(&json!({}))).unwrap())
                        .filter(|_| *method != Method::GET);
                    let reply = app.call(method.clone(), path, token, body).await;
                    if reply.status.as_u16() != expected[who] {
                        failures.push(format!(
                            "{name}: {} got {} expected {} {}",
                            CALLERS[who],
                            reply.status,
                            expected[who],
                            reply.text()
                        ));
                    }
                }
            }
            failures
        }
    };
    failures.extend(run(std::mem::take(&mut rows)).await);
    let minutes_id = app.get(&minutes, &coordinator).await.json()["minutes"]["id"].as_str().unwrap().to_owned();
    let later_rows: Vec<(&str, Method, String, Option<Value>, Expect)> = vec![
        (
            "save minutes",
            Method::PUT,
            format!("/api/v1/minutes/{minutes_id}"),
            Some(json!({"attendance": ["koordinator"], "items": [{"agenda_item": case_item, "summary": "Drøftet"}]})),
            runner(204),
        ),
        (
            "action item",
            Method::POST,
            format!("/api/v1/minutes/{minutes_id}/action-items"),
            Some(json!({"agenda_item": case_item, "title": "Ring", "owner_agency": "KK", "due_on": "2026-12-01"})),
            runner(201),
        ),
        ("approve", Method::POST, format!("/api/v1/minutes/{minutes_id}/approve"), None, runner(204)),
        (
            "correct",
            Method::POST,
            format!("/api/v1/minutes/{minutes_id}/corrections"),
            Some(json!({"reason": "Stavefejl"})),
            runner(201),
        ),
        (
            "move meeting",
            Method::POST,
            format!("/api/v1/meetings/{later}/move"),
            Some(json!({"starts_at": "2026-12-23T10:00"})),
            runner(204),
        ),
        (
            "cancel meeting",
            Method::POST,
            format!("/api/v1/meetings/{later}/cancel"),
            Some(json!({"reason": "Jul"})),
            runner(204),
        ),
    ];
    failures.extend(run(later_rows).await);
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));

    // Nobody outside the meeting touched the person's data.
    let person =
        app.get(&format!("/api/v1/cases/{case}"), &coordinator).await.json()["person_id"].as_str().unwrap().to_owned();
    for caller in ["mentor", "analytiker", "revisor", "admin"] {
        let log = app.get(&format!("/api/v1/audit?person={person}&user={caller}&limit=100"), &tokens[6]).await.json();
        assert_eq!(log["items"], json!([]), "{caller} used the person's data");
    }
}

#[tokio::test]
async fn persons_are_found_by_cpr_and_by_name_words_within_what_the_caller_may_see() {
    let app = spawn().await;
    let coordinator = app.login("koordinator").await;
    let police = app.login("politi").await;
    let psychiatry = app.login("psykiatri").await;
    let auditor = app.login("revisor").await;
    let mut first = example();
    first["subject"]["name"] = json!("Anne-Marie Søndergaard Jensen");
    let first = app.post("/api/v1/referrals", Some(&police), &first).await.json();
    let mut second = example();
    second["subject"] = json!({"name": "Peter Jensen", "cpr": "0202051234"});
    let second = app.post("/api/v1/referrals", Some(&coordinator), &second).await.json();
    // The same CPR number under another spelling: found by either name.
    let mut again = example();
    again["subject"]["name"] = json!("Annemarie Jensen");
    let again = app.post("/api/v1/referrals", Some(&coordinator), &again).await.json();
    assert_eq!(again["person_id"], first["person_id"]);

    let search = |token: &str, body: Value| {
        let (app, token) = (&app, token.to_owned());
        async move { app.post("/api/v1/person-search", Some(&token), &body).await }
    };
    let ids = |reply: &Reply| -> Vec<String> {
        reply.json()["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    };
    let (first_id, second_id, again_id) =
        (first["id"].as_str().unwrap(), second["id"].as_str().unwrap(), again["id"].as_str().unwrap());

    let by_cpr = search(&coordinator, json!({"cpr": "010105-1234"})).await;
    assert_eq!(by_cpr.status, StatusCode::OK, "{}", by_cpr.text());
    assert_eq!(ids(&by_cpr), [again_id, first_id]);
    assert_eq!(ids(&search(&coordinator, json!({"name": "jensen"})).await), [again_id, second_id, first_id]);
    assert_eq!(ids(&search(&coordinator, json!({"name": "JENSEN anne-marie"})).await), [again_id, first_id]);
    assert_eq!(ids(&search(&coordinator, json!({"name": "Annemarie"})).await), [again_id, first_id]);
    assert_eq!(ids(&search(&coordinator, json!({"name": "Jens"})).await), Vec::<String>::new());
    let limited = search(&coordinator, json!({"name": "Jensen", "limit": 1})).await.json();
    assert_eq!((limited["items"].as_array().unwrap().len(), &limited["more"]), (1, &json!(true)));

    // Members find only what they may see; roles without referral content are refused.
    assert_eq!(ids(&search(&police, json!({"name": "Jensen"})).await), [first_id]);
    assert_eq!(ids(&search(&psychiatry, json!({"name": "Jensen"})).await), Vec::<String>::new());
    for role in ["analytiker", "revisor", "admin", "mentor"] {
        let token = app.login(role).await;
        assert_eq!(search(&token, json!({"name": "Jensen"})).await.status, StatusCode::FORBIDDEN, "{role}");
    }

    // Bad input is 422 with the field named, and changes nothing.
    let before = app.snapshot().await;
    for (body, field) in [
        (json!({}), "query"),
        (json!({"cpr": "0101051234", "name": "Jensen"}), "query"),
        (json!({"cpr": "3213051234"}), "cpr"),
        (json!({"name": "a b c d e f g"}), "name"),
        (json!({"name": " - "}), "name"),
        (json!({"name": "Jensen", "limit": 101}), "limit"),
        (json!({"name": "Jensen", "unknown": 1}), "unknown"),
    ] {
        let reply = search(&coordinator, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(reply.text().contains(field), "{body}: {}", reply.text());
    }
    assert_eq!(app.snapshot().await, before);

    // Each search is logged under every person shown, with the kind of criteria only.
    let person = first["person_id"].as_str().unwrap();
    let log = app.get(&format!("/api/v1/audit?person={person}&action=search&limit=100"), &auditor).await;
    let searches: Vec<Value> =
        log.json()["items"].as_array().unwrap().iter().filter(|e| e["purpose"] == "person_search").cloned().collect();
    let criteria: Vec<&str> = searches.iter().map(|e| e["criteria"].as_str().unwrap_or("")).collect();
    assert_eq!(
        criteria,
        ["by=cpr", "by=name;words=1", "by=name;words=3", "by=name;words=1", "by=name;words=1", "by=name;words=1"]
    );
    let text = log.text().to_lowercase();
    assert!(!text.contains("jensen") && !text.contains("0101051234") && !text.contains("010105"));

    // The page: the form posts, the address never holds the criteria.
    let cookies = web_login(&app, "koordinator").await;
    let form_page = page(&app, "/personer/soeg", &cookies).await;
    assert_eq!(form_page.status, StatusCode::OK);
    let csrf = hidden_csrf(&form_page.text());
    let found = form(&app, "/personer/soeg", &cookies, &[("csrf", &csrf), ("cpr", ""), ("name", "Peter Jensen")]).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.text().contains(&format!("/henvendelser/{second_id}")));
    assert!(!found.text().contains(&format!("/henvendelser/{first_id}")));
    let refused = form(&app, "/personer/soeg", &cookies, &[("csrf", &csrf), ("cpr", "12"), ("name", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("CPR-nummer har 10 cifre"));
}
