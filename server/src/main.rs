//! `campaign-analytics-server`: see `cli.rs` for the commands.

fn main() -> std::process::ExitCode {
    campaign_analytics_server::cli::run()
}
