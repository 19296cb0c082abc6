//! `CdfTable`: a validated integer CDF (DESIGN.md §5).
//!
//! A table over `n` symbols at precision `P` (12..=24 bits) stores `n + 1` boundaries `cdf[0] = 0 < cdf[1] < … <
//! cdf[n] = 2^P`; symbol `a` owns the slots `cdf[a]..cdf[a + 1]`, so every symbol has a nonzero probability. Tables
//! are built from counts or float PMFs by the leaky monotone quantiser of [`crate::quantize`], or taken verbatim from
//! integer frequencies / CDFs after validation. Serialisation lives in `cdf_bytes.rs`.

use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval, CODER_PRECISION};
use crate::quantize::{check_alphabet, check_precision, leaky_quantize, leaky_quantize_counts};

/// A validated integer CDF: strictly increasing from 0 to `2^precision`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CdfTable {
    precision: u32,
    /// `precision` shifted up to the coder's 24 bits: `CODER_PRECISION - precision`.
    shift: u32,
    cdf: Vec<u32>,
}

impl CdfTable {
    /// Takes a CDF verbatim (`n + 1` entries, `0 = cdf[0] < … < cdf[n] = 2^precision`) after validating it.
    pub fn from_cdf(precision: u32, cdf: Vec<u32>) -> Result<Self> {
        check_precision(precision)?;
        if cdf.len() < 2 {
            return Err(EntropyError::InvalidCdf {
                reason: "needs at least 2 entries (1 symbol)",
            });
        }
        check_alphabet(cdf.len() as u64 - 1, precision)?;
        if cdf[0] != 0 {
            return Err(EntropyError::InvalidCdf {
                reason: "first entry must be 0",
            });
        }
        if cdf[cdf.len() - 1] != 1 << precision {
            return Err(EntropyError::InvalidCdf {
                reason: "last entry must be 2^precision",
            });
        }
        if cdf.windows(2).any(|w| w[0] >= w[1]) {
            return Err(EntropyError::InvalidCdf {
                reason: "entries must be strictly increasing (every symbol needs a nonzero frequency)",
            });
        }
        Ok(Self::new_unchecked(precision, cdf))
    }

    pub(crate) fn new_unchecked(precision: u32, cdf: Vec<u32>) -> Self {
        Self {
            precision,
            shift: CODER_PRECISION - precision,
            cdf,
        }
    }

    /// Takes integer frequencies verbatim: every entry > 0, sum exactly `2^precision`.
    pub fn from_frequencies(precision: u32, freqs: &[u32]) -> Result<Self> {
        check_precision(precision)?;
        check_alphabet(freqs.len() as u64, precision)?;
        let mut cdf = Vec::with_capacity(freqs.len() + 1);
        let mut acc = 0u64;
        cdf.push(0);
        for &f in freqs {
            if f == 0 {
                return Err(EntropyError::InvalidCdf {
                    reason: "every frequency must be nonzero",
                });
            }
            acc += u64::from(f);
            if acc > 1 << precision {
                return Err(EntropyError::InvalidCdf {
                    reason: "frequencies must sum to exactly 2^precision",
                });
            }
            cdf.push(acc as u32);
        }
        Self::from_cdf(precision, cdf)
    }

    /// Builds a table from non-negative counts (e.g. a histogram) with the leaky quantiser, in exact integer
    /// arithmetic. Zero counts still get one slot; all-zero counts give the uniform table.
    pub fn from_counts(precision: u32, counts: &[u64]) -> Result<Self> {
        check_precision(precision)?;
        check_alphabet(counts.len() as u64, precision)?;
        let total = counts.iter().try_fold(0u64, |acc, &c| acc.checked_add(c)).ok_or(
            EntropyError::InvalidProbabilities {
                reason: "counts overflow u64",
            },
        )?;
        let n = counts.len() as u32;
        let mut cdf = Vec::with_capacity(counts.len() + 1);
        let mut prefix = 0u64;
        for a in 0..=n {
            cdf.push(leaky_quantize_counts(prefix, total, a, n, precision));
            if let Some(&c) = counts.get(a as usize) {
                prefix += c;
            }
        }
        Ok(Self::new_unchecked(precision, cdf))
    }

    /// Builds a table from a float PMF (non-negative, finite, not all zero; need not be normalised) with the leaky
    /// quantiser. Prefix sums are accumulated left to right, so the result is deterministic on every platform.
    pub fn from_pmf(precision: u32, pmf: &[f64]) -> Result<Self> {
        check_precision(precision)?;
        check_alphabet(pmf.len() as u64, precision)?;
        if pmf.iter().any(|p| !p.is_finite() || *p < 0.0) {
            return Err(EntropyError::InvalidProbabilities {
                reason: "probabilities must be finite and >= 0",
            });
        }
        let total: f64 = pmf.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(EntropyError::InvalidProbabilities {
                reason: "probabilities must have a positive, finite sum",
            });
        }
        let n = pmf.len() as u32;
        let mut prefix = 0.0f64;
        let mut cdf = Vec::with_capacity(pmf.len() + 1);
        for a in 0..=n {
            cdf.push(leaky_quantize(prefix / total, a, n, precision));
            if let Some(&p) = pmf.get(a as usize) {
                prefix += p;
            }
        }
        Ok(Self::new_unchecked(precision, cdf))
    }

    /// Builds a table from a float CDF function `c(a)` (the probability of values `< a`, for `a` in `0..=n`) with
    /// the leaky quantiser. A running maximum makes the result monotone even if `c` wobbles by rounding.
    pub fn from_cdf_fn(precision: u32, n: u32, mut c: impl FnMut(u32) -> f64) -> Result<Self> {
        check_precision(precision)?;
        check_alphabet(u64::from(n), precision)?;
        let mut cdf = Vec::with_capacity(n as usize + 1);
        let mut running = 0.0f64;
        for a in 0..=n {
            let v = c(a);
            if v > running {
                running = v;
            }
            cdf.push(leaky_quantize(running, a, n, precision));
        }
        Ok(Self::new_unchecked(precision, cdf))
    }

    /// The uniform table over `n` symbols (`cdf[a] = ⌊a·2^P/n⌋`).
    pub fn uniform(precision: u32, n: u32) -> Result<Self> {
        check_precision(precision)?;
        check_alphabet(u64::from(n), precision)?;
        let total = 1u64 << precision;
        let cdf = (0..=u64::from(n))
            .map(|a| (a * total / u64::from(n)) as u32)
            .collect();
        Ok(Self::new_unchecked(precision, cdf))
    }

    /// Precision `P` in bits (the CDF ends at `2^P`).
    #[inline]
    pub fn precision(&self) -> u32 {
        self.precision
    }

    /// Number of symbols `n`.
    #[inline]
    pub fn len(&self) -> usize {
        self.cdf.len() - 1
    }

    /// Always false: a table has at least one symbol.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `n + 1` CDF entries.
    #[inline]
    pub fn cdf(&self) -> &[u32] {
        &self.cdf
    }

    /// Frequency of `symbol` at the table's precision, or `None` outside the alphabet.
    #[inline]
    pub fn frequency(&self, symbol: u32) -> Option<u32> {
        let s = symbol as usize;
        Some(self.cdf.get(s + 1)? - self.cdf[s])
    }

    /// The per-symbol frequencies (they sum to `2^precision`).
    pub fn frequencies(&self) -> Vec<u32> {
        self.cdf.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// Probability of `symbol` (0 outside the alphabet).
    pub fn probability(&self, symbol: u32) -> f64 {
        self.frequency(symbol)
            .map_or(0.0, |f| f64::from(f) / f64::from(1u32 << self.precision))
    }

    /// Information content of `symbol` in bits, `−log2 p`.
    pub fn bits(&self, symbol: u32) -> Result<f64> {
        Ok(self.interval(symbol)?.bits())
    }

    /// Cross-entropy `−Σ log2 p(s)` of `symbols` under this table, in bits.
    pub fn cross_entropy(&self, symbols: &[u32]) -> Result<f64> {
        symbols.iter().map(|&s| self.bits(s)).sum()
    }
}

impl EncodeModel for CdfTable {
    #[inline]
    fn num_symbols(&self) -> u32 {
        self.len() as u32
    }

    #[inline]
    fn interval(&self, symbol: u32) -> Result<Interval> {
        let s = symbol as usize;
        match (self.cdf.get(s), self.cdf.get(s + 1)) {
            (Some(&l), Some(&r)) => Ok(Interval {
                left: l << self.shift,
                freq: (r - l) << self.shift,
            }),
            _ => Err(EntropyError::SymbolOutOfRange {
                symbol: u64::from(symbol),
                symbols: self.len() as u64,
            }),
        }
    }
}

impl DecodeModel for CdfTable {
    #[inline]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        let target = slot >> self.shift;
        // Largest `a` with cdf[a] <= target; cdf[0] = 0 so a >= 0, and target < 2^P = cdf[n] so a < n.
        let inner = &self.cdf[1..self.cdf.len() - 1];
        let a = inner.partition_point(|&x| x <= target);
        // The coder adapter checks that the interval contains the slot.
        let (l, r) = (self.cdf[a], self.cdf[a + 1]);
        Ok((
            a as u32,
            Interval {
                left: l << self.shift,
                freq: (r - l) << self.shift,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(CdfTable::from_cdf(12, vec![0, 4096]).is_ok());
        assert!(CdfTable::from_cdf(12, vec![0, 10, 10, 4096]).is_err());
        assert!(CdfTable::from_cdf(12, vec![1, 4096]).is_err());
        assert!(CdfTable::from_cdf(12, vec![0, 4095]).is_err());
        assert!(CdfTable::from_cdf(12, vec![0]).is_err());
        assert!(CdfTable::from_cdf(25, vec![0, 1 << 25]).is_err());
        assert!(CdfTable::from_frequencies(12, &[4000, 96]).is_ok());
        assert!(CdfTable::from_frequencies(12, &[4096, 0]).is_err());
        assert!(CdfTable::from_frequencies(12, &[4096, 1]).is_err());
        assert!(CdfTable::from_pmf(12, &[0.0, 0.0]).is_err());
        assert!(CdfTable::from_pmf(12, &[f64::NAN, 1.0]).is_err());
        assert!(CdfTable::from_pmf(12, &[-1.0, 1.0]).is_err());
    }

    #[test]
    fn quantisers_give_nonzero_frequencies() {
        let t = CdfTable::from_counts(12, &[0, 1000, 0, 5, 0]).unwrap();
        assert!(t.frequencies().iter().all(|&f| f > 0));
        assert_eq!(t.cdf()[5], 4096);
        let t = CdfTable::from_pmf(16, &[1e-30, 0.5, 0.0, 0.5]).unwrap();
        assert!(t.frequencies().iter().all(|&f| f > 0));
        let u = CdfTable::from_counts(12, &[0, 0, 0]).unwrap();
        assert_eq!(u, CdfTable::uniform(12, 3).unwrap());
        let f = CdfTable::from_cdf_fn(12, 4, |a| [0.0, 0.3, 0.29, 0.9, 1.0][a as usize]).unwrap();
        assert!(f.cdf().windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn lookup_matches_interval() {
        let t = CdfTable::from_pmf(13, &[0.1, 0.6, 0.0, 0.3]).unwrap();
        for s in 0..4 {
            let iv = t.interval(s).unwrap();
            for slot in [iv.left, iv.left + iv.freq / 2, iv.left + iv.freq - 1] {
                assert_eq!(t.lookup(slot).unwrap(), (s, iv));
            }
        }
        assert!(t.interval(4).is_err());
    }
}
