//! Going on after a shape mistake, so one run reports every problem in the file: the key the
//! parser stopped at (an unknown key, or a value of the wrong shape) is blanked out — replaced
//! by spaces, so every other place in the file keeps its line, column and byte offset — and the
//! file is read again. Shape mistakes also get words and a hint instead of Rust type names.

/// Where the entry holding byte `at` starts and ends.
fn entry_range(text: &str, at: usize) -> Option<(usize, usize)> {
    let key = key_start(text, at)?;
    let end = match entry_end(text, key)? {
        End::Comma(at) => at + 1,
        End::Close(at) | End::Line(at) => at,
    };
    Some((key, end))
}

/// `entry_range` with the blank lines after it (where a blanked entry of its value was).
pub(super) fn entry_extent(text: &str, at: usize) -> Option<(usize, usize)> {
    let (start, mut end) = entry_range(text, at)?;
    while end < text.len() {
        let rest = &text[end..];
        let line_end = rest[1.min(rest.len())..].find('\n').map_or(rest.len(), |i| i + 1);
        if !rest[..line_end].trim().is_empty() {
            break;
        }
        end += line_end;
    }
    Some((start, end))
}

/// The text with the `key: value` entry whose key or value starts at byte `at` blanked out;
/// None where that entry cannot be told apart safely.
pub(super) fn blank_entry(text: &str, at: usize) -> Option<String> {
    let key = key_start(text, at)?;
    let end = entry_end(text, key)?;
    let mut bytes = text.as_bytes().to_vec();
    let mut blank = |from: usize, to: usize| {
        for b in &mut bytes[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let line_start = text[..key].rfind('\n').map_or(0, |i| i + 1);
    let flow = !text[line_start..key].trim().is_empty() && text[line_start..key].trim() != "-";
    match end {
        // In a flow mapping, the separator goes with the entry: the one after it, or else the
        // one before it.
        End::Comma(comma) => blank(key, comma + 1),
        End::Close(close) if flow => {
            let before = text[..key].trim_end();
            if before.ends_with(',') {
                blank(before.len() - 1, before.len());
            }
            blank(key, close);
        }
        End::Close(close) | End::Line(close) => blank(key, close),
    }
    String::from_utf8(bytes).ok()
}

enum End {
    /// Ends at a comma (in a flow collection): its offset.
    Comma(usize),
    /// Ends before a closing bracket: its offset.
    Close(usize),
    /// Ends at this offset (a line's end, or the last line of a block value).
    Line(usize),
}

/// Where the entry holding byte `at` starts: `at` itself when it is a key, else the key on the
/// same line whose value starts at `at` (`key: value`, `key: [value`, `key: {value`).
fn key_start(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[at..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    if is_key(line) {
        return Some(at);
    }
    // A value: the key before it on its line, with nothing but an opening bracket between (or
    // the key's own colon, where the value is empty).
    let before = if rest.starts_with(':') { &text[line_start..=at] } else { &text[line_start..at] };
    let trimmed = before.trim_end().trim_end_matches(['[', '{']).trim_end();
    let key_text = trimmed.strip_suffix(':')?;
    let start = key_text.rfind([' ', '{', ',', '\t']).map_or(0, |i| i + 1);
    let word = &key_text[start..];
    (!word.is_empty() && !word.contains(['[', ']', '}'])).then_some(line_start + start)
}

/// Whether a line's text from a position is `key:` followed by a space, the line's end or a
/// flow value.
fn is_key(line: &str) -> bool {
    let Some(colon) = line.find(':') else { return false };
    let key = &line[..colon];
    !key.is_empty()
        && !key.contains([',', '{', '[', ']', '}'])
        && line[colon + 1..].chars().next().is_none_or(|c| c == ' ' || c == '\t' || c == '\r')
}

/// Where the entry whose key starts at `key` ends.
fn entry_end(text: &str, key: usize) -> Option<End> {
    let line_start = text[..key].rfind('\n').map_or(0, |i| i + 1);
    let in_flow = {
        let before = text[line_start..key].trim();
        !before.is_empty() && before != "-"
    };
    let colon = key + text[key..].find(':')?;
    let after = &text[colon + 1..];
    let line_end = colon + 1 + after.find('\n').unwrap_or(after.len());
    let inline = text[colon + 1..line_end].split(" #").next().unwrap_or_default().trim();
    // A flow value, or a key inside a flow mapping: scan to the separator at depth 0.
    if in_flow || inline.starts_with(['[', '{']) {
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        for (i, c) in text[colon + 1..].char_indices() {
            let at = colon + 1 + i;
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') if depth == 0 => return Some(End::Close(at)),
                (None, ']' | '}') => {
                    depth -= 1;
                    if depth == 0 && !in_flow {
                        return Some(End::Line(at + 1));
                    }
                }
                (None, ',') if depth == 0 && in_flow => return Some(End::Comma(at)),
                (None, '\n') if depth == 0 && !in_flow => return Some(End::Line(at)),
                _ => {}
            }
        }
        return None;
    }
    if !inline.is_empty() {
        return Some(End::Line(line_end));
    }
    // A block value: the lines indented deeper than the key (or a sequence at its indent).
    let indent = key - line_start;
    let mut end = line_end;
    let mut at = line_end;
    while at < text.len() {
        let next = &text[at + 1..];
        let line = &next[..next.find('\n').unwrap_or(next.len())];
        let spaces = line.len() - line.trim_start().len();
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        let belongs = spaces > indent || (spaces == indent && line.trim_start().starts_with("- "));
        if !blank && !belongs {
            break;
        }
        at += 1 + line.len();
        if !blank {
            end = at;
        }
    }
    Some(End::Line(end))
}

/// The key of the entry holding byte `at` (see `blank_entry`).
pub(super) fn entry_key(text: &str, at: usize) -> Option<&str> {
    let key = key_start(text, at)?;
    let colon = key + text[key..].find(':')?;
    Some(text[key..colon].trim().trim_matches(['"', '\'']))
}

/// How the keys people most often get the shape of are written.
const FIELD_SHAPES: [(&str, &str); 9] = [
    ("customer_managed_policies", "each entry is {name: NAME, path: /PATH/} (path optional)"),
    ("assignments", "each assignment is {group: G or user: U, permission_set: P, accounts: [...] or ous: [...]}"),
    ("inline_policy", "inline_policy is {file: PATH} or {document: {...}}"),
    (
        "permissions_boundary",
        "permissions_boundary is {managed_policy_arn: ARN} or {customer_managed_policy_reference: {name, path}}",
    ),
    ("targets", "targets is {ous: [PATH, ...]}"),
    ("auto_deployment", "auto_deployment is {enabled: true, retain_stacks_on_account_removal: false}"),
    ("root_access", "root_access is {credentials_management: true, root_sessions: true}"),
    ("approvals", "approvals is {required: N, allowed_signers: PATH}"),
    ("tags", "tags is a mapping: {key: value, ...}"),
];

/// How `key` is written, where people often get its shape wrong.
pub(super) fn field_shape(key: &str) -> Option<String> {
    FIELD_SHAPES.iter().find(|(k, _)| *k == key).map(|(_, how)| (*how).to_string())
}

/// A type of the blueprint as people know it, for the parser's messages (`expected struct
/// RawPolicyReference`), and how each is written.
const SHAPES: [(&str, &str, &str); 13] = [
    ("RawPolicyReference", "a policy reference", "each entry is {name: NAME, path: /PATH/} (path optional)"),
    (
        "RawAssignment",
        "an assignment",
        "each assignment is {group: G or user: U, permission_set: P, accounts: [...] or ous: [...]}",
    ),
    ("RawInlinePolicy", "an inline policy", "inline_policy is {file: PATH} or {document: {...}}"),
    (
        "RawBoundary",
        "a permissions boundary",
        "permissions_boundary is {managed_policy_arn: ARN} or {customer_managed_policy_reference: {name, path}}",
    ),
    ("RawStackTargets", "stack-set targets", "targets is {ous: [PATH, ...]}"),
    (
        "RawAutoDeployment",
        "auto-deployment settings",
        "auto_deployment is {enabled: true, retain_stacks_on_account_removal: false}",
    ),
    ("RawAccount", "an account", "an account is {email: EMAIL, ou: PATH, name: NAME, ...}"),
    ("RawPolicy", "a policy", "a policy is {type: TYPE, description: TEXT, file: PATH or document: {...}}"),
    (
        "RawPermissionSet",
        "a permission set",
        "a permission set is {session_duration: PT1H, managed_policies: [ARN], ...}",
    ),
    ("RawStackSet", "a stack set", "a stack set is {template: PATH, targets: {ous: [...]}, regions: [...], ...}"),
    ("RawOu", "an OU", "an OU is {policies: [...], tags: {...}, children: {...}} (or nothing)"),
    ("RawApprovals", "an approvals block", "approvals is {required: N, allowed_signers: PATH}"),
    ("RawRootAccess", "root-access settings", "root_access is {credentials_management: true, root_sessions: true}"),
];

/// The parser's message in the blueprint's words, and a hint where the mistake is one of shape.
pub(super) fn shape_words(message: &str) -> (String, Option<String>) {
    let mut words = message
        .replace("expected mapping start", "expected a mapping ({key: value, ...})")
        .replace("expected sequence start", "expected a list ([a, b, ...])");
    let mut hint = None;
    for (rust, human, how) in SHAPES {
        for form in [format!("struct {rust}"), rust.to_string()] {
            if words.contains(&form) {
                words = words.replace(&form, human);
                hint = Some(how.to_string());
            }
        }
    }
    (words, hint)
}

#[cfg(test)]
mod tests;
