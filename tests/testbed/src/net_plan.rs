//! The fixed address plan of the test network.
//!
//! ```text
//!  client namespace                      server namespace
//!  eth0 198.51.100.254/32  <== veth ==>  eth0 (link-local fe80::1 only)
//!       2001:db8:ffff::254/128           lo: AnyIP 198.51.100.0/25, 2001:db8::/33
//!       fe80::2                              + every scenario IPv6 address (nodad)
//!  routes: 198.51.100.0/25 dev eth0
//!          2001:db8::/33 via fe80::1         routes back: the two client addresses
//! ```
//!
//! Only 198.51.100.0/24 (TEST-NET-2) and 2001:db8::/32 (documentation) are used, and only
//! inside the namespaces; the client has no default route.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Server IPv4 prefix (AnyIP on the server's `lo`).
pub const SERVER_PREFIX_V4: &str = "198.51.100.0/25";
/// Server IPv6 prefix (AnyIP on the server's `lo`).
pub const SERVER_PREFIX_V6: &str = "2001:db8::/33";
/// The client's IPv4 address.
pub const CLIENT_V4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 254);
/// The client's IPv6 address.
pub const CLIENT_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 0x254);
/// The server's link-local address on the veth (the client's IPv6 gateway).
pub const SERVER_LINK_LOCAL: &str = "fe80::1";
/// The client's link-local address on the veth.
pub const CLIENT_LINK_LOCAL: &str = "fe80::2";
/// Default DNS server addresses.
pub const DNS_ADDRESSES: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(198, 51, 100, 53)),
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x53)),
];

/// Whether `addr` lies in the server prefixes.
pub fn in_server_prefix(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            o[0] == 198 && o[1] == 51 && o[2] == 100 && o[3] < 128
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            s[0] == 0x2001 && s[1] == 0xdb8 && s[2] < 0x8000
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_edges() {
        let rows: &[(&str, bool)] = &[
            ("198.51.100.0", true),          // first of the /25
            ("198.51.100.127", true),        // last of the /25
            ("198.51.100.128", false),       // first of the client half
            ("198.51.99.1", false),          // neighbour /24
            ("2001:db8::", true),            // first of the /33
            ("2001:db8:7fff:ffff::1", true), // last /48 of the /33
            ("2001:db8:8000::", false),      // client half
            ("2001:db9::1", false),          // outside 2001:db8::/32
        ];
        for (addr, inside) in rows {
            assert_eq!(in_server_prefix(addr.parse().unwrap()), *inside, "{addr}");
        }
        assert!(!in_server_prefix(IpAddr::V4(CLIENT_V4)));
        assert!(!in_server_prefix(IpAddr::V6(CLIENT_V6)));
        assert!(DNS_ADDRESSES.iter().all(|a| in_server_prefix(*a)));
    }
}
