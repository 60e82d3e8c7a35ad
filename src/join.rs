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

/// Runs every future of `futures` concurrently and returns their outputs in order.
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut slots: Vec<Slot<F>> = futures.into_iter().map(Slot::new).collect();
    std::future::poll_fn(move |cx| {
        let mut all_done = true;
        for slot in slots.iter_mut() {
            all_done &= slot.poll_finished(cx);
        }
        if !all_done {
            return Poll::Pending;
        }
        Poll::Ready(slots.iter_mut().filter_map(Slot::take).collect())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::{join, join_all};
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Ready after `polls` pending polls.
    async fn ready_after(polls: u32, value: u32) -> u32 {
        let mut left = polls;
        std::future::poll_fn(move |_| {
            if left == 0 {
                return Poll::Ready(value);
            }
            left -= 1;
            Poll::Pending
        })
        .await
    }

    fn block_on<F: Future>(future: F) -> (F::Output, u32) {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        for polls in 1..100 {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return (output, polls);
            }
        }
        panic!("never finished");
    }

    #[test]
    fn join_all_runs_side_by_side_and_keeps_order() {
        let rows: [(&[u32], u32); 4] = [
            (&[], 1),        // nothing to run: ready at once
            (&[0], 1),       // one ready child
            (&[3, 1, 2], 4), // the slowest child decides, not the sum
            (&[2, 2, 2], 3), // equal children finish together
        ];
        for (polls, expected_polls) in rows {
            let futures = polls
                .iter()
                .enumerate()
                .map(|(i, &p)| ready_after(p, i as u32))
                .collect();
            let (outputs, taken) = block_on(join_all(futures));
            let order: Vec<u32> = (0..polls.len() as u32).collect();
            assert_eq!(outputs, order, "{polls:?}");
            assert_eq!(taken, expected_polls, "{polls:?}");
        }
    }

    #[test]
    fn join_waits_for_both() {
        let (outputs, taken) = block_on(join(ready_after(1, 7), ready_after(3, 8)));
        assert_eq!(outputs, (7, 8));
        assert_eq!(taken, 4);
    }
}
