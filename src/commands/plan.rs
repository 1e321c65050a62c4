//! `lzctl plan`: show what apply would change, as text, JSON or Markdown; optionally save it.

use super::{print_stats, render_plan};
use crate::aws::{Aws, ConnectOptions};
use crate::cli::{GlobalArgs, PlanArgs};
use crate::error::{Error, exit};
use crate::plan::PlanOptions;
use crate::{blueprint, color_for, engine};

pub(crate) async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let aws = Aws::connect(&ConnectOptions { profile: global.profile.clone(), region: global.region.clone() }).await;
    let result = plan_and_save(&bp, &aws, args).await;
    print_stats(&aws, global.stats);
    let plan = result?;
    print!("{}", render_plan(&plan, args.format, color_for(global.no_color)));
    Ok(if args.detailed_exitcode && !plan.is_empty() { exit::CHANGES } else { exit::OK })
}

async fn plan_and_save(bp: &blueprint::Blueprint, aws: &Aws, args: &PlanArgs) -> Result<crate::plan::Plan, Error> {
    let planned = engine::plan(bp, aws, &PlanOptions { prune: args.prune }).await?;
    if let Some(path) = &args.out {
        let saved = engine::save(bp, &planned, aws).await?;
        std::fs::write(path, saved.to_json())
            .map_err(|source| Error::Io { what: format!("writing {}", path.display()), source })?;
        eprintln!("Saved the plan to {} (digest {}).", path.display(), saved.digest);
    }
    Ok(planned.plan)
}
