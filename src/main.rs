//! The dashboard's entry point: mounts the app on the page's body.

fn main() {
    campaign_analytics::ui::start();
}
