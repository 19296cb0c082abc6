//! The one error type of `cinder-datasets`.

use std::path::PathBuf;
use thiserror::Error;

/// Errors reading or writing media and datasets.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A file or folder could not be read or written.
    #[error("cannot access {path}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An image could not be decoded or encoded.
    #[error("image error in {path}")]
    Image {
        /// The path involved (or "-" for stdin/stdout).
        path: PathBuf,
        /// The cause.
        #[source]
        source: image::ImageError,
    },
    /// Audio could not be decoded.
    #[error("audio decode error in {path}: {message}")]
    Audio {
        /// The path involved.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// A WAV file could not be written.
    #[error("WAV write error for {path}")]
    Wav {
        /// The path involved.
        path: PathBuf,
        /// The cause.
        #[source]
        source: hound::Error,
    },
    /// An IDX file is malformed.
    #[error("malformed IDX file {path}: {message}")]
    Idx {
        /// The path involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Media that Cinder cannot represent (e.g. 0 channels).
    #[error("unsupported media: {0}")]
    Unsupported(String),
    /// A folder holds no file of the wanted kind.
    #[error("no {what} files under {path}")]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
        /// "image" or "audio".
        what: String,
    },
    /// Resampling failed.
    #[error("resampling failed: {0}")]
    Resample(String),
}

impl DatasetError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DatasetError::Io {
            path: path.into(),
            source,
        }
    }
}
