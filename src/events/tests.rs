//! Every shape of input reads as the same records, in order: log files, arrays, JSON lines,
//! lookup-events output, pretty or compact, gzip or plain; odd records read as malformed
//! instead of stopping the replay; a broken line is named.

use super::*;
use serde_json::{Value, json};
use std::io::Write;

/// The ids and event names of every record read from `bytes`.
fn read(bytes: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let mut seen = Vec::new();
    each_record_of(Path::new("events"), bytes.to_vec(), |r: &Record<'_>| {
        seen.push((r.event_id.get().unwrap_or("-").to_string(), r.event_name.get().unwrap_or("-").to_string()));
    })?;
    Ok(seen)
}

fn events() -> Vec<Value> {
    (1..=3)
        .map(|i| {
            json!({"eventVersion": "1.09", "eventID": format!("e{i}"), "eventName": format!("Run\"{i}\"\u{e9}"),
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/a"},
                "requestParameters": {"bucketName": "b", "nested": {"deep": [1, 2, {"x": null}]}},
                "responseElements": null, "eventTime": "2024-05-01T10:00:00Z"})
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn every_format_reads_the_same_records_in_order() {
    let events = events();
    let expected: Vec<(String, String)> = events
        .iter()
        .map(|e| (e["eventID"].as_str().unwrap().into(), e["eventName"].as_str().unwrap().into()))
        .collect();
    let lines: Vec<String> = events.iter().map(Value::to_string).collect();
    let lookup: Vec<Value> = events.iter().map(|e| json!({"EventId": "x", "CloudTrailEvent": e.to_string()})).collect();
    // A log file whose only line is longer than what is read to tell lines from one value.
    let mut long = events.clone();
    long[0]["padding"] = json!("x".repeat(FIRST_LINE_LIMIT as usize + 10));
    let formats: Vec<(&str, Vec<u8>)> = vec![
        ("log file", json!({"Records": events}).to_string().into_bytes()),
        ("log file, pretty", serde_json::to_vec_pretty(&json!({"Records": events})).unwrap()),
        ("log file, longer than the first-line limit", json!({"Records": long}).to_string().into_bytes()),
        ("array", json!(events).to_string().into_bytes()),
        ("array, pretty", serde_json::to_vec_pretty(&json!(events)).unwrap()),
        ("JSON lines", (lines.join("\n") + "\n").into_bytes()),
        ("JSON lines, CRLF, blank lines, no final newline", format!("\n\n{}", lines.join("\r\n\r\n")).into_bytes()),
        (
            "records, pretty, one after another",
            events.iter().map(|e| serde_json::to_string_pretty(e).unwrap()).collect::<Vec<_>>().join("\n").into_bytes(),
        ),
        ("lookup-events output", json!({"Events": lookup, "NextToken": "t"}).to_string().into_bytes()),
        ("lookup-events output, pretty", serde_json::to_vec_pretty(&json!({"Events": lookup})).unwrap()),
    ];
    for (name, bytes) in formats {
        assert_eq!(read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")), expected, "{name}");
        assert_eq!(read(&gzip(&bytes)).unwrap_or_else(|e| panic!("{name}, gzip: {e}")), expected, "{name}, gzip");
    }
    assert_eq!(read(b"").unwrap(), Vec::new(), "an empty file has no records");
    assert_eq!(read(b" \n\t ").unwrap(), Vec::new());
}

#[test]
fn fields_of_an_unexpected_type_read_as_missing_and_the_replay_goes_on() {
    let odd = [
        json!({"eventID": 7, "eventName": ["x"], "userIdentity": "nobody", "resources": {"ARN": "a"}}),
        json!({"eventID": "e2", "userIdentity": {"type": 1, "sessionContext": [1]}, "requestParameters": "p"}),
        json!("a string"),
        json!(42),
        json!(null),
        json!({"eventID": "e3", "resources": [{"ARN": 5}, "x", {"ARN": "arn:aws:s3:::b"}]}),
    ];
    let lines: Vec<String> = odd.iter().map(Value::to_string).collect();
    for bytes in [json!({"Records": odd}).to_string().into_bytes(), lines.join("\n").into_bytes()] {
        let mut records = Vec::new();
        each_record_of(Path::new("odd"), bytes, |r: &Record<'_>| records.push(format!("{r:?}"))).expect("read");
        assert_eq!(records.len(), 6, "{records:#?}");
    }
    let text = odd[1].to_string();
    let record = Record::parse(&text);
    assert_eq!(record.event_id.get(), Some("e2"));
    assert_eq!(record.identity().map(|i| i.kind.get()), Some(None));
    assert_eq!(record.parameter(|p| &p.bucket_name), None);
    let text = odd[5].to_string();
    assert_eq!(Record::parse(&text).single_resource(), None, "three entries are not one resource");
    assert_eq!(Record::parse("not json"), Record::default());
}

#[test]
fn a_broken_line_is_named_and_text_that_is_not_json_is_refused() {
    let lines = format!("{}\n{}\n{{\"eventID\": \n", events()[0], events()[1]);
    let err = read(lines.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("line 3"), "{err}");
    let err = read(b"eventID,eventName\n").unwrap_err().to_string();
    assert!(err.contains("not a JSON object or array"), "{err}");
}
