//! The queues between the threads that read input files and the thread that takes their
//! rows in input order.
//!
//! The taking thread takes the files one after the other (files in the order given, rows
//! in file order), so that a run's output does not depend on which reader is faster. A
//! file being taken may have two messages waiting: its reader reads while its last batch
//! is screened, and waits rather than fill memory. A file further on is read ahead of its
//! turn into a budget of bytes shared by every file ahead: without one, the second of two
//! large workbooks would be read only once the first was done, one core reading while the
//! other waits. When its turn comes, what was read ahead is screened at once.
//!
//! Deadlock-free by construction: the file being taken can always make progress (its
//! reader waits only for the taking thread, which waits only for it), a file ahead with
//! nothing queued may always queue one message, and a run whose taking thread has stopped
//! ([`InputQueues::hang_up`]) lets every reader go on without waiting.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// Messages a file being taken may have waiting before its reader waits.
const TAKEN_DEPTH: usize = 2;

/// One queue of messages per input, and the reading-ahead budget they share.
pub(crate) struct InputQueues<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    /// Bytes the files ahead of the one being taken may hold queued, together.
    ahead_budget: usize,
}

struct State<T> {
    /// Per input: its messages, each with its weight in bytes.
    queues: Vec<VecDeque<(T, usize)>>,
    /// Per input: whether its reader is gone (no more messages will come).
    closed: Vec<bool>,
    /// The input being taken.
    at: usize,
    /// Bytes queued for inputs after `at`.
    ahead: usize,
    /// The taking thread stopped: nothing waits any more.
    hung_up: bool,
}

impl<T> InputQueues<T> {
    pub(crate) fn new(inputs: usize, ahead_budget: usize) -> Self {
        InputQueues {
            state: Mutex::new(State {
                queues: (0..inputs).map(|_| VecDeque::new()).collect(),
                closed: vec![false; inputs],
                at: 0,
                ahead: 0,
                hung_up: false,
            }),
            changed: Condvar::new(),
            ahead_budget,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A thread that panicked while holding the lock left the queues consistent (every
        // change is a push or a pop with its count): go on with them.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, State<T>>) -> MutexGuard<'g, State<T>> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Wait until input `i` may be started: no more than `readers` inputs ahead of the one
    /// being taken (many small files would otherwise all wait in memory).
    pub(crate) fn wait_turn(&self, i: usize, readers: usize) {
        let mut s = self.lock();
        while !s.hung_up && i >= s.at + readers {
            s = self.wait(s);
        }
    }

    /// Queue `message` of input `i`, weighing `bytes`; waits while the input has its share
    /// queued (two messages when it is being taken; for one ahead, the budget of the
    /// inputs ahead spent, unless nothing of it is queued).
    pub(crate) fn send(&self, i: usize, message: T, bytes: usize) {
        let mut s = self.lock();
        loop {
            if s.hung_up {
                return;
            }
            let room = if i == s.at {
                s.queues[i].len() < TAKEN_DEPTH
            } else {
                s.queues[i].is_empty() || s.ahead + bytes <= self.ahead_budget
            };
            if room {
                break;
            }
            s = self.wait(s);
        }
        if i != s.at {
            s.ahead += bytes;
        }
        s.queues[i].push_back((message, bytes));
        drop(s);
        self.changed.notify_all();
    }

    /// Queue the last message of input `i` (it never waits: it holds no rows) and close it.
    pub(crate) fn send_last(&self, i: usize, message: T) {
        let mut s = self.lock();
        s.queues[i].push_back((message, 0));
        s.closed[i] = true;
        drop(s);
        self.changed.notify_all();
    }

    /// No more messages of input `i` will come (its reader is gone).
    pub(crate) fn close(&self, i: usize) {
        let mut s = self.lock();
        s.closed[i] = true;
        drop(s);
        self.changed.notify_all();
    }

    /// The next message of input `i`, the one being taken; `None` once its reader is gone
    /// and its queue empty.
    pub(crate) fn recv(&self, i: usize) -> Option<T> {
        let mut s = self.lock();
        loop {
            if let Some((message, bytes)) = s.queues[i].pop_front() {
                if i != s.at {
                    s.ahead -= bytes;
                }
                drop(s);
                self.changed.notify_all();
                return Some(message);
            }
            if s.closed[i] {
                return None;
            }
            s = self.wait(s);
        }
    }

    /// Input `i` is fully taken: the next one is taken from now on, and what was read of
    /// it ahead no longer counts against the budget.
    pub(crate) fn taken(&self, i: usize) {
        let mut s = self.lock();
        if s.at == i {
            s.at = i + 1;
            if let Some(queue) = s.queues.get(s.at) {
                let queued: usize = queue.iter().map(|(_, b)| b).sum();
                s.ahead -= queued;
            }
        }
        drop(s);
        self.changed.notify_all();
    }

    /// The taking thread has stopped: readers no longer wait, and what they send is kept
    /// only until the queues are dropped.
    pub(crate) fn hang_up(&self) {
        let mut s = self.lock();
        s.hung_up = true;
        drop(s);
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Two inputs read at once: every message arrives, in order per input, and the
    /// second input is read ahead of its turn only up to the budget.
    #[test]
    fn an_input_ahead_is_read_into_the_budget_and_taken_in_order() {
        let queues = InputQueues::<(usize, usize)>::new(2, 10);
        let sent_ahead = AtomicUsize::new(0);
        let taken = std::thread::scope(|s| {
            s.spawn(|| {
                for k in 0..50 {
                    queues.send(1, (1, k), 1);
                    sent_ahead.fetch_add(1, Ordering::SeqCst);
                }
                queues.send_last(1, (1, usize::MAX));
            });
            s.spawn(|| {
                // The first input is slow: by its end, the second has filled its budget.
                while sent_ahead.load(Ordering::SeqCst) < 10 {
                    std::thread::yield_now();
                }
                for k in 0..20 {
                    queues.send(0, (0, k), 1);
                }
                queues.send_last(0, (0, usize::MAX));
            });
            let mut taken = Vec::new();
            for i in 0..2 {
                while let Some(m) = queues.recv(i) {
                    if i == 0 {
                        // The budget holds: nothing of the second input is taken
                        // while the first is, so no more than ten of it were sent.
                        assert!(sent_ahead.load(Ordering::SeqCst) <= 10);
                    }
                    taken.push(m);
                    if m.1 == usize::MAX {
                        break;
                    }
                }
                queues.taken(i);
            }
            taken
        });
        let expected: Vec<(usize, usize)> = (0..20)
            .map(|k| (0, k))
            .chain([(0, usize::MAX)])
            .chain((0..50).map(|k| (1, k)))
            .chain([(1, usize::MAX)])
            .collect();
        assert_eq!(taken, expected);
    }

    /// A message larger than the budget is still let in when nothing of its input is
    /// queued, so that a reader ahead is never stuck behind a large batch.
    #[test]
    fn a_message_over_the_budget_is_let_in_alone() {
        let queues = InputQueues::<u8>::new(2, 10);
        queues.send(1, 7, 100);
        queues.send_last(1, 8);
        queues.send_last(0, 0);
        assert_eq!(queues.recv(0), Some(0));
        queues.taken(0);
        assert_eq!(queues.recv(1), Some(7));
        assert_eq!(queues.recv(1), Some(8));
        assert_eq!(queues.recv(1), None);
    }

    /// A reader gone without its last message ends its input; a taking thread that hangs
    /// up lets waiting readers go.
    #[test]
    fn a_closed_input_ends_and_a_hang_up_frees_the_readers() {
        let queues = InputQueues::<u8>::new(2, 0);
        queues.close(0);
        assert_eq!(queues.recv(0), None);
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                queues.send(1, 1, 5);
                // The budget is spent: this one waits until the hang-up.
                queues.send(1, 2, 5);
                queues.wait_turn(9, 1);
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            queues.hang_up();
            reader.join().unwrap();
        });
    }
}
