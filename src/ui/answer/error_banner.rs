//! The request-level error: what happened, what to do, and the request id to quote to
//! support (with a copy button). The words were decided once, when the failure arrived
//! ([`messages::explain`](super::super::text::messages::explain)); this only shows them.
//! A spent quota offers a wait (cancellable) instead of a retry.

use crate::api::reply::{ApiError, Failure};
use leptos::prelude::*;
use std::sync::Arc;

use crate::ui::platform::browser;
use crate::ui::text::messages::Explanation;

/// The banner for the current failure; nothing when there is none.
#[component]
pub fn ErrorBanner(
    /// The failure and its words.
    #[prop(into)]
    failure: Signal<Option<(Arc<Failure>, Arc<Explanation>)>>,
    /// Runs the same query again (offered when it may help).
    on_retry: Callback<()>,
    /// Waits for the quota to free up, then runs the query (offered after a 429).
    #[prop(optional)]
    on_wait: Option<Callback<()>>,
) -> impl IntoView {
    move || {
        let (failure, e) = failure.get()?;
        let e = (*e).clone();
        let copied = RwSignal::new(false);
        let request_id = failure.request_id.clone();
        let status = failure
            .status
            .map(|s| format!("HTTP {s}"))
            .unwrap_or_else(|| "No HTTP answer".to_owned());
        let copy = {
            let request_id = request_id.clone();
            move |_| browser::copy_then(request_id.clone(), Box::new(move |done| copied.set(done)))
        };
        let details = e
            .details
            .map(|d| view! { <p class="banner-details">"Details from the server: " {d}</p> });
        let limited = matches!(failure.error, ApiError::RateLimited { .. });
        let wait = on_wait.filter(|_| limited).map(|on_wait| {
            view! {
                <button type="button" class="button secondary" data-testid="wait-quota" on:click=move |_| on_wait.run(())>
                    "Wait and run it then"
                </button>
            }
        });
        let retry = e.retry.then(|| {
            view! {
                <button type="button" class="button secondary" on:click=move |_| on_retry.run(())>
                    "Try again"
                </button>
            }
        });
        Some(view! {
            <div class="banner banner-error" role="alert" data-testid="error-banner">
                <div class="banner-body">
                    <h2 class="banner-title">{e.title}</h2>
                    <p class="banner-message">{e.message}</p>
                    {details}
                    <p class="banner-meta">
                        <span class="banner-status">{status}</span>
                        " · Request id "
                        <code data-testid="request-id">{request_id}</code>
                        <button
                            type="button"
                            class="copy"
                            aria-label="Copy the request id"
                            title="Copy the request id"
                            on:click=copy
                        >
                            <svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><rect x="5.5" y="5.5" width="8" height="8" rx="1.5"></rect><path d="M10.5 3.5v-1h-8v8h1"></path></svg>
                        </button>
                        <span class="copied" role="status">
                            {Signal::derive(move || if copied.get() { "Copied".to_owned() } else { String::new() })}
                        </span>
                    </p>
                </div>
                {retry}
                {wait}
            </div>
        })
    }
}
