//! The real `infohus` binary as CONTRACT.md drives it: agencies and users from the command
//! line, `serve` on a free port, and `audit verify` catching a tampered access log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_infohus");

struct DataDir(PathBuf);

impl DataDir {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("infohus-cli-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("INFOHUS_LOG", "warn")
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn setup(dir: &DataDir) {
    let out = run(
        &[
            "agency",
            "add",
            "--data-dir",
            dir.path(),
            "--code",
            "KK",
            "--name",
            "Københavns Kommune",
            "--kind",
            "municipality",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(
        &[
            "user",
            "add",
            "--data-dir",
            dir.path(),
            "--username",
            "koordinator",
            "--agency",
            "KK",
            "--role",
            "coordinator",
            "--password-stdin",
        ],
        Some("et-godt-langt-kodeord\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn user_add_explains_every_refusal() {
    let dir = DataDir::new();
    setup(&dir);
    let user = |name: &str, agency: &str, role: &str, password: &str| {
        run(
            &[
                "user",
                "add",
                "--data-dir",
                dir.path(),
                "--username",
                name,
                "--agency",
                agency,
                "--role",
                role,
                "--password-stdin",
            ],
            Some(password),
        )
    };
    let cases = [
        (user("anne", "NOPE", "member", "et-godt-langt-kodeord"), "unknown agency"),
        (user("anne", "KK", "boss", "et-godt-langt-kodeord"), "invalid role"),
        (user("koordinator", "KK", "member", "et-godt-langt-kodeord"), "already exists"),
        (user("anne", "KK", "member", "kort-kode\n"), "too weak"),
    ];
    for (out, expected) in cases {
        assert!(!out.status.success());
        assert!(text(&out).contains(expected), "expected '{expected}' in: {}", text(&out));
    }
    let out = run(
        &["agency", "add", "--data-dir", dir.path(), "--code", "KK", "--name", "Igen", "--kind", "municipality"],
        None,
    );
    assert!(!out.status.success() && text(&out).contains("already exists"));
    let out =
        run(&["agency", "add", "--data-dir", dir.path(), "--code", "X1", "--name", "Ukendt", "--kind", "army"], None);
    assert!(!out.status.success() && text(&out).contains("invalid agency kind"));
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port and returns it with its address once it listens.
fn serve(dir: &DataDir) -> (Server, String) {
    serve_with(&["--data-dir", dir.path()])
}

/// Starts `serve` with these location arguments on a free port.
fn serve_with(location: &[&str]) -> (Server, String) {
    let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
    args.extend_from_slice(location);
    let mut server =
        Server(Command::new(BIN).args(&args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let stdout = server.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "server did not start");
        let line = lines.next().unwrap().unwrap();
        if let Some(address) = line.strip_prefix("listening on http://") {
            return (server, address.to_owned());
        }
    }
}

fn http(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn post_json(address: &str, path: &str, token: Option<&str>, body: &str) -> String {
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    http(
        address,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn json_field(response: &str, field: &str) -> String {
    let key = format!("\"{field}\":\"");
    let at = response.find(&key).unwrap() + key.len();
    response[at..].split('"').next().unwrap().to_owned()
}

#[test]
fn serve_answers_and_audit_verify_catches_tampering() {
    let dir = DataDir::new();
    setup(&dir);
    {
        let (_server, address) = serve(&dir);
        let health = http(&address, &format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"));
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        let login = post_json(
            &address,
            "/api/v1/auth/login",
            None,
            r#"{"username":"koordinator","password":"et-godt-langt-kodeord"}"#,
        );
        assert!(login.starts_with("HTTP/1.1 200"), "{login}");
        let token = json_field(&login, "token");
        for cpr in ["0101051234", "0202051234"] {
            let body = format!(
                r#"{{"channel":"hotline","subject":{{"name":"Navn Navnesen","cpr":"{cpr}"}},"concern_category":"other","description":"Observation"}}"#
            );
            let created = post_json(&address, "/api/v1/referrals", Some(&token), &body);
            assert!(created.starts_with("HTTP/1.1 201"), "{created}");
        }
    }

    let verify = run(&["audit", "verify", "--data-dir", dir.path()], None);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    assert!(text(&verify).contains("4 entries checked"), "{}", text(&verify));

    // Someone edits an entry directly in the SQLite file.
    tamper(&dir.0.join("infohus.sqlite"));
    let verify = run(&["audit", "verify", "--data-dir", dir.path()], None);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(text(&verify).contains("#2"), "{}", text(&verify));

    let missing = DataDir::new();
    let verify = run(&["audit", "verify", "--data-dir", &format!("{}/none", missing.path())], None);
    assert_eq!(verify.status.code(), Some(2), "{}", text(&verify));
}

fn tamper(db: &Path) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query("UPDATE access_log SET purpose = 'something else' WHERE seq = 2").execute(&pool).await.unwrap();
        pool.close().await;
    });
}

fn login_token(address: &str) -> String {
    let login = post_json(
        address,
        "/api/v1/auth/login",
        None,
        r#"{"username":"koordinator","password":"et-godt-langt-kodeord"}"#,
    );
    json_field(&login, "token")
}

#[test]
fn a_killed_server_loses_no_acknowledged_write_and_its_log_verifies() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let dir = DataDir::new();
    setup(&dir);
    let (server, address) = serve(&dir);
    let token = login_token(&address);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..6 {
        let (address, token, acknowledged, stop) = (address.clone(), token.clone(), acknowledged.clone(), stop.clone());
        workers.push(std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) && i < 2000 {
                i += 1;
                let body = format!(
                    r#"{{"channel":"hotline","subject":{{"name":"Person {worker}-{i}","cpr":"{:02}0{}05{:04}"}},"concern_category":"other","description":"Observation"}}"#,
                    i % 28 + 1,
                    worker % 9 + 1,
                    i
                );
                let Ok(mut stream) = TcpStream::connect(&address) else { break };
                let request = format!(
                    "POST /api/v1/referrals HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                if stream.write_all(request.as_bytes()).is_err() {
                    break;
                }
                let mut response = String::new();
                if stream.read_to_string(&mut response).is_err() {
                    break;
                }
                if response.starts_with("HTTP/1.1 201") {
                    acknowledged.lock().unwrap().push(json_field(&response, "id"));
                }
            }
        }));
    }
    for _ in 0..2 {
        let (address, token, stop) = (address.clone(), token.clone(), stop.clone());
        workers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = TcpStream::connect(&address) else { break };
                let request = format!(
                    "GET /api/v1/referrals?limit=20 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
                );
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                if stream.write_all(request.as_bytes()).is_err() {
                    break;
                }
                let mut response = String::new();
                let _ = stream.read_to_string(&mut response);
            }
        }));
    }
    // Let the load run, then kill the server without warning (SIGKILL).
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 150 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(server);
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 50, "only {} writes acknowledged", acknowledged.len());

    let verify = run(&["audit", "verify", "--data-dir", dir.path()], None);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));

    let stored = stored_referral_ids(&dir.0.join("infohus.sqlite"));
    let lost: Vec<_> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} acknowledged referrals lost", lost.len());
}

fn stored_referral_ids(db: &Path) -> std::collections::HashSet<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM referrals").fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.into_iter().map(|(id,)| id).collect()
    })
}

#[test]
fn a_checkpoint_kept_outside_catches_a_truncated_tail() {
    let dir = DataDir::new();
    setup(&dir);
    {
        let (_server, address) = serve(&dir);
        let token = login_token(&address);
        for cpr in ["0101051234", "0202051234", "0303051234"] {
            let body = format!(
                r#"{{"channel":"hotline","subject":{{"name":"Navn","cpr":"{cpr}"}},"concern_category":"other","description":"Observation"}}"#
            );
            assert!(post_json(&address, "/api/v1/referrals", Some(&token), &body).starts_with("HTTP/1.1 201"));
        }
    }
    let checkpoint = run(&["audit", "checkpoint", "--data-dir", dir.path()], None);
    assert!(checkpoint.status.success(), "{}", text(&checkpoint));
    let line = String::from_utf8_lossy(&checkpoint.stdout).into_owned();
    assert!(line.starts_with("infohus-access-log-checkpoint v1 seq=6 hash="), "{line}");
    let file = dir.0.join("checkpoint.txt");
    std::fs::write(&file, &line).unwrap();
    let file = file.to_str().unwrap();

    // Drop the last two entries and rewind the head row to match: invisible from inside.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool =
            sqlx::AnyPool::connect(&format!("sqlite://{}", dir.0.join("infohus.sqlite").display())).await.unwrap();
        sqlx::query("DELETE FROM access_log WHERE seq > 4").execute(&pool).await.unwrap();
        sqlx::query("UPDATE access_log_head SET seq = 4, hash = (SELECT hash FROM access_log WHERE seq = 4)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    assert_eq!(run(&["audit", "verify", "--data-dir", dir.path()], None).status.code(), Some(0));
    let verify = run(&["audit", "verify", "--data-dir", dir.path(), "--checkpoint", file], None);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(text(&verify).contains("truncated"), "{}", text(&verify));
    let bad = run(&["audit", "verify", "--data-dir", dir.path(), "--checkpoint", "/nonexistent"], None);
    assert_eq!(bad.status.code(), Some(2));
}

/// A fresh PostgreSQL database on the server `INFOHUS_TEST_POSTGRES` names, if it names one.
fn fresh_postgres() -> Option<String> {
    let base = std::env::var("INFOHUS_TEST_POSTGRES").ok().filter(|v| !v.is_empty())?;
    let name = format!(
        "infohus_cli_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
        admin.close().await;
    });
    let server = base.rsplit_once('/').map_or(base.as_str(), |(server, _)| server).to_owned();
    Some(format!("{server}/{name}"))
}

#[test]
fn two_servers_on_one_postgres_lose_nothing_and_keep_one_chain() {
    let Some(url) = fresh_postgres() else {
        eprintln!("INFOHUS_TEST_POSTGRES not set: this test runs in the PostgreSQL pass of scripts/test.sh");
        return;
    };
    let keys = DataDir::new();
    let location = ["--database-url", url.as_str(), "--keys-dir", keys.path()];
    let out = run(
        &[&["agency", "add", "--code", "KK", "--name", "Kommunen", "--kind", "municipality"][..], &location].concat(),
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(
        &[
            &[
                "user",
                "add",
                "--username",
                "koordinator",
                "--agency",
                "KK",
                "--role",
                "coordinator",
                "--password-stdin",
            ][..],
            &location,
        ]
        .concat(),
        Some("et-godt-langt-kodeord\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let (first, first_address) = serve_with(&location);
    let (second, second_address) = serve_with(&location);
    let mut workers = Vec::new();
    for (worker, address) in
        [first_address.clone(), second_address.clone(), first_address, second_address].into_iter().enumerate()
    {
        workers.push(std::thread::spawn(move || {
            let token = login_token(&address);
            let mut acknowledged = Vec::new();
            for i in 0..40 {
                let body = format!(
                    r#"{{"channel":"hotline","subject":{{"name":"Person {worker}-{i}","cpr":"{:02}0{}05{:04}"}},"concern_category":"other","description":"Observation"}}"#,
                    i % 28 + 1,
                    worker + 1,
                    i
                );
                let created = post_json(&address, "/api/v1/referrals", Some(&token), &body);
                assert!(created.starts_with("HTTP/1.1 201"), "{created}");
                acknowledged.push(json_field(&created, "id"));
                let read = http(&address, &format!(
                    "GET /api/v1/referrals?limit=5 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
                ));
                assert!(read.starts_with("HTTP/1.1 200"), "{read}");
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for worker in workers {
        acknowledged.extend(worker.join().unwrap());
    }
    drop((first, second));
    assert_eq!(acknowledged.len(), 160);
    let verify = run(&[&["audit", "verify"][..], &location].concat(), None);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (stored, seqs) = runtime.block_on(async {
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let stored: Vec<(String,)> = sqlx::query_as("SELECT id FROM referrals").fetch_all(&pool).await.unwrap();
        let seqs: Vec<(i64,)> =
            sqlx::query_as("SELECT seq FROM access_log ORDER BY seq").fetch_all(&pool).await.unwrap();
        pool.close().await;
        (stored, seqs)
    });
    let stored: std::collections::HashSet<String> = stored.into_iter().map(|(id,)| id).collect();
    assert!(acknowledged.iter().all(|id| stored.contains(id)), "an acknowledged referral is missing");
    let seqs: Vec<i64> = seqs.into_iter().map(|(s,)| s).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "sequence numbers are gap-free and unique");
    assert!(seqs.len() >= 160 * 3, "every intake and listing was logged");
}

fn write_file(dir: &DataDir, name: &str, content: &str) -> String {
    let path = dir.0.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_owned()
}

const SMALL_INSTRUMENT: &str = r#"
format = "infohus-instrument/1"
key = "lille-test"
version = 1
name = "Lille testinstrument"

[[scale]]
key = "lav"
label = "Lav"

[[scale]]
key = "hoej"
label = "Høj"

[[recommendations]]
key = "fortsaet"
label = "Fortsæt forløbet"

[[dimensions]]
key = "netvaerk"
name = "Netværk"

[[dimensions.items]]
key = "isolation"
text = "Social isolation"
side = "risk"

[[dimensions.items]]
key = "familie"
text = "Støttende familie"
side = "resource"
"#;

#[test]
fn instrument_import_validates_precisely_and_loads_nothing_from_a_bad_file() {
    let dir = DataDir::new();
    let list = |dir: &DataDir| text(&run(&["instrument", "list", "--data-dir", dir.path()], None));
    let shipped = list(&dir);
    assert!(shipped.contains("ni-dimensioner\t1") && shipped.contains("indikatorliste\t1"), "{shipped}");

    // Several problems in one file: each named with its place; nothing loaded.
    let bad = SMALL_INSTRUMENT
        .replace("side = \"risk\"", "side = \"farlig\"")
        .replace("key = \"hoej\"", "key = \"lav\"")
        .replace("version = 1", "version = 0");
    let file = write_file(&dir, "bad.toml", &bad);
    let out = run(&["instrument", "import", "--data-dir", dir.path(), &file], None);
    assert!(!out.status.success());
    let report = text(&out);
    for expected in ["dimensions[0].items[0].side", "scale[1].key", "version"] {
        assert!(report.contains(expected), "{expected} not named in: {report}");
    }
    assert_eq!(list(&dir), shipped);

    // A syntax error says where; a JSON file with an unknown field is refused too.
    let file = write_file(&dir, "broken.toml", "format = \"infohus-instrument/1\"\nkey = [unclosed\n");
    let report = text(&run(&["instrument", "import", "--data-dir", dir.path(), &file], None));
    assert!(report.contains("line 2"), "{report}");
    let file = write_file(
        &dir,
        "extra.json",
        r#"{"format": "infohus-instrument/1", "key": "x-y", "version": 1, "name": "X", "colour": "red"}"#,
    );
    let report = text(&run(&["instrument", "import", "--data-dir", dir.path(), &file], None));
    assert!(report.contains("colour"), "{report}");
    let file = write_file(&dir, "instrument.txt", SMALL_INSTRUMENT);
    let report = text(&run(&["instrument", "import", "--data-dir", dir.path(), &file], None));
    assert!(report.contains(".toml or .json"), "{report}");
    assert_eq!(list(&dir), shipped);

    // A valid file loads; again it is unchanged; changed content under the same version is refused.
    let file = write_file(&dir, "good.toml", SMALL_INSTRUMENT);
    let out = run(&["instrument", "import", "--data-dir", dir.path(), &file], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("loaded lille-test version 1"));
    let out = run(&["instrument", "import", "--data-dir", dir.path(), &file], None);
    assert!(out.status.success() && text(&out).contains("unchanged"), "{}", text(&out));
    let file = write_file(&dir, "changed.toml", &SMALL_INSTRUMENT.replace("Social isolation", "Isolation"));
    let out = run(&["instrument", "import", "--data-dir", dir.path(), &file], None);
    assert!(!out.status.success() && text(&out).contains("new version number"), "{}", text(&out));
    let file = write_file(
        &dir,
        "v2.toml",
        &SMALL_INSTRUMENT.replace("Social isolation", "Isolation").replace("version = 1", "version = 2"),
    );
    assert!(run(&["instrument", "import", "--data-dir", dir.path(), &file], None).status.success());
    let listed = list(&dir);
    assert!(listed.contains("lille-test\t2") && listed.contains("lille-test\t1"), "{listed}");
}
