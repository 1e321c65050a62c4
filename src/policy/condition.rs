//! Condition operators as IAM documents them: keys ANDed, a key's policy values ORed, negated
//! operators true when no value matches, `…IfExists`, `Null`, `ForAllValues:`/`ForAnyValue:`,
//! and what an absent or unknown key makes of each.

use super::Tri;
use super::context::{Context, Lookup, substitute};
use super::document::{Condition, Operator, SetQualifier};
use super::pattern::{arn_matches, matches};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Whether a condition holds; keys that left it unknown go into `unknown`.
pub(crate) fn holds(condition: &Condition, context: &Context<'_>, unknown: &mut BTreeSet<String>) -> Tri {
    let lookup = context.lookup(&condition.key);
    if condition.operator == Operator::Null {
        // Null: "true" holds where the key is absent, "false" where it is present.
        let absent = match lookup {
            Lookup::Unknown => {
                unknown.insert(condition.key.clone());
                return Tri::Unknown;
            }
            Lookup::Absent => true,
            Lookup::Present(values) => values.is_empty(),
        };
        return Tri::any(condition.values.iter().map(|v| Tri::of(v.eq_ignore_ascii_case("true") == absent)));
    }
    let (positive, negated) = match condition.operator.negated() {
        Some(positive) => (positive, true),
        None => (condition.operator, false),
    };
    let values = match lookup {
        Lookup::Unknown => {
            unknown.insert(condition.key.clone());
            return Tri::Unknown;
        }
        Lookup::Absent => &[][..],
        Lookup::Present(values) => values,
    };
    if values.is_empty() {
        return Tri::of(match condition.qualifier {
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => false,
            None => condition.if_exists || negated,
        });
    }
    // Whether one context value matches any of the policy's values.
    let mut one = |value: &str| -> Tri {
        let matched = Tri::any(condition.values.iter().map(|p| compare(positive, value, p, context, unknown)));
        if negated { matched.not() } else { matched }
    };
    match condition.qualifier {
        Some(SetQualifier::ForAllValues) => Tri::all(values.iter().map(|v| one(v))),
        Some(SetQualifier::ForAnyValue) => Tri::any(values.iter().map(|v| one(v))),
        // A single-valued operator on several values: a negated one must match none of them.
        None if negated => Tri::all(values.iter().map(|v| one(v))),
        None => Tri::any(values.iter().map(|v| one(v))),
    }
}

/// One context value against one policy value, with a positive operator.
fn compare(
    operator: Operator,
    value: &str,
    policy: &str,
    context: &Context<'_>,
    unknown: &mut BTreeSet<String>,
) -> Tri {
    let variables = matches!(
        operator,
        Operator::StringEquals
            | Operator::StringEqualsIgnoreCase
            | Operator::StringLike
            | Operator::ArnEquals
            | Operator::ArnLike
    );
    let policy = if variables {
        match substitute(policy, context, unknown) {
            Ok(text) => text,
            Err(tri) => return tri,
        }
    } else {
        Cow::Borrowed(policy)
    };
    let pattern = &*policy;
    let exact = super::pattern::literal(pattern);
    let policy = &*exact;
    Tri::of(match operator {
        Operator::StringEquals | Operator::BinaryEquals => value == policy,
        Operator::StringEqualsIgnoreCase => value.to_lowercase() == policy.to_lowercase(),
        Operator::StringLike => matches(pattern, value, false),
        Operator::NumericEquals => numbers(value, policy).is_some_and(|(a, b)| a == b),
        Operator::NumericLessThan => numbers(value, policy).is_some_and(|(a, b)| a < b),
        Operator::NumericLessThanEquals => numbers(value, policy).is_some_and(|(a, b)| a <= b),
        Operator::NumericGreaterThan => numbers(value, policy).is_some_and(|(a, b)| a > b),
        Operator::NumericGreaterThanEquals => numbers(value, policy).is_some_and(|(a, b)| a >= b),
        Operator::DateEquals => dates(value, policy).is_some_and(|(a, b)| a == b),
        Operator::DateLessThan => dates(value, policy).is_some_and(|(a, b)| a < b),
        Operator::DateLessThanEquals => dates(value, policy).is_some_and(|(a, b)| a <= b),
        Operator::DateGreaterThan => dates(value, policy).is_some_and(|(a, b)| a > b),
        Operator::DateGreaterThanEquals => dates(value, policy).is_some_and(|(a, b)| a >= b),
        Operator::Bool => value.eq_ignore_ascii_case(policy),
        Operator::IpAddress => in_network(value, policy),
        Operator::ArnEquals | Operator::ArnLike => arn_matches(pattern, value),
        // Negated operators and Null never reach here.
        _ => false,
    })
}

fn numbers(a: &str, b: &str) -> Option<(f64, f64)> {
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

fn dates(a: &str, b: &str) -> Option<(f64, f64)> {
    Some((instant(a)?, instant(b)?))
}

/// A date as IAM reads one: ISO 8601 (date, or date and time with an offset) or epoch seconds.
fn instant(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Ok(epoch) = text.parse::<f64>() {
        return Some(epoch);
    }
    crate::model::parse_rfc3339(text)
}

/// Whether an address is in a network written as CIDR (or a single address).
fn in_network(address: &str, network: &str) -> bool {
    let Ok(address) = address.trim().parse::<IpAddr>() else { return false };
    let (base, bits) = match network.trim().split_once('/') {
        Some((base, bits)) => (base, bits.parse::<u32>().ok()),
        None => (network.trim(), None),
    };
    let Ok(base) = base.parse::<IpAddr>() else { return false };
    match (address, base) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            prefix_equal(u128::from(u32::from(a)) << 96, u128::from(u32::from(b)) << 96, bits.unwrap_or(32).min(32))
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => prefix_equal(u128::from(a), u128::from(b), bits.unwrap_or(128).min(128)),
        _ => false,
    }
}

fn prefix_equal(a: u128, b: u128, bits: u32) -> bool {
    if bits == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - bits);
    a & mask == b & mask
}
