//! Cancelling a request: a handle shared by whoever may cancel (a newer query, the
//! partner's Cancel button, a timeout) and whatever must stop (the browser's `fetch` through
//! its `AbortController`, a backoff or quota wait in the engine).
//!
//! Pure Rust (no browser types): the browser transport registers the abort of its
//! `AbortController` with [`Cancel::on_abort`], and waits await [`Cancel::aborted`], so the
//! same handle is tested natively.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A cancel handle; clones share it.
///
/// ```
/// use campaign_analytics::api::cancel::Cancel;
/// use std::{cell::Cell, rc::Rc};
/// let cancel = Cancel::new();
/// let stopped = Rc::new(Cell::new(false));
/// let flag = stopped.clone();
/// cancel.on_abort(move || flag.set(true));
/// let attempt = cancel.child();
/// cancel.abort();
/// assert!(stopped.get() && attempt.is_aborted());
/// ```
#[derive(Clone, Default)]
pub struct Cancel(Rc<Inner>);

#[derive(Default)]
struct Inner {
    aborted: Cell<bool>,
    on_abort: RefCell<Vec<Box<dyn FnOnce()>>>,
    wakers: RefCell<Vec<Waker>>,
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cancel(aborted: {})", self.is_aborted())
    }
}

impl Cancel {
    /// A handle that has not fired.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Fires the handle: runs what was registered with [`Cancel::on_abort`] and ends every
    /// [`Cancel::aborted`] wait. Firing twice does nothing more.
    pub fn abort(&self) {
        if self.0.aborted.replace(true) {
            return;
        }
        let callbacks = std::mem::take(&mut *self.0.on_abort.borrow_mut());
        for callback in callbacks {
            callback();
        }
        let wakers = std::mem::take(&mut *self.0.wakers.borrow_mut());
        for waker in wakers {
            waker.wake();
        }
    }

    /// Whether [`Cancel::abort`] was called.
    pub fn is_aborted(&self) -> bool {
        self.0.aborted.get()
    }

    /// Runs `callback` when the handle fires (at once if it already has).
    pub fn on_abort(&self, callback: impl FnOnce() + 'static) {
        if self.is_aborted() {
            callback();
        } else {
            self.0.on_abort.borrow_mut().push(Box::new(callback));
        }
    }

    /// A handle that fires with this one, and can also fire on its own (one attempt of a
    /// request, which its timeout ends without ending the others).
    pub fn child(&self) -> Cancel {
        let child = Cancel::new();
        let fire = child.clone();
        self.on_abort(move || fire.abort());
        child
    }

    /// A future that completes when the handle fires.
    pub fn aborted(&self) -> Aborted {
        Aborted(self.clone())
    }
}

/// The future of [`Cancel::aborted`].
pub struct Aborted(Cancel);

impl Future for Aborted {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_aborted() {
            return Poll::Ready(());
        }
        let mut wakers = self.0 .0.wakers.borrow_mut();
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_run_once_and_late_ones_at_once() {
        let cancel = Cancel::new();
        let runs = Rc::new(Cell::new(0));
        let r = runs.clone();
        cancel.on_abort(move || r.set(r.get() + 1));
        cancel.abort();
        cancel.abort();
        assert_eq!(runs.get(), 1);
        let r = runs.clone();
        cancel.on_abort(move || r.set(r.get() + 10));
        assert_eq!(runs.get(), 11);
    }

    #[test]
    fn a_child_fires_alone_or_with_its_parent() {
        let parent = Cancel::new();
        let a = parent.child();
        let b = parent.child();
        a.abort();
        assert!(a.is_aborted() && !b.is_aborted() && !parent.is_aborted());
        parent.abort();
        assert!(b.is_aborted());
    }
}
