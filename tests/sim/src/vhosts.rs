//! Web servers with routes and name-based virtual hosts, for the diagnose scenarios: a site
//! answers by request URI, and a server with several sites picks one by the `Host` header
//! (a default server answers any other name).

use crate::world::{Behaviour, Reply, World};

/// A web server: `routes` by request URI, `default` for the others.
pub fn site(routes: &[(&str, Reply)], default: Reply) -> Behaviour {
    Behaviour::Serve {
        routes: routes
            .iter()
            .map(|(uri, reply)| (uri.to_string(), reply.clone()))
            .collect(),
        default,
    }
}

impl Behaviour {
    /// The reply of a plain HTTP server to a request for `uri` whose head is `head`; `None`
    /// when this is not a plain HTTP server.
    pub(crate) fn reply(&self, uri: &str, head: &str) -> Option<Reply> {
        match self {
            Behaviour::Serve { routes, default } => Some(
                routes
                    .iter()
                    .find(|(route, _)| route == uri)
                    .map_or(default, |(_, reply)| reply)
                    .clone(),
            ),
            Behaviour::Vhosts { sites, default } => {
                let name = host_name(head);
                sites
                    .iter()
                    .find(|(site, _)| site.eq_ignore_ascii_case(name))
                    .map_or(default.as_ref(), |(_, behaviour)| behaviour.as_ref())
                    .reply(uri, head)
            }
            _ => None,
        }
    }
}

/// The name in a request head's `Host` field, without the port (IPv6 brackets kept).
fn host_name(head: &str) -> &str {
    let host = head
        .lines()
        .find_map(|line| line.strip_prefix("Host: "))
        .unwrap_or("");
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.split(':').next().unwrap_or(host)
}

impl World {
    /// A web server on port 80 of `address` with `routes`, `default` for anything else.
    pub fn serve_with(self, address: &str, routes: &[(&str, Reply)], default: Reply) -> World {
        self.listen(address, 80, site(routes, default))
    }

    /// Name-based virtual hosts on port 80 of `address`: `sites` by name, `default` for any
    /// other `Host`.
    pub fn vhosts(self, address: &str, sites: &[(&str, Behaviour)], default: Behaviour) -> World {
        let sites = sites
            .iter()
            .map(|(name, behaviour)| (name.to_string(), Box::new(behaviour.clone())))
            .collect();
        self.listen(
            address,
            80,
            Behaviour::Vhosts {
                sites,
                default: Box::new(default),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{host_name, site};
    use crate::world::{Behaviour, Reply};

    #[test]
    fn hosts_pick_sites() {
        let server = Behaviour::Vhosts {
            sites: vec![("example.com".into(), Box::new(site(&[], Reply::ok("site"))))],
            default: Box::new(site(&[], Reply::ok("default"))),
        };
        let rows = [
            ("GET / HTTP/1.1\r\nHost: example.com", "site"), // the site's name
            ("GET / HTTP/1.1\r\nHost: EXAMPLE.com:80", "site"), // case and port ignored
            ("GET / HTTP/1.1\r\nHost: other.invalid", "default"), // any other name
            ("GET / HTTP/1.1", "default"),                   // no Host at all
        ];
        for (head, expected) in rows {
            assert_eq!(server.reply("/", head), Some(Reply::ok(expected)), "{head}");
        }
        assert_eq!(host_name("X\r\nHost: [2001:db8::1]:80"), "[2001:db8::1]");
    }
}
