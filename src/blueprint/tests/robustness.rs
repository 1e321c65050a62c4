//! Bad input never crashes or hangs the loader: generated inputs (10,000 per run, mutations of a
//! real blueprint with YAML punctuation, control and bidirectional characters, long runs)
//! either load or fail with every problem located, and drawing the errors stays bounded; and
//! the inputs reported against earlier versions, as fixed cases.

use super::*;
use proptest::prelude::*;

/// Draws a blueprint error as the terminal would, without colour.
fn drawn(errors: &BlueprintErrors) -> String {
    let mut out = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    handler.render_report(&mut out, errors).expect("drawing never fails");
    out
}

/// Loads `text`; on failure checks every problem is located and the drawing is bounded.
fn load_checked(text: &str) -> Option<String> {
    let errors = parse(Path::new("bp/lz.yaml"), text, &files(&[])).err()?;
    assert!(!errors.issues.is_empty());
    for issue in &errors.issues {
        let (_, position) = issue.place.split_once("lz.yaml:").expect("the file is named");
        let (line, column) = position.split_once(':').expect("line:column");
        assert!(line.parse::<usize>().unwrap() >= 1 && column.parse::<usize>().unwrap() >= 1, "{}", issue.place);
        assert!(issue.message.chars().count() <= 600, "a bounded message");
    }
    let shown = errors.issues.len().min(diagnostics::SHOWN);
    let drawing = drawn(&errors);
    assert!(drawing.len() <= 2_000 + shown * 3_000, "{} bytes drawn for {shown} problems", drawing.len());
    assert!(!drawing.contains('\u{202E}') && !drawing.contains('\0'), "nothing unprintable drawn raw");
    Some(drawing)
}

/// Pieces a mutation inserts: YAML punctuation, quotes, control and bidirectional characters.
fn pieces() -> impl Strategy<Value = String> {
    prop_oneof![
        "[{}\\[\\],:\\-#&*!|>%@'\"\\n\\t ]{1,6}",
        "[a-z0-9_/]{1,12}",
        Just("\u{202E}".to_string()),
        Just("\0".to_string()),
        Just("\r\n".to_string()),
        Just("é€😀".to_string()),
        Just(": {".repeat(40)),
        Just("x".repeat(300)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_mutation_of_a_blueprint_loads_or_fails_located(at in any::<proptest::sample::Index>(), cut in 0..8usize, piece in pieces()) {
        let mut text = GOOD.to_string();
        let mut start = at.index(text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.replace_range(start..end, &piece);
        load_checked(&text);
    }
}

#[test]
fn a_problem_past_column_65535_is_drawn_as_a_window() {
    let ous: Vec<String> = (0..8_000).map(|i| format!("\"ou{i:05}\": {{}}")).collect();
    let text = format!("{{\"version\": 1, \"organizational_units\": {{{}}}, \"bogus\": 1}}", ous.join(", "));
    let drawing = load_checked(&text).expect("an unknown key");
    assert!(drawing.contains("lz.yaml:1:120"), "the real column: {drawing}");
    assert!(drawing.contains('…'), "the line is windowed: {drawing}");
}

#[test]
fn thousands_of_problems_draw_the_first_fifty_and_count_the_rest() {
    let text = format!(
        "version: 1\naccounts:\n{}",
        (0..5_000).map(|i| format!("  a{i}: {{email: bad{i}}}\n")).collect::<String>()
    );
    let errors = parse(Path::new("bp/lz.yaml"), &text, &files(&[])).unwrap_err();
    assert_eq!(errors.issues.len(), 5_000);
    let drawing = drawn(&errors);
    assert!(drawing.contains("has 5000 errors (the first 50 are shown)"), "{}", &drawing[..200]);
    assert_eq!(drawing.matches("lzctl::blueprint::invalid_value").count(), 50);
}

#[test]
fn a_huge_value_is_elided_in_the_message_and_the_drawing() {
    let text = format!("version: 1\naccounts:\n  a: {{email: a@example.com, name: \"{}\"}}\n", "n".repeat(1_000_000));
    let drawing = load_checked(&text).expect("the name is too long");
    assert!(drawing.contains("characters elided") && drawing.len() < 4_000, "{} bytes", drawing.len());
}

#[test]
fn control_and_bidirectional_characters_are_refused_and_never_drawn_raw() {
    let text = "version: 1\naccounts:\n  a: {email: a@example.com, name: \"\u{202E}evil\"}\n";
    let drawing = load_checked(text).expect("refused");
    assert!(drawing.contains("lzctl::blueprint::unprintable") && drawing.contains("U+202E"), "{drawing}");
}
