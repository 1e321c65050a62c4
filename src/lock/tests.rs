//! The lock's tag form and expiry.

use super::*;

#[test]
fn a_lock_round_trips_through_its_tag_and_expires() {
    let lock = Lock::new("r1a2".into(), "arn:aws:sts::1:assumed-role/apply/gh,run 7", 1_000);
    assert_eq!(lock.holder, "arn:aws:sts::1:assumed-role/apply/gh_run_7", "tag-safe");
    let tag = lock.to_tag();
    assert!(tag.len() <= 256 && tag.chars().all(|c| c.is_alphanumeric() || " _.:/=+-@".contains(c)), "{tag}");
    assert_eq!(Lock::from_tag(&tag), Some(lock.clone()));
    assert!(!lock.is_expired(1_000 + LIFETIME_SECS - 1) && lock.is_expired(1_000 + LIFETIME_SECS));
    assert_eq!(recorded(&BTreeMap::from([(TAG.to_string(), tag)])), Ok(Some(lock)));
    assert_eq!(recorded(&BTreeMap::new()), Ok(None));
    assert_eq!(recorded(&BTreeMap::from([(TAG.to_string(), "garbage".to_string())])), Err("garbage".to_string()));
    assert!(Lock::new("r".into(), "me", 0).describe().starts_with("held by me since 1970-01-01T00:00:00Z"));
}
