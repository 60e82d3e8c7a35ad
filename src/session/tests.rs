//! The step contract: the host is checked, and misuse is an error, never a panic.

use super::{ApiMisuse, Session, Step};
use crate::io::{Completion, DnsTransportError, Outcome, Request, RequestId};
use crate::job::{ChallengeType, Identifier, Job, Options, Validation};

fn session() -> Session {
    let job = Job::Validate(Validation {
        identifier: Identifier::Dns("example.com".into()),
        token: "t".into(),
        key_authorization: "t.x".into(),
        challenge: ChallengeType::Http01,
    });
    Session::new(job, Options::default())
}

fn first_requests(session: &mut Session) -> Vec<RequestId> {
    match session.step(1_000, vec![]) {
        Ok(Step::Pending(requests)) => {
            assert!(requests
                .iter()
                .all(|r| matches!(r.request, Request::ExchangeDns { .. })));
            requests.into_iter().map(|r| r.id).collect()
        }
        other => panic!("expected the two DNS queries, got {other:?}"),
    }
}

fn timeout(id: RequestId) -> Completion {
    Completion {
        id,
        outcome: Outcome::DnsExchanged(Err(DnsTransportError::Timeout)),
    }
}

#[test]
fn starts_with_a_and_aaaa_in_parallel() {
    let mut session = session();
    assert_eq!(
        first_requests(&mut session),
        vec![RequestId(1), RequestId(2)]
    );
}

/// Steps a fresh session with the completions `build` makes from its first request ids.
fn assert_misuse(
    why: &str,
    now: u64,
    build: impl Fn(&[RequestId]) -> Vec<Completion>,
    expected: ApiMisuse,
) {
    let mut session = session();
    let ids = first_requests(&mut session);
    assert_eq!(session.step(now, build(&ids)), Err(expected), "{why}");
    assert_eq!(
        session.step(now, vec![]),
        Err(ApiMisuse::AlreadyFinished),
        "{why}"
    );
}

#[test]
fn misuse_is_an_error_and_ends_the_session() {
    let slept = |id| Completion {
        id,
        outcome: Outcome::Slept,
    };
    assert_misuse(
        "an id never issued",
        1_001,
        |_| vec![timeout(RequestId(99))],
        ApiMisuse::UnknownRequest(RequestId(99)),
    );
    assert_misuse(
        "an outcome of the wrong kind",
        1_001,
        |ids| vec![slept(ids[0])],
        ApiMisuse::MismatchedOutcome(RequestId(1)),
    );
    assert_misuse(
        "the same id twice",
        1_001,
        |ids| vec![timeout(ids[0]), timeout(ids[0])],
        ApiMisuse::UnknownRequest(RequestId(1)),
    );
    assert_misuse(
        "a clock going backwards",
        999,
        |_| vec![],
        ApiMisuse::TimeWentBackwards,
    );
}

#[test]
fn dns_timeouts_retry_then_report_in_virtual_time() {
    let mut session = session();
    let mut outstanding = first_requests(&mut session);
    let mut now = 1_000;
    let report = loop {
        now += 1_000;
        let completions = outstanding.drain(..).map(timeout).collect();
        match session.step(now, completions).expect("valid completions") {
            Step::Pending(requests) => outstanding = requests.into_iter().map(|r| r.id).collect(),
            Step::Done(report) => break report,
        }
    };
    let problem = report.problem.expect("a DNS problem");
    assert_eq!(
        problem.detail,
        "DNS problem: query timed out looking up A for example.com; DNS problem: query timed out looking up AAAA for example.com"
    );
    assert_eq!(now, 4_000, "three tries of one second each");
    assert_eq!(session.step(now, vec![]), Err(ApiMisuse::AlreadyFinished));
}

#[test]
fn a_poll_that_wakes_is_followed_by_another_in_the_same_step() {
    // Pending on the first poll after waking its waker (as a task that filed a result another
    // task waits for), ready on the second: one call settles it.
    let mut polls = 0;
    let mut future = std::pin::pin!(std::future::poll_fn(|cx| {
        polls += 1;
        if polls == 1 {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(polls)
        }
    }));
    assert_eq!(
        super::poll_settled(future.as_mut()),
        std::task::Poll::Ready(2)
    );
    // A poll that wakes nothing is not repeated.
    let mut idle = std::pin::pin!(std::future::pending::<()>());
    assert!(super::poll_settled(idle.as_mut()).is_pending());
}
