//! `lzctl join`: run with the member account's own credentials (`--profile`), accept the
//! invitation of the organization named, after leaving the current one with `--leave-current`.

use crate::cli::JoinArgs;
use crate::engine::{self, JoinPlan, Joined};
use crate::error::{Error, exit};
use crate::session::Session;

pub(crate) async fn run(args: &JoinArgs) -> Result<u8, Error> {
    let session = Session::connect(&args.aws).await?;
    let confirm = |plan: &JoinPlan| {
        let i = &plan.invitation;
        if let Some(current) = &plan.leave {
            eprintln!("This account leaves organization {current} first (LeaveOrganization).");
        }
        eprintln!(
            "It accepts the invitation {} to join organization {} (sent {}, expires {}).",
            i.handshake_id, i.organization_id, i.requested_at, i.expires_at
        );
        if args.auto_approve {
            return Ok(());
        }
        super::confirmed("Go on?", "join")
    };
    let joined = engine::join(&session.aws, &args.organization, args.leave_current, confirm).await;
    match session.finish(joined)? {
        Joined::AlreadyMember => println!("This account is already in {}: nothing to do.", args.organization),
        Joined::Joined { left } => {
            if let Some(left) = left {
                println!("Left {left}.");
            }
            println!(
                "Joined {}. The next plan in its management account moves the account into its OU.",
                args.organization
            );
        }
    }
    Ok(exit::OK)
}
