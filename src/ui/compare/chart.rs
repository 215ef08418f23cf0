//! The compared campaigns' series on one chart: one line per campaign, for the metric
//! chosen (`compare-metric`), over the common period. The geometry is [`model`], a plain
//! function tested natively; the component only maps it to SVG elements (text nodes only).

use crate::api::types::SeriesPoint;
use leptos::prelude::*;

use crate::ui::answer::chart::{metric_select, nice_ceiling, value, value_text, HEIGHT, WIDTH};
use crate::ui::state::Metric;
use crate::ui::text::format::{self, Bucket};

const LEFT: i32 = 560;
const RIGHT: i32 = 80;
const TOP: i32 = 100;
const BOTTOM: i32 = 260;
const MAX_LABELS: usize = 8;

/// Everything the chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Lines {
    /// One polyline (`x,y x,y …`) per campaign, in the order given.
    pub lines: Vec<String>,
    /// Horizontal grid lines: (y, value in words).
    pub grid: Vec<(i32, String)>,
    /// Bucket labels under the axis: (x, label).
    pub labels: Vec<(i32, String)>,
    /// A sentence for screen readers.
    pub description: String,
}

/// Lays out each campaign's `series` (oldest first, the same buckets for all: the same
/// period) for `metric`, on one scale.
pub fn model(series: &[&[SeriesPoint]], names: &[String], bucket: Bucket, metric: Metric) -> Lines {
    let buckets = series.iter().map(|s| s.len()).max().unwrap_or(0);
    let top = series
        .iter()
        .flat_map(|s| s.iter().map(|p| value(p, metric)))
        .fold(0.0, f64::max);
    let y_max = if matches!(metric, Metric::Instances | Metric::Purchases) {
        nice_ceiling(top.ceil().max(1.0))
    } else {
        nice_ceiling(top)
    };
    let plot_h = f64::from(HEIGHT - TOP - BOTTOM);
    let slot = f64::from(WIDTH - LEFT - RIGHT) / buckets.max(1) as f64;
    let x = |i: usize| LEFT + (slot * (i as f64 + 0.5)).round() as i32;
    let y = |v: f64| TOP + (plot_h * (1.0 - v.clamp(0.0, y_max) / y_max)).round() as i32;
    let lines = series
        .iter()
        .map(|s| {
            s.iter()
                .enumerate()
                .map(|(i, p)| format!("{},{}", x(i), y(value(p, metric))))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let grid = [0.0, y_max / 2.0, y_max]
        .into_iter()
        .filter(|v| !matches!(metric, Metric::Instances | Metric::Purchases) || v.fract() == 0.0)
        .map(|v| (y(v), value_text(v, metric)))
        .collect();
    let every = buckets.div_ceil(MAX_LABELS).max(1);
    let first = series
        .iter()
        .max_by_key(|s| s.len())
        .copied()
        .unwrap_or_default();
    let labels = first
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, p)| (x(i), format::bucket_label(p.period_start, bucket)))
        .collect();
    let totals: Vec<String> = series
        .iter()
        .zip(names)
        .map(|(s, name)| {
            let peak = s.iter().map(|p| value(p, metric)).fold(0.0, f64::max);
            format!("{name}: highest {}", value_text(peak, metric))
        })
        .collect();
    let description = format!(
        "{} of {} campaigns over {buckets} buckets. {}.",
        metric.label(),
        series.len(),
        totals.join("; ")
    );
    Lines {
        lines,
        grid,
        labels,
        description,
    }
}

/// The chart of `series` (campaign id, name, points), with its metric select.
#[component]
pub fn CompareChart(
    #[prop(into)] series: Signal<Vec<(String, String, Vec<SeriesPoint>)>>,
    #[prop(into)] bucket: Signal<Bucket>,
    metric: RwSignal<Metric>,
) -> impl IntoView {
    let drawing = move || {
        series.with(|all| {
            if all.is_empty() {
                return None;
            }
            let points: Vec<&[SeriesPoint]> = all.iter().map(|(_, _, s)| s.as_slice()).collect();
            let names: Vec<String> = all.iter().map(|(_, n, _)| n.clone()).collect();
            let m = model(&points, &names, bucket.get(), metric.get());
            let lines = m
                .lines
                .into_iter()
                .zip(all)
                .enumerate()
                .map(|(i, (points, (id, _, _)))| {
                    view! { <polyline class=format!("compare-line line-{i}") data-campaign-id=id.clone() points=points></polyline> }
                })
                .collect_view();
            let grid = m
                .grid
                .into_iter()
                .map(|(y, label)| {
                    view! {
                        <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y></line>
                        <text class="chart-axis" x=LEFT - 60 y=y + 40 text-anchor="end">{label}</text>
                    }
                })
                .collect_view();
            let labels = m
                .labels
                .into_iter()
                .map(|(x, label)| {
                    view! { <text class="chart-label" x=x y=HEIGHT - 80 text-anchor="middle">{label}</text> }
                })
                .collect_view();
            let legend = names
                .into_iter()
                .enumerate()
                .map(|(i, name)| view! { <span class=format!("swatch line-{i}")></span>{name} })
                .collect_view();
            Some(view! {
                <span class="legend">{legend}</span>
                <svg data-testid="compare-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=m.description>
                    {grid}
                    {labels}
                    {lines}
                </svg>
            })
        })
    };
    view! {
        <figure class="chart" hidden=Signal::derive(move || series.with(Vec::is_empty))>
            <figcaption class="chart-caption">
                {metric_select("Chart ", "compare-metric", metric)}
            </figcaption>
            {drawing}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(values: &[(u64, u64, f64)]) -> Vec<SeriesPoint> {
        values
            .iter()
            .enumerate()
            .map(|(d, &(total, purchases, revenue))| SeriesPoint {
                period_start: format!("2026-11-{:02}T00:00:00Z", d + 1).parse().unwrap(),
                total_instances: total,
                purchase_instances: purchases,
                revenue,
            })
            .collect()
    }

    #[test]
    fn every_campaign_is_a_line_on_one_scale() {
        let a = points(&[(2, 1, 5.0), (4, 2, 20.0), (0, 0, 0.0)]);
        let b = points(&[(8, 1, 10.0), (1, 0, 0.0), (3, 3, 40.0)]);
        let names = ["A".to_owned(), "B".to_owned()];
        let m = model(&[&a, &b], &names, Bucket::Day, Metric::Instances);
        assert_eq!(m.lines.len(), 2);
        let ys = |line: &str| -> Vec<i32> {
            line.split(' ')
                .map(|p| p.split_once(',').unwrap().1.parse().unwrap())
                .collect()
        };
        // The busiest bucket of all (8 instances, of B) is the top of the plot (a 10 scale).
        let bottom = HEIGHT - BOTTOM;
        let plot = HEIGHT - TOP - BOTTOM;
        assert_eq!(ys(&m.lines[1])[0], bottom - plot * 8 / 10);
        assert_eq!(ys(&m.lines[0])[2], bottom);
        assert_eq!(m.grid.last().unwrap().1, "10");
        assert_eq!(m.labels.len(), 3);
        assert!(m.description.contains("B: highest 8"), "{}", m.description);
        // Revenue: the same x positions, its own scale ($40 under a $50 top).
        let r = model(&[&a, &b], &names, Bucket::Day, Metric::Revenue);
        assert_eq!(ys(&r.lines[1])[2], bottom - plot * 4 / 5);
        assert_eq!(r.grid.last().unwrap().1, "$50.00");
    }

    #[test]
    fn no_campaign_draws_nothing() {
        let m = model(&[], &[], Bucket::Month, Metric::ConversionRate);
        assert!(m.lines.is_empty() && m.labels.is_empty());
    }
}
