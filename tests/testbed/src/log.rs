//! What the servers saw: a bounded, shared log of DNS queries and HTTP requests.

use std::net::SocketAddr;
use std::sync::Mutex;

/// Entries kept per testbed; later ones are counted but dropped.
pub const MAX_EVENTS: usize = 10_000;

/// One thing a server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A DNS query and what the server did.
    Dns {
        /// `udp` or `tcp`.
        transport: &'static str,
        /// Where it came from.
        client: SocketAddr,
        /// Query name as sent.
        name: String,
        /// Query type mnemonic.
        qtype: String,
        /// `NOERROR 2 answers`, `SERVFAIL`, `timeout`, `truncated` ...
        outcome: String,
    },
    /// An HTTP connection (with the request line when one was read).
    Http {
        /// Where it came from.
        client: SocketAddr,
        /// The dialled address and port.
        local: SocketAddr,
        /// Whether TLS was spoken.
        tls: bool,
        /// TLS SNI, when given.
        sni: Option<String>,
        /// Request method, empty when none was read.
        method: String,
        /// Request target.
        target: String,
        /// Host header.
        host: String,
        /// What the server did (`200`, `hang`, `reset` ...).
        outcome: String,
    },
}

/// The shared log.
#[derive(Debug, Default)]
pub struct EventLog {
    inner: Mutex<(Vec<Event>, u64)>,
}

impl EventLog {
    /// Appends an event (dropped beyond [`MAX_EVENTS`]).
    pub fn push(&self, event: Event) {
        if let Ok(mut guard) = self.inner.lock() {
            if guard.0.len() < MAX_EVENTS {
                guard.0.push(event);
            } else {
                guard.1 = guard.1.saturating_add(1);
            }
        }
    }

    /// A copy of the events so far.
    pub fn snapshot(&self) -> Vec<Event> {
        self.inner.lock().map(|g| g.0.clone()).unwrap_or_default()
    }

    /// Events dropped because the log was full.
    pub fn dropped(&self) -> u64 {
        self.inner.lock().map(|g| g.1).unwrap_or(0)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Dns {
                transport,
                client,
                name,
                qtype,
                outcome,
            } => {
                write!(f, "dns {transport} {client} {name} {qtype} -> {outcome}")
            }
            Event::Http {
                client,
                local,
                tls,
                sni,
                method,
                target,
                host,
                outcome,
            } => {
                let scheme = if *tls { "https" } else { "http" };
                let sni = sni
                    .as_deref()
                    .map(|s| format!(" sni={s}"))
                    .unwrap_or_default();
                write!(
                    f,
                    "{scheme} {client} -> {local}{sni} {method} {target} host={host} -> {outcome}"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded() {
        let log = EventLog::default();
        let event = Event::Dns {
            transport: "udp",
            client: "198.51.100.254:1".parse().unwrap(),
            name: "a".into(),
            qtype: "A".into(),
            outcome: "NOERROR".into(),
        };
        for _ in 0..MAX_EVENTS + 1 {
            log.push(event.clone());
        }
        assert_eq!(log.snapshot().len(), MAX_EVENTS);
        assert_eq!(log.dropped(), 1);
        assert_eq!(event.to_string(), "dns udp 198.51.100.254:1 a A -> NOERROR");
    }
}
