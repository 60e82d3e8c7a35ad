use super::{find, flags, parse_head};

#[test]
fn request_heads() {
    let rows = [
        // A POST with a body length.
        (
            "POST /v1/validate HTTP/1.1\r\nContent-Length: 12",
            Ok(("POST", "/v1/validate", 12)),
        ),
        // Header names are case-insensitive; no length means an empty body.
        (
            "POST /x HTTP/1.0\r\ncontent-length:  3 ",
            Ok(("POST", "/x", 3)),
        ),
        ("GET / HTTP/1.1\r\nHost: a", Ok(("GET", "/", 0))),
        // Chunked bodies, bad lengths, bad request lines, other versions.
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked", Err(411)),
        ("POST / HTTP/1.1\r\nContent-Length: -1", Err(400)),
        ("POST / HTTP/1.1\r\nbroken", Err(400)),
        ("POST /", Err(400)),
        ("POST / HTTP/2", Err(400)),
    ];
    for (head, expected) in rows {
        let got = parse_head(head).map_err(|response| response.status);
        let expected = expected.map(|(m, p, l)| (m.to_string(), p.to_string(), l));
        assert_eq!(got, expected, "{head:?}");
    }
}

#[test]
fn serve_flags() {
    let args = |line: &str| {
        line.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let got = flags(&args(
        "--listen 0.0.0.0:1 --allow-reserved 10.0.0.0/8 --resolver 9.9.9.9",
    ));
    assert_eq!(
        got,
        Ok(Some((
            "0.0.0.0:1".parse().unwrap(),
            Some("10.0.0.0/8".to_string()),
            Some("9.9.9.9".to_string())
        )))
    );
    assert_eq!(flags(&args("--help")), Ok(None));
    // Defaults; a name instead of an address is a usage error.
    assert_eq!(
        flags(&[]).map(|f| f.map(|(listen, _, _)| listen.to_string())),
        Ok(Some("127.0.0.1:8080".to_string()))
    );
    assert_eq!(
        flags(&args("--listen localhost:80")).map_err(|e| e.0),
        Err(2)
    );
    assert_eq!(flags(&args("--listen")).map_err(|e| e.0), Err(2));
    assert_eq!(flags(&args("--frob")).map_err(|e| e.0), Err(2));
    assert_eq!(find(b"ab\r\n\r\ncd", b"\r\n\r\n"), Some(2));
}
