//! Small view helpers every feature uses: one copy of each in the download.

use leptos::prelude::*;

/// One `<option>`: value, label, selected, disabled.
pub type SelectOption = (String, String, bool, bool);

/// An inline error line, `field-error-<name>`, shown while `message` holds one. Every
/// field of the page uses this one helper (one copy of the code in the download).
pub fn error_line(name: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|message| {
            view! {
                <p class="field-error" id=format!("error-{name}") data-testid=format!("field-error-{name}")>
                    {message}
                </p>
            }
        })
    }
}

/// The options of a select showing `current` among `known` `(value, label)` pairs. A value
/// the list does not know (from a hand-edited link) is shown as a disabled placeholder or
/// as itself, so the select never pretends to hold something else.
///
/// ```
/// use campaign_analytics::ui::widgets::options;
/// let o = options("b", &[("a".into(), "A".into()), ("b".into(), "B".into())], None);
/// assert_eq!(o[1], ("b".to_string(), "B".to_string(), true, false));
/// let o = options("zz", &[("a".into(), "A".into())], Some("Choose"));
/// assert_eq!(o[0], (String::new(), "Choose".to_string(), true, true));
/// let o = options("7", &[("10".into(), "10".into())], None);
/// assert_eq!(o[1], ("7".to_string(), "7".to_string(), true, false));
/// ```
pub fn options(
    current: &str,
    known: &[(String, String)],
    placeholder: Option<&str>,
) -> Vec<SelectOption> {
    let mut out: Vec<SelectOption> = Vec::with_capacity(known.len() + 1);
    let is_known = known.iter().any(|(v, _)| v == current);
    if let (false, Some(text)) = (is_known, placeholder) {
        out.push((String::new(), text.to_owned(), true, true));
    }
    out.extend(
        known
            .iter()
            .map(|(v, l)| (v.clone(), l.clone(), v == current, false)),
    );
    if !is_known && placeholder.is_none() {
        out.push((current.to_owned(), current.to_owned(), true, false));
    }
    out
}
