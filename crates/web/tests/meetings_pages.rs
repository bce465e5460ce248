//! The meetings pages end to end: a coordinator plans a series through the form, builds and
//! publishes an agenda, writes and approves the minutes; a police member (taking part in the
//! case) and a psychiatry member (not) each read the meeting page, the agenda PDF and the
//! minutes: only the police sees the person. The calendar files parse and name nobody.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use icalendar::{CalendarComponent, Component as _, EventLike as _};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Password, Role, Username};
use infohus_store::{Store, password, sqlite_url};
use infohus_web::{AppState, Config, router};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

const PASSWORD: &str = "et-godt-langt-kodeord";
const PERSON: &str = "Navn Navnesen";

struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

struct App {
    router: axum::Router,
    dir: PathBuf,
    url: String,
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
    fn header(&self, name: header::HeaderName) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    }
}

/// A fresh, empty database: a SQLite file in `dir`, or a new PostgreSQL database when
/// `INFOHUS_TEST_POSTGRES` names a server.
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

async fn spawn() -> App {
    let dir = std::env::temp_dir().join(format!("infohus-meetings-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(datetime!(2026-11-22 10:00 UTC))));
    let now = clock.now();
    let url = fresh_database(&dir).await;
    let store = Store::open(&url, &dir.join("keys"), now).await.unwrap();
    let infohus = store.default_infohus().await.unwrap();
    for (code, kind) in [("KK", AgencyKind::Municipality), ("POL", AgencyKind::Police), ("PSY", AgencyKind::Psychiatry)]
    {
        let name = AgencyName::parse(&format!("Myndighed {code}")).unwrap();
        store.add_agency(&infohus, &AgencyCode::parse(code).unwrap(), &name, kind, now).await.unwrap();
    }
    let hash = password::hash(&Password::parse(PASSWORD).unwrap()).unwrap();
    for (name, agency, role) in [
        ("koordinator", "KK", Role::Coordinator),
        ("politi", "POL", Role::Member),
        ("psykiatri", "PSY", Role::Member),
        ("mentor", "KK", Role::Mentor),
    ] {
        let username = Username::parse(name).unwrap();
        let agency = AgencyCode::parse(agency).unwrap();
        store.add_user(&infohus, &username, name, &agency, role, &hash, now).await.unwrap();
    }
    let state = AppState::new(store, clock, Config::default());
    App { router: router(state), dir, url }
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

    async fn api(&self, uri: &str, token: Option<&str>, body: &Value) -> Reply {
        let mut builder = Request::builder().method(Method::POST).uri(uri);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        self.send(request).await
    }

    async fn api_get(&self, uri: &str, token: &str) -> Reply {
        let request = Request::builder()
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    async fn token(&self, username: &str) -> String {
        let reply = self.api("/api/v1/auth/login", None, &json!({"username": username, "password": PASSWORD})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        reply.json()["token"].as_str().unwrap().to_owned()
    }

    async fn access_log_rows(&self) -> i64 {
        let pool = sqlx::AnyPool::connect(&self.url).await.unwrap();
        let row: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_log").fetch_one(&pool).await.unwrap();
        pool.close().await;
        row.0
    }
}

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

/// The first value between `before` and the next `"` (an id in a link or form action).
fn after<'a>(html: &'a str, before: &str) -> &'a str {
    let at = html.find(before).unwrap_or_else(|| panic!("{before} not in page")) + before.len();
    html[at..].split(['"', '/', '?', '#']).next().unwrap()
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

/// A signed-in browser: its session cookie and the CSRF token of its forms.
struct Browser {
    cookies: String,
    csrf: String,
}

async fn web_login(app: &App, username: &str) -> Browser {
    let login = page(app, "/log-ind", "").await;
    let pre = set_cookie(&login, "infohus_login_csrf").unwrap();
    let csrf = hidden_csrf(&login.text());
    let cookies = format!("infohus_login_csrf={pre}");
    let reply =
        form(app, "/log-ind", &cookies, &[("csrf", &csrf), ("username", username), ("password", PASSWORD)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let cookies = format!("infohus_session={}", set_cookie(&reply, "infohus_session").unwrap());
    let home = page(app, "/moeder", &cookies).await;
    let csrf = if home.status == StatusCode::OK { hidden_csrf(&home.text()) } else { String::new() };
    Browser { cookies, csrf }
}

impl Browser {
    async fn post(&self, app: &App, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        form(app, uri, &self.cookies, &all).await
    }

    async fn get(&self, app: &App, uri: &str) -> Reply {
        page(app, uri, &self.cookies).await
    }
}

fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    reply.header(header::LOCATION)
}

/// A case about `PERSON` in which the police takes part, opened by the coordinator.
async fn police_case(app: &App) -> String {
    let token = app.token("koordinator").await;
    let referral = app
        .api(
            "/api/v1/referrals",
            Some(&token),
            &json!({
                "channel": "professional",
                "referrer": {"name": "Lærer Hansen", "organisation": "Skole X", "phone": "+45 12345678", "email": "a@b.dk"},
                "subject": {"name": PERSON, "cpr": "0101051234", "birth_date": "2005-01-01", "gender": "male", "municipality": "0101"},
                "concern_category": "right_wing",
                "description": "Hvad er observeret …",
                "urgency": "normal"
            }),
        )
        .await;
    assert_eq!(referral.status, StatusCode::CREATED, "{}", referral.text());
    let id = referral.json()["id"].as_str().unwrap().to_owned();
    let case = app
        .api(&format!("/api/v1/referrals/{id}/case"), Some(&token), &json!({"lead_agency": "KK", "agencies": ["POL"]}))
        .await;
    assert_eq!(case.status, StatusCode::CREATED, "{}", case.text());
    case.json()["id"].as_str().unwrap().to_owned()
}

/// The text of every page of a PDF.
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("the PDF parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("text extracts")
}

fn events(ics: &str) -> Vec<icalendar::Event> {
    let calendar: icalendar::Calendar = ics.parse().unwrap_or_else(|e| panic!("{e}\n{ics}"));
    calendar
        .components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Plans a series through the form and returns its first meeting's page path.
async fn plan_series(app: &App, coordinator: &Browser) -> String {
    let created = coordinator
        .post(
            app,
            "/moeder/ny",
            &[
                ("name", "Koordineringsmøde"),
                ("first_date", "2026-11-24"),
                ("first_time", "09:00"),
                ("interval_days", "14"),
                ("duration_minutes", "90"),
                ("cutoff_hours", "21"),
                ("location", "Rådhuset, mødelokale 3"),
                ("video_link", "https://video.example/rum-3"),
                ("agency", "KK"),
                ("agency", "POL"),
                ("participant_user", "psykiatri"),
                ("occurrences", "4"),
            ],
        )
        .await;
    let to = location(&created);
    assert!(to.starts_with("/moeder/") && to.ends_with("?status=oprettet"), "{to}");
    to.trim_end_matches("?status=oprettet").to_owned()
}

#[tokio::test]
async fn each_agency_reads_the_agenda_and_minutes_as_need_to_know_allows() {
    let app = spawn().await;
    let case = police_case(&app).await;
    let coordinator = web_login(&app, "koordinator").await;
    let police = web_login(&app, "politi").await;
    let psychiatry = web_login(&app, "psykiatri").await;

    // The menu offers the meetings to those who attend them.
    let list = coordinator.get(&app, "/moeder").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("href=\"/moeder\"") && list.text().contains("href=\"/moeder/ny\""));
    assert!(!police.get(&app, "/moeder").await.text().contains("href=\"/moeder/ny\""));
    assert_eq!(police.get(&app, "/moeder/ny").await.status, StatusCode::FORBIDDEN);

    let meeting = plan_series(&app, &coordinator).await;
    let meeting_id = meeting.trim_start_matches("/moeder/").to_owned();

    // The police asks for its case to be discussed, from the case page.
    let case_page = police.get(&app, &format!("/sager/{case}")).await.text();
    assert!(case_page.contains(&format!("action=\"/sager/{case}/droeftes\"")));
    let flagged = police.post(&app, &format!("/sager/{case}/droeftes"), &[("note", "Ny oplysning")]).await;
    assert_eq!(location(&flagged), format!("/sager/{case}?status=droeftes"));

    // Built: the coordinator sees the case in full with the reason; participants see nothing yet.
    let built = coordinator.post(&app, &format!("{meeting}/dagsorden/dan"), &[]).await;
    assert!(location(&built).starts_with(&format!("{meeting}?status=dannet")));
    let draft = coordinator.get(&app, &meeting).await.text();
    assert!(draft.contains(PERSON), "{draft}");
    assert!(draft.contains("Ønsket drøftet af POL (22.11.2026)"));
    assert!(draft.contains(&format!("href=\"/sager/{case}\"")));
    let before = police.get(&app, &meeting).await.text();
    assert!(before.contains("Dagsordenen er ikke offentliggjort endnu") && !before.contains(PERSON));

    // A reason is required to postpone: the form comes back with its error, nothing changes.
    let item = after(&draft, "action=\"/dagsordenspunkter/").to_owned();
    let refused =
        coordinator.post(&app, &format!("/dagsordenspunkter/{item}/udsaet"), &[("meeting", &meeting_id)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("id=\"error-summary\"") && html.contains(&format!("href=\"#s-{item}-reason\"")));
    assert!(html.contains("aria-invalid=\"true\"") && html.contains(&format!("s-{item}-reason-error")));

    let published = coordinator.post(&app, &format!("{meeting}/dagsorden/offentliggoer"), &[]).await;
    assert_eq!(location(&published), format!("{meeting}?status=offentliggjort"));

    // The police takes part in the case and sees the person; psychiatry a neutral reference.
    let police_page = police.get(&app, &meeting).await;
    assert_eq!(police_page.status, StatusCode::OK);
    let police_html = police_page.text();
    assert!(police_html.contains(PERSON) && police_html.contains("Ønsket drøftet af POL (22.11.2026)"));
    assert!(!police_html.contains("<script") && !police_html.contains("style="));
    assert_eq!(police_html.matches("<h1").count(), 1);
    let psychiatry_html = psychiatry.get(&app, &meeting).await.text();
    assert!(!psychiatry_html.contains(PERSON), "{psychiatry_html}");
    assert!(psychiatry_html.contains("N.N., 18–24 år, Højreekstremisme"), "{psychiatry_html}");
    assert!(psychiatry_html.contains("vises kun for de myndigheder, der deltager i sagen"));
    assert!(!psychiatry_html.contains(&format!("/sager/{case}")));

    // The agenda PDF says the same, and reading it logs what reading the page logs.
    let pdf_path = format!("{meeting}/dagsorden.pdf");
    let rows = app.access_log_rows().await;
    police.get(&app, &meeting).await;
    let page_rows = app.access_log_rows().await - rows;
    let police_pdf = police.get(&app, &pdf_path).await;
    assert_eq!(app.access_log_rows().await - rows - page_rows, page_rows, "a download logs what the page logs");
    assert_eq!(police_pdf.status, StatusCode::OK);
    assert_eq!(police_pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(police_pdf.header(header::CONTENT_DISPOSITION), "attachment; filename=\"dagsorden-2026-11-24.pdf\"");
    let police_text = pdf_text(&police_pdf.body);
    assert!(police_text.contains(PERSON), "{police_text}");
    assert!(police_text.contains("Koordineringsmøde 24.11.2026 kl. 09.00") && police_text.contains("Fortroligt"));
    assert!(police_text.contains("Side 1 af 1"));
    let psychiatry_text = pdf_text(&psychiatry.get(&app, &pdf_path).await.body);
    assert!(!psychiatry_text.contains(PERSON) && !psychiatry_text.contains("Navnesen"), "{psychiatry_text}");
    assert!(psychiatry_text.contains("N.N."), "{psychiatry_text}");

    // The print layout: the same need to know, marked confidential.
    let print = psychiatry.get(&app, &format!("{meeting}/dagsorden/udskrift")).await.text();
    assert!(print.contains("Fortroligt") && print.contains("N.N.") && !print.contains(PERSON));

    // Downloads need a login.
    let anonymous = page(&app, &pdf_path, "").await;
    assert_eq!((anonymous.status, anonymous.header(header::LOCATION)), (StatusCode::SEE_OTHER, "/log-ind".to_owned()));
    assert_eq!(web_login(&app, "mentor").await.get(&app, &meeting).await.status, StatusCode::NOT_FOUND);

    // Minutes: started, written, approved; each agency reads what it may.
    let started = coordinator.post(&app, &format!("{meeting}/referat"), &[]).await;
    assert_eq!(location(&started), format!("{meeting}/referat?status=paabegyndt"));
    let draft = coordinator.get(&app, &format!("{meeting}/referat")).await.text();
    let minutes = after(&draft, "action=\"/referater/").to_owned();
    assert!(draft.contains(&format!("name=\"summary.{item}\"")), "{draft}");
    assert_eq!(
        psychiatry.get(&app, &format!("{meeting}/referat")).await.status,
        StatusCode::OK,
        "participants see that there are no approved minutes yet"
    );
    let summary = format!("summary.{item}");
    let decisions = format!("decisions.{item}");
    let approved = coordinator
        .post(
            &app,
            &format!("/referater/{minutes}/godkend"),
            &[
                ("meeting", &meeting_id),
                ("attendance", "koordinator"),
                ("attendance", "politi"),
                (&summary, "Politiet orienterede om den nye oplysning."),
                (&decisions, "Ny samtale aftales."),
            ],
        )
        .await;
    assert_eq!(location(&approved), format!("{meeting}/referat?status=godkendt"));
    let police_minutes = police.get(&app, &format!("{meeting}/referat")).await.text();
    assert!(police_minutes.contains("Politiet orienterede om den nye oplysning."), "{police_minutes}");
    let psychiatry_minutes = psychiatry.get(&app, &format!("{meeting}/referat")).await.text();
    assert!(!psychiatry_minutes.contains("Politiet orienterede") && !psychiatry_minutes.contains(PERSON));
    assert!(psychiatry_minutes.contains("Referatet af dette punkt vises kun for deltagende myndigheder."));
    let psychiatry_minutes_pdf = pdf_text(&psychiatry.get(&app, &format!("{meeting}/referat.pdf")).await.body);
    assert!(!psychiatry_minutes_pdf.contains("Politiet orienterede") && !psychiatry_minutes_pdf.contains(PERSON));
    let police_minutes_pdf = pdf_text(&police.get(&app, &format!("{meeting}/referat.pdf")).await.body);
    assert!(police_minutes_pdf.contains("Politiet orienterede"), "{police_minutes_pdf}");

    // Approved minutes are locked: a correction needs a reason.
    let refused = coordinator.post(&app, &format!("/referater/{minutes}/ret"), &[("meeting", &meeting_id)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("href=\"#correct-reason\""));
    let again = coordinator.post(&app, &format!("/referater/{minutes}/godkend"), &[("meeting", &meeting_id)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text().contains("Referatet er godkendt og låst."));
}

#[tokio::test]
async fn calendars_name_no_person_and_carry_moved_and_cancelled_meetings() {
    let app = spawn().await;
    police_case(&app).await;
    let coordinator = web_login(&app, "koordinator").await;
    let police = web_login(&app, "politi").await;
    let meeting = plan_series(&app, &coordinator).await;
    let token = app.token("koordinator").await;
    let list = app.api_get("/api/v1/meetings?from=2026-11-01", &token).await.json();
    let ids: Vec<String> =
        list["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 4);
    assert_eq!(format!("/moeder/{}", ids[0]), meeting);

    // The second meeting moves an hour; the third is cancelled.
    let moved =
        coordinator.post(&app, &format!("/moeder/{}/flyt", ids[1]), &[("date", "2026-12-08"), ("time", "10:00")]).await;
    assert_eq!(location(&moved), format!("/moeder/{}?status=flyttet", ids[1]));
    let no_reason = coordinator.post(&app, &format!("/moeder/{}/aflys", ids[2]), &[("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().contains("href=\"#cancel-reason\""));
    let cancelled = coordinator.post(&app, &format!("/moeder/{}/aflys", ids[2]), &[("reason", "Helligdag")]).await;
    assert_eq!(location(&cancelled), format!("/moeder/{}?status=aflyst", ids[2]));
    assert!(police.get(&app, "/moeder").await.text().contains("Aflyst: Helligdag"));

    let one = police.get(&app, &format!("/moeder/{}/kalender.ics", ids[1])).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.header(header::CONTENT_TYPE), "text/calendar; charset=utf-8");
    let text = one.text();
    assert!(!text.contains(PERSON));
    let [event] = &events(&text)[..] else { panic!("one event: {text}") };
    assert_eq!(event.get_summary(), Some("Koordineringsmøde – Infohus"));
    assert_eq!(event.get_location(), Some("Rådhuset, mødelokale 3"));
    assert!(text.contains("DTSTART;TZID=Europe/Copenhagen:20261208T100000"), "{text}");

    let page = police.get(&app, &meeting).await.text();
    let series = after(&page, "href=\"/moeder/serier/").to_owned();
    let all = police.get(&app, &format!("/moeder/serier/{series}/kalender.ics")).await;
    assert_eq!(all.status, StatusCode::OK);
    let text = all.text();
    let parsed = events(&text);
    assert_eq!(parsed.len(), 2, "the series and the moved meeting: {text}");
    assert!(parsed.iter().all(|e| e.get_summary() == Some("Koordineringsmøde – Infohus")));
    assert!(text.contains("RECURRENCE-ID;TZID=Europe/Copenhagen:20261208T090000"), "{text}");
    assert!(text.contains("EXDATE;TZID=Europe/Copenhagen:20261222T090000"), "{text}");
}

#[tokio::test]
async fn the_series_form_keeps_what_was_typed_and_names_every_error() {
    let app = spawn().await;
    let coordinator = web_login(&app, "koordinator").await;
    let form_page = coordinator.get(&app, "/moeder/ny").await.text();
    for id in ["series-name", "series-date", "series-time", "series-interval", "series-cutoff", "series-users"] {
        assert!(form_page.contains(&format!("for=\"{id}\"")), "label for {id}");
    }
    let reply = coordinator
        .post(
            &app,
            "/moeder/ny",
            &[
                ("name", "Tirsdagsmøde"),
                ("first_date", "2026-11-24"),
                ("first_time", "25:00"),
                ("interval_days", "14"),
                ("duration_minutes", "90"),
                ("cutoff_hours", "mange"),
                ("video_link", "http://usikker.example"),
                ("occurrences", "4"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = reply.text();
    assert!(html.contains("value=\"Tirsdagsmøde\""), "input is kept");
    for anchor in ["series-time", "series-cutoff"] {
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "{anchor} in the summary");
        assert!(html.contains(&format!("id=\"{anchor}-error\"")), "{anchor} error shown");
    }
    assert!(html.contains("Skriv klokkeslættet som TT:MM, fx 09:00."));
    // Once the fields parse, the store checks the rest (the link) the same way.
    let reply = coordinator
        .post(
            &app,
            "/moeder/ny",
            &[
                ("name", "Tirsdagsmøde"),
                ("first_date", "2026-11-24"),
                ("first_time", "09:00"),
                ("interval_days", "14"),
                ("duration_minutes", "90"),
                ("cutoff_hours", "21"),
                ("video_link", "http://usikker.example"),
                ("occurrences", "4"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.text().contains("href=\"#series-video\"") && reply.text().contains("Linket skal begynde med https://.")
    );
}
