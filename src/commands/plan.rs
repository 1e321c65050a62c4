//! `lzctl plan`: show what apply would change, as text, JSON or Markdown; optionally save it.

use super::render_plan;
use crate::cli::{Format, PlanArgs};
use crate::engine::SaveTo;
use crate::error::{Error, exit};
use crate::plan::PlanOptions;
use crate::session::{Session, Terminal};
use crate::{blueprint, engine};

pub(crate) async fn run(terminal: Terminal, args: &PlanArgs) -> Result<u8, Error> {
    let bp = blueprint::load(&args.blueprint.file)?;
    let session = Session::connect(&args.aws).await?;
    let options = PlanOptions { prune: args.prune, exclude: args.exclude.exclude.clone() };
    let out = args.out.as_deref().map(|path| SaveTo { path, requested_by: args.requested_by.as_deref() });
    let identify = args.format == Format::Markdown;
    let made = session.finish(engine::plan_and_save(&bp, &session.aws, &options, out, identify).await)?;
    let (plan, mut header) = (made.plan, made.header);
    if let (Some(path), Some(saved)) = (&args.out, &made.saved) {
        eprintln!("Saved the plan to {} (digest {}).", path.display(), saved.digest);
    }
    header.artifact = args.artifact.clone().or_else(|| {
        args.out.as_ref().map(|path| format!("the saved plan {} (`lzctl show {}`)", path.display(), path.display()))
    });
    let impact = if args.events.is_empty() {
        None
    } else {
        Some(session.finish(engine::impact(&bp, &session.aws, &args.events).await)?)
    };
    match (&impact, args.format) {
        (Some(impact), Format::Json) => {
            let mut json = crate::render::json(&plan);
            json["impact"] = impact.json();
            println!("{}", serde_json::to_string_pretty(&json).expect("JSON values serialize"));
        }
        (Some(impact), _) => print!("{}{}", render_plan(&plan, args.format, terminal.stdout, &header), impact.human()),
        (None, _) => print!("{}", render_plan(&plan, args.format, terminal.stdout, &header)),
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() { exit::CHANGES } else { exit::OK })
}
