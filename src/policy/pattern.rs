//! IAM's wildcards: `*` matches any run of characters (none included), `?` any one character,
//! anywhere in a pattern; actions compare without case, everything else with it.

/// A `*` that a policy variable (`${*}`) made literal: it matches only a `*`.
pub(crate) const LITERAL_STAR: char = '\u{E000}';
/// A `?` that `${?}` made literal.
pub(crate) const LITERAL_QUESTION: char = '\u{E001}';

/// The text a pattern stands for where it is compared exactly.
pub(crate) fn literal(pattern: &str) -> String {
    pattern.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")
}

/// Whether `text` matches `pattern`; `fold_case` compares without case (actions).
pub(crate) fn matches(pattern: &str, text: &str, fold_case: bool) -> bool {
    if !pattern.contains(['*', '?']) {
        let pattern = literal(pattern);
        return if fold_case { pattern.eq_ignore_ascii_case(text) } else { pattern == text };
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| {
        let a = match a {
            LITERAL_STAR => '*',
            LITERAL_QUESTION => '?',
            a => a,
        };
        if fold_case { a.eq_ignore_ascii_case(&b) } else { a == b }
    };
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && same(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
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
    p[pi..].iter().all(|c| *c == '*')
}

/// ARN matching as ArnLike and ArnEquals do it: each of the six colon-separated parts on its
/// own (the last may hold colons), with wildcards, case-sensitive.
pub(crate) fn arn_matches(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if pattern == "*" {
        return true;
    }
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| matches(p, a, false))
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
