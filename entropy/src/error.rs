//! The crate's single error type.
//!
//! Every fallible operation of `cinder-entropy` returns [`EntropyError`]. Messages name the accepted range so that
//! a caller can tell at a glance which limit was hit.

use thiserror::Error;

/// Convenience alias used throughout the crate.
pub type Result<T, E = EntropyError> = core::result::Result<T, E>;

/// Everything that can go wrong while building models or coding symbols.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EntropyError {
    /// A CDF precision outside the supported range.
    #[error("CDF precision {precision} bits is unsupported (accepted: {min}..={max})")]
    PrecisionOutOfRange {
        /// The requested precision.
        precision: u32,
        /// Smallest accepted precision.
        min: u32,
        /// Largest accepted precision.
        max: u32,
    },
    /// An alphabet with too few or too many symbols for the requested precision.
    #[error("alphabet of {symbols} symbols is unsupported (accepted: 1..={max})")]
    AlphabetSize {
        /// The requested number of symbols.
        symbols: u64,
        /// Largest accepted number of symbols.
        max: u64,
    },
    /// A CDF that is not strictly increasing from 0 to 2^precision.
    #[error("invalid CDF: {reason}")]
    InvalidCdf {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Probabilities or counts that cannot be turned into a CDF (negative, NaN, all zero, overflow).
    #[error("invalid probabilities: {reason}")]
    InvalidProbabilities {
        /// What is wrong with them.
        reason: &'static str,
    },
    /// A symbol outside the model's alphabet was given to an encoder.
    #[error("symbol {symbol} is outside the alphabet 0..{symbols}")]
    SymbolOutOfRange {
        /// The offending symbol.
        symbol: u64,
        /// Size of the alphabet.
        symbols: u64,
    },
    /// A context index outside a context model's range.
    #[error("context {context} is outside 0..{contexts}")]
    ContextOutOfRange {
        /// The offending context.
        context: usize,
        /// Number of contexts of the model.
        contexts: usize,
    },
    /// An invalid configuration of an adaptive model.
    #[error("invalid adaptive-model configuration: {reason}")]
    InvalidConfig {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A custom model returned cumulative values that are not strictly increasing within 0..=2^precision.
    #[error("custom model is inconsistent: {reason}")]
    InconsistentModel {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Serialised bytes (a table or a stream) that cannot be parsed.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stream or a symbol count larger than the caller's limit.
    #[error("{what} of {requested} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What was too large.
        what: &'static str,
        /// The requested amount.
        requested: u64,
        /// The caller's limit.
        limit: u64,
    },
    /// The compressed data is corrupt: the decoder reached an impossible state.
    #[error("corrupt stream: {reason}")]
    CorruptStream {
        /// What the decoder detected.
        reason: &'static str,
    },
}
