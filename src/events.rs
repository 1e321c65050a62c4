//! Reading CloudTrail events from files: folders searched recursively in a stable order, `.gz`
//! unpacked, and every format CloudTrail and its tools write — log files
//! (`{"Records": [...]}`), JSON arrays, JSON lines (CloudTrail Lake), `lookup-events` output
//! (`{"Events": [{"CloudTrailEvent": "<json>"}]}`). `-` is standard input. Files are
//! streamed: one record is held at a time, however large the file.

use crate::error::Error;
use flate2::read::MultiGzDecoder;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
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
    if path.as_os_str() == "-" || s3_location(path).is_some() || !path.is_dir() {
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

/// A file (or standard input) to read from, unpacked where it is gzip.
fn open(path: &Path) -> Result<Box<dyn BufRead>, Error> {
    let raw: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(Error::read(path))?)
    };
    unpacked(raw, path)
}

/// A reader of the text, unpacked where it is gzip (by its magic bytes, whatever the name).
fn unpacked(raw: Box<dyn Read>, path: &Path) -> Result<Box<dyn BufRead>, Error> {
    let mut reader = BufReader::with_capacity(1 << 16, raw);
    let gzip = reader.fill_buf().map_err(Error::read(path))?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip { Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(reader))) } else { Box::new(reader) })
}

/// Calls `each` with every record of the file, in order, holding one record at a time: the
/// file is streamed, never read whole.
pub(crate) fn each_record(path: &Path, each: impl FnMut(&Value)) -> Result<(), Error> {
    records(open(path)?, path, each)
}

/// Calls `each` with every record of an object already fetched (an S3 object), named `name`.
pub(crate) fn each_record_of(name: &Path, bytes: Vec<u8>, each: impl FnMut(&Value)) -> Result<(), Error> {
    records(unpacked(Box::new(std::io::Cursor::new(bytes)), name)?, name, each)
}

/// `s3://bucket/prefix` as (bucket, prefix); None for a local path.
pub(crate) fn s3_location(path: &Path) -> Option<(String, String)> {
    let rest = path.to_str()?.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    Some((bucket.to_string(), prefix.to_string()))
}

fn records(mut reader: Box<dyn BufRead>, path: &Path, mut each: impl FnMut(&Value)) -> Result<(), Error> {
    let not_events = |why: String| Error::NotEvents { path: path.to_path_buf(), why };
    let first = loop {
        let buffer = reader.fill_buf().map_err(Error::read(path))?;
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => {
                let first = buffer[at];
                reader.consume(at);
                break Some(first);
            }
            None if buffer.is_empty() => break None,
            None => {
                let all = buffer.len();
                reader.consume(all);
            }
        }
    };
    let Some(first) = first else { return Ok(()) };
    if first != b'[' && first != b'{' {
        return Err(not_events("not a JSON object or array".into()));
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    // One JSON value (a log file, lookup-events output, an array), or several (JSON lines).
    loop {
        Top { each: &mut each }.deserialize(&mut de).map_err(|e| not_events(e.to_string()))?;
        if de.end().is_ok() {
            return Ok(());
        }
    }
}

/// A top-level JSON value: an array of events, an object holding `Records` or `Events`, or
/// one event; arrays are streamed element by element.
struct Top<'a, F: FnMut(&Value)> {
    each: &'a mut F,
}

impl<'de, F: FnMut(&Value)> DeserializeSeed<'de> for Top<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(&Value)> Visitor<'de> for Top<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("CloudTrail events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Events { each: self.each, embedded: false }.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut record = serde_json::Map::new();
        let mut wrapper = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Records" | "Events" if record.is_empty() => {
                    wrapper = true;
                    map.next_value_seed(Events { each: &mut *self.each, embedded: key == "Events" })?;
                }
                _ => {
                    let value: Value = map.next_value()?;
                    if !wrapper {
                        record.insert(key, value);
                    }
                }
            }
        }
        if !wrapper {
            (self.each)(&Value::Object(record));
        }
        Ok(())
    }
}

/// An array of events, each handed on as it is read; `embedded`: lookup-events output, whose
/// events hold the record as JSON text under `CloudTrailEvent`.
struct Events<'a, F: FnMut(&Value)> {
    each: &'a mut F,
    embedded: bool,
}

impl<'de, F: FnMut(&Value)> DeserializeSeed<'de> for Events<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&Value)> Visitor<'de> for Events<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(event) = seq.next_element::<Value>()? {
            if self.embedded {
                let record =
                    event.get("CloudTrailEvent").and_then(Value::as_str).and_then(|t| serde_json::from_str(t).ok());
                (self.each)(&record.unwrap_or(Value::Null));
            } else {
                (self.each)(&event);
            }
        }
        Ok(())
    }
}
