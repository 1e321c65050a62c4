//! The plan as people read it: one line per change with its symbol, address and reason, policy
//! documents as unified diffs, unmanaged things apart, and a closing count.

use super::{Color, paint};
use crate::model::{Action, escaped, normalize_policy, pretty};
use crate::plan::{Change, Plan};
use serde_json::Value;
use similar::{ChangeTag, TextDiff};
use std::fmt::Write;

fn action_color(action: Action) -> &'static str {
    match action {
        Action::Create => "32",
        Action::Update => "33",
        Action::Delete => "31",
        Action::Move => "36",
    }
}

pub(crate) fn human(plan: &Plan, color: Color) -> String {
    let mut out = String::new();
    if !plan.changes.is_empty() {
        out.push_str("lzctl will make these changes, in this order:\n\n");
        for change in &plan.changes {
            let symbol = paint(color, action_color(change.action), change.action.symbol());
            let reason = paint(color, "2", &format!("# {}", escaped(&change.reason)));
            match &change.title {
                Some(title) => {
                    let _ = writeln!(out, "  {symbol} {}  {}  {reason}", change.kind.as_str(), escaped(title));
                }
                None => {
                    let _ = writeln!(out, "  {symbol} {}  {reason}", escaped(&change.address));
                }
            }
            if let Some(diff) = document_diff(change) {
                for line in diff.lines().map(escaped) {
                    let line = line.as_str();
                    let painted = match line.chars().next() {
                        Some('+') if !line.starts_with("+++") => paint(color, "32", line),
                        Some('-') if !line.starts_with("---") => paint(color, "31", line),
                        Some('@') => paint(color, "36", line),
                        _ => line.to_string(),
                    };
                    let _ = writeln!(out, "      {painted}");
                }
            }
        }
        out.push('\n');
    }
    if !plan.unmanaged.is_empty() {
        out.push_str("Not in the blueprint, left alone:\n\n");
        for u in &plan.unmanaged {
            noted(&mut out, color, ("2", "?"), &u.address, &u.note);
        }
        out.push('\n');
    }
    let deletions: Vec<&Change> = plan.changes.iter().filter(|c| c.action == Action::Delete).collect();
    if !deletions.is_empty() {
        let _ =
            writeln!(out, "{}", paint(color, "31", &format!("This plan deletes {}:", count(deletions.len(), "thing"))));
        for change in &deletions {
            let _ = writeln!(
                out,
                "  {} {}",
                paint(color, "31", "-"),
                escaped(change.title.as_ref().unwrap_or(&change.address))
            );
        }
        out.push('\n');
    }
    if !plan.hazards.is_empty() {
        let _ = writeln!(out, "{}", paint(color, "31", "Hazards: apply refuses this plan without --allow-hazards:"));
        for hazard in &plan.hazards {
            noted(&mut out, color, ("31", "!"), &hazard.address, &hazard.reason);
        }
        out.push('\n');
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "{} {}", paint(color, "33", "Warning:"), escaped(warning));
    }
    if !plan.warnings.is_empty() {
        out.push('\n');
    }
    let s = plan.summary();
    if plan.is_empty() {
        out.push_str("No changes.\n");
    } else {
        let _ = writeln!(
            out,
            "Plan: {} to create, {} to update, {} to delete, {} to move.",
            s.create, s.update, s.delete, s.moves
        );
    }
    out
}

/// `  MARK address  # note`, the mark painted, the note dimmed, nothing unprintable raw.
fn noted(out: &mut String, color: Color, (code, mark): (&str, &str), address: &str, note: &str) {
    let note = paint(color, "2", &format!("# {}", escaped(note)));
    let _ = writeln!(out, "  {} {}  {note}", paint(color, code, mark), escaped(address));
}

/// `1 thing`, `2 things`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// A unified diff of the normalized, pretty-printed policy document, when a change edits one.
pub(super) fn document_diff(change: &Change) -> Option<String> {
    let document = |v: &Option<Value>| {
        let v = v.as_ref()?;
        let doc = v.get("document").or_else(|| v.get("inline_policy"))?;
        Some(if doc.is_null() { String::new() } else { pretty(&normalize_policy(doc)) })
    };
    let (before, after) = (document(&change.before)?, document(&change.after)?);
    let diff = TextDiff::from_lines(&before, &after);
    let mut out = String::new();
    let _ = writeln!(out, "--- live");
    let _ = writeln!(out, "+++ blueprint");
    for group in diff.grouped_ops(3) {
        let (first, last) = (group.first()?, group.last()?);
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        let _ = writeln!(out, "@@ -{},{} +{},{} @@", old.start + 1, old.len(), new.start + 1, new.len());
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let _ = write!(out, "{sign}{}", change.value());
                if change.missing_newline() {
                    out.push('\n');
                }
            }
        }
    }
    Some(out)
}
