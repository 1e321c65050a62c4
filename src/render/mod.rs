//! Renderers: a plan as text for people and as the versioned JSON of the contract. They only
//! format what the planner decided.

mod coverage;
mod effective;
mod human;
mod json;
mod markdown;
mod root_status;
mod values;

pub(crate) use coverage::{coverage, coverage_csv, coverage_json};
pub(crate) use effective::EffectiveReport;
pub(crate) use human::human;
pub(crate) use json::json;
pub(crate) use markdown::{Header, markdown};
pub(crate) use root_status::{root_status, root_status_json};

/// Whether output may carry ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Color {
    On,
    Off,
}

pub(crate) fn paint(color: Color, code: &str, text: &str) -> String {
    match color {
        Color::On => format!("\x1b[{code}m{text}\x1b[0m"),
        Color::Off => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
