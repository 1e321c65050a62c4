//! Pacing and retries for every AWS call: one token bucket per API at AWS's published rate,
//! shared by all tasks of a run; throttling answers back off and retry without spending the
//! SDK's retry quota; per-API counts for `--stats`.

use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Published request rates (sustained per second, burst), per account. See aws-limits.md.
const RATES: &[(&str, f64, f64)] = &[
    ("organizations.ListRoots", 1.0, 2.0),
    ("organizations.DescribeOrganization", 1.0, 2.0),
    ("organizations.ListAccounts", 8.0, 12.0),
    ("organizations.ListChildren", 6.0, 10.0),
    ("organizations.ListParents", 5.0, 8.0),
    ("organizations.ListAccountsForParent", 5.0, 8.0),
    ("organizations.ListOrganizationalUnitsForParent", 5.0, 8.0),
    ("organizations.ListPolicies", 5.0, 8.0),
    ("organizations.ListPoliciesForTarget", 5.0, 8.0),
    ("organizations.ListTargetsForPolicy", 5.0, 8.0),
    ("organizations.DescribePolicy", 2.0, 2.0),
    ("organizations.ListTagsForResource", 10.0, 15.0),
    ("organizations.DescribeAccount", 20.0, 30.0),
    ("organizations.DescribeOrganizationalUnit", 2.0, 2.0),
    ("organizations.DescribeCreateAccountStatus", 5.0, 8.0),
    ("organizations.CreatePolicy", 2.0, 3.0),
    ("organizations.UpdatePolicy", 2.0, 3.0),
    ("organizations.DeletePolicy", 2.0, 3.0),
    ("organizations.AttachPolicy", 2.0, 3.0),
    ("organizations.DetachPolicy", 2.0, 3.0),
    ("organizations.CreateOrganizationalUnit", 1.0, 2.0),
    ("organizations.UpdateOrganizationalUnit", 2.0, 3.0),
    ("organizations.DeleteOrganizationalUnit", 2.0, 3.0),
    ("organizations.MoveAccount", 2.0, 3.0),
    ("organizations.TagResource", 4.0, 6.0),
    ("organizations.UntagResource", 4.0, 6.0),
    ("organizations.EnablePolicyType", 1.0, 1.0),
    ("organizations.DisablePolicyType", 1.0, 1.0),
    ("organizations.CreateAccount", 0.1, 3.0),
    ("organizations.ListAWSServiceAccessForOrganization", 5.0, 8.0),
    ("organizations.ListDelegatedAdministrators", 5.0, 8.0),
    ("organizations.ListDelegatedServicesForAccount", 5.0, 8.0),
    ("organizations.EnableAWSServiceAccess", 1.0, 1.0),
    ("organizations.DisableAWSServiceAccess", 1.0, 1.0),
    ("organizations.RegisterDelegatedAdministrator", 1.0, 1.0),
    ("organizations.DeregisterDelegatedAdministrator", 1.0, 1.0),
    // One budget shared by every API of the service.
    ("sso-admin", 20.0, 20.0),
    ("identitystore", 20.0, 20.0),
];

/// Services whose published rate is one budget for all their APIs.
const SHARED_BUDGETS: [&str; 2] = ["sso-admin", "identitystore"];

/// The bucket an API draws from: its own, or its service's shared one.
fn bucket_of(api: &str) -> &str {
    let service = api.split('.').next().unwrap_or(api);
    if SHARED_BUDGETS.contains(&service) { service } else { api }
}

/// Unpublished rates are treated as this.
const DEFAULT_RATE: (f64, f64) = (5.0, 5.0);
/// Stay a little under the published figure, as other tools share the account's limits.
const HEADROOM: f64 = 0.95;

/// Concurrent writes to one Identity Center resource answer ConflictException; it is retried
/// like throttling, except where it means the name is taken.
const CONFLICT: &str = "ConflictException";
const CONFLICT_IS_FINAL: [&str; 1] = ["sso-admin.CreatePermissionSet"];

/// The error codes AWS uses for "slow down".
pub(crate) const THROTTLING_CODES: [&str; 4] =
    ["TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"];

/// Whether an API changes anything. `plan` and `validate` must never call one.
pub(crate) fn is_mutating(api: &str) -> bool {
    let op = api.rsplit('.').next().unwrap_or(api);
    [
        "Create",
        "Update",
        "Delete",
        "Attach",
        "Detach",
        "Move",
        "Enable",
        "Disable",
        "Tag",
        "Untag",
        "Register",
        "Deregister",
        "Provision",
        "Put",
        "Close",
        "Invite",
        "Remove",
        "Start",
        "Stop",
    ]
    .iter()
    .any(|verb| op.starts_with(verb))
}

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
    stats: Mutex<BTreeMap<&'static str, ApiStats>>,
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

fn classify<E: ProvideErrorMetadata>(api: &str, err: &SdkError<E, HttpResponse>) -> Failure {
    if err.code() == Some(CONFLICT) && !CONFLICT_IS_FINAL.contains(&api) {
        return Failure::Conflict;
    }
    match err {
        SdkError::TimeoutError(_) => Failure::Transient,
        SdkError::DispatchFailure(f) if f.is_io() || f.is_timeout() => Failure::Transient,
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
    fn rate_of(&self, api: &str) -> (f64, f64) {
        let bucket = bucket_of(api);
        let (rate, burst) =
            RATES.iter().find(|(name, _, _)| *name == bucket).map_or(DEFAULT_RATE, |(_, r, b)| (*r, *b));
        (rate * HEADROOM * self.rate_scale, burst)
    }

    /// The least time `calls` calls of an API can take at its pace: the floor a run can reach.
    pub(crate) fn floor(&self, api: &str, calls: u64) -> Duration {
        let (rate, burst) = self.rate_of(api);
        Duration::from_secs_f64((calls as f64 - burst).max(0.0) / rate)
    }

    /// The floor of a whole run: the slowest bucket, counting every API that draws from it.
    pub(crate) fn run_floor(&self, stats: &BTreeMap<&'static str, ApiStats>) -> Duration {
        let mut per_bucket: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
        for (api, s) in stats {
            let entry = per_bucket.entry(bucket_of(api)).or_insert((0, api));
            entry.0 += s.calls;
        }
        per_bucket.values().map(|(calls, api)| self.floor(api, *calls)).max().unwrap_or_default()
    }

    async fn wait_turn(&self, api: &'static str) {
        let wait = {
            let mut buckets = self.buckets.lock().expect("pacer lock");
            let bucket = buckets.entry(bucket_of(api)).or_insert_with(|| {
                let (rate, burst) = self.rate_of(api);
                Bucket { rate, burst, tokens: burst, last: Instant::now() }
            });
            bucket.reserve(Instant::now())
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    fn count(&self, api: &'static str, f: impl FnOnce(&mut ApiStats)) {
        f(self.stats.lock().expect("stats lock").entry(api).or_default());
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.retry.base_delay.saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.retry.max_delay);
        // Jitter without a random-number crate: the clock's nanoseconds spread retries apart.
        let nanos = Instant::now().duration_since(self.started).subsec_nanos() as u64;
        capped / 2 + Duration::from_nanos(nanos % (capped.as_nanos() as u64 / 2 + 1))
    }

    /// Runs one AWS call at its API's pace, retrying throttling and transient failures.
    pub(crate) async fn call<T, E, F, Fut>(&self, api: &'static str, mut f: F) -> Result<T, SdkError<E, HttpResponse>>
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
                Failure::Transient => {
                    transients += 1;
                    transients <= self.retry.transient_retries
                }
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

    pub(crate) fn note(&self, text: String) {
        self.notes.lock().expect("notes lock").push(text);
    }

    pub(crate) fn notes(&self) -> Vec<String> {
        self.notes.lock().expect("notes lock").clone()
    }

    pub(crate) fn stats(&self) -> BTreeMap<&'static str, ApiStats> {
        self.stats.lock().expect("stats lock").clone()
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_its_burst_through_then_paces() {
        let now = Instant::now();
        let mut b = Bucket { rate: 2.0, burst: 2.0, tokens: 2.0, last: now };
        assert_eq!(b.reserve(now), Duration::ZERO);
        assert_eq!(b.reserve(now), Duration::ZERO);
        assert_eq!(b.reserve(now), Duration::from_millis(500));
        assert_eq!(b.reserve(now), Duration::from_millis(1000));
        // A second later two tokens came back: the queue shrinks by two.
        assert_eq!(b.reserve(now + Duration::from_secs(1)), Duration::from_millis(500));
    }

    #[test]
    fn the_floor_is_the_calls_beyond_the_burst_at_the_paced_rate() {
        let pacer = Pacer::new(RetryPolicy::default());
        // DescribePolicy: 2/s published, paced at 1.9/s, burst 2.
        assert_eq!(pacer.floor("organizations.DescribePolicy", 2), Duration::ZERO);
        assert_eq!(pacer.floor("organizations.DescribePolicy", 21).as_millis(), 10_000);
    }

    #[tokio::test(start_paused = true)]
    async fn calls_are_paced_to_the_published_rate() {
        let pacer = Pacer::new(RetryPolicy::default());
        let started = Instant::now();
        for _ in 0..12 {
            pacer.wait_turn("organizations.DescribePolicy").await;
        }
        // Two at once (the burst), then ten more at 1.9 per second.
        let elapsed = started.elapsed().as_secs_f64();
        assert!((5.2..5.4).contains(&elapsed), "{elapsed}");
    }

    #[test]
    fn identity_center_apis_share_one_budget() {
        let pacer = Pacer::new(RetryPolicy::default());
        let stats = BTreeMap::from([
            ("sso-admin.ListPermissionSets", ApiStats { calls: 30, ..Default::default() }),
            ("sso-admin.DescribePermissionSet", ApiStats { calls: 30, ..Default::default() }),
        ]);
        // 60 calls on one 20/s budget (19/s paced, 20 burst): (60 - 20) / 19 s.
        assert_eq!(pacer.run_floor(&stats).as_millis(), 2105);
        assert_eq!(bucket_of("sso-admin.ListPermissionSets"), "sso-admin");
        assert_eq!(bucket_of("organizations.ListRoots"), "organizations.ListRoots");
    }

    #[test]
    fn mutating_apis_are_recognised() {
        assert!(is_mutating("organizations.CreateOrganizationalUnit"));
        assert!(is_mutating("organizations.AttachPolicy"));
        assert!(!is_mutating("organizations.ListPoliciesForTarget"));
        assert!(!is_mutating("organizations.DescribePolicy"));
        assert!(!is_mutating("sts.GetCallerIdentity"));
    }

    #[test]
    fn every_published_rate_is_in_the_table_once() {
        let mut names: Vec<&str> = RATES.iter().map(|(n, _, _)| *n).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
