//! The file-reference rules on a real folder: what stays inside is read, everything that leaves
//! it — by the written path or through the file system — is refused, as are non-files and
//! oversized files, without hanging on a FIFO.

use super::*;
use std::os::unix::fs::symlink;

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/ok.json"), "{}").unwrap();
    dir
}

fn read(dir: &Path, written: &str, limit: u64) -> Result<String, FileError> {
    DiskFiles.read(dir, &relative_path(written)?, limit)
}

#[test]
fn a_file_inside_the_folder_is_read() {
    let dir = folder();
    assert_eq!(read(dir.path(), "policies/ok.json", 10).unwrap(), "{}");
    assert_eq!(read(dir.path(), "./policies/ok.json", 10).unwrap(), "{}");
    symlink(dir.path().join("policies/ok.json"), dir.path().join("alias.json")).unwrap();
    assert_eq!(read(dir.path(), "alias.json", 10).unwrap(), "{}", "a link that stays inside is fine");
}

#[test]
fn paths_that_leave_the_folder_are_refused_before_any_read() {
    for written in ["/proc/self/environ", "/etc/passwd", "../secrets.json", "policies/../../x", ""] {
        assert!(matches!(relative_path(written), Err(FileError::Outside(_))), "{written:?}");
    }
}

#[test]
fn a_symbolic_link_out_of_the_folder_is_refused() {
    let dir = folder();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "AWS_SECRET_ACCESS_KEY=leaked").unwrap();
    symlink(outside.path(), dir.path().join("policies/innocent.json")).unwrap();
    symlink("/proc/self/environ", dir.path().join("template.yaml")).unwrap();
    for written in ["policies/innocent.json", "template.yaml"] {
        let err = read(dir.path(), written, 1_000_000).unwrap_err();
        assert!(matches!(err, FileError::Outside(_)), "{written}: {err}");
        assert!(!err.to_string().contains("leaked"));
    }
}

#[test]
fn devices_fifos_and_folders_are_not_files() {
    let dir = folder();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    assert!(matches!(read(dir.path(), "pipe", 10), Err(FileError::NotRegular)), "and it did not wait for a writer");
    assert!(matches!(read(dir.path(), "policies", 10), Err(FileError::NotRegular)));
    assert!(matches!(read_bounded(Path::new("/dev/zero"), 10), Err(FileError::NotRegular)));
}

#[test]
fn files_over_their_limit_are_refused_and_not_read_whole() {
    let dir = folder();
    std::fs::write(dir.path().join("big.yaml"), "x".repeat(100)).unwrap();
    assert!(matches!(read(dir.path(), "big.yaml", 99), Err(FileError::TooLarge { limit: 99 })));
    assert_eq!(read(dir.path(), "big.yaml", 100).unwrap().len(), 100);
    std::fs::write(dir.path().join("binary.json"), [0xff, 0xfe]).unwrap();
    assert!(matches!(read(dir.path(), "binary.json", 10), Err(FileError::NotText { line: 1, column: 1 })));
    std::fs::write(dir.path().join("late.json"), b"{\n  \"a\": \"\xff\"\n}").unwrap();
    let err = read(dir.path(), "late.json", 100).unwrap_err();
    assert!(err.to_string().contains("line 2, column 9"), "{err}");
    assert!(FileKind::Template.limit() == 51_200 && FileKind::Policy.limit() > 51_200);
}
