//! The time-series chart: one metric of `data.series` (instances, purchases, revenue or
//! conversion rate, `chart-metric`) as bars, one per bucket, with the previous period
//! overlaid as a line when compare is on. Hovering or focusing a bar (arrow keys move
//! between bars) shows its exact values; a visually hidden table gives screen readers
//! every number. Drawn as inline SVG built from view nodes: every label is a text node,
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
use std::sync::Arc;

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

    let bars = points
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(i, (p, v))| {
            let height = scale(*v);
            let label = format::bucket_label(p.period_start, bucket);
            let mut tooltip = format!(
                "{label}: {} {}, {} {}, {} revenue, {} conversion",
                format::count(p.total_instances),
                if p.total_instances == 1 {
                    "instance"
                } else {
                    "instances"
                },
                format::count(p.purchase_instances),
                if p.purchase_instances == 1 {
                    "purchase"
                } else {
                    "purchases"
                },
                format::money(p.revenue),
                format::percent(value(p, Metric::ConversionRate)),
            );
            if let Some(b) = before.get(i) {
                tooltip.push_str(&format!(
                    "; previous period: {} {}",
                    value_text(*b, metric),
                    // The labels are ASCII: Unicode case mapping would bring its tables
                    // (4 KB of the first load) for these four words.
                    metric.label().to_ascii_lowercase()
                ));
            }
            Bar {
                x: LEFT + (slot * i as f64 + gap / 2.0).round() as i32,
                width: ((slot - gap).round() as i32).max(10),
                y: TOP + plot_h - height,
                height,
                show_label: i % label_every == 0,
                label,
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
    let peak = points
        .iter()
        .zip(&values)
        .filter(|(_, v)| **v > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1));
    let description = match peak {
        Some((p, v)) => format!(
            "{} per {unit} over {} {unit}s; the highest was {} with {}.",
            metric.label(),
            points.len(),
            format::bucket_label(p.period_start, bucket),
            value_text(*v, metric)
        ),
        None => format!("{}: none in any {unit} of this period.", metric.label()),
    };

    let rows = points
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
    let count = m.bars.len();
    let tips: Vec<(i32, String)> = m
        .bars
        .iter()
        .map(|b| (b.x + b.width / 2, b.tooltip.clone()))
        .collect();
    let bars = m
        .bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let label_x = b.x + b.width / 2;
            let label = b.show_label.then(|| {
                view! {
                    <text class="chart-label" x=label_x y=HEIGHT - 80 text-anchor="middle">
                        {b.label.clone()}
                    </text>
                }
            });
            // Roving focus: one bar is in the tab order; arrows move between them.
            let tabindex = Signal::derive(move || {
                if active.get().unwrap_or(0) == i {
                    "0"
                } else {
                    "-1"
                }
                .to_owned()
            });
            view! {
                <g
                    class="chart-bar"
                    tabindex=tabindex
                    role="img"
                    aria-label=b.tooltip
                    on:mouseenter=move |_| active.set(Some(i))
                    on:focus=move |_| active.set(Some(i))
                    on:keydown=move |ev| {
                        let to = match ev.key().as_str() {
                            "ArrowRight" => (i + 1).min(count - 1),
                            "ArrowLeft" => i.saturating_sub(1),
                            "Home" => 0,
                            "End" => count - 1,
                            _ => return,
                        };
                        ev.prevent_default();
                        ev.stop_propagation();
                        focus_bar(to);
                    }
                >
                    <rect class="bar" x=b.x y=b.y width=b.width height=b.height rx="20"></rect>
                    {label}
                </g>
            }
        })
        .collect_view();
    let grid = m
        .grid
        .into_iter()
        .map(|g| {
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=g.y y2=g.y></line>
                <text class="chart-axis" x=LEFT - 60 y=g.y + 40 text-anchor="end">{g.label}</text>
            }
        })
        .collect_view();
    let overlay = m.overlay.map(|points| {
        view! { <polyline class="chart-overlay" points=points></polyline> }
    });
    let tooltip = move || {
        let i = active.get()?;
        let (x, text) = tips.get(i)?.clone();
        // As a share of the width, so it follows the bar however the SVG is scaled.
        let left = format!(
            "left: {}%",
            (i64::from(x) * 100 / i64::from(WIDTH)).clamp(5, 95)
        );
        Some(view! { <div class="chart-tooltip" role="status" style=left>{text}</div> })
    };
    let unit = match bucket {
        Bucket::Hour => "hour",
        Bucket::Day => "day",
        Bucket::Month => "month",
    };
    let title = move || {
        format!(
            "{} per {unit} (UTC){}",
            metric.get().label(),
            if page_only { " — this page only" } else { "" }
        )
    };
    let rows = m
        .rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{r.label}</th>
                    <td>{r.instances}</td>
                    <td>{r.purchases}</td>
                    <td>{r.revenue}</td>
                    <td>{r.rate}</td>
                    {r.previous.map(|p| view! { <td>{p}</td> })}
                </tr>
            }
        })
        .collect_view();
    let previous_head = compared.then(|| {
        view! { <th scope="col">{move || format!("Previous period: {}", metric.get().label())}</th> }
    });
    let view_box = format!("0 0 {WIDTH} {HEIGHT}");
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
            <div class="chart-area" on:mouseleave=move |_| active.set(None)>
                <svg data-testid="series-chart" viewBox=view_box role="group" aria-label=m.description>
                    {grid}
                    {bars}
                    {overlay}
                </svg>
                {tooltip}
            </div>
            // The wrapper hides the table: a table itself ignores `width` and `overflow`, so
            // hidden on its own it still widened a 360 px page to its full width.
            <div class="visually-hidden">
            <table data-testid="chart-table">
                <caption>{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Period"</th>
                        <th scope="col">"Instances"</th>
                        <th scope="col">"Purchases"</th>
                        <th scope="col">"Revenue"</th>
                        <th scope="col">"Conversion rate"</th>
                        {previous_head}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        </figure>
    }
}

/// Moves the keyboard focus to bar `i` of the chart.
fn focus_bar(i: usize) {
    let bar = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector_all("[data-testid=\"series-chart\"] .chart-bar")
                .ok()
        })
        .and_then(|bars| bars.item(i as u32));
    if let Some(bar) = bar {
        let bar: web_sys::SvgElement = wasm_bindgen::JsCast::unchecked_into(bar);
        let _ = bar.focus();
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
