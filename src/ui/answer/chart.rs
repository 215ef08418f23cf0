//! The time-series chart: one metric of `data.series` (instances, purchases, revenue or
//! conversion rate, `chart-metric`) as bars, one per bucket, with the previous period
//! overlaid as a line when compare is on. Hovering or focusing a bar (arrow keys move
//! between bars) shows its exact values; a visually hidden table gives screen readers
//! every number. Drawn as inline SVG: the frame with `view!`, the shapes and rows (one
//! loop over the model, [`crate::ui::platform::dom`]) by hand; every label is a text node,
//! nothing from the server is ever parsed as markup.
//!
//! The published API has no `series`: an answer without one is charted from the loaded
//! page's instances, by bucket, and says "this page only".
//!
//! The geometry is computed by [`model`], a plain function tested natively; the component
//! only maps it to elements.

use crate::api::types::{AnalyticsResponse, Instance, SeriesPoint};
use crate::contract::TimeFrame;
use chrono::{DateTime, Datelike, Timelike, Utc};
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;

use crate::ui::platform::dom;
use crate::ui::state::Metric;
use crate::ui::text::format::{self, Bucket};

/// The drawing's coordinate system (the SVG scales to its container). Whole numbers in
/// tenths of a unit: the page never prints a float.
pub const WIDTH: i32 = 7200;
pub const HEIGHT: i32 = 2200;
const LEFT: i32 = 560;
const RIGHT: i32 = 80;
const TOP: i32 = 100;
const BOTTOM: i32 = 260;
/// At most this many bucket labels along the x axis, so they never overlap.
const MAX_LABELS: usize = 8;

/// One bucket's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub x: i32,
    pub width: i32,
    pub y: i32,
    pub height: i32,
    pub label: String,
    /// Whether the label is drawn under the axis (one in every few).
    pub show_label: bool,
    /// The bucket's exact numbers in words, for the tooltip.
    pub tooltip: String,
}

/// A horizontal grid line and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct GridLine {
    pub y: i32,
    pub label: String,
}

/// One row of the screen-reader table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub label: String,
    pub instances: String,
    pub purchases: String,
    pub revenue: String,
    pub rate: String,
    /// The previous period's value of the chosen metric, when compared.
    pub previous: Option<String>,
}

/// Everything the chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartModel {
    pub bars: Vec<Bar>,
    pub grid: Vec<GridLine>,
    /// The previous period as SVG polyline points (`x,y x,y …`), when compared.
    pub overlay: Option<String>,
    /// A one-sentence description for screen readers.
    pub description: String,
    pub rows: Vec<Row>,
}

/// The select of the metric a chart shows, labelled `caption`, hooked as `testid`; the
/// page's chart and the campaign comparison's chart share it.
pub fn metric_select(
    caption: &'static str,
    testid: &'static str,
    metric: RwSignal<Metric>,
) -> impl IntoView {
    view! {
        <label class="chart-metric">
            {caption}
            <select
                data-testid=testid
                on:change=move |ev| {
                    if let Some(m) = Metric::parse(&event_target_value(&ev)) {
                        metric.set(m);
                    }
                }
            >
                {Metric::ALL
                    .into_iter()
                    .map(|m| {
                        view! {
                            <option value=m.as_str() selected=move || metric.get() == m>
                                {m.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A metric's value in one bucket (conversion as a rate 0–1).
pub fn value(p: &SeriesPoint, metric: Metric) -> f64 {
    match metric {
        Metric::Instances => p.total_instances as f64,
        Metric::Purchases => p.purchase_instances as f64,
        Metric::Revenue => p.revenue,
        Metric::ConversionRate => {
            if p.total_instances == 0 {
                0.0
            } else {
                p.purchase_instances as f64 / p.total_instances as f64
            }
        }
    }
}

/// A metric's value in words.
pub fn value_text(v: f64, metric: Metric) -> String {
    match metric {
        Metric::Instances | Metric::Purchases => format::count(v.max(0.0).round() as u64),
        Metric::Revenue => format::money(v),
        Metric::ConversionRate => format::percent(v),
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (for rates and money too), so grid lines
/// fall on round values; 1 for nothing at all.
///
/// ```
/// # use campaign_analytics::ui::answer::chart::nice_ceiling;
/// assert_eq!(nice_ceiling(0.0), 1.0);
/// assert_eq!(nice_ceiling(7.0), 10.0);
/// assert_eq!(nice_ceiling(12.0), 20.0);
/// assert_eq!(nice_ceiling(0.34), 0.5);
/// assert_eq!(nice_ceiling(4321.5), 5000.0);
/// ```
pub fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let mut step = 10f64.powi(v.log10().floor() as i32);
    loop {
        for m in [1.0, 2.0, 5.0] {
            if step * m >= v * (1.0 - 1e-12) {
                return step * m;
            }
        }
        step *= 10.0;
    }
}

/// Lays out `points` (oldest first) for `metric`, with `previous` (aligned bucket by
/// bucket from the start) overlaid when there is one.
pub fn model(
    points: &[SeriesPoint],
    previous: Option<&[SeriesPoint]>,
    bucket: Bucket,
    metric: Metric,
) -> ChartModel {
    let values: Vec<f64> = points.iter().map(|p| value(p, metric)).collect();
    let before: Vec<f64> = previous
        .unwrap_or_default()
        .iter()
        .take(points.len())
        .map(|p| value(p, metric))
        .collect();
    let busiest = values.iter().chain(&before).copied().fold(0.0, f64::max);
    let y_max = if matches!(metric, Metric::Instances | Metric::Purchases) {
        nice_ceiling(busiest.ceil().max(1.0))
    } else {
        nice_ceiling(busiest)
    };
    let plot_w = f64::from(WIDTH - LEFT - RIGHT);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / points.len().max(1) as f64;
    let gap = (slot * 0.2).min(60.0);
    let scale = |v: f64| (f64::from(plot_h) * (v.clamp(0.0, y_max) / y_max)).round() as i32;
    let label_every = points.len().div_ceil(MAX_LABELS).max(1);

    // Each bucket's numbers are put in words once: the screen reader's row, and the
    // tooltip (and the bar's label for assistive technology) made of the same words.
    let rows: Vec<Row> = points
        .iter()
        .enumerate()
        .map(|(i, p)| Row {
            label: format::bucket_label(p.period_start, bucket),
            instances: format::count(p.total_instances),
            purchases: format::count(p.purchase_instances),
            revenue: format::money(p.revenue),
            rate: format::percent(value(p, Metric::ConversionRate)),
            previous: before.get(i).map(|v| value_text(*v, metric)),
        })
        .collect();
    let plural = |n: u64, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let bars = points
        .iter()
        .zip(&values)
        .zip(&rows)
        .enumerate()
        .map(|(i, ((p, v), row))| {
            let height = scale(*v);
            let mut tooltip = format!(
                "{}: {} {}, {} {}, {} revenue, {} conversion",
                row.label,
                row.instances,
                plural(p.total_instances, "instance", "instances"),
                row.purchases,
                plural(p.purchase_instances, "purchase", "purchases"),
                row.revenue,
                row.rate,
            );
            if let Some(previous) = &row.previous {
                tooltip.push_str("; previous period: ");
                tooltip.push_str(previous);
                tooltip.push(' ');
                // The labels are ASCII: Unicode case mapping would bring its tables
                // (4 KB of the first load) for these four words.
                tooltip.push_str(&metric.label().to_ascii_lowercase());
            }
            Bar {
                x: LEFT + (slot * i as f64 + gap / 2.0).round() as i32,
                width: ((slot - gap).round() as i32).max(10),
                y: TOP + plot_h - height,
                height,
                show_label: i % label_every == 0,
                label: row.label.clone(),
                tooltip,
            }
        })
        .collect::<Vec<_>>();

    let overlay = (!before.is_empty()).then(|| {
        before
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let x = LEFT + (slot * (i as f64 + 0.5)).round() as i32;
                format!("{x},{}", TOP + plot_h - scale(*v))
            })
            .collect::<Vec<_>>()
            .join(" ")
    });

    let grid = [0.0, y_max / 2.0, y_max]
        .into_iter()
        .filter(|v| {
            // Counts: halfway only when it is a whole number.
            !matches!(metric, Metric::Instances | Metric::Purchases) || v.fract() == 0.0
        })
        .map(|v| GridLine {
            y: TOP + plot_h - scale(v),
            label: value_text(v, metric),
        })
        .collect();

    let unit = match bucket {
        Bucket::Hour => "hour",
        Bucket::Day => "day",
        Bucket::Month => "month",
    };
    let peak = rows
        .iter()
        .zip(&values)
        .filter(|(_, v)| **v > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1));
    let description = match peak {
        Some((row, v)) => format!(
            "{} per {unit} over {} {unit}s; the highest was {} with {}.",
            metric.label(),
            points.len(),
            row.label,
            value_text(*v, metric)
        ),
        None => format!("{}: none in any {unit} of this period.", metric.label()),
    };

    ChartModel {
        bars,
        grid,
        overlay,
        description,
        rows,
    }
}

/// The start of the bucket an instant falls in.
fn bucket_start(at: DateTime<Utc>, bucket: Bucket) -> DateTime<Utc> {
    let date = at.date_naive();
    let (date, hour) = match bucket {
        Bucket::Hour => (date, at.hour()),
        Bucket::Day => (date, 0),
        Bucket::Month => (date.with_day(1).unwrap_or(date), 0),
    };
    date.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

/// A series from the instances of one page (for answers without `series`): one point per
/// bucket that holds an instance, oldest first. Revenue is summed in cents.
///
/// ```
/// use campaign_analytics::api::types::Instance;
/// use campaign_analytics::ui::answer::chart::page_series;
/// use campaign_analytics::ui::text::format::Bucket;
/// let i = |t: &str, r: f64| Instance { instance_id: uuid::Uuid::nil(), insider_id: uuid::Uuid::nil(),
///     is_purchase: r > 0.0, purchased_insider_id: None, timestamp: t.parse().unwrap(), revenue: r };
/// let s = page_series(&[i("2026-11-20T10:00:00Z", 0.1), i("2026-11-19T09:00:00Z", 0.0),
///                       i("2026-11-20T01:00:00Z", 0.2)], Bucket::Day);
/// assert_eq!(s.len(), 2);
/// assert_eq!((s[1].total_instances, s[1].purchase_instances, s[1].revenue), (2, 2, 0.3));
/// ```
pub fn page_series(instances: &[Instance], bucket: Bucket) -> Vec<SeriesPoint> {
    let mut buckets: Vec<(DateTime<Utc>, u64, u64, i64)> = Vec::new();
    for i in instances {
        let start = bucket_start(i.timestamp, bucket);
        let cents = (i.revenue * 100.0).round() as i64;
        match buckets.iter_mut().find(|b| b.0 == start) {
            Some(b) => {
                b.1 += 1;
                b.2 += u64::from(i.is_purchase);
                b.3 += cents;
            }
            None => buckets.push((start, 1, u64::from(i.is_purchase), cents)),
        }
    }
    buckets.sort_by_key(|b| b.0);
    buckets
        .into_iter()
        .map(|(period_start, total, purchases, cents)| SeriesPoint {
            period_start,
            total_instances: total,
            purchase_instances: purchases,
            revenue: cents as f64 / 100.0,
        })
        .collect()
}

/// The chart of the answer, with the metric select.
#[component]
pub fn SeriesChart(
    /// The answer shown, if any.
    #[prop(into)]
    response: Signal<Option<Arc<AnalyticsResponse>>>,
    /// The previous period's series (already in the answer's buckets), when compared.
    #[prop(into, optional)]
    previous: Signal<Option<Vec<SeriesPoint>>>,
    /// What the bars show.
    metric: RwSignal<Metric>,
) -> impl IntoView {
    let active = RwSignal::new(None::<usize>);
    // The answer as the chart sees it: a new answer that draws the same chart (the next
    // page of the same window, a refresh) does not tell it, so its bars are not rebuilt.
    let response = Memo::new_with_compare(move |_| response.get(), draws_differently);
    let figure = move || {
        let metric_now = metric.get();
        let previous = previous.get();
        response.with(|r| {
            let r = r.as_ref()?;
            let bucket = Bucket::of(r.data.time_frame);
            let page_only = r.data.series.is_empty();
            let points = if page_only {
                page_series(&r.data.instances, bucket)
            } else {
                r.data.series.clone()
            };
            if points.is_empty() {
                return None;
            }
            let m = model(&points, previous.as_deref(), bucket, metric_now);
            Some(draw(
                m,
                bucket,
                page_only,
                previous.is_some(),
                metric,
                active,
            ))
        })
    };
    view! { {figure} }
}

/// Whether the chart of answer `new` differs from that of `old`: its buckets, its series
/// or, for an answer without one, the instances it charts.
fn draws_differently(
    old: Option<&Option<Arc<AnalyticsResponse>>>,
    new: Option<&Option<Arc<AnalyticsResponse>>>,
) -> bool {
    super::answer_changed(old, new, |a, b| {
        let (a, b) = (&a.data, &b.data);
        a.time_frame != b.time_frame
            || a.series != b.series
            || (a.series.is_empty() && a.instances != b.instances)
    })
}

fn draw(
    m: ChartModel,
    bucket: Bucket,
    page_only: bool,
    compared: bool,
    metric: RwSignal<Metric>,
    active: RwSignal<Option<usize>>,
) -> impl IntoView {
    let unit = match bucket {
        Bucket::Hour => "hour",
        Bucket::Day => "day",
        Bucket::Month => "month",
    };
    // The figure is drawn again when the metric changes, so its words are fixed here.
    let label = metric.get_untracked().label();
    let title = format!(
        "{label} per {unit} (UTC){}",
        if page_only { " — this page only" } else { "" }
    );
    let count = m.bars.len();
    let drawing = Drawing(Rc::new((m, title.clone(), compared.then_some(label))));
    let area = (drawing.clone(), active.get_untracked());
    // One listener of each kind on the area, not three on every bar: focus and keys
    // bubble up to it, and entering a bar reaches it in the capture phase.
    let point_at = move |ev: web_sys::Event| {
        if let Some((area, i)) = bar_of(&ev) {
            active.set(Some(i));
            point(&area, Some(i));
        }
    };
    view! {
        <figure class="chart" class:page-only=page_only>
            <figcaption class="chart-caption">
                <span class="chart-title" data-testid="chart-title">{title}</span>
                <span class="legend">
                    <span class="swatch swatch-bar"></span>"This period"
                    {compared.then(|| view! { <span class="swatch swatch-overlay"></span>"Previous period" })}
                </span>
                {metric_select("Show ", "chart-metric", metric)}
            </figcaption>
            <div
                class="chart-area"
                use:draw_area=area
                on:mouseenter:capture=move |ev| point_at(ev.into())
                on:focusin=move |ev| point_at(ev.into())
                on:mouseleave=move |ev| {
                    active.set(None);
                    if let Some(area) = current(&ev) {
                        point(&area, None);
                    }
                }
                on:keydown=move |ev| {
                    let Some((area, i)) = bar_of(&ev) else { return };
                    let to = match ev.key().as_str() {
                        "ArrowRight" => (i + 1).min(count - 1),
                        "ArrowLeft" => i.saturating_sub(1),
                        "Home" => 0,
                        "End" => count - 1,
                        _ => return,
                    };
                    ev.prevent_default();
                    ev.stop_propagation();
                    let bar = bars(&area).and_then(|bars| bars.item(to as u32));
                    if let Some(bar) = bar.and_then(|b| b.dyn_into::<web_sys::SvgElement>().ok()) {
                        let _ = bar.focus();
                    }
                }
            ></div>
            // The wrapper hides the table: a table itself ignores `width` and `overflow`, so
            // hidden on its own it still widened a 360 px page to its full width.
            <div class="visually-hidden" use:draw_table=drawing></div>
        </figure>
    }
}

/// What [`draw_area`] and [`draw_table`] draw: the model, the title, and the chosen
/// metric's name when the previous period is compared (shared: a directive's value is
/// cloned).
#[derive(Clone)]
struct Drawing(Rc<(ChartModel, String, Option<&'static str>)>);

/// Draws the chart into its area, replacing what it showed: an `svg` with the grid, one
/// `g.chart-bar` per bucket (its bar and, one in every few, its label) and the previous
/// period's line; then the tooltip of bar `active`, if one is pointed at.
fn draw_area(area: web_sys::Element, (Drawing(drawing), active): (Drawing, Option<usize>)) {
    let (m, _, _) = &*drawing;
    // The same `svg` is drawn again (its attributes set anew, its shapes replaced), so a
    // redraw changes the drawing in place.
    let svg = match area.query_selector("svg").ok().flatten() {
        Some(svg) => {
            svg.set_text_content(None);
            svg
        }
        None => match dom::append(&area, dom::SVG, "svg", &[], "") {
            Some(svg) => svg,
            None => return,
        },
    };
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");
    let frame = [
        ("data-testid", "series-chart"),
        ("viewBox", &view_box),
        ("role", "group"),
        ("aria-label", &m.description),
    ];
    for (name, value) in frame {
        let _ = svg.set_attribute(name, value);
    }
    for g in &m.grid {
        let y = g.y.to_string();
        let (x1, x2) = (LEFT.to_string(), (WIDTH - RIGHT).to_string());
        let line = [
            ("class", "chart-grid"),
            ("x1", &x1),
            ("x2", &x2),
            ("y1", &y),
            ("y2", &y),
        ];
        dom::append(&svg, dom::SVG, "line", &line, "");
        text_at(&svg, "chart-axis", (LEFT - 60, g.y + 40), "end", &g.label);
    }
    let roving = active.unwrap_or(0);
    for (i, b) in m.bars.iter().enumerate() {
        let tabindex = if i == roving { "0" } else { "-1" };
        let attrs = [
            ("class", "chart-bar"),
            ("tabindex", tabindex),
            ("role", "img"),
            ("aria-label", &b.tooltip),
        ];
        let Some(g) = dom::append(&svg, dom::SVG, "g", &attrs, "") else {
            continue;
        };
        let (x, y) = (b.x.to_string(), b.y.to_string());
        let (w, h) = (b.width.to_string(), b.height.to_string());
        let shape = [
            ("class", "bar"),
            ("x", &x),
            ("y", &y),
            ("width", &w),
            ("height", &h),
            ("rx", "20"),
        ];
        dom::append(&g, dom::SVG, "rect", &shape, "");
        if b.show_label {
            let at = (b.x + b.width / 2, HEIGHT - 80);
            text_at(&g, "chart-label", at, "middle", &b.label);
        }
    }
    if let Some(points) = &m.overlay {
        let attrs = [("class", "chart-overlay"), ("points", points.as_str())];
        dom::append(&svg, dom::SVG, "polyline", &attrs, "");
    }
    // The tooltip of the bar pointed at shows its new words (or goes, with none); the tab
    // stop was set as the bars were made.
    if let Some(bars) = bars(&area) {
        show_tooltip(&area, &bars, active);
    }
}

/// Appends an SVG text of `class` at `(x, y)`, anchored there at its `anchor`.
fn text_at(parent: &web_sys::Element, class: &str, (x, y): (i32, i32), anchor: &str, text: &str) {
    let (x, y) = (x.to_string(), y.to_string());
    let place = [
        ("class", class),
        ("x", &x),
        ("y", &y),
        ("text-anchor", anchor),
    ];
    dom::append(parent, dom::SVG, "text", &place, text);
}

/// Writes the screen reader's table (every bucket's numbers) into `wrapper`, replacing
/// what it held.
fn draw_table(wrapper: web_sys::Element, Drawing(drawing): Drawing) {
    let (m, title, previous) = &*drawing;
    wrapper.set_text_content(None);
    let Some(table) = dom::append(
        &wrapper,
        dom::HTML,
        "table",
        &[("data-testid", "chart-table")],
        "",
    ) else {
        return;
    };
    dom::append(&table, dom::HTML, "caption", &[], title);
    let head = dom::append(&table, dom::HTML, "thead", &[], "")
        .and_then(|head| dom::append(&head, dom::HTML, "tr", &[], ""));
    if let Some(head) = head {
        let previous = previous.map(|label| format!("Previous period: {label}"));
        for name in [
            "Period",
            "Instances",
            "Purchases",
            "Revenue",
            "Conversion rate",
        ]
        .into_iter()
        .chain(previous.as_deref())
        {
            dom::append(&head, dom::HTML, "th", &[("scope", "col")], name);
        }
    }
    let Some(body) = dom::append(&table, dom::HTML, "tbody", &[], "") else {
        return;
    };
    for r in &m.rows {
        let Some(tr) = dom::append(&body, dom::HTML, "tr", &[], "") else {
            continue;
        };
        dom::append(&tr, dom::HTML, "th", &[("scope", "row")], &r.label);
        for cell in [&r.instances, &r.purchases, &r.revenue, &r.rate]
            .into_iter()
            .chain(&r.previous)
        {
            dom::append(&tr, dom::HTML, "td", &[], cell);
        }
    }
}

/// The element an event's listener sits on.
fn current(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.current_target()?.dyn_into().ok()
}

/// The chart's bars, in order.
fn bars(area: &web_sys::Element) -> Option<web_sys::NodeList> {
    area.query_selector_all(".chart-bar").ok()
}

/// The chart area an event reached, and the index of the bar it happened on (bars are
/// the drawing's only `g` elements, in order).
fn bar_of(ev: &web_sys::Event) -> Option<(web_sys::Element, usize)> {
    let area = current(ev)?;
    let target: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let bar = target.closest(".chart-bar").ok()??;
    let mut index = 0;
    let mut before = bar.previous_element_sibling();
    while let Some(e) = before {
        index += usize::from(e.tag_name() == "g");
        before = e.previous_element_sibling();
    }
    Some((area, index))
}

/// Shows the exact values of bar `i` in the tooltip and makes it the bar in the tab order
/// (roving focus: one tab stop, the arrows move between bars); with `None`, hides the
/// tooltip and gives the tab stop back to the first bar.
fn point(area: &web_sys::Element, i: Option<usize>) {
    let Some(bars) = bars(area) else {
        return;
    };
    let stop = i.unwrap_or(0);
    for n in 0..bars.length() {
        if let Some(bar) = bars
            .item(n)
            .and_then(|b| b.dyn_into::<web_sys::Element>().ok())
        {
            let tabindex = if n as usize == stop { "0" } else { "-1" };
            if bar.get_attribute("tabindex").as_deref() != Some(tabindex) {
                let _ = bar.set_attribute("tabindex", tabindex);
            }
        }
    }
    show_tooltip(area, &bars, i);
}

/// Shows the exact values of bar `i` of `bars` in the area's tooltip; with `None`, hides it.
fn show_tooltip(area: &web_sys::Element, bars: &web_sys::NodeList, i: Option<usize>) {
    let shown = area.query_selector(".chart-tooltip").ok().flatten();
    let Some(bar) = i.and_then(|i| bars.item(i as u32)) else {
        if let Some(shown) = shown {
            shown.remove();
        }
        return;
    };
    let bar: web_sys::Element = bar.unchecked_into();
    // The bar's own words; placed as a share of the width, so it follows the bar however
    // the SVG is scaled.
    let text = bar.get_attribute("aria-label").unwrap_or_default();
    let rect = bar.first_element_child();
    let number = |name| {
        rect.as_ref()
            .and_then(|r| r.get_attribute(name))
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let centre = number("x") + number("width") / 2;
    let left = format!("left: {}%", (centre * 100 / i64::from(WIDTH)).clamp(5, 95));
    // Updated in place: a live region announces a change of its text, not a new region.
    match shown {
        Some(shown) => {
            let _ = shown.set_attribute("style", &left);
            shown.set_text_content(Some(&text));
        }
        None => {
            let place = [
                ("class", "chart-tooltip"),
                ("role", "status"),
                ("style", &left),
            ];
            dom::append(area, dom::HTML, "div", &place, &text);
        }
    }
}

/// The bucket of a time frame's series (re-exported for the shell's comparison).
pub fn bucket_of(time_frame: TimeFrame) -> Bucket {
    Bucket::of(time_frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(day: u32, total: u64, purchases: u64) -> SeriesPoint {
        SeriesPoint {
            period_start: format!("2026-11-{day:02}T00:00:00Z").parse().unwrap(),
            total_instances: total,
            purchase_instances: purchases,
            revenue: purchases as f64 * 10.0,
        }
    }

    #[test]
    fn bars_scale_to_the_busiest_bucket() {
        let points = [point(1, 0, 0), point(2, 10, 5), point(3, 4, 1)];
        let m = model(&points, None, Bucket::Day, Metric::Instances);
        assert_eq!(m.bars.len(), 3);
        let plot_h = HEIGHT - TOP - BOTTOM;
        assert_eq!(m.bars[1].height, plot_h);
        assert_eq!(m.bars[0].height, 0);
        assert!(m.bars[0].x < m.bars[1].x && m.bars[1].x < m.bars[2].x);
        let last = &m.bars[2];
        assert!(last.x + last.width <= WIDTH - RIGHT);
        assert_eq!(
            m.bars[1].tooltip,
            "Nov 2: 10 instances, 5 purchases, $50.00 revenue, 50.0% conversion"
        );
        assert!(m.description.contains("the highest was Nov 2 with 10"));
        assert_eq!(m.grid.len(), 3);
        assert_eq!(m.overlay, None);
        assert_eq!(m.rows[1].revenue, "$50.00");
    }

    #[test]
    fn each_metric_scales_its_own_values() {
        let points = [point(1, 4, 1), point(2, 10, 5)];
        let revenue = model(&points, None, Bucket::Day, Metric::Revenue);
        assert_eq!(revenue.bars[1].height, HEIGHT - TOP - BOTTOM); // $50 of a $50 top
        assert_eq!(revenue.grid.last().unwrap().label, "$50.00");
        let rate = model(&points, None, Bucket::Day, Metric::ConversionRate);
        // 25% and 50% under a 50% top.
        assert_eq!(rate.bars[0].height * 2, rate.bars[1].height);
        assert_eq!(rate.grid.last().unwrap().label, "50.0%");
        let purchases = model(&points, None, Bucket::Day, Metric::Purchases);
        assert_eq!(
            purchases
                .grid
                .iter()
                .map(|g| g.label.as_str())
                .collect::<Vec<_>>(),
            ["0", "5"]
        );
    }

    #[test]
    fn the_previous_period_is_overlaid_and_scales_the_axis() {
        let points = [point(1, 4, 1), point(2, 5, 2)];
        let before = [point(1, 20, 1), point(2, 0, 0), point(3, 7, 0)];
        let m = model(&points, Some(&before), Bucket::Day, Metric::Instances);
        let overlay = m.overlay.unwrap();
        assert_eq!(
            overlay.split(' ').count(),
            2,
            "aligned to the shown buckets"
        );
        assert!(
            overlay.ends_with(&format!(",{}", HEIGHT - BOTTOM)),
            "{overlay}"
        );
        assert!(m.bars[0].tooltip.ends_with("previous period: 20 instances"));
        assert_eq!(m.rows[0].previous.as_deref(), Some("20"));
        assert_eq!(m.grid.last().unwrap().label, "20");
    }

    #[test]
    fn labels_are_thinned_out_and_empty_periods_still_draw() {
        let points: Vec<_> = (1..=30).map(|d| point(d, d as u64, 0)).collect();
        let m = model(&points, None, Bucket::Day, Metric::Instances);
        let shown = m.bars.iter().filter(|b| b.show_label).count();
        assert!((4..=MAX_LABELS).contains(&shown), "{shown}");
        let m = model(&[point(1, 0, 0)], None, Bucket::Day, Metric::Instances);
        assert!(m.description.contains("none in any day"));
        assert!(model(&[], None, Bucket::Hour, Metric::Revenue)
            .bars
            .is_empty());
    }
}
