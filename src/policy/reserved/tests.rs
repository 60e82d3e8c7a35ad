//! Tables for the reserved-address filter; the first is Boulder's `iana/ip_test.go`.

use super::*;
use crate::http::parse_addr;

/// Boulder's `IsReservedAddr` strips the zone first (`ip.WithZone("")`).
fn go_addr(text: &str) -> IpAddr {
    parse_addr(text.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .ip()
}

#[test]
fn boulder_is_reserved_addr() {
    // Port of TestIsReservedAddr: (address, expected name or "" for not reserved).
    #[rustfmt::skip]
    let rows = [
        ("127.0.0.1", "Loopback"), // second-lowest IP in a reserved /8, common mistaken request
        ("128.0.0.1", ""),         // second-lowest IP just above a reserved /8
        ("192.168.254.254", "Private-Use"), // highest IP in a reserved /16
        ("192.169.255.255", ""),   // highest IP in the /16 above a reserved /16
        ("::", "Unspecified Address"), // lowest possible IPv6 address, possible parsing edge case
        ("::1", "Loopback Address"), // reserved, common mistaken request
        ("::2", ""),               // surprisingly unreserved
        ("fe80::1", "Link-Local Unicast"), // second-lowest IP in a reserved /10
        ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "Link-Local Unicast"), // highest IP in a reserved /10
        ("fec0::1", ""),           // second-lowest IP just above a reserved /10
        ("fe80::1%eth0", "Link-Local Unicast"), // IPv6 link-local with zone
        ("::1%lo", "Loopback Address"), // IPv6 loopback with zone
        ("192.0.0.170", "NAT64/DNS64 Discovery"), // first of two IPs comma-split in IANA's CSV; more specific than a block before it
        ("192.0.0.171", "NAT64/DNS64 Discovery"), // second of the two
        ("2001:1::1", "Port Control Protocol Anycast"), // after a row with a line break; more specific than 2001::/23
        ("2002::", "6to4"), // lowest IP in a reserved /16 with a footnote
        ("2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "6to4"), // highest IP in that /16
        ("0100::", "Discard-Only Address Block"), // non-canonical IPv6 format
        ("0100::0000:ffff:ffff:ffff:ffff", "Discard-Only Address Block"),
        ("0100::0002:0000:0000:0000:0000", ""), // non-reserved, non-canonical format
    ];
    for (text, expected) in rows {
        let name = reservation(go_addr(text)).map_or("", |r| r.name);
        assert_eq!(name, expected, "{text}");
    }
}

#[test]
fn boulder_texts() {
    // (address, Display of the refusal), the texts redirect and DNS errors show.
    #[rustfmt::skip]
    let rows = [
        ("10.10.10.10", "[RFC1918]: Private-Use"), // TestExtractRequestTarget
        ("127.0.0.1", "[RFC1122], Section 3.2.1.3: Loopback"), // production refuses loopback
        ("::1", "[RFC4291]: Loopback Address"),
        ("3fff:aaa:aaaa:aaaa:abad:ff1:cec0:ffee", "[RFC9637]: Documentation"),
        ("0.0.0.0", "[RFC1122], Section 3.2.1.3: \"This host on this network\""), // /32 beats /8
        ("0.1.2.3", "[RFC791], Section 3.2: \"This network\""), // CSV quotes kept
        ("255.255.255.255", "[RFC8190] [RFC919], Section 7: Limited Broadcast"), // line break collapsed
        ("192.0.0.170", "[RFC8880][RFC7050], Section 2.2: NAT64/DNS64 Discovery"),
        ("2001::1", "[RFC4380] [RFC8190]: TEREDO"), // /32 beats 2001::/23
        ("2001:2::1", "[RFC5180][RFC Errata 1752]: Benchmarking"),
        ("2001:4::1", "[RFC2928]: IETF Protocol Assignments"), // only the /23 covers it
        ("fd00::1", "[RFC4193] [RFC8190]: Unique-Local"),
        ("::ffff:10.0.0.1", "[RFC4291]: IPv4-mapped Address"), // mapped counts as IPv6
        ("192.88.99.2", "[RFC6751]: 6a44-relay anycast address"), // /32 inside a deprecated /24
        ("192.88.99.1", "[RFC7526]: Deprecated (6to4 Relay Anycast)"),
        ("198.51.100.7", "[RFC5737]: Documentation (TEST-NET-2)"),
    ];
    for (text, expected) in rows {
        let refused = check(go_addr(text), &AllowList::default()).unwrap_err();
        let expected = format!("IP address is in a reserved address block: {expected}");
        assert_eq!(refused.to_string(), expected, "{text}");
    }
}

#[test]
fn not_reserved() {
    #[rustfmt::skip]
    let rows = [
        "8.8.8.8",                                 // public
        "224.0.0.1",                               // multicast: removed from Boulder's list (#8456)
        "239.255.255.255",                         // last multicast address
        "ff02::1",                                 // IPv6 multicast likewise
        "2606:4700::1111",                         // public IPv6
        "100.63.255.255",                          // just below 100.64.0.0/10
        "100.128.0.0",                             // just above it
        "172.32.0.0",                              // just above 172.16.0.0/12
        "198.20.0.0",                              // just above 198.18.0.0/15
        "239.255.255.254",                         // just below 240.0.0.0/4
        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", // just below fc00::/7
        "2001:200::",                              // just above 2001::/23
        "::1.2.3.4",                               // IPv4-compatible is not IPv4-mapped
    ];
    for text in rows {
        assert_eq!(reservation(go_addr(text)), None, "{text}");
        assert_eq!(
            check(go_addr(text), &AllowList::default()).map(UsableAddr::into_inner),
            Ok(go_addr(text))
        );
    }
}

#[test]
fn every_block_edge() {
    // The first and last address of every block are reserved by it or by a more specific
    // block; the addresses just outside are not reserved by it.
    for block in &BLOCKS {
        let (first, last) = (block.network, last_address(block.network, block.bits));
        for inside in [first, last] {
            let winner = BLOCKS
                .iter()
                .filter(|b| contains(b.network, b.bits, inside))
                .max_by_key(|b| b.bits)
                .map(|b| b.bits);
            assert!(winner >= Some(block.bits), "{inside}");
            assert!(reservation(inside).is_some(), "{inside}");
        }
        for outside in [step(first, -1), step(last, 1)].into_iter().flatten() {
            assert!(!contains(block.network, block.bits, outside), "{outside}");
        }
    }
}

fn last_address(network: IpAddr, bits: u8) -> IpAddr {
    match network {
        IpAddr::V4(v4) => {
            let host = u32::MAX.checked_shr(u32::from(bits)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) | host))
        }
        IpAddr::V6(v6) => {
            let host = u128::MAX.checked_shr(u32::from(bits)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) | host))
        }
    }
}

fn step(address: IpAddr, delta: i8) -> Option<IpAddr> {
    match address {
        IpAddr::V4(v4) => u32::from(v4)
            .checked_add_signed(i32::from(delta))
            .map(|n| IpAddr::V4(Ipv4Addr::from(n))),
        IpAddr::V6(v6) => {
            let n = u128::from(v6);
            let n = if delta < 0 {
                n.checked_sub(1)
            } else {
                n.checked_add(1)
            };
            n.map(|n| IpAddr::V6(Ipv6Addr::from(n)))
        }
    }
}

#[test]
fn table_matches_boulders_csv() {
    // Parse the embedded registries with Boulder's rules (iana/ip.go parseReservedPrefixFile):
    // footnotes like " [2]" dropped, "a, b" rows split, runs of 2+ whitespace in the RFC
    // column collapsed to one space, the Name column kept as the CSV reader returns it.
    let mut from_csv = Vec::new();
    for text in [
        include_str!("../data/iana-ipv4-special-registry-1.csv"),
        include_str!("../data/iana-ipv6-special-registry-1.csv"),
    ] {
        let rows = read_csv(text);
        assert_eq!(rows[0][..3], ["Address Block", "Name", "RFC"]);
        for row in &rows[1..] {
            assert_eq!(row.len(), 10, "{row:?}");
            let blocks = strip_footnote(&row[0]);
            for prefix in blocks.split(',') {
                let (address, bits) = prefix.trim().split_once('/').unwrap();
                let rfc = collapse_whitespace_runs(&row[2]);
                from_csv.push((
                    address.parse::<IpAddr>().unwrap(),
                    bits.parse::<u8>().unwrap(),
                    rfc,
                    row[1].clone(),
                ));
            }
        }
    }
    let table: Vec<_> = BLOCKS
        .iter()
        .map(|b| {
            (
                b.network,
                b.bits,
                b.reservation.rfc.to_string(),
                b.reservation.name.to_string(),
            )
        })
        .collect();
    assert_eq!(table, from_csv);
}

/// Boulder's `\s{2,}` replaced by one space (Go's `\s` is `[\t\n\f\r ]`).
fn collapse_whitespace_runs(field: &str) -> String {
    let is_space = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let (mut out, mut run) = (String::new(), String::new());
    for c in field.chars().chain(['\0']) {
        if is_space(c) {
            run.push(c);
            continue;
        }
        out.push_str(if run.chars().count() >= 2 { " " } else { &run });
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// Boulder's footnote regexp `\[\d+\]$`.
fn strip_footnote(field: &str) -> &str {
    match field.strip_suffix(']').and_then(|f| f.rsplit_once('[')) {
        Some((before, digits))
            if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) =>
        {
            before
        }
        _ => field,
    }
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, line breaks inside quotes), as
/// Go's `encoding/csv` reads these files.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn allow_list_parse() {
    // (input, the blocks it holds)
    #[rustfmt::skip]
    let parsed: [(&str, &[(&str, u8)]); 5] = [
        ("198.51.100.0/24,2001:db8::/32", &[("198.51.100.0", 24), ("2001:db8::", 32)]),
        (" 127.0.0.0/8 , ::1/128 ", &[("127.0.0.0", 8), ("::1", 128)]), // spaces around items
        ("0.0.0.0/0", &[("0.0.0.0", 0)]),                               // shortest prefix
        ("192.0.2.1/32", &[("192.0.2.1", 32)]),                         // IPv4 limit
        ("::1/128", &[("::1", 128)]),                                   // IPv6 limit
    ];
    for (input, expected) in parsed {
        let list = AllowList::parse(input).unwrap();
        let expected: Vec<(IpAddr, u8)> = expected
            .iter()
            .map(|&(a, b)| (a.parse().unwrap(), b))
            .collect();
        assert_eq!(list.blocks().collect::<Vec<_>>(), expected, "{input:?}");
    }
    // (input, error text)
    #[rustfmt::skip]
    let refused = [
        ("192.0.2.1/33", "\"192.0.2.1/33\": the prefix length is longer than 32"), // limit + 1
        ("::1/129", "\"::1/129\": the prefix length is longer than 128"),
        ("::/999999999999", "\"::/999999999999\": the prefix length is longer than 128"),
        ("10.0.0.1/8", "\"10.0.0.1/8\": host bits are set; the block is 10.0.0.0/8"),
        ("", "item 1 of the block list is empty"),
        ("127.0.0.0/8,,::1/128", "item 2 of the block list is empty"),
        ("127.0.0.0/8,", "item 2 of the block list is empty"), // trailing comma
        ("127.0.0.1", "\"127.0.0.1\" is not a CIDR block such as 198.51.100.0/24"),
        ("example.com/8", "\"example.com/8\": not an IPv4 or IPv6 address"),
        ("fe80::%1/64", "\"fe80::%1/64\": not an IPv4 or IPv6 address"), // no zones
        ("10.0.0.0/+8", "\"10.0.0.0/+8\": the prefix length is not a number"),
        ("10.0.0.0/", "\"10.0.0.0/\": the prefix length is not a number"),
    ];
    for (input, expected) in refused {
        assert_eq!(
            AllowList::parse(input).unwrap_err().to_string(),
            expected,
            "{input:?}"
        );
    }
}

#[test]
fn allow_list_from_blocks() {
    let ten: IpAddr = "10.0.0.0".parse().unwrap();
    let list = AllowList::from_blocks([(ten, 8)]).unwrap();
    assert_eq!(list.blocks().collect::<Vec<_>>(), [(ten, 8)]);
    let error = AllowList::from_blocks([("10.0.0.1".parse().unwrap(), 8)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"10.0.0.1/8\": host bits are set; the block is 10.0.0.0/8"
    );
    let error = AllowList::from_blocks([(ten, 33)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "\"10.0.0.0/33\": the prefix length is longer than 32"
    );
}

#[test]
fn check_with_allow_list() {
    // The test VA's checker allows loopback; the test networks here use 198.51.100.0/24.
    let allow = AllowList::parse("127.0.0.0/8,::1/128,198.51.100.0/25").unwrap();
    #[rustfmt::skip]
    let rows = [
        ("127.0.0.1", true), // allowed loopback
        ("::1", true),
        ("198.51.100.127", true),    // last address of the /25
        ("198.51.100.128", false),   // first address past it, still TEST-NET-2
        ("::ffff:127.0.0.1", false), // an IPv4 block does not cover mapped IPv6
        ("10.0.0.1", false),         // other reserved blocks stay refused
        ("8.8.8.8", true),           // public addresses always pass
    ];
    for (text, usable) in rows {
        assert_eq!(check(go_addr(text), &allow).is_ok(), usable, "{text}");
    }
}
