//! The analytics suite of `api.rs`, every assertion the same, against a real
//! PostgreSQL: a throwaway cluster the tests start themselves (see `common/pg.rs`).

mod common;

use common::*;

/// The suite's servers, on a fresh database of the shared throwaway cluster.
async fn start(
    fixture: &serde_json::Value,
    config: campaign_analytics_server::http::ServerConfig,
) -> TestServer {
    start_postgres(fixture, config).await
}

include!("suites/api.rs");
