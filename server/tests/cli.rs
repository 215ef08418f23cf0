//! The command line, run as the built binary: help and errors, imports (every kind of
//! bad record leaves the database unchanged), `demo`, and `serve` (first line, demo
//! credentials, logs, static files, changes made by another process, SIGTERM), and the
//! operator's side of `serve`: settings from the environment, JSON logs, metrics, a log
//! whose reader stalls, SIGTERM with a stalled connection.

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_campaign-analytics-server");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("a writable temp dir");
    path
}

#[test]
fn help_and_usage_errors() {
    let help = run(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for command in ["serve", "import", "demo", "generate"] {
        assert!(text.contains(command), "{text}");
    }
    let serve_help = String::from_utf8_lossy(&run(&["serve", "--help"]).stdout).into_owned();
    for flag in [
        "--addr",
        "--db",
        "--fixture",
        "--demo",
        "--now",
        "--rate-limit",
        "--custom-range-rate-limit",
        "--static-dir",
    ] {
        assert!(
            serve_help.contains(flag),
            "{flag} missing from serve --help"
        );
    }
    for args in [
        &["serve", "--bogus"][..],
        &["serve", "--now", "yesterday"],
        &["serve", "--rate-limit", "-3"],
        &["serve", "--addr", "nowhere"],
        &["import", "--db", "x.db"],
        &["frobnicate"],
    ] {
        let out = run(args);
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = run(&[
        "import",
        "--db",
        db.to_str().unwrap(),
        "/no/such/fixture.json",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).starts_with("error: cannot read /no/such/fixture.json"));
    assert_eq!(stderr(&out).lines().count(), 1);
    assert!(!db.exists(), "a failed import leaves no database behind");
    // A missing argument is named in the one line.
    let out = run(&["import", "--db", db.to_str().unwrap()]);
    assert!(stderr(&out).contains("<FIXTURE.json>"), "{}", stderr(&out));
    let out = run(&[
        "serve",
        "--db",
        ":memory:",
        "--static-dir",
        "/no/such/dir",
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

/// Everything the database holds, as text.
fn dump(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for sql in [
        "SELECT hex(uuid) || name FROM partners ORDER BY 1",
        "SELECT hex(digest) || partner FROM api_keys ORDER BY 1",
        "SELECT hex(uuid) || partner || name || status || revision FROM campaigns ORDER BY 1",
        "SELECT hex(uuid) || campaign || ts_us || hex(insider) || ifnull(hex(purchased_insider), '-') || revenue_cents FROM instances ORDER BY 1",
        "SELECT hex(uuid) || campaign || ts_us FROM instance_ids ORDER BY 1",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect();
        out.push_str(&rows.join("\n"));
        out.push_str("\n--\n");
    }
    out
}

fn good() -> Value {
    common::fixture(vec![
        common::instance(1, common::SPRING, "2024-02-29T10:00:00Z", 1999),
        common::instance(2, common::SPRING, "2024-02-29T11:00:00Z", 0),
    ])
}

#[test]
fn imports_are_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.db");
    let db_arg = db.to_str().unwrap();
    let out = run(&[
        "import",
        "--db",
        db_arg,
        write(dir.path(), "good.json", &good()).to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 instances"));
    let before = dump(&db);
    // Keys are stored hashed: no trace of one in the database files.
    for file in [db.clone(), dir.path().join("data.db-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let key = common::ACME_KEY.as_bytes();
        assert!(
            !bytes.windows(key.len()).any(|w| w == key),
            "{} holds a key",
            file.display()
        );
    }

    let ok = |n: u32| common::instance(n, common::SPRING, "2024-02-29T12:00:00Z", 500);
    let with = |n: u32, field: &str, value: Value| {
        let mut record = ok(n);
        if value.is_null() && field != "purchased_insider_id" {
            record.as_object_mut().unwrap().remove(field);
        } else {
            record[field] = value;
        }
        record
    };
    let bad_instances = |records: Vec<Value>| {
        let mut f = json!({"partners": [], "campaigns": [], "instances": [ok(100), ok(101)]});
        f["instances"].as_array_mut().unwrap().extend(records);
        f
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown campaign",
            bad_instances(vec![with(102, "campaign_id", json!(common::MISSING))]),
            "instances[2].campaign_id",
        ),
        (
            "duplicate id in the file",
            bad_instances(vec![ok(100)]),
            "instances[2].instance_id",
        ),
        (
            "duplicate id in the database",
            bad_instances(vec![with(1, "revenue", json!(5.0))]),
            "instances[2].instance_id",
        ),
        (
            "negative revenue",
            bad_instances(vec![with(102, "revenue", json!(-1.0))]),
            "instances[2].revenue",
        ),
        (
            "three decimals",
            bad_instances(vec![with(102, "revenue", json!(19.999))]),
            "instances[2].revenue",
        ),
        (
            "purchase without buyer",
            bad_instances(vec![with(102, "purchased_insider_id", Value::Null)]),
            "instances[2].purchased_insider_id",
        ),
        (
            "non-purchase with revenue",
            bad_instances(vec![{
                let mut r = with(102, "is_purchase", json!(false));
                r["purchased_insider_id"] = Value::Null;
                r
            }]),
            "instances[2].revenue",
        ),
        (
            "non-purchase with buyer",
            bad_instances(vec![{
                let mut r = with(102, "is_purchase", json!(false));
                r["revenue"] = json!(0);
                r
            }]),
            "instances[2].purchased_insider_id",
        ),
        (
            "unparsable timestamp",
            bad_instances(vec![with(102, "timestamp", json!("2024-02-30T00:00:00Z"))]),
            "instances[2].timestamp",
        ),
        (
            "missing timestamp",
            bad_instances(vec![with(102, "timestamp", Value::Null)]),
            "instances[2].timestamp",
        ),
        (
            "bad instance id",
            bad_instances(vec![with(102, "instance_id", json!("not-a-uuid"))]),
            "instances[2].instance_id",
        ),
        (
            "campaign of an unknown partner",
            json!({"campaigns": [{"id": "c0000000-0000-4000-8000-000000000009", "partner_id": "a0000000-0000-4000-8000-000000000009", "name": "X", "status": "active"}]}),
            "campaigns[0].partner_id",
        ),
        (
            "bad status",
            json!({"campaigns": [{"id": "c0000000-0000-4000-8000-000000000009", "partner_id": common::ACME, "name": "X", "status": "live"}]}),
            "campaigns[0].status",
        ),
        (
            "campaign id taken",
            json!({"campaigns": [{"id": common::SPRING, "partner_id": common::ACME, "name": "Renamed", "status": "active"}]}),
            "campaigns[0].id",
        ),
        (
            "bad key",
            json!({"partners": [{"id": "a0000000-0000-4000-8000-000000000009", "name": "X", "keys": ["sk_prod_0000"]}]}),
            "partners[0].keys[0]",
        ),
        (
            "key of another partner",
            json!({"partners": [{"id": "a0000000-0000-4000-8000-000000000009", "name": "X", "keys": [common::ACME_KEY]}]}),
            "partners[0].keys[0]",
        ),
        (
            "partner id taken",
            json!({"partners": [{"id": common::ACME, "name": "Not Acme", "keys": []}]}),
            "partners[0].id",
        ),
    ];
    for (name, fixture, location) in cases {
        let path = write(dir.path(), "bad.json", &fixture);
        let out = run(&["import", "--db", db_arg, path.to_str().unwrap()]);
        assert!(!out.status.success(), "{name}: accepted");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(&format!("{location}:")), "{name}: {err}");
        assert_eq!(dump(&db), before, "{name}: the database changed");
    }
    let out = run(&[
        "import",
        "--db",
        db_arg,
        write(dir.path(), "bad.json", &json!({"instances": 3}))
            .to_str()
            .unwrap(),
    ]);
    assert!(!out.status.success() && stderr(&out).lines().count() == 1);
    assert_eq!(dump(&db), before);

    // The same fixture again is fine (records already there are skipped), and a new
    // instance for a stored campaign is added.
    let out = run(&[
        "import",
        "--db",
        db_arg,
        write(dir.path(), "good.json", &good()).to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(dump(&db), before);
    let more = json!({"instances": [ok(200)]});
    let out = run(&[
        "import",
        "--db",
        db_arg,
        write(dir.path(), "more.json", &more).to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(dump(&db), before);
}

#[test]
fn demo_fills_an_empty_database_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db_arg = db.to_str().unwrap();
    let out = run(&[
        "demo",
        "--db",
        db_arg,
        "--instances",
        "3000",
        "--seed",
        "5",
        "--now",
        "2026-11-20T14:03:11Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(text.matches("key: sk_test_").count(), 3, "{text}");
    for status in ["active", "paused", "archived", "draft"] {
        assert!(text.contains(status), "{text}");
    }
    let again = run(&["demo", "--db", db_arg]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"));
}

/// A running `serve`: its stdout lines arrive on a channel.
struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
    base: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        Served::start_with_env(args, &[])
    }

    /// `serve` with `args` and these environment variables (and no other
    /// `CAMPAIGN_ANALYTICS_*` from the test's own environment).
    fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Served {
        let mut command = Command::new(BIN);
        for (name, _) in std::env::vars() {
            if name.starts_with("CAMPAIGN_ANALYTICS_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .envs(env.iter().copied())
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("a first line");
        let base = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .to_owned();
        Served { child, lines, base }
    }

    fn more_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(300)) {
            out.push(line);
        }
        out
    }

    /// SIGTERM, then the exit status and stderr.
    fn stop(self) -> (bool, String) {
        self.stop_within(Duration::from_secs(10))
    }

    /// SIGTERM; the process must have exited within `limit` (the contract's bound on
    /// a shutdown, whatever clients do).
    fn stop_within(mut self, limit: Duration) -> (bool, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < limit, "no shutdown within {limit:?}");
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            use std::io::Read;
            let _ = stderr.read_to_string(&mut err);
        }
        (status.success(), err)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(url: &str, key: Option<&str>) -> (u16, String, reqwest::header::HeaderMap) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut request = reqwest::Client::new().get(url);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, response.text().await.unwrap(), headers)
    })
}

#[test]
fn serve_demo_prints_credentials_logs_and_shuts_down() {
    let served = Served::start(&[
        "--db",
        ":memory:",
        "--demo",
        "--demo-instances",
        "4000",
        "--now",
        "2026-11-20T14:03:11Z",
    ]);
    let lines = served.more_lines();
    let key = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("key: "))
        .expect("a demo key")
        .to_owned();
    let campaign = lines
        .iter()
        .find(|l| l.contains(" active "))
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("an active campaign")
        .to_owned();
    let url = format!(
        "{}/api/partner/v1/campaigns/{campaign}/analytics?time_frame=per_hour",
        served.base
    );
    let (status, body, _) = http_get(&url, Some(&key));
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert!(
        body["data"]["summary"]["total_instances"].as_u64().unwrap() > 0,
        "the demo has data in the last 24 hours"
    );
    let (status, _, _) = http_get(
        &format!(
            "{}/api/partner/v1/campaigns/{campaign}/analytics?time_frame=per_day&{key}",
            served.base
        ),
        Some("sk_test_0000000000000000000000000000000x"),
    );
    assert_eq!(status, 401);

    let (clean, log) = served.stop();
    assert!(clean, "exit status after SIGTERM");
    assert!(
        log.contains(&format!(
            "/api/partner/v1/campaigns/{campaign}/analytics 200"
        )),
        "{log}"
    );
    assert!(log.contains(" 401 "), "{log}");
    assert!(!log.contains(&key), "a key in the log");
    assert!(!log.contains("sk_test_0000"), "a key in the log");
}

#[test]
fn serve_sees_imports_made_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let db_arg = db.to_str().unwrap().to_owned();
    let fixture = write(dir.path(), "good.json", &good());
    let served = Served::start(&[
        "--db",
        &db_arg,
        "--fixture",
        fixture.to_str().unwrap(),
        "--now",
        "2024-03-01T00:30:00Z",
    ]);
    let url = format!(
        "{}{}",
        served.base,
        common::analytics_path(common::SPRING, "time_frame=per_day")
    );
    let total = || {
        let (_, body, _) = http_get(&url, Some(common::ACME_KEY));
        serde_json::from_str::<Value>(&body).unwrap()["data"]["summary"]["total_instances"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(total(), 2);
    let more =
        json!({"instances": [common::instance(77, common::SPRING, "2024-02-29T20:00:00Z", 0)]});
    let out = run(&[
        "import",
        "--db",
        &db_arg,
        write(dir.path(), "more.json", &more).to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let started = Instant::now();
    while total() != 3 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the import was not picked up"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // A restart with the same --fixture is fine: identical records are skipped.
    drop(served);
    let served = Served::start(&["--db", &db_arg, "--fixture", fixture.to_str().unwrap()]);
    let (status, _, _) = http_get(&format!("{}/healthz", served.base), None);
    assert_eq!(status, 200);
}

#[test]
fn serve_hosts_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>Dashboard</title>",
    )
    .unwrap();
    std::fs::write(site.join("app-1234.js"), "console.log('x');\n".repeat(200)).unwrap();
    std::fs::write(
        site.join("app-1234_bg.wasm"),
        [0u8, 97, 115, 109, 1, 0, 0, 0],
    )
    .unwrap();
    std::fs::write(site.join("style.css"), "body { color: red }").unwrap();
    let served = Served::start(&["--db", ":memory:", "--static-dir", site.to_str().unwrap()]);
    let content_type = |path: &str| {
        let (status, body, headers) = http_get(&format!("{}{path}", served.base), None);
        let kind = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, kind, body)
    };
    let (status, kind, body) = content_type("/");
    assert_eq!(
        (status, kind.starts_with("text/html")),
        (200, true),
        "{kind}"
    );
    assert!(body.contains("Dashboard"));
    assert!(content_type("/app-1234.js").1.contains("javascript"));
    assert_eq!(content_type("/app-1234_bg.wasm").1, "application/wasm");
    assert!(content_type("/style.css").1.starts_with("text/css"));
    // The app's own routes load the app.
    let (status, kind, body) =
        content_type("/campaigns/c0000000-0000-4000-8000-000000000001?time_frame=per_day");
    assert_eq!(
        (
            status,
            kind.starts_with("text/html"),
            body.contains("Dashboard")
        ),
        (200, true, true)
    );
    // The API's unknown paths stay JSON errors.
    let (status, kind, _) = content_type("/api/partner/v2/nothing");
    assert_eq!((status, kind.as_str()), (404, "application/json"));
    // Compressed when the browser says it can take it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let encoding = runtime.block_on(async {
        let r = reqwest::Client::new()
            .get(format!("{}/app-1234.js", served.base))
            .header("Accept-Encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        r.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned())
    });
    assert!(
        matches!(encoding.as_deref(), Some("br") | Some("gzip")),
        "{encoding:?}"
    );
}

/// The demo key and an active campaign from `serve --demo`'s output.
fn demo_credentials(lines: &[String]) -> (String, String) {
    let key = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("key: "))
        .expect("a demo key")
        .to_owned();
    let campaign = lines
        .iter()
        .find(|l| l.contains(" active "))
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("an active campaign")
        .to_owned();
    (key, campaign)
}

#[test]
fn settings_come_from_the_environment_and_the_command_line_wins() {
    let served = Served::start_with_env(
        &["--custom-range-rate-limit", "2"],
        &[
            ("CAMPAIGN_ANALYTICS_DB", ":memory:"),
            ("CAMPAIGN_ANALYTICS_DEMO", "true"),
            ("CAMPAIGN_ANALYTICS_DEMO_INSTANCES", "500"),
            ("CAMPAIGN_ANALYTICS_NOW", "2026-11-20T14:03:11Z"),
            ("CAMPAIGN_ANALYTICS_RATE_LIMIT", "1"),
            ("CAMPAIGN_ANALYTICS_CUSTOM_RANGE_RATE_LIMIT", "1"),
            ("CAMPAIGN_ANALYTICS_LOG_FORMAT", "json"),
            ("CAMPAIGN_ANALYTICS_METRICS_ADDR", "127.0.0.1:0"),
        ],
    );
    let lines = served.more_lines();
    let metrics_url = lines[0]
        .strip_prefix("metrics on ")
        .unwrap_or_else(|| panic!("second line: {}", lines[0]))
        .to_owned();
    let (key, campaign) = demo_credentials(&lines);
    let analytics = |query: &str| {
        format!(
            "{}/api/partner/v1/campaigns/{campaign}/analytics?{query}",
            served.base
        )
    };
    // The environment's budget of 1…
    assert_eq!(
        http_get(&analytics("time_frame=per_month"), Some(&key)).0,
        200
    );
    assert_eq!(
        http_get(&analytics("time_frame=per_month"), Some(&key)).0,
        429
    );
    // …and the command line's 2 over the environment's 1.
    let range = "time_frame=custom_range&start_date=2026-10-01&end_date=2026-11-20";
    assert_eq!(http_get(&analytics(range), Some(&key)).0, 200);
    let (status, _, headers) = http_get(&analytics(range), Some(&key));
    assert_eq!(status, 200);
    assert_eq!(headers["x-ratelimit-limit"], "2");
    assert_eq!(http_get(&analytics(range), Some(&key)).0, 429);
    // Demo mode from the environment: /api/demo lists the printed key.
    let (status, body, _) = http_get(&format!("{}/api/demo", served.base), None);
    assert_eq!(status, 200);
    let demo: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(demo["data"]["partners"][0]["key"], key.as_str());
    // Metrics on their own address only.
    let (status, text, _) = http_get(&metrics_url, None);
    assert_eq!(status, 200);
    assert!(
        text.contains("campaign_analytics_rate_limit_rejections_total{budget=\"requests\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("campaign_analytics_rate_limit_rejections_total{budget=\"custom_range\"} 1"),
        "{text}"
    );
    assert_eq!(http_get(&format!("{}/metrics", served.base), None).0, 404);
    // An encoded key and a line break in a path, for the log.
    let forged = format!(
        "{}/x%0A{{\"level\":\"ERROR\"}}/%2573k_test_{}",
        served.base,
        &key[8..]
    );
    assert_eq!(http_get(&forged, None).0, 404);

    let (clean, log) = served.stop();
    assert!(clean);
    // JSON logs: every line one object, a key nowhere.
    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(entries
        .iter()
        .all(|e| e["timestamp"].is_string() && e["level"].is_string()));
    let requests: Vec<&str> = entries
        .iter()
        .filter(|e| e["target"] == "http")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(requests.iter().any(|m| m.contains(" 429 ")), "{log}");
    assert!(
        requests
            .iter()
            .any(|m| m.contains("/x\\n{\"level\":\"ERROR\"}/sk_test_[redacted] 404")),
        "{log}"
    );
    assert!(!log.contains(&key[8..]), "a key in the log");
}

#[test]
fn a_stalled_log_reader_loses_lines_not_requests() {
    // stderr is piped and never read until the end: once the pipe is full, the log
    // writer is stuck, and lines past its one-line queue are dropped and counted.
    let served = Served::start(&[
        "--db",
        ":memory:",
        "--log-queue-lines",
        "1",
        "--metrics-addr",
        "127.0.0.1:0",
    ]);
    let metrics_url = served.more_lines()[0]
        .strip_prefix("metrics on ")
        .expect("the metrics address")
        .to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dropped = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let count = |text: &str| -> u64 {
            text.lines()
                .find_map(|l| l.strip_prefix("campaign_analytics_log_lines_dropped_total "))
                .and_then(|n| n.parse().ok())
                .expect("the dropped-lines counter")
        };
        // Requests go on being answered until lines are being dropped (each one is
        // answered: a request waiting on the log would time out here).
        for _ in 0..20 {
            for _ in 0..500 {
                let path = format!("{}/healthz?{}", served.base, "x".repeat(200));
                let response = client.get(path).send().await.expect("an answer");
                assert_eq!(response.status(), 200);
            }
            let text = client
                .get(&metrics_url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if count(&text) > 0 {
                return count(&text);
            }
        }
        panic!("no line was dropped");
    });
    assert!(dropped > 0);
    let (clean, _) = served.stop();
    assert!(clean);
}

#[test]
fn sigterm_with_a_stalled_half_request_open_finishes_within_the_limit() {
    // Timeouts longer than the test: only the shutdown itself may close the connections.
    let served = Served::start(&["--db", ":memory:", "--header-timeout-ms", "60000"]);
    let address = served.base.trim_start_matches("http://").to_owned();
    let mut stalled = std::net::TcpStream::connect(&address).unwrap();
    use std::io::Write;
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut idle = std::net::TcpStream::connect(&address).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = [0u8; 512];
    use std::io::Read;
    assert!(idle.read(&mut answer).unwrap() > 0);
    // The contract's 10 s, with a little room for the process to exit.
    let (clean, log) = served.stop_within(Duration::from_secs(12));
    assert!(clean, "{log}");
    assert!(log.contains("shutting down"), "{log}");
}

#[test]
fn help_never_shows_a_database_url_from_the_environment() {
    for command in ["serve", "import", "demo"] {
        let out = Command::new(BIN)
            .env(
                "CAMPAIGN_ANALYTICS_DB",
                "postgres://app:hunter2@db.internal/analytics",
            )
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("CAMPAIGN_ANALYTICS_DB"), "{help}");
        assert!(!help.contains("hunter2"), "{command}: {help}");
    }
}
