//! The small parsers validation uses: durations, regions, and typo suggestions.

use super::identity_center::iso_duration_seconds;
use super::names::closest;
use super::stack_sets::looks_like_region;

#[test]
fn durations() {
    assert_eq!(iso_duration_seconds("PT1H"), Some(3600));
    assert_eq!(iso_duration_seconds("PT1H30M"), Some(5400));
    assert_eq!(iso_duration_seconds("PT"), None);
    assert_eq!(iso_duration_seconds("1H"), None);
}

#[test]
fn regions() {
    assert!(looks_like_region("us-east-1"));
    assert!(looks_like_region("us-gov-west-1"));
    assert!(!looks_like_region("useast1"));
}

#[test]
fn typo_suggestions() {
    assert_eq!(
        closest("Foundational/Workload", ["Foundational/Workloads", "Suspended"].into_iter()),
        Some("Foundational/Workloads")
    );
    assert_eq!(closest("xyz", ["Foundational"].into_iter()), None);
}
