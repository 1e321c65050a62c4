//! AWS Organizations: reading the live organization concurrently and paced, and carrying out
//! calls idempotently (create looks first, delete accepts "already gone").

mod close;
mod effective;
mod execute;
mod handshakes;
mod read;

pub(super) use effective::effective_policy;
pub(super) use execute::execute;
pub(super) use read::{read, tags_of};

use crate::model::PolicyType;
use aws_sdk_organizations::types::{self as t, Tag};
use std::collections::BTreeMap;

pub(super) fn sdk_policy_type(pt: PolicyType) -> t::PolicyType {
    t::PolicyType::from(pt.as_str())
}

pub(super) fn to_sdk_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build().expect("key and value are set")).collect())
}

#[cfg(test)]
mod tests;
