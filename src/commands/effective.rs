//! `lzctl effective`: an account's effective management policy, from the blueprint and, with
//! `--live`, from AWS beside it.

use crate::cli::{EffectiveArgs, ReportFormat};
use crate::error::{Error, exit};
use crate::render::EffectiveReport;
use crate::session::Session;
use crate::{blueprint, engine};

pub(crate) async fn run(args: &EffectiveArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let view = if args.live {
        let session = Session::connect(&args.aws).await?;
        session.finish(engine::effective_live(&bp, &session.aws, &args.account, args.policy_type).await)?
    } else {
        engine::effective(&bp, &args.account, args.policy_type)?
    };
    let report = EffectiveReport {
        account: &view.account,
        account_id: view.account_id.as_deref(),
        policy_type: view.policy_type,
        blueprint: &view.blueprint,
        aws: view.aws.as_ref(),
    };
    match args.format {
        ReportFormat::Text => print!("{}", report.human()),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report.json()).expect("JSON serializes")),
    }
    Ok(if report.agrees() { exit::OK } else { exit::CHANGES })
}
