//! The one error type of `cinder-core`, shared by every codec through [`CodecError`].

use cinder_format::FormatError;
use thiserror::Error;

/// Errors of the codec contract: what a codec's `encode`/`decode` and the registry return.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The container itself is malformed.
    #[error("container error")]
    Format(#[from] FormatError),
    /// No codec with this id is registered.
    #[error("unknown codec id {0}: this build knows {1}")]
    UnknownCodecId(u16, String),
    /// No codec with this name is registered.
    #[error("unknown codec '{0}': available codecs are {1}")]
    UnknownCodecName(String, String),
    /// The file was made with other weights than the ones loaded.
    #[error(
        "weights digest mismatch: the file was encoded with weights {file}, the loaded model is {loaded}"
    )]
    WeightsMismatch {
        /// Digest in the file, hex.
        file: String,
        /// Digest of the loaded model, hex.
        loaded: String,
    },
    /// The file belongs to another codec.
    #[error("this file was written by codec id {file}, not by '{codec}' (id {expected})")]
    WrongCodec {
        /// Codec id in the file.
        file: u16,
        /// Name of the codec asked to decode it.
        codec: &'static str,
        /// That codec's id.
        expected: u16,
    },
    /// The quality level is not offered.
    #[error("quality {quality} is not available for '{codec}': accepted {accepted}")]
    BadQuality {
        /// Requested quality.
        quality: u8,
        /// Codec name.
        codec: &'static str,
        /// Accepted levels, in words.
        accepted: String,
    },
    /// The input media does not fit the codec (size, channels, sample rate…).
    #[error("unsupported input for '{codec}': {reason}")]
    UnsupportedInput {
        /// Codec name.
        codec: &'static str,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// The media kind of the file does not match what the codec decodes.
    #[error("media kind mismatch: {0}")]
    MediaKind(String),
    /// The payload decoded to something inconsistent with the header (corrupt data that passed the CRC).
    #[error("corrupt payload: {0}")]
    Corrupt(String),
    /// An operation the codec does not offer (e.g. image sets on a single-image codec).
    #[error("'{codec}' does not support {what}")]
    Unsupported {
        /// Codec name.
        codec: &'static str,
        /// What was asked.
        what: &'static str,
    },
    /// Weights could not be loaded.
    #[error("cannot load weights for '{codec}': {reason}")]
    Weights {
        /// Codec name.
        codec: &'static str,
        /// Why.
        reason: String,
    },
    /// Any other codec-specific failure, with its cause.
    #[error("{codec}: {message}")]
    Other {
        /// Codec name.
        codec: &'static str,
        /// What failed.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}
