//! IAM's wildcards: `*` matches any run of characters (none included), `?` any one character,
//! anywhere in a pattern; actions compare without case, everything else with it.

use std::borrow::Cow;

/// A `*` that a policy variable (`${*}`) made literal: it matches only a `*`.
pub(crate) const LITERAL_STAR: char = '\u{E000}';
/// A `?` that `${?}` made literal.
pub(crate) const LITERAL_QUESTION: char = '\u{E001}';

/// The text a pattern stands for where it is compared exactly.
pub(crate) fn literal(pattern: &str) -> Cow<'_, str> {
    if pattern.contains([LITERAL_STAR, LITERAL_QUESTION]) {
        Cow::Owned(pattern.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?"))
    } else {
        Cow::Borrowed(pattern)
    }
}

/// Whether `text` matches `pattern`; `fold_case` compares without case (actions).
pub(crate) fn matches(pattern: &str, text: &str, fold_case: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        let pattern = literal(pattern);
        return if fold_case { pattern.eq_ignore_ascii_case(text) } else { pattern == text };
    }
    if pattern.is_ascii() && text.is_ascii() {
        // Byte by byte, allocating nothing: what nearly every action and ARN is.
        return glob(
            pattern.as_bytes(),
            text.as_bytes(),
            |p, t| if fold_case { p.eq_ignore_ascii_case(&t) } else { p == t },
        );
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob(&p, &t, |p, t| {
        let p = match p {
            LITERAL_STAR => '*',
            LITERAL_QUESTION => '?',
            p => p,
        };
        if fold_case { p.eq_ignore_ascii_case(&t) } else { p == t }
    })
}

/// A character of a pattern, as `glob` sees it.
trait Symbol: Copy + PartialEq {
    const STAR: Self;
    const QUESTION: Self;
}

impl Symbol for u8 {
    const STAR: u8 = b'*';
    const QUESTION: u8 = b'?';
}

impl Symbol for char {
    const STAR: char = '*';
    const QUESTION: char = '?';
}

/// Iterative matching with one backtrack point: linear in practice, never exponential.
fn glob<C: Symbol>(p: &[C], t: &[C], same: impl Fn(C, C) -> bool) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == C::QUESTION || (p[pi] != C::STAR && same(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == C::STAR {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == C::STAR)
}

/// ARN matching as ArnLike and ArnEquals do it: each of the six colon-separated parts on its
/// own (the last may hold colons), with wildcards, case-sensitive.
pub(crate) fn arn_matches(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts = |text| {
        let mut parts = [""; 6];
        let mut n = 0;
        for (slot, part) in parts.iter_mut().zip(str::splitn(text, 6, ':')) {
            *slot = part;
            n += 1;
        }
        (n == 6).then_some(parts)
    };
    let (Some(p), Some(a)) = (parts(pattern), parts(arn)) else { return false };
    p.iter().zip(&a).all(|(p, a)| matches(p, a, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_as_iam_documents_them() {
        for (pattern, text, fold, expected) in [
            ("s3:*", "s3:GetObject", true, true),
            ("S3:get*", "s3:GetObject", true, true),
            ("s3:Get*", "s3:getobject", false, false),
            ("s3:?etObject", "s3:GetObject", true, true),
            ("s3:?etObject", "s3:etObject", true, false),
            ("*", "", false, true),
            ("a*b*c", "aXXbYYc", false, true),
            ("a*b*c", "aXXbYY", false, false),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", false, true),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false, false),
            ("ec2:*Instances", "ec2:RunInstances", true, true),
            ("iam:*", "sts:AssumeRole", true, false),
        ] {
            assert_eq!(matches(pattern, text, fold), expected, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn arns_match_part_by_part() {
        assert!(arn_matches("arn:aws:iam::*:role/admin-*", "arn:aws:iam::111122223333:role/admin-x"));
        assert!(!arn_matches("arn:aws:iam::*:role/admin-*", "arn:aws:iam::111122223333:user/admin-x"));
        assert!(arn_matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:with:colons"));
        assert!(!arn_matches("arn:aws:iam::*", "arn:aws:iam::1:role/x"), "five parts never match six");
        assert!(arn_matches("*", "anything"));
    }
}
