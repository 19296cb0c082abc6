//! The one error type of `cinder-hifi`.

use thiserror::Error;

/// Errors of the HiFi-Codec crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HifiError {
    /// A weights file is malformed or does not fit the network.
    #[error("bad HiFi-Codec weights: {0}")]
    BadWeights(String),
    /// The token payload is corrupt.
    #[error("corrupt HiFi-Codec payload: {0}")]
    Corrupt(String),
    /// Entropy coding failed.
    #[error("token entropy coding failed")]
    Entropy(#[from] cinder_entropy::EntropyError),
    /// The input cannot be coded.
    #[error("unsupported input: {0}")]
    Unsupported(String),
    /// Training data is missing or unreadable.
    #[error("training data: {0}")]
    Data(String),
    /// A network ran into a backend problem (device, tensor conversion).
    #[error("network: {0}")]
    Network(String),
}

impl From<HifiError> for cinder_core::CodecError {
    fn from(e: HifiError) -> Self {
        match e {
            HifiError::Corrupt(m) => cinder_core::CodecError::Corrupt(m),
            HifiError::BadWeights(m) => cinder_core::CodecError::Weights {
                codec: "hifi",
                reason: m,
            },
            HifiError::Unsupported(reason) => cinder_core::CodecError::UnsupportedInput {
                codec: "hifi",
                reason,
            },
            other => cinder_core::CodecError::Other {
                codec: "hifi",
                message: other.to_string(),
                source: Some(Box::new(other)),
            },
        }
    }
}
