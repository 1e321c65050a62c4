//! The plan as people read it: one line per change with its symbol, address and reason, then
//! every value it changes (documents as unified diffs), unmanaged things apart, and a closing
//! count.

use super::values::{Line, details, effective_lines, effective_title};
use super::{Color, paint};
use crate::model::{Action, escaped};
use crate::plan::{Change, Plan};
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
            let _ = writeln!(out, "  {symbol} {}  {reason}", escaped(&change.address));
            for detail in details(change) {
                let _ = writeln!(out, "      {}", painted(color, &detail));
            }
        }
        out.push('\n');
    }
    if !plan.effective.is_empty() {
        out.push_str("Effective policies that change (what the accounts get once merged down from the root):\n\n");
        for change in &plan.effective {
            let _ = writeln!(out, "  {} {}", paint(color, "33", "~"), escaped(&effective_title(change)));
            for detail in effective_lines(change) {
                let _ = writeln!(out, "      {}", painted(color, &detail));
            }
        }
        out.push('\n');
    }
    if !plan.waiting.is_empty() {
        out.push_str("Waiting on others:\n\n");
        for w in &plan.waiting {
            noted(&mut out, color, ("33", "…"), &w.address, &w.note);
        }
        out.push('\n');
    }
    if !plan.excluded.is_empty() {
        out.push_str("Left out by --exclude, not applied:\n\n");
        for e in &plan.excluded {
            noted(&mut out, color, ("2", "○"), &e.address, &e.reason);
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
    let closing: Vec<&Change> = plan.changes.iter().filter(|c| closes(c)).collect();
    if !closing.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                color,
                "31",
                &format!(
                    "This plan closes {} (irreversible after 90 days; apply needs --allow-close):",
                    count(closing.len(), "account")
                )
            )
        );
        for change in &closing {
            let _ = writeln!(out, "  {} {}", paint(color, "31", "-"), escaped(&change.address));
        }
        out.push('\n');
    }
    let deletions: Vec<&Change> = plan.changes.iter().filter(|c| c.action == Action::Delete && !closes(c)).collect();
    if !deletions.is_empty() {
        let _ =
            writeln!(out, "{}", paint(color, "31", &format!("This plan deletes {}:", count(deletions.len(), "thing"))));
        for change in &deletions {
            let _ = writeln!(out, "  {} {}", paint(color, "31", "-"), escaped(&change.address));
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
        if !plan.excluded.is_empty() {
            let _ = writeln!(out, "({} left out by --exclude.)", count(plan.excluded.len(), "change"));
        }
    } else {
        let _ = writeln!(
            out,
            "Plan: {} to create, {} to update, {} to delete, {} to move.",
            s.create, s.update, s.delete, s.moves
        );
    }
    out
}

/// A line of detail, escaped, coloured by its mark.
fn painted(color: Color, detail: &Line) -> String {
    let text = escaped(&format!("{} {}", detail.mark, detail.text));
    match detail.mark {
        '+' => paint(color, "32", &text),
        '-' => paint(color, "31", &text),
        '~' => paint(color, "33", &text),
        '@' => paint(color, "36", &text),
        _ => text,
    }
}

/// `  MARK address  # note`, the mark painted, the note dimmed, nothing unprintable raw.
fn noted(out: &mut String, color: Color, (code, mark): (&str, &str), address: &str, note: &str) {
    let note = paint(color, "2", &format!("# {}", escaped(note)));
    let _ = writeln!(out, "  {} {}  {note}", paint(color, code, mark), escaped(address));
}

/// Whether a change closes an account.
pub(super) fn closes(change: &Change) -> bool {
    matches!(change.op, crate::plan::Op::CloseAccount { .. })
}

/// `1 thing`, `2 things`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
