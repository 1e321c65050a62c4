//! Reading CloudTrail events from files: folders searched recursively in a stable order, `.gz`
//! unpacked, and every format CloudTrail and its tools write — log files
//! (`{"Records": [...]}`), JSON arrays, JSON lines (CloudTrail Lake), `lookup-events` output
//! (`{"Events": [{"CloudTrailEvent": "<json>"}]}`). `-` is standard input.

use crate::error::Error;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Every file under the given paths, folders recursively, each folder's entries sorted.
pub(crate) fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for path in paths {
        walk(path, &mut out)?;
    }
    Ok(out)
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    if path.as_os_str() == "-" || !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(Error::read(path))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(Error::read(path))?;
    entries.sort();
    for entry in entries {
        walk(&entry, out)?;
    }
    Ok(())
}

/// The text of a file (or standard input), unpacked where it is gzip.
fn text_of(path: &Path) -> Result<String, Error> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map_err(Error::read(path))?;
    } else {
        bytes = std::fs::read(path).map_err(Error::read(path))?;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut unpacked = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice()).read_to_end(&mut unpacked).map_err(Error::read(path))?;
        bytes = unpacked;
    }
    String::from_utf8(bytes).map_err(|e| Error::NotEvents { path: path.to_path_buf(), why: e.to_string() })
}

/// Calls `each` with every record of the file, in order.
pub(crate) fn each_record(path: &Path, mut each: impl FnMut(&Value)) -> Result<(), Error> {
    let text = text_of(path)?;
    let not_events = |why: String| Error::NotEvents { path: path.to_path_buf(), why };
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Ok(());
    }
    if trimmed.starts_with('[') {
        let Value::Array(events) = serde_json::from_str(trimmed).map_err(|e| not_events(e.to_string()))? else {
            unreachable!("text starting with [ parses as an array or not at all")
        };
        events.iter().for_each(each);
        return Ok(());
    }
    // One JSON value: a log file, lookup-events output, or a single event; several: JSON lines.
    let mut values = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
    let first = values.next().ok_or_else(|| not_events("empty".into()))?.map_err(|e| not_events(e.to_string()))?;
    match (&first, first.get("Records"), first.get("Events")) {
        (_, Some(Value::Array(records)), _) => records.iter().for_each(&mut each),
        (_, _, Some(Value::Array(events))) => {
            for event in events {
                let embedded =
                    event.get("CloudTrailEvent").and_then(Value::as_str).and_then(|t| serde_json::from_str(t).ok());
                each(&embedded.unwrap_or(Value::Null));
            }
        }
        (Value::Object(_), _, _) => {
            each(&first);
            for value in values {
                each(&value.map_err(|e| not_events(e.to_string()))?);
            }
        }
        _ => return Err(not_events("not a JSON object or array".into())),
    }
    Ok(())
}
