//! The default resolver: the first `nameserver` line of /etc/resolv.conf (host passes the text).

use std::net::{IpAddr, SocketAddr};

/// The first usable `nameserver` of a resolv.conf text, on port 53.
pub fn first_nameserver(text: &str) -> Option<SocketAddr> {
    text.lines()
        .map(|line| line.split(['#', ';']).next().unwrap_or(""))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next()? == "nameserver").then(|| words.next())?
        })
        .find_map(|address| {
            // A scoped IPv6 address (fe80::1%eth0) cannot be carried; skip it.
            let address: IpAddr = address.parse().ok()?;
            Some(SocketAddr::new(address, 53))
        })
}

#[cfg(test)]
mod tests {
    use super::first_nameserver;

    #[test]
    fn picks_the_first_nameserver() {
        let rows = [
            (
                "nameserver 192.0.2.53\nnameserver 8.8.8.8\n",
                Some("192.0.2.53:53"),
            ), // first wins
            ("# comment\nsearch x\nnameserver ::1\n", Some("[::1]:53")), // IPv6
            (
                "nameserver fe80::1%eth0\nnameserver 10.0.0.1",
                Some("10.0.0.1:53"),
            ), // zone skipped
            (
                "nameserver 10.0.0.1 # trailing comment",
                Some("10.0.0.1:53"),
            ), // comments
            ("options ndots:1\n", None),                                 // none
        ];
        for (text, expected) in rows {
            assert_eq!(
                first_nameserver(text).map(|a| a.to_string()).as_deref(),
                expected,
                "{text:?}"
            );
        }
    }
}
