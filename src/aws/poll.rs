//! One way to wait for an asynchronous AWS operation — account creation, account assignments,
//! permission-set provisioning, StackSet operations: ask until it ends, within a bounded time,
//! telling the command's progress callback each time it is still running.

use super::api::Api;
use super::errors::failed;
use crate::apply::CallError;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How long to wait for an asynchronous AWS operation, and how often to ask: first when a
/// typical one has ended, then every `interval`, backing off by half again each time up to
/// `max_interval` — so a typical operation costs one status call, and a slow one few.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Polling {
    pub(crate) first: Duration,
    pub(crate) interval: Duration,
    pub(crate) max_interval: Duration,
    pub(crate) timeout: Duration,
}

impl Polling {
    /// CreateAccount takes a minute or more; the status API has its own budget (5/s).
    pub(crate) const ACCOUNTS: Polling = Polling::every(Duration::from_secs(5), Duration::from_secs(20 * 60));
    /// StackSet operations take minutes across many accounts.
    pub(crate) const STACK_SETS: Polling = Polling {
        first: Duration::from_secs(5),
        interval: Duration::from_secs(5),
        max_interval: Duration::from_secs(15),
        timeout: Duration::from_secs(60 * 60),
    };
    /// Identity Center operations typically take one to two seconds, and their status calls
    /// share the service's 20 requests/s with everything else: look once at two seconds.
    pub(crate) const IDENTITY_CENTER: Polling = Polling {
        first: Duration::from_secs(2),
        interval: Duration::from_secs(1),
        max_interval: Duration::from_secs(5),
        timeout: Duration::from_secs(10 * 60),
    };

    /// Asking every `interval`, no back-off.
    pub(crate) const fn every(interval: Duration, timeout: Duration) -> Polling {
        Polling { first: interval, interval, max_interval: interval, timeout }
    }

    /// The pause before the next status call, after `pauses` pauses so far.
    pub(crate) fn pause(&self, pauses: u32) -> Duration {
        match pauses {
            0 => self.first,
            n => self.interval.mul_f64(1.5f64.powi(n as i32 - 1)).min(self.max_interval),
        }
    }
}

/// An operation still running, as the command is told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Waiting<'a> {
    /// `service:Operation`.
    pub(crate) operation: String,
    pub(crate) resource: &'a str,
    /// AWS's word for where it stands (`IN_PROGRESS`, `RUNNING` …).
    pub(crate) status: &'a str,
    pub(crate) elapsed: Duration,
}

/// Where the command hears of operations still running.
pub(crate) type Progress<'a> = &'a (dyn Fn(&Waiting<'_>) + Sync);

/// How one kind of operation is waited for: its polling, and whom to tell.
#[derive(Clone, Copy)]
pub(crate) struct Wait<'a> {
    pub(crate) polling: Polling,
    pub(crate) progress: Progress<'a>,
}

/// Where an asynchronous operation stands.
pub(crate) enum Status<T> {
    Done(T),
    /// Ended without success; the words say why.
    Failed(String),
    /// Still running, with AWS's status word.
    Running(String),
}

/// Asks `check` until the operation ends (starting from `first` where the call that started it
/// already said where it stands); gives up after the polling's timeout, saying how to continue.
/// `detail` is added to that message (which request it was).
pub(crate) async fn poll<T, F, Fut>(
    wait: Wait<'_>,
    operation: Api,
    resource: &str,
    detail: &str,
    first: Option<Status<T>>,
    mut check: F,
) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Status<T>, CallError>>,
{
    let started = Instant::now();
    let mut pauses = 0;
    let mut status = match first {
        Some(status) => status,
        None => check().await?,
    };
    loop {
        match status {
            Status::Done(value) => return Ok(value),
            Status::Failed(why) => return Err(failed(operation, resource, why)),
            Status::Running(state) => {
                if started.elapsed() >= wait.polling.timeout {
                    let secs = wait.polling.timeout.as_secs();
                    let why = format!("still in progress after {secs}s{detail}; run apply again later to continue");
                    return Err(failed(operation, resource, why));
                }
                let elapsed = started.elapsed();
                (wait.progress)(&Waiting { operation: operation.name(), resource, status: &state, elapsed });
                tokio::time::sleep(wait.polling.pause(pauses)).await;
                pauses += 1;
            }
        }
        status = check().await?;
    }
}
