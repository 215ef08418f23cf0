//! Where requests may go: the API base URL a partner types, checked before any request
//! carries their key there (contract §5 "Links"; issue of the dashboard's edges).
//!
//! `https://` anywhere; `http://` only to this machine (loopback: `localhost`,
//! `127.0.0.0/8`, `[::1]`), since over plain HTTP anyone on the way reads the key.

/// Checks an API base URL as typed. Empty means the page's own `origin` (which must pass
/// the same rule). The result has no trailing slash, so paths can be appended.
///
/// ```
/// use campaign_analytics::engine::connection::check_base_url;
/// let origin = "http://127.0.0.1:8080";
/// assert_eq!(check_base_url("", origin).unwrap(), origin);
/// assert_eq!(check_base_url(" https://api.example.com/ ", origin).unwrap(), "https://api.example.com");
/// assert!(check_base_url("http://api.example.com", origin).is_err()); // the key in clear
/// assert!(check_base_url("api.example.com", origin).is_err());
/// assert!(check_base_url("https://user:pw@api.example.com", origin).is_err());
/// ```
pub fn check_base_url(text: &str, origin: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        if origin.is_empty() {
            return Err("Enter the API base URL, e.g. https://api.example.com".to_owned());
        }
        return check_base_url(origin, "").map_err(|_| {
            "This page is served over plain http: enter the API's https:// address".to_owned()
        });
    }
    let lower = text.to_ascii_lowercase();
    let (secure, rest) = if lower.starts_with("https://") {
        (true, &text["https://".len()..])
    } else if lower.starts_with("http://") {
        (false, &text["http://".len()..])
    } else {
        return Err("The API base URL must start with https://".to_owned());
    };
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("The API base URL cannot contain spaces".to_owned());
    }
    if text.contains(['?', '#']) {
        return Err("The API base URL cannot have a query (?) or fragment (#)".to_owned());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err("The API base URL cannot contain a user name or password".to_owned());
    }
    let host = host_of(authority);
    if host.is_empty() {
        return Err("The API base URL needs a host name".to_owned());
    }
    if !secure && !is_loopback(host) {
        return Err(
            "Use https:// for the API: over plain http your secret key would travel in clear \
             (http:// is allowed for this computer only: localhost, 127.0.0.1, [::1])"
                .to_owned(),
        );
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// The host of `host[:port]` or `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((v6, _)) => v6,
            None => "",
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Whether `host` names this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host == "::1" {
        return true;
    }
    match host.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let o = "https://dash.example.com";
        assert_eq!(check_base_url("", o).unwrap(), o);
        assert_eq!(
            check_base_url("http://127.0.0.1:8080", o).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            check_base_url("https://gw.example.com/analytics/", o).unwrap(),
            "https://gw.example.com/analytics"
        );
        for loopback in [
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://127.8.9.10/",
            "http://[::1]:8080",
            "http://app.localhost:3000",
        ] {
            assert!(check_base_url(loopback, o).is_ok(), "{loopback}");
        }
        for clear in [
            "http://api.example.com",
            "http://10.0.0.5:8080",
            "http://127.0.0.1.example.com",
            "http://[::2]:80",
            "http://localhost.example.com",
        ] {
            let e = check_base_url(clear, o).unwrap_err();
            assert!(e.contains("in clear"), "{clear}: {e}");
        }
        assert!(check_base_url("ftp://x", o).is_err());
        assert!(check_base_url("https://", o).is_err());
        assert!(check_base_url("https://:8080", o).is_err());
        assert!(check_base_url("https://a.example.com?x=1", o).is_err());
        assert!(check_base_url("https://a b.example.com", o).is_err());
        assert!(check_base_url("https://u@a.example.com", o).is_err());
        assert!(check_base_url("", "").is_err());
        // A page served over plain http elsewhere has no usable default.
        assert!(check_base_url("", "http://dash.example.com").is_err());
        assert!(check_base_url("", "http://127.0.0.1:8080").is_ok());
    }
}
