//! Coders over constriction (DESIGN.md §5): ANS (stack) for static models, range coding (queue) for adaptive and
//! autoregressive ones, and a bit counter that prices symbols with the very same models.
//!
//! Every coder implements [`SymbolEncoder`] or [`SymbolDecoder`]; models reach them through
//! [`crate::EncodeModel`] / [`crate::DecodeModel`] as 24-bit [`crate::Interval`]s. Models that adapt while coding
//! ([`crate::AdaptiveModel`], [`crate::ContextModel`]) only accept the FIFO coders ([`FifoEncoder`],
//! [`FifoDecoder`]), because ANS would replay their updates in reverse order.

mod adapter;
mod ans;
mod bytes;
mod counter;
mod range;
mod stream;

pub use ans::{AnsDecoder, AnsEncoder};
pub use bytes::{ByteRangeDecoder, ByteRangeEncoder};
pub use counter::{estimate_bits, BitCounter};
pub use range::{RangeDecoder, RangeEncoder};
pub use stream::{Limits, Stream};

use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval, CODER_TOTAL};

/// Something that symbols can be encoded into.
pub trait SymbolEncoder {
    /// Encodes one interval. ANS is a stack: what is pushed last is decoded first.
    fn push(&mut self, interval: Interval) -> Result<()>;

    /// Encodes intervals that must come out of the decoder in slice order (ANS pushes them in reverse).
    fn push_group(&mut self, intervals: &[Interval]) -> Result<()> {
        intervals.iter().try_for_each(|&iv| self.push(iv))
    }

    /// Encodes `symbol` under `model` (always inlined, so that a caller compiled for a wider instruction set,
    /// such as cinder-pc's AVX2 pass, evaluates its model with that instruction set too).
    #[inline(always)]
    fn encode<M: EncodeModel + ?Sized>(&mut self, symbol: u32, model: &M) -> Result<()> {
        let iv = model.interval(symbol)?;
        self.push(iv)
    }
}

/// Something that symbols can be decoded from.
pub trait SymbolDecoder {
    /// Decodes one symbol under `model`.
    fn decode<M: DecodeModel + ?Sized>(&mut self, model: &M) -> Result<u32>;
}

/// Marker for encoders that decode in the order of encoding (range coder, bit counter).
pub trait FifoEncoder: SymbolEncoder {}

/// Marker for decoders whose encoder was FIFO (the range decoder).
pub trait FifoDecoder: SymbolDecoder {}

/// Rejects intervals that no valid model produces (guards user-implemented models).
#[inline]
pub(crate) fn check_interval(iv: Interval) -> Result<()> {
    if iv.freq == 0 || u64::from(iv.left) + u64::from(iv.freq) > u64::from(CODER_TOTAL) {
        Err(EntropyError::InconsistentModel {
            reason: "interval is empty or exceeds 2^24",
        })
    } else {
        Ok(())
    }
}
