//! `lzctl config-status`: AWS Config coverage of every member account and region.

use super::print_stats;
use crate::aws::{Aws, ConnectOptions};
use crate::cli::{ConfigStatusArgs, GlobalArgs};
use crate::error::{Error, exit};
use crate::{blueprint, engine, render};

pub(crate) async fn run(global: &GlobalArgs, args: &ConfigStatusArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let aws = Aws::connect(&ConnectOptions { profile: global.profile.clone(), region: global.region.clone() }).await;
    let rows = engine::config_coverage(&bp, &aws, &args.regions, &args.role).await;
    print_stats(&aws, global.stats);
    let rows = rows?;
    print!("{}", render::coverage(&rows));
    let gap = rows.iter().any(|r| r.state != crate::live::RecorderState::Recording);
    Ok(if args.fail_on_gap && gap { exit::CHANGES } else { exit::OK })
}
