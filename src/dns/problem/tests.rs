use super::super::message::decode_response;
use super::super::testing::{wire, Builder};
use super::*;

fn problem(record_type: QueryType, cause: DnsFailure) -> DnsProblem {
    DnsProblem {
        record_type,
        hostname: "hostname".to_string(),
        cause,
    }
}

fn extended(rcode: Rcode, info_code: u16, extra_text: &str) -> DnsFailure {
    DnsFailure::Extended {
        rcode,
        error: ExtendedError {
            info_code,
            extra_text: extra_text.to_string(),
        },
    }
}

/// bdns/problem_test.go `TestError`, row by row. Boulder's rows for TXT and
/// MX use A/AAAA/CAA here (we never ask for TXT or MX); the text pattern is
/// the same.
#[test]
fn boulder_test_error() {
    use QueryType::{Aaaa, Caa, A};
    #[rustfmt::skip]
    let cases: Vec<(DnsProblem, &str)> = vec![
        // makeTimeoutError(): a *net.OpError that times out
        (problem(A, DnsFailure::Timeout),
         "DNS problem: query timed out looking up A for hostname"),
        // &net.OpError{Err: "some net error"} (Boulder: MX)
        (problem(Aaaa, DnsFailure::NetworkError),
         "DNS problem: networking error looking up AAAA for hostname"),
        // RcodeNameError (Boulder: TXT)
        (problem(Caa, DnsFailure::Rcode(Rcode::NXDOMAIN)),
         "DNS problem: NXDOMAIN looking up CAA for hostname - check that a DNS record exists for this domain"),
        // context.DeadlineExceeded (Boulder: TXT)
        (problem(A, DnsFailure::Timeout),
         "DNS problem: query timed out looking up A for hostname"),
        // context.Canceled (Boulder: TXT)
        (problem(A, DnsFailure::Canceled),
         "DNS problem: query timed out (and was canceled) looking up A for hostname"),
        // RcodeServerFailure, CAA
        (problem(Caa, DnsFailure::Rcode(Rcode::SERVFAIL)),
         "DNS problem: SERVFAIL looking up CAA for hostname - the domain's nameservers may be malfunctioning"),
        // SERVFAIL with EDE 1 "oh no"
        (problem(A, extended(Rcode::SERVFAIL, 1, "oh no")),
         "DNS problem: looking up A for hostname: DNSSEC: Unsupported DNSKEY Algorithm: oh no"),
        // SERVFAIL with EDE 6 and no extra text
        (problem(A, extended(Rcode::SERVFAIL, 6, "")),
         "DNS problem: looking up A for hostname: DNSSEC: Bogus"),
        // SERVFAIL with an unknown EDE
        (problem(A, extended(Rcode::SERVFAIL, 1337, "mysterious")),
         "DNS problem: looking up A for hostname: Unknown Extended DNS Error code 1337: mysterious"),
        // RcodeFormatError: no explanation for FORMERR
        (problem(A, DnsFailure::Rcode(Rcode::FORMERR)),
         "DNS problem: FORMERR looking up A for hostname"),
    ];
    for (problem, want) in cases {
        assert_eq!(problem.to_string(), want, "{problem:?}");
    }
}

#[test]
fn texts_beyond_boulder_tests() {
    use QueryType::{Aaaa, A};
    #[rustfmt::skip]
    let cases: Vec<(DnsProblem, &str)> = vec![
        // any other exchange error
        (problem(Aaaa, DnsFailure::ServerFailure),
         "DNS problem: server failure at resolver looking up AAAA for hostname"),
        // rCode 0 without an underlying error falls to the last branch
        (problem(A, DnsFailure::Rcode(Rcode::NOERROR)),
         "DNS problem: server failure at resolver looking up A for hostname"),
        // REFUSED has no explanation
        (problem(A, DnsFailure::Rcode(Rcode::REFUSED)),
         "DNS problem: REFUSED looking up A for hostname"),
        // NOTIMP, miekg/dns spelling
        (problem(A, DnsFailure::Rcode(Rcode::NOTIMP)),
         "DNS problem: NOTIMP looking up A for hostname"),
        // unknown RCODE: Go prints "" from the map, leaving two spaces
        (problem(A, DnsFailure::Rcode(Rcode(11))),
         "DNS problem:  looking up A for hostname"),
        // an extended RCODE (EXTENDED-RCODE 1, header 0)
        (problem(A, DnsFailure::Rcode(Rcode::BADVERS)),
         "DNS problem: BADSIG looking up A for hostname"),
        // NXDOMAIN with an EDE: the EDE form wins, no explanation
        (problem(A, extended(Rcode::NXDOMAIN, 3, "")),
         "DNS problem: looking up A for hostname: Stale Answer"),
        // REFUSED with EDE 18
        (problem(Aaaa, extended(Rcode::REFUSED, 18, "")),
         "DNS problem: looking up AAAA for hostname: Prohibited"),
    ];
    for (problem, want) in cases {
        assert_eq!(problem.to_string(), want, "{problem:?}");
    }
}

/// bdns/problem_test.go `TestWrapErr`, plus the EDE lookup of
/// `extendedDNSError`.
#[test]
fn wrap_err_table() {
    let respond = |rcode: u8, options: &[(u16, &[u8])]| {
        let b = Builder::response(1, rcode).question(&wire("hostname"), 1);
        let b = if options.is_empty() {
            b
        } else {
            b.opt(0, options)
        };
        decode_response(&b.build()).unwrap()
    };
    let as_problem = |cause| Err(problem(QueryType::A, cause));
    #[rustfmt::skip]
    let cases: Vec<(&str, Message, Result<(), DnsProblem>)> = vec![
        ("NOERROR is success", respond(0, &[]), Ok(())),
        ("NOERROR with an EDE is still success", respond(0, &[(15, b"\x00\x03")]), Ok(())),
        ("REFUSED is an error", respond(5, &[]), as_problem(DnsFailure::Rcode(Rcode::REFUSED))),
        ("an OPT without EDE", respond(2, &[(10, b"12345678")]), as_problem(DnsFailure::Rcode(Rcode::SERVFAIL))),
        ("SERVFAIL with EDE 6", respond(2, &[(15, b"\x00\x06DNSSEC Bogus")]),
         as_problem(extended(Rcode::SERVFAIL, 6, "DNSSEC Bogus"))),
        ("the first EDE is used", respond(2, &[(15, b"\x00\x07"), (15, b"\x00\x06")]),
         as_problem(extended(Rcode::SERVFAIL, 7, ""))),
    ];
    for (why, message, want) in cases {
        assert_eq!(wrap_err(QueryType::A, "hostname", &message), want, "{why}");
    }
}

#[test]
fn servfail_with_dnssec_bogus_end_to_end() {
    let bytes = Builder::response(5, 2)
        .question(&wire("dnssec-failed.org"), 1)
        .opt(
            0,
            &[(15, b"\x00\x06validation failure <dnssec-failed.org. A IN>")],
        )
        .build();
    let message = decode_response(&bytes).unwrap();
    let problem = wrap_err(QueryType::A, "dnssec-failed.org", &message).unwrap_err();
    assert_eq!(
        problem.to_string(),
        "DNS problem: looking up A for dnssec-failed.org: DNSSEC: Bogus: \
         validation failure <dnssec-failed.org. A IN>"
    );
}

fn lookup(record_type: QueryType, cause: DnsFailure) -> FamilyFailure {
    FamilyFailure::Lookup(DnsProblem {
        record_type,
        hostname: "example.com".to_string(),
        cause,
    })
}

fn no_valid(record_type: QueryType) -> FamilyFailure {
    FamilyFailure::NoValidRecords {
        record_type,
        hostname: "example.com".to_string(),
    }
}

/// The spec's catalog, rows D1-D10 (`shared/spec/letsencrypt-http01.md` §4.2).
#[test]
fn spec_catalog_rows() {
    use QueryType::{Aaaa, A};
    let both = |cause: DnsFailure| HostLookupFailure {
        a: lookup(A, cause.clone()),
        aaaa: lookup(Aaaa, cause),
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, HostLookupFailure, &str)> = vec![
        ("D1", both(DnsFailure::Rcode(Rcode::NXDOMAIN)),
         "DNS problem: NXDOMAIN looking up A for example.com - check that a DNS record exists for this domain; \
          DNS problem: NXDOMAIN looking up AAAA for example.com - check that a DNS record exists for this domain"),
        ("D2", both(DnsFailure::Rcode(Rcode::SERVFAIL)),
         "DNS problem: SERVFAIL looking up A for example.com - the domain's nameservers may be malfunctioning; \
          DNS problem: SERVFAIL looking up AAAA for example.com - the domain's nameservers may be malfunctioning"),
        ("D3", both(DnsFailure::Timeout),
         "DNS problem: query timed out looking up A for example.com; \
          DNS problem: query timed out looking up AAAA for example.com"),
        ("D4", both(DnsFailure::Canceled),
         "DNS problem: query timed out (and was canceled) looking up A for example.com; \
          DNS problem: query timed out (and was canceled) looking up AAAA for example.com"),
        ("D5", both(DnsFailure::NetworkError),
         "DNS problem: networking error looking up A for example.com; \
          DNS problem: networking error looking up AAAA for example.com"),
        ("D6", both(DnsFailure::ServerFailure),
         "DNS problem: server failure at resolver looking up A for example.com; \
          DNS problem: server failure at resolver looking up AAAA for example.com"),
        ("D7", both(DnsFailure::Rcode(Rcode::REFUSED)),
         "DNS problem: REFUSED looking up A for example.com; \
          DNS problem: REFUSED looking up AAAA for example.com"),
        ("D8", both(extended(Rcode::SERVFAIL, 7, "")),
         "DNS problem: looking up A for example.com: DNSSEC: Signature Expired; \
          DNS problem: looking up AAAA for example.com: DNSSEC: Signature Expired"),
        ("D9", HostLookupFailure { a: no_valid(A), aaaa: no_valid(Aaaa) },
         "no valid A records found for example.com; no valid AAAA records found for example.com"),
        ("D10", HostLookupFailure { a: lookup(A, DnsFailure::Rcode(Rcode::NXDOMAIN)), aaaa: no_valid(Aaaa) },
         "DNS problem: NXDOMAIN looking up A for example.com - check that a DNS record exists for this domain; \
          no valid AAAA records found for example.com"),
        ("D10 mirrored", HostLookupFailure { a: no_valid(A), aaaa: lookup(Aaaa, DnsFailure::Timeout) },
         "no valid A records found for example.com; DNS problem: query timed out looking up AAAA for example.com"),
    ];
    for (row, failure, want) in cases {
        assert_eq!(failure.to_string(), want, "{row}");
    }
}
