//! The campaign comparison panel in the whole dashboard, over a canned transport: cost said
//! before anything is sent, one request per campaign, none when cached, the best of each
//! column marked, nicknames kept in this browser only and usable as picks.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_compare`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use campaign_analytics::api::reply::ApiRequest;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const SUMMER: &str = "c0000000-0000-4000-8000-000000000005";

/// The recorded per_day answer, as if it were `campaign`'s with this summary.
fn answer_for(request: &ApiRequest) -> (u32, campaign_analytics::api::reply::RawResponse) {
    let campaign = request.path.split('/').nth(5).unwrap_or_default();
    let mut body: serde_json::Value = serde_json::from_str(PER_DAY_PAGE_2).unwrap();
    body["data"]["campaign_id"] = campaign.into();
    if campaign == SUMMER {
        // 60 instances, 40 purchases (as many as the first), $800.00: best conversion,
        // revenue and revenue per purchase; purchases tie with the first campaign.
        body["data"]["summary"] = serde_json::json!({
            "total_instances": 60, "purchase_instances": 40, "non_purchase_instances": 20,
            "total_revenue": 800.0, "conversion_rate": 0.6667
        });
    }
    (5, answer(200, &body.to_string()))
}

fn within(testid: &str) -> String {
    format!("[data-testid=\"campaign-compare\"] [data-testid=\"{testid}\"]")
}

fn cells(campaign: &str) -> Vec<(String, bool)> {
    let row = format!(
        "[data-testid=\"compare-campaign-row\"][data-campaign-id=\"{campaign}\"] td[data-column]"
    );
    let list = document().query_selector_all(&row).unwrap();
    (0..list.length())
        .map(|i| {
            let td: Element = list.item(i).unwrap().unchecked_into();
            let text = td
                .first_child()
                .and_then(|n| n.text_content())
                .unwrap_or_default();
            (
                text.trim().to_owned(),
                td.get_attribute("data-best").as_deref() == Some("true"),
            )
        })
        .collect()
}

fn fill(selector: &str, value: &str) {
    let input: HtmlInputElement = query(selector).unwrap().unchecked_into();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    for name in ["input", "change"] {
        input
            .dispatch_event(&web_sys::Event::new_with_event_init_dict(name, &init).unwrap())
            .unwrap();
    }
}

#[wasm_bindgen_test]
async fn two_campaigns_cost_two_requests_then_none_and_the_bests_are_marked() {
    let (transport, calls) = canned(answer_for);
    let _app = mount_dashboard("", transport);
    settle().await;
    type_into("api-key", KEY);
    type_into("campaign-id", CAMPAIGN);
    wait_until("Run is enabled", || !is_disabled("run-query")).await;
    click("run-query");
    wait_until("the answer", || text("summary-total-instances") == "120").await;
    assert_eq!(calls.borrow().len(), 1);
    assert!(!exists("compare-run"), "the panel opens on demand");

    // The panels hear of the answer a task after it is drawn; until then the comparison
    // panel is hidden, and a partner cannot reach its button.
    wait_until("the comparison is offered", || is_shown("compare-toggle")).await;
    click("compare-toggle");
    settle().await;
    assert_eq!(
        query(&within("compare-pick-1"))
            .unwrap()
            .unchecked_into::<HtmlInputElement>()
            .value(),
        CAMPAIGN
    );
    fill(&within("compare-pick-2"), SUMMER);
    settle().await;
    let cost = || {
        query(&within("request-cost"))
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    // The campaign on screen is cached: one request, said before anything is sent.
    assert!(
        cost().starts_with("1 request: one per campaign not cached"),
        "{}",
        cost()
    );
    assert_eq!(calls.borrow().len(), 1);

    query(&within("compare-run"))
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    wait_until("both rows", || {
        cells(SUMMER).len() == 5 && cells(CAMPAIGN).len() == 5
    })
    .await;
    assert_eq!(calls.borrow().len(), 2);
    assert!(calls.borrow()[1].0.path.contains(SUMMER));
    let first = cells(CAMPAIGN);
    let summer = cells(SUMMER);
    assert_eq!(first[0], ("120".to_owned(), true));
    assert_eq!(summer[0], ("60".to_owned(), false));
    // 40 purchases each: a tie of all, no best.
    assert_eq!((first[1].1, summer[1].1), (false, false));
    assert_eq!(summer[2], ("$800.00".to_owned(), true));
    assert_eq!(summer[3], ("66.7%".to_owned(), true));
    assert_eq!(summer[4], ("$20.00".to_owned(), true));
    assert_eq!(first[4], ("$14.05".to_owned(), false));
    assert_eq!(count("[data-testid=\"compare-chart\"] polyline"), 2);

    // Again: all cached, nothing sent.
    settle().await;
    assert!(cost().starts_with("0 requests"), "{}", cost());
    query(&within("compare-run"))
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(calls.borrow().len(), 2);

    // A nickname is kept in this browser and picks its campaign; it is never sent.
    fill(
        &format!("[data-campaign-id=\"{SUMMER}\"] [data-testid=\"compare-nickname\"]"),
        "Sunny",
    );
    settle().await;
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("campaign-analytics.nicknames")
        .unwrap()
        .unwrap_or_default();
    assert_eq!(stored, format!("{SUMMER} Sunny\n"));
    fill(&within("compare-pick-2"), "sunny");
    settle().await;
    assert!(query(&within("field-error-compare-2")).is_none());
    assert!(cost().starts_with("0 requests"), "{}", cost());
    fill(&within("compare-pick-2"), "Winter");
    settle().await;
    assert!(query(&within("field-error-compare-2")).is_some());
    assert!(query(&within("compare-run"))
        .unwrap()
        .has_attribute("disabled"));
    for (request, _) in calls.borrow().iter() {
        assert!(!format!("{request:?}").to_lowercase().contains("sunny"));
    }
}
