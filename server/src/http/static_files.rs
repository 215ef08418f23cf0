//! The built dashboard, served from a directory: real files with their content types
//! (and their `.br` / `.gz` siblings when the build made them), `index.html` for any
//! other path so the single-page app's own routes work on reload.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use std::path::PathBuf;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub struct StaticFiles {
    service: ServeDir<ServeFile>,
}

impl StaticFiles {
    pub fn new(dir: PathBuf) -> StaticFiles {
        let index = ServeFile::new(dir.join("index.html"))
            .precompressed_br()
            .precompressed_gzip();
        let service = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(true)
            .fallback(index);
        StaticFiles { service }
    }

    /// The file for a GET/HEAD request, or `None` when there is nothing to serve
    /// (no `index.html` either).
    pub async fn serve(&self, request: Request) -> Option<Response> {
        let response = match self.service.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if response.status() == StatusCode::NOT_FOUND {
            return None;
        }
        let mut response = response.map(Body::new);
        // The page itself must be revalidated so a new build is picked up at once;
        // the assets it names carry content hashes and may be cached.
        let is_html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let value = if is_html {
            "no-cache"
        } else {
            "public, max-age=3600"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        Some(response)
    }
}
