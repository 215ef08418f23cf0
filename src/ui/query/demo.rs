//! First run (`try-demo`): when the server runs in demo mode, it says so by answering
//! `GET /api/demo` (contract §6) with its demo accounts; "Try the demo" then fills a demo
//! key and campaign. The question carries no key, is asked only while no key is entered,
//! and spends no partner's quota; without demo mode (a 404) nothing shows.

use crate::api::cancel::Cancel;
use crate::api::demo::DemoResponse;
use crate::contract::{Field, SecretKey};
use leptos::prelude::*;

use crate::ui::platform::storage;
use crate::ui::state::Dash;

/// The demo key and campaign to fill: the first partner with a well-formed key, and its
/// first active campaign (else its first).
///
/// ```
/// use campaign_analytics::api::demo::DemoResponse;
/// use campaign_analytics::ui::query::demo::pick;
/// let demo: DemoResponse = serde_json::from_str(r#"{"success":true,"message":"ok","data":{"partners":[
///   {"name":"Bad","key":"nope","campaigns":[]},
///   {"name":"Acme","key":"sk_test_AcmeE2eKey0000000000000000000000","campaigns":[
///     {"id":"c0000000-0000-4000-8000-000000000003","name":"Draft","status":"draft"},
///     {"id":"c0000000-0000-4000-8000-000000000001","name":"Spring","status":"active"}]}]},
///   "meta":{"timestamp":"2026-11-20T12:00:00Z","requestId":"x"}}"#).unwrap();
/// let (partner, key, campaign) = pick(&demo).unwrap();
/// assert_eq!((partner.as_str(), campaign.as_str()), ("Acme", "c0000000-0000-4000-8000-000000000001"));
/// assert!(key.starts_with("sk_test_"));
/// ```
pub fn pick(demo: &DemoResponse) -> Option<(String, String, String)> {
    demo.data.partners.iter().find_map(|p| {
        SecretKey::parse(&p.key).ok()?;
        let campaign = p
            .campaigns
            .iter()
            .find(|c| c.status == "active")
            .or_else(|| p.campaigns.first())?;
        crate::contract::parse_uuid(&campaign.id)?;
        Some((p.name.clone(), p.key.clone(), campaign.id.clone()))
    })
}

/// "Try the demo", shown only when the server said it runs in demo mode.
#[component]
pub fn TryDemo(dash: Dash) -> impl IntoView {
    let offer = RwSignal::new(None::<(String, String, String)>);
    if dash.key.with_untracked(|k| k.trim().is_empty()) {
        if let Ok(base) = dash.base_url_checked() {
            let engine = dash.engine();
            leptos::task::spawn_local(async move {
                if let Ok(demo) = engine.demo(&base, &Cancel::new()).await {
                    offer.set(pick(&demo));
                }
            });
        }
    }
    let fill = move |_| {
        if let Some((_, key, campaign)) = offer.get_untracked() {
            dash.key.set(key.clone());
            dash.key_rejected.set(false);
            storage::save_key(&key, dash.key_place.get_untracked());
            dash.form.update(|f| f.campaign_id = campaign);
            dash.edited(Field::CampaignId);
            offer.set(None);
        }
    };
    move || {
        offer.get().map(|(partner, ..)| {
            view! {
                <div class="demo-offer">
                    <p>"This server runs with demo data."</p>
                    <button type="button" class="button secondary" data-testid="try-demo" on:click=fill>
                        "Try the demo"
                    </button>
                    <p class="help">{format!("Fills the test key and a campaign of the demo partner {partner}; nothing is sent until you run the query.")}</p>
                </div>
            }
        })
    }
}
