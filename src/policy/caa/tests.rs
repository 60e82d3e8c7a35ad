use super::testing::answer;
use super::{decide, parse_record, problem, quote, tree, CaaAnswer, Decision};
use crate::dns::{DnsFailure, Rcode};
use crate::job::ChallengeType::{Http01, TlsAlpn01};

/// CAA records as `(flags, tag, value)`.
type Records<'a> = &'a [(u8, &'a str, &'a str)];

/// The relevant set of `example.com` with these records alone.
fn one(records: &[(u8, &str, &str)]) -> Vec<CaaAnswer> {
    vec![answer("example.com", Ok(records))]
}

#[test]
fn the_tree_reaches_the_top_level_domain() {
    let rows: [(&str, &[&str]); 3] = [
        (
            "www.example.com",
            &["www.example.com", "example.com", "com"],
        ), // two parents
        ("example.com", &["example.com", "com"]), // one parent
        ("localhost", &["localhost"]),            // a single label
    ];
    for (host, names) in rows {
        assert_eq!(tree(host), names, "{host}");
    }
}

#[test]
fn the_closest_non_empty_set_is_relevant() {
    let sectigo: &[(u8, &str, &str)] = &[(0, "issue", "sectigo.com")];
    let le: &[(u8, &str, &str)] = &[(0, "issue", "letsencrypt.org")];
    let none: &[(u8, &str, &str)] = &[];
    let nxdomain = || Err(DnsFailure::Rcode(Rcode::NXDOMAIN));
    let servfail = || Err(DnsFailure::Rcode(Rcode::SERVFAIL));
    // (www.example.com, example.com, com) -> what decides, and where
    let rows = [
        (
            [Ok(le), Ok(sectigo), Ok(none)],
            "allowed at www.example.com",
        ), // the name's own wins
        ([Ok(none), Ok(sectigo), Ok(le)], "forbidden at example.com"), // the closest parent
        ([nxdomain(), Ok(none), Ok(le)], "allowed at com"),            // NXDOMAIN is empty
        ([Ok(none), servfail(), Ok(le)], "failed at example.com"),     // a failure may hide records
        (
            [Ok(sectigo), servfail(), Ok(none)],
            "forbidden at www.example.com",
        ), // found first
        ([Ok(none), Ok(none), nxdomain()], "failed at com"), // NXDOMAIN of a TLD is an error
        ([Ok(none), Ok(none), Ok(none)], "no records"),      // no CAA anywhere
    ];
    for (answers, expected) in rows {
        let climb: Vec<CaaAnswer> = ["www.example.com", "example.com", "com"]
            .into_iter()
            .zip(answers)
            .map(|(name, records)| answer(name, records))
            .collect();
        let got = match decide(&climb, Http01) {
            Decision::NoRecords => "no records".to_string(),
            Decision::Allowed(a) => format!("allowed at {}", a.name),
            Decision::Forbidden(a) => format!("forbidden at {}", a.name),
            Decision::Failed(a, _) => format!("failed at {}", a.name),
        };
        assert_eq!(got, expected, "{climb:?}");
    }
}

#[test]
fn sets_as_boulder_validates_them() {
    let rows: [(Records<'_>, bool); 16] = [
        (&[(0, "issue", "letsencrypt.org")], true),    // plain
        (&[(0, "issue", " letsencrypt.org\t")], true), // blanks and tabs trimmed
        (&[(0, "issue", "LetsEncrypt.org")], false),   // Boulder compares exactly
        (&[(0, "ISSUE", "letsencrypt.org")], true),    // the tag is case-insensitive
        (&[(0, "issue", "letsencrypt.org;")], true),   // a semicolon without parameters
        (
            &[(
                0,
                "issue",
                "letsencrypt.org; accounturi=https://acme/acct/1",
            )],
            true,
        ), // the account is not known here
        (
            &[(
                0,
                "issue",
                "letsencrypt.org; validationmethods=dns-01,http-01",
            )],
            true,
        ), // RFC 8657
        (
            &[(0, "issue", "letsencrypt.org; validationmethods=dns-01")],
            false,
        ), // http-01 left out
        (
            &[(
                0,
                "issue",
                "letsencrypt.org; validationmethods=http-01,bad_name",
            )],
            true,
        ), // matched before the bad one
        (
            &[(
                0,
                "issue",
                "letsencrypt.org; validationmethods=bad_name,http-01",
            )],
            false,
        ), // a bad method rejects
        (&[(0, "issue", "letsencrypt.org; novalue")], false), // malformed: the record is skipped
        (
            &[(0, "issue", "sectigo.com"), (0, "issue", "letsencrypt.org")],
            true,
        ), // one of several
        (&[(0, "issue", ";")], false),                 // no one may issue
        (&[(0, "issuewild", "sectigo.com")], true),    // no issue property: allowed
        (
            &[(0, "iodef", "mailto:a@example.com"), (128, "iodef", "x")],
            true,
        ), // iodef, even critical
        (&[(128, "tbs", "x"), (0, "issue", "letsencrypt.org")], false), // unknown critical property
    ];
    for (records, allowed) in rows {
        let set = one(records);
        let decision = decide(&set, Http01);
        assert_eq!(
            matches!(decision, Decision::Allowed(_)),
            allowed,
            "{records:?}: {decision:?}"
        );
    }
    // Flag 1 counts as critical too (Boulder: many read the RFC that way).
    let flag_one = one(&[(1, "tbs", "x")]);
    assert!(matches!(decide(&flag_one, Http01), Decision::Forbidden(_)));
    // The challenge's own method is what validationmethods must list.
    let alpn_only = one(&[(0, "issue", "letsencrypt.org; validationmethods=tls-alpn-01")]);
    assert!(matches!(
        decide(&alpn_only, TlsAlpn01),
        Decision::Allowed(_)
    ));
    assert!(matches!(decide(&alpn_only, Http01), Decision::Forbidden(_)));
}

#[test]
fn problems_in_boulder_s_words() {
    let forbidding = vec![
        answer("www.example.com", Ok(&[])),
        answer("example.com", Ok(&[(0, "issue", "sectigo.com")])),
    ];
    let found = problem("www.example.com", decide(&forbidding, Http01)).unwrap();
    assert_eq!(
        found.problem_type.to_string(),
        "urn:ietf:params:acme:error:caa"
    );
    assert_eq!(
        found.detail,
        "While processing CAA for www.example.com: CAA record for example.com prevents issuance"
    );
    let failing = vec![answer(
        "www.example.com",
        Err(DnsFailure::Rcode(Rcode::SERVFAIL)),
    )];
    let found = problem("www.example.com", decide(&failing, Http01)).unwrap();
    assert_eq!(
        found.problem_type.to_string(),
        "urn:ietf:params:acme:error:dns"
    );
    assert_eq!(
        found.detail,
        "While processing CAA for www.example.com: DNS problem: SERVFAIL looking up CAA for www.example.com - the domain's nameservers may be malfunctioning"
    );
    assert_eq!(problem("example.com", Decision::NoRecords), None);
}

#[test]
fn parameters_parse_like_boulder() {
    let parsed = parse_record(b"letsencrypt.org; a=b ;c = d=e").unwrap();
    assert_eq!(parsed.0, "letsencrypt.org");
    let expected = vec![
        ("a".to_string(), "b".to_string()),
        ("c".to_string(), "d=e".to_string()),
    ];
    assert_eq!(parsed.1, expected); // the first `=` splits
    assert_eq!(parse_record(b"x; a-b=c"), None); // tags are letters and digits only
    assert_eq!(parse_record(b"x; a=b c"), None); // no blanks inside values
}

#[test]
fn caa_values_quote_like_miekg() {
    let rows: [(&[u8], &str); 4] = [
        (b"letsencrypt.org", "\"letsencrypt.org\""), // plain
        (b"a\"b\\c", "\"a\\\"b\\\\c\""),             // quote and backslash
        (b"\x00\xff", "\"\\000\\255\""),             // bytes outside ASCII
        (b"", "\"\""),                               // empty value
    ];
    for (value, expected) in rows {
        assert_eq!(quote(value), expected);
    }
}
