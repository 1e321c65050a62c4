//! `lzctl config-status`: AWS Config coverage of every member account and region.

use crate::cli::{ConfigStatusArgs, TableFormat};
use crate::error::{Error, exit};
use crate::live::RecorderState;
use crate::session::Session;
use crate::{blueprint, engine, render};

pub(crate) async fn run(args: &ConfigStatusArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let session = Session::connect(&args.aws).await?;
    let rows = session.finish(engine::config_coverage(&bp, &session.aws, &args.regions, &args.role).await)?;
    match args.format {
        TableFormat::Text => print!("{}", render::coverage(&rows)),
        TableFormat::Json => print!("{}", render::coverage_json(&rows)),
        TableFormat::Csv => print!("{}", render::coverage_csv(&rows)),
    }
    let gap = rows.iter().any(|r| r.state != RecorderState::Recording);
    Ok(if args.fail_on_gap && gap { exit::CHANGES } else { exit::OK })
}
