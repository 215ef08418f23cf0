//! The partner dashboard (Leptos).

/// Mounts the dashboard on `document.body`.
pub fn start() {
    console_error_panic_hook::set_once();
}
