//! `lzctl simulate`: count mode — what the blueprint's SCPs and RCPs would have denied of the
//! recorded activity.

use crate::cli::{Format, GlobalArgs, SimulateArgs};
use crate::error::{Error, exit};
use crate::session::Session;
use crate::{blueprint, engine};

pub(crate) async fn run(global: &GlobalArgs, args: &SimulateArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let session = if args.offline { None } else { Some(Session::connect(global).await?) };
    let options = engine::SimulateOptions {
        all: args.all,
        management_account: args.management_account.clone(),
        events: args.events.clone(),
    };
    let report = engine::simulate(&bp, session.as_ref().map(|s| &s.aws), &options).await;
    let report = match &session {
        Some(session) => session.finish(report)?,
        None => report?,
    };
    match args.format {
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&report.json("blueprint")).expect("JSON values serialize"));
        }
        Format::Human => print!("{}", report.human()),
        Format::Markdown => print!(
            "### Count mode: the blueprint's SCPs and RCPs against recorded activity\n\n```\n{}```\n",
            report.human()
        ),
    }
    Ok(if report.denied_or_inconclusive() { exit::CHANGES } else { exit::OK })
}
