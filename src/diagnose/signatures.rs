//! Signatures of what often stands between Let's Encrypt and the site: CDNs, WAF challenge
//! and block pages, router web interfaces, and a plain-HTTP request reaching a TLS port.
//!
//! Markers are plain strings (`cdn:cloudflare`, `waf:cloudflare-challenge`, `router:FRITZ!Box`,
//! `http-on-https-port`) so that the report stays generic; docs/diagnose.md lists them.

use crate::http::ResponseHead;

/// Header names (Go canonical form) whose presence names a CDN.
const CDN_HEADERS: [(&str, &str); 6] = [
    ("Cf-Ray", "cloudflare"),
    ("X-Amz-Cf-Id", "cloudfront"),
    ("X-Fastly-Request-Id", "fastly"),
    ("X-Sucuri-Id", "sucuri"),
    ("X-Akamai-Transformed", "akamai"),
    ("X-Azure-Ref", "azure-front-door"),
];

/// `Server` values (lowercase prefixes) that name a CDN.
const CDN_SERVERS: [(&str, &str); 4] = [
    ("cloudflare", "cloudflare"),
    ("akamaighost", "akamai"),
    ("sucuri/cloudproxy", "sucuri"),
    ("cloudfront", "cloudfront"),
];

/// Body fragments (lowercase) of challenge and block pages: what Let's Encrypt gets instead
/// of the token.
const WAF_BODIES: [(&str, &str); 8] = [
    ("challenge-platform", "cloudflare-challenge"),
    ("attention required! | cloudflare", "cloudflare-block"),
    ("sucuri website firewall", "sucuri"),
    ("incapsula incident id", "imperva"),
    ("request unsuccessful. incapsula", "imperva"),
    ("slowaes.decrypt", "nginx-testcookie"),
    ("acme-protocol", "palo-alto-app-id"),
    ("the requested url was rejected", "f5-asm"),
];

/// `Server` values (lowercase substrings) and body fragments of router and CPE web
/// interfaces: with IPv4 port-forwarded, IPv6 often reaches the router itself.
const ROUTER_SERVERS: [(&str, &str); 8] = [
    ("micro_httpd", "micro_httpd"),
    ("cisco-ios", "cisco-IOS"),
    ("lancom", "LANCOM"),
    ("zte web server", "ZTE"),
    ("rompager", "RomPager"),
    ("goahead", "GoAhead"),
    ("routeros", "MikroTik"),
    ("boa/", "Boa"),
];
const ROUTER_BODIES: [(&str, &str); 5] = [
    ("fritz!box", "FRITZ!Box"),
    ("mikrotik routeros", "MikroTik"),
    ("luci - lua configuration interface", "OpenWrt"),
    ("dd-wrt", "DD-WRT"),
    ("tp-link", "TP-Link"),
];

/// nginx's and Apache's answers to plain HTTP on a TLS port.
const HTTP_ON_HTTPS_BODIES: [&str; 2] = [
    "plain http request was sent to https port",
    "speaking plain http to an ssl-enabled server port",
];

/// The markers of an answer, in a fixed order, without repeats.
pub(crate) fn markers(head: &ResponseHead, body: &[u8]) -> Vec<String> {
    let server = head
        .header("Server")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = String::from_utf8_lossy(body).to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    let mut add = |marker: String| {
        if !out.contains(&marker) {
            out.push(marker);
        }
    };
    for (header, name) in CDN_HEADERS {
        if head.header(header).is_some() {
            add(format!("cdn:{name}"));
        }
    }
    for (prefix, name) in CDN_SERVERS {
        if server.starts_with(prefix) {
            add(format!("cdn:{name}"));
        }
    }
    if head
        .header("Cf-Mitigated")
        .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
    {
        add("waf:cloudflare-challenge".to_string());
    }
    for (fragment, name) in WAF_BODIES {
        if body.contains(fragment) {
            add(format!("waf:{name}"));
        }
    }
    for (fragment, name) in ROUTER_SERVERS {
        if server.contains(fragment) {
            add(format!("router:{name}"));
        }
    }
    for (fragment, name) in ROUTER_BODIES {
        if body.contains(fragment) {
            add(format!("router:{name}"));
        }
    }
    if HTTP_ON_HTTPS_BODIES.iter().any(|f| body.contains(f)) {
        add("http-on-https-port".to_string());
    }
    out
}

/// The CDN markers of a list.
pub(crate) fn cdns(markers: &[String]) -> Vec<&str> {
    markers
        .iter()
        .filter_map(|m| m.strip_prefix("cdn:"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::markers;
    use crate::http::{ResponseHead, ResponseReader};

    fn head(raw: &str) -> ResponseHead {
        let mut reader = ResponseReader::new(0);
        reader.push(raw.as_bytes()).unwrap();
        reader.head().unwrap().clone()
    }

    #[test]
    fn recognises_signatures() {
        let rows: [(&str, &str, &[&str]); 8] = [
            ("Server: nginx\r\n", "not found", &[]), // a plain server
            (
                "Server: cloudflare\r\nCF-RAY: 1-AMS\r\n",
                "",
                &["cdn:cloudflare"],
            ), // header and Server agree: once
            (
                "Server: cloudflare\r\nCf-Mitigated: challenge\r\n",
                "<title>Just a moment...</title> /cdn-cgi/challenge-platform/",
                &["cdn:cloudflare", "waf:cloudflare-challenge"],
            ), // bot check
            (
                "",
                "<html>acme-protocol blocked</html>",
                &["waf:palo-alto-app-id"],
            ), // App-ID block page
            ("Server: micro_httpd\r\n", "", &["router:micro_httpd"]), // LD's router banner
            ("", "<title>FRITZ!Box</title>", &["router:FRITZ!Box"]), // FRITZ!OS login page
            (
                "Server: nginx\r\n",
                "The plain HTTP request was sent to HTTPS port",
                &["http-on-https-port"],
            ), // nginx 400
            ("X-Amz-Cf-Id: abc\r\n", "", &["cdn:cloudfront"]), // CloudFront
        ];
        for (headers, body, expected) in rows {
            let raw = format!("HTTP/1.1 200 OK\r\n{headers}Content-Length: 0\r\n\r\n");
            assert_eq!(
                markers(&head(&raw), body.as_bytes()),
                expected,
                "{headers:?} {body:?}"
            );
        }
    }
}
