//! Renderers: a plan as text for people and as the versioned JSON of the contract. They only
//! format what the planner decided.

mod coverage;
mod human;
mod json;
mod markdown;

pub use coverage::coverage;
pub use human::human;
pub use json::json;
pub use markdown::markdown;

/// Whether output may carry ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
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
