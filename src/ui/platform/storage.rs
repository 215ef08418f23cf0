//! Where the dashboard keeps things between page loads.
//!
//! * The secret key: in `sessionStorage` by default (gone when the tab closes); in
//!   `localStorage` only when the user ticks "remember on this device". It is stored in
//!   exactly one of the two at any time, and "forget" clears both.
//! * The API base URL, recently used campaign ids and the colour theme: `localStorage`
//!   (not secrets).
//! * Whether this tab has run a query: `sessionStorage` (this tab only). A link opened in
//!   a tab that has not fills the form and sends nothing (contract §5 "Links").
//!
//! Storage may be unavailable (private modes, disabled cookies, a sandboxed frame): every
//! function then quietly does nothing, and the dashboard still works for the session.

use web_sys::Storage;

const KEY_ITEM: &str = "campaign-analytics.secret-key";
const BASE_URL_ITEM: &str = "campaign-analytics.base-url";
const RECENT_ITEM: &str = "campaign-analytics.recent-campaigns";
const TAB_RAN_ITEM: &str = "campaign-analytics.tab-has-run";
const THEME_ITEM: &str = "campaign-analytics.theme";

/// How many recent campaign ids to offer.
pub const RECENT_MAX: usize = 8;

/// Where the key is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPlace {
    /// `sessionStorage`: this tab only, until it closes.
    Session,
    /// `localStorage`: this browser profile, until "forget".
    Device,
}

fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn storage(place: KeyPlace) -> Option<Storage> {
    match place {
        KeyPlace::Session => session(),
        KeyPlace::Device => local(),
    }
}

/// The stored key and where it was, preferring the device copy.
pub fn load_key() -> Option<(String, KeyPlace)> {
    [KeyPlace::Device, KeyPlace::Session]
        .into_iter()
        .find_map(|place| {
            let key = storage(place)?.get_item(KEY_ITEM).ok().flatten()?;
            (!key.is_empty()).then_some((key, place))
        })
}

/// Keeps `key` in `place` and removes it from the other storage.
pub fn save_key(key: &str, place: KeyPlace) {
    let other = match place {
        KeyPlace::Session => KeyPlace::Device,
        KeyPlace::Device => KeyPlace::Session,
    };
    if let Some(s) = storage(other) {
        let _ = s.remove_item(KEY_ITEM);
    }
    if let Some(s) = storage(place) {
        let _ = s.set_item(KEY_ITEM, key);
    }
}

/// Removes the key from both storages.
pub fn forget_key() {
    for s in [session(), local()].into_iter().flatten() {
        let _ = s.remove_item(KEY_ITEM);
    }
}

/// The base URL the user set, if any.
pub fn load_base_url() -> Option<String> {
    local()?
        .get_item(BASE_URL_ITEM)
        .ok()
        .flatten()
        .filter(|u| !u.is_empty())
}

/// Remembers the base URL; `None` goes back to the page's origin.
pub fn save_base_url(url: Option<&str>) {
    if let Some(s) = local() {
        let _ = match url {
            Some(url) => s.set_item(BASE_URL_ITEM, url),
            None => s.remove_item(BASE_URL_ITEM),
        };
    }
}

/// Recently used campaign ids, most recent first.
pub fn recent_campaigns() -> Vec<String> {
    local()
        .and_then(|s| s.get_item(RECENT_ITEM).ok().flatten())
        .map(|text| parse_recent(&text))
        .unwrap_or_default()
}

/// Puts `campaign_id` first in the recent list and returns the new list. Storage is
/// written only when the list changed (every answer calls this; most change nothing).
pub fn remember_campaign(campaign_id: &str) -> Vec<String> {
    let before = recent_campaigns();
    let list = push_recent(before.clone(), campaign_id);
    if list != before {
        if let Some(s) = local() {
            let _ = s.set_item(RECENT_ITEM, &list.join("\n"));
        }
    }
    list
}

/// Whether this tab has run a query (it survives a reload of the tab, not a new tab).
pub fn tab_has_run() -> bool {
    session()
        .and_then(|s| s.get_item(TAB_RAN_ITEM).ok().flatten())
        .is_some()
}

/// Notes that this tab has run a query.
pub fn mark_tab_run() {
    if let Some(s) = session() {
        let _ = s.set_item(TAB_RAN_ITEM, "1");
    }
}

/// The colour theme chosen (`light` or `dark`), or `None` to follow the system.
pub fn load_theme() -> Option<String> {
    local()?
        .get_item(THEME_ITEM)
        .ok()
        .flatten()
        .filter(|t| t == "light" || t == "dark")
}

/// Remembers the theme; `None` follows the system again.
pub fn save_theme(theme: Option<&str>) {
    if let Some(s) = local() {
        let _ = match theme {
            Some(theme) => s.set_item(THEME_ITEM, theme),
            None => s.remove_item(THEME_ITEM),
        };
    }
}

/// The stored list, keeping only UUID-shaped entries (storage is user-editable).
fn parse_recent(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| crate::contract::parse_uuid(l).is_some())
        .take(RECENT_MAX)
        .map(str::to_owned)
        .collect()
}

/// `list` with `id` moved (or added) to the front, at most [`RECENT_MAX`] long.
fn push_recent(mut list: Vec<String>, id: &str) -> Vec<String> {
    let id = id.to_ascii_lowercase();
    list.retain(|x| *x != id);
    list.insert(0, id);
    list.truncate(RECENT_MAX);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_campaigns_are_a_short_most_recent_first_list() {
        let a = "123e4567-e89b-12d3-a456-426614174000";
        let b = "223e4567-e89b-12d3-a456-426614174000";
        let list = push_recent(vec![a.into(), b.into()], b);
        assert_eq!(list, [b, a]);
        let list = push_recent(list, &a.to_uppercase());
        assert_eq!(list, [a, b]);
        let mut long = Vec::new();
        for i in 0..20 {
            long = push_recent(long, &format!("{i:08}-e89b-12d3-a456-426614174000"));
        }
        assert_eq!(long.len(), RECENT_MAX);
        assert_eq!(
            parse_recent(&format!("{a}\n<script>\n{b}\n")),
            vec![a.to_owned(), b.to_owned()]
        );
    }
}
