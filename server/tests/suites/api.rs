// The body of the analytics suite, included by `api.rs` (SQLite) and
// `api_postgres.rs` (PostgreSQL): the same assertions for both stores.
use serde_json::{json, Value};

const NOW: &str = "2024-03-01T00:30:00Z";

fn spring_instances() -> Vec<Value> {
    vec![
        instance(1, SPRING, "2024-02-29T23:59:00Z", 1999),
        instance(2, SPRING, "2024-02-29T23:59:00Z", 0),
        instance(3, SPRING, "2024-02-29T12:00:00Z", 10),
        instance(4, SPRING, "2024-02-29T01:00:00Z", 20),
        instance(5, SPRING, "2024-02-10T00:00:00Z", 0),
    ]
}

#[tokio::test]
async fn every_status_has_its_envelope_and_is_documented() {
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    let doc = openapi();
    let cases: Vec<(u16, &str, String, Option<&str>)> = vec![
        (
            200,
            "",
            analytics_path(SPRING, "time_frame=per_day"),
            Some(ACME_KEY),
        ),
        (
            200,
            "",
            analytics_path(SPRING, "time_frame=per_day"),
            Some(ACME_LIVE_KEY),
        ),
        (
            400,
            "Bad Request",
            analytics_path("nope", "time_frame=weekly&limit=0"),
            Some(ACME_KEY),
        ),
        (
            401,
            "Unauthorized",
            analytics_path(SPRING, "time_frame=per_day"),
            None,
        ),
        (
            401,
            "Unauthorized",
            analytics_path(SPRING, "time_frame=per_day"),
            Some("sk_test_short"),
        ),
        (
            401,
            "Unauthorized",
            analytics_path(SPRING, "time_frame=per_day"),
            Some(UNKNOWN_KEY),
        ),
        (
            403,
            "Forbidden",
            analytics_path(THEIRS, "time_frame=per_day"),
            Some(ACME_KEY),
        ),
        (
            404,
            "Not Found",
            analytics_path(MISSING, "time_frame=per_day"),
            Some(ACME_KEY),
        ),
        (
            409,
            "Conflict",
            analytics_path(DRAFT, "time_frame=per_day"),
            Some(ACME_KEY),
        ),
        (
            422,
            "Validation Error",
            analytics_path(
                SPRING,
                "time_frame=custom_range&start_date=2020-01-01&end_date=2020-02-01",
            ),
            Some(ACME_KEY),
        ),
    ];
    for (status, error, path, key) in cases {
        let reply = get(&server, &path, key).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        assert_documented(&doc, ANALYTICS_OPENAPI_PATH, &reply);
        let request_id = reply.header("x-request-id").expect("a request id");
        assert_eq!(reply.body["meta"]["requestId"], request_id);
        if status == 200 {
            assert_eq!(reply.body["success"], true);
        } else {
            assert_eq!(reply.body["success"], false);
            assert_eq!(reply.body["error"], error, "{}", reply.body);
        }
    }
}

#[tokio::test]
async fn published_messages() {
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    let message = |reply: &Reply| {
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let r = get(&server, &analytics_path(SPRING, "time_frame=per_day"), None).await;
    assert_eq!(message(&r), "Invalid or missing secret key");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert!(
        r.header("x-ratelimit-limit").is_none(),
        "not authenticated: no budget headers"
    );
    let r = get(
        &server,
        &analytics_path(THEIRS, "time_frame=per_day"),
        Some(ACME_KEY),
    )
    .await;
    assert_eq!(
        message(&r),
        "Insufficient permissions to access this campaign."
    );
    assert!(r.body.get("data").is_none() && r.body["details"].is_string());
    let r = get(
        &server,
        &analytics_path(MISSING, "time_frame=per_day"),
        Some(ACME_KEY),
    )
    .await;
    assert_eq!(
        message(&r),
        "Campaign not found with the specified campaign_id"
    );
    let r = get(
        &server,
        &analytics_path(DRAFT, "time_frame=per_day"),
        Some(ACME_KEY),
    )
    .await;
    assert_eq!(
        message(&r),
        "Request conflicts with current campaign state."
    );
    let r = get(
        &server,
        &analytics_path(SPRING, "time_frame=per_day&limit=0&page=x"),
        Some(ACME_KEY),
    )
    .await;
    assert_eq!(message(&r), "Validation failed for 2 fields");
    let r = get(
        &server,
        &analytics_path(
            SPRING,
            "time_frame=custom_range&start_date=2020-01-01&end_date=2020-01-02",
        ),
        Some(ACME_KEY),
    )
    .await;
    assert_eq!(message(&r), "Request validation failed.");
    assert_eq!(r.body["validation_errors"], json!([]));
    assert!(r.body["details"]
        .as_str()
        .unwrap()
        .contains("2020-01-01T00:00:00Z"));
}

#[tokio::test]
async fn check_order_is_401_429_400_404_403_409_422() {
    let mut settings = config(NOW);
    settings.rate_limit = 1;
    let server = start(&fixture(spring_instances()), settings).await;
    // An invalid query to another partner's... unknown campaign: 401 first without a key.
    let bad = analytics_path("nope", "time_frame=x");
    assert_eq!(get(&server, &bad, None).await.status, 401);
    // With a key: the budget is drawn (400), then spent (429 before validation).
    assert_eq!(get(&server, &bad, Some(ACME_KEY)).await.status, 400);
    assert_eq!(get(&server, &bad, Some(ACME_KEY)).await.status, 429);
    // Another partner has its own budget: validation before the campaign lookups.
    assert_eq!(
        get(
            &server,
            &analytics_path(MISSING, "time_frame=x"),
            Some(OTHER_KEY)
        )
        .await
        .status,
        400
    );
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    // 404 before 403 before 409 before 422: each is the first that applies.
    assert_eq!(
        get(
            &server,
            &analytics_path(MISSING, "time_frame=per_hour"),
            Some(OTHER_KEY)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            &server,
            &analytics_path(DRAFT, "time_frame=per_hour"),
            Some(OTHER_KEY)
        )
        .await
        .status,
        403
    );
    let empty_window = "time_frame=custom_range&start_date=2001-01-01&end_date=2001-01-02";
    assert_eq!(
        get(
            &server,
            &analytics_path(DRAFT, empty_window),
            Some(ACME_KEY)
        )
        .await
        .status,
        409
    );
    assert_eq!(
        get(
            &server,
            &analytics_path(SPRING, empty_window),
            Some(ACME_KEY)
        )
        .await
        .status,
        422
    );
}

#[tokio::test]
async fn headers_request_ids_and_cors() {
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    let client = reqwest::Client::new();
    let url = format!(
        "{}{}",
        server.base,
        analytics_path(SPRING, "time_frame=per_day")
    );

    // A client's UUID is echoed (header and meta); anything else is replaced by a v4.
    let sent = "550E8400-E29B-41D4-A716-446655440000";
    let r = send(
        client
            .get(&url)
            .bearer_auth(ACME_KEY)
            .header("X-Request-ID", sent),
    )
    .await;
    assert_eq!(r.header("x-request-id"), Some(sent));
    assert_eq!(r.body["meta"]["requestId"], sent);
    for junk in [
        "hello",
        "550e8400e29b41d4a716446655440000",
        "{550e8400-e29b-41d4-a716-446655440000}",
    ] {
        let r = send(
            client
                .get(&url)
                .bearer_auth(ACME_KEY)
                .header("X-Request-ID", junk),
        )
        .await;
        let id = r.header("x-request-id").unwrap();
        assert_ne!(id, junk);
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);
        assert_eq!(r.body["meta"]["requestId"], id);
    }
    // Every response has one, errors of unknown paths included.
    let r = get(&server, "/nowhere", None).await;
    assert!(r.header("x-request-id").is_some());

    // The budget headers on authenticated responses.
    let r = send(client.get(&url).bearer_auth(ACME_KEY)).await;
    assert_eq!(r.header("x-ratelimit-limit"), Some("100000"));
    let remaining: u64 = r.header("x-ratelimit-remaining").unwrap().parse().unwrap();
    assert!(remaining < 100_000);
    let reset: u64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(reset > unix && reset <= unix + 3600, "{reset} vs {unix}");
    assert_eq!(r.header("content-type"), Some("application/json"));

    // CORS: a preflight for the two request headers, from any origin.
    let r = send(
        client
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", "https://dashboard.example")
            .header("Access-Control-Request-Method", "GET")
            .header(
                "Access-Control-Request-Headers",
                "authorization, x-request-id",
            ),
    )
    .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let allowed = r
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-request-id"),
        "{allowed}"
    );
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    // The actual request: the scripts may read the budget, Retry-After and request id.
    let r = send(
        client
            .get(&url)
            .bearer_auth(ACME_KEY)
            .header("Origin", "https://dashboard.example"),
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let exposed = r
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "x-request-id",
    ] {
        assert!(exposed.contains(name), "{name} not exposed: {exposed}");
    }
    // Errors carry CORS too, or a browser could not read them.
    let r = send(
        client
            .get(&url)
            .header("Origin", "https://dashboard.example"),
    )
    .await;
    assert_eq!(
        (r.status, r.header("access-control-allow-origin")),
        (401, Some("*"))
    );
}

#[tokio::test]
async fn other_paths_and_methods_get_the_envelope() {
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    let client = reqwest::Client::new();
    for path in [
        "/",
        "/nowhere",
        "/api",
        "/api/partner/v1/campaigns",
        &format!("/api/partner/v1/campaigns/{SPRING}/analytics/extra"),
    ] {
        let r = get(&server, path, Some(ACME_KEY)).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(
            (r.body["success"].clone(), r.body["error"].clone()),
            (json!(false), json!("Not Found"))
        );
        assert!(r.body["meta"]["requestId"].is_string());
    }
    let url = format!(
        "{}{}",
        server.base,
        analytics_path(SPRING, "time_frame=per_day")
    );
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let r = send(client.request(method.clone(), &url).bearer_auth(ACME_KEY)).await;
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.body["error"], "Method Not Allowed");
        assert!(r.header("allow").unwrap().contains("GET"));
    }
    let r = send(client.post(format!("{}/healthz", server.base))).await;
    assert_eq!(r.status, 405);
    // A path that exists for no method is a 404 whatever the method (no dashboard here).
    for path in ["/foo", "/api/partner/v1/nothing"] {
        let r = send(client.delete(format!("{}{path}", server.base))).await;
        assert_eq!(
            (r.status, r.body["error"].clone()),
            (404, json!("Not Found")),
            "{path}"
        );
    }
    let r = send(client.head(&url).bearer_auth(ACME_KEY)).await;
    assert_eq!(r.status, 200);
    let r = get(&server, "/healthz", None).await;
    assert_eq!((r.status, r.body.clone()), (200, json!({"status": "ok"})));
    assert_documented(&openapi(), "/healthz", &r);
    let r = get(&server, "/api/partner/v1/openapi.json", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, openapi());
}

/// The summary and listing of a window, computed the obvious way from the fixture.
struct Naive {
    total: u64,
    purchases: u64,
    revenue_cents: i64,
    /// Instance ids matching the filter, newest first (ties: id ascending).
    listed: Vec<String>,
}

impl Naive {
    /// Checks a 200 body's summary and `pagination.total` against this.
    fn assert_summary_of(&self, body: &Value, context: &str) {
        let s = &body["data"]["summary"];
        assert_eq!(s["total_instances"], self.total, "{context}");
        assert_eq!(s["purchase_instances"], self.purchases, "{context}");
        assert_eq!(
            s["non_purchase_instances"],
            self.total - self.purchases,
            "{context}"
        );
        assert_eq!(
            s["total_revenue"].as_f64().unwrap(),
            self.revenue_cents as f64 / 100.0,
            "{context}"
        );
        let rate = if self.total == 0 {
            0.0
        } else {
            self.purchases as f64 / self.total as f64
        };
        assert_eq!(s["conversion_rate"].as_f64().unwrap(), rate, "{context}");
        assert_eq!(body["pagination"]["total"], self.listed.len(), "{context}");
    }
}

/// The window `from..=to` of `instances`, the listing filtered by `filter`.
fn naive(instances: &[Value], from: &str, to: &str, filter: Option<bool>) -> Naive {
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    let inside: Vec<&Value> = instances
        .iter()
        .filter(|i| {
            let at = t(i["timestamp"].as_str().unwrap());
            at >= t(from) && at <= t(to)
        })
        .collect();
    let purchases = inside.iter().filter(|i| i["is_purchase"] == true).count() as u64;
    let revenue_cents: i64 = inside
        .iter()
        .map(|i| (i["revenue"].as_f64().unwrap() * 100.0).round() as i64)
        .sum();
    let mut listed: Vec<&Value> = inside
        .iter()
        .copied()
        .filter(|i| filter.is_none_or(|f| i["is_purchase"] == f))
        .collect();
    listed.sort_by(|a, b| {
        t(b["timestamp"].as_str().unwrap())
            .cmp(&t(a["timestamp"].as_str().unwrap()))
            .then(a["instance_id"].as_str().cmp(&b["instance_id"].as_str()))
    });
    Naive {
        total: inside.len() as u64,
        purchases,
        revenue_cents,
        listed: listed
            .iter()
            .map(|i| i["instance_id"].as_str().unwrap().to_owned())
            .collect(),
    }
}

fn window_total(reply: &Reply) -> u64 {
    reply.body["data"]["summary"]["total_instances"]
        .as_u64()
        .unwrap()
}

fn series_counts(reply: &Reply) -> Vec<u64> {
    reply.body["data"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total_instances"].as_u64().unwrap())
        .collect()
}

fn series_starts(reply: &Reply) -> Vec<String> {
    reply.body["data"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period_start"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn per_hour_window_edges() {
    // now 2024-03-01T00:30:00Z: from 2024-02-29T01:00:00Z (leap day) to now.
    let instances = vec![
        instance(1, SPRING, "2024-02-29T00:59:59.999999Z", 100),
        instance(2, SPRING, "2024-02-29T01:00:00Z", 0),
        instance(3, SPRING, "2024-02-29T01:59:59Z", 0),
        instance(4, SPRING, "2024-02-29T23:00:00Z", 0),
        instance(5, SPRING, "2024-03-01T00:30:00Z", 0),
        instance(6, SPRING, "2024-03-01T00:30:00.000001Z", 0),
    ];
    let server = start(&fixture(instances), config(NOW)).await;
    let r = analytics(&server, "time_frame=per_hour").await;
    assert_eq!(
        r.body["data"]["window"],
        json!({"start": "2024-02-29T01:00:00Z", "end": "2024-03-01T00:30:00Z"})
    );
    assert_eq!(window_total(&r), 4);
    let counts = series_counts(&r);
    assert_eq!(counts.len(), 24);
    assert_eq!((counts[0], counts[22], counts[23]), (2, 1, 1));
    assert_eq!(series_starts(&r)[23], "2024-03-01T00:00:00Z");
}

#[tokio::test]
async fn per_day_window_edges_and_leap_day() {
    let instances = vec![
        instance(1, SPRING, "2024-01-31T23:59:59Z", 100),
        instance(2, SPRING, "2024-02-01T00:00:00Z", 0),
        instance(3, SPRING, "2024-02-29T00:00:00Z", 0),
        instance(4, SPRING, "2024-02-29T23:59:59Z", 0),
        instance(5, SPRING, "2024-03-01T00:00:00Z", 0),
    ];
    let server = start(&fixture(instances), config(NOW)).await;
    let r = analytics(&server, "time_frame=per_day").await;
    // 29 days before 2024-03-01 is 2024-02-01: February has 29 days in 2024.
    assert_eq!(r.body["data"]["window"]["start"], "2024-02-01T00:00:00Z");
    assert_eq!(window_total(&r), 4);
    let counts = series_counts(&r);
    assert_eq!(counts.len(), 30);
    assert_eq!((counts[0], counts[28], counts[29]), (1, 2, 1));
    assert_eq!(series_starts(&r)[28], "2024-02-29T00:00:00Z");

    // Without a leap day, 29 days before March 1st is January 31st.
    let instances = vec![instance(1, SPRING, "2023-02-28T12:00:00Z", 0)];
    let server = start(&fixture(instances), config("2023-03-01T08:00:00Z")).await;
    let r = analytics(&server, "time_frame=per_day").await;
    assert_eq!(r.body["data"]["window"]["start"], "2023-01-31T00:00:00Z");
    assert_eq!(series_starts(&r)[28], "2023-02-28T00:00:00Z");
    assert_eq!(series_starts(&r)[29], "2023-03-01T00:00:00Z");
    assert_eq!(series_counts(&r)[28], 1);
}

#[tokio::test]
async fn per_month_window_edges_and_month_lengths() {
    // now 2024-01-31T23:59:59Z: from 2023-02-01 (a 28-day February) to now.
    let instances = vec![
        instance(1, SPRING, "2023-01-31T23:59:59Z", 100),
        instance(2, SPRING, "2023-02-01T00:00:00Z", 0),
        instance(3, SPRING, "2023-02-28T23:59:59Z", 0),
        instance(4, SPRING, "2023-03-01T00:00:00Z", 0),
        instance(5, SPRING, "2023-12-31T23:59:59Z", 0),
        instance(6, SPRING, "2024-01-31T23:59:59Z", 0),
    ];
    let server = start(&fixture(instances), config("2024-01-31T23:59:59Z")).await;
    let r = analytics(&server, "time_frame=per_month").await;
    assert_eq!(r.body["data"]["window"]["start"], "2023-02-01T00:00:00Z");
    let starts = series_starts(&r);
    assert_eq!(starts.len(), 12);
    assert_eq!(starts[1], "2023-03-01T00:00:00Z");
    assert_eq!(starts[11], "2024-01-01T00:00:00Z");
    assert_eq!(series_counts(&r), vec![2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    assert_eq!(window_total(&r), 5);
}

#[tokio::test]
async fn custom_range_includes_both_end_days() {
    let instances = vec![
        instance(1, SPRING, "2024-01-31T23:59:59.999999Z", 100),
        instance(2, SPRING, "2024-02-01T00:00:00Z", 0),
        instance(3, SPRING, "2024-02-29T23:59:59.999999Z", 0),
        instance(4, SPRING, "2024-03-01T00:00:00Z", 0),
    ];
    let server = start(&fixture(instances), config(NOW)).await;
    let r = analytics(
        &server,
        "time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-29",
    )
    .await;
    assert_eq!(
        r.body["data"]["window"],
        json!({"start": "2024-02-01T00:00:00Z", "end": "2024-02-29T23:59:59.999999Z"})
    );
    assert_eq!(window_total(&r), 2);
    let counts = series_counts(&r);
    assert_eq!(counts.len(), 29);
    assert_eq!((counts[0], counts[28]), (1, 1));
    // The longest range: 366 daily buckets.
    let r = analytics(
        &server,
        "time_frame=custom_range&start_date=2023-03-01&end_date=2024-02-29",
    )
    .await;
    assert_eq!(series_counts(&r).len(), 366);
}

#[tokio::test]
async fn summary_arithmetic_and_rounding() {
    // 0.10 + 0.20 + 19.99 + 0.01 = 20.30 exactly (no binary float drift), 4 of 6 purchases.
    let instances = vec![
        instance(1, SPRING, "2024-02-29T10:00:00Z", 10),
        instance(2, SPRING, "2024-02-29T10:00:01Z", 20),
        instance(3, SPRING, "2024-02-29T10:00:02Z", 1999),
        instance(4, SPRING, "2024-02-29T10:00:03Z", 1),
        instance(5, SPRING, "2024-02-29T10:00:04Z", 0),
        instance(6, SPRING, "2024-02-29T10:00:05Z", 0),
    ];
    let server = start(&fixture(instances), config(NOW)).await;
    let r = analytics(&server, "time_frame=per_day").await;
    let summary = &r.body["data"]["summary"];
    assert_eq!(summary["total_instances"], 6);
    assert_eq!(summary["purchase_instances"], 4);
    assert_eq!(summary["non_purchase_instances"], 2);
    assert_eq!(summary["total_revenue"].to_string(), "20.3");
    assert_eq!(summary["conversion_rate"].as_f64().unwrap(), 4.0 / 6.0);
    let day = &r.body["data"]["series"][28];
    assert_eq!(
        (
            day["total_instances"].clone(),
            day["purchase_instances"].clone()
        ),
        (json!(6), json!(4))
    );
    assert_eq!(day["revenue"].to_string(), "20.3");
    let revenues: Vec<String> = r.body["data"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["revenue"].to_string())
        .collect();
    assert_eq!(revenues, ["0.0", "0.0", "0.01", "19.99", "0.2", "0.1"]);
}

#[tokio::test]
async fn is_purchase_filters_the_listing_not_the_summary() {
    let instances: Vec<Value> = (0..25)
        .map(|n| {
            instance(
                n + 1,
                SPRING,
                &format!("2024-02-2{}T10:{:02}:00Z", n % 9, n),
                if n % 3 == 0 { 500 } else { 0 },
            )
        })
        .collect();
    let server = start(&fixture(instances.clone()), config(NOW)).await;
    let from = "2024-01-31T00:00:00Z";
    for (param, filter) in [("all", None), ("true", Some(true)), ("false", Some(false))] {
        let expected = naive(&instances, from, NOW, filter);
        // Hand-counted: 25 instances, every third one a purchase of 5.00.
        assert_eq!(
            (expected.total, expected.purchases, expected.revenue_cents),
            (25, 9, 4500)
        );
        let mut seen = Vec::new();
        for page in 1..=4 {
            let r = analytics(
                &server,
                &format!("time_frame=per_day&is_purchase={param}&limit=4&page={page}"),
            )
            .await;
            assert_eq!(r.status, 200);
            expected.assert_summary_of(&r.body, param);
            let p = &r.body["pagination"];
            let total = expected.listed.len() as u64;
            assert_eq!(p["total"], total, "{param}");
            assert_eq!(p["totalPages"], total.div_ceil(4));
            assert_eq!(p["hasNext"], (page as u64) < total.div_ceil(4));
            assert_eq!(p["hasPrevious"], page > 1);
            for i in r.body["data"]["instances"].as_array().unwrap() {
                if let Some(f) = filter {
                    assert_eq!(i["is_purchase"], f);
                }
                seen.push(i["instance_id"].as_str().unwrap().to_owned());
            }
        }
        let shown = expected.listed.len().min(16);
        assert_eq!(seen, expected.listed[..shown].to_vec(), "{param}");
    }
}

#[tokio::test]
async fn pages_past_the_end_are_empty() {
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    for page in ["2", "99", "2147483647"] {
        let r = analytics(&server, &format!("time_frame=per_day&page={page}")).await;
        assert_eq!(r.status, 200, "{page}");
        assert_eq!(r.body["data"]["instances"], json!([]));
        assert_eq!(r.body["pagination"]["total"], 5);
        assert_eq!(r.body["pagination"]["totalPages"], 1);
        assert_eq!(r.body["pagination"]["hasNext"], false);
        assert_eq!(r.body["pagination"]["hasPrevious"], true);
        assert_eq!(r.body["data"]["summary"]["total_instances"], 5);
    }
}

#[tokio::test]
async fn newest_first_and_ties_by_instance_id() {
    let instances = vec![
        instance(0x30, SPRING, "2024-02-29T10:00:00Z", 0),
        instance(0x10, SPRING, "2024-02-29T10:00:00Z", 0),
        instance(0x20, SPRING, "2024-02-29T10:00:00Z", 100),
        instance(0x05, SPRING, "2024-02-28T10:00:00Z", 0),
        instance(0x40, SPRING, "2024-02-29T11:00:00Z", 0),
    ];
    let server = start(&fixture(instances), config(NOW)).await;
    let r = analytics(&server, "time_frame=per_day").await;
    let ids: Vec<&str> = r.body["data"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["instance_id"].as_str().unwrap())
        .collect();
    let n = |x: u32| format!("10000000-0000-4000-8000-{x:012x}");
    assert_eq!(ids, [n(0x40), n(0x10), n(0x20), n(0x30), n(0x05)]);
    // Ties stay in order across pages too.
    let r = analytics(&server, "time_frame=per_day&limit=2&page=2").await;
    let ids: Vec<&str> = r.body["data"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["instance_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [n(0x20), n(0x30)]);
}

#[tokio::test]
async fn partners_only_see_their_own_campaigns() {
    let server = start(&fixture(spring_instances()), config(NOW)).await;
    for frame in [
        "per_hour",
        "per_day",
        "per_month",
        "custom_range&start_date=2023-06-01&end_date=2024-02-29",
    ] {
        let r = get(
            &server,
            &analytics_path(SPRING, &format!("time_frame={frame}")),
            Some(OTHER_KEY),
        )
        .await;
        assert_eq!(r.status, 403);
        assert!(r.body.get("data").is_none() && r.body.get("pagination").is_none());
        assert!(
            !r.body.to_string().contains("10000000-0000"),
            "no instance may leak"
        );
    }
    let r = get(
        &server,
        &analytics_path(THEIRS, "time_frame=per_month"),
        Some(ACME_KEY),
    )
    .await;
    assert_eq!(r.status, 403);
    // The owner sees it; the campaign id comes back normalized to lower case.
    let r = get(
        &server,
        &analytics_path(
            &THEIRS.to_uppercase(),
            "time_frame=custom_range&start_date=2023-06-01&end_date=2024-02-29",
        ),
        Some(OTHER_KEY),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["campaign_id"], THEIRS);
}

#[tokio::test]
async fn compression_when_asked() {
    let instances: Vec<Value> = (1..=300)
        .map(|n| instance(n, SPRING, "2024-02-29T10:00:00Z", 0))
        .collect();
    let server = start(&fixture(instances), config(NOW)).await;
    let client = reqwest::Client::new();
    let url = format!(
        "{}{}",
        server.base,
        analytics_path(SPRING, "time_frame=per_day&limit=100")
    );
    let r = client
        .get(&url)
        .bearer_auth(ACME_KEY)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    let r = client.get(&url).bearer_auth(ACME_KEY).send().await.unwrap();
    assert!(r.headers().get("content-encoding").is_none());
}

/// Many instances at generated times (many sharing one), every kind of window, filter
/// and page, against the naive computation.
#[tokio::test]
async fn generated_data_agrees_with_the_naive_computation() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let first = chrono::DateTime::parse_from_rfc3339("2023-02-15T00:00:00Z").unwrap();
    let instances: Vec<Value> = (1..=600)
        .map(|n| {
            // Multiples of 7 minutes over ~13 months; a third of them on a few shared
            // instants, so that pages often start and end inside a run of ties.
            let minutes = if rng.random_bool(0.3) {
                rng.random_range(0..13) * 30 * 24 * 60
            } else {
                rng.random_range(0..(400 * 24 * 60) / 7) * 7
            };
            let at = first + chrono::Duration::minutes(minutes);
            let cents = if rng.random_bool(0.3) {
                rng.random_range(1..50_000)
            } else {
                0
            };
            instance(
                n,
                SPRING,
                &at.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                cents,
            )
        })
        .collect();
    let server = start(&fixture(instances.clone()), config(NOW)).await;
    let windows = [
        ("time_frame=per_hour", "2024-02-29T01:00:00Z", NOW),
        ("time_frame=per_day", "2024-02-01T00:00:00Z", NOW),
        ("time_frame=per_month", "2023-04-01T00:00:00Z", NOW),
        (
            "time_frame=custom_range&start_date=2023-06-10&end_date=2024-01-05",
            "2023-06-10T00:00:00Z",
            "2024-01-05T23:59:59.999999Z",
        ),
    ];
    for (query, from, to) in windows {
        for (param, filter) in [("all", None), ("true", Some(true)), ("false", Some(false))] {
            let expected = naive(&instances, from, to, filter);
            let limit = 7;
            let pages = expected.listed.len().div_ceil(limit).max(1);
            let mut seen = Vec::new();
            // Every page: each one starts at a different row, ties across page edges
            // included.
            for page in 1..=pages {
                let r = analytics(
                    &server,
                    &format!("{query}&is_purchase={param}&limit={limit}&page={page}"),
                )
                .await;
                let context = format!("{query} {param} page {page}");
                if expected.total == 0 {
                    assert_eq!(r.status, 422, "{context}");
                    continue;
                }
                assert_eq!(r.status, 200, "{context}: {}", r.body);
                expected.assert_summary_of(&r.body, &context);
                let ids: Vec<String> = r.body["data"]["instances"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["instance_id"].as_str().unwrap().to_owned())
                    .collect();
                let from_row = ((page - 1) * limit).min(expected.listed.len());
                let to_row = (page * limit).min(expected.listed.len());
                assert_eq!(ids, expected.listed[from_row..to_row].to_vec(), "{context}");
                seen.push(page);
            }
            assert!(expected.total == 0 || !seen.is_empty());
        }
    }
}
