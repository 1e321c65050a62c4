//! `lzctl plan`: show what apply would change, as text or JSON.

use super::print_stats;
use crate::aws::{Aws, ConnectOptions};
use crate::cli::{Format, GlobalArgs, PlanArgs};
use crate::error::{Error, exit};
use crate::plan::PlanOptions;
use crate::{blueprint, color_for, engine, render};

pub async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let aws = Aws::connect(&ConnectOptions { profile: global.profile.clone(), region: global.region.clone() }).await;
    let planned = engine::plan(&bp, &aws, &PlanOptions { prune: args.prune }).await;
    print_stats(&aws, global.stats);
    let plan = planned?.plan;
    match args.format {
        Format::Human => print!("{}", render::human(&plan, color_for(global.no_color))),
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&render::json(&plan)).expect("JSON values serialize"))
        }
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() { exit::CHANGES } else { exit::OK })
}
