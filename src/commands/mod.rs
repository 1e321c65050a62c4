//! One file per subcommand, each parsing its arguments and calling one operation of `engine`;
//! what they share (colour, the AWS session) is in `session`, and the plan formats here.

pub(crate) mod apply;
pub(crate) mod approve;
pub(crate) mod config_status;
pub(crate) mod import;
pub(crate) mod inventory;
pub(crate) mod join;
pub(crate) mod plan;
pub(crate) mod show;
pub(crate) mod simulate;
pub(crate) mod unlock;
pub(crate) mod validate;

use crate::cli::Format;
use crate::plan::Plan;
use crate::render::{self, Color};

/// A plan in the format asked for.
fn render_plan(plan: &Plan, format: Format, color: Color, header: &render::Header) -> String {
    match format {
        Format::Human => render::human(plan, color),
        Format::Json => serde_json::to_string_pretty(&render::json(plan)).expect("JSON values serialize") + "\n",
        Format::Markdown => render::markdown(plan, header),
    }
}
