//! The time-series chart: `data.series` as bars, one per bucket (instances, with the
//! purchases among them highlighted). Drawn as inline SVG built from Leptos view nodes, so
//! every label is a text node and nothing from the server is ever parsed as markup.
//!
//! The geometry is computed by [`model`], a plain function tested natively; the component
//! only maps it to `<rect>` and `<text>` elements.

use crate::api::types::{AnalyticsResponse, SeriesPoint};
use leptos::prelude::*;
use std::sync::Arc;

use super::format::{self, Bucket};

/// The drawing's coordinate system (the SVG scales to its container). Coordinates are
/// whole numbers in tenths of a unit: the page never prints a float.
pub const WIDTH: i32 = 7200;
pub const HEIGHT: i32 = 2200;
const LEFT: i32 = 440;
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
    /// Top and height of the whole bar (all instances).
    pub total_y: i32,
    pub total_h: i32,
    /// Top and height of the purchases part (drawn over the bottom of the bar).
    pub purchase_y: i32,
    pub purchase_h: i32,
    pub label: String,
    /// Whether the label is drawn under the axis (one in every few).
    pub show_label: bool,
    /// The bucket's numbers in words, for the tooltip.
    pub tooltip: String,
}

/// A horizontal grid line and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct GridLine {
    pub y: i32,
    pub label: String,
}

/// Everything the chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartModel {
    pub bars: Vec<Bar>,
    pub grid: Vec<GridLine>,
    /// The top of the y axis (a round number at or above the busiest bucket).
    pub y_max: u64,
    /// A one-sentence description for screen readers.
    pub description: String,
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `n` (at least 1), so grid lines fall on
/// round values.
///
/// ```
/// # use campaign_analytics::ui::chart::nice_ceiling;
/// assert_eq!(nice_ceiling(0), 1);
/// assert_eq!(nice_ceiling(7), 10);
/// assert_eq!(nice_ceiling(12), 20);
/// assert_eq!(nice_ceiling(51), 100);
/// ```
pub fn nice_ceiling(n: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= n {
                return candidate;
            }
        }
        if step > u64::MAX / 10 {
            return u64::MAX;
        }
        step *= 10;
    }
}

/// Lays out `points` (oldest first) as bars.
pub fn model(points: &[SeriesPoint], bucket: Bucket) -> ChartModel {
    let busiest = points.iter().map(|p| p.total_instances).max().unwrap_or(0);
    let y_max = nice_ceiling(busiest.max(1));
    let plot_w = f64::from(WIDTH - LEFT - RIGHT);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / points.len().max(1) as f64;
    let gap = (slot * 0.2).min(60.0);
    let scale = |v: u64| (f64::from(plot_h) * (v.min(y_max) as f64 / y_max as f64)).round() as i32;
    let label_every = points.len().div_ceil(MAX_LABELS).max(1);

    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let total_h = scale(p.total_instances);
            let purchase_h = scale(p.purchase_instances.min(p.total_instances));
            let label = format::bucket_label(p.period_start, bucket);
            let tooltip = format!(
                "{label}: {} {}, {} {}, {} revenue",
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
                format::money(p.revenue)
            );
            Bar {
                x: LEFT + (slot * i as f64 + gap / 2.0).round() as i32,
                width: ((slot - gap).round() as i32).max(10),
                total_y: TOP + plot_h - total_h,
                total_h,
                purchase_y: TOP + plot_h - purchase_h,
                purchase_h,
                show_label: i % label_every == 0,
                label,
                tooltip,
            }
        })
        .collect();

    // Grid lines on whole numbers only: halfway when the top is even.
    let grid = [0, y_max / 2, y_max]
        .into_iter()
        .filter(|v| *v == 0 || *v == y_max || y_max % 2 == 0)
        .map(|v| GridLine {
            y: TOP + plot_h - scale(v),
            label: format::count(v),
        })
        .collect();

    let unit = match bucket {
        Bucket::Hour => "hour",
        Bucket::Day => "day",
        Bucket::Month => "month",
    };
    let description = match points.iter().max_by_key(|p| p.total_instances) {
        Some(peak) if peak.total_instances > 0 => format!(
            "Instances per {unit} over {} {unit}s; the busiest {unit} was {} with {}.",
            points.len(),
            format::bucket_label(peak.period_start, bucket),
            format::count(peak.total_instances)
        ),
        _ => format!("No instances in any {unit} of this period."),
    };

    ChartModel {
        bars,
        grid,
        y_max,
        description,
    }
}

/// The chart of the answer's `data.series`.
#[component]
pub fn SeriesChart(
    /// The answer shown, if any.
    #[prop(into)]
    response: Signal<Option<Arc<AnalyticsResponse>>>,
) -> impl IntoView {
    let chart = move || {
        response.with(|r| {
            let r = r.as_ref()?;
            if r.data.series.is_empty() {
                return None;
            }
            let bucket = Bucket::of(r.data.time_frame);
            let m = model(&r.data.series, bucket);
            let bars = m
                .bars
                .into_iter()
                .map(|b| {
                    let label_x = b.x + b.width / 2;
                    let label = b.show_label.then(|| {
                        view! {
                            <text class="chart-label" x=label_x y=HEIGHT - 80 text-anchor="middle">
                                {b.label.clone()}
                            </text>
                        }
                    });
                    view! {
                        <g class="chart-bar">
                            <title>{b.tooltip}</title>
                            <rect class="bar-total" x=b.x y=b.total_y width=b.width height=b.total_h rx="20"></rect>
                            <rect class="bar-purchase" x=b.x y=b.purchase_y width=b.width height=b.purchase_h rx="20"></rect>
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
            let view_box = format!("0 0 {WIDTH} {HEIGHT}");
            Some(view! {
                <figure class="chart">
                    <figcaption class="chart-caption">
                        <span>"Activity over the period (UTC)"</span>
                        <span class="legend">
                            <span class="swatch swatch-total"></span>"Instances"
                            <span class="swatch swatch-purchase"></span>"Purchases"
                        </span>
                    </figcaption>
                    <svg
                        data-testid="series-chart"
                        viewBox=view_box
                        role="img"
                        aria-label=m.description
                    >
                        {grid}
                        {bars}
                    </svg>
                </figure>
            })
        })
    };
    view! { {chart} }
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
        let m = model(&points, Bucket::Day);
        assert_eq!(m.y_max, 10);
        assert_eq!(m.bars.len(), 3);
        let plot_h = HEIGHT - TOP - BOTTOM;
        assert_eq!(m.bars[1].total_h, plot_h);
        assert_eq!(m.bars[1].purchase_h, plot_h / 2);
        assert_eq!(m.bars[0].total_h, 0);
        // bars go left to right, inside the drawing
        assert!(m.bars[0].x < m.bars[1].x && m.bars[1].x < m.bars[2].x);
        let last = &m.bars[2];
        assert!(last.x + last.width <= WIDTH - RIGHT);
        assert_eq!(
            m.bars[1].tooltip,
            "Nov 2: 10 instances, 5 purchases, $50.00 revenue"
        );
        assert!(m.description.contains("busiest day was Nov 2 with 10"));
        assert_eq!(m.grid.len(), 3);
        let m = model(&[point(1, 5, 0)], Bucket::Day);
        let labels: Vec<&str> = m.grid.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["0", "5"]);
    }

    #[test]
    fn labels_are_thinned_out() {
        let points: Vec<_> = (1..=30).map(|d| point(d, d as u64, 0)).collect();
        let m = model(&points, Bucket::Day);
        let shown = m.bars.iter().filter(|b| b.show_label).count();
        assert!((4..=MAX_LABELS).contains(&shown), "{shown}");
    }

    #[test]
    fn an_empty_period_still_draws() {
        let m = model(&[point(1, 0, 0)], Bucket::Day);
        assert_eq!(m.y_max, 1);
        assert!(m.description.starts_with("No instances"));
        let m = model(&[], Bucket::Hour);
        assert!(m.bars.is_empty());
    }
}
