//! The apply lock: one apply at a time per organization, recorded where every apply looks — a
//! tag on the root (`lzctl:lock`: the run, who holds it, since when, until when). An apply takes
//! it before its first change and gives it back at the end; one that dies leaves it to expire,
//! or to `lzctl unlock`.

use std::collections::BTreeMap;

/// The root's tag that holds the lock.
pub(crate) const TAG: &str = "lzctl:lock";

/// How long a lock holds when its apply never gives it back (killed, machine gone): longer than
/// an apply waits for anything (account creation 20 minutes, stack sets an hour).
pub(crate) const LIFETIME_SECS: u64 = 2 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lock {
    /// This apply's own id.
    pub run: String,
    /// The AWS identity of whoever applies.
    pub holder: String,
    /// Seconds since the Unix epoch.
    pub since: u64,
    pub expires: u64,
}

impl Lock {
    pub(crate) fn new(run: String, holder: &str, now: u64) -> Lock {
        // Tag values allow letters, digits, spaces and _.:/=+-@ only.
        let holder =
            holder.chars().map(|c| if c.is_alphanumeric() || "_.:/=+-@".contains(c) { c } else { '_' }).collect();
        Lock { run, holder, since: now, expires: now + LIFETIME_SECS }
    }

    pub(crate) fn to_tag(&self) -> String {
        format!("run={} since={} expires={} holder={}", self.run, self.since, self.expires, self.holder)
    }

    /// The lock a tag value records; None for a value that is not one (it is then treated as
    /// held, by someone unknown, until removed).
    pub(crate) fn from_tag(value: &str) -> Option<Lock> {
        let field = |name: &str| value.split(' ').find_map(|part| part.strip_prefix(&format!("{name}=")));
        Some(Lock {
            run: field("run")?.to_string(),
            holder: field("holder")?.to_string(),
            since: field("since")?.parse().ok()?,
            expires: field("expires")?.parse().ok()?,
        })
    }

    pub(crate) fn is_expired(&self, now: u64) -> bool {
        now >= self.expires
    }

    /// As people read it: who, since when, until when.
    pub(crate) fn describe(&self) -> String {
        format!(
            "held by {} since {} (run {}, expires {})",
            self.holder,
            crate::model::rfc3339(self.since),
            self.run,
            crate::model::rfc3339(self.expires)
        )
    }
}

/// The lock recorded in the root's tags, if any: Ok(None) when free, Err with the raw value when
/// the tag is there but unreadable.
pub(crate) fn recorded(tags: &BTreeMap<String, String>) -> Result<Option<Lock>, String> {
    match tags.get(TAG) {
        None => Ok(None),
        Some(value) => Lock::from_tag(value).map(Some).ok_or_else(|| value.clone()),
    }
}

#[cfg(test)]
mod tests;
