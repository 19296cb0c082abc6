//! A byte-granular range coder for many short streams (written for the PC coder, one stream per 28×28 image).
//!
//! [`super::RangeEncoder`] and [`super::AnsEncoder`] emit whole u32 words behind a u32 word count, 16–50 bits over
//! the model per stream; with one stream per 784-pixel image that is up to 0.06 bpd. This coder takes the same
//! models ([`SymbolEncoder`] / [`SymbolDecoder`] over 24-bit [`Interval`]s) but writes bytes and ends with the
//! shortest byte string that identifies the final interval (trailing zero bytes dropped; the decoder reads zeros
//! past the end): under 16 bits of overhead per stream. The caller stores the stream length (e.g. a LEB128
//! prefix), since the bytes are not self-delimiting.
//!
//! Layout: a 56-bit window `low` with carry propagation through a cached byte and a run of pending 0xFF bytes
//! (the classic LZMA scheme widened from 32 to 56 bits so a 24-bit interval keeps ≥ 24 bits of resolution).

use super::{FifoDecoder, FifoEncoder, SymbolDecoder, SymbolEncoder};
use crate::error::EntropyError;
use crate::model::{DecodeModel, Interval, CODER_PRECISION, CODER_TOTAL};

const WINDOW: u32 = 56;
const FULL: u64 = (1 << WINDOW) - 1;
/// Renormalise when the range drops below 2^48.
const BOTTOM: u64 = 1 << (WINDOW - 8);

/// Range encoder writing bytes.
#[derive(Debug, Clone)]
pub struct ByteRangeEncoder {
    low: u64,
    range: u64,
    cache: u8,
    pending: u64,
    started: bool,
    out: Vec<u8>,
}

impl Default for ByteRangeEncoder {
    fn default() -> Self {
        ByteRangeEncoder {
            low: 0,
            range: FULL,
            cache: 0,
            pending: 0,
            started: false,
            out: Vec::new(),
        }
    }
}

impl ByteRangeEncoder {
    /// An empty encoder.
    pub fn new() -> ByteRangeEncoder {
        ByteRangeEncoder::default()
    }

    fn shift_low(&mut self) {
        if self.low < 0xFF << (WINDOW - 8) || self.low > FULL {
            let carry = (self.low >> WINDOW) as u8;
            // The very first cached byte stands for bits above the initial window: always 0, never written.
            if self.started {
                self.out.push(self.cache.wrapping_add(carry));
            }
            self.started = true;
            for _ in 0..self.pending {
                self.out.push(0xFFu8.wrapping_add(carry));
            }
            self.pending = 0;
            self.cache = ((self.low >> (WINDOW - 8)) & 0xFF) as u8;
        } else {
            self.pending += 1;
        }
        self.low = (self.low << 8) & FULL;
    }

    /// Ends the stream with the shortest byte string inside the final interval.
    pub fn finish(mut self) -> Vec<u8> {
        // The multiple of the largest power of two inside [low, low + range).
        let mut v = self.low;
        for t in (0..=WINDOW).rev() {
            let mask = (1u64 << t) - 1;
            let cand = (self.low + mask) & !mask;
            if cand - self.low < self.range {
                v = cand;
                break;
            }
        }
        self.low = v;
        // 7 window bytes plus the cached byte and any pending 0xFF run.
        for _ in 0..9 {
            self.shift_low();
        }
        while self.out.last() == Some(&0) {
            self.out.pop();
        }
        self.out
    }
}

// Always inlined: see `SymbolEncoder::encode`.
impl SymbolEncoder for ByteRangeEncoder {
    #[inline(always)]
    fn push(&mut self, iv: Interval) -> Result<(), EntropyError> {
        let end = u64::from(iv.left) + u64::from(iv.freq);
        if iv.freq == 0 || end > u64::from(CODER_TOTAL) {
            return Err(EntropyError::InconsistentModel {
                reason: "interval is empty or exceeds 2^24",
            });
        }
        let r = self.range >> CODER_PRECISION;
        self.low += r * u64::from(iv.left);
        self.range = if end == u64::from(CODER_TOTAL) {
            self.range - r * u64::from(iv.left)
        } else {
            r * u64::from(iv.freq)
        };
        while self.range < BOTTOM {
            self.shift_low();
            self.range <<= 8;
        }
        Ok(())
    }
}

impl FifoEncoder for ByteRangeEncoder {}

/// Range decoder over a byte slice (reads zeros past its end).
#[derive(Debug, Clone)]
pub struct ByteRangeDecoder<'a> {
    code: u64,
    range: u64,
    input: &'a [u8],
    at: usize,
}

impl<'a> ByteRangeDecoder<'a> {
    /// Starts decoding `input`.
    pub fn new(input: &'a [u8]) -> ByteRangeDecoder<'a> {
        let mut d = ByteRangeDecoder {
            code: 0,
            range: FULL,
            input,
            at: 0,
        };
        for _ in 0..WINDOW / 8 {
            d.code = (d.code << 8) | u64::from(d.byte());
        }
        d
    }

    #[inline]
    fn byte(&mut self) -> u8 {
        let b = self.input.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// Bytes of the input the decoder has consumed or looked ahead at (may exceed the input length).
    pub fn position(&self) -> usize {
        self.at
    }
}

impl SymbolDecoder for ByteRangeDecoder<'_> {
    #[inline(always)]
    fn decode<M: DecodeModel + ?Sized>(&mut self, model: &M) -> Result<u32, EntropyError> {
        let r = self.range >> CODER_PRECISION;
        let slot = (self.code / r).min(u64::from(CODER_TOTAL) - 1) as u32;
        let (sym, iv) = model.lookup(slot)?;
        let end = u64::from(iv.left) + u64::from(iv.freq);
        if iv.freq == 0 || end > u64::from(CODER_TOTAL) || slot < iv.left || u64::from(slot) >= end {
            return Err(EntropyError::InconsistentModel {
                reason: "model lookup returned an interval not containing the slot",
            });
        }
        self.code -= r * u64::from(iv.left);
        self.range = if end == u64::from(CODER_TOTAL) {
            self.range - r * u64::from(iv.left)
        } else {
            r * u64::from(iv.freq)
        };
        if self.code >= self.range {
            return Err(EntropyError::CorruptStream {
                reason: "byte range-coded stream is inconsistent",
            });
        }
        while self.range < BOTTOM {
            self.code = (self.code << 8) | u64::from(self.byte());
            self.range <<= 8;
        }
        Ok(sym)
    }
}

impl FifoDecoder for ByteRangeDecoder<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{leaky_quantize, CdfFn};

    #[test]
    fn round_trips_skewed_and_uniform_symbols() {
        let skew = |a: u32| leaky_quantize(1.0 - 0.5f64.powi(a as i32), a, 256, 24);
        let flat = |a: u32| leaky_quantize(f64::from(a) / 256.0, a, 256, 24);
        let mut seq = Vec::new();
        let mut x = 12345u64;
        for i in 0..3000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let s = if i % 3 == 0 {
                (x >> 56) as u32
            } else {
                ((x >> 60) % 4) as u32
            };
            seq.push(s);
        }
        for len in [0usize, 1, 2, 7, 100, 3000] {
            let mut enc = ByteRangeEncoder::new();
            let mut ideal = 0.0;
            for (i, &s) in seq[..len].iter().enumerate() {
                let m = CdfFn::new(256, 24, if i % 3 == 0 { flat } else { skew }).unwrap();
                ideal += crate::EncodeModel::interval(&m, s).unwrap().bits();
                enc.encode(s, &m).unwrap();
            }
            let bytes = enc.finish();
            assert!(
                (bytes.len() * 8) as f64 <= ideal + 16.0,
                "{len}: {} bytes for {ideal} bits",
                bytes.len()
            );
            let mut dec = ByteRangeDecoder::new(&bytes);
            for (i, &s) in seq[..len].iter().enumerate() {
                let m = CdfFn::new(256, 24, if i % 3 == 0 { flat } else { skew }).unwrap();
                assert_eq!(dec.decode(&m).unwrap(), s, "symbol {i} of {len}");
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        let flat = |a: u32| leaky_quantize(f64::from(a) / 256.0, a, 256, 24);
        let m = CdfFn::new(256, 24, flat).unwrap();
        for seed in 0..50u8 {
            let bytes: Vec<u8> = (0..20)
                .map(|i: u8| i.wrapping_mul(seed).wrapping_add(seed))
                .collect();
            let mut dec = ByteRangeDecoder::new(&bytes);
            for _ in 0..100 {
                if dec.decode(&m).is_err() {
                    break;
                }
            }
        }
    }
}
