//! Pagination controls, driven only by the answer's `pagination` (never by guesses about
//! the data): first / previous / next / last, "Page X of Y", "Showing a–b of N".

use crate::api::types::Pagination;
use leptos::prelude::*;

use crate::ui::text::format;

/// "Page 2 of 3". A query with no result at all is still on page 1 of 1.
///
/// ```
/// use campaign_analytics::api::types::Pagination;
/// use campaign_analytics::ui::answer::pagination::status_text;
/// assert_eq!(status_text(&Pagination::new(2, 50, 120)), "Page 2 of 3");
/// assert_eq!(status_text(&Pagination::new(1, 50, 0)), "Page 1 of 1");
/// ```
pub fn status_text(p: &Pagination) -> String {
    format!(
        "Page {} of {}",
        format::count(u64::from(p.page)),
        format::count(p.total_pages.max(1))
    )
}

/// The 1-based positions of the first and last item on the page, if it holds any.
///
/// ```
/// use campaign_analytics::api::types::Pagination;
/// use campaign_analytics::ui::answer::pagination::item_range;
/// assert_eq!(item_range(&Pagination::new(2, 50, 120), 50), Some((51, 100)));
/// assert_eq!(item_range(&Pagination::new(3, 50, 120), 20), Some((101, 120)));
/// assert_eq!(item_range(&Pagination::new(4, 50, 120), 0), None);
/// ```
pub fn item_range(p: &Pagination, shown: usize) -> Option<(u64, u64)> {
    if shown == 0 {
        return None;
    }
    let first = u64::from(p.page.saturating_sub(1)) * u64::from(p.limit) + 1;
    Some((first, first + shown as u64 - 1))
}

/// "Showing 51–100 of 120".
pub fn range_text(p: &Pagination, shown: usize) -> String {
    match item_range(p, shown) {
        Some((a, b)) => format!(
            "Showing {}–{} of {}",
            format::count(a),
            format::count(b),
            format::count(p.total)
        ),
        None if p.total == 0 => "No instances to show".to_owned(),
        None => format!("Showing none of {}", format::count(p.total)),
    }
}

/// Where each control goes, or `None` when it is disabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    pub first: Option<u32>,
    pub prev: Option<u32>,
    pub next: Option<u32>,
    pub last: Option<u32>,
}

/// The page each control leads to. Past the end, "previous" and "last" lead back.
///
/// ```
/// use campaign_analytics::api::types::Pagination;
/// use campaign_analytics::ui::answer::pagination::targets;
/// let t = targets(&Pagination::new(2, 50, 120));
/// assert_eq!((t.first, t.prev, t.next, t.last), (Some(1), Some(1), Some(3), Some(3)));
/// let t = targets(&Pagination::new(1, 50, 10));
/// assert_eq!((t.first, t.prev, t.next, t.last), (None, None, None, None));
/// ```
pub fn targets(p: &Pagination) -> Targets {
    let last = u32::try_from(p.total_pages.max(1)).unwrap_or(u32::MAX);
    let page = p.page;
    Targets {
        first: (page > 1).then_some(1),
        prev: p.has_previous.then(|| (page - 1).min(last)),
        next: p.has_next.then(|| page + 1),
        last: (page != last).then_some(last),
    }
}

/// The pagination bar. `on_page` is called with the page to show; `cached` says whether a
/// page would come from the cache, so each button says what it costs before it is pressed.
#[component]
pub fn Pager(
    /// The answer's pagination and how many rows it holds, if there is an answer.
    #[prop(into)]
    page: Signal<Option<(Pagination, usize)>>,
    /// Whether a request is in flight (controls stay usable: a newer page replaces it).
    #[prop(into)]
    loading: Signal<bool>,
    /// Go to a page.
    on_page: Callback<u32>,
    /// Whether that page is in the cache (free) rather than a request.
    #[prop(optional)]
    cached: Option<Callback<u32, bool>>,
) -> impl IntoView {
    let t = move || page.with(|p| p.as_ref().map(|(p, _)| targets(p)));
    // The visible words are the accessible name (a screen reader hears what is shown);
    // the title adds the shortcut and the cost.
    let button = move |name: &'static str,
                       symbol: &'static str,
                       words: &'static str,
                       testid: &'static str,
                       pick: fn(Targets) -> Option<u32>| {
        let target = move || t().and_then(pick);
        let title = Signal::derive(move || match target() {
            Some(p) if cached.is_some_and(|c| c.run(p)) => format!("{name} · cached, free"),
            Some(_) => format!("{name} · costs 1 request"),
            None => name.to_owned(),
        });
        view! {
            <button
                type="button"
                class="button pager-button"
                data-testid=testid
                title=title
                disabled=Signal::derive(move || target().is_none())
                on:click=move |_| {
                    if let Some(p) = target() {
                        on_page.run(p)
                    }
                }
            >
                <span aria-hidden="true">{symbol}</span>
                <span class=if words.is_empty() { "visually-hidden" } else { "" }>{if words.is_empty() { name } else { words }}</span>
            </button>
        }
    };
    let text = |f: fn(&Pagination, usize) -> String| {
        Signal::derive(move || page.with(|p| p.as_ref().map(|(p, n)| f(p, *n)).unwrap_or_default()))
    };
    view! {
        <nav
            class="pager"
            aria-label="Pages"
            hidden=Signal::derive(move || page.with(Option::is_none))
            class:stale=loading
        >
            {button("First page", "«", "", "page-first", |t| t.first)}
            {button("Previous page (←)", "‹ ", "Previous", "page-prev", |t| t.prev)}
            <span class="pager-status">
                <strong data-testid="page-status">{text(|p, _| status_text(p))}</strong>
                <span class="pager-range" data-testid="page-range">{text(range_text)}</span>
                <span class="pager-size">{text(|p, _| format!("{} per page", p.limit))}</span>
            </span>
            {button("Next page (→)", "", "Next ›", "page-next", |t| t.next)}
            {button("Last page", "»", "", "page-last", |t| t.last)}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_well() {
        let p = Pagination::new(1, 25, 1);
        assert_eq!(status_text(&p), "Page 1 of 1");
        assert_eq!(range_text(&p, 1), "Showing 1–1 of 1");
        assert_eq!(
            range_text(&Pagination::new(1, 50, 0), 0),
            "No instances to show"
        );
        assert_eq!(
            range_text(&Pagination::new(9, 50, 60), 0),
            "Showing none of 60"
        );
        assert_eq!(
            range_text(&Pagination::new(21, 50, 1234), 34),
            "Showing 1,001–1,034 of 1,234"
        );
    }

    #[test]
    fn targets_at_the_edges() {
        let t = targets(&Pagination::new(3, 50, 120));
        assert_eq!(
            (t.first, t.prev, t.next, t.last),
            (Some(1), Some(2), None, None)
        );
        // past the end: back to the last page
        let t = targets(&Pagination::new(9, 50, 120));
        assert_eq!(
            (t.first, t.prev, t.next, t.last),
            (Some(1), Some(3), None, Some(3))
        );
        // no results
        let t = targets(&Pagination::new(1, 50, 0));
        assert_eq!((t.first, t.prev, t.next, t.last), (None, None, None, None));
        // huge page numbers do not overflow
        let t = targets(&Pagination::new(2_147_483_647, 100, 10));
        assert_eq!(t.prev, Some(1));
        assert_eq!(t.next, None);
    }
}
