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

/// The known name closest to a misspelt one, if any is close enough to be a likely typo.
pub(super) fn closest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim(wanted, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, case-insensitive.
pub(super) fn strsim(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
