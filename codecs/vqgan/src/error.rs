//! The one error type of `cinder-vqgan`.

use thiserror::Error;

/// Errors of the VQGAN codec crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VqganError {
    /// A weights file is malformed or does not fit the network.
    #[error("bad VQGAN weights: {0}")]
    BadWeights(String),
    /// The index payload is corrupt.
    #[error("corrupt VQGAN payload: {0}")]
    Corrupt(String),
    /// Entropy coding failed.
    #[error("index entropy coding failed")]
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

impl From<cinder_nn::NnError> for VqganError {
    fn from(e: cinder_nn::NnError) -> Self {
        VqganError::BadWeights(e.to_string())
    }
}

impl From<VqganError> for cinder_core::CodecError {
    fn from(e: VqganError) -> Self {
        match e {
            VqganError::Corrupt(m) => cinder_core::CodecError::Corrupt(m),
            VqganError::BadWeights(m) => cinder_core::CodecError::Weights {
                codec: "vqgan",
                reason: m,
            },
            VqganError::Unsupported(reason) => cinder_core::CodecError::UnsupportedInput {
                codec: "vqgan",
                reason,
            },
            other => cinder_core::CodecError::Other {
                codec: "vqgan",
                message: other.to_string(),
                source: Some(Box::new(other)),
            },
        }
    }
}
