//! Tables for `GoUrl`, most rows from Go's `url_test.go` and RFC 3986 section 5.4.

use super::*;

/// Parses or panics (tests only).
fn url(raw: &str) -> GoUrl {
    GoUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

#[test]
fn parse_and_string() {
    // (input, Go's String(), Hostname, Path decoded, RawQuery)
    #[rustfmt::skip]
    let rows: [(&str, &str, &str, &str, &str); 44] = [
        ("http://www.google.com", "http://www.google.com", "www.google.com", "", ""), // no path
        ("http://www.google.com/", "http://www.google.com/", "www.google.com", "/", ""),
        ("http://www.google.com/file%20one%26two", "http://www.google.com/file%20one%26two", "www.google.com", "/file one&two", ""), // RawPath kept
        ("http://www.google.com/#file%20one%26two", "http://www.google.com/#file%20one%26two", "www.google.com", "/", ""),
        ("ftp://john%20doe@www.google.com/", "ftp://john%20doe@www.google.com/", "www.google.com", "/", ""), // user decoded, re-escaped
        ("http://www.google.com/?", "http://www.google.com/?", "www.google.com", "/", ""), // ForceQuery
        ("http://www.google.com/?foo=bar?", "http://www.google.com/?foo=bar?", "www.google.com", "/", "foo=bar?"), // second '?' is data
        ("http://www.google.com/?q=go+language", "http://www.google.com/?q=go+language", "www.google.com", "/", "q=go+language"),
        ("http://www.google.com/a%20b?q=c+d", "http://www.google.com/a%20b?q=c+d", "www.google.com", "/a b", "q=c+d"),
        ("http:www.google.com/?q=go+language", "http:www.google.com/?q=go+language", "", "", "q=go+language"), // opaque
        ("http:%2f%2fwww.google.com/?q=go+language", "http:%2f%2fwww.google.com/?q=go+language", "", "", "q=go+language"),
        ("mailto:/webmaster@golang.org", "mailto:/webmaster@golang.org", "", "/webmaster@golang.org", ""), // OmitHost
        ("mailto:webmaster@golang.org", "mailto:webmaster@golang.org", "", "", ""),
        ("/foo?query=http://bad", "/foo?query=http://bad", "", "/foo", "query=http://bad"),
        ("//foo", "//foo", "foo", "", ""), // scheme-relative
        ("//user@foo/path?a=b", "//user@foo/path?a=b", "foo", "/path", "a=b"),
        ("///threeslashes", "///threeslashes", "", "///threeslashes", ""), // not an authority
        ("http://user:password@google.com", "http://user:password@google.com", "google.com", "", ""),
        ("http://j@ne:password@google.com", "http://j%40ne:password@google.com", "google.com", "", ""), // last '@' splits
        ("http://jane:p@ssword@google.com", "http://jane:p%40ssword@google.com", "google.com", "", ""),
        ("http://%3Fam:pa%3Fsword@google.com", "http://%3Fam:pa%3Fsword@google.com", "google.com", "", ""),
        ("http://www.google.com/?q=go+language#foo%26bar", "http://www.google.com/?q=go+language#foo%26bar", "www.google.com", "/", "q=go+language"),
        ("file:///home/adg/rabbits", "file:///home/adg/rabbits", "", "/home/adg/rabbits", ""), // empty host kept
        ("MaIlTo:webmaster@golang.org", "mailto:webmaster@golang.org", "", "", ""), // scheme lower-cased
        ("a/b/c", "a/b/c", "", "a/b/c", ""),
        ("http://192.168.0.1:8080/", "http://192.168.0.1:8080/", "192.168.0.1", "/", ""),
        ("http://[fe80::1]:8080/", "http://[fe80::1]:8080/", "fe80::1", "/", ""),
        ("http://[fe80::1%25en0]/", "http://[fe80::1%25en0]/", "fe80::1%en0", "/", ""), // zone decoded
        ("http://[fe80::1%25%65%6e%301-._~]/", "http://[fe80::1%25en01-._~]/", "fe80::1%en01-._~", "/", ""),
        ("http://rest.rsc.io/foo%2fbar/baz%2Fquux?alt=media", "http://rest.rsc.io/foo%2fbar/baz%2Fquux?alt=media", "rest.rsc.io", "/foo/bar/baz/quux", "alt=media"),
        ("mysql://a,b,c/bar", "mysql://a,b,c/bar", "a,b,c", "/bar", ""),
        ("scheme://!$&'()*+,;=hello!:1/path", "scheme://!$&'()*+,;=hello!:1/path", "!$&'()*+,;=hello!", "/path", ""),
        ("http://host/!$&'()*+,;=:@[hello]", "http://host/!$&'()*+,;=:@[hello]", "host", "/!$&'()*+,;=:@[hello]", ""),
        ("http://example.com/oid/[order_id]", "http://example.com/oid/[order_id]", "example.com", "/oid/[order_id]", ""),
        ("http://hello.世界.com/foo", "http://hello.%E4%B8%96%E7%95%8C.com/foo", "hello.世界.com", "/foo", ""), // host escaped on output
        ("http://hello.%e4%b8%96%e7%95%8c.com/foo", "http://hello.%E4%B8%96%E7%95%8C.com/foo", "hello.世界.com", "/foo", ""),
        ("http://example.com//foo", "http://example.com//foo", "example.com", "//foo", ""),
        ("http://[::1]:", "http://[::1]:", "::1", "", ""), // empty port
        ("http://Example.COM/", "http://Example.COM/", "Example.COM", "/", ""), // host case kept
        ("https:///who/needs/a/hostname?not=me", "https:///who/needs/a/hostname?not=me", "", "/who/needs/a/hostname", "not=me"),
        ("http:/path", "http:/path", "", "/path", ""), // OmitHost
        ("http:", "http:", "", "", ""),
        ("*", "*", "", "*", ""),
        ("ftp://localhost:1:2/", "ftp://localhost:1:2/", "localhost:1", "/", ""), // colons only strict for http(s)
    ];
    for (input, string, hostname, path, query) in rows {
        let parsed = url(input);
        assert_eq!(parsed.to_string(), string, "{input}: String");
        assert_eq!(parsed.to_bytes(), string.as_bytes(), "{input}: bytes");
        assert_eq!(parsed.hostname(), hostname, "{input}: Hostname");
        assert_eq!(parsed.path(), path.as_bytes(), "{input}: Path");
        assert_eq!(parsed.raw_query(), query.as_bytes(), "{input}: RawQuery");
    }
}

#[test]
fn parse_errors() {
    // (input, Go's error text)
    #[rustfmt::skip]
    let rows = [
        ("http://x:abc", r#"parse "http://x:abc": invalid port ":abc" after host"#),
        ("http://[::1]a", r#"parse "http://[::1]a": invalid port "a" after host"#),
        ("http://[::1]:a", r#"parse "http://[::1]:a": invalid port ":a" after host"#),
        ("http://[::1", r#"parse "http://[::1": missing ']' in host"#),
        ("http://a[::1]", r#"parse "http://a[::1]": invalid IP-literal"#), // '[' not first
        ("http://[1.2.3.4]/", r#"parse "http://[1.2.3.4]/": invalid IP-literal"#), // IPv4 in brackets
        ("http://[fe80::1%en0]/", r#"parse "http://[fe80::1%en0]/": invalid URL escape "%en""#), // zone needs %25
        ("http://[fe80::1%25%2f]/", r#"parse "http://[fe80::1%25%2f]/": invalid URL escape "%2f""#),
        ("http://[fe80::1%25]/", r#"parse "http://[fe80::1%25]/": invalid host: ParseAddr("fe80::1%"): zone must be a non-empty string"#),
        ("https://[a:b:c:d:e:f:b:a:d]", r#"parse "https://[a:b:c:d:e:f:b:a:d]": invalid host: ParseAddr("a:b:c:d:e:f:b:a:d"): trailing garbage after address (at "d")"#),
        ("http://::1/", r#"parse "http://::1/": invalid port "::1" after host"#), // strict colons
        ("http://localhost:1:2/", r#"parse "http://localhost:1:2/": invalid port ":1:2" after host"#),
        ("http://%zz", r#"parse "http://%zz": invalid URL escape "%zz""#),
        ("http://%41.com", r#"parse "http://%41.com": invalid URL escape "%41""#), // ASCII escape in host
        ("http://a b.com/", r#"parse "http://a b.com/": invalid character " " in host name"#),
        ("http://a{b/", r#"parse "http://a{b/": invalid character "{" in host name"#),
        (":foo", r#"parse ":foo": missing protocol scheme"#),
        ("1a:b", r#"parse "1a:b": first path segment in URL cannot contain colon"#),
        ("http://x/\u{0}", r#"parse "http://x/\x00": net/url: invalid control character in URL"#),
        ("http://x/\u{7f}", r#"parse "http://x/\x7f": net/url: invalid control character in URL"#),
        ("http://x/%", r#"parse "http://x/%": invalid URL escape "%""#),
        ("http://x/#%zz", r#"parse "http://x/#%zz": invalid URL escape "%zz""#), // whole URL named
        ("http://us er@x/", r#"parse "http://us er@x/": net/url: invalid userinfo"#),
        ("http://[::1]]:80", r#"parse "http://[::1]]:80": invalid host: ParseAddr("::1]"): unexpected character, want colon (at "]")"#),
    ];
    for (input, expected) in rows {
        let error = GoUrl::parse(input).expect_err(input);
        assert_eq!(error.to_string(), expected, "{input}");
    }
}

#[test]
fn fragment_control_bytes_are_escaped_not_refused() {
    // Go checks control bytes before the '#' only.
    assert_eq!(url("http://x/#\u{1}").to_string(), "http://x/#%01");
}

#[test]
fn join_rfc3986_examples() {
    // RFC 3986 section 5.4 with Go's answers (url_test.go resolveReferenceTests).
    let base = url("http://a/b/c/d;p?q");
    #[rustfmt::skip]
    let rows = [
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"),
        ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y#s"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
        ("../../../g", "http://a/g"), // abnormal: too many ".."
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"), // dots in the query stay
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g#s/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"),
        ("http:g", "http:g"), // a scheme makes it absolute (opaque)
    ];
    for (reference, expected) in rows {
        assert_eq!(
            base.join(reference).unwrap().to_string(),
            expected,
            "{reference}"
        );
    }
}

#[test]
fn join_redirects() {
    let base = url("http://example.com/.well-known/acme-challenge/tok");
    #[rustfmt::skip]
    let rows = [
        ("valid", "http://example.com/.well-known/acme-challenge/valid"), // TestHTTP's relative 301
        ("/path", "http://example.com/path"),
        ("https://example.com", "https://example.com"), // no path added
        ("//other.example/x", "http://other.example/x"),
        ("http://example.com:80/loop", "http://example.com:80/loop"), // port kept: differs from base
        ("HTTP://Example.COM/ok", "http://Example.COM/ok"), // scheme lowered, host not (Boulder does)
        ("http://example.com/a/../b", "http://example.com/b"), // absolute paths are cleaned too
        ("http://example.com/a/%2e%2e/b", "http://example.com/a/%2e%2e/b"), // escaped dots are not
        ("?x=1", "http://example.com/.well-known/acme-challenge/tok?x=1"),
        ("http://u:p@h/", "http://u:p@h/"),
        ("gopher://example.com", "gopher://example.com"),
    ];
    for (reference, expected) in rows {
        assert_eq!(
            base.join(reference).unwrap().to_string(),
            expected,
            "{reference}"
        );
    }
    #[rustfmt::skip]
    let rows = [
        ("http://foo.com/bar", "..", "http://foo.com/"),
        ("http://foo.com/bar/baz", "../quux/", "http://foo.com/quux/"),
        ("http://foo.com", ".", "http://foo.com/"),
        ("http://foo.com/bar?a=b#f", "", "http://foo.com/bar?a=b#f"), // empty keeps query and fragment
        ("http://foo.com/bar?a=b#f", "#g", "http://foo.com/bar?a=b#g"),
        ("mailto:a@b.c?x=y", "#f", "mailto:a@b.c?x=y#f"), // Go 1.26 keeps an opaque base
        ("http://foo.com/bar", "https://bar.com/?qux", "https://bar.com/?qux"),
    ];
    for (base, reference, expected) in rows {
        assert_eq!(
            url(base).join(reference).unwrap().to_string(),
            expected,
            "{base} {reference}"
        );
    }
}

#[test]
fn join_reports_the_reference() {
    let error = url("http://a/").join("http://x:abc/").unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"parse "http://x:abc/": invalid port ":abc" after host"#
    );
}

#[test]
fn host_port_and_request_uri() {
    // (input, Host, Hostname, Port, RequestURI)
    #[rustfmt::skip]
    let rows = [
        ("http://[::1]:80/", "[::1]:80", "::1", "80", "/"),
        ("http://[::1]/", "[::1]", "::1", "", "/"),
        ("http://example.com:/", "example.com:", "example.com", "", "/"), // empty port
        ("http://example.com:080/", "example.com:080", "example.com", "080", "/"), // digits as written
        ("http://[fe80::1%25en0]:8080/", "[fe80::1%en0]:8080", "fe80::1%en0", "8080", "/"),
        ("http://a/b?c", "a", "a", "", "/b?c"),
        ("http://a", "a", "a", "", "/"),   // empty path asks for "/"
        ("http://a?", "a", "a", "", "/?"), // ForceQuery
        ("http://a/%2f", "a", "a", "", "/%2f"), // RawPath used
        ("http://a/b c", "a", "a", "", "/b%20c"), // escaped on the way out
        ("mailto:x?y", "", "", "", "x?y"), // opaque
    ];
    for (input, host, hostname, port, request_uri) in rows {
        let parsed = url(input);
        assert_eq!(parsed.host(), host, "{input}");
        assert_eq!(parsed.hostname(), hostname, "{input}");
        assert_eq!(parsed.port(), port, "{input}");
        assert_eq!(parsed.request_uri(), request_uri, "{input}");
    }
}

#[test]
fn loop_detection_sees_the_port() {
    // Boulder compares String() exactly: an explicit default port is another URL.
    assert_ne!(
        url("http://h/x").to_string(),
        url("http://h:80/x").to_string()
    );
}

#[test]
fn http_constructor_matches_boulder() {
    // url.URL{Scheme: "http", Host: host, Path: path}.String()
    #[rustfmt::skip]
    let rows = [
        ("example.com", "/.well-known/acme-challenge/t", "http://example.com/.well-known/acme-challenge/t"),
        ("[::1]", "/.well-known/acme-challenge/t", "http://[::1]/.well-known/acme-challenge/t"),
        ("example.com", "/a b", "http://example.com/a%20b"),
    ];
    for (host, path, expected) in rows {
        assert_eq!(GoUrl::http(host, path).to_string(), expected);
    }
}

#[test]
fn host_lowercasing() {
    let mut redirect = url("http://Ex%C3%89mple.COM:80/Path");
    redirect.lowercase_host();
    assert_eq!(redirect.to_string(), "http://ex%C3%A9mple.com:80/Path"); // path untouched
    let mut invalid = url("http://a%FF.com/");
    invalid.lowercase_host();
    assert_eq!(invalid.hostname(), "a\u{fffd}.com"); // ToLower makes it UTF-8
    invalid.set_host("b.example");
    assert_eq!(invalid.to_string(), "http://b.example/");
}

#[test]
fn without_userinfo_for_referer() {
    let with_user = url("http://u:p@h/x?q");
    assert_eq!(with_user.without_userinfo().to_string(), "http://h/x?q");
}

#[test]
fn every_prefix_and_mutation_is_handled() {
    // Not a Go oracle: the parser never panics, and whatever parses prints deterministically.
    let samples = [
        "http://u:p@[fe80::1%25en0]:8080/a/../b%2fc?q=1#frag%20x",
        "https://example.com./.well-known/acme-challenge/x?y",
        "//h/./../g;x?y#s",
    ];
    for sample in samples {
        let bytes = sample.as_bytes();
        for end in 0..=bytes.len() {
            let _ = GoUrl::parse(&bytes[..end]).map(|u| u.to_bytes());
        }
        for position in 0..bytes.len() {
            for value in 0..=255u8 {
                let mut mutated = bytes.to_vec();
                mutated[position] = value;
                if let Ok(parsed) = GoUrl::parse(&mutated) {
                    assert_eq!(parsed.to_bytes(), parsed.clone().to_bytes());
                    let _ = (parsed.request_uri(), parsed.hostname(), parsed.port());
                    let _ = url("http://a/b/c").join(&mutated);
                }
            }
        }
    }
}
