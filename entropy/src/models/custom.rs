//! The custom-model hook: a codec supplies one symbol's CDF from its own deterministic computation.
//!
//! The probabilistic-circuit coder computes, for each pixel in order, a conditional CDF and codes one symbol with
//! it before computing the next (range coder, FIFO). Two shapes are offered:
//!
//! * [`CdfSlice`]: a borrowed `&[u32]` CDF (`n + 1` entries from 0 to `2^P`), checked in O(1) on creation and per
//!   interval while coding;
//! * [`CdfFn`]: a *lazily evaluated* CDF `q(a)`; the encoder calls it twice per symbol and the decoder
//!   `≈ log2 n + 2` times (binary search), so a PC coder need not materialise all 256 boundaries. Build `q` with
//!   [`crate::leaky_quantize`] from a float CDF that is non-decreasing *as computed*.
//!
//! Both report [`EntropyError::InconsistentModel`] instead of panicking when the CDF is not strictly increasing
//! where it is used.

use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval, CODER_PRECISION};
use crate::quantize::{check_alphabet, check_precision};

fn inconsistent(reason: &'static str) -> EntropyError {
    EntropyError::InconsistentModel { reason }
}

/// A borrowed CDF: `cdf[0] = 0`, `cdf[n] = 2^precision`, strictly increasing (checked where used).
#[derive(Debug, Clone, Copy)]
pub struct CdfSlice<'a> {
    cdf: &'a [u32],
    shift: u32,
}

impl<'a> CdfSlice<'a> {
    /// Wraps `cdf` (precision 12..=24). Checks the ends and the length; monotonicity is checked per symbol.
    pub fn new(cdf: &'a [u32], precision: u32) -> Result<Self> {
        check_precision(precision)?;
        if cdf.len() < 2 {
            return Err(inconsistent("CDF needs at least 2 entries"));
        }
        check_alphabet(cdf.len() as u64 - 1, precision)?;
        if cdf[0] != 0 || cdf[cdf.len() - 1] != 1 << precision {
            return Err(inconsistent("CDF must run from 0 to 2^precision"));
        }
        Ok(Self {
            cdf,
            shift: CODER_PRECISION - precision,
        })
    }
}

impl EncodeModel for CdfSlice<'_> {
    #[inline]
    fn num_symbols(&self) -> u32 {
        (self.cdf.len() - 1) as u32
    }

    #[inline]
    fn interval(&self, symbol: u32) -> Result<Interval> {
        let s = symbol as usize;
        let (Some(&l), Some(&r)) = (self.cdf.get(s), self.cdf.get(s + 1)) else {
            return Err(EntropyError::SymbolOutOfRange {
                symbol: u64::from(symbol),
                symbols: self.cdf.len() as u64 - 1,
            });
        };
        if l >= r || r > self.cdf[self.cdf.len() - 1] {
            return Err(inconsistent("CDF is not strictly increasing at the coded symbol"));
        }
        Ok(Interval {
            left: l << self.shift,
            freq: (r - l) << self.shift,
        })
    }
}

impl DecodeModel for CdfSlice<'_> {
    #[inline]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        let target = slot >> self.shift;
        let inner = &self.cdf[1..self.cdf.len() - 1];
        let a = inner.partition_point(|&x| x <= target);
        let (l, r) = (self.cdf[a], self.cdf[a + 1]);
        if !(l <= target && target < r) {
            return Err(inconsistent("CDF is not monotone"));
        }
        Ok((
            a as u32,
            Interval {
                left: l << self.shift,
                freq: (r - l) << self.shift,
            },
        ))
    }
}

/// A lazily evaluated CDF `q(a)` for `a` in `1..n` (the ends `q(0) = 0`, `q(n) = 2^precision` are implied).
#[derive(Debug, Clone, Copy)]
pub struct CdfFn<F> {
    n: u32,
    precision: u32,
    q: F,
}

impl<F: Fn(u32) -> u32> CdfFn<F> {
    /// Wraps `q` for an alphabet of `n` symbols at `precision` bits (12..=24).
    pub fn new(n: u32, precision: u32, q: F) -> Result<Self> {
        check_precision(precision)?;
        check_alphabet(u64::from(n), precision)?;
        Ok(Self { n, precision, q })
    }

    #[inline]
    fn at(&self, a: u32) -> u32 {
        if a == 0 {
            0
        } else if a >= self.n {
            1 << self.precision
        } else {
            (self.q)(a)
        }
    }

    #[inline]
    fn make(&self, l: u32, r: u32) -> Result<Interval> {
        if l >= r || r > 1 << self.precision {
            return Err(inconsistent(
                "CDF function is not strictly increasing within 0..=2^precision",
            ));
        }
        let shift = CODER_PRECISION - self.precision;
        Ok(Interval {
            left: l << shift,
            freq: (r - l) << shift,
        })
    }
}

impl<F: Fn(u32) -> u32> EncodeModel for CdfFn<F> {
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
        self.make(self.at(symbol), self.at(symbol + 1))
    }
}

impl<F: Fn(u32) -> u32> DecodeModel for CdfFn<F> {
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        let target = slot >> (CODER_PRECISION - self.precision);
        // Invariant: q(lo) <= target < q(hi).
        let (mut lo, mut hi) = (0u32, self.n);
        let (mut q_lo, mut q_hi) = (0u32, 1u32 << self.precision);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let q_mid = self.at(mid);
            if q_mid <= target {
                lo = mid;
                q_lo = q_mid;
            } else {
                hi = mid;
                q_hi = q_mid;
            }
        }
        Ok((lo, self.make(q_lo, q_hi)?))
    }
}
