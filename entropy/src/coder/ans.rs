//! ANS (stack) coder for static models: constriction's `DefaultAnsCoder` (u32 words, u64 state, 24-bit precision).
//!
//! ANS is last-in first-out. [`AnsEncoder::encode_iid`] and [`AnsEncoder::encode_seq`] take symbols in natural
//! order and push them in reverse, so that [`AnsDecoder`] returns them in natural order. When pushing symbols one at a
//! time with [`SymbolEncoder::encode`], push the *last* symbol first.

use constriction::backends::Cursor;
use constriction::stream::stack::{AnsCoder, DefaultAnsCoder};
use constriction::stream::{Decode, Encode};

use super::adapter::{Lookup, Raw};
use super::stream::{Limits, Stream};
use super::{check_interval, SymbolDecoder, SymbolEncoder};
use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval};

/// ANS encoder (a stack: the last symbol pushed is the first decoded).
#[derive(Debug, Default, Clone)]
pub struct AnsEncoder {
    inner: DefaultAnsCoder,
}

impl AnsEncoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Encodes `symbols`, all under `model`, so that they decode in the given order.
    pub fn encode_iid<M: EncodeModel + ?Sized>(&mut self, symbols: &[u32], model: &M) -> Result<()> {
        for &s in symbols.iter().rev() {
            self.push(model.interval(s)?)?;
        }
        Ok(())
    }

    /// Encodes `symbols[i]` under `model_for(i)` (e.g. one table per channel), so that they decode in order.
    pub fn encode_seq<'m, M, F>(&mut self, symbols: &[u32], mut model_for: F) -> Result<()>
    where
        M: EncodeModel + ?Sized + 'm,
        F: FnMut(usize) -> &'m M,
    {
        for (i, &s) in symbols.iter().enumerate().rev() {
            self.push(model_for(i).interval(s)?)?;
        }
        Ok(())
    }

    /// Size of the compressed data so far, in bits (a multiple of 32).
    pub fn num_bits(&self) -> usize {
        self.inner.num_bits()
    }

    /// Seals the stream.
    pub fn finish(self) -> Stream {
        // The Vec backend cannot fail to write.
        let words = match self.inner.into_compressed() {
            Ok(words) => words,
            Err(never) => match never {},
        };
        Stream::from_words(words)
    }
}

impl SymbolEncoder for AnsEncoder {
    #[inline]
    fn push(&mut self, interval: Interval) -> Result<()> {
        check_interval(interval)?;
        self.inner
            .encode_symbol((), Raw(interval))
            .map_err(|_| EntropyError::InconsistentModel {
                reason: "constriction rejected the interval",
            })
    }

    fn push_group(&mut self, intervals: &[Interval]) -> Result<()> {
        intervals.iter().rev().try_for_each(|&iv| self.push(iv))
    }
}

/// ANS decoder reading a borrowed word slice.
#[derive(Clone)]
pub struct AnsDecoder<'a> {
    inner: AnsCoder<u32, u64, Cursor<u32, &'a [u32]>>,
}

impl core::fmt::Debug for AnsDecoder<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AnsDecoder")
            .field("exhausted", &self.inner.is_empty())
            .finish()
    }
}

impl<'a> AnsDecoder<'a> {
    /// Starts decoding `stream`.
    pub fn new(stream: &'a Stream) -> Result<Self> {
        Self::from_words(stream.words())
    }

    /// Starts decoding raw words (as produced by [`AnsEncoder::finish`]).
    pub fn from_words(words: &'a [u32]) -> Result<Self> {
        let inner = AnsCoder::from_compressed_slice(words).map_err(|_| EntropyError::CorruptStream {
            reason: "ANS stream ends with a zero word",
        })?;
        Ok(Self { inner })
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

    /// Whether all compressed data has been consumed.
    pub fn is_exhausted(&self) -> bool {
        self.inner.is_empty()
    }

    /// Ends decoding; errors if the stream holds more data than was decoded (a sign of corruption or of a
    /// model mismatch).
    pub fn finish(self) -> Result<()> {
        if self.inner.is_empty() {
            Ok(())
        } else {
            Err(EntropyError::CorruptStream {
                reason: "ANS stream has data left after the last symbol",
            })
        }
    }
}

impl SymbolDecoder for AnsDecoder<'_> {
    #[inline]
    fn decode<M: DecodeModel + ?Sized>(&mut self, model: &M) -> Result<u32> {
        let lookup = Lookup::new(model);
        let symbol = match self.inner.decode_symbol(&lookup) {
            Ok(s) => s,
            Err(_) => {
                return Err(EntropyError::CorruptStream {
                    reason: "ANS decoder failed",
                })
            }
        };
        match lookup.error.into_inner() {
            None => Ok(symbol),
            Some(e) => Err(e),
        }
    }
}
