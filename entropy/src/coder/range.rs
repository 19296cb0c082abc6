//! Range (queue) coder for adaptive and autoregressive models: constriction's `DefaultRangeEncoder` /
//! `RangeDecoder` (u32 words, u64 state, 24-bit precision). First in, first out: symbols decode in the order they
//! were encoded, so a model may be recomputed or updated between symbols on both sides (the PC coder, context
//! models).

use constriction::backends::Cursor;
use constriction::stream::queue::{DefaultRangeEncoder, RangeDecoder as CRangeDecoder};
use constriction::stream::{Decode, Encode};

use super::adapter::{Lookup, Raw};
use super::stream::{Limits, Stream};
use super::{check_interval, FifoDecoder, FifoEncoder, SymbolDecoder, SymbolEncoder};
use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval};

/// Range encoder (FIFO).
#[derive(Debug, Default, Clone)]
pub struct RangeEncoder {
    inner: DefaultRangeEncoder,
}

impl RangeEncoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Encodes `symbols`, all under `model`.
    pub fn encode_iid<M: EncodeModel + ?Sized>(&mut self, symbols: &[u32], model: &M) -> Result<()> {
        symbols.iter().try_for_each(|&s| self.encode(s, model))
    }

    /// Size of the compressed data so far, in bits (a multiple of 32, including the pending state).
    pub fn num_bits(&self) -> usize {
        self.inner.num_bits()
    }

    /// Seals the stream.
    pub fn finish(self) -> Stream {
        let words = match self.inner.into_compressed() {
            Ok(words) => words,
            Err(never) => match never {},
        };
        Stream::from_words(words)
    }
}

impl SymbolEncoder for RangeEncoder {
    #[inline]
    fn push(&mut self, interval: Interval) -> Result<()> {
        check_interval(interval)?;
        self.inner
            .encode_symbol((), Raw(interval))
            .map_err(|_| EntropyError::InconsistentModel {
                reason: "constriction rejected the interval",
            })
    }
}

impl FifoEncoder for RangeEncoder {}

/// Range decoder reading a borrowed word slice.
#[derive(Debug, Clone)]
pub struct RangeDecoder<'a> {
    inner: CRangeDecoder<u32, u64, Cursor<u32, &'a [u32]>>,
}

impl<'a> RangeDecoder<'a> {
    /// Starts decoding `stream`.
    pub fn new(stream: &'a Stream) -> Result<Self> {
        Self::from_words(stream.words())
    }

    /// Starts decoding raw words (as produced by [`RangeEncoder::finish`]).
    pub fn from_words(words: &'a [u32]) -> Result<Self> {
        match CRangeDecoder::from_compressed(words) {
            Ok(inner) => Ok(Self { inner }),
            Err(never) => match never {},
        }
    }

    /// Decodes `out.len()` symbols, all under `model`.
    pub fn decode_iid<M: DecodeModel + ?Sized>(&mut self, out: &mut [u32], model: &M) -> Result<()> {
        for o in out.iter_mut() {
            *o = self.decode(model)?;
        }
        Ok(())
    }

    /// Decodes `count` symbols under `model` into a new vector, refusing counts above `limits.max_symbols`.
    pub fn decode_vec<M: DecodeModel + ?Sized>(
        &mut self,
        count: usize,
        model: &M,
        limits: &Limits,
    ) -> Result<Vec<u32>> {
        limits.check_symbols(count)?;
        let mut out = vec![0; count];
        self.decode_iid(&mut out, model)?;
        Ok(out)
    }

    /// Whether the compressed data may have been consumed completely.
    pub fn maybe_exhausted(&self) -> bool {
        self.inner.maybe_exhausted()
    }

    /// Ends decoding; errors if the stream certainly holds more data than was decoded.
    pub fn finish(self) -> Result<()> {
        if self.inner.maybe_exhausted() {
            Ok(())
        } else {
            Err(EntropyError::CorruptStream {
                reason: "range-coded stream has data left after the last symbol",
            })
        }
    }
}

impl SymbolDecoder for RangeDecoder<'_> {
    #[inline]
    fn decode<M: DecodeModel + ?Sized>(&mut self, model: &M) -> Result<u32> {
        let lookup = Lookup::new(model);
        let symbol = match self.inner.decode_symbol(&lookup) {
            Ok(s) => s,
            Err(_) => {
                return Err(EntropyError::CorruptStream {
                    reason: "range decoder reached an impossible state",
                })
            }
        };
        match lookup.error.into_inner() {
            None => Ok(symbol),
            Some(e) => Err(e),
        }
    }
}

impl FifoDecoder for RangeDecoder<'_> {}
