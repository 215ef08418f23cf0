//! Whole-window analysis (contract §5 "Whole-window analysis"): fetching every page of the
//! shown window through the request engine ([`crate::engine::window`]), and the insider
//! leaderboard, the explained figures and the whole-window export built on it. The
//! aggregation itself is pure and lives in [`crate::analysis`]; here are the state, the
//! words, and thin components ([`panel`]).
//!
//! Responsiveness: each page is folded into the [`Aggregator`] as it arrives (100
//! instances, a few microseconds), so no step of an analysis is a long task; only
//! [`Aggregator::finish`] looks at the whole window, once, when the last page is in.
//! `scripts/bench-analysis.sh` measures both against the page's own baseline.

pub mod panel;

use crate::analysis::{Aggregator, Analysis, Coverage, Ratio, SortKey, SortOrder};
use crate::api::types::AnalyticsResponse;
use crate::contract::AnalyticsQuery;
use crate::engine::window::{self, Progress, WindowEvent};
use crate::ui::platform::browser;
use crate::ui::port::panel::PageLink;
use crate::ui::port::{PageState, ShownWire, WindowEnd};
use crate::ui::text::format;
use leptos::prelude::*;
use std::sync::Arc;

/// A finished analysis: the window it read and what it found.
pub struct Finished {
    /// Page 1 of the window as fetched (its query, `limit=100`, and the filter read).
    pub first: AnalyticsQuery,
    pub analysis: Analysis,
    /// Every instance, for the export.
    pub fold: Aggregator,
    /// Page 1's answer: the window, the summary and the series.
    pub page1: Arc<AnalyticsResponse>,
}

/// Where an analysis stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Run {
    #[default]
    Idle,
    Running {
        first: AnalyticsQuery,
        progress: Progress,
        /// Waiting for the quota until then (Unix seconds).
        paused_until: Option<i64>,
    },
    /// Stopped before the end (cancelled or failed): why, in words.
    Stopped(String),
    Done,
}

/// The analysis' signals; copyable. It sees the page through the port ([`PageLink`]),
/// and every request it makes goes through the page's engine.
#[derive(Clone, Copy)]
pub struct Analyst {
    /// The page as it last said it was.
    pub page: RwSignal<PageState>,
    link: StoredValue<PageLink, LocalStorage>,
    /// Read the purchases only (`is_purchase=true`).
    pub purchases_only: RwSignal<bool>,
    pub run: RwSignal<Run>,
    pub result: RwSignal<Option<Arc<Finished>>, LocalStorage>,
    pub sort: RwSignal<(SortKey, SortOrder)>,
    pub show_all: RwSignal<bool>,
    /// Bumped by every start: a replaced analysis' end is dropped.
    generation: StoredValue<u64>,
}

impl Analyst {
    pub fn new(link: PageLink) -> Analyst {
        let page = RwSignal::new(PageState::default());
        link.subscribe(move |state| {
            // Nothing to do once the panel is gone.
            let _ = page.try_set(state);
        });
        Analyst {
            page,
            link: StoredValue::new_local(link),
            purchases_only: RwSignal::new(false),
            run: RwSignal::new(Run::Idle),
            result: RwSignal::new_local(None),
            sort: RwSignal::new((SortKey::Revenue, SortOrder::Descending)),
            show_all: RwSignal::new(false),
            generation: StoredValue::new(0),
        }
    }

    /// The answer on screen and page 1 of its whole-window fetch in the chosen mode.
    pub fn target(&self) -> Option<(ShownWire, AnalyticsQuery)> {
        let shown = self.page.with(|p| p.shown.clone())?;
        let first = window::window_query(&shown.query.parse()?, self.purchases_only.get());
        Some((shown, first))
    }

    /// The instances the fetch reads, from the summary on screen.
    pub fn matching(shown: &ShownWire, purchases_only: bool) -> u64 {
        if purchases_only {
            shown.purchase_instances
        } else {
            shown.total_instances
        }
    }

    /// What analysing the shown window would cost now (tracks the cache and the quota).
    pub fn cost(&self) -> Option<window::WindowCost> {
        self.page.track();
        let (shown, first) = self.target()?;
        let matching = Analyst::matching(&shown, self.purchases_only.get());
        self.link
            .with_value(|link| link.window_cost(&first, matching))
    }

    /// The finished analysis of the window on screen (in the chosen mode), if there is one.
    pub fn current(&self) -> Option<Arc<Finished>> {
        let (_, first) = self.target()?;
        self.result.get().filter(|f| f.first == first)
    }

    pub fn is_running(&self) -> bool {
        self.run.with(|r| matches!(r, Run::Running { .. }))
    }

    /// `analysis-cancel`: stops at once (the request in flight is aborted).
    pub fn cancel(&self) {
        self.link.with_value(PageLink::cancel_analysis);
    }

    /// `analyze-window`: fetches and folds every page of the shown window; with
    /// `then_export`, downloads the instances when it is done.
    pub fn start(&self, then_export: bool) {
        let Some((shown, first)) = untrack(|| self.target()) else {
            return;
        };
        if !self.page.with_untracked(|p| p.connected) {
            return;
        }
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let purchases_only = first.purchase() != crate::contract::PurchaseFilter::All;
        let coverage = if purchases_only {
            Coverage::PurchasesOnly
        } else {
            Coverage::All
        };
        let matching = Analyst::matching(&shown, purchases_only);
        let expected = window::pages_for(matching);
        self.run.set(Run::Running {
            first,
            progress: Progress {
                pages_done: 0,
                pages_total: expected,
                requests: 0,
            },
            paused_until: None,
        });
        self.show_all.set(false);
        let me = *self;
        let link = self.link.get_value();
        leptos::task::spawn_local(async move {
            let mut fold = Aggregator::new(coverage);
            // Sized for the window up front: no page's fold grows the tables.
            fold.reserve(matching.min(1_000_000) as usize);
            let mut page1 = None::<Arc<AnalyticsResponse>>;
            let end = link
                .analyze(&first, expected, |event| match event {
                    WindowEvent::Page { page, response, .. } => {
                        fold.add_page(page, &response.data.instances);
                        if page == 1 {
                            page1 = Some(response);
                        }
                    }
                    WindowEvent::Progress(p) => me.set_running(|progress, paused| {
                        *progress = p;
                        *paused = None;
                    }),
                    WindowEvent::Paused { until_secs } => {
                        me.set_running(|_, paused| *paused = Some(until_secs))
                    }
                    WindowEvent::Resumed => me.set_running(|_, paused| *paused = None),
                })
                .await;
            if me.generation.get_value() != generation {
                return;
            }
            match (end, page1) {
                (WindowEnd::Done, Some(page1)) => {
                    let analysis = fold.finish();
                    let finished = Arc::new(Finished {
                        first,
                        analysis,
                        fold,
                        page1,
                    });
                    me.result.set(Some(finished.clone()));
                    me.run.set(Run::Done);
                    if then_export {
                        export(&finished, ExportKind::Instances);
                    }
                }
                (WindowEnd::Done, None) => me.run.set(Run::Stopped(
                    "The window's first page did not arrive.".into(),
                )),
                (WindowEnd::Cancelled(p), _) => me.run.set(Run::Stopped(cancelled_text(p))),
                (
                    WindowEnd::Failed {
                        page,
                        title,
                        message,
                    },
                    _,
                ) => me.run.set(Run::Stopped(format!(
                    "Stopped at page {page}: {title}. {message}"
                ))),
            }
        });
    }

    fn set_running(&self, change: impl FnOnce(&mut Progress, &mut Option<i64>)) {
        self.run.update(|r| {
            if let Run::Running {
                progress,
                paused_until,
                ..
            } = r
            {
                change(progress, paused_until);
            }
        });
    }

    /// Downloads one of the finished analysis' files.
    pub fn export(&self, kind: ExportKind) {
        if let Some(finished) = untrack(|| self.current()) {
            export(&finished, kind);
        }
    }
}

/// The files of the whole-window export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    Instances,
    Summary,
    Series,
}

fn export(finished: &Finished, kind: ExportKind) -> bool {
    use crate::analysis::export::{self as csv, FileKind};
    let data = &finished.page1.data;
    let campaign = data.campaign_id.hyphenated().to_string();
    let (text, file) = match kind {
        ExportKind::Instances => (
            csv::instances_csv(finished.fold.instances()),
            FileKind::Instances,
        ),
        ExportKind::Summary => (
            csv::summary_csv(&campaign, data.window, &finished.analysis),
            FileKind::Summary,
        ),
        ExportKind::Series => (csv::series_csv(&data.series), FileKind::Series),
    };
    let name = csv::file_name(&campaign, data.window, data.time_frame.as_str(), file);
    browser::download(&name, "text/csv;charset=utf-8", &text)
}

/// `analysis-progress` while it runs: pages of pages, requests, and a pause's countdown.
///
/// ```
/// use campaign_analytics::engine::window::Progress;
/// use campaign_analytics::ui::analysis::progress_text;
/// let p = Progress { pages_done: 2, pages_total: 5, requests: 2 };
/// assert_eq!(progress_text(p, None, 0), "2 of 5 pages fetched · 2 requests spent");
/// assert!(progress_text(p, Some(1_000), 880).ends_with("resumes by itself in 2 min."));
/// ```
pub fn progress_text(progress: Progress, paused_until: Option<i64>, now_secs: i64) -> String {
    let mut text = format!(
        "{} of {} pages fetched · {} spent",
        progress.pages_done,
        progress.pages_total,
        crate::engine::budget::requests(u64::from(progress.requests))
    );
    if let Some(until) = paused_until {
        text.push_str(&format!(
            " · paused: the quota is down to its reserve of {} requests; it resumes by itself in {}.",
            window::RESERVE,
            format::duration((until - now_secs).max(0) as u64)
        ));
    }
    text
}

fn cancelled_text(p: Progress) -> String {
    format!(
        "Cancelled after {} of {} pages ({} spent). The pages fetched stay cached for five minutes: analysing again reuses them.",
        p.pages_done,
        p.pages_total,
        crate::engine::budget::requests(u64::from(p.requests))
    )
}

/// A share as a percentage, or a dash when it is a share of nothing.
///
/// ```
/// use campaign_analytics::analysis::Ratio;
/// use campaign_analytics::ui::analysis::share;
/// assert_eq!(share(Ratio::new(1, 4)), "25.0%");
/// assert_eq!(share(Ratio::new(0, 0)), "—");
/// ```
pub fn share(r: Ratio) -> String {
    r.value()
        .map(format::percent)
        .unwrap_or_else(|| "—".to_owned())
}

/// Cents as money.
pub fn money_cents(cents: i64) -> String {
    format::money(cents as f64 / 100.0)
}
