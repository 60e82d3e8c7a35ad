//! Tables for the redirect-target policy: Boulder's `TestExtractRequestTarget` row by row,
//! then the edges around it.

use super::*;

/// What a row expects.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// A target: `"dns:name"` or `"ip:addr"`, and the port.
    Target(&'static str, u16),
    /// Boulder's refusal text.
    Refused(&'static str),
}

use Want::{Refused, Target};

const LOOPBACK_V4: &str = "Invalid host in redirect target: IP address is in a reserved address block: [RFC1122], Section 3.2.1.3: Loopback";
const LOOPBACK_V6: &str = "Invalid host in redirect target: IP address is in a reserved address block: [RFC4291]: Loopback Address";
const BAD_PORT_9999: &str =
    "Invalid port in redirect target. Only ports 80 and 443 are supported, not 9999";
const NOT_IANA: &str = "Invalid host in redirect target, must end in IANA registered TLD";

fn run(rows: &[(&str, Want, Want)]) {
    let test_va = AllowList::parse("127.0.0.0/8,::1/128").unwrap();
    for &(location, production, with_loopback) in rows {
        let url = GoUrl::parse(location).unwrap_or_else(|e| panic!("{location}: {e}"));
        for (allow, expected) in [
            (&AllowList::default(), production),
            (&test_va, with_loopback),
        ] {
            let got = extract_request_target(&url, allow)
                .map(|target| {
                    let host = match target.host {
                        TargetHost::Dns(name) => format!("dns:{name}"),
                        TargetHost::Ip(address) => format!("ip:{address}"),
                    };
                    (host, target.port)
                })
                .map_err(|e| e.to_string());
            let expected = match expected {
                Target(host, port) => Ok((host.to_string(), port)),
                Refused(text) => Err(text.to_string()),
            };
            assert_eq!(
                got,
                expected,
                "{location} (allow {:?})",
                allow.blocks().count()
            );
        }
    }
}

#[test]
fn boulder_extract_request_target() {
    // Port of TestExtractRequestTarget (va/http_test.go): (Location, production result,
    // result with the test VA's loopback allowance). The "nil input req" row has no Rust
    // equivalent: a &GoUrl cannot be nil.
    #[rustfmt::skip]
    let rows: &[(&str, Want, Want)] = &[
        // invalid protocol scheme
        ("gopher://letsencrypt.org", Refused("Invalid protocol scheme in redirect target. Only \"http\" and \"https\" protocol schemes are supported, not \"gopher\""), Refused("Invalid protocol scheme in redirect target. Only \"http\" and \"https\" protocol schemes are supported, not \"gopher\"")),
        // invalid explicit port
        ("https://weird.port.letsencrypt.org:9999", Refused(BAD_PORT_9999), Refused(BAD_PORT_9999)),
        // invalid empty host
        ("https:///who/needs/a/hostname?not=me", Refused("Invalid empty host in redirect target"), Refused("Invalid empty host in redirect target")),
        // invalid .well-known hostname
        ("https://my.webserver.is.misconfigured.well-known/acme-challenge/xxx", Refused("Invalid host in redirect target \"my.webserver.is.misconfigured.well-known\". Check webserver config for missing '/' in redirect target."), Refused("Invalid host in redirect target \"my.webserver.is.misconfigured.well-known\". Check webserver config for missing '/' in redirect target.")),
        // invalid non-iana hostname
        ("https://my.tld.is.cpu/pretty/cool/right?yeah=Ithoughtsotoo", Refused(NOT_IANA), Refused(NOT_IANA)),
        // malformed wildcard-ish IPv4 address
        ("https://10.10.10.*", Refused(NOT_IANA), Refused(NOT_IANA)),
        // bare IPv4, implicit port
        ("http://127.0.0.1", Refused(LOOPBACK_V4), Target("ip:127.0.0.1", 80)),
        // bare IPv4, explicit valid port
        ("http://127.0.0.1:80", Refused(LOOPBACK_V4), Target("ip:127.0.0.1", 80)),
        // bare IPv4, explicit invalid port: the port is checked first
        ("http://127.0.0.1:9999", Refused(BAD_PORT_9999), Refused(BAD_PORT_9999)),
        // bare IPv4, HTTPS
        ("https://127.0.0.1", Refused(LOOPBACK_V4), Target("ip:127.0.0.1", 443)),
        // bare IPv4, reserved IP address
        ("http://10.10.10.10", Refused("Invalid host in redirect target: IP address is in a reserved address block: [RFC1918]: Private-Use"), Refused("Invalid host in redirect target: IP address is in a reserved address block: [RFC1918]: Private-Use")),
        // bare IPv6, implicit port
        ("http://[::1]", Refused(LOOPBACK_V6), Target("ip:::1", 80)),
        // bare IPv6, explicit valid port
        ("http://[::1]:80", Refused(LOOPBACK_V6), Target("ip:::1", 80)),
        // bare IPv6, explicit invalid port
        ("http://[::1]:9999", Refused(BAD_PORT_9999), Refused(BAD_PORT_9999)),
        // bare IPv6, HTTPS
        ("https://[::1]", Refused(LOOPBACK_V6), Target("ip:::1", 443)),
        // bare IPv6, reserved IP address
        ("http://[3fff:aaa:aaaa:aaaa:abad:0ff1:cec0:ffee]", Refused("Invalid host in redirect target: IP address is in a reserved address block: [RFC9637]: Documentation"), Refused("Invalid host in redirect target: IP address is in a reserved address block: [RFC9637]: Documentation")),
        // bare IPv6, scope zone
        ("http://[::1%25lo]", Refused("Invalid host in redirect target: contains scope zone"), Refused("Invalid host in redirect target: contains scope zone")),
        // valid HTTP redirect, explicit port
        ("http://cpu.letsencrypt.org:80", Target("dns:cpu.letsencrypt.org", 80), Target("dns:cpu.letsencrypt.org", 80)),
        // valid HTTP redirect, implicit port
        ("http://cpu.letsencrypt.org", Target("dns:cpu.letsencrypt.org", 80), Target("dns:cpu.letsencrypt.org", 80)),
        // valid HTTPS redirect, explicit port
        ("https://cpu.letsencrypt.org:443/hello.world", Target("dns:cpu.letsencrypt.org", 443), Target("dns:cpu.letsencrypt.org", 443)),
        // valid HTTPS redirect, implicit port
        ("https://cpu.letsencrypt.org/hello.world", Target("dns:cpu.letsencrypt.org", 443), Target("dns:cpu.letsencrypt.org", 443)),
    ];
    run(rows);
}

#[test]
fn ports_and_hosts_at_the_edges() {
    let same = |want: Want| (want, want);
    #[rustfmt::skip]
    let rows: Vec<(&str, Want, Want)> = [
        ("http://example.com:443/", same(Target("dns:example.com", 443))), // either port, either scheme
        ("https://example.com:80/", same(Target("dns:example.com", 80))),
        ("http://example.com:0080/", same(Target("dns:example.com", 80))), // Atoi accepts leading zeros
        ("http://example.com:/", same(Target("dns:example.com", 80))), // empty port: the scheme's
        ("http://example.com:0/", same(Refused("Invalid port in redirect target. Only ports 80 and 443 are supported, not 0"))),
        ("http://example.com:79/", same(Refused("Invalid port in redirect target. Only ports 80 and 443 are supported, not 79"))),
        ("http://example.com:81/", same(Refused("Invalid port in redirect target. Only ports 80 and 443 are supported, not 81"))),
        ("http://example.com:65536/", same(Refused("Invalid port in redirect target. Only ports 80 and 443 are supported, not 65536"))), // no u16 limit in Go
        ("http://example.com:9223372036854775807/", same(Refused("Invalid port in redirect target. Only ports 80 and 443 are supported, not 9223372036854775807"))), // i64::MAX
        ("http://example.com:9223372036854775808/", same(Refused("strconv.Atoi: parsing \"9223372036854775808\": value out of range"))), // i64::MAX + 1
        ("http://:9999/", same(Refused(BAD_PORT_9999))), // port before empty host
        ("http://:80/", same(Refused("Invalid empty host in redirect target"))),
        ("http://user@/", same(Refused("Invalid empty host in redirect target"))),
        ("http://Example.COM/ok", same(Target("dns:example.com", 80))), // lower-cased (TestFetchHTTP)
        ("http://x.blogspot.com/", same(Target("dns:x.blogspot.com", 80))), // private PSL rules ignored
        ("http://example.com./", same(Refused(NOT_IANA))), // a trailing dot matches no rule
        ("http://invalid.invalid/path", same(Refused(NOT_IANA))), // TestHTTPRedirectLookup
        ("http://localhost/", same(Refused(NOT_IANA))),
        ("http://well-known/", same(Refused(NOT_IANA))), // no dot: not the .well-known case
        ("http://x.WELL-KNOWN/", same(Refused("Invalid host in redirect target \"x.well-known\". Check webserver config for missing '/' in redirect target."))),
        ("http://[::ffff:10.0.0.1]/", same(Refused("Invalid host in redirect target: IP address is in a reserved address block: [RFC4291]: IPv4-mapped Address"))),
        ("http://[fe80::1%25eth0]/", same(Refused("Invalid host in redirect target: contains scope zone"))), // zone before reserved
        ("http://8.8.8.8/", same(Target("ip:8.8.8.8", 80))), // public literal: no DNS
        ("http://[2606:4700::1111]:443/", same(Target("ip:2606:4700::1111", 443))),
        ("http://192.88.99.2/", same(Refused("Invalid host in redirect target: IP address is in a reserved address block: [RFC6751]: 6a44-relay anycast address"))),
        ("http://224.0.0.1/", same(Target("ip:224.0.0.1", 80))), // multicast is not reserved here
        ("http://1.2.3.999/", same(Refused(NOT_IANA))), // not an IP literal, and "999" is no TLD
        ("http://010.0.0.1/", same(Refused(NOT_IANA))), // netip refuses leading zeros
        ("http://例え.jp/", same(Target("dns:例え.jp", 80))), // Unicode labels under an ASCII rule
        ("http://example.中国/", same(Refused(NOT_IANA))), // Go's rule keys are punycode
        ("http://example.xn--fiqs8s/", same(Target("dns:example.xn--fiqs8s", 80))),
    ]
    .into_iter()
    .map(|(location, (production, test_va))| (location, production, test_va))
    .collect();
    run(&rows);
}

#[test]
fn icann_suffix_like_publicsuffix_go() {
    // (name, whether Find with IgnorePrivate and no default rule finds a rule)
    #[rustfmt::skip]
    let rows: [(&[u8], bool); 22] = [
        (b"com", true), // a name that is a suffix still succeeds
        (b"example.com", true),
        (b"x.blogspot.com", true), // private rule skipped, "com" found
        (b"foo.compute-1.amazonaws.com", true),
        (b"cpu", false), // unknown TLD: no "*" default rule
        (b"my.tld.is.cpu", false),
        (b"ck", false), // "*.ck" needs one more label
        (b"a.ck", true),
        (b"www.ck", true), // "!www.ck" exception
        (b"*.ck", true),
        (b".ck", true), // an empty label still fills the wildcard
        (b"city.kobe.jp", true),
        (b"example.com.", false), // trailing dot: no key ends in "."
        (b".com", true),          // leading dot: "com" is still a key
        (b"a..com", true),
        (b"10.10.10.*", false),
        (b"example.\xe4\xb8\xad\xe5\x9b\xbd", false), // "中国" is only a key as punycode
        (b"\xe4\xbe\x8b.jp", true),
        (b"\xff.com", true), // any bytes in the labels before the rule
        (b"xn--fiqs8s", true),
        (b"COM", false), // keys are lower case (Boulder lowers first)
        (b"", false),
    ];
    for (name, expected) in rows {
        assert_eq!(
            crate::policy::public_suffix::has_icann_suffix(name),
            expected,
            "{:?}",
            String::from_utf8_lossy(name)
        );
    }
}

#[test]
fn only_the_atoi_error_is_not_a_connection_failure() {
    #[rustfmt::skip]
    let rows = [
        (RedirectError::BadPort { port: 1 }, true),
        (RedirectError::EmptyHost, true),
        (RedirectError::NotIanaTld, true),
        (RedirectError::PortOutOfRange { port: "99999999999999999999".into(), }, false),
    ];
    for (error, expected) in rows {
        assert_eq!(error.is_connection_failure(), expected, "{error}");
    }
}

#[test]
fn every_prefix_of_a_location_is_handled() {
    // Whatever parses, the policy answers without panicking.
    let location = "https://user@[2001:db8::1%25en0]:443/.well-known/acme-challenge/x?y#z";
    let allow = AllowList::default();
    for end in 0..=location.len() {
        if let Ok(url) = GoUrl::parse(&location[..end]) {
            let _ = extract_request_target(&url, &allow);
        }
    }
}
