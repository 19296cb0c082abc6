//! The one error type of `cinder-nn`.

use thiserror::Error;

/// Errors of the shared neural-network layer.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NnError {
    /// A device was asked for that this build does not include.
    #[error("device '{0}' is not available in this build (rebuild with `--features wgpu`)")]
    DeviceUnavailable(&'static str),
    /// Codebook entries or quantiser state of the wrong shape, or too little data to initialise them.
    #[error("codebook: {0}")]
    Codebook(String),
}
