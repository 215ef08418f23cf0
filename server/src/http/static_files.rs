//! The built dashboard, served from a directory: real files with their content types
//! (and their `.br` / `.gz` siblings when the build made them), `index.html` for any
//! other path so the single-page app's own routes work on reload.
//!
//! Every file carries a Content-Security-Policy (contract §6): scripts and WebAssembly
//! from the page's own origin only (`'wasm-unsafe-eval'` is what compiling the
//! dashboard's wasm needs), no framing (`frame-ancestors 'none'`), no plugins, no
//! `<base>`. The build inlines one small module script (the loader that imports the
//! hashed JS and wasm); it is allowed by its SHA-256 hash, read from the served
//! `index.html` itself, so the policy always matches the build on disk (the hashes are
//! recomputed when the file changes). Requests may go to the page's origin and to any
//! HTTPS origin (the partner chooses the API's base URL), or plain HTTP on loopback
//! (`127.0.0.1`, `localhost`; CSP has no syntax for IPv6 literals).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub struct StaticFiles {
    service: ServeDir<ServeFile>,
    index: PathBuf,
    /// The policy, and the `index.html` (modification time, length) it was made from.
    policy: Mutex<Option<(Option<SystemTime>, u64, HeaderValue)>>,
}

/// The policy without its inline-script hashes.
const POLICY_BEFORE_HASHES: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const POLICY_AFTER_HASHES: &str = "; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src 'self' https: http://127.0.0.1:* http://localhost:*; \
object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The Content-Security-Policy of a page whose HTML is `html`.
pub fn policy_for(html: &str) -> String {
    let mut policy = POLICY_BEFORE_HASHES.to_owned();
    for script in inline_scripts(html) {
        let digest = Sha256::digest(script.as_bytes());
        policy.push_str(" 'sha256-");
        policy.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        policy.push('\'');
    }
    policy.push_str(POLICY_AFTER_HASHES);
    policy
}

/// The text of every `<script>` element without a `src` attribute, exactly as the
/// browser hashes it.
fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<script") {
        let tag_start = from + at;
        let Some(tag_len) = lower[tag_start..].find('>') else {
            break;
        };
        let tag = &lower[tag_start..tag_start + tag_len];
        let body_start = tag_start + tag_len + 1;
        let Some(body_len) = lower[body_start..].find("</script") else {
            break;
        };
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attribute| attribute == "src" || attribute.starts_with("src="));
        if !has_src {
            found.push(&html[body_start..body_start + body_len]);
        }
        from = body_start + body_len;
    }
    found
}

impl StaticFiles {
    pub fn new(dir: PathBuf) -> StaticFiles {
        let index = ServeFile::new(dir.join("index.html"))
            .precompressed_br()
            .precompressed_gzip();
        let service = ServeDir::new(&dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(true)
            .fallback(index);
        StaticFiles {
            service,
            index: dir.join("index.html"),
            policy: Mutex::new(None),
        }
    }

    /// The policy for the current `index.html` (made again when the file changed).
    fn policy(&self) -> HeaderValue {
        let stamp = std::fs::metadata(&self.index)
            .map(|m| (m.modified().ok(), m.len()))
            .unwrap_or((None, 0));
        let mut cached = match self.policy.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((modified, len, value)) = cached.as_ref() {
            if (*modified, *len) == stamp {
                return value.clone();
            }
        }
        let html = std::fs::read_to_string(&self.index).unwrap_or_default();
        let value = HeaderValue::from_str(&policy_for(&html)).unwrap_or_else(|_| {
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
        });
        *cached = Some((stamp.0, stamp.1, value.clone()));
        value
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
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        headers.insert(header::CONTENT_SECURITY_POLICY, self.policy());
        headers.insert(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        );
        Some(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_nothing_else() {
        let html = "<html><head><script type=\"module\" src=\"/a.js\"></script>\
            <link rel=\"modulepreload\" href=\"/b.js\"></head><body>\
            <SCRIPT type=\"module\">\nimport init from '/b.js';\nawait init();\n</SCRIPT>\
            <script>x()</script></body></html>";
        assert_eq!(
            inline_scripts(html),
            ["\nimport init from '/b.js';\nawait init();\n", "x()"]
        );
        let policy = policy_for(html);
        // printf 'x()' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains("'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='"),
            "{policy}"
        );
        assert_eq!(policy.matches("'sha256-").count(), 2);
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
    }
}
