//! Where the panels go: the whole-window analysis and the campaign comparison, under the
//! answer. They see the page only through the port ([`crate::ui::port`]).
//!
//! In the release bundle (feature `lazy-panels`) they are a second wasm module, fetched
//! once the first answer is on screen — they have nothing to show before — so the first
//! load carries only what asking and answering need. Everywhere else (tests, development)
//! they are part of the page's module and mounted in place, through the same port.

use crate::ui::state::Dash;
use leptos::prelude::*;

/// The panels' places under the answer.
#[component]
pub fn Panels(dash: Dash) -> impl IntoView {
    let host = crate::ui::port::page::host(dash);
    place(dash, host)
}

/// The panels' module's entry point: mounts each panel on its place, as its own Leptos
/// root (this module's reactive system is its own; the page is reached through `host`).
pub fn mount_on(
    host: wasm_bindgen::JsValue,
    analysis: web_sys::HtmlElement,
    compare: web_sys::HtmlElement,
) {
    use crate::ui::analysis::panel::AnalysisPanel;
    use crate::ui::compare::ComparePanel;
    use crate::ui::port::panel::PageLink;
    // Queries crossing the port are validated again here, with this module's own hashing.
    crate::ui::platform::browser::seed_parameter_hashing();
    let link = PageLink::new(host);
    let other = link.clone();
    leptos::mount::mount_to(
        analysis,
        move || view! { <AnalysisPanel link=link.clone()/> },
    )
    .forget();
    leptos::mount::mount_to(
        compare,
        move || view! { <ComparePanel link=other.clone()/> },
    )
    .forget();
}

#[cfg(not(feature = "lazy-panels"))]
fn place(_dash: Dash, host: wasm_bindgen::JsValue) -> impl IntoView {
    use crate::ui::analysis::panel::AnalysisPanel;
    use crate::ui::compare::ComparePanel;
    use crate::ui::port::panel::PageLink;
    let link = PageLink::new(host);
    view! {
        <AnalysisPanel link=link.clone()/>
        <ComparePanel link=link/>
    }
}

#[cfg(feature = "lazy-panels")]
fn place(dash: Dash, host: wasm_bindgen::JsValue) -> impl IntoView {
    let analysis = NodeRef::<leptos::html::Div>::new();
    let compare = NodeRef::<leptos::html::Div>::new();
    let host = StoredValue::new_local(Some(host));
    let failed = RwSignal::new(false);
    Effect::new(move |_| {
        if dash.phase.with(|p| p.shown().is_none()) {
            return;
        }
        let (Some(a), Some(c)) = (analysis.get(), compare.get()) else {
            return;
        };
        // Once: the first answer on screen starts the load.
        let Some(host) = host.try_update_value(Option::take).flatten() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if loader::mount(host, a, c).await.is_err() {
                failed.set(true);
            }
        });
    });
    view! {
        <div node_ref=analysis></div>
        <div node_ref=compare></div>
        <p class="muted" role="status" data-testid="panels-unavailable" hidden=move || !failed.get()>
            "The whole-window analysis and the campaign comparison could not be loaded. Reload the page to try again; your query is in the address bar."
        </p>
    }
}

/// Fetches the panels' module and mounts it (release bundle only).
#[cfg(feature = "lazy-panels")]
mod loader {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    // The module's files and its stylesheet sit beside index.html, named by the page
    // (scripts/stamp-panels.sh puts a hash of their contents in their names); without that
    // name (a build without the hook) the plain names Trunk gives them. The panels are
    // mounted once their stylesheet has loaded (or failed to: they work unstyled).
    #[wasm_bindgen(inline_js = "export async function load_panels() {
        const stem = document.querySelector('meta[name=panels]')?.content ?? 'campaign-analytics-panels';
        const at = (file) => new URL(file, document.baseURI).href;
        const style = document.createElement('link');
        const styled = new Promise((done) => { style.onload = style.onerror = done; });
        style.rel = 'stylesheet';
        style.href = at(`${stem}.css`);
        document.head.append(style);
        const panels = await import(at(`${stem}.js`));
        await panels.default({ module_or_path: at(`${stem}_bg.wasm`) });
        await styled;
        return panels;
    }")]
    extern "C" {
        fn load_panels() -> Promise;
    }

    pub async fn mount(
        host: JsValue,
        analysis: web_sys::HtmlDivElement,
        compare: web_sys::HtmlDivElement,
    ) -> Result<(), JsValue> {
        let panels = JsFuture::from(load_panels()).await?;
        Reflect::get(&panels, &JsValue::from_str("mount_panels"))?
            .dyn_into::<Function>()?
            .call3(&JsValue::NULL, &host, &analysis, &compare)?;
        Ok(())
    }
}
