//! Socket addresses between the standard library's form (the checker's) and wasi:sockets'.

use std::net::SocketAddr;

use wasi::sockets::network::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};

/// The wasi:sockets form of `address`, scope and flow included.
pub fn to_wasi(address: SocketAddr) -> IpSocketAddress {
    match address {
        SocketAddr::V4(v4) => {
            let [a, b, c, d] = v4.ip().octets();
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: v4.port(),
                address: (a, b, c, d),
            })
        }
        SocketAddr::V6(v6) => {
            let [a, b, c, d, e, f, g, h] = v6.ip().segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: v6.port(),
                flow_info: v6.flowinfo(),
                address: (a, b, c, d, e, f, g, h),
                scope_id: v6.scope_id(),
            })
        }
    }
}

/// The address family of `address`.
pub fn family(address: SocketAddr) -> IpAddressFamily {
    match address {
        SocketAddr::V4(_) => IpAddressFamily::Ipv4,
        SocketAddr::V6(_) => IpAddressFamily::Ipv6,
    }
}

/// The wildcard address of `family`, any port: what a client socket binds to.
pub fn unspecified(family: IpAddressFamily) -> IpSocketAddress {
    match family {
        IpAddressFamily::Ipv4 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port: 0,
            address: (0, 0, 0, 0),
        }),
        IpAddressFamily::Ipv6 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port: 0,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 0),
            scope_id: 0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasi form back as text, to compare (the generated types have no `PartialEq`).
    fn text(address: IpSocketAddress) -> String {
        match address {
            IpSocketAddress::Ipv4(v4) => format!("v4 {:?} port {}", v4.address, v4.port),
            IpSocketAddress::Ipv6(v6) => format!(
                "v6 {:x?} port {} flow {} scope {}",
                v6.address, v6.port, v6.flow_info, v6.scope_id
            ),
        }
    }

    #[test]
    fn converts_both_families() {
        let rows = [
            // IPv4, the resolver's usual port.
            ("198.51.100.53:53", "v4 (198, 51, 100, 53) port 53"),
            // IPv6: segments in order, no scope.
            (
                "[2001:db8:1::10]:80",
                "v6 (2001, db8, 1, 0, 0, 0, 0, 10) port 80 flow 0 scope 0",
            ),
            // A scope id travels (a link-local resolver).
            (
                "[fe80::1%3]:53",
                "v6 (fe80, 0, 0, 0, 0, 0, 0, 1) port 53 flow 0 scope 3",
            ),
            // An IPv4-mapped IPv6 address stays IPv6.
            (
                "[::ffff:198.51.100.1]:443",
                "v6 (0, 0, 0, 0, 0, ffff, c633, 6401) port 443 flow 0 scope 0",
            ),
            // The extremes of the port range.
            ("0.0.0.0:0", "v4 (0, 0, 0, 0) port 0"),
            (
                "255.255.255.255:65535",
                "v4 (255, 255, 255, 255) port 65535",
            ),
        ];
        for (address, expected) in rows {
            let address: SocketAddr = address.parse().expect("test address");
            assert_eq!(text(to_wasi(address)), expected, "{address}");
        }
    }

    #[test]
    fn families_and_wildcards() {
        let v4: SocketAddr = "192.0.2.1:1".parse().expect("v4");
        let v6: SocketAddr = "[2001:db8::1]:1".parse().expect("v6");
        assert_eq!(family(v4), IpAddressFamily::Ipv4);
        assert_eq!(family(v6), IpAddressFamily::Ipv6);
        assert_eq!(
            text(unspecified(IpAddressFamily::Ipv4)),
            "v4 (0, 0, 0, 0) port 0"
        );
        assert_eq!(
            text(unspecified(IpAddressFamily::Ipv6)),
            "v6 (0, 0, 0, 0, 0, 0, 0, 0) port 0 flow 0 scope 0"
        );
    }
}
