//! Reading the files a blueprint names, safely: a blueprint under review must not be able to
//! make lzctl read anything but its own files (`template: /proc/self/environ` would put the
//! process environment, credentials included, into a saved plan). A named path must be relative
//! with no `..`, resolve — symbolic links followed — to a regular file inside the blueprint's
//! folder, and stay within the size limit of its kind, read through a bounded reader.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The most the blueprint file itself may hold.
pub(crate) const BLUEPRINT_LIMIT: u64 = 4 * 1024 * 1024;

/// What a named file is for; each kind has its own size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// An SCP, RCP or inline policy document (AWS's largest policy quota is far below this).
    Policy,
    /// A CloudFormation template, sent as TemplateBody (AWS's limit: 51,200 bytes).
    Template,
    AllowedSigners,
}

impl FileKind {
    pub(crate) fn limit(self) -> u64 {
        match self {
            FileKind::Policy => 128 * 1024,
            FileKind::Template => 51_200,
            FileKind::AllowedSigners => 256 * 1024,
        }
    }
}

/// Why a named file was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// The path as written, or as the file system resolves it, leaves the blueprint's folder.
    #[error("{0}")]
    Outside(String),
    #[error("it is not a regular file (a device, a FIFO or a folder)")]
    NotRegular,
    #[error("it is larger than {limit} bytes, the limit for this kind of file")]
    TooLarge { limit: u64 },
    #[error("it is not UTF-8 text (the first invalid byte is at line {line}, column {column})")]
    NotText { line: usize, column: usize },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Checks a path as the blueprint writes it: relative, with no `..`; returns it as a path.
pub(crate) fn relative_path(written: &str) -> Result<PathBuf, FileError> {
    let path = Path::new(written);
    if written.is_empty() {
        return Err(FileError::Outside("the path is empty".into()));
    }
    for component in path.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(FileError::Outside(
                    "`..` is not allowed: files must be inside the blueprint's folder".into(),
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(FileError::Outside(
                    "absolute paths are not allowed: name the file relative to the blueprint's folder".into(),
                ));
            }
        }
    }
    Ok(path.to_path_buf())
}

/// Where the files a blueprint names come from: the disk in the tool, a table in tests.
pub(crate) trait FileSource {
    /// The text of `relative` (already checked by `relative_path`) in the blueprint's folder
    /// `dir`, at most `limit` bytes.
    fn read(&self, dir: &Path, relative: &Path, limit: u64) -> Result<String, FileError>;
}

/// The disk, under the rules above.
pub(crate) struct DiskFiles;

impl FileSource for DiskFiles {
    fn read(&self, dir: &Path, relative: &Path, limit: u64) -> Result<String, FileError> {
        let folder = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let folder = folder.canonicalize()?;
        let resolved = folder.join(relative).canonicalize()?;
        if !resolved.starts_with(&folder) {
            return Err(FileError::Outside(format!(
                "it resolves to {}, outside the blueprint's folder (a symbolic link leaves it)",
                resolved.display()
            )));
        }
        read_bounded(&resolved, limit)
    }
}

/// A regular file's text, refusing more than `limit` bytes however large the file says it is.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<String, FileError> {
    // Before opening: opening a FIFO for reading would wait for a writer.
    if !std::fs::metadata(path)?.is_file() {
        return Err(FileError::NotRegular);
    }
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular);
    }
    if metadata.len() > limit {
        return Err(FileError::TooLarge { limit });
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge { limit });
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let text = std::str::from_utf8(valid).expect("valid up to here");
        let line_start = text.rfind('\n').map_or(0, |i| i + 1);
        FileError::NotText { line: text.matches('\n').count() + 1, column: text[line_start..].chars().count() + 1 }
    })
}

#[cfg(test)]
mod tests;

/// Files a blueprint names, from a table instead of the disk (an import checks what it is about
/// to write; tests); any other path is not found.
#[derive(Default)]
pub(crate) struct MemoryFiles(BTreeMap<PathBuf, String>);

impl MemoryFiles {
    /// Files by their paths as the blueprint's folder joins them.
    pub(crate) fn new(files: BTreeMap<PathBuf, String>) -> MemoryFiles {
        MemoryFiles(files)
    }

    /// The files at these paths (as the blueprint's folder joins them) with these texts.
    #[cfg(test)]
    pub(crate) fn of<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> MemoryFiles {
        MemoryFiles(files.into_iter().map(|(path, text)| (PathBuf::from(path), text.to_string())).collect())
    }
}

impl FileSource for MemoryFiles {
    fn read(&self, dir: &Path, relative: &Path, limit: u64) -> Result<String, FileError> {
        let text = self.0.get(&dir.join(relative)).ok_or_else(|| {
            FileError::Io(std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory"))
        })?;
        if text.len() as u64 > limit {
            return Err(FileError::TooLarge { limit });
        }
        Ok(text.clone())
    }
}
