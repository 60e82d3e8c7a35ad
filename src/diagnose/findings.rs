//! The catalogue of findings: stable codes, and the fixes in Let's Encrypt's own terms.
//!
//! Codes never change meaning; docs/diagnose.md lists each with the failure mode it covers
//! (numbers from ../shared/spec/peers-and-failure-modes.md, section 4).

use crate::report::{Finding, Severity};

/// Let's Encrypt's IPv6 page.
pub(crate) const IPV6_PAGE: &str = "https://letsencrypt.org/docs/ipv6-support/";

/// Builds a finding.
pub(crate) fn finding(
    code: &str,
    severity: Severity,
    summary: String,
    evidence: Vec<String>,
    fix: Option<String>,
) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        summary,
        evidence,
        fix,
    }
}

/// The AAAA advice of Let's Encrypt's IPv6 page, for `host`.
pub(crate) fn fix_aaaa(host: &str, what: &str) -> String {
    format!(
        "{what} Otherwise correct the AAAA record of {host} so it points at the server the ACME client runs on, or remove it if {host} is not meant to serve IPv6. Let's Encrypt's IPv6 page ({IPV6_PAGE}): \"There is not a way to request Let's Encrypt prefer IPv4, you must fix the misconfiguration.\""
    )
}

/// Refused on IPv6: the web server does not listen there.
pub(crate) fn fix_not_listening(host: &str, port: u16) -> String {
    fix_aaaa(
        host,
        &format!("Make the web server listen on IPv6 port {port} too (nginx: `listen [::]:{port};`; Apache: `Listen {port}` without an address; Docker: publish the port on IPv6)."),
    )
}

/// Timed out or unreachable on IPv6: something drops the packets.
pub(crate) fn fix_firewalled(host: &str, port: u16) -> String {
    fix_aaaa(
        host,
        &format!("Open TCP port {port} for IPv6 in every firewall on the way (ip6tables/nftables, the cloud security group for ::/0, the router's IPv6 firewall)."),
    )
}

/// The same for an IPv4 address (used only as the retry while IPv6 works).
pub(crate) fn fix_ipv4(address: &str, port: u16) -> String {
    format!("Make {address} accept connections on port {port} (web server listening, firewall open), or remove its A record.")
}

/// A redirect hop to HTTPS that breaks on IPv6.
pub(crate) fn fix_https_redirect(host: &str) -> String {
    format!(
        "Serve /.well-known/acme-challenge/ over plain HTTP without the redirect to HTTPS: Let's Encrypt's IPv6 page says it retries on IPv4 only for the first request, never for a redirect ({IPV6_PAGE}). Or make IPv6 port 443 of {host} reachable (nginx: `listen [::]:443 ssl;`)."
    )
}

/// A redirect hop to another host that breaks on IPv6.
pub(crate) fn fix_redirect_target(target: &str) -> String {
    format!(
        "Fix IPv6 on {target} (or correct/remove its AAAA record), or serve /.well-known/acme-challenge/ without redirecting there: Let's Encrypt prefers IPv6 again at every hop and does not retry a redirect on IPv4 ({IPV6_PAGE})."
    )
}

/// A default server answers on IPv6.
pub(crate) fn fix_default_vhost(host: &str) -> String {
    fix_aaaa(
        host,
        &format!("Add the IPv6 address to {host}'s virtual host (nginx: `listen [::]:80;` in that server block; Apache: `<VirtualHost *:80>` or the IPv6 address beside the IPv4 one; hosting panels: assign the IPv6 address to the site)."),
    )
}

/// IPv6 reaches a router's web interface.
pub(crate) fn fix_router(host: &str) -> String {
    fix_aaaa(
        host,
        "IPv6 has no port forwarding: put the server's own IPv6 address in the AAAA record and allow TCP 80 to it in the router's IPv6 firewall.",
    )
}

/// A WAF or bot check answers instead of the site.
pub(crate) const FIX_WAF: &str = "Exempt /.well-known/acme-challenge/ from the bot check or firewall rule (for Cloudflare: a WAF skip rule or a Configuration Rule for that path) so that the file is served as it is, to any client.";

/// A and AAAA reach different fronts.
pub(crate) fn fix_cdn(host: &str) -> String {
    format!("Point A and AAAA of {host} at the same front: both proxied through the CDN, or both at the origin.")
}

/// Accepted, then no answer.
pub(crate) fn fix_after_connect(address: &str) -> String {
    format!("{address} accepts the connection but does not answer properly, and Let's Encrypt does not retry after a connection is made: fix the server (or the load balancer or firewall in front of it) at that address, or remove its record.")
}

/// Large answers stall over IPv6.
pub(crate) const FIX_STALL: &str = "Large packets over IPv6 get lost (a path MTU black hole): let ICMPv6 \"Packet Too Big\" (type 2) through every firewall, or clamp the TCP MSS on the IPv6 path. Over HTTPS the certificate chain alone is large enough to stall.";

/// Large answers stall over IPv4.
pub(crate) const FIX_STALL_IPV4: &str = "Large packets over IPv4 get lost (a path MTU black hole, often on PPPoE or tunnelled links): let ICMP \"Fragmentation Needed\" (type 3, code 4) through every firewall, or clamp the TCP MSS on the IPv4 path. Over HTTPS the certificate chain alone is large enough to stall.";

/// Several addresses of a family behave differently.
pub(crate) fn fix_several(host: &str, record_type: &str) -> String {
    format!("Remove the stale {record_type} records of {host} so that every address reaches the server: Let's Encrypt uses whichever address the resolver lists first, and resolvers rotate them.")
}

/// An address lookup that fails.
pub(crate) fn fix_lookup(host: &str, record_type: &str) -> String {
    format!("Make the nameservers of {host} answer {record_type} queries (NOERROR, with or without records). Let's Encrypt tolerates the failure while the other family works, but a slow answer eats into its budget.")
}

/// An address lookup that answers only after a timeout.
pub(crate) fn fix_slow_lookup(host: &str, record_type: &str) -> String {
    format!("Make every nameserver of {host} answer {record_type} queries at once (check that each one listed in the NS records and glue is reachable): each DNS attempt that times out is waited for in full, and it counts against Let's Encrypt's validation budget.")
}

/// The time budget.
pub(crate) fn fix_time(host: &str) -> String {
    fix_aaaa(
        host,
        "Make the IPv6 address accept connections (or answer quickly): every timeout on the way is waited for in full.",
    )
}

/// The random token answered 200.
pub(crate) const FIX_CATCH_ALL: &str = "Make sure the file the ACME client publishes is served rather than this catch-all answer: check with --expect PATH=CONTENT after publishing a test file.";

/// The challenge path is refused.
pub(crate) const FIX_BLOCKED: &str =
    "Allow GET requests for /.well-known/acme-challenge/ from anywhere, without authentication, rate limits or redirects to a login page.";

/// The published file is not served on every address.
pub(crate) fn fix_canary(host: &str) -> String {
    format!("Serve the same /.well-known/acme-challenge/ directory (the ACME client's webroot) on every address of {host}, or correct or remove the records of the addresses that do not.")
}

/// Nothing usable left after dropping reserved addresses.
pub(crate) fn fix_no_usable(host: &str) -> String {
    format!("Publish a public IPv4 (A) or IPv6 (AAAA) address for {host}: Let's Encrypt drops private, link-local, documentation, IPv4-mapped and NAT64 addresses without trying them.")
}

/// IPv6 port 443 answers TLS otherwise than IPv4 (another server or TLS configuration).
pub(crate) fn fix_ipv6_tls(host: &str) -> String {
    fix_aaaa(
        host,
        &format!("Make IPv6 port 443 of {host} reach the TLS listener IPv4 reaches, with the same certificate and settings."),
    )
}

/// TLS-ALPN-01's responder is not reached over IPv6.
pub(crate) fn fix_tls_alpn01(host: &str) -> String {
    fix_aaaa(
        host,
        &format!("Make whatever answers `acme-tls/1` on IPv4 port 443 of {host} (the ACME client's TLS-ALPN-01 responder, or the proxy routing it) listen on IPv6 too, or validate with HTTP-01. Let's Encrypt retries TLS-ALPN-01 on IPv4 after any IPv6 error, but each failed attempt costs time and one more failure point."),
    )
}

/// CAA forbids Let's Encrypt; the relevant records are at `at` (`host` itself or a parent).
pub(crate) fn fix_caa(host: &str, at: &str) -> String {
    let fix = format!("Add `0 issue \"letsencrypt.org\"` to the CAA records of {at} (or remove the records that restrict issuance).");
    if host == at {
        return fix;
    }
    format!(
        "{fix} Or give {host} CAA records of its own, which then apply to it instead of {at}'s."
    )
}

/// CAA forbids Let's Encrypt; the relevant records come through `name`'s CNAME to `target`.
pub(crate) fn fix_caa_alias(name: &str, target: &str) -> String {
    format!("{name} is a CNAME to {target}, so {target}'s CAA records apply: ask whoever runs {target} to add `0 issue \"letsencrypt.org\"` there, or point {name} at a name whose CAA allows Let's Encrypt.")
}

/// A CAA lookup on the way to the relevant records fails.
pub(crate) fn fix_caa_lookup(at: &str) -> String {
    format!("Make the nameservers of {at} answer CAA queries (NOERROR, with or without records): Let's Encrypt checks CAA after the challenge and does not issue while a lookup fails.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_quote_lets_encrypt() {
        let rows = [
            fix_not_listening("example.com", 80), // refused on IPv6
            fix_firewalled("example.com", 80),    // dropped on IPv6
            fix_default_vhost("example.com"),     // default server on IPv6
            fix_router("example.com"),            // router on IPv6
            fix_time("example.com"),              // the budget
            fix_ipv6_tls("example.com"),          // another TLS server on IPv6
            fix_tls_alpn01("example.com"),        // acme-tls/1 only on IPv4
        ];
        for fix in rows {
            assert!(
                fix.contains("There is not a way to request Let's Encrypt prefer IPv4"),
                "{fix}"
            );
            assert!(
                fix.contains("remove it if example.com is not meant to serve IPv6"),
                "{fix}"
            );
        }
        assert!(fix_https_redirect("example.com").contains("without the redirect to HTTPS"));
    }
}
