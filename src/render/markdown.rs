//! The plan as Markdown for a pull-request comment: a header saying which organization, who
//! planned, when and the digest; a table of the non-zero counts; the changes in apply order,
//! grouped by kind, each with its values folded in `<details>`. A comment longer than GitHub
//! allows is shortened to the list of changes, and says where the full plan is.

use super::values::{Line, details, effective_lines, effective_title};
use crate::model::{Action, escaped};
use crate::plan::{Change, Plan};
use std::fmt::Write;

/// GitHub refuses a comment longer than this many characters.
pub(crate) const COMMENT_LIMIT: usize = 65_536;

/// Where and by whom a plan was made, for the header of its comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub organization_id: Option<String>,
    /// The ARN of the identity that planned.
    pub identity: Option<String>,
    /// RFC 3339, UTC.
    pub time: String,
    /// What the digest is of (`saved plan`, `JSON plan`) and the digest.
    pub digest: (String, String),
    /// Where the full plan is kept (a CI artifact, a saved plan), named if the comment must be
    /// shortened.
    pub artifact: Option<String>,
}

fn code(text: &str) -> String {
    format!("`{}`", escaped(text).replace('`', "'"))
}

pub(crate) fn markdown(plan: &Plan, header: &Header) -> String {
    let full = comment(plan, header, true);
    if full.chars().count() <= COMMENT_LIMIT {
        return full;
    }
    let mut short = comment(plan, header, false);
    let note = format!(
        "\n> **This comment is shortened**: the full plan ({} characters) is longer than a GitHub comment may be ({COMMENT_LIMIT}); its values are left out here. {}\n",
        full.chars().count(),
        match &header.artifact {
            Some(artifact) => format!("The full plan is in {}.", escaped(artifact)),
            None => "Run `lzctl plan` (or `lzctl show` on the saved plan) to see it in full.".to_string(),
        }
    );
    // Room for what a pipeline adds around the plan (approval instructions, a marker).
    let budget = COMMENT_LIMIT - note.chars().count() - 2_000;
    if short.chars().count() > budget {
        let mut kept = String::new();
        let mut left = 0;
        for line in short.lines() {
            if left == 0 && kept.chars().count() + line.chars().count() < budget {
                kept.push_str(line);
                kept.push('\n');
            } else if line.starts_with("- ") {
                left += 1;
            }
        }
        let _ = writeln!(kept, "\n… and {left} more changes.");
        short = kept;
    }
    short + &note
}

/// Lines of detail folded in `<details>` under `summary`, as a diff; nothing where there are none.
fn folded(out: &mut String, summary: &str, lines: Vec<Line>) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "  <details><summary>{summary}</summary>\n\n  ```diff");
    for detail in lines {
        let text = escaped(&format!("{} {}", detail.mark, detail.text));
        let _ = writeln!(out, "  {}", text.replace("```", "'''"));
    }
    let _ = writeln!(out, "  ```\n  </details>");
}

fn comment(plan: &Plan, header: &Header, with_values: bool) -> String {
    let mut out = String::new();
    let s = plan.summary();
    if plan.is_empty() {
        out.push_str("### lzctl plan: no changes\n\n");
    } else {
        let _ = writeln!(
            out,
            "### lzctl plan: {} to create, {} to update, {} to delete, {} to move\n",
            s.create, s.update, s.delete, s.moves
        );
    }
    let heading = heading(header);
    if !heading.is_empty() {
        out.push_str(&heading);
        out.push('\n');
    }
    if plan.is_empty() {
        out.push_str("The organization matches the blueprint.\n");
    } else {
        out.push_str("| action | count |\n| --- | ---: |\n");
        for (label, count) in
            [("+ create", s.create), ("~ update", s.update), ("- delete", s.delete), ("→ move", s.moves)]
        {
            if count > 0 {
                let _ = writeln!(out, "| {label} | {count} |");
            }
        }
        for (kind, changes) in sections(&plan.changes) {
            let _ = writeln!(out, "\n#### {kind} ({})\n", changes.len());
            for change in changes {
                let _ = writeln!(
                    out,
                    "- {} {} — {}",
                    code(change.action.symbol()),
                    code(&change.address),
                    escaped(&change.reason.replace('\n', " "))
                );
                if with_values {
                    folded(&mut out, "values", details(change));
                }
            }
        }
        out.push_str("\nChanges run in the order listed.\n");
    }
    if !plan.effective.is_empty() {
        out.push_str("\n#### Effective policies that change\n\n");
        for change in &plan.effective {
            let _ = writeln!(out, "- {}", escaped(&effective_title(change)));
            if with_values {
                folded(&mut out, "effective policy", effective_lines(change));
            }
        }
    }
    if !plan.excluded.is_empty() {
        let _ = writeln!(out, "\n**Left out by `--exclude`, not applied ({}):**\n", plan.excluded.len());
        for e in &plan.excluded {
            let _ = writeln!(out, "- {} — {}", code(&e.address), escaped(&e.reason));
        }
    }
    if !plan.waiting.is_empty() {
        out.push_str("\n**Waiting on others:**\n\n");
        for w in &plan.waiting {
            let _ = writeln!(out, "- {} — {}", code(&w.address), escaped(&w.note));
        }
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Not in the blueprint, left alone ({})</summary>\n",
            plan.unmanaged.len()
        );
        for u in &plan.unmanaged {
            let _ = writeln!(out, "- {} — {}", code(&u.address), escaped(&u.note));
        }
        out.push_str("\n</details>\n");
    }
    let closing: Vec<&Change> = plan.changes.iter().filter(|c| super::human::closes(c)).collect();
    if !closing.is_empty() {
        out.push_str("\n**Closes accounts** — irreversible after 90 days; apply needs `--allow-close`:\n\n");
        for change in closing {
            let _ = writeln!(out, "- {}", code(&change.address));
        }
    }
    if !plan.hazards.is_empty() {
        out.push_str("\n**Hazards** — apply refuses this plan without `--allow-hazards`:\n\n");
        for hazard in &plan.hazards {
            let _ = writeln!(out, "- {} — {}", code(&hazard.address), escaped(&hazard.reason));
        }
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "\n> **Warning:** {}", escaped(warning));
    }
    out
}

/// Organization, identity, time and digest on one line.
fn heading(header: &Header) -> String {
    let mut parts = Vec::new();
    if let Some(org) = &header.organization_id {
        parts.push(format!("Organization {}", code(org)));
    }
    if let Some(identity) = &header.identity {
        parts.push(format!("planned by {}", code(identity)));
    }
    if !header.time.is_empty() {
        parts.push(format!("at {}", escaped(&header.time)));
    }
    let (of, digest) = &header.digest;
    if !digest.is_empty() {
        parts.push(format!("{} digest {}", escaped(of), code(digest)));
    }
    if parts.is_empty() { String::new() } else { format!("{}.\n", parts.join(" · ")) }
}

/// The changes in apply order, a section for each run of one kind and action class
/// (deletions run last, in reverse, so a kind may have a second section).
fn sections(changes: &[Change]) -> Vec<(String, Vec<&Change>)> {
    let mut out: Vec<(String, Vec<&Change>)> = Vec::new();
    for change in changes {
        let deleting = change.action == Action::Delete;
        let name =
            if deleting { format!("{} (deleted)", change.kind.as_str()) } else { change.kind.as_str().to_string() };
        match out.last_mut() {
            Some((last, members)) if *last == name => members.push(change),
            _ => out.push((name, vec![change])),
        }
    }
    out
}
