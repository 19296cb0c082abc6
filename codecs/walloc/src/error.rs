//! The one error type of `cinder-walloc`.

use thiserror::Error;

/// Errors of the WaLLoC codec.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WallocError {
    /// A weights file is malformed.
    #[error("bad WaLLoC weights: {0}")]
    BadWeights(String),
    /// The latent payload is corrupt.
    #[error("corrupt WaLLoC payload: {0}")]
    Corrupt(String),
    /// Entropy coding failed.
    #[error("latent entropy coding failed")]
    Entropy(#[from] cinder_entropy::EntropyError),
    /// The input cannot be coded (e.g. audio with more than two channels).
    #[error("unsupported input: {0}")]
    Unsupported(String),
    /// Fitting had no data.
    #[error("no training data: {0}")]
    NoData(String),
}

impl From<WallocError> for cinder_core::CodecError {
    fn from(e: WallocError) -> Self {
        match e {
            WallocError::Corrupt(m) => cinder_core::CodecError::Corrupt(m),
            WallocError::BadWeights(m) => cinder_core::CodecError::Weights {
                codec: "walloc",
                reason: m,
            },
            WallocError::Unsupported(reason) => cinder_core::CodecError::UnsupportedInput {
                codec: "walloc",
                reason,
            },
            other => cinder_core::CodecError::Other {
                codec: "walloc",
                message: other.to_string(),
                source: Some(Box::new(other)),
            },
        }
    }
}
