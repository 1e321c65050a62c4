//! Pacing and retries for every AWS call: one token bucket per API at AWS's published rate,
//! shared by all tasks of a run; throttling answers back off and retry without spending the
//! SDK's retry quota; per-API counts for `--stats`.

use super::api::{self, Api, Rate};
use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Unpublished rates are treated as this.
const DEFAULT_RATE: (f64, f64) = (5.0, 5.0);
/// Stay a little under the published figure, as other tools share the account's limits.
const HEADROOM: f64 = 0.95;

/// Concurrent writes to one Identity Center resource answer ConflictException; it is retried
/// like throttling, except where it means the name is taken.
const CONFLICT: &str = "ConflictException";
/// Where ConflictException means "it is there already": the name is taken, or the policy is
/// attached (after a retry whose first attempt went through). The caller looks instead.
const CONFLICT_IS_FINAL: [Api; 3] = [
    api::sso_admin::CREATE_PERMISSION_SET,
    api::sso_admin::ATTACH_MANAGED_POLICY,
    api::sso_admin::ATTACH_CUSTOMER_MANAGED_REFERENCE,
];

/// The error codes AWS uses for "slow down".
pub(crate) const THROTTLING_CODES: [&str; 4] =
    ["TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"];

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// Takes a token and says how long to wait for it; tokens may go negative, which queues
    /// callers fairly instead of letting them race.
    fn reserve(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 { Duration::ZERO } else { Duration::from_secs_f64(-self.tokens / self.rate) }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ApiStats {
    pub calls: u64,
    pub throttled: u64,
    pub retried: u64,
    pub failed: u64,
}

/// How failed calls are retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Retries after a throttling answer.
    pub throttle_retries: u32,
    /// Retries after a transient failure (5xx, timeout, connection).
    pub transient_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            throttle_retries: 10,
            transient_retries: 2,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
        }
    }
}

pub(crate) struct Pacer {
    buckets: Mutex<HashMap<&'static str, Bucket>>,
    /// Per API, even where the bucket is shared.
    stats: Mutex<BTreeMap<Api, ApiStats>>,
    retry: RetryPolicy,
    started: Instant,
    /// Scales every rate; tests and benchmarks use it, the tool uses 1.
    rate_scale: f64,
    /// What the readers chose and why, for `--stats`.
    notes: Mutex<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Throttled,
    Conflict,
    Transient,
    Final,
}

fn classify<E: ProvideErrorMetadata>(api: Api, err: &SdkError<E, HttpResponse>) -> Failure {
    if err.code() == Some(CONFLICT) && !CONFLICT_IS_FINAL.contains(&api) {
        return Failure::Conflict;
    }
    match err {
        SdkError::TimeoutError(_) => Failure::Transient,
        // A connection refused, reset or closed before the answer: the network, not the request
        // (which may or may not have reached AWS). Only the caller's own mistakes are final.
        SdkError::DispatchFailure(f) if !f.is_user() => Failure::Transient,
        SdkError::ResponseError(_) => Failure::Transient,
        SdkError::ServiceError(_) => {
            if err.code().is_some_and(|c| THROTTLING_CODES.contains(&c)) {
                Failure::Throttled
            } else if err.raw_response().is_some_and(|r| r.status().is_server_error()) {
                Failure::Transient
            } else {
                Failure::Final
            }
        }
        _ => Failure::Final,
    }
}

impl Pacer {
    #[cfg(test)]
    pub(crate) fn new(retry: RetryPolicy) -> Pacer {
        Pacer::with_rate_scale(retry, 1.0)
    }

    pub(crate) fn with_rate_scale(retry: RetryPolicy, rate_scale: f64) -> Pacer {
        Pacer {
            buckets: Mutex::new(HashMap::new()),
            stats: Mutex::new(BTreeMap::new()),
            retry,
            started: Instant::now(),
            rate_scale,
            notes: Mutex::new(Vec::new()),
        }
    }

    /// The sustained rate (per second) and burst this run paces an API to.
    fn rate_of(&self, api: Api) -> (f64, f64) {
        let (rate, burst) = match api.rate {
            Rate::Own(rate, burst) | Rate::Service(rate, burst) => (rate, burst),
            Rate::Unpublished => DEFAULT_RATE,
        };
        // The burst too: a request that reaches AWS a little early (scheduling, the network) still
        // finds a token there.
        (rate * HEADROOM * self.rate_scale, burst * HEADROOM)
    }

    /// The least time `calls` calls of an API can take at its pace: the floor a run can reach.
    pub(crate) fn floor(&self, api: Api, calls: u64) -> Duration {
        let (rate, burst) = self.rate_of(api);
        Duration::from_secs_f64((calls as f64 - burst).max(0.0) / rate)
    }

    /// The floor of a whole run: the slowest bucket, counting every API that draws from it.
    pub(crate) fn run_floor(&self, stats: &BTreeMap<Api, ApiStats>) -> Duration {
        let mut per_bucket: BTreeMap<&str, (u64, Api)> = BTreeMap::new();
        for (api, s) in stats {
            let entry = per_bucket.entry(api.bucket()).or_insert((0, *api));
            entry.0 += s.calls;
        }
        per_bucket.values().map(|(calls, api)| self.floor(*api, *calls)).max().unwrap_or_default()
    }

    async fn wait_turn(&self, api: Api) {
        let wait = {
            let mut buckets = self.buckets.lock().expect("pacer lock");
            let bucket = buckets.entry(api.bucket()).or_insert_with(|| {
                let (rate, burst) = self.rate_of(api);
                Bucket { rate, burst, tokens: burst, last: Instant::now() }
            });
            bucket.reserve(Instant::now())
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    fn count(&self, api: Api, f: impl FnOnce(&mut ApiStats)) {
        f(self.stats.lock().expect("stats lock").entry(api).or_default());
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.retry.base_delay.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.retry.max_delay);
        // Jitter without a random-number crate: the clock's nanoseconds spread retries apart.
        let nanos = Instant::now().duration_since(self.started).subsec_nanos() as u64;
        capped / 2 + Duration::from_nanos(nanos % (capped.as_nanos() as u64 / 2 + 1))
    }

    /// Runs one AWS call at its API's pace, retrying throttling and transient failures: for
    /// reads and for writes that are the same done twice.
    pub(crate) async fn call<T, E, F, Fut>(&self, api: Api, f: F) -> Result<T, SdkError<E, HttpResponse>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
    {
        self.call_with(api, true, f).await
    }

    /// Runs a create at its API's pace, retrying only what AWS did not process (throttling,
    /// conflicts); an ambiguous failure — a 5xx, a timeout, a broken connection, after which the
    /// create may have happened — is returned, for the caller to look before it sends it again
    /// (see `aws::create_once`).
    pub(crate) async fn create<T, E, F, Fut>(&self, api: Api, f: F) -> Result<T, SdkError<E, HttpResponse>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
    {
        self.call_with(api, false, f).await
    }

    /// Whether a failure may have happened after AWS acted on the request.
    pub(crate) fn is_ambiguous<E: ProvideErrorMetadata>(api: Api, err: &SdkError<E, HttpResponse>) -> bool {
        classify(api, err) == Failure::Transient
    }

    /// Counts a retry the caller makes itself.
    pub(crate) fn count_retry(&self, api: Api) {
        self.count(api, |s| s.retried += 1);
    }

    async fn call_with<T, E, F, Fut>(
        &self,
        api: Api,
        retry_transient: bool,
        mut f: F,
    ) -> Result<T, SdkError<E, HttpResponse>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata,
    {
        let (mut throttles, mut transients) = (0, 0);
        loop {
            self.wait_turn(api).await;
            self.count(api, |s| s.calls += 1);
            let err = match f().await {
                Ok(out) => return Ok(out),
                Err(err) => err,
            };
            let retry = match classify(api, &err) {
                Failure::Throttled => {
                    self.count(api, |s| s.throttled += 1);
                    throttles += 1;
                    throttles <= self.retry.throttle_retries
                }
                Failure::Conflict => {
                    throttles += 1;
                    throttles <= self.retry.throttle_retries
                }
                Failure::Transient if retry_transient => {
                    transients += 1;
                    transients <= self.retry.transient_retries
                }
                Failure::Transient => false,
                Failure::Final => false,
            };
            if !retry {
                self.count(api, |s| s.failed += 1);
                return Err(err);
            }
            self.count(api, |s| s.retried += 1);
            tokio::time::sleep(self.backoff(throttles + transients - 1)).await;
        }
    }

    /// A pause, scaled as the rates are (an emulator runs faster).
    pub(crate) fn scaled(&self, pause: Duration) -> Duration {
        pause.div_f64(self.rate_scale)
    }

    /// How many times a create is sent at most: the first time and the transient retries.
    pub(crate) fn create_attempts(&self) -> u32 {
        self.retry.transient_retries + 1
    }

    /// The pause before sending a create again.
    pub(crate) fn create_backoff(&self, attempt: u32) -> Duration {
        self.backoff(attempt)
    }

    pub(crate) fn note(&self, text: String) {
        self.notes.lock().expect("notes lock").push(text);
    }

    pub(crate) fn notes(&self) -> Vec<String> {
        self.notes.lock().expect("notes lock").clone()
    }

    pub(crate) fn stats(&self) -> BTreeMap<Api, ApiStats> {
        self.stats.lock().expect("stats lock").clone()
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests;
