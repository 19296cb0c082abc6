//! The uniform model over `n` symbols (what the VQGAN paper codes its indices with) and raw-bit helpers.
//!
//! Symbol `a` owns slots `⌊a·2^24/n⌋..⌊(a+1)·2^24/n⌋`, computed on the fly (no table), so `n` may be anything in
//! `1..=2^24`. [`encode_bits`] / [`decode_bits`] code up to 32 raw bits as 16-bit uniform chunks.

use crate::coder::{SymbolDecoder, SymbolEncoder};
use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval, CODER_PRECISION, CODER_TOTAL};

/// Uniform distribution over `0..n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uniform {
    n: u32,
}

impl Uniform {
    /// The uniform model over `n` symbols, `1 <= n <= 2^24`.
    pub fn new(n: u32) -> Result<Self> {
        if n == 0 || n > CODER_TOTAL {
            return Err(EntropyError::AlphabetSize {
                symbols: u64::from(n),
                max: u64::from(CODER_TOTAL),
            });
        }
        Ok(Self { n })
    }

    #[inline]
    fn left(&self, a: u32) -> u32 {
        ((u64::from(a) << CODER_PRECISION) / u64::from(self.n)) as u32
    }
}

impl EncodeModel for Uniform {
    #[inline]
    fn num_symbols(&self) -> u32 {
        self.n
    }

    #[inline]
    fn interval(&self, symbol: u32) -> Result<Interval> {
        if symbol >= self.n {
            return Err(EntropyError::SymbolOutOfRange {
                symbol: u64::from(symbol),
                symbols: u64::from(self.n),
            });
        }
        let left = self.left(symbol);
        Ok(Interval {
            left,
            freq: self.left(symbol + 1) - left,
        })
    }
}

impl DecodeModel for Uniform {
    #[inline]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        // Largest a with ⌊a·2^24/n⌋ <= slot  ⇔  a <= ((slot + 1)·n − 1) / 2^24.
        let a = (((u64::from(slot) + 1) * u64::from(self.n) - 1) >> CODER_PRECISION) as u32;
        let a = a.min(self.n - 1);
        Ok((a, self.interval(a)?))
    }
}

/// The interval of a `bits`-bit raw value (`bits <= 16`).
#[inline]
pub(crate) fn raw_interval(value: u32, bits: u32) -> Interval {
    let shift = CODER_PRECISION - bits;
    Interval {
        left: value << shift,
        freq: 1 << shift,
    }
}

/// Appends the intervals of the low `bits` bits of `value` (`bits <= 32`), high chunk first, 16 bits per chunk.
pub(crate) fn bits_intervals(value: u32, bits: u32, out: &mut Vec<Interval>) {
    let mut remaining = bits.min(32);
    while remaining > 0 {
        let chunk = remaining.min(16);
        remaining -= chunk;
        let part = (u64::from(value) >> remaining) as u32 & ((1u32 << chunk) - 1);
        out.push(raw_interval(part, chunk));
    }
}

/// Encodes the low `bits` bits (`bits <= 32`) of `value` with probability 1/2 each.
pub fn encode_bits<E: SymbolEncoder + ?Sized>(enc: &mut E, value: u32, bits: u32) -> Result<()> {
    let mut ivs = Vec::with_capacity(2);
    bits_intervals(value, bits, &mut ivs);
    enc.push_group(&ivs)
}

/// Decodes `bits` raw bits (`bits <= 32`) written by [`encode_bits`].
pub fn decode_bits<D: SymbolDecoder + ?Sized>(dec: &mut D, bits: u32) -> Result<u32> {
    let mut remaining = bits.min(32);
    let mut value = 0u64;
    while remaining > 0 {
        let chunk = remaining.min(16);
        remaining -= chunk;
        let part = dec.decode(&RawBits(chunk))?;
        value = (value << chunk) | u64::from(part);
    }
    Ok(value as u32)
}

/// Decoder view of a `bits`-bit raw chunk.
struct RawBits(u32);

impl DecodeModel for RawBits {
    #[inline]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        let v = slot >> (CODER_PRECISION - self.0);
        Ok((v, raw_interval(v, self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_exactly() {
        for n in [1u32, 2, 3, 7, 256, 1000, 1 << 24] {
            let u = Uniform::new(n).unwrap();
            let last = u.interval(n - 1).unwrap();
            assert_eq!(last.left + last.freq, CODER_TOTAL);
            for s in [0, n / 2, n - 1] {
                let iv = u.interval(s).unwrap();
                assert!(iv.freq > 0);
                assert_eq!(u.lookup(iv.left).unwrap(), (s, iv));
                assert_eq!(u.lookup(iv.left + iv.freq - 1).unwrap(), (s, iv));
            }
        }
        assert!(Uniform::new(0).is_err());
        assert!(Uniform::new((1 << 24) + 1).is_err());
    }
}
