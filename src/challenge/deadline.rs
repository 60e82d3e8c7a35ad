//! The validation's one deadline, as Boulder derives it from the RA-to-VA budget.

use crate::policy::limits::{
    DIAL_DEADLINE_SHAVE_MS, GRPC_DEADLINE_SHAVE_MS, HTTP01_DEADLINE_SHAVE_MS,
};

/// The context deadline of an HTTP-01 validation: it covers DNS, the IPv6 attempt, the IPv4
/// retry and every redirect hop.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at_ms: u64,
}

impl Deadline {
    /// The deadline for a validation started at `start_ms` with the RPC budget `budget_ms`,
    /// less the gRPC and HTTP-01 shaves.
    pub(crate) fn http01(start_ms: u64, budget_ms: u32) -> Self {
        let shave = GRPC_DEADLINE_SHAVE_MS + HTTP01_DEADLINE_SHAVE_MS;
        Deadline {
            at_ms: start_ms.saturating_add(u64::from(budget_ms).saturating_sub(shave)),
        }
    }

    /// The deadline of a TLS-ALPN-01 validation started at `start_ms`: the RPC budget less
    /// the gRPC shave only (`validateTLSALPN01` takes no HTTP-01 shave).
    pub(crate) fn tls_alpn01(start_ms: u64, budget_ms: u32) -> Self {
        Deadline {
            at_ms: start_ms
                .saturating_add(u64::from(budget_ms).saturating_sub(GRPC_DEADLINE_SHAVE_MS)),
        }
    }

    /// This deadline or `limit_ms` after `now_ms`, whichever comes first (a child context
    /// with its own timeout, such as Go's TLS handshake timeout).
    pub(crate) fn within(self, now_ms: u64, limit_ms: u32) -> Self {
        Deadline {
            at_ms: self.at_ms.min(now_ms.saturating_add(u64::from(limit_ms))),
        }
    }

    /// Milliseconds left at `now_ms` (0 once passed).
    pub(crate) fn remaining_ms(self, now_ms: u64) -> u32 {
        clamp(self.at_ms.saturating_sub(now_ms))
    }

    /// The time a connect may take at `now_ms`: `connect_timeout_ms`, cut to the dialer's
    /// deadline 10 ms before the context's.
    pub(crate) fn dial_timeout_ms(self, now_ms: u64, connect_timeout_ms: u32) -> u32 {
        let dial_deadline = self.at_ms.saturating_sub(DIAL_DEADLINE_SHAVE_MS);
        clamp(dial_deadline.saturating_sub(now_ms)).min(connect_timeout_ms)
    }
}

fn clamp(ms: u64) -> u32 {
    u32::try_from(ms).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::Deadline;

    #[test]
    fn shaves_match_boulder() {
        let deadline = Deadline::http01(1_000, 20_000);
        assert_eq!(deadline.remaining_ms(1_000), 19_780); // 20 s less 20 ms and 200 ms
        assert_eq!(deadline.dial_timeout_ms(1_000, 10_000), 10_000); // connect timeout rules
        assert_eq!(deadline.dial_timeout_ms(11_000, 10_000), 9_770); // deadline less 10 ms
        assert_eq!(deadline.dial_timeout_ms(20_775, 10_000), 0); // inside the last 10 ms
        assert_eq!(deadline.remaining_ms(30_000), 0); // long past
    }

    #[test]
    fn tls_alpn01_and_child_deadlines() {
        let deadline = Deadline::tls_alpn01(1_000, 20_000);
        assert_eq!(deadline.remaining_ms(1_000), 19_980); // only the gRPC shave
        let child = deadline.within(1_000, 10_000);
        assert_eq!(child.remaining_ms(1_000), 10_000); // the child's own limit rules early
        let late = deadline.within(15_000, 10_000);
        assert_eq!(late.remaining_ms(15_000), 5_980); // the parent's deadline rules late
        assert_eq!(late.remaining_ms(20_980), 0); // both passed
    }
}
