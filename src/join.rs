//! Running futures side by side inside one session.
//!
//! The session polls its whole future tree on every step, so these combinators simply poll
//! every unfinished child each time; no wakers are needed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A child future and, once finished, its output.
enum Slot<F: Future> {
    Running(Pin<Box<F>>),
    Finished(Option<F::Output>),
}

impl<F: Future> Slot<F> {
    fn new(future: F) -> Self {
        Slot::Running(Box::pin(future))
    }

    /// Polls the child if it still runs; true once it has finished.
    fn poll_finished(&mut self, cx: &mut Context<'_>) -> bool {
        if let Slot::Running(future) = self {
            match future.as_mut().poll(cx) {
                Poll::Ready(output) => *self = Slot::Finished(Some(output)),
                Poll::Pending => return false,
            }
        }
        true
    }

    fn take(&mut self) -> Option<F::Output> {
        match self {
            Slot::Finished(output) => output.take(),
            Slot::Running(_) => None,
        }
    }
}

/// Runs two futures concurrently and returns both outputs.
pub async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = Slot::new(a);
    let mut b = Slot::new(b);
    std::future::poll_fn(move |cx| {
        let a_done = a.poll_finished(cx);
        let b_done = b.poll_finished(cx);
        if !(a_done && b_done) {
            return Poll::Pending;
        }
        match (a.take(), b.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            // Unreachable: both slots finished above and are taken only here, once.
            _ => Poll::Pending,
        }
    })
    .await
}
