//! The token bucket, the floor of a run, and the shared Identity Center budget.

use super::*;
use crate::aws::api::{cloudformation, organizations, sso_admin, sts};

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
    // DescribePolicy: 2/s and a burst of 2 published, paced at 1.9/s with a burst of 1.9.
    assert_eq!(pacer.floor(organizations::DESCRIBE_POLICY, 1), Duration::ZERO);
    assert_eq!(pacer.floor(organizations::DESCRIBE_POLICY, 21).as_millis(), 10_052);
}

#[tokio::test(start_paused = true)]
async fn calls_are_paced_to_the_published_rate() {
    let pacer = Pacer::new(RetryPolicy::default());
    let started = Instant::now();
    for _ in 0..12 {
        pacer.wait_turn(organizations::DESCRIBE_POLICY).await;
    }
    // Two at once (the burst), then ten more at 1.9 per second.
    let elapsed = started.elapsed().as_secs_f64();
    assert!((5.2..5.4).contains(&elapsed), "{elapsed}");
}

#[test]
fn identity_center_apis_share_one_budget() {
    let pacer = Pacer::new(RetryPolicy::default());
    let stats = BTreeMap::from([
        (sso_admin::LIST_PERMISSION_SETS, ApiStats { calls: 30, ..Default::default() }),
        (sso_admin::DESCRIBE_PERMISSION_SET, ApiStats { calls: 30, ..Default::default() }),
    ]);
    // 60 calls on one 20/s budget (paced at 19/s, a burst of 19): (60 - 19) / 19 s.
    assert_eq!(pacer.run_floor(&stats).as_millis(), 2157);
    assert_eq!(sso_admin::LIST_PERMISSION_SETS.bucket(), "sso-admin");
    assert_eq!(organizations::LIST_ROOTS.bucket(), "organizations.ListRoots");
}

#[test]
fn mutating_apis_are_recognised() {
    assert!(organizations::CREATE_OU.is_mutating());
    assert!(organizations::ATTACH_POLICY.is_mutating());
    assert!(!organizations::LIST_TARGETS_FOR_POLICY.is_mutating());
    assert!(!organizations::DESCRIBE_POLICY.is_mutating());
    assert!(!sts::GET_CALLER_IDENTITY.is_mutating());
    assert!(cloudformation::CREATE_STACK_INSTANCES.is_mutating());
    assert_eq!(organizations::CREATE_OU.name(), "organizations:CreateOrganizationalUnit");
}

#[test]
fn every_api_is_declared_once_and_a_shared_budget_has_one_rate() {
    let all = crate::aws::api::all();
    let mut keys: Vec<&str> = all.iter().map(|api| api.key).collect();
    keys.sort_unstable();
    let count = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), count, "an API declared twice");
    for api in &all {
        assert_eq!(api.key, format!("{}.{}", api.service, api.operation));
        if let crate::aws::api::Rate::Service(..) = api.rate {
            let others = all.iter().filter(|other| other.service == api.service);
            assert!(others.clone().all(|other| other.rate == api.rate), "{} has more than one budget", api.service);
        }
    }
}
