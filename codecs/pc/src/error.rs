//! The one error type of `cinder-pc`.

use thiserror::Error;

/// Everything that can go wrong in training, model I/O and coding.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PcError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A dataset file is not a valid (gzipped) IDX file.
    #[error("{path}: not a valid IDX file: {reason}")]
    BadIdx {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A model file is malformed.
    #[error("invalid PC model: {0}")]
    BadModel(String),
    /// An image does not fit the model.
    #[error("image is {got}, the PC model codes {width}x{height} single-channel (grey) images")]
    ImageSize {
        /// What was given, e.g. "32x32x3".
        got: String,
        /// Model width.
        width: u32,
        /// Model height.
        height: u32,
    },
    /// A coded stream ended early or is inconsistent.
    #[error("corrupt PC stream: {0}")]
    Corrupt(String),
    /// A training setting is out of range.
    #[error("invalid training config: {0}")]
    Config(String),
}

impl PcError {
    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> PcError {
        PcError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
