//! Scratch: the casework pages end to end (kept out of the commit).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Instrument, Password, Role, SourceFormat, Username};
use infohus_store::{Store, password, sqlite_url};
use infohus_web::{AppState, Config, router};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
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

struct App {
    router: axum::Router,
    clock: Arc<TestClock>,
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
    fn location(&self) -> String {
        self.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
    }
}

async fn spawn() -> App {
    let dir = std::env::temp_dir().join(format!("infohus-pages-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(datetime!(2026-11-22 10:00 UTC))));
    let now = clock.now();
    let store = Store::open(&sqlite_url(&dir), &dir.join("keys"), now).await.unwrap();
    let infohus = store.default_infohus().await.unwrap();
    for (code, kind) in [
        ("KK", AgencyKind::Municipality),
        ("POL", AgencyKind::Police),
        ("PSY", AgencyKind::Psychiatry),
        ("KRIM", AgencyKind::PrisonProbation),
    ] {
        let name = AgencyName::parse(&format!("Myndighed {code}")).unwrap();
        store.add_agency(&infohus, &AgencyCode::parse(code).unwrap(), &name, kind, now).await.unwrap();
    }
    let hash = password::hash(&Password::parse(PASSWORD).unwrap()).unwrap();
    for (name, agency, role) in [
        ("koordinator", "KK", Role::Coordinator),
        ("politi", "POL", Role::Member),
        ("psykiatri", "PSY", Role::Member),
        ("krim", "KRIM", Role::Member),
        ("analytiker", "KK", Role::Analyst),
        ("admin", "KK", Role::Admin),
        ("mentor", "KK", Role::Mentor),
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
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../instruments/ni-dimensioner.toml")).unwrap();
    let instrument = Instrument::parse(&source, SourceFormat::Toml).unwrap();
    store.import_instrument(&instrument, now).await.unwrap();
    let state = AppState::new(store, clock.clone(), Config::default());
    App { router: router(state), clock }
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
    async fn api(&self, uri: &str, token: &str, body: &Value) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        self.send(request).await
    }
    async fn token(&self, username: &str) -> String {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::to_vec(&json!({"username": username, "password": PASSWORD})).unwrap()))
            .unwrap();
        self.send(request).await.json()["token"].as_str().unwrap().to_owned()
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

struct Session {
    cookie: String,
    csrf: String,
}

async fn form(app: &App, uri: &str, s: &Session, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", s.csrf.as_str())];
    all.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&all).unwrap();
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, &s.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let reply = app.send(request).await;
    if reply.status == StatusCode::UNPROCESSABLE_ENTITY || reply.status == StatusCode::OK {
        check_page(&reply.text());
    }
    reply
}

async fn page(app: &App, uri: &str, s: &Session) -> Reply {
    let request = Request::builder().uri(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap();
    let reply = app.send(request).await;
    if reply.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.to_str().unwrap().starts_with("text/html")) {
        check_page(&reply.text());
    }
    reply
}

/// Every page: one h1, no inline style or script, every input's id has a label.
fn check_page(html: &str) {
    assert_eq!(html.matches("<h1").count(), 1, "one h1:\n{html}");
    assert!(!html.contains("style=") && !html.contains("<script"), "no inline style/script");
    for piece in html.split("<input").skip(1) {
        let tag = piece.split('>').next().unwrap();
        if tag.contains("type=\"hidden\"") {
            continue;
        }
        let id = tag.split("id=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(html.contains(&format!("for=\"{id}\"")), "label for {id}");
    }
    for piece in html.split("<textarea").skip(1).chain(html.split("<select").skip(1)) {
        let tag = piece.split('>').next().unwrap();
        let id = tag.split("id=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(html.contains(&format!("for=\"{id}\"")), "label for {id}");
    }
    // aria-describedby targets exist.
    for piece in html.split("aria-describedby=\"").skip(1) {
        for id in piece.split('"').next().unwrap().split_whitespace() {
            assert!(html.contains(&format!("id=\"{id}\"")), "describedby target {id}");
        }
    }
    for piece in html.split("href=\"#").skip(1) {
        let id = piece.split('"').next().unwrap();
        if id == "main-content" {
            continue;
        }
        assert!(html.contains(&format!("id=\"{id}\"")), "anchor target {id}");
    }
}

async fn login(app: &App, username: &str) -> Session {
    let request = Request::builder().uri("/log-ind").body(Body::empty()).unwrap();
    let login = app.send(request).await;
    let pre = set_cookie(&login, "infohus_login_csrf").unwrap();
    let csrf = hidden_csrf(&login.text());
    let body =
        serde_urlencoded::to_string([("csrf", csrf.as_str()), ("username", username), ("password", PASSWORD)]).unwrap();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/log-ind")
        .header(header::COOKIE, format!("infohus_login_csrf={pre}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let cookie = format!("infohus_session={}", set_cookie(&reply, "infohus_session").unwrap());
    let request = Request::builder().uri("/").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let home = app.send(request).await;
    let target = home.headers.get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned());
    let html = match target {
        Some(target) => {
            let request = Request::builder().uri(target).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
            app.send(request).await.text()
        }
        None => home.text(),
    };
    Session { csrf: hidden_csrf(&html), cookie }
}

fn example() -> Value {
    json!({
        "channel": "professional",
        "concern_category": "right_wing",
        "description": "Har delt materiale fra en voldelig gruppe.",
        "subject": {"name": "Åse Ørsted", "cpr": "0101901234"},
        "referrer": {"name": "Lærer Lis"}
    })
}

fn dump(name: &str, html: &str) {
    std::fs::write(format!("/tmp/page-{name}.html"), html).unwrap();
}

#[tokio::test]
async fn casework_pages_end_to_end() {
    let app = spawn().await;
    let coord_token = app.token("koordinator").await;
    let created = app.api("/api/v1/referrals", &coord_token, &example()).await.json();
    let referral = created["id"].as_str().unwrap().to_owned();
    let person = created["person_id"].as_str().unwrap().to_owned();

    let coord = login(&app, "koordinator").await;
    let r = page(&app, &format!("/henvendelser/{referral}"), &coord).await;
    assert_eq!(r.status, StatusCode::OK);
    dump("referral", &r.text());
    assert!(r.text().contains("Visitation") && r.text().contains("Frist for visitation"));
    assert!(r.text().contains("Tak for din henvendelse"), "neutral reply prefilled");

    let reply = form(&app, &format!("/henvendelser/{referral}/visitation/anmod"), &coord, &[]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    assert!(reply.text().contains("Der er problemer med formularen"));
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/anmod"),
        &coord,
        &[("agencies", "POL"), ("agencies", "KRIM")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    assert!(page(&app, &reply.location(), &coord).await.text().contains("Afventer svar"));

    let police = login(&app, "politi").await;
    let r = page(&app, &format!("/henvendelser/{referral}"), &police).await;
    assert!(r.text().contains("visitation/tjek"), "asked agency gets the check form");
    assert!(!r.text().contains("visitation/afgoerelse"));
    let reply = form(&app, &format!("/henvendelser/{referral}/visitation/tjek"), &police, &[("note", "x")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.text().contains("href=\"#check-result-known\""));
    assert!(reply.text().contains(">x</textarea>"), "kept input");
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/tjek"),
        &police,
        &[("result", "known"), ("note", "Kendt fra tidligere sag")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/afgoerelse"),
        &coord,
        &[("outcome", "prevention_case")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    dump("referral-422", &reply.text());
    assert!(reply.text().contains("id=\"lead_agency-error\"") && reply.text().contains("aria-invalid=\"true\""));
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/afgoerelse"),
        &coord,
        &[("outcome", "prevention_case"), ("lead_agency", "KK"), ("agencies", "POL"), ("agencies", "KRIM")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let case_url = reply.location();
    let case = case_url.trim_start_matches("/sager/").split('?').next().unwrap().to_owned();
    let r = page(&app, &case_url, &coord).await;
    dump("case", &r.text());
    let html = r.text();
    assert!(html.contains("Sagen er oprettet.") && html.contains("Tidslinje") && html.contains("Registertjek: Kendt"));
    assert!(page(&app, &format!("/henvendelser/{referral}"), &coord).await.text().contains("Forebyggende sag"));

    // Assessment.
    let reply = form(
        &app,
        &format!("/sager/{case}/vurderinger"),
        &coord,
        &[("instrument", "ni-dimensioner"), ("kind", "baseline"), ("assessed_on", "2026-11-20")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let a_url = reply.location();
    let a = a_url.trim_start_matches("/vurderinger/").split('?').next().unwrap().to_owned();
    let r = page(&app, &a_url, &coord).await;
    dump("assessment", &r.text());
    assert!(r.text().contains("type=\"radio\"") && r.text().contains("Ikke vurderet"));
    let reply = form(
        &app,
        &format!("/vurderinger/{a}/underskriv"),
        &coord,
        &[("assessed_on", "2026-11-20"), ("overall", "Noget")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    dump("assessment-422", &reply.text());
    assert!(reply.text().contains("Der er problemer med formularen") && reply.text().contains(">Noget</textarea>"));
    assert!(page(&app, &a_url, &coord).await.text().contains("Kladde"));
    // Everything rated, then signed.
    let html = page(&app, &a_url, &coord).await.text();
    let mut fields: Vec<(String, String)> = Vec::new();
    for piece in html.split("name=\"ratings.").skip(1) {
        let key = piece.split('"').next().unwrap().to_owned();
        if !fields.iter().any(|(k, _)| k == &format!("ratings.{key}")) {
            fields.push((format!("ratings.{key}"), "mindre".to_owned()));
        }
    }
    for piece in html.split("name=\"rationales.").skip(1) {
        let key = piece.split('"').next().unwrap().to_owned();
        fields.push((format!("rationales.{key}"), "Begrundet".to_owned()));
    }
    fields.push(("overall".into(), "Samlet".into()));
    fields.push(("recommendation".into(), "opfoelgning".into()));
    fields.push(("assessors".into(), "Anne\nBo".into()));
    fields.push(("assessed_on".into(), "2026-05-01".into()));
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = form(&app, &format!("/vurderinger/{a}/underskriv"), &coord, &refs).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let r = page(&app, &a_url, &coord).await;
    dump("assessment-signed", &r.text());
    assert!(r.text().contains("Underskrevet af") && r.text().contains("kan ikke ændres"));
    let reply = form(&app, &format!("/vurderinger/{a}/ret"), &coord, &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(page(&app, &reply.location(), &coord).await.text().contains("Retter en tidligere vurdering"));

    // Second signed assessment with changes for the progression.
    let reply = form(
        &app,
        &format!("/sager/{case}/vurderinger"),
        &coord,
        &[("instrument", "ni-dimensioner"), ("kind", "follow_up"), ("assessed_on", "2026-11-21")],
    )
    .await;
    let b = reply.location().trim_start_matches("/vurderinger/").split('?').next().unwrap().to_owned();
    let mut fields2 = fields.clone();
    for (k, v) in &mut fields2 {
        if k.starts_with("ratings.") {
            *v = "ikke".into();
        }
        if k == "assessed_on" {
            *v = "2026-11-21".into();
        }
    }
    let refs: Vec<(&str, &str)> = fields2.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = form(&app, &format!("/vurderinger/{b}/underskriv"), &coord, &refs).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let r = page(&app, &format!("/personer/{person}/udvikling"), &coord).await;
    dump("progression", &r.text());
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("<svg") && r.text().contains("Bevægelse") && r.text().contains("Bedre"));

    // Intervention for the mentor.
    let reply = form(
        &app,
        &format!("/sager/{case}/indsatser"),
        &coord,
        &[("kind", "mentoring"), ("responsible", "mentor"), ("goals", "Skole og fritid"), ("start_on", "2026-11-22")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let i_url = reply.location();
    let r = page(&app, &i_url, &coord).await;
    dump("intervention", &r.text());
    assert!(r.text().contains("22.05.2027"), "six months for mentoring");
    let mentor = login(&app, "mentor").await;
    let work = page(&app, "/mit-arbejde", &mentor).await;
    dump("work-mentor", &work.text());
    assert!(work.text().contains("Åse Ørsted"));
    let r = page(&app, &i_url, &mentor).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("href=\"/sager/"), "no case link for the mentor");
    let i = i_url.trim_start_matches("/indsatser/").split('?').next().unwrap().to_owned();
    let reply = form(
        &app,
        &format!("/indsatser/{i}/samtaler"),
        &mentor,
        &[("held_on", "2026-11-22"), ("minutes", "abc"), ("note", "")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = form(
        &app,
        &format!("/indsatser/{i}/samtaler"),
        &mentor,
        &[("held_on", "2026-11-22"), ("minutes", "45"), ("note", "God snak")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let reply =
        form(&app, &format!("/indsatser/{i}"), &mentor, &[("status", "ended"), ("review_on", ""), ("outcome", "")])
            .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.text().contains("update-outcome-error"));

    // Tasks.
    let reply = form(
        &app,
        &format!("/sager/{case}/opgaver"),
        &coord,
        &[("title", "Ring til skolen"), ("owner_agency", "POL"), ("assignee", ""), ("due_on", "2026-11-20")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let reply = form(
        &app,
        &format!("/sager/{case}/opgaver"),
        &coord,
        &[("title", "Ring til skolen"), ("owner_agency", "POL"), ("assignee", "koordinator"), ("due_on", "")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    dump("case-task-422", &reply.text());
    let work = page(&app, "/mit-arbejde", &police).await;
    dump("work-police", &work.text());
    assert!(work.text().contains("Ring til skolen") && work.text().contains("Overskredet"));
    let task = work.text().split("/opgaver/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let reply = form(&app, &format!("/opgaver/{task}/udfoert"), &police, &[("back", "work")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/mit-arbejde?status=udfoert");

    // Release.
    let krim = login(&app, "krim").await;
    let r = page(&app, &case_url, &krim).await;
    assert!(r.text().contains("/loesladelse\""));
    assert!(!page(&app, &case_url, &police).await.text().contains("/loesladelse\""));
    let reply = form(&app, &format!("/sager/{case}/loesladelse"), &krim, &[("expected_on", "2027-01-10")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let r = page(&app, "/loesladelser", &coord).await;
    dump("releases", &r.text());
    assert!(r.text().contains("10.01.2027") && r.text().contains("Åse Ørsted"));

    // Close with an open task, then confirm, then reopen.
    form(
        &app,
        &format!("/sager/{case}/opgaver"),
        &coord,
        &[("title", "Opfølgning"), ("owner_agency", "KK"), ("due_on", "2026-12-20")],
    )
    .await;
    let reply = form(&app, &format!("/sager/{case}/luk"), &coord, &[("reason", "goals_met"), ("note", "")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    dump("case-close-422", &reply.text());
    assert!(reply.text().contains("Sagen har 1 åben opgave"));
    let reply = form(
        &app,
        &format!("/sager/{case}/luk"),
        &coord,
        &[("reason", "goals_met"), ("note", "Fint"), ("confirm_open_tasks", "1")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let r = page(&app, &case_url, &coord).await;
    dump("case-closed", &r.text());
    assert!(r.text().contains("Målene er nået") && r.text().contains("/genaabn"));
    let reply = form(
        &app,
        &format!("/sager/{case}/opgaver"),
        &coord,
        &[("title", "x"), ("owner_agency", "KK"), ("due_on", "2026-12-20")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.text().contains("Sagen er lukket"));
    let reply = form(&app, &format!("/sager/{case}/genaabn"), &coord, &[("reason", "Ny bekymring")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(page(&app, &case_url, &coord).await.text().contains("Ny bekymring"));

    // Lead.
    let reply = form(&app, &format!("/sager/{case}/tovholder"), &coord, &[("agency", "PSY")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = form(&app, &format!("/sager/{case}/tovholder"), &coord, &[("agency", "POL")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    // Statistics and configuration.
    let r = page(&app, "/statistik/mentorforloeb", &coord).await;
    dump("mentoring", &r.text());
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(page(&app, "/statistik/mentorforloeb", &police).await.status, StatusCode::FORBIDDEN);
    let analyst = login(&app, "analytiker").await;
    assert_eq!(page(&app, "/statistik/mentorforloeb", &analyst).await.status, StatusCode::OK);
    let admin = login(&app, "admin").await;
    let r = page(&app, "/opsaetning/instrumenter", &admin).await;
    dump("instruments", &r.text());
    assert!(r.text().contains("ni-dimensioner"));
    assert_eq!(page(&app, "/opsaetning/instrumenter", &coord).await.status, StatusCode::OK);
    assert_eq!(page(&app, "/opsaetning/instrumenter", &police).await.status, StatusCode::FORBIDDEN);
    let r = page(&app, "/opsaetning/indsatstyper", &admin).await;
    dump("types", &r.text());
    let reply = form(
        &app,
        "/opsaetning/indsatstyper",
        &admin,
        &[("code", "mentoring"), ("label", "X"), ("default_review_months", "6")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = form(
        &app,
        "/opsaetning/indsatstyper",
        &admin,
        &[("code", "sport"), ("label", "Sport og fællesskab"), ("default_review_months", "40")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = form(
        &app,
        "/opsaetning/indsatstyper",
        &admin,
        &[("code", "sport"), ("label", "Sport og fællesskab"), ("default_review_months", "4")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let work = page(&app, "/mit-arbejde?omfang=myndighed", &coord).await;
    dump("work-coord", &work.text());
    let _ = &app.clock;
}

#[tokio::test]
async fn no_concern_and_security_matter() {
    let app = spawn().await;
    let coord_token = app.token("koordinator").await;
    let coord = login(&app, "koordinator").await;
    let referral =
        app.api("/api/v1/referrals", &coord_token, &example()).await.json()["id"].as_str().unwrap().to_owned();
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/afgoerelse"),
        &coord,
        &[("outcome", "security_matter"), ("police_agency", "KK"), ("reference", "")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    dump("security-422", &reply.text());
    assert!(reply.text().contains("reference-error"));
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/afgoerelse"),
        &coord,
        &[("outcome", "security_matter"), ("police_agency", "KK"), ("reference", "J")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.text().contains("police_agency-error") && reply.text().contains("Vælg en af politiets myndigheder."),
        "{}",
        reply.text()
    );
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/afgoerelse"),
        &coord,
        &[("outcome", "security_matter"), ("police_agency", "POL"), ("reference", "J.nr. 1234")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let r = page(&app, &reply.location(), &coord).await;
    dump("security", &r.text());
    assert!(r.text().contains("J.nr. 1234"));
    let mut other = example();
    other["subject"]["cpr"] = json!("0202901234");
    let referral = app.api("/api/v1/referrals", &coord_token, &other).await.json()["id"].as_str().unwrap().to_owned();
    let reply = form(
        &app,
        &format!("/henvendelser/{referral}/visitation/afgoerelse"),
        &coord,
        &[("outcome", "no_concern"), ("reply", "Tak, vi har set på det.")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let r = page(&app, &reply.location(), &coord).await;
    assert!(r.text().contains("Tak, vi har set på det.") && r.text().contains("Visitationen er afgjort."));
    // Old open-case route.
    let mut third = example();
    third["subject"]["cpr"] = json!("0303901234");
    let referral = app.api("/api/v1/referrals", &coord_token, &third).await.json()["id"].as_str().unwrap().to_owned();
    let reply = form(&app, &format!("/henvendelser/{referral}/sag"), &coord, &[("lead", "")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = form(&app, &format!("/henvendelser/{referral}/sag"), &coord, &[("lead", "KK")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(reply.location().starts_with("/sager/"));
}
