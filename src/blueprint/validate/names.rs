//! Names: the length rule AWS applies to names, and the "did you mean" suggestion for a
//! misspelt reference.

use super::*;

pub(super) fn check_name(c: &mut Collector, name: &S<String>, what: &str, max: usize) {
    let n = name.value.chars().count();
    if n == 0 || n > max {
        c.at(
            Code::BadName,
            &name.referenced,
            format!("{what} {:?} must be 1–{max} characters", name.value),
            "bad length",
        );
    }
    check_printable(c, name, what);
}

/// Names, tags and principals may not hold control or bidirectional-override characters: they
/// would print as something else in a plan a reviewer reads.
pub(super) fn check_printable(c: &mut Collector, text: &S<String>, what: &str) {
    if let Some(bad) = first_unprintable(&text.value) {
        c.at(
            Code::Unprintable,
            &text.referenced,
            format!("{what} {:?} holds the character U+{:04X}, which is not allowed", text.value, bad as u32),
            "control or bidirectional character",
        );
    }
}

pub(super) use crate::model::closest;
