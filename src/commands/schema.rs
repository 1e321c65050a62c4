//! `lzctl schema`: the blueprint's JSON Schema, for editors.

use crate::blueprint;
use crate::error::{Error, exit};

pub(crate) fn run() -> Result<u8, Error> {
    println!("{}", serde_json::to_string_pretty(&blueprint::schema()).expect("JSON serializes"));
    Ok(exit::OK)
}
