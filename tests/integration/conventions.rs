//! The command line's conventions through the real binary: usage errors exit 1 (2 means
//! "changes"), help and version exit 0 and the version names the commit, writing to a reader
//! that went away ends quietly, and colour follows NO_COLOR, FORCE_COLOR and CLICOLOR_FORCE.

use crate::support::*;
use std::process::Stdio;

#[test]
fn usage_errors_exit_1_and_help_and_version_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["plan", "--bogus", "-f", "x.yaml"][..],
        &["plan"],
        &[],
        &["-v", "validate", "-f", "x.yaml"],
        &["validate", "--profile", "p", "-f", "x"],
    ] {
        let out = lzctl_offline(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("error:") || stderr(&out).contains("Usage:"), "{args:?}: {}", stderr(&out));
    }
    for args in [&["--help"][..], &["plan", "--help"], &["--version"]] {
        let out = lzctl_offline(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
    let version = stdout(&lzctl_offline(dir.path(), &["--version"]));
    let commit = version
        .trim()
        .strip_prefix(concat!("lzctl ", env!("CARGO_PKG_VERSION"), " (commit "))
        .and_then(|r| r.strip_suffix(')'));
    assert!(
        commit.is_some_and(|c| c == "unknown" || (c.len() == 12 && c.chars().all(|ch| ch.is_ascii_hexdigit()))),
        "{version}"
    );
}

#[test]
fn writing_to_a_reader_that_went_away_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), "version: 1\n").unwrap();
    for args in [&["completions", "bash"][..], &["validate", "-f", "lz.yaml"], &["--help"]] {
        let mut child =
            offline_command(dir.path(), args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take()); // the reader goes away before lzctl writes
        let out = child.wait_with_output().unwrap();
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}: {}", stderr(&out));
        assert!(matches!(out.status.code(), Some(0 | 141)), "{args:?}: {:?}", out.status);
    }
}

#[test]
fn colour_follows_no_color_force_color_and_clicolor_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lz.yaml"), "version: 1\nbogus: 1\n").unwrap();
    let coloured = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["validate", "-f", "lz.yaml"];
        args.extend_from_slice(extra);
        let mut command = offline_command(dir.path(), &args);
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        stderr(&out).contains("\u{1b}[")
    };
    assert!(!coloured(&[], &[]), "not a terminal: no colour");
    assert!(coloured(&[("FORCE_COLOR", "1")], &[]));
    assert!(coloured(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!coloured(&[("FORCE_COLOR", "0")], &[]));
    assert!(!coloured(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[]), "NO_COLOR wins");
    assert!(!coloured(&[("FORCE_COLOR", "1")], &["--no-color"]), "the flag wins");
}
