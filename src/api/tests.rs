use std::net::IpAddr;

use super::{field_names, in_block, parse_json, parse_request, ApiError, Value, MAX_BODY_BYTES};
use crate::cli::{parse_args, Command, Invocation};
use crate::policy::reserved::AllowList;

fn deployment(list: &str) -> AllowList {
    if list.is_empty() {
        return AllowList::default();
    }
    AllowList::parse(list).unwrap()
}

/// What the command line builds from `line`.
fn cli(line: &str) -> Invocation {
    let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    match parse_args(&args, None) {
        Ok(Command::Run(invocation)) => *invocation,
        other => panic!("{line}: {other:?}"),
    }
}

/// The `detail` member of an error's body, unescaped.
fn detail(error: &ApiError) -> String {
    let Ok(Value::Object(members)) = parse_json(&error.body) else {
        panic!("not a JSON object: {}", error.body);
    };
    match members.iter().find(|(name, _)| name == "detail") {
        Some((_, Value::String(text))) => text.clone(),
        _ => panic!("no detail: {}", error.body),
    }
}

#[test]
fn requests_build_what_the_command_line_builds() {
    let base = "validate example.com --token tok --key-authorization tok.thumb --json";
    let rows = [
        // The three required fields.
        (
            r#"{"identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb"}"#,
            "",
            base.to_string(),
        ),
        // Every option, in a different order from the CLI's.
        (
            r#"{"policy":"boulder-pr8905","deadline":"5s","connectTimeout":"1500ms","resolver":"198.51.100.53",
                "allowReserved":"198.51.100.0/24","identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb"}"#,
            "198.51.100.0/24,2001:db8::/32",
            format!("{base} --policy boulder-pr8905 --deadline 5s --connect-timeout 1500ms --resolver 198.51.100.53 --allow-reserved 198.51.100.0/24"),
        ),
        // Durations as whole milliseconds.
        (
            r#"{"identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb","deadline":7000,"connectTimeout":0}"#,
            "",
            format!("{base} --deadline 7s --connect-timeout 0ms"),
        ),
        // allowReserved as an array; null means absent.
        (
            r#"{"identifier":"198.51.100.7","token":"tok","keyAuthorization":"tok.thumb","allowReserved":["198.51.100.0/25","2001:db8::/48"],"policy":null}"#,
            "198.51.100.0/24,2001:db8::/32",
            "validate 198.51.100.7 --token tok --key-authorization tok.thumb --json --allow-reserved 198.51.100.0/25,2001:db8::/48".to_string(),
        ),
        // No allowReserved: the deployment's list applies.
        (
            r#"{"identifier":"198.51.100.7","token":"tok","keyAuthorization":"tok.thumb"}"#,
            "198.51.100.0/24",
            "validate 198.51.100.7 --token tok --key-authorization tok.thumb --json --allow-reserved 198.51.100.0/24".to_string(),
        ),
        // An empty list narrows the deployment's to nothing.
        (
            r#"{"identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb","allowReserved":[]}"#,
            "198.51.100.0/24",
            base.to_string(),
        ),
        // A reserved resolver inside the deployment's blocks.
        (
            r#"{"identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb","resolver":"[2001:db8::53]:5353"}"#,
            "2001:db8::/32",
            format!("{base} --resolver [2001:db8::53]:5353 --allow-reserved 2001:db8::/32"),
        ),
    ];
    for (body, allowed, line) in rows {
        let got = parse_request("/v1/validate", body, &deployment(allowed));
        assert_eq!(got, Ok(cli(&line)), "{body}");
    }
}

#[test]
fn refusals_have_a_status_and_a_reason() {
    let ok = r#""identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb""#;
    let rows = [
        // Unknown endpoint.
        (
            "/v1/frob",
            format!("{{{ok}}}"),
            "",
            404,
            "no endpoint \"/v1/frob\"",
        ),
        ("/v1/validate/", format!("{{{ok}}}"), "", 404, "no endpoint"),
        // Not JSON, not an object.
        (
            "/v1/validate",
            "{".to_string(),
            "",
            400,
            "not JSON: expected a member name in double quotes at byte 1",
        ),
        (
            "/v1/validate",
            "[]".to_string(),
            "",
            400,
            "the request body is an array, not a JSON object",
        ),
        // Unknown, repeated and mistyped fields.
        (
            "/v1/validate",
            format!("{{{ok},\"json\":true}}"),
            "",
            400,
            "unknown field \"json\"; the fields are identifier, token",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"token\":\"tok\"}}"),
            "",
            400,
            "field \"token\" appears twice",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"policy\":1}}"),
            "",
            400,
            "policy must be a string, not a number",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"deadline\":1.5}}"),
            "",
            400,
            "deadline must be a duration string",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"deadline\":-1}}"),
            "",
            400,
            "deadline must be a duration string",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"allowReserved\":[1]}}"),
            "",
            400,
            "each item must be one CIDR block as a string, not a number",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"allowReserved\":[\"a,b\"]}}"),
            "",
            400,
            "allowReserved: one CIDR block per item, not \"a,b\"",
        ),
        // The CLI's validation, in field names.
        (
            "/v1/validate",
            r#"{"identifier":"example.com","token":"tok"}"#.to_string(),
            "",
            400,
            "validate needs keyAuthorization",
        ),
        (
            "/v1/validate",
            r#"{"identifier":"example.com","keyAuthorization":"tok.thumb"}"#.to_string(),
            "",
            400,
            "validate needs token",
        ),
        (
            "/v1/validate",
            r#"{"token":"tok","keyAuthorization":"tok.thumb"}"#.to_string(),
            "",
            400,
            "validate: missing identifier",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"deadline\":\"5\"}}"),
            "",
            400,
            "invalid duration \"5\"",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"policy\":\"le\"}}"),
            "",
            400,
            "policy \"le\": use boulder",
        ),
        // Identifiers parse_args would read as options or as help.
        (
            "/v1/validate",
            r#"{"identifier":"--help","token":"tok","keyAuthorization":"tok.thumb"}"#.to_string(),
            "",
            400,
            "starts or ends with a hyphen",
        ),
        (
            "/v1/validate",
            r#"{"identifier":"help","token":"tok","keyAuthorization":"tok.thumb"}"#.to_string(),
            "",
            400,
            "not a fully qualified domain name",
        ),
        // Reserved space: refused unless the deployment allows it.
        (
            "/v1/validate",
            r#"{"identifier":"10.0.0.1","token":"tok","keyAuthorization":"tok.thumb"}"#.to_string(),
            "",
            400,
            "reserved address block",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"allowReserved\":\"10.0.0.0/8\"}}"),
            "",
            403,
            "10.0.0.0/8 is reserved address space this deployment does not allow (it allows none)",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"allowReserved\":\"198.51.0.0/16\"}}"),
            "198.51.100.0/24",
            403,
            "(it allows 198.51.100.0/24)",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"resolver\":\"127.0.0.53\"}}"),
            "",
            403,
            "resolver 127.0.0.53: IP address is in a reserved address block",
        ),
        (
            "/v1/validate",
            format!("{{{ok},\"resolver\":\"198.51.100.53\",\"allowReserved\":[]}}"),
            "198.51.100.0/24",
            403,
            "resolver 198.51.100.53",
        ),
    ];
    for (path, body, allowed, status, fragment) in rows {
        let error = parse_request(path, &body, &deployment(allowed)).unwrap_err();
        assert_eq!(error.status, status, "{body}: {}", error.body);
        assert!(detail(&error).contains(fragment), "{body}: {}", error.body);
    }
}

#[test]
fn diagnose_follows_the_command_line() {
    let body = r#"{"identifier":"example.com"}"#;
    let args = vec![
        "diagnose".to_string(),
        "example.com".to_string(),
        "--json".to_string(),
    ];
    let got = parse_request("/v1/diagnose", body, &AllowList::default());
    match parse_args(&args, None) {
        Ok(Command::Run(invocation)) => assert_eq!(got, Ok(*invocation)),
        Ok(Command::Print(_)) => panic!("diagnose prints"),
        Err(message) => assert_eq!(got, Err(ApiError::malformed(&field_names(&message)))),
    }
}

#[test]
fn body_size_limit_at_n_minus_1_n_and_n_plus_1() {
    let body = r#"{"identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb"}"#;
    for size in [MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1] {
        let padded = format!("{body}{}", " ".repeat(size - body.len()));
        let status = parse_request("/v1/validate", &padded, &AllowList::default())
            .map(|_| 200)
            .unwrap_or_else(|e| e.status);
        assert_eq!(
            status,
            if size <= MAX_BODY_BYTES { 200 } else { 413 },
            "{size}"
        );
    }
}

#[test]
fn every_prefix_of_a_request_is_refused_without_panic() {
    let body = r#"{"identifier":"example.com","token":"tok","keyAuthorization":"tok.thumb","deadline":5000}"#;
    assert!(parse_request("/v1/validate", body, &AllowList::default()).is_ok());
    for end in 0..body.len() {
        let error = parse_request("/v1/validate", &body[..end], &AllowList::default()).unwrap_err();
        assert_eq!(error.status, 400, "{}", &body[..end]);
    }
}

#[test]
fn problem_documents_are_json() {
    let rows = [
        // Plain text.
        (
            ApiError::malformed("bad"),
            r#"{"type":"urn:ietf:params:acme:error:malformed","detail":"bad","status":400}"#,
        ),
        // Quotes, backslashes and control characters are escaped.
        (
            ApiError::new(403, "unauthorized", "a\"b\\c\nd\u{1}"),
            r#"{"type":"urn:ietf:params:acme:error:unauthorized","detail":"a\"b\\c\nd\u0001","status":403}"#,
        ),
        (
            ApiError::server_internal("x"),
            r#"{"type":"urn:ietf:params:acme:error:serverInternal","detail":"x","status":500}"#,
        ),
    ];
    for (error, body) in rows {
        assert_eq!(error.body, body);
        assert!(super::parse_json(&error.body).is_ok());
    }
}

#[test]
fn in_block_compares_prefixes() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let rows = [
        ("198.51.100.0", 24, "198.51.100.128", true), // inside
        ("198.51.100.0", 24, "198.51.101.0", false),  // next block
        ("0.0.0.0", 0, "255.255.255.255", true),      // /0 covers all of a family
        ("2001:db8::", 32, "2001:db8:1::", true),     // IPv6 inside
        ("2001:db8::", 32, "2001:db9::", false),      // IPv6 outside
        ("::", 0, "198.51.100.1", false),             // families never mix
        ("198.51.100.7", 32, "198.51.100.7", true),   // a single address
        ("2001:db8::1", 128, "2001:db8::2", false),   // /128 neighbours
    ];
    for (network, bits, address, expected) in rows {
        assert_eq!(
            in_block(ip(network), bits, ip(address)),
            expected,
            "{network}/{bits} {address}"
        );
    }
}
