//! Running the Debian command-line codecs: presence checks, one scratch folder per item, timed runs.

use crate::EvalError;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A command-line tool and the Debian package that ships it.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// Program name, looked up in `PATH`.
    pub program: &'static str,
    /// Debian package (listed in `.ci/run`'s `APT_PACKAGES`).
    pub package: &'static str,
}

impl Tool {
    /// The program's full path, if installed.
    pub fn find(&self) -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|d| d.join(self.program))
            .find(|p| p.is_file())
    }

    /// True when installed.
    pub fn available(&self) -> bool {
        self.find().is_some()
    }

    /// An error unless installed.
    pub fn require(&self) -> Result<(), EvalError> {
        if self.available() {
            Ok(())
        } else {
            Err(EvalError::ToolMissing {
                tool: self.program,
                package: self.package,
            })
        }
    }

    /// Runs the tool with `args` (single-threaded where the tool allows; see callers) and returns the wall
    /// time in seconds. A non-zero exit is an error carrying the tool's standard error.
    pub fn run<I, S>(&self, args: I) -> Result<f64, EvalError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let t = Instant::now();
        let out = Command::new(self.program)
            .args(args)
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => EvalError::ToolMissing {
                    tool: self.program,
                    package: self.package,
                },
                _ => EvalError::io(self.program, e),
            })?;
        let secs = t.elapsed().as_secs_f64();
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: String = stderr
                .chars()
                .rev()
                .take(400)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            return Err(EvalError::Tool {
                tool: self.program.into(),
                message: format!("{}: {}", out.status, tail.trim()),
            });
        }
        Ok(secs)
    }
}

/// A scratch folder removed on drop.
pub fn scratch() -> Result<tempfile::TempDir, EvalError> {
    tempfile::Builder::new()
        .prefix("cinder-eval-")
        .tempdir()
        .map_err(|e| EvalError::io(std::env::temp_dir(), e))
}

/// Writes `bytes` to `path`.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), EvalError> {
    std::fs::write(path, bytes).map_err(|e| EvalError::io(path, e))
}

/// The size of the file at `path` in bytes.
pub fn file_len(path: &Path) -> Result<u64, EvalError> {
    Ok(std::fs::metadata(path).map_err(|e| EvalError::io(path, e))?.len())
}
