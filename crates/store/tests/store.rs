//! The storage conformance suite: intake and person matching, visibility, paging, cases and
//! disclosures, encryption, and the access log's chain. Runs against a real SQLite file, or,
//! when `INFOHUS_TEST_POSTGRES` names a server, against a fresh PostgreSQL database per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use infohus_domain::referral::{ReferrerInput, SubjectInput};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Password, ReferralInput, Role, Username};
use infohus_store::{Actor, InboxFilter, InboxSort, Store, StoreError, password, sqlite_url};
use std::path::PathBuf;
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

struct Fixture {
    store: Store,
    dir: PathBuf,
    /// The database of this test, for reopening it and for the tamperer's raw access.
    url: String,
}

/// Adds an infohus serving a police district (or the national unit).
async fn new_infohus(
    store: &Store,
    code: &str,
    name: &str,
    police_district: Option<infohus_domain::municipality::PoliceDistrict>,
    national: bool,
) -> Result<infohus_domain::InfohusId, StoreError> {
    let code = AgencyCode::parse(code).unwrap();
    store.add_infohus(infohus_store::NewInfohus { code, name: name.into(), police_district, national }, T0).await
}

fn on_postgres() -> bool {
    std::env::var("INFOHUS_TEST_POSTGRES").is_ok_and(|v| !v.is_empty())
}

/// A fresh, empty database: a SQLite file in `dir`, or a new PostgreSQL database.
async fn fresh_database(dir: &std::path::Path) -> String {
    let Some(base) = std::env::var("INFOHUS_TEST_POSTGRES").ok().filter(|v| !v.is_empty()) else {
        return sqlite_url(dir);
    };
    sqlx::any::install_default_drivers();
    let name = format!("infohus_test_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    admin.close().await;
    let (head, query) = base.split_once('?').map_or((base.as_str(), ""), |(h, q)| (h, q));
    let server = head.rsplit_once('/').map_or(head, |(server, _)| server);
    if query.is_empty() { format!("{server}/{name}") } else { format!("{server}/{name}?{query}") }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn fixture() -> Fixture {
    fixture_on(false).await
}

/// A fixture on SQLite whatever the pass (for stories that move between backends).
async fn fixture_on(always_sqlite: bool) -> Fixture {
    let dir = std::env::temp_dir().join(format!("infohus-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = if always_sqlite { sqlite_url(&dir) } else { fresh_database(&dir).await };
    let store = Store::open(&url, &dir.join("keys"), T0).await.unwrap();
    let infohus = store.default_infohus().await.unwrap();
    for (code, kind) in [("KK", AgencyKind::Municipality), ("POL", AgencyKind::Police), ("PSY", AgencyKind::Psychiatry)]
    {
        store
            .add_agency(&infohus, &AgencyCode::parse(code).unwrap(), &AgencyName::parse(code).unwrap(), kind, T0)
            .await
            .unwrap();
    }
    let hash = password::hash(&Password::parse("et-langt-password").unwrap()).unwrap();
    for (name, agency, role) in [
        ("koordinator", "KK", Role::Coordinator),
        ("politi", "POL", Role::Member),
        ("politi2", "POL", Role::Member),
        ("psykiatri", "PSY", Role::Member),
        ("revisor", "KK", Role::Auditor),
        ("analytiker", "KK", Role::Analyst),
    ] {
        store
            .add_user(
                &infohus,
                &Username::parse(name).unwrap(),
                name,
                &AgencyCode::parse(agency).unwrap(),
                role,
                &hash,
                T0,
            )
            .await
            .unwrap();
    }
    Fixture { store, dir, url }
}

fn input(name: &str, cpr: Option<&str>, birth_date: Option<&str>) -> ReferralInput {
    ReferralInput {
        channel: Some("professional".into()),
        referrer: Some(ReferrerInput { name: Some("Lærer Hansen".into()), ..Default::default() }),
        subject: Some(SubjectInput {
            name: Some(name.into()),
            cpr: cpr.map(Into::into),
            birth_date: birth_date.map(Into::into),
            ..Default::default()
        }),
        concern_category: Some("right_wing".into()),
        description: Some("Observeret adfærd".into()),
        urgency: None,
    }
}

async fn submit(store: &Store, actor: &Actor, input: ReferralInput, at: OffsetDateTime) -> infohus_store::ReferralView {
    let categories = store.concern_categories().await.unwrap();
    let new = input.validate(&categories, at.date()).unwrap();
    store.create_referral(actor, new, at).await.unwrap()
}

/// One meeting at 09:00 (Copenhagen) `days` after T0, its cut-off 21 hours before.
async fn one_meeting(store: &Store, coordinator: &Actor, days: i64) -> infohus_store::MeetingSummary {
    let series = infohus_store::NewSeries {
        name: "Koordineringsmøde".into(),
        first_start: time::PrimitiveDateTime::new(T0.date() + time::Duration::days(days), time::macros::time!(9:00)),
        interval_days: 14,
        duration_minutes: 90,
        cutoff_minutes: 21 * 60,
        location: None,
        video_link: None,
        participants: Vec::new(),
        occurrences: 1,
    };
    store.create_series(coordinator, series, T0).await.unwrap();
    store.meetings(coordinator, T0.date(), 1).await.unwrap().remove(0)
}

#[tokio::test]
async fn equal_cpr_numbers_give_the_same_person() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let a = submit(&f.store, &coordinator, input("Navn Navnesen", Some("0101051234"), None), T0).await;
    let b = submit(&f.store, &coordinator, input("Navn N.", Some("010105-1234"), None), T0).await;
    let c = submit(&f.store, &coordinator, input("Navn Navnesen", Some("0202051234"), None), T0).await;
    assert_eq!(a.person_id, b.person_id);
    assert_ne!(a.person_id, c.person_id);
}

#[tokio::test]
async fn a_name_and_birth_date_match_is_suggested_and_merged_only_when_accepted() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let first = submit(&f.store, &coordinator, input("Åse Ørsted", None, Some("2010-05-04")), T0).await;
    let second = submit(&f.store, &coordinator, input("åse  ørsted", None, Some("2010-05-04")), T0).await;
    assert_ne!(first.person_id, second.person_id, "never merged silently");
    assert_eq!(second.suggested_person_id.as_ref(), Some(&first.person_id));
    assert!(second.under_18);

    let linked = f.store.link_suggested_person(&coordinator, &second.id, T0).await.unwrap();
    assert_eq!(linked, first.person_id);
    let person = f.store.person(&coordinator, &first.person_id, T0).await.unwrap();
    assert_eq!(person.referrals.len(), 2);
    assert!(matches!(f.store.person(&coordinator, &second.person_id, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(
        f.store.link_suggested_person(&coordinator, &second.id, T0).await,
        Err(StoreError::Conflict("no_suggestion"))
    ));
}

#[tokio::test]
async fn a_link_moves_the_referrals_agenda_items_and_waits_for_no_case() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    submit(&f.store, &coordinator, input("Åse Ørsted", None, Some("2010-05-04")), T0).await;
    let second = submit(&f.store, &coordinator, input("Åse Ørsted", None, Some("2010-05-04")), T0).await;
    let third = submit(&f.store, &coordinator, input("Åse Ørsted", None, Some("2010-05-04")), T0).await;
    assert!(second.suggested_person_id.is_some() && third.suggested_person_id.is_some());

    // A draft agenda names the new referrals' persons.
    let meeting = one_meeting(&f.store, &coordinator, 7).await;
    f.store.build_agenda(&coordinator, &meeting.id, 5, T0).await.unwrap();
    let items_about = |view: &infohus_store::MeetingView, referral: &infohus_domain::ReferralId| {
        view.items
            .iter()
            .filter_map(|i| i.full.as_ref())
            .filter(|full| full.referral_id.as_ref() == Some(referral))
            .map(|full| full.person_id.clone())
            .collect::<Vec<_>>()
    };
    let view = f.store.meeting(&coordinator, &meeting.id, T0.date(), T0).await.unwrap();
    assert_eq!(items_about(&view, &second.id), vec![second.person_id.clone()]);

    let linked = f.store.link_suggested_person(&coordinator, &second.id, T0).await.unwrap();
    let view = f.store.meeting(&coordinator, &meeting.id, T0.date(), T0).await.unwrap();
    assert_eq!(items_about(&view, &second.id), vec![linked]);
    assert!(matches!(f.store.person(&coordinator, &second.person_id, T0).await, Err(StoreError::NotFound)));

    // Once a case is open, the case and its records belong to the referral's own person.
    f.store.open_case(&coordinator, &third.id, &AgencyCode::parse("KK").unwrap(), &[], T0).await.unwrap();
    assert!(matches!(
        f.store.link_suggested_person(&coordinator, &third.id, T0).await,
        Err(StoreError::Conflict("case_exists"))
    ));
    assert!(f.store.dismiss_suggested_person(&coordinator, &third.id, T0).await.is_ok());
}

#[tokio::test]
async fn members_see_their_agencys_referrals_and_nobody_elses() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let police2 = f.store.actor_for_operator("politi2").await.unwrap();
    let psychiatry = f.store.actor_for_operator("psykiatri").await.unwrap();
    let analyst = f.store.actor_for_operator("analytiker").await.unwrap();
    let mine = submit(&f.store, &police, input("A Person", None, None), T0).await;
    let coordinators = submit(&f.store, &coordinator, input("B Person", None, None), T0).await;

    assert!(f.store.referral(&police, &mine.id, T0).await.is_ok());
    assert!(f.store.referral(&police2, &mine.id, T0).await.is_ok(), "same agency takes part");
    assert!(matches!(f.store.referral(&psychiatry, &mine.id, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(f.store.referral(&police, &coordinators.id, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(f.store.referral(&analyst, &mine.id, T0).await, Err(StoreError::NotFound)));
    assert!(f.store.referral(&coordinator, &mine.id, T0).await.is_ok());

    let page = f.store.inbox(&police, &InboxFilter::default(), None, 50, T0).await.unwrap();
    assert_eq!(page.items.iter().map(|r| &r.id).collect::<Vec<_>>(), [&mine.id]);
    let page = f.store.inbox(&analyst, &InboxFilter::default(), None, 50, T0).await.unwrap();
    assert!(page.items.is_empty());
    assert!(matches!(f.store.person(&psychiatry, &mine.person_id, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(
        f.store
            .create_referral(&analyst, input("C", None, None).validate(&["right_wing".into()], T0.date()).unwrap(), T0)
            .await,
        Err(StoreError::Forbidden)
    ));
}

#[tokio::test]
async fn cursor_paging_visits_every_referral_once_in_every_sort() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let mut ids = Vec::new();
    for i in 0..23 {
        let mut referral = input(&format!("Person {i}"), None, None);
        referral.urgency = Some(if i % 3 == 0 { "urgent" } else { "normal" }.into());
        // Several referrals share a timestamp: the id breaks the tie.
        let at = T0 + time::Duration::minutes(i / 2);
        ids.push(submit(&f.store, &coordinator, referral, at).await.id);
    }
    for sort in InboxSort::ALL {
        let filter = InboxFilter { sort, ..Default::default() };
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = f.store.inbox(&coordinator, &filter, cursor.as_deref(), 5, T0).await.unwrap();
            seen.extend(page.items.iter().cloned());
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 23, "{sort:?}");
        let mut unique: Vec<_> = seen.iter().map(|r| r.id.clone()).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 23);
        if sort == InboxSort::UrgentFirst {
            let ranks: Vec<bool> = seen.iter().map(|r| r.urgency == infohus_domain::Urgency::Urgent).collect();
            assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "urgent first");
        }
    }
    let filter = InboxFilter { urgency: Some(infohus_domain::Urgency::Urgent), ..Default::default() };
    let page = f.store.inbox(&coordinator, &filter, None, 100, T0).await.unwrap();
    assert_eq!(page.items.len(), 8);
}

#[tokio::test]
async fn every_use_is_logged_and_the_chain_verifies_until_tampered() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let auditor = f.store.actor_for_operator("revisor").await.unwrap();
    let r = submit(&f.store, &coordinator, input("Navn", Some("0101051234"), None), T0).await;
    f.store.referral(&coordinator, &r.id, T0).await.unwrap();
    f.store.inbox(&coordinator, &InboxFilter::default(), None, 10, T0).await.unwrap();

    let log = f.store.access_log_for_person(&auditor, &r.person_id, None, 100, T0).await.unwrap();
    let actions: Vec<_> = log.entries.iter().map(|e| (e.action.as_str(), e.object_type.as_str())).collect();
    assert_eq!(actions, [("create", "person"), ("create", "referral"), ("read", "referral"), ("search", "referral")]);
    assert!(log.entries.iter().all(|e| e.actor_username == "koordinator"));
    assert!(matches!(
        f.store.access_log_for_person(&coordinator, &r.person_id, None, 100, T0).await,
        Err(StoreError::Forbidden)
    ));

    let report = f.store.verify_access_log(None).await.unwrap().unwrap();
    assert_eq!(report.entries, 5, "four uses of the person and the auditor's lookup");

    // Someone with write access to the database changes an entry.
    sqlx::query("UPDATE access_log SET actor_username = 'someone' WHERE seq = 3")
        .execute(&sqlx::AnyPool::connect(&f.url).await.unwrap())
        .await
        .unwrap();
    let failure = f.store.verify_access_log(None).await.unwrap().unwrap_err();
    assert_eq!(failure.seq, 3);
}

#[tokio::test]
async fn a_deleted_tail_is_caught_by_the_head() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let r = submit(&f.store, &coordinator, input("Navn", None, None), T0).await;
    f.store.referral(&coordinator, &r.id, T0).await.unwrap();
    sqlx::query("DELETE FROM access_log WHERE seq = 3")
        .execute(&sqlx::AnyPool::connect(&f.url).await.unwrap())
        .await
        .unwrap();
    let failure = f.store.verify_access_log(None).await.unwrap().unwrap_err();
    assert_eq!(failure.seq, 3);
}

#[tokio::test]
async fn reopening_with_other_keys_is_refused() {
    let f = fixture().await;
    f.store.close().await;
    let other = f.dir.join("other-keys");
    let err = Store::open(&f.url, &other, T0).await.unwrap_err();
    assert!(matches!(err, StoreError::Keys(_)));
}

/// A fixture with eight log entries, and a raw connection for the tamperer.
async fn logged_fixture() -> (Fixture, sqlx::AnyPool, infohus_store::Checkpoint) {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    for cpr in ["0101051234", "0202051234", "0303051234"] {
        let r = submit(&f.store, &coordinator, input("Navn", Some(cpr), None), T0).await;
        f.store.referral(&coordinator, &r.id, T0).await.unwrap();
    }
    f.store.inbox(&coordinator, &InboxFilter::default(), None, 2, T0).await.unwrap();
    let checkpoint = f.store.access_log_checkpoint().await.unwrap();
    assert_eq!(checkpoint.seq, 11);
    assert!(f.store.verify_access_log(Some(&checkpoint)).await.unwrap().is_ok());
    let raw = sqlx::AnyPool::connect(&f.url).await.unwrap();
    (f, raw, checkpoint)
}

async fn exec(pool: &sqlx::AnyPool, sql: &'static str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

#[tokio::test]
async fn changing_an_entry_is_caught_where_it_happened() {
    let (f, raw, _) = logged_fixture().await;
    exec(&raw, "UPDATE access_log SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 5").await;
    assert_eq!(f.store.verify_access_log(None).await.unwrap().unwrap_err().seq, 5);
}

#[tokio::test]
async fn changing_an_entry_and_recomputing_a_plain_hash_is_still_caught() {
    let (f, raw, _) = logged_fixture().await;
    // Without the key, the best a tamperer can do is copy another entry's hash.
    exec(
        &raw,
        "UPDATE access_log SET action = 'read', hash = (SELECT hash FROM access_log WHERE seq = 6) WHERE seq = 7",
    )
    .await;
    assert_eq!(f.store.verify_access_log(None).await.unwrap().unwrap_err().seq, 7);
}

#[tokio::test]
async fn deleting_an_entry_in_the_middle_is_caught() {
    let (f, raw, _) = logged_fixture().await;
    exec(&raw, "DELETE FROM access_log WHERE seq = 4").await;
    let failure = f.store.verify_access_log(None).await.unwrap().unwrap_err();
    assert_eq!((failure.seq, failure.reason), (4, "missing entry"));
}

#[tokio::test]
async fn reordering_entries_is_caught() {
    let (f, raw, _) = logged_fixture().await;
    exec(&raw, "UPDATE access_log SET seq = -1 WHERE seq = 3").await;
    exec(&raw, "UPDATE access_log SET seq = 3 WHERE seq = 4").await;
    exec(&raw, "UPDATE access_log SET seq = 4 WHERE seq = -1").await;
    assert_eq!(f.store.verify_access_log(None).await.unwrap().unwrap_err().seq, 3);
}

#[tokio::test]
async fn moving_text_between_fields_or_adding_separators_is_caught() {
    // Verification reads each entry as one joined text: content shifted from one field to
    // the next, or a field holding the join's separator, must still be caught.
    for (tampering, seq) in [
        ("UPDATE access_log SET actor_username = actor_username || '\u{1f}x' WHERE seq = 5", 5),
        ("UPDATE access_log SET purpose = action || purpose, action = '' WHERE seq = 6", 6),
        ("UPDATE access_log SET criteria = criteria || '\u{1e}' || criteria WHERE seq = 7", 7),
        ("UPDATE access_log SET person_id = NULL WHERE seq = 2", 2),
    ] {
        let (f, raw, _) = logged_fixture().await;
        exec(&raw, tampering).await;
        assert_eq!(f.store.verify_access_log(None).await.unwrap().unwrap_err().seq, seq, "{tampering}");
    }
}

#[tokio::test]
async fn truncating_the_tail_is_caught_by_the_head_row_or_else_by_a_checkpoint() {
    let (f, raw, checkpoint) = logged_fixture().await;
    exec(&raw, "DELETE FROM access_log WHERE seq > 8").await;
    assert_eq!(f.store.verify_access_log(None).await.unwrap().unwrap_err().seq, 9);

    // A careful tamperer also rewinds the head row to the new last entry...
    exec(&raw, "UPDATE access_log_head SET seq = 8, hash = (SELECT hash FROM access_log WHERE seq = 8)").await;
    assert!(f.store.verify_access_log(None).await.unwrap().is_ok(), "undetectable from inside the database");
    // ...which the operator's checkpoint, kept elsewhere, still catches.
    let failure = f.store.verify_access_log(Some(&checkpoint)).await.unwrap().unwrap_err();
    assert_eq!(failure.seq, 9);
}

#[tokio::test]
async fn a_rewritten_log_does_not_match_the_checkpoint() {
    let (f, raw, checkpoint) = logged_fixture().await;
    let mut other = checkpoint.clone();
    other.hash = "0".repeat(64);
    assert!(f.store.verify_access_log(Some(&other)).await.unwrap().is_err());
    drop(raw);
    let line = checkpoint.to_line();
    assert_eq!(infohus_store::Checkpoint::parse(&line), Some(checkpoint));
    assert_eq!(infohus_store::Checkpoint::parse("seq=1 hash=abc"), None);
}

fn file_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["infohus.sqlite", "infohus.sqlite-wal"] {
        if let Ok(mut b) = std::fs::read(dir.join(name)) {
            bytes.append(&mut b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn personal_data_never_reaches_the_disk_in_plaintext() {
    if on_postgres() {
        return; // scans the SQLite files; the sealing itself is backend-independent
    }
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let mut referral = input("Xyzzyx Hemmeligsen", Some("2902961237"), None);
    referral.description = Some("Beskrivelse-der-kun-maa-findes-krypteret".into());
    referral.referrer = Some(ReferrerInput { name: Some("Henviser Qwertysen".into()), ..Default::default() });
    let r = submit(&f.store, &coordinator, referral, T0).await;
    assert_eq!(f.store.referral(&coordinator, &r.id, T0).await.unwrap().subject.name.expose(), "Xyzzyx Hemmeligsen");
    let person = f.store.person(&coordinator, &r.person_id, T0).await.unwrap();
    assert_eq!(person.cpr.unwrap().expose(), "290296-1237");
    f.store.close().await;
    let bytes = file_bytes(&f.dir);
    assert!(contains(&bytes, "right_wing"), "the scan sees stored text");
    for secret in ["Xyzzyx", "Hemmeligsen", "2902961237", "kun-maa-findes", "Qwertysen", "1996-02-29"] {
        assert!(!contains(&bytes, secret), "{secret} is stored in plaintext");
    }
}

#[tokio::test]
async fn destroying_a_persons_data_key_makes_their_data_unreadable() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let erased = submit(&f.store, &coordinator, input("Slettes Snart", Some("0101051234"), None), T0).await;
    let kept = submit(&f.store, &coordinator, input("Bliver Her", Some("0202051234"), None), T0).await;
    let raw = sqlx::AnyPool::connect(&f.url).await.unwrap();
    sqlx::query("UPDATE persons SET data_key = NULL, shredded_at = '2026-11-22T10:00:00.000000Z' WHERE id = $1")
        .bind(erased.person_id.as_str())
        .execute(&raw)
        .await
        .unwrap();
    assert!(matches!(f.store.referral(&coordinator, &erased.id, T0).await, Err(StoreError::Erased)));
    assert!(matches!(f.store.person(&coordinator, &erased.person_id, T0).await, Err(StoreError::Erased)));
    assert_eq!(f.store.referral(&coordinator, &kept.id, T0).await.unwrap().subject.name.expose(), "Bliver Her");
    // The sealed text is still in the file, but nothing can open it any more.
    let row: (String,) = sqlx::query_as("SELECT description FROM referrals WHERE id = $1")
        .bind(erased.id.as_str())
        .fetch_one(&raw)
        .await
        .unwrap();
    assert!(row.0.starts_with("e1:"));
}

#[tokio::test]
async fn rows_written_before_encryption_are_sealed_on_start() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let r = submit(&f.store, &coordinator, input("Gammel Række", None, None), T0).await;
    f.store.close().await;
    // Rewind the rows to how an earlier version stored them: plaintext, no data key (and
    // no record yet that the sealing pass has run).
    let raw = sqlx::AnyPool::connect(&f.url).await.unwrap();
    sqlx::query("UPDATE persons SET name = 'Gammel Række', data_key = NULL").execute(&raw).await.unwrap();
    sqlx::query("DELETE FROM settings WHERE name = 'legacy_rows_sealed'").execute(&raw).await.unwrap();
    sqlx::query(
        "UPDATE referrals SET description = 'Gammel beskrivelse', subject_name = 'Gammel Række', referrer_name = 'Lærer Hansen'",
    )
    .execute(&raw)
    .await
    .unwrap();
    raw.close().await;
    let store = Store::open(&f.url, &f.dir.join("keys"), T0).await.unwrap();
    let view = store.referral(&coordinator, &r.id, T0).await.unwrap();
    assert_eq!(view.description.expose(), "Gammel beskrivelse");
    assert_eq!(view.referrer.name.unwrap().expose(), "Lærer Hansen");
    let raw = sqlx::AnyPool::connect(&f.url).await.unwrap();
    let row: (String,) = sqlx::query_as("SELECT name FROM persons").fetch_one(&raw).await.unwrap();
    assert!(row.0.starts_with("e1:"));
}

#[tokio::test]
async fn a_different_master_key_is_refused() {
    let f = fixture().await;
    f.store.close().await;
    let other = f.dir.join("other-master.key");
    let options = infohus_store::StoreOptions { master_key_file: Some(other), ..Default::default() };
    let error = Store::open_with(&f.url, &f.dir.join("keys"), T0, options).await.unwrap_err();
    assert!(matches!(error, StoreError::Keys(_)), "{error:?}");
}

async fn case_fixture() -> (Fixture, infohus_store::ReferralView, infohus_domain::CaseId) {
    case_fixture_on(fixture().await).await
}

async fn case_fixture_on(f: Fixture) -> (Fixture, infohus_store::ReferralView, infohus_domain::CaseId) {
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let r = submit(&f.store, &coordinator, input("Sag Person", Some("0101051234"), None), T0).await;
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let case = f.store.open_case(&coordinator, &r.id, &code("KK"), &[code("POL"), code("PSY")], T0).await.unwrap();
    (f, r, case)
}

#[tokio::test]
async fn notes_are_read_by_their_agency_and_by_agencies_they_were_disclosed_to() {
    let (f, r, case) = case_fixture().await;
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let police2 = f.store.actor_for_operator("politi2").await.unwrap();
    let psychiatry = f.store.actor_for_operator("psykiatri").await.unwrap();
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    // Taking part in the case shows the referral to the agency's members.
    assert!(f.store.referral(&psychiatry, &r.id, T0).await.is_ok());

    let health = infohus_domain::Sensitivities::parse_list("s", ["health"]).unwrap();
    let note = f.store.add_note(&psychiatry, &case, "Indlagt i to uger.", health, T0).await.unwrap();
    let seen = |v: &infohus_store::CaseView| v.notes.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
    assert_eq!(seen(&f.store.case(&psychiatry, &case, T0).await.unwrap()), std::slice::from_ref(&note));
    assert!(seen(&f.store.case(&police, &case, T0).await.unwrap()).is_empty(), "not disclosed yet");
    assert!(seen(&f.store.case(&coordinator, &case, T0).await.unwrap()).is_empty(), "coordinators too");

    let code = |c: &str| AgencyCode::parse(c).unwrap();
    // A basis that does not cover health data is refused; the owner alone discloses.
    assert!(matches!(
        f.store.disclose_note(&psychiatry, &note, &code("POL"), "dbl_8", "Koordinering", T0).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        f.store.disclose_note(&police, &note, &code("POL"), "rpl_115a", "Koordinering", T0).await,
        Err(StoreError::NotFound)
    ));
    f.store.disclose_note(&psychiatry, &note, &code("POL"), "rpl_115a", "Koordinering af indsats", T0).await.unwrap();
    assert!(matches!(
        f.store.disclose_note(&psychiatry, &note, &code("POL"), "rpl_115a", "Igen", T0).await,
        Err(StoreError::Conflict("already_disclosed"))
    ));
    let police_view = f.store.case(&police2, &case, T0).await.unwrap();
    assert_eq!(seen(&police_view), std::slice::from_ref(&note), "every member of the receiving agency");
    assert_eq!(police_view.notes[0].body.expose(), "Indlagt i to uger.");
    assert!(police_view.notes[0].disclosed_to.is_empty(), "only the owner sees where it went");
    assert!(seen(&f.store.case(&coordinator, &case, T0).await.unwrap()).is_empty());
}

#[tokio::test]
async fn break_glass_opens_a_case_for_an_hour_reading_only() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let r = submit(&f.store, &coordinator, input("Glas Person", None, None), T0).await;
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let case = f.store.open_case(&coordinator, &r.id, &code("KK"), &[code("POL")], T0).await.unwrap();
    let psychiatry = f.store.actor_for_operator("psykiatri").await.unwrap();
    let analyst = f.store.actor_for_operator("analytiker").await.unwrap();
    assert!(matches!(f.store.case(&psychiatry, &case, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(f.store.break_glass(&psychiatry, &case, "kort", T0).await, Err(StoreError::Invalid(_))));
    assert!(matches!(
        f.store.break_glass(&analyst, &case, "Akut henvendelse fra vagtlæge", T0).await,
        Err(StoreError::NotFound)
    ));
    let grant = f.store.break_glass(&psychiatry, &case, "Akut henvendelse fra vagtlæge", T0).await.unwrap();
    let view = f.store.case(&psychiatry, &case, T0).await.unwrap();
    assert!(view.break_glass);
    assert!(matches!(
        f.store.add_note(&psychiatry, &case, "Skriver", Default::default(), T0).await,
        Err(StoreError::Forbidden)
    ));
    let later = grant.expires_at + time::Duration::seconds(1);
    assert!(matches!(f.store.case(&psychiatry, &case, later).await, Err(StoreError::NotFound)));

    let auditor = f.store.actor_for_operator("revisor").await.unwrap();
    let log = f.store.access_log_for_person(&auditor, &r.person_id, None, 100, T0).await.unwrap();
    let purposes: Vec<_> = log.entries.iter().map(|e| e.purpose.as_str()).collect();
    assert!(purposes.contains(&"break_glass"));
}

#[tokio::test]
async fn only_coordinators_open_cases_and_only_admins_add_legal_bases() {
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let r = submit(&f.store, &police, input("Person", None, None), T0).await;
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    assert!(matches!(f.store.open_case(&police, &r.id, &code("POL"), &[], T0).await, Err(StoreError::Forbidden)));
    f.store.open_case(&coordinator, &r.id, &code("KK"), &[], T0).await.unwrap();
    assert!(matches!(
        f.store.open_case(&coordinator, &r.id, &code("KK"), &[], T0).await,
        Err(StoreError::Conflict("case_exists"))
    ));
    let basis = infohus_store::LegalBasis {
        code: "lokal_aftale".into(),
        label: "Lokal samarbejdsaftale".into(),
        covers_special_category: false,
        covers_criminal_offence: false,
    };
    assert!(matches!(f.store.add_legal_basis(&coordinator, basis.clone(), T0).await, Err(StoreError::Forbidden)));
    let hash = password::hash(&Password::parse("et-langt-password").unwrap()).unwrap();
    let infohus = f.store.default_infohus().await.unwrap();
    f.store
        .add_user(&infohus, &Username::parse("admin").unwrap(), "Admin", &code("KK"), Role::Admin, &hash, T0)
        .await
        .unwrap();
    let admin = f.store.actor_for_operator("admin").await.unwrap();
    f.store.add_legal_basis(&admin, basis.clone(), T0).await.unwrap();
    assert!(f.store.legal_bases().await.unwrap().iter().any(|b| b.code == "lokal_aftale"));
    assert!(f.store.legal_bases().await.unwrap().iter().any(|b| b.code == "rpl_115a"));
}

#[tokio::test]
async fn the_auditor_sees_break_glass_disclosures_and_a_users_activity() {
    let (f, r, case) = case_fixture().await;
    let psychiatry = f.store.actor_for_operator("psykiatri").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let auditor = f.store.actor_for_operator("revisor").await.unwrap();
    let note = f.store.add_note(&psychiatry, &case, "Notat", Default::default(), T0).await.unwrap();
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    f.store.disclose_note(&psychiatry, &note, &code("POL"), "gdpr_6_1_e", "Fælles planlægning", T0).await.unwrap();

    let disclosures = f.store.disclosures(&auditor, T0).await.unwrap();
    assert_eq!(disclosures.len(), 1);
    assert_eq!((disclosures[0].from_agency.as_str(), disclosures[0].to_agency.as_str()), ("PSY", "POL"));
    assert_eq!(disclosures[0].purpose.expose(), "Fælles planlægning");

    // A member of an agency outside the case breaks the glass.
    let infohus = f.store.default_infohus().await.unwrap();
    f.store
        .add_agency(
            &infohus,
            &code("KRIM"),
            &AgencyName::parse("Kriminalforsorgen").unwrap(),
            AgencyKind::PrisonProbation,
            T0,
        )
        .await
        .unwrap();
    let hash = password::hash(&Password::parse("et-langt-password").unwrap()).unwrap();
    f.store
        .add_user(&infohus, &Username::parse("krim").unwrap(), "K", &code("KRIM"), Role::Member, &hash, T0)
        .await
        .unwrap();
    let krim = f.store.actor_for_operator("krim").await.unwrap();
    f.store.break_glass(&krim, &case, "Løsladelse i morgen, akut", T0).await.unwrap();
    let uses = f.store.break_glass_uses(&auditor, T0).await.unwrap();
    assert_eq!(uses.len(), 1);
    assert_eq!((uses[0].username.as_str(), uses[0].reason.expose().as_str()), ("krim", "Løsladelse i morgen, akut"));

    let query = infohus_store::LogQuery { username: Some("psykiatri".into()), ..Default::default() };
    let activity = f.store.search_access_log(&auditor, &query, None, 100, false, T0).await.unwrap();
    assert!(activity.entries.iter().all(|e| e.actor_username == "psykiatri"));
    assert!(activity.entries.iter().any(|e| e.purpose == "disclosure"));
    let _ = police;

    let report = f.store.subject_access_report(&auditor, &r.person_id, T0).await.unwrap();
    assert!(report.iter().any(|l| l.purpose == "intake"));
    let exported = f.store.access_log_for_person(&auditor, &r.person_id, None, 100, T0).await.unwrap();
    assert!(exported.entries.iter().any(|e| e.action == "export" && e.purpose == "subject_access"));
    assert!(matches!(f.store.disclosures(&psychiatry, T0).await, Err(StoreError::Forbidden)));
}

#[tokio::test]
async fn two_stores_on_one_database_keep_one_unbroken_chain() {
    let f = fixture().await;
    // A second process on the same files: each writer caches the head; neither may fork it.
    let other = Store::open(&f.url, &f.dir.join("keys"), T0).await.unwrap();
    let a = f.store.actor_for_operator("koordinator").await.unwrap();
    let b = other.actor_for_operator("koordinator").await.unwrap();
    for i in 0..6 {
        let cpr = format!("0{}0105123{i}", i % 9 + 1);
        let (store, actor) = if i % 2 == 0 { (&f.store, &a) } else { (&other, &b) };
        let r = submit(store, actor, input("Skiftevis", Some(&cpr), None), T0).await;
        store.referral(actor, &r.id, T0).await.unwrap();
    }
    let report = f.store.verify_access_log(None).await.unwrap().unwrap();
    assert_eq!(report.entries, 18, "three entries per referral, none lost or duplicated");
    other.close().await;
}

#[tokio::test]
async fn infohuse_are_isolated_and_the_hotline_routes_by_municipality() {
    use infohus_domain::municipality::PoliceDistrict;
    let f = fixture().await;
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let kbh = new_infohus(&f.store, "KBH", "Infohus København", Some(PoliceDistrict::Koebenhavn), false).await.unwrap();
    let national = new_infohus(&f.store, "NAT", "Den nationale hotline", None, true).await.unwrap();
    assert!(matches!(
        new_infohus(&f.store, "KBH2", "Igen", Some(PoliceDistrict::Koebenhavn), false).await,
        Err(StoreError::Conflict(_))
    ));
    let hash = password::hash(&Password::parse("et-langt-password").unwrap()).unwrap();
    for (infohus, agency, user, role) in
        [(&kbh, "KBH-SEK", "kbh", Role::Coordinator), (&national, "HOTLINE", "hotline", Role::Member)]
    {
        f.store
            .add_agency(infohus, &code(agency), &AgencyName::parse(agency).unwrap(), AgencyKind::Other, T0)
            .await
            .unwrap();
        f.store.add_user(infohus, &Username::parse(user).unwrap(), user, &code(agency), role, &hash, T0).await.unwrap();
    }
    let kbh_coordinator = f.store.actor_for_operator("kbh").await.unwrap();
    let hotline = f.store.actor_for_operator("hotline").await.unwrap();
    let home_coordinator = f.store.actor_for_operator("koordinator").await.unwrap();

    // A hotline referral about someone in Copenhagen goes to the Copenhagen infohus.
    let mut call = input("Hotline Person", Some("0101051234"), None);
    call.subject.as_mut().unwrap().municipality = Some("0101".into());
    let routed = submit(&f.store, &hotline, call, T0).await;
    assert!(f.store.referral(&kbh_coordinator, &routed.id, T0).await.is_ok());
    assert!(matches!(f.store.referral(&hotline, &routed.id, T0).await, Err(StoreError::NotFound)), "handed over");
    assert!(matches!(f.store.referral(&home_coordinator, &routed.id, T0).await, Err(StoreError::NotFound)));
    // Without a municipality it stays with the national unit.
    let unrouted = submit(&f.store, &hotline, input("Ukendt Bopæl", None, None), T0).await;
    assert!(matches!(f.store.referral(&kbh_coordinator, &unrouted.id, T0).await, Err(StoreError::NotFound)));

    // The same CPR in two infohuse: two persons, and neither infohus sees the other's.
    let home = submit(&f.store, &home_coordinator, input("Samme Cpr", Some("0101051234"), None), T0).await;
    assert_ne!(home.person_id, routed.person_id);
    assert!(matches!(f.store.person(&kbh_coordinator, &home.person_id, T0).await, Err(StoreError::NotFound)));
    let kbh_inbox = f.store.inbox(&kbh_coordinator, &InboxFilter::default(), None, 100, T0).await.unwrap();
    assert_eq!(kbh_inbox.items.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), std::slice::from_ref(&routed.id));
    let home_inbox = f.store.inbox(&home_coordinator, &InboxFilter::default(), None, 100, T0).await.unwrap();
    assert!(home_inbox.items.iter().all(|r| r.id != routed.id && r.id != unrouted.id));

    // The intake is logged in the infohus that holds the data.
    let hash = password::hash(&Password::parse("et-langt-password").unwrap()).unwrap();
    f.store
        .add_user(&kbh, &Username::parse("kbh-revisor").unwrap(), "R", &code("KBH-SEK"), Role::Auditor, &hash, T0)
        .await
        .unwrap();
    let kbh_auditor = f.store.actor_for_operator("kbh-revisor").await.unwrap();
    let log = f.store.access_log_for_person(&kbh_auditor, &routed.person_id, None, 100, T0).await.unwrap();
    assert!(log.entries.iter().any(|e| e.action == "create" && e.actor_username == "hotline"));
    let home_auditor = f.store.actor_for_operator("revisor").await.unwrap();
    assert!(
        f.store
            .access_log_for_person(&home_auditor, &routed.person_id, None, 100, T0)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
}

#[tokio::test]
async fn an_archive_moves_everything_to_another_database_and_back_unchanged() {
    // SQLite → (PostgreSQL in the PostgreSQL pass, else SQLite) → SQLite.
    let (f, r, case) = case_fixture_on(fixture_on(true).await).await;
    let psychiatry = f.store.actor_for_operator("psykiatri").await.unwrap();
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let note = f.store.add_note(&psychiatry, &case, "Notat der skal med", Default::default(), T0).await.unwrap();
    f.store
        .disclose_note(&psychiatry, &note, &AgencyCode::parse("POL").unwrap(), "gdpr_6_1_e", "Flytning", T0)
        .await
        .unwrap();
    f.store.inbox(&coordinator, &InboxFilter::default(), None, 10, T0).await.unwrap();
    let mut first = Vec::new();
    let exported = f.store.export_archive(&mut first).await.unwrap();
    assert!(exported.rows > 30);

    // Into a second, empty database (PostgreSQL in the PostgreSQL pass), and out again.
    let dir2 = std::env::temp_dir().join(format!("infohus-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir2).unwrap();
    std::fs::create_dir_all(dir2.join("keys")).unwrap();
    for key in ["access-log.key", "blind-index.key", "master.key"] {
        std::fs::copy(f.dir.join("keys").join(key), dir2.join("keys").join(key)).unwrap();
    }
    let url2 = fresh_database(&dir2).await;
    let second_store = Store::open(&url2, &dir2.join("keys"), T0).await.unwrap();
    let imported = second_store.import_archive(std::io::Cursor::new(&first)).await.unwrap();
    assert_eq!(imported.rows, exported.rows);
    assert!(second_store.verify_access_log(None).await.unwrap().is_ok());
    let mut second = Vec::new();
    second_store.export_archive(&mut second).await.unwrap();
    assert_eq!(String::from_utf8_lossy(&first), String::from_utf8_lossy(&second), "identical content");
    let view = second_store.referral(&coordinator, &r.id, T0).await.unwrap();
    assert_eq!(view.subject.name.expose(), "Sag Person");

    // And back into a third, SQLite, database.
    let dir3 = std::env::temp_dir().join(format!("infohus-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir3).unwrap();
    let third_store = Store::open(&sqlite_url(&dir3), &dir2.join("keys"), T0).await.unwrap();
    third_store.import_archive(std::io::Cursor::new(&second)).await.unwrap();
    let mut third = Vec::new();
    third_store.export_archive(&mut third).await.unwrap();
    assert_eq!(first, third);
    assert!(third_store.verify_access_log(None).await.unwrap().is_ok());

    // A second import, a changed archive and other keys are all refused.
    assert!(matches!(
        third_store.import_archive(std::io::Cursor::new(&first)).await,
        Err(infohus_store::ArchiveError::NotEmpty)
    ));
    let dir4 = std::env::temp_dir().join(format!("infohus-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir4).unwrap();
    let fourth = Store::open(&sqlite_url(&dir4), &dir2.join("keys"), T0).await.unwrap();
    let last_line = first.iter().rposition(|b| *b == b'{').unwrap();
    let mut altered = first[..last_line].to_vec();
    altered.extend_from_slice(b"{\"end\":true,\"rows\":1,\"sha256\":\"00\"}\n");
    assert!(matches!(
        fourth.import_archive(std::io::Cursor::new(&altered)).await,
        Err(infohus_store::ArchiveError::Checksum)
    ));
    let dir5 = std::env::temp_dir().join(format!("infohus-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir5).unwrap();
    let other_keys = Store::open(&sqlite_url(&dir5), &dir5.join("keys"), T0).await.unwrap();
    assert!(matches!(
        other_keys.import_archive(std::io::Cursor::new(&first)).await,
        Err(infohus_store::ArchiveError::OtherKeys)
    ));
    // An archive that leaves out a key's fingerprint (checksum made right again) is refused
    // too: it would load content sealed with keys nobody can check.
    let lines: Vec<&str> = std::str::from_utf8(&first).unwrap().lines().collect();
    let body: Vec<&str> =
        lines[..lines.len() - 1].iter().copied().filter(|line| !line.contains("\"master_key_fingerprint\"")).collect();
    assert_eq!(body.len(), lines.len() - 2, "one fingerprint row left out");
    // The header and the records, with a trailer whose checksum matches them again.
    let with_checksum = |body: &[String]| {
        let mut text: String = body.iter().map(|line| format!("{line}\n")).collect();
        let sha: String =
            <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        text.push_str(&format!("{{\"end\":true,\"rows\":{},\"sha256\":\"{sha}\"}}\n", body.len() - 1));
        text
    };
    let unnamed = with_checksum(&body.iter().map(|line| line.to_string()).collect::<Vec<_>>());
    assert!(matches!(
        fourth.import_archive(std::io::Cursor::new(unnamed.as_bytes())).await,
        Err(infohus_store::ArchiveError::KeysNotNamed)
    ));
    // An archive whose access log was rewritten (who read it) with its checksum made right
    // again: the chain is recomputed before the import commits, and nothing is loaded.
    let mut rewritten: Vec<String> = lines[..lines.len() - 1].iter().map(|line| line.to_string()).collect();
    let entry = rewritten.iter().position(|line| line.starts_with("{\"t\":\"access_log\"")).unwrap() + 1;
    let mut record: serde_json::Value = serde_json::from_str(&rewritten[entry]).unwrap();
    assert_eq!(record["t"], "access_log");
    let seq = record["v"][0].as_i64().unwrap();
    record["v"][4] = serde_json::Value::from("revisor");
    rewritten[entry] = record.to_string();
    match fourth.import_archive(std::io::Cursor::new(with_checksum(&rewritten).as_bytes())).await {
        Err(infohus_store::ArchiveError::LogBroken { seq: at, .. }) => assert_eq!(at, seq),
        other => panic!("a rewritten log was not refused: {other:?}"),
    }
    let loaded = fourth.import_archive(std::io::Cursor::new(&first)).await.unwrap();
    assert_eq!(loaded.rows, exported.rows, "the refused import left nothing behind");
    assert!(fourth.verify_access_log(None).await.unwrap().is_ok());
    for dir in [dir2, dir3, dir4, dir5] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn known_elsewhere_requests_to_share_and_transfers_between_infohuse() {
    use infohus_domain::municipality::PoliceDistrict;
    let f = fixture().await;
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let kbh = new_infohus(&f.store, "KBH", "Infohus København", Some(PoliceDistrict::Koebenhavn), false).await.unwrap();
    let hash = password::hash(&Password::parse("et-langt-password").unwrap()).unwrap();
    f.store
        .add_agency(&kbh, &code("KBH-SEK"), &AgencyName::parse("Sekretariat").unwrap(), AgencyKind::Municipality, T0)
        .await
        .unwrap();
    for (user, role) in [("kbh", Role::Coordinator), ("kbh-revisor", Role::Auditor)] {
        f.store.add_user(&kbh, &Username::parse(user).unwrap(), user, &code("KBH-SEK"), role, &hash, T0).await.unwrap();
    }
    let kbh_coordinator = f.store.actor_for_operator("kbh").await.unwrap();
    let home = f.store.actor_for_operator("koordinator").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let there = submit(&f.store, &kbh_coordinator, input("Kendt Derovre", Some("0101051234"), None), T0).await;

    let cpr = infohus_domain::Cpr::parse("0101051234").unwrap();
    let hits = f.store.known_elsewhere(&home, &cpr, T0).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.infohus_code.as_str()).collect::<Vec<_>>(), ["KBH"]);
    assert!(
        f.store
            .known_elsewhere(&home, &infohus_domain::Cpr::parse("0202051234").unwrap(), T0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(f.store.known_elsewhere(&police, &cpr, T0).await, Err(StoreError::Forbidden)));

    let request = f.store.request_share(&home, &cpr, &code("KBH"), "rpl_115a", "Fælles bekymring", T0).await.unwrap();
    let received = f.store.share_requests_received(&kbh_coordinator, T0).await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        (received[0].id.as_str(), received[0].purpose.expose().as_str()),
        (request.as_str(), "Fælles bekymring")
    );
    assert!(f.store.share_requests_received(&home, T0).await.unwrap().is_empty());
    let kbh_auditor = f.store.actor_for_operator("kbh-revisor").await.unwrap();
    let log = f.store.access_log_for_person(&kbh_auditor, &there.person_id, None, 100, T0).await.unwrap();
    let purposes: Vec<_> = log.entries.iter().map(|e| e.purpose.as_str()).collect();
    assert!(purposes.contains(&"known_elsewhere") && purposes.contains(&"share_request"), "{purposes:?}");

    // A person moves to Copenhagen: their referral goes along; a known CPR there is refused.
    let moving = submit(&f.store, &home, input("Flytter Snart", Some("0303051234"), None), T0).await;
    let staying = submit(&f.store, &home, input("Kendt Derovre", Some("0101051234"), None), T0).await;
    assert!(matches!(
        f.store.transfer_person(&home, &staying.person_id, &code("KBH"), "rpl_115a", "Flytning", T0).await,
        Err(StoreError::Conflict("known_in_target"))
    ));
    assert!(matches!(
        f.store.transfer_person(&police, &moving.person_id, &code("KBH"), "rpl_115a", "Flytning", T0).await,
        Err(StoreError::Forbidden)
    ));
    f.store.transfer_person(&home, &moving.person_id, &code("KBH"), "rpl_115a", "Flytning", T0).await.unwrap();
    assert!(matches!(f.store.referral(&home, &moving.id, T0).await, Err(StoreError::NotFound)));
    assert!(f.store.referral(&kbh_coordinator, &moving.id, T0).await.is_ok());
    let log = f.store.access_log_for_person(&kbh_auditor, &moving.person_id, None, 100, T0).await.unwrap();
    assert!(log.entries.iter().any(|e| e.purpose == "transfer" && e.action == "create"));
    assert!(f.store.verify_access_log(None).await.unwrap().is_ok());
}

#[tokio::test]
async fn failed_logins_are_counted_in_the_database_per_key_and_window() {
    let f = fixture().await;
    let window = time::Duration::minutes(15);
    let keys = [("account:anne".to_owned(), 3), ("address:127.0.0.1".to_owned(), 10)];
    for _ in 0..3 {
        assert_eq!(f.store.login_blocked(&keys, window, T0).await.unwrap(), None);
        f.store.record_login_failure(&["account:anne".into(), "address:127.0.0.1".into()], window, T0).await.unwrap();
    }
    let wait = f.store.login_blocked(&keys, window, T0).await.unwrap().unwrap();
    assert!((1..=900).contains(&wait));
    // Another server process sees the same counts.
    let other = Store::open(&f.url, &f.dir.join("keys"), T0).await.unwrap();
    assert!(other.login_blocked(&keys, window, T0).await.unwrap().is_some());
    assert_eq!(other.login_blocked(&keys, window, T0 + time::Duration::minutes(16)).await.unwrap(), None);
    f.store.clear_login_failures("account:anne").await.unwrap();
    assert_eq!(f.store.login_blocked(&keys, window, T0).await.unwrap(), None);
    other.close().await;
}

/// Every casework column with personal content is sealed on disk, and an archive carries
/// the casework tables across backends unchanged.
#[tokio::test]
async fn casework_content_is_sealed_at_rest_and_moves_in_an_archive() {
    use infohus_domain::assessment::AssessmentContent;
    use infohus_domain::casework::{AssessmentKind, CheckResult, ClosureReason};
    use infohus_store::{NewIntervention, NewTask};
    let (f, _, case) = case_fixture_on(fixture_on(true).await).await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let code = |c: &str| AgencyCode::parse(c).unwrap();
    let today = time::macros::date!(2026 - 11 - 22);

    let other = submit(&f.store, &coordinator, input("Anden Person", Some("0303051234"), None), T0).await;
    f.store.request_checks(&coordinator, &other.id, &[code("POL")], T0).await.unwrap();
    f.store.record_check(&police, &other.id, CheckResult::Known, "Tjeknote-Zqxv", T0).await.unwrap();
    let (instrument_id, instrument) = f.store.instrument("indikatorliste", None).await.unwrap();
    let mut content = AssessmentContent::empty(today);
    content.overall = "Vurdering-Plokmn".into();
    let first_item = instrument.items().next().unwrap().1.key.clone();
    content.ratings.insert(first_item, "moderat".into());
    f.store
        .create_assessment(&coordinator, &case, &instrument_id, AssessmentKind::Baseline, content, today, T0)
        .await
        .unwrap();
    let intervention = f
        .store
        .add_intervention(
            &coordinator,
            &case,
            NewIntervention {
                kind: "mentoring".into(),
                responsible: "koordinator".into(),
                goals: "Maal-Wertyu".into(),
                start_on: today,
                review_on: None,
                sensitivity: Default::default(),
            },
            today,
            T0,
        )
        .await
        .unwrap();
    f.store.log_session(&coordinator, &intervention, today, 45, "Samtale-Asdfgh", today, T0).await.unwrap();
    let task = NewTask { title: "Opgave-Zxcvbn".into(), owner_agency: code("KK"), assignee: None, due_on: today };
    f.store.add_task(&coordinator, &case, task, T0).await.unwrap();
    f.store.close_case(&coordinator, &case, ClosureReason::Other, "Lukket-Poiuyt", true, T0).await.unwrap();

    let mut first = Vec::new();
    f.store.export_archive(&mut first).await.unwrap();
    let dir2 = std::env::temp_dir().join(format!("infohus-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(dir2.join("keys")).unwrap();
    for key in ["access-log.key", "blind-index.key", "master.key"] {
        std::fs::copy(f.dir.join("keys").join(key), dir2.join("keys").join(key)).unwrap();
    }
    let url2 = fresh_database(&dir2).await;
    let second = Store::open(&url2, &dir2.join("keys"), T0).await.unwrap();
    second.import_archive(std::io::Cursor::new(&first)).await.unwrap();
    let mut again = Vec::new();
    second.export_archive(&mut again).await.unwrap();
    assert_eq!(first, again, "the casework tables survive the move unchanged");
    let moved = second.actor_for_operator("koordinator").await.unwrap();
    let view = second.case(&moved, &case, T0).await.unwrap();
    assert_eq!((view.status.as_str(), view.tasks.len(), view.interventions.len()), ("closed", 1, 1));
    assert_eq!(view.timeline.last().unwrap().note.as_ref().unwrap().expose(), "Lukket-Poiuyt");
    second.close().await;
    let _ = std::fs::remove_dir_all(&dir2);

    if !on_postgres() {
        f.store.close().await;
        let bytes = file_bytes(&f.dir);
        for secret in ["Tjeknote-Zqxv", "Plokmn", "Maal-Wertyu", "Samtale-Asdfgh", "Opgave-Zxcvbn", "Lukket-Poiuyt"] {
            assert!(!contains(&bytes, secret), "{secret} is stored in plaintext");
        }
    }
}

/// Flags are dated and cut off in Copenhagen time, as the meeting's cut-off is: a flag made at
/// 23:30 UTC on a winter evening belongs to the next day, and one made after the cut-off (in
/// Copenhagen time, though before it in UTC) waits for the meeting after.
#[tokio::test]
async fn a_flag_is_dated_and_cut_off_in_copenhagen_time() {
    use infohus_domain::agenda::Reason;
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let kk = AgencyCode::parse("KK").unwrap();
    let late_evening = submit(&f.store, &coordinator, input("Aften Aftensen", Some("0101051234"), None), T0).await;
    let after_cutoff = submit(&f.store, &coordinator, input("Sen Sensen", Some("0202051234"), None), T0).await;
    let late_evening = f.store.open_case(&coordinator, &late_evening.id, &kk, &[], T0).await.unwrap();
    let after_cutoff = f.store.open_case(&coordinator, &after_cutoff.id, &kk, &[], T0).await.unwrap();

    // The meeting is on 24.11 at 09:00; the cut-off 21 hours before: 23.11 at 12:00 in Copenhagen.
    let meeting = one_meeting(&f.store, &coordinator, 2).await;

    f.store.flag_case(&coordinator, &late_evening, "", datetime!(2026-11-22 23:30 UTC)).await.unwrap();
    f.store.flag_case(&coordinator, &after_cutoff, "", datetime!(2026-11-23 11:30 UTC)).await.unwrap();
    let now = datetime!(2026-11-23 11:45 UTC);
    f.store.build_agenda(&coordinator, &meeting.id, 5, now).await.unwrap();
    let view = f.store.meeting(&coordinator, &meeting.id, now.date(), now).await.unwrap();
    let flags_of = |case: &infohus_domain::CaseId| {
        view.items
            .iter()
            .filter(|i| i.full.as_ref().is_some_and(|full| full.case_id.as_ref() == Some(case)))
            .flat_map(|i| i.reasons.iter().filter(|r| r.reason == Reason::Flagged).map(|r| r.date))
            .collect::<Vec<_>>()
    };
    assert_eq!(flags_of(&late_evening), vec![Some(time::macros::date!(2026 - 11 - 23))]);
    assert_eq!(flags_of(&after_cutoff), Vec::new());
}

/// A rebuild keeps the items that stay, gives them their new reasons, drops what no longer
/// belongs on the agenda and numbers the rest 1, 2, 3 … again.
#[tokio::test]
async fn a_rebuild_updates_reasons_drops_what_left_and_renumbers() {
    use infohus_domain::agenda::Reason;
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    let (kk, pol) = (AgencyCode::parse("KK").unwrap(), AgencyCode::parse("POL").unwrap());
    let first = submit(&f.store, &coordinator, input("Første Person", Some("0101051234"), None), T0).await;
    let second = submit(&f.store, &coordinator, input("Anden Person", Some("0202051234"), None), T0).await;
    let third = submit(&f.store, &coordinator, input("Tredje Person", Some("0303051234"), None), T0).await;
    let case = f.store.open_case(&coordinator, &first.id, &kk, &[pol], T0).await.unwrap();
    f.store.flag_case(&coordinator, &case, "", T0).await.unwrap();
    let meeting = one_meeting(&f.store, &coordinator, 7).await;
    let agenda = |view: &infohus_store::MeetingView| {
        view.items
            .iter()
            .map(|i| {
                let full = i.full.as_ref().unwrap();
                let subject = full
                    .case_id
                    .as_ref()
                    .map_or_else(|| full.referral_id.as_ref().unwrap().as_str().to_owned(), |c| c.as_str().to_owned());
                let flags = i.reasons.iter().filter(|r| r.reason == Reason::Flagged).count();
                (i.position, subject, flags)
            })
            .collect::<Vec<_>>()
    };
    let (second_id, third_id, case_id) =
        (second.id.as_str().to_owned(), third.id.as_str().to_owned(), case.as_str().to_owned());

    f.store.build_agenda(&coordinator, &meeting.id, 5, T0).await.unwrap();
    let view = f.store.meeting(&coordinator, &meeting.id, T0.date(), T0).await.unwrap();
    let built = agenda(&view);
    assert_eq!(built.len(), 3, "{built:?}");
    assert!(built.iter().any(|(_, s, n)| *s == case_id && *n == 1), "{built:?}");

    // The police asks too: the case keeps its item and gets a second reason.
    f.store.flag_case(&police, &case, "", T0).await.unwrap();
    // The second referral is screened into a case of its own (no facts): its item goes.
    f.store.open_case(&coordinator, &second.id, &kk, &[], T0).await.unwrap();
    f.store.build_agenda(&coordinator, &meeting.id, 5, T0).await.unwrap();
    let view = f.store.meeting(&coordinator, &meeting.id, T0.date(), T0).await.unwrap();
    let rebuilt = agenda(&view);
    let positions: Vec<i64> = rebuilt.iter().map(|(p, _, _)| *p).collect();
    assert_eq!(positions, vec![1, 2], "{rebuilt:?}");
    assert!(!rebuilt.iter().any(|(_, s, _)| *s == second_id), "{rebuilt:?}");
    assert!(rebuilt.iter().any(|(_, s, n)| *s == third_id && *n == 0), "{rebuilt:?}");
    assert!(rebuilt.iter().any(|(_, s, n)| *s == case_id && *n == 2), "{rebuilt:?}");
    // The same item ids: kept, not replaced.
    let ids =
        |view: &infohus_store::MeetingView| view.items.iter().map(|i| i.id.as_str().to_owned()).collect::<Vec<_>>();
    let before: Vec<String> = ids(&view);
    f.store.build_agenda(&coordinator, &meeting.id, 5, T0).await.unwrap();
    let again = f.store.meeting(&coordinator, &meeting.id, T0.date(), T0).await.unwrap();
    assert_eq!(ids(&again), before);
    assert_eq!(agenda(&again), rebuilt);
}

/// Found by schemathesis: linking a referral to its suggested person resealed the referral's
/// own fields but not the register checks' notes or the screening outcome, so its screening
/// view failed to decrypt (500) afterwards. Everything sealed under the referral's person
/// moves with it, minutes about its agenda item too.
#[tokio::test]
async fn a_linked_referral_keeps_its_check_notes_outcome_and_minutes_readable() {
    use infohus_domain::casework::CheckResult;
    let f = fixture().await;
    let coordinator = f.store.actor_for_operator("koordinator").await.unwrap();
    let police = f.store.actor_for_operator("politi").await.unwrap();
    submit(&f.store, &coordinator, input("Åse Ørsted", None, Some("2010-05-04")), T0).await;
    let second = submit(&f.store, &coordinator, input("Åse Ørsted", None, Some("2010-05-04")), T0).await;
    assert!(second.suggested_person_id.is_some());
    f.store.request_checks(&coordinator, &second.id, &[AgencyCode::parse("POL").unwrap()], T0).await.unwrap();
    f.store.record_check(&police, &second.id, CheckResult::Known, "Kendt fra en tidligere sag.", T0).await.unwrap();
    // The referral is on a meeting's agenda and the minutes say something about it.
    let meeting = one_meeting(&f.store, &coordinator, 7).await;
    f.store.build_agenda(&coordinator, &meeting.id, 5, T0).await.unwrap();
    f.store.publish_agenda(&coordinator, &meeting.id, T0).await.unwrap();
    let view = f.store.meeting(&coordinator, &meeting.id, T0.date(), T0).await.unwrap();
    let item = view
        .items
        .iter()
        .find(|i| i.full.as_ref().and_then(|full| full.referral_id.as_ref()) == Some(&second.id))
        .unwrap()
        .id
        .clone();
    let minutes = f.store.start_minutes(&coordinator, &meeting.id, T0).await.unwrap();
    let written = infohus_store::MinutesItemInput {
        agenda_item: item.clone(),
        summary: "Drøftet kort.".into(),
        decisions: "Afventer visitation.".into(),
    };
    f.store.save_minutes(&coordinator, &minutes, &[], vec![written], T0).await.unwrap();
    let decision = infohus_store::Decision::NoConcern { reply: "Tak for henvendelsen.".into() };
    f.store.decide_screening(&coordinator, &second.id, decision, T0).await.unwrap();

    f.store.link_suggested_person(&coordinator, &second.id, T0).await.unwrap();
    let read = f.store.minutes(&coordinator, &meeting.id, T0).await.unwrap().unwrap();
    let about = read.items.iter().find(|i| i.agenda_item == item).unwrap();
    assert_eq!(about.summary.as_ref().map(|s| s.expose().as_str()), Some("Drøftet kort."));
    assert_eq!(about.decisions.as_ref().map(|s| s.expose().as_str()), Some("Afventer visitation."));
    let view = f.store.screening(&coordinator, &second.id, T0).await.unwrap();
    let note = view.checks[0].note.as_ref().map(|n| n.expose().clone());
    assert_eq!(note.as_deref(), Some("Kendt fra en tidligere sag."));
    let reply = view.outcome.unwrap().reply.map(|r| r.expose().clone());
    assert_eq!(reply.as_deref(), Some("Tak for henvendelsen."));
    let police_view = f.store.screening(&police, &second.id, T0).await.unwrap();
    assert!(police_view.checks[0].note.is_some());
}
