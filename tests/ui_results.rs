//! The answer's views rendered from recorded answers of the reference server: summary
//! cards, the series chart, the instance table with its CSV export, pagination and the
//! quota. No server: the views take the parsed answer as props.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --features ui --test ui_results`
#![cfg(all(target_arch = "wasm32", feature = "ui"))]

#[path = "ui_support/mod.rs"]
mod support;

use campaign_analytics::api::reply::Quota;
use campaign_analytics::api::types::AnalyticsResponse;
use campaign_analytics::api::types::{SeriesPoint, Summary};
use campaign_analytics::contract::PurchaseFilter;
use campaign_analytics::ui::answer::chart::SeriesChart;
use campaign_analytics::ui::answer::pagination::Pager;
use campaign_analytics::ui::answer::summary::SummaryCards;
use campaign_analytics::ui::answer::table::InstanceTable;
use campaign_analytics::ui::shell::quota::QuotaBadge;
use campaign_analytics::ui::state::Metric;
use leptos::prelude::*;
use std::sync::{Arc, Mutex};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

type Answer = RwSignal<Option<Arc<AnalyticsResponse>>>;

#[wasm_bindgen_test]
async fn the_cards_show_the_summary_and_placeholders_while_loading() {
    let response: Answer = RwSignal::new(None);
    let loading = RwSignal::new(true);
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <SummaryCards response=response loading=loading/> }
    });
    settle().await;
    // The first answer is on its way: six labelled placeholders.
    assert_eq!(count(".card[aria-busy=\"true\"]"), 6);
    assert_eq!(text("summary-total-instances"), "");
    assert!(by("summary-total-instances")
        .unwrap()
        .class_name()
        .contains("skeleton"));

    response.set(Some(parse(PER_DAY_PAGE_2)));
    loading.set(false);
    settle().await;
    assert_eq!(count(".card[aria-busy=\"true\"]"), 0);
    assert_eq!(text("summary-total-instances"), "120");
    assert_eq!(text("summary-purchase-instances"), "40");
    assert_eq!(text("summary-non-purchase-instances"), "80");
    assert_eq!(text("summary-total-revenue"), "$561.95");
    assert_eq!(text("summary-conversion-rate"), "33.3%");
    assert_eq!(text("summary-average-revenue"), "$14.05");
    // Each card is a labelled group.
    let revenue = query(".card[aria-label=\"Revenue\"]").unwrap();
    assert!(revenue.text_content().unwrap().contains("$561.95"));

    // A period without purchases: no average, no division by zero.
    let mut quiet = (*parse(PER_DAY_PAGE_2)).clone();
    quiet.data.summary.purchase_instances = 0;
    quiet.data.summary.non_purchase_instances = 120;
    quiet.data.summary.total_revenue = 0.0;
    quiet.data.summary.conversion_rate = 0.0;
    response.set(Some(Arc::new(quiet)));
    settle().await;
    assert_eq!(text("summary-average-revenue"), "—");
    assert_eq!(text("summary-conversion-rate"), "0.0%");
    assert!(
        !exists("summary-total-revenue-change"),
        "no comparison asked"
    );
}

#[wasm_bindgen_test]
async fn the_cards_show_the_change_against_the_previous_period_and_never_cut_a_number() {
    let mut big = (*parse(PER_DAY_PAGE_2)).clone();
    big.data.summary.total_revenue = 1_234_567.89;
    let response: Answer = RwSignal::new(Some(Arc::new(big)));
    let previous = RwSignal::new(None::<Summary>);
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <SummaryCards response=response loading=false previous=previous/> }
    });
    settle().await;
    // A long value: compact on top, the exact value under it (and in the hook).
    assert_eq!(text("summary-total-revenue"), "$1,234,567.89");
    let compact = query(".card[aria-label=\"Revenue\"] .card-compact").unwrap();
    assert_eq!(compact.text_content().unwrap(), "$1.2M");
    assert!(!exists("summary-total-instances-change"));

    previous.set(Some(Summary {
        total_instances: 100,
        purchase_instances: 0,
        non_purchase_instances: 100,
        total_revenue: 0.0,
        conversion_rate: 0.0,
    }));
    settle().await;
    assert_eq!(text("summary-total-instances-change"), "+20.0%");
    assert_eq!(text("summary-purchase-instances-change"), "new");
    assert_eq!(
        text("summary-non-purchase-instances-change"),
        "\u{2212}20.0%"
    );
    assert_eq!(text("summary-total-revenue-change"), "new");
    assert!(
        !exists("summary-average-revenue-change"),
        "no average before"
    );
}

#[wasm_bindgen_test]
async fn the_table_has_a_row_per_instance_with_copyable_ids() {
    let response: Answer = RwSignal::new(Some(parse(PER_DAY_PAGE_2)));
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <InstanceTable response=response filter=PurchaseFilter::All loading=false/> }
    });
    settle().await;
    let answer = parse(PER_DAY_PAGE_2);
    assert_eq!(count("[data-testid=\"instance-row\"]"), 10);

    let rows = support::document()
        .query_selector_all("[data-testid=\"instance-row\"]")
        .unwrap();
    for (i, instance) in answer.data.instances.iter().enumerate() {
        let row: web_sys::Element =
            wasm_bindgen::JsCast::unchecked_into(rows.item(i as u32).unwrap());
        let text = row.text_content().unwrap();
        // Short ids on screen; the whole id in the tooltip and in what is copied.
        let short = |id: uuid::Uuid| format!("{}…", &id.to_string()[..8]);
        assert!(text.contains(&short(instance.instance_id)));
        assert!(!text.contains(&instance.instance_id.to_string()));
        assert!(text.contains(&short(instance.insider_id)));
        let button = row.query_selector("button.id").unwrap().unwrap();
        assert!(button
            .get_attribute("title")
            .unwrap()
            .starts_with(&instance.instance_id.to_string()));
        match instance.purchased_insider_id {
            Some(id) => {
                assert!(text.contains(&short(id)));
                assert!(text.contains("Purchase"));
            }
            None => {
                assert!(text.contains("—"));
                assert!(text.contains("No purchase"));
            }
        }
        // Local time shown, UTC in the tooltip, the instant in `datetime`.
        let time = row.query_selector("time").unwrap().unwrap();
        let utc = instance
            .timestamp
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string();
        assert_eq!(time.get_attribute("title").as_deref(), Some(utc.as_str()));
        assert_eq!(
            time.get_attribute("datetime").unwrap(),
            instance.timestamp.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
        // Each id has its copy button carrying exactly that id.
        let copy = row
            .query_selector(&format!("[data-copy=\"{}\"]", instance.instance_id))
            .unwrap();
        assert!(copy.is_some());
    }
    // Ids are monospace code, the revenue is money.
    assert_eq!(
        count("[data-testid=\"instance-row\"] button.id"),
        10 * 2 + 3
    );
    assert!(!is_disabled("export-csv"));
    assert!(!exists("empty-state"));

    // A page past the end: an empty state that says why, nothing to export.
    response.set(Some(parse(PAST_THE_END)));
    settle().await;
    assert_eq!(count("[data-testid=\"instance-row\"]"), 0);
    assert_eq!(
        text("empty-state"),
        "This page is past the end: 120 instances are on 12 pages."
    );
    assert!(is_disabled("export-csv"));
}

#[wasm_bindgen_test]
async fn an_empty_filter_suggests_all_instances() {
    let mut none = (*parse(PAST_THE_END)).clone();
    none.pagination = campaign_analytics::api::types::Pagination::new(1, 10, 0);
    let response: Answer = RwSignal::new(Some(Arc::new(none)));
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <InstanceTable response=response filter=PurchaseFilter::Purchases loading=false/> }
    });
    settle().await;
    assert!(text("empty-state").contains("Choose \"All instances\""));
}

#[wasm_bindgen_test]
async fn a_hundred_rows_render() {
    let response: Answer = RwSignal::new(Some(parse(PER_DAY_100)));
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <InstanceTable response=response filter=PurchaseFilter::All loading=false/> }
    });
    settle().await;
    assert_eq!(count("[data-testid=\"instance-row\"]"), 100);
    assert_eq!(count("[data-testid=\"instance-row\"] .badge-yes"), 34);
}

#[wasm_bindgen_test]
async fn the_next_page_of_the_same_window_leaves_the_cards_and_the_chart_in_place() {
    let response: Answer = RwSignal::new(Some(parse(PER_DAY_100)));
    let loading = RwSignal::new(false);
    let metric = RwSignal::new(Metric::Instances);
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! {
            <SummaryCards response=response loading=loading/>
            <SeriesChart response=response metric=metric/>
        }
    });
    settle().await;
    let card = by("summary-total-instances").unwrap();
    let bar: web_sys::HtmlElement =
        wasm_bindgen::JsCast::unchecked_into(query(".chart-bar").unwrap());
    // A keyboard user on a bar of the chart turns the page: the same window, its summary
    // and series unchanged. Nothing in the cards or the chart is touched. (These views are
    // typed here; the release bundle's type-erased views, whose rebuild would remove and
    // set every attribute again, are checked end to end in tests/e2e/render.test.mjs.)
    bar.focus().unwrap();
    let watch = js_sys::Function::new_no_args(
        "window.__touched = []; window.__watch = new MutationObserver((records) => {
           for (const r of records) window.__touched.push(r.attributeName || r.type);
         });
         for (const s of ['.card', '[data-testid=\"series-chart\"]'])
           for (const e of document.querySelectorAll(s))
             window.__watch.observe(e, { subtree: true, childList: true, attributes: true, characterData: true });",
    );
    watch.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    loading.set(true);
    settle().await;
    response.set(Some(parse(PER_DAY_PAGE_2)));
    loading.set(false);
    settle().await;
    let touched = js_sys::Function::new_no_args(
        "for (const r of window.__watch.takeRecords()) window.__touched.push(r.attributeName || r.type);
         window.__watch.disconnect();
         return window.__touched.join(' ');",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap()
    .as_string()
    .unwrap();
    assert_eq!(touched, "", "nothing in the cards or the chart changed");
    assert!(card.is_same_node(by("summary-total-instances").as_ref().map(|c| c.as_ref())));
    assert!(bar.is_same_node(query(".chart-bar").as_ref().map(|b| b.as_ref())));
    assert!(
        document()
            .active_element()
            .is_some_and(|e| e.is_same_node(Some(&bar))),
        "the focus stays on the bar"
    );
    assert_eq!(text("summary-total-instances"), "120");

    // An answer that says something else is drawn: a new summary on the cards (the chart
    // stays), a new series on the chart.
    let mut other = (*parse(PER_DAY_PAGE_2)).clone();
    other.data.summary.total_instances = 121;
    response.set(Some(Arc::new(other.clone())));
    settle().await;
    assert_eq!(text("summary-total-instances"), "121");
    assert!(bar.is_same_node(query(".chart-bar").as_ref().map(|b| b.as_ref())));
    let before = bar_heights();
    let tallest = (0..other.data.series.len())
        .max_by_key(|&i| other.data.series[i].total_instances)
        .unwrap();
    let mut raised = other;
    raised.data.series[(tallest + 1) % 30].total_instances =
        raised.data.series[tallest].total_instances * 2;
    response.set(Some(Arc::new(raised)));
    settle().await;
    assert_ne!(bar_heights(), before, "the chart was drawn again");
}

fn bar_heights() -> Vec<i32> {
    let bars = support::document()
        .query_selector_all("[data-testid=\"series-chart\"] .bar")
        .unwrap();
    (0..bars.length())
        .map(|i| {
            let bar: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(bars.item(i).unwrap());
            bar.get_attribute("height").unwrap().parse().unwrap()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_chart_draws_a_bar_per_bucket_with_tooltips_and_a_table() {
    let response: Answer = RwSignal::new(Some(parse(PER_DAY_PAGE_2)));
    let metric = RwSignal::new(Metric::Instances);
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <SeriesChart response=response metric=metric/> }
    });
    settle().await;
    let chart = by("series-chart").expect("the chart");
    assert_eq!(chart.tag_name().to_lowercase(), "svg");
    assert_eq!(count("[data-testid=\"series-chart\"] .chart-bar"), 30);
    let label = chart.get_attribute("aria-label").unwrap();
    assert!(
        label.starts_with("Instances per day over 30 days"),
        "{label}"
    );
    // The busiest days (5 instances) reach the top of the plot; empty days have no height.
    let heights = bar_heights();
    assert_eq!(heights[0], 0);
    assert_eq!(heights.iter().max(), Some(&heights[5]));
    // Every number is in the screen reader's table, one row per bucket.
    assert_eq!(count("[data-testid=\"chart-table\"] tbody tr"), 30);
    assert!(text("chart-table").contains("Oct 22"));

    // Hovering, then focusing a bar shows its exact values.
    assert!(query(".chart-tooltip").is_none());
    let bars = support::document()
        .query_selector_all("[data-testid=\"series-chart\"] .chart-bar")
        .unwrap();
    let first: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(bars.item(0).unwrap());
    first
        .dispatch_event(&web_sys::Event::new("mouseenter").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(
        query(".chart-tooltip").unwrap().text_content().unwrap(),
        "Oct 22: 0 instances, 0 purchases, $0.00 revenue, 0.0% conversion"
    );
    let sixth: web_sys::SvgElement = wasm_bindgen::JsCast::unchecked_into(bars.item(5).unwrap());
    sixth.focus().unwrap();
    settle().await;
    assert!(query(".chart-tooltip")
        .unwrap()
        .text_content()
        .unwrap()
        .starts_with("Oct 27: 5 instances"));
    assert_eq!(
        sixth.get_attribute("tabindex").as_deref(),
        Some("0"),
        "roving focus"
    );
    // → moves the focus to the next bar.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("ArrowRight");
    init.set_bubbles(true);
    sixth
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    settle().await;
    assert!(query(".chart-tooltip")
        .unwrap()
        .text_content()
        .unwrap()
        .starts_with("Oct 28:"));

    // Leaving the chart hides the tooltip and gives the tab stop back to the first bar.
    query(".chart-area")
        .unwrap()
        .dispatch_event(&web_sys::Event::new("mouseleave").unwrap())
        .unwrap();
    settle().await;
    assert!(query(".chart-tooltip").is_none());
    let first: web_sys::Element = wasm_bindgen::JsCast::unchecked_into(bars.item(0).unwrap());
    assert_eq!(first.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(
        count("[data-testid=\"series-chart\"] .chart-bar[tabindex=\"0\"]"),
        1,
        "one tab stop"
    );

    // Another metric: the same buckets, other heights, no request (there is none here).
    choose("chart-metric", "revenue");
    settle().await;
    assert_eq!(metric.get_untracked(), Metric::Revenue);
    assert!(chart_title().starts_with("Revenue per day"));
    assert!(by("series-chart")
        .unwrap()
        .get_attribute("aria-label")
        .unwrap()
        .starts_with("Revenue per day"));

    response.set(None);
    settle().await;
    assert!(!exists("series-chart"));
}

fn chart_title() -> String {
    text("chart-title")
}

#[wasm_bindgen_test]
async fn without_series_the_chart_shows_this_page_only_and_a_previous_period_overlays() {
    let mut no_series = (*parse(PER_DAY_PAGE_2)).clone();
    let series: Vec<SeriesPoint> = no_series.data.series.clone();
    no_series.data.series.clear();
    let response: Answer = RwSignal::new(Some(Arc::new(no_series)));
    let previous = RwSignal::new(None::<Vec<SeriesPoint>>);
    let metric = RwSignal::new(Metric::Instances);
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <SeriesChart response=response previous=previous metric=metric/> }
    });
    settle().await;
    assert!(
        chart_title().ends_with("this page only"),
        "{}",
        chart_title()
    );
    let page = parse(PER_DAY_PAGE_2);
    let days: std::collections::BTreeSet<_> = page
        .data
        .instances
        .iter()
        .map(|i| i.timestamp.date_naive())
        .collect();
    assert_eq!(
        count("[data-testid=\"series-chart\"] .chart-bar") as usize,
        days.len()
    );

    response.set(Some(page.clone()));
    previous.set(Some(series));
    settle().await;
    assert!(!chart_title().contains("this page only"));
    assert!(query("[data-testid=\"series-chart\"] .chart-overlay").is_some());
    assert!(text("chart-table").contains("Previous period: Instances"));
}

#[wasm_bindgen_test]
async fn the_pager_follows_the_answers_pagination() {
    let answer = parse(PER_DAY_PAGE_2);
    let page = RwSignal::new(Some((
        answer.pagination.clone(),
        answer.data.instances.len(),
    )));
    let asked = Arc::new(Mutex::new(Vec::<u32>::new()));
    let record = asked.clone();
    let on_page = Callback::new(move |p: u32| record.lock().unwrap().push(p));
    let _view = leptos::mount::mount_to(fresh_page(""), move || {
        view! { <Pager page=page loading=false on_page=on_page/> }
    });
    settle().await;
    assert_eq!(text("page-status"), "Page 2 of 12");
    assert_eq!(text("page-range"), "Showing 11–20 of 120");
    assert!(!is_disabled("page-prev") && !is_disabled("page-next"));
    click("page-next");
    click("page-prev");
    click("page-first");
    click("page-last");
    settle().await;
    assert_eq!(*asked.lock().unwrap(), [3, 1, 1, 12]);

    page.set(Some((
        campaign_analytics::api::types::Pagination::new(1, 10, 120),
        10,
    )));
    settle().await;
    assert!(is_disabled("page-prev") && is_disabled("page-first"));
    assert!(!is_disabled("page-next"));

    page.set(Some((
        campaign_analytics::api::types::Pagination::new(12, 10, 120),
        10,
    )));
    settle().await;
    assert_eq!(text("page-range"), "Showing 111–120 of 120");
    assert!(is_disabled("page-next") && is_disabled("page-last"));

    page.set(None);
    settle().await;
    assert!(!is_shown("page-status"));
}

#[wasm_bindgen_test]
async fn arrow_keys_turn_pages_unless_typing() {
    let (fetch, calls) = canned(|_| (0, answer(200, PER_DAY_PAGE_2)));
    let _app = mount_dashboard(
        &format!("?campaign_id={CAMPAIGN}&time_frame=per_day&page=2&limit=10"),
        fetch,
    );
    settle().await;
    type_into("api-key", KEY);
    settle().await;
    click("run-query");
    wait_until("page 2 shows", || text("page-status") == "Page 2 of 12").await;
    let before = calls.borrow().len();

    press("ArrowRight");
    wait_until("page 3 is asked", || calls.borrow().len() == before + 1).await;
    assert!(calls.borrow().last().unwrap().0.path.contains("&page=3&"));
    // (The canned answer stays page 2, so ← asks for page 1.)
    wait_until("the answer is back", || !is_disabled("page-prev")).await;
    press("ArrowLeft");
    wait_until("page 1 is asked", || calls.borrow().len() == before + 2).await;
    assert!(!calls.borrow().last().unwrap().0.path.contains("page="));

    // In a text field the arrows move the caret, not the page.
    wait_until("the answer is back", || !is_disabled("page-prev")).await;
    let input: web_sys::HtmlElement =
        wasm_bindgen::JsCast::unchecked_into(by("campaign-id").unwrap());
    input.focus().unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("ArrowRight");
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    settle().await;
    assert_eq!(calls.borrow().len(), before + 2);
    assert!(!page_search().contains("page="));
}

#[wasm_bindgen_test]
async fn the_quota_shows_what_is_left_and_when_it_resets() {
    let quota = RwSignal::new(None::<Quota>);
    let _view =
        leptos::mount::mount_to(fresh_page(""), move || view! { <QuotaBadge quota=quota/> });
    settle().await;
    assert_eq!(
        text("rate-limit-remaining"),
        "Quota: known after the first query"
    );
    quota.set(Some(Quota {
        limit: 150,
        remaining: 12,
        reset_at: Some(1_795_000_000),
    }));
    settle().await;
    assert_eq!(text("rate-limit-remaining"), "12 of 150 requests left");
    assert!(text("rate-limit-reset").starts_with("resets at "));
    assert!(query(".quota").unwrap().class_name().contains("quota-low"));
}
