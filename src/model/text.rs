//! Text that reaches a terminal: control characters (NUL, newline inside a name, escape
//! sequences) and bidirectional overrides (U+202E and kin, which make a name read as another)
//! are refused in names and tags, and never printed raw.

use std::fmt::Write;

/// Whether a character must not appear in a name or tag, nor be printed as it is.
pub(crate) fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first character of `text` that must not appear in a name or tag.
pub(crate) fn first_unprintable(text: &str) -> Option<char> {
    text.chars().find(|c| is_unprintable(*c))
}

/// `text` with every unprintable character written as `\u{…}`: for plans and reports.
pub(crate) fn escaped(text: &str) -> String {
    if first_unprintable(text).is_none() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unprintable(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every unprintable character replaced by a visible one of the same UTF-8 length,
/// so byte offsets into it still hold: for drawing source excerpts (tabs and the line breaks
/// between the excerpt's lines are kept).
pub(crate) fn same_width_visible(text: &str) -> String {
    text.chars()
        .map(|c| match (is_unprintable(c) && c != '\t' && c != '\n', c.len_utf8()) {
            (false, _) => c,
            (true, 1) => '?',
            (true, 2) => '¤',
            (true, _) => '\u{FFFD}',
        })
        .collect()
}

/// The known name closest to a misspelt one, if any is close enough to be a likely typo.
pub(crate) fn closest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim(wanted, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, case-insensitive.
pub(crate) fn strsim(a: &str, b: &str) -> usize {
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

/// A CSV of `header` and `rows` (RFC 4180), every cell one a spreadsheet will not run.
pub(crate) fn csv_table(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("writing to memory");
    for row in rows {
        writer.write_record(row.iter().map(|v| spreadsheet_safe(v))).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 fields")
}

/// A CSV cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@` (or a tab or a
/// carriage return) is prefixed with `'`, as OWASP advises against formula injection.
fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() }
}
