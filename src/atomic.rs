//! A file that appears whole or not at all: written to a temporary file beside it, synced,
//! renamed over it, and the rename made durable by syncing the directory. A run that fails or
//! is interrupted leaves any earlier file in place instead of half a new one: the index's
//! manifest, which names the logs to read, and `dedup`'s Parquet output, whose footer comes
//! last, are both written this way.
//!
//! # Invariants
//! - The temporary file is in the target's directory: a rename does not cross file systems.
//! - Dropped without [`AtomicFile::commit`], the temporary file is removed and the target is
//!   untouched.

use crate::error::{io_err, Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written, that replaces its target only on [`AtomicFile::commit`].
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    /// `None` once committed.
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `path`, through the temporary file `.NAME.PID.tmp` beside it.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let Some(name) = path.file_name() else {
            let source = std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name");
            return Err(io_err(path)(source));
        };
        let mut tmp = std::ffi::OsString::from(".");
        tmp.push(name);
        tmp.push(format!(".{}.tmp", std::process::id()));
        // Said of the file asked for: the temporary one is ours, what fails is the same.
        AtomicFile::with_temp(path, &path.with_file_name(tmp)).map_err(|e| match e {
            Error::Io { source, .. } => io_err(path)(source),
            e => e,
        })
    }

    /// Starts writing `path` through the temporary file `tmp`, in the same directory: for a
    /// writer that holds the directory alone and knows its leftovers by name (the index).
    pub fn with_temp(path: &Path, tmp: &Path) -> Result<AtomicFile> {
        let file = File::create(tmp).map_err(io_err(tmp))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp: tmp.to_path_buf(),
            file: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Flushes and syncs the file, renames it over the target and syncs the directory.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("committed once");
        let file = file
            .into_inner()
            .map_err(|e| e.into_error())
            .map_err(io_err(&self.tmp))?;
        file.sync_all().map_err(io_err(&self.tmp))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        sync_dir(dir)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("not committed").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("not committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Makes a rename or a file's creation in `dir` durable. A file system that cannot sync a
/// directory (it refuses with `InvalidInput`) has still done the rename.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        match File::open(dir).and_then(|d| d.sync_all()) {
            Err(e) if e.kind() != std::io::ErrorKind::InvalidInput => {
                return Err(io_err(dir)(e));
            }
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_changes_only_on_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let path = dir.join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let files = || std::fs::read_dir(dir).unwrap().count();
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(files(), 2, "the temporary file beside the target");
        drop(f);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(files(), 1, "dropped: the temporary file is gone");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(files(), 1);
        let e = AtomicFile::create(&dir.join("no/such/dir/out.txt"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("no/such/dir/out.txt"), "{e}");
    }
}
