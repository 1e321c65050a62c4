//! Writing blueprint YAML by hand, so the imported file reads like one a person wrote: keys in
//! a fixed order, short lists in flow style, and every string quoted exactly when YAML would
//! otherwise read it as something else.

/// A string as a YAML scalar: bare where that reads back as the same string, else in double
/// quotes with JSON's escapes (a subset of YAML's).
pub(super) fn scalar(text: &str) -> String {
    if is_plain(text) { text.to_string() } else { serde_json::to_string(text).expect("strings serialize") }
}

/// Whether a string can be written bare and still be read back as the same string, in block
/// and in flow context alike.
fn is_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];
    first.is_ascii_alphabetic()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./@+=:".contains(c))
        && !text.ends_with(':')
        && !reserved.iter().any(|r| r.eq_ignore_ascii_case(text))
        && !text.eq_ignore_ascii_case(".nan")
}

/// A list in flow style: `[a, b]`.
pub(super) fn flow(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| scalar(i.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// A map of strings in flow style: `{k: v}`.
pub(super) fn flow_map<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let pairs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{}: {}", scalar(k), scalar(v))).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Lines of YAML being built, each at an indent.
#[derive(Default)]
pub(super) struct Lines(String);

impl Lines {
    /// One line at `indent` levels (two spaces each).
    pub(super) fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.0.push_str("  ");
        }
        self.0.push_str(text);
        self.0.push('\n');
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `header` at `indent`, then `body`'s lines as they are (already indented under it).
    pub(super) fn nested(&mut self, indent: usize, header: &str, body: Lines) {
        self.line(indent, header);
        self.0.push_str(&body.into_string());
    }

    pub(super) fn blank(&mut self) {
        self.0.push('\n');
    }

    /// A list that fits on one line in flow style, a longer one as a block.
    pub(super) fn list(&mut self, indent: usize, key: &str, items: &[String]) {
        let inline = flow(items);
        if inline.len() + key.len() + 2 * indent <= 100 {
            self.line(indent, &format!("{key}: {inline}"));
        } else {
            self.line(indent, &format!("{key}:"));
            for item in items {
                self.line(indent + 1, &format!("- {}", scalar(item)));
            }
        }
    }

    pub(super) fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bare_only_where_yaml_reads_a_string_back() {
        for bare in ["Foundational", "aws+x@example.com", "PT1H", "arn:aws:iam::aws:policy/X"] {
            assert_eq!(scalar(bare), bare);
        }
        for quoted in
            ["", "yes", "No", "123", "1e3", " x", "x ", "a: b", "#c", "-", "[x]", "{x}", "é", "*x", "!x", "x:"]
        {
            assert!(scalar(quoted).starts_with('"'), "{quoted:?} is written {}", scalar(quoted));
        }
    }

    proptest! {
        /// Whatever the text, the scalar written for it reads back as that text, as a key, a
        /// value and a flow list item.
        #[test]
        fn every_string_reads_back(text in "\\PC{0,12}") {
            let doc = format!("{}: {}\nlist: {}\n", scalar(&text), scalar(&text), flow([&text]));
            let read: std::collections::BTreeMap<String, serde_json::Value> =
                serde_saphyr::from_str(&doc).map_err(|e| TestCaseError::fail(format!("{doc}: {e}")))?;
            prop_assert_eq!(read.get(&text).and_then(|v| v.as_str()), Some(text.as_str()));
            prop_assert_eq!(&read["list"][0], &serde_json::Value::String(text.clone()));
        }
    }
}
