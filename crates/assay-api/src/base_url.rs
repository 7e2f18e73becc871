//! The scheme and host clients see. Links in `Link` headers and `Location` must be absolute URLs on the host the
//! client used (canvasapi crashes on a `next` link that does not start with its own base URL), including behind
//! a TLS-terminating proxy.

use axum::http::{HeaderMap, header};

/// How to find the externally visible base URL.
#[derive(Debug, Clone, Default)]
pub struct BaseUrlPolicy {
    /// A fixed base URL (e.g. `https://assay.school.example`), used as is when set.
    pub public_url: Option<String>,
    /// Honour `X-Forwarded-Proto` / `X-Forwarded-Host` (and `Forwarded`): only behind a proxy you control, as
    /// any client can send them.
    pub trust_proxy: bool,
}

impl BaseUrlPolicy {
    /// `scheme://host[:port]` with no trailing slash.
    pub fn resolve(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let mut scheme = "http".to_owned();
        let mut host = header_str(headers, header::HOST.as_str()).filter(|h| valid_host(h)).map(str::to_owned);
        if self.trust_proxy {
            if let Some(forwarded) = header_str(headers, "forwarded") {
                // Only the first (client-most) element: `for=…;proto=https;host=example.org, for=…`.
                let first = forwarded.split(',').next().unwrap_or_default();
                for pair in first.split(';') {
                    if let Some((k, v)) = pair.trim().split_once('=') {
                        let v = v.trim_matches('"');
                        match k.trim().to_ascii_lowercase().as_str() {
                            "proto" if v == "http" || v == "https" => scheme = v.to_owned(),
                            "host" if valid_host(v) => host = Some(v.to_owned()),
                            _ => {}
                        }
                    }
                }
            }
            if let Some(proto) = header_str(headers, "x-forwarded-proto").map(|p| first_item(p).to_ascii_lowercase())
                && (proto == "http" || proto == "https")
            {
                scheme = proto;
            }
            if let Some(forwarded_host) = header_str(headers, "x-forwarded-host").map(first_item)
                && valid_host(forwarded_host)
            {
                host = Some(forwarded_host.to_owned());
            }
        }
        format!("{scheme}://{}", host.unwrap_or_else(|| "localhost".to_owned()))
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn first_item(value: &str) -> &str {
    value.split(',').next().unwrap_or_default().trim()
}

/// A host header value that is safe to put into a URL: a name or address, optionally with a port.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn resolves_in_order_of_trust() {
        let h =
            headers(&[("host", "127.0.0.1:8080"), ("x-forwarded-proto", "https"), ("x-forwarded-host", "lms.example")]);
        assert_eq!(BaseUrlPolicy::default().resolve(&h), "http://127.0.0.1:8080");
        let proxy = BaseUrlPolicy { public_url: None, trust_proxy: true };
        assert_eq!(proxy.resolve(&h), "https://lms.example");
        let fixed = BaseUrlPolicy { public_url: Some("https://fixed.example/".into()), trust_proxy: true };
        assert_eq!(fixed.resolve(&h), "https://fixed.example");
        let rfc = headers(&[("host", "a"), ("forwarded", "for=1.2.3.4;proto=https;host=\"b.example\", for=x")]);
        assert_eq!(proxy.resolve(&rfc), "https://b.example");
    }

    #[test]
    fn refuses_hosts_that_would_break_urls() {
        let h = headers(&[("host", "evil.example/x?y")]);
        assert_eq!(BaseUrlPolicy::default().resolve(&h), "http://localhost");
    }
}
