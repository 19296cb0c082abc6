//! Deterministic folder listings: every image or audio file under a folder, recursively, sorted by path.
//!
//! Sorting makes every evaluation and every training epoch see the same files in the same order on every
//! machine (DESIGN §4: determinism).

use crate::io::{is_audio_path, is_image_path, load_audio, load_image};
use crate::resample::to_mono_at;
use crate::DatasetError;
use cinder_core::{Audio, Image};
use std::path::{Path, PathBuf};

/// Every file under `dir` (recursively) whose path satisfies `keep`, sorted by path.
pub fn list_files(dir: &Path, keep: fn(&Path) -> bool) -> Result<Vec<PathBuf>, DatasetError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| DatasetError::io(&d, e))?;
        for entry in entries {
            let path = entry.map_err(|e| DatasetError::io(&d, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Every image file (PNG, JPEG, …; see [`crate::io::IMAGE_EXTENSIONS`]) under `dir`, sorted.
pub fn list_images(dir: &Path) -> Result<Vec<PathBuf>, DatasetError> {
    let files = list_files(dir, is_image_path)?;
    non_empty(dir, files, "image")
}

/// Every audio file (WAV, FLAC, MP3, Ogg; see [`crate::io::AUDIO_EXTENSIONS`]) under `dir`, sorted.
pub fn list_audio(dir: &Path) -> Result<Vec<PathBuf>, DatasetError> {
    let files = list_files(dir, is_audio_path)?;
    non_empty(dir, files, "audio")
}

fn non_empty(dir: &Path, files: Vec<PathBuf>, what: &str) -> Result<Vec<PathBuf>, DatasetError> {
    if files.is_empty() {
        Err(DatasetError::EmptyFolder {
            path: dir.to_path_buf(),
            what: what.to_string(),
        })
    } else {
        Ok(files)
    }
}

/// A sorted image folder, loaded lazily.
#[derive(Debug, Clone)]
pub struct ImageFolder {
    /// The files, sorted.
    pub paths: Vec<PathBuf>,
}

impl ImageFolder {
    /// Lists `dir`.
    pub fn open(dir: &Path) -> Result<ImageFolder, DatasetError> {
        Ok(ImageFolder {
            paths: list_images(dir)?,
        })
    }
    /// Number of images.
    pub fn len(&self) -> usize {
        self.paths.len()
    }
    /// True when empty (never, for an opened folder).
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
    /// Loads image `i`.
    pub fn get(&self, i: usize) -> Result<Image, DatasetError> {
        load_image(self.path(i)?)
    }
    fn path(&self, i: usize) -> Result<&Path, DatasetError> {
        self.paths
            .get(i)
            .map(PathBuf::as_path)
            .ok_or_else(|| DatasetError::Unsupported(format!("index {i} out of 0..{}", self.paths.len())))
    }
}

/// A sorted audio folder whose items are decoded, downmixed to mono (when `mono`) and resampled to one rate.
#[derive(Debug, Clone)]
pub struct AudioFolder {
    /// The files, sorted.
    pub paths: Vec<PathBuf>,
    /// Rate every item is resampled to; `None` keeps each file's own rate.
    pub sample_rate: Option<u32>,
    /// Downmix to one channel.
    pub mono: bool,
}

impl AudioFolder {
    /// Lists `dir`; items come out at `sample_rate` (if given), downmixed when `mono`.
    pub fn open(dir: &Path, sample_rate: Option<u32>, mono: bool) -> Result<AudioFolder, DatasetError> {
        Ok(AudioFolder {
            paths: list_audio(dir)?,
            sample_rate,
            mono,
        })
    }
    /// Number of files.
    pub fn len(&self) -> usize {
        self.paths.len()
    }
    /// True when empty (never, for an opened folder).
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
    /// Loads, downmixes and resamples item `i`.
    pub fn get(&self, i: usize) -> Result<Audio, DatasetError> {
        let path = self
            .paths
            .get(i)
            .ok_or_else(|| DatasetError::Unsupported(format!("index {i} out of 0..{}", self.paths.len())))?;
        let audio = load_audio(path)?;
        let rate = self.sample_rate.unwrap_or(audio.sample_rate);
        if self.mono {
            to_mono_at(&audio, rate)
        } else {
            crate::resample::resample(&audio, rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_is_sorted_recursive_and_filtered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.png", "a.PNG", "sub/c.jpg", "notes.txt", "x.flac"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let imgs = list_images(dir.path()).unwrap();
        let names: Vec<String> = imgs
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.PNG", "b.png", "sub/c.jpg"]);
        assert_eq!(list_audio(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn empty_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            list_images(dir.path()),
            Err(DatasetError::EmptyFolder { .. })
        ));
    }
}
