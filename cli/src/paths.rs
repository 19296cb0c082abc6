//! Input/output plumbing shared by the commands: stdin/stdout, overwrite refusal, atomic writes, directory
//! listing and progress bars.

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// `-` means stdin (input) or stdout (output).
pub fn is_std(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads a whole input file or stdin.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    if is_std(path) {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

/// Writes output to stdout or, atomically, to a file; refuses to replace an existing file unless `force`.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if is_std(path) {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)
            .and_then(|_| out.flush())
            .context("cannot write standard output")?;
        return Ok(());
    }
    check_overwrite(path, force)?;
    cinder_datasets::io::write_atomic(path, bytes)?;
    Ok(())
}

/// Errors when `path` exists and `force` is not set.
pub fn check_overwrite(path: &Path, force: bool) -> Result<()> {
    if !force && path.exists() {
        bail!("{} already exists (use -f to overwrite)", path.display());
    }
    Ok(())
}

/// Files directly inside `dir` accepted by `keep`, sorted by name.
pub fn list_dir(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if path.is_file() && keep(&path) {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("{} holds no file this command can read", dir.display());
    }
    Ok(files)
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress(len: usize, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed_precise} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

/// `dir/stem.ext` for an input file.
pub fn output_in(dir: &Path, input: &Path, ext: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_os_string())
        .unwrap_or_else(|| "out".into());
    dir.join(stem).with_extension(ext)
}

/// Runs `job` over `files` in parallel with a progress bar, then reports every failure (all files are tried).
pub fn for_each_file(files: &[PathBuf], what: &str, job: impl Fn(&Path) -> Result<()> + Sync) -> Result<()> {
    use indicatif::ParallelProgressIterator;
    use rayon::prelude::*;
    let bar = progress(files.len(), what);
    let failures: Vec<String> = files
        .par_iter()
        .progress_with(bar.clone())
        .filter_map(|f| job(f).err().map(|e| format!("{}: {e:#}", f.display())))
        .collect();
    bar.finish_and_clear();
    if failures.is_empty() {
        Ok(())
    } else {
        bail!(
            "{} of {} file(s) failed:\n  {}",
            failures.len(),
            files.len(),
            failures.join("\n  ")
        )
    }
}
