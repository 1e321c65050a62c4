//! `lzctl show`: a saved plan as text, JSON or Markdown, or its digest.

use super::render_plan;
use crate::approvals::{Verdict, verdicts};
use crate::cli::{Format, ShowArgs};
use crate::engine::read_saved;
use crate::error::{Error, exit};
use crate::saved::SavedPlan;
use crate::session::Terminal;

/// Each approval and whether it counts under the rule in force when the plan was made.
fn approvals_text(saved: &SavedPlan) -> String {
    let b = &saved.body;
    let mut text = String::new();
    if let Some(requester) = &b.requested_by {
        text += &format!("Requested by {requester}.\n");
    }
    match &b.rule {
        None => text += "No approval rule was in force when the plan was made: it needs no approvals.\n",
        Some(rule) => {
            text += &format!(
                "Needs {} approval(s) under the rule in force ({} signers):\n",
                rule.required,
                rule.signers.len()
            );
            for (n, verdict) in verdicts(rule, &saved.approvals, &saved.digest, b.parties()).iter().enumerate() {
                text += &match verdict {
                    Verdict::Counts { who, .. } => format!("  {}. counts: {who}\n", n + 1),
                    Verdict::Void(why) => format!("  {}. does not count: {why}\n", n + 1),
                };
            }
        }
    }
    text + "\n"
}

pub(crate) fn run(terminal: Terminal, args: &ShowArgs) -> Result<u8, Error> {
    let saved = read_saved(&args.plan_file)?;
    if args.digest {
        println!("{}", saved.digest);
        return Ok(exit::OK);
    }
    let b = &saved.body;
    if args.format == Format::Human {
        println!(
            "Saved plan of {} by {} at {}; {} approval(s).\n",
            b.blueprint,
            b.creator,
            b.created_at,
            saved.approvals.len()
        );
    }
    if args.format == Format::Human {
        print!("{}", approvals_text(&saved));
    }
    let header = crate::render::Header {
        organization_id: b.organization_id.clone(),
        identity: Some(b.creator.clone()),
        time: b.created_at.clone(),
        digest: ("saved plan".into(), saved.digest.clone()),
        artifact: args.artifact.clone().or_else(|| Some(format!("the saved plan {}", args.plan_file.display()))),
    };
    print!("{}", render_plan(&b.plan, args.format, terminal.stdout, &header));
    Ok(exit::OK)
}
