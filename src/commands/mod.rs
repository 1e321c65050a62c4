//! One file per subcommand, each parsing its arguments and calling one operation of `engine`;
//! what they share (colour, the AWS session, reading a saved plan) is here and in `session`.

pub(crate) mod apply;
pub(crate) mod approve;
pub(crate) mod config_status;
pub(crate) mod inventory;
pub(crate) mod plan;
pub(crate) mod show;
pub(crate) mod validate;

use crate::cli::Format;
use crate::error::Error;
use crate::plan::Plan;
use crate::render::{self, Color};
use crate::saved::SavedPlan;
use std::path::Path;

/// A plan in the format asked for.
fn render_plan(plan: &Plan, format: Format, color: Color) -> String {
    match format {
        Format::Human => render::human(plan, color),
        Format::Json => serde_json::to_string_pretty(&render::json(plan)).expect("JSON values serialize") + "\n",
        Format::Markdown => render::markdown(plan),
    }
}

/// Reads a saved plan, checking it is whole and made by this version.
fn read_saved(path: &Path) -> Result<SavedPlan, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::read(path))?;
    Ok(SavedPlan::parse(&path.display().to_string(), &text)?)
}
