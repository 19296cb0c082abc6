//! Adaptive integer categorical model: frequency counts updated identically by encoder and decoder
//! (DESIGN.md §4 rule 1), with periodic rescaling.
//!
//! Every count is >= 1 and the total `T` never exceeds `limit <= 2^24`. Symbol `a` owns the slots
//! `⌊C(a)·2^24/T⌋..⌊C(a+1)·2^24/T⌋`, where `C` are prefix sums; because every count is >= 1 and `T <= 2^24`, each
//! interval is nonempty. After coding a symbol its count grows by `increment`; when the total would exceed `limit`,
//! all counts are halved (rounding up). Prefix sums live in a Fenwick tree, so coding costs `O(log n)`.

use crate::coder::{FifoDecoder, FifoEncoder};
use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval, CODER_PRECISION, CODER_TOTAL};

/// Adaptation speed of an [`AdaptiveModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AdaptiveConfig {
    /// Added to a symbol's count after it is coded (>= 1).
    pub increment: u32,
    /// Total count at which all counts are halved (`2·(n + increment) <= limit <= 2^24`).
    pub limit: u32,
}

impl Default for AdaptiveConfig {
    /// Increment 32, limit 2^16: fast early learning, a memory of roughly the last 2 000 symbols.
    fn default() -> Self {
        Self {
            increment: 32,
            limit: 1 << 16,
        }
    }
}

/// An adaptive categorical model over `0..n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdaptiveModel {
    counts: Vec<u32>,
    /// Fenwick tree over `counts`, 1-based (`tree[0]` unused).
    tree: Vec<u32>,
    total: u32,
    config: AdaptiveConfig,
}

impl AdaptiveModel {
    /// A model over `n` symbols starting from uniform counts (all 1).
    pub fn new(n: u32, config: AdaptiveConfig) -> Result<Self> {
        let counts = vec![1; n as usize];
        Self::with_counts(&counts, config)
    }

    /// A model starting from `initial` counts (a prior, e.g. a histogram); zeros become 1, and counts are halved
    /// until they fit the limit.
    pub fn with_counts(initial: &[u32], config: AdaptiveConfig) -> Result<Self> {
        let n = initial.len() as u64;
        if n == 0 || n > u64::from(CODER_TOTAL) / 4 {
            return Err(EntropyError::AlphabetSize {
                symbols: n,
                max: u64::from(CODER_TOTAL) / 4,
            });
        }
        if config.increment == 0 {
            return Err(EntropyError::InvalidConfig {
                reason: "increment must be >= 1",
            });
        }
        let need = 2 * (n + u64::from(config.increment));
        if u64::from(config.limit) < need || config.limit > CODER_TOTAL {
            return Err(EntropyError::InvalidConfig {
                reason: "limit must satisfy 2*(symbols + increment) <= limit <= 2^24",
            });
        }
        let mut counts: Vec<u32> = initial.iter().map(|&c| c.max(1)).collect();
        loop {
            let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
            if total <= u64::from(config.limit) {
                break;
            }
            counts.iter_mut().for_each(|c| *c = c.div_ceil(2));
        }
        let mut model = Self {
            tree: vec![0; counts.len() + 1],
            counts,
            total: 0,
            config,
        };
        model.rebuild();
        Ok(model)
    }

    /// The configuration.
    pub fn config(&self) -> AdaptiveConfig {
        self.config
    }

    /// Current counts.
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// Current total count.
    pub fn total(&self) -> u32 {
        self.total
    }

    fn rebuild(&mut self) {
        let n = self.counts.len();
        self.tree.iter_mut().for_each(|t| *t = 0);
        for i in 1..=n {
            self.tree[i] += self.counts[i - 1];
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                self.tree[parent] += self.tree[i];
            }
        }
        self.total = self.counts.iter().sum();
    }

    /// Sum of the counts of symbols `< a`.
    #[inline]
    fn prefix(&self, a: usize) -> u32 {
        let mut i = a;
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i &= i - 1;
        }
        sum
    }

    #[inline]
    fn scale(&self, c: u32) -> u32 {
        ((u64::from(c) << CODER_PRECISION) / u64::from(self.total)) as u32
    }

    /// Records that `symbol` was coded (both sides call this in the same order).
    pub fn update(&mut self, symbol: u32) -> Result<()> {
        let s = symbol as usize;
        if s >= self.counts.len() {
            return Err(self.out_of_range(symbol));
        }
        if self.total + self.config.increment > self.config.limit {
            self.counts.iter_mut().for_each(|c| *c = c.div_ceil(2));
            self.rebuild();
        }
        let inc = self.config.increment;
        self.counts[s] += inc;
        self.total += inc;
        let n = self.counts.len();
        let mut i = s + 1;
        while i <= n {
            self.tree[i] += inc;
            i += i & i.wrapping_neg();
        }
        Ok(())
    }

    fn out_of_range(&self, symbol: u32) -> EntropyError {
        EntropyError::SymbolOutOfRange {
            symbol: u64::from(symbol),
            symbols: self.counts.len() as u64,
        }
    }

    /// Encodes `symbol` under the current counts, then updates them.
    pub fn encode<E: FifoEncoder + ?Sized>(&mut self, enc: &mut E, symbol: u32) -> Result<()> {
        enc.encode(symbol, &*self)?;
        self.update(symbol)
    }

    /// Decodes a symbol under the current counts, then updates them.
    pub fn decode<D: FifoDecoder + ?Sized>(&mut self, dec: &mut D) -> Result<u32> {
        let symbol = dec.decode(&*self)?;
        self.update(symbol)?;
        Ok(symbol)
    }
}

impl EncodeModel for AdaptiveModel {
    #[inline]
    fn num_symbols(&self) -> u32 {
        self.counts.len() as u32
    }

    #[inline]
    fn interval(&self, symbol: u32) -> Result<Interval> {
        let s = symbol as usize;
        let count = *self.counts.get(s).ok_or_else(|| self.out_of_range(symbol))?;
        let c = self.prefix(s);
        let left = self.scale(c);
        Ok(Interval {
            left,
            freq: self.scale(c + count) - left,
        })
    }
}

impl DecodeModel for AdaptiveModel {
    #[inline]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        // Largest a with ⌊C(a)·2^24/T⌋ <= slot  ⇔  C(a) <= ((slot + 1)·T − 1) / 2^24.
        let target = (((u64::from(slot) + 1) * u64::from(self.total) - 1) >> CODER_PRECISION) as u32;
        let n = self.counts.len();
        let mut pos = 0usize;
        let mut rem = target;
        let mut step = 1usize << (usize::BITS - 1 - n.leading_zeros());
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= rem {
                pos = next;
                rem -= self.tree[next];
            }
            step >>= 1;
        }
        // pos symbols have prefix sum <= target; symbol `pos` is the one containing the slot.
        let Some(&count) = self.counts.get(pos) else {
            return Err(EntropyError::CorruptStream {
                reason: "slot beyond the adaptive model's range",
            });
        };
        let c = target - rem;
        let left = self.scale(c);
        Ok((
            pos as u32,
            Interval {
                left,
                freq: self.scale(c + count) - left,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_tile_and_lookup_agrees() {
        let mut m = AdaptiveModel::new(
            13,
            AdaptiveConfig {
                increment: 7,
                limit: 300,
            },
        )
        .unwrap();
        for step in 0..500u32 {
            let mut next = 0;
            for s in 0..13 {
                let iv = m.interval(s).unwrap();
                assert_eq!(iv.left, next);
                assert!(iv.freq > 0);
                next = iv.left + iv.freq;
                assert_eq!(m.lookup(iv.left).unwrap(), (s, iv));
                assert_eq!(m.lookup(next - 1).unwrap(), (s, iv));
            }
            assert_eq!(next, CODER_TOTAL);
            m.update((step * step) % 13 % 4).unwrap();
            assert!(m.total() <= 300);
        }
    }

    #[test]
    fn config_validation() {
        let bad = AdaptiveConfig {
            increment: 32,
            limit: 100,
        };
        assert!(AdaptiveModel::new(256, bad).is_err());
        assert!(AdaptiveModel::new(0, AdaptiveConfig::default()).is_err());
        let big = AdaptiveModel::with_counts(&[u32::MAX, 0, 5], AdaptiveConfig::default()).unwrap();
        assert!(big.total() <= 1 << 16);
        assert!(big.counts().iter().all(|&c| c >= 1));
    }
}
