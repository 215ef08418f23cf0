//! Elements made by hand, for the views drawn in bulk from one model (the chart's bars,
//! grid and rows, the instance table's rows): in the release bundle a view written with
//! `view!` compiles each element and attribute into code of its own; this is one loop over
//! data instead (docs/decisions.md, "Views drawn by hand", has the figures). Text goes in as text nodes and attribute values as
//! values, never through an HTML parser, so nothing from the server is read as markup.

use web_sys::Element;

/// The SVG namespace, for [`append`].
pub const SVG: Option<&str> = Some("http://www.w3.org/2000/svg");
/// The HTML namespace (the document's own), for [`append`].
pub const HTML: Option<&str> = None;

/// Appends a new `tag` element in namespace `ns` to `parent`, with `attrs` set and `text`
/// (when not empty) as its only child; `None` when the browser refuses (a tag or name it
/// does not accept), and the page goes on without that element.
///
/// ```no_run
/// use campaign_analytics::ui::platform::dom::{append, SVG};
/// # let svg: web_sys::Element = todo!();
/// let bar = append(&svg, SVG, "rect", &[("class", "bar"), ("height", "120")], "");
/// assert!(bar.is_some());
/// ```
pub fn append(
    parent: &Element,
    ns: Option<&str>,
    tag: &str,
    attrs: &[(&str, &str)],
    text: &str,
) -> Option<Element> {
    let document = parent.owner_document()?;
    let element = match ns {
        Some(ns) => document.create_element_ns(Some(ns), tag),
        // `createElementNS(null, …)` would make an element of no namespace, not HTML.
        None => document.create_element(tag),
    }
    .ok()?;
    for (name, value) in attrs {
        element.set_attribute(name, value).ok()?;
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    parent.append_child(&element).ok()?;
    Some(element)
}
