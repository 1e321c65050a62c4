//! Reading CloudTrail events from files: folders searched recursively in a stable order, `.gz`
//! unpacked, and every format CloudTrail and its tools write — log files
//! (`{"Records": [...]}`), JSON arrays, JSON lines (CloudTrail Lake), `lookup-events` output
//! (`{"Events": [{"CloudTrailEvent": "<json>"}]}`). `-` is standard input. Files are
//! streamed: one record is held at a time, however large the file.

use crate::error::Error;
use crate::simulate::cloudtrail::{Object, Record, Text};
use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess, Visitor};
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
pub(crate) fn each_record(path: &Path, each: impl FnMut(&Record<'_>)) -> Result<(), Error> {
    records(open(path)?, path, each)
}

/// Calls `each` with every record of an object already fetched (an S3 object), named `name`.
pub(crate) fn each_record_of(name: &Path, bytes: Vec<u8>, each: impl FnMut(&Record<'_>)) -> Result<(), Error> {
    records(unpacked(Box::new(std::io::Cursor::new(bytes)), name)?, name, each)
}

/// `s3://bucket/prefix` as (bucket, prefix); None for a local path.
pub(crate) fn s3_location(path: &Path) -> Option<(String, String)> {
    let rest = path.to_str()?.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    Some((bucket.to_string(), prefix.to_string()))
}

/// The longest first line read into memory to tell JSON lines from one JSON value.
const FIRST_LINE_LIMIT: u64 = 1 << 20;

fn records(mut reader: Box<dyn BufRead>, path: &Path, mut each: impl FnMut(&Record<'_>)) -> Result<(), Error> {
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
    // JSON lines (CloudTrail Lake, `jq -c`): when the first line is a whole JSON value, every
    // line is parsed from memory, which is several times faster than from a stream.
    let mut line = Vec::new();
    (&mut reader).take(FIRST_LINE_LIMIT).read_until(b'\n', &mut line).map_err(Error::read(path))?;
    if serde_json::from_slice::<IgnoredAny>(&line).is_ok() {
        let mut number = 1;
        loop {
            let mut de = serde_json::Deserializer::from_slice(&line);
            Top { each: &mut each }
                .deserialize(&mut de)
                .and_then(|()| de.end())
                .map_err(|e| not_events(format!("line {number}: {e}")))?;
            loop {
                line.clear();
                number += 1;
                if reader.read_until(b'\n', &mut line).map_err(Error::read(path))? == 0 {
                    return Ok(());
                }
                if !line.iter().all(u8::is_ascii_whitespace) {
                    break;
                }
            }
        }
    }
    // One JSON value (a log file, lookup-events output, an array), or several, streamed.
    let mut de = serde_json::Deserializer::from_reader(std::io::Cursor::new(line).chain(reader));
    loop {
        Top { each: &mut each }.deserialize(&mut de).map_err(|e| not_events(e.to_string()))?;
        if de.end().is_ok() {
            return Ok(());
        }
    }
}

/// A top-level JSON value: an array of events, an object holding `Records` or `Events`, or
/// one event; arrays are streamed element by element.
struct Top<'a, F> {
    each: &'a mut F,
}

impl<'de, F: FnMut(&Record<'_>)> DeserializeSeed<'de> for Top<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<F: FnMut(&Record<'_>)> Top<'_, F> {
    fn malformed<E>(self) -> Result<(), E> {
        (self.each)(&Record::default());
        Ok(())
    }
}

impl<'de, F: FnMut(&Record<'_>)> Visitor<'de> for Top<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("CloudTrail events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        Events { each: self.each, embedded: false }.visit_seq(seq)
    }
    // A line of JSON lines that is not an object: a malformed record, as it is in an array.
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.malformed()
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.malformed()
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.malformed()
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.malformed()
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.malformed()
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.malformed()
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            (self.each)(&Record::default());
            return Ok(());
        };
        if key == "Records" || key == "Events" {
            map.next_value_seed(Events { each: &mut *self.each, embedded: key == "Events" })?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        // One event: read as a record, its first key handed back first.
        let record = Record::deserialize(MapAccessDeserializer::new(Resumed { first: Some(key), rest: map }))?;
        (self.each)(&record);
        Ok(())
    }
}

/// A map whose first key was already read: it hands that key back, then the rest.
struct Resumed<A> {
    first: Option<String>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Resumed<A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.rest.next_value_seed(seed)
    }
}

/// An array of events, each handed on as it is read; `embedded`: lookup-events output, whose
/// events hold the record as JSON text under `CloudTrailEvent`.
struct Events<'a, F> {
    each: &'a mut F,
    embedded: bool,
}

impl<'de, F: FnMut(&Record<'_>)> DeserializeSeed<'de> for Events<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

/// An event of lookup-events output.
#[derive(serde::Deserialize)]
struct Embedded<'a> {
    #[serde(rename = "CloudTrailEvent", borrow, default)]
    record: Text<'a>,
}

impl<'de, F: FnMut(&Record<'_>)> Visitor<'de> for Events<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.embedded {
            while let Some(event) = seq.next_element::<Object<Embedded<'de>>>()? {
                let text = event.0.and_then(|e| e.record.0);
                (self.each)(&text.as_deref().map(Record::parse).unwrap_or_default());
            }
        } else {
            while let Some(record) = seq.next_element::<Object<Record<'de>>>()? {
                (self.each)(&record.0.unwrap_or_default());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
