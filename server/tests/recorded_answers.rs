//! The dashboard's component tests (`tests/ui_*.rs`) answer with bodies recorded from this
//! server (`tests/ui_support/*.json`). Recorded once, they could go stale while the server
//! moves on and the component tests stay green on answers it no longer gives. Here the
//! server answers the same queries, over the same fixture and the same pinned clock, and
//! each body must equal its recording, everything but the request id.

mod common;

use common::{analytics_path, config, get, start};
use serde_json::Value;
use std::path::PathBuf;

/// The instant the recordings were made at (the e2e harness pins the same one).
const NOW: &str = "2026-11-20T12:00:00Z";
/// The fixture's test key and campaign, as `tests/ui_support/mod.rs` names them.
const KEY: &str = "sk_test_AcmeE2eKey0000000000000000000000";
const CAMPAIGN: &str = "c0000000-0000-4000-8000-000000000001";

fn repo_file(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON: {e}"))
}

/// The body without `meta.requestId`, the one field that differs on every answer (its
/// shape is still checked: a UUID).
fn comparable(mut body: Value, what: &str) -> Value {
    let id = body["meta"]
        .as_object_mut()
        .and_then(|meta| meta.remove("requestId"))
        .unwrap_or_else(|| panic!("{what} has no meta.requestId"));
    let id = id.as_str().unwrap_or_default();
    assert!(
        uuid::Uuid::parse_str(id).is_ok(),
        "{what}: request id {id:?}"
    );
    body
}

#[tokio::test]
async fn the_recorded_answers_are_what_the_server_answers_today() {
    let fixture = json(&repo_file("tests/e2e/fixture.json"), "the e2e fixture");
    let server = start(&fixture, config(NOW)).await;
    let cases = [
        (
            "tests/ui_support/per_day_page2.json",
            "time_frame=per_day&page=2&limit=10",
        ),
        (
            "tests/ui_support/per_day_100.json",
            "time_frame=per_day&limit=100",
        ),
        (
            "tests/ui_support/past_the_end.json",
            "time_frame=per_day&page=99&limit=10",
        ),
    ];
    for (file, query) in cases {
        let reply = get(&server, &analytics_path(CAMPAIGN, query), Some(KEY)).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        let recorded = comparable(json(&repo_file(file), file), file);
        let live = comparable(reply.body, query);
        assert!(
            recorded == live,
            "{file} is stale: re-record it from `?{query}`.\nrecorded: {recorded}\nserver:   {live}"
        );
    }
}

#[tokio::test]
async fn the_recorded_not_found_envelope_is_the_servers() {
    // tests/ui_support/mod.rs answers the dashboard's demo probe with this envelope, as a
    // server without --demo does.
    let source = repo_file("tests/ui_support/mod.rs");
    let recorded = source
        .lines()
        .find_map(|line| line.trim().strip_prefix("pub const NOT_FOUND: &str = r#\""))
        .and_then(|rest| rest.strip_suffix("\"#;"))
        .expect("NOT_FOUND in tests/ui_support/mod.rs");
    let fixture = json(&repo_file("tests/e2e/fixture.json"), "the e2e fixture");
    let server = start(&fixture, config(NOW)).await;
    let reply = get(&server, "/api/demo", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        comparable(json(recorded, "NOT_FOUND"), "NOT_FOUND"),
        comparable(reply.body, "/api/demo")
    );
}
