//! The plan as Markdown for a pull-request comment: a table of counts, changes grouped by kind,
//! document diffs folded in `<details>` blocks.

use super::values::details;
use crate::model::escaped;
use crate::plan::Plan;
use std::collections::BTreeMap;
use std::fmt::Write;

fn code(text: &str) -> String {
    format!("`{}`", escaped(text).replace('`', "'"))
}

pub(crate) fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let s = plan.summary();
    if plan.is_empty() {
        out.push_str("### lzctl plan: no changes\n\nThe organization matches the blueprint.\n");
    } else {
        let _ = writeln!(
            out,
            "### lzctl plan: {} to create, {} to update, {} to delete, {} to move\n",
            s.create, s.update, s.delete, s.moves
        );
        out.push_str("| action | count |\n| --- | ---: |\n");
        for (label, count) in
            [("+ create", s.create), ("~ update", s.update), ("- delete", s.delete), ("→ move", s.moves)]
        {
            let _ = writeln!(out, "| {label} | {count} |");
        }
        let mut by_kind: BTreeMap<&str, Vec<&crate::plan::Change>> = BTreeMap::new();
        for change in &plan.changes {
            by_kind.entry(change.kind.as_str()).or_default().push(change);
        }
        for (kind, changes) in by_kind {
            let _ = writeln!(out, "\n#### {kind} ({})\n", changes.len());
            for change in changes {
                let what = change.title.clone().unwrap_or_else(|| change.address.clone());
                let _ = writeln!(
                    out,
                    "- {} {} — {}",
                    code(change.action.symbol()),
                    code(&what),
                    escaped(&change.reason.replace('\n', " "))
                );
                let details = details(change);
                if !details.is_empty() {
                    let _ = writeln!(out, "  <details><summary>values</summary>\n\n  ```diff");
                    for detail in details {
                        let text = escaped(&format!("{} {}", detail.mark, detail.text));
                        let _ = writeln!(out, "  {}", text.replace("```", "'''"));
                    }
                    let _ = writeln!(out, "  ```\n  </details>");
                }
            }
        }
        out.push_str("\nChanges run in the order `lzctl show` lists them.\n");
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
