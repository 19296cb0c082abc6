//! Adaptive coding of ranks (small non-negative integers, mostly near 0): a rank `r` is sent as its octave
//! `⌊log2(r + 1)⌋` (an adaptive model per context) and then the bits below the octave's leading one (adaptive
//! binary models per context, octave and bit position) — an adaptive Elias-gamma code.
//!
//! Used for tokens coded by their rank among a predictor's nearest codebook neighbours (HiFi-Codec's first
//! residual layer against the previous frame, VQGAN indices against the left/upper neighbours).

use super::adaptive::{AdaptiveConfig, AdaptiveModel};
use crate::coder::{FifoDecoder, FifoEncoder};
use crate::error::{EntropyError, Result};

/// Octave and bit models start flat with some inertia, so that one early symbol does not make them
/// overconfident.
const SLOW: AdaptiveConfig = AdaptiveConfig {
    increment: 2,
    limit: 1 << 13,
};

/// Rank models for ranks `0..alphabet`, in `contexts` independent contexts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankModel {
    alphabet: usize,
    octaves: usize,
    octave: Vec<AdaptiveModel>,
    /// `[context][octave][bit]` binary models.
    bits: Vec<AdaptiveModel>,
}

impl RankModel {
    /// Fresh models for ranks below `alphabet` (≥ 1) in `contexts` (≥ 1) contexts.
    pub fn new(alphabet: usize, contexts: usize) -> Result<Self> {
        if alphabet == 0 || alphabet > 1 << 24 || contexts == 0 {
            return Err(EntropyError::AlphabetSize {
                symbols: alphabet as u64,
                max: 1 << 24,
            });
        }
        let octaves = (usize::BITS - alphabet.leading_zeros()) as usize; // ⌊log2(alphabet)⌋ + 1
        Ok(RankModel {
            alphabet,
            octaves,
            octave: (0..contexts)
                .map(|_| AdaptiveModel::with_counts(&vec![4; octaves], SLOW))
                .collect::<Result<_>>()?,
            bits: (0..contexts * octaves * octaves)
                .map(|_| AdaptiveModel::with_counts(&[8, 8], SLOW))
                .collect::<Result<_>>()?,
        })
    }

    /// Models whose octave counts start from `prior` (`contexts × octaves` counts, octaves = ⌊log2(alphabet)⌋ + 1;
    /// e.g. measured on training data), each context scaled to a total of 1024 so that the data still moves
    /// them. An empty prior gives [`RankModel::new`].
    pub fn with_octave_prior(alphabet: usize, contexts: usize, prior: &[u32]) -> Result<Self> {
        let mut m = RankModel::new(alphabet, contexts)?;
        if prior.is_empty() {
            return Ok(m);
        }
        let o = m.octaves;
        if prior.len() != contexts * o {
            return Err(EntropyError::AlphabetSize {
                symbols: prior.len() as u64,
                max: (contexts * o) as u64,
            });
        }
        for (ctx, counts) in prior.chunks(o).enumerate() {
            let total: u64 = counts.iter().map(|&c| u64::from(c)).sum::<u64>().max(1);
            let scaled: Vec<u32> = counts
                .iter()
                .map(|&c| ((u64::from(c) * 96).div_ceil(total)).max(1) as u32)
                .collect();
            m.octave[ctx] = AdaptiveModel::with_counts(&scaled, SLOW)?;
        }
        Ok(m)
    }

    /// Octaves of this alphabet (`⌊log2(alphabet)⌋ + 1`).
    pub fn octaves(&self) -> usize {
        self.octaves
    }

    /// The octave `⌊log2(rank + 1)⌋` a rank is sent in.
    pub fn octave_of(rank: usize) -> usize {
        (usize::BITS - 1 - (rank + 1).leading_zeros()) as usize
    }

    fn check(&self, ctx: usize) -> Result<()> {
        if ctx >= self.octave.len() {
            return Err(EntropyError::ContextOutOfRange {
                context: ctx,
                contexts: self.octave.len(),
            });
        }
        Ok(())
    }

    fn bit(&mut self, ctx: usize, octave: usize, i: usize) -> &mut AdaptiveModel {
        &mut self.bits[(ctx * self.octaves + octave) * self.octaves + i]
    }

    /// Codes `rank` (< alphabet) in context `ctx`.
    pub fn encode<E: FifoEncoder + ?Sized>(&mut self, enc: &mut E, ctx: usize, rank: usize) -> Result<()> {
        self.check(ctx)?;
        if rank >= self.alphabet {
            return Err(EntropyError::SymbolOutOfRange {
                symbol: rank as u64,
                symbols: self.alphabet as u64,
            });
        }
        let v = rank + 1;
        let octave = (usize::BITS - 1 - v.leading_zeros()) as usize;
        self.octave[ctx].encode(enc, octave as u32)?;
        for i in (0..octave).rev() {
            self.bit(ctx, octave, i).encode(enc, ((v >> i) & 1) as u32)?;
        }
        Ok(())
    }

    /// Decodes a rank in context `ctx`; corrupt input gives an error or a rank below the alphabet.
    pub fn decode<D: FifoDecoder + ?Sized>(&mut self, dec: &mut D, ctx: usize) -> Result<usize> {
        self.check(ctx)?;
        let octave = (self.octave[ctx].decode(dec)? as usize).min(self.octaves - 1);
        let mut v = 1usize;
        for i in (0..octave).rev() {
            v = (v << 1) | self.bit(ctx, octave, i).decode(dec)? as usize;
        }
        Ok((v - 1).min(self.alphabet - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ByteRangeDecoder, ByteRangeEncoder};

    #[test]
    fn ranks_round_trip_and_small_ranks_are_cheap() {
        let ranks: Vec<usize> = (0..2000)
            .map(|i| if i % 5 == 0 { (i * 37) % 1024 } else { i % 3 })
            .collect();
        let mut m = RankModel::new(1024, 2).unwrap();
        let mut enc = ByteRangeEncoder::new();
        for (i, &r) in ranks.iter().enumerate() {
            m.encode(&mut enc, i % 2, r).unwrap();
        }
        assert!(m.encode(&mut enc, 0, 1024).is_err());
        assert!(m.encode(&mut enc, 2, 0).is_err());
        let bytes = enc.finish();
        assert!(bytes.len() * 8 < ranks.len() * 4, "{} bytes", bytes.len());
        let mut m = RankModel::new(1024, 2).unwrap();
        let mut dec = ByteRangeDecoder::new(&bytes);
        for (i, &r) in ranks.iter().enumerate() {
            assert_eq!(m.decode(&mut dec, i % 2).unwrap(), r);
        }
        assert!(RankModel::new(0, 1).is_err());
        // A prior matching the data (90 % rank 0, 10 % rank 100, octave 6) is cheaper than learning from flat.
        let mut prior = vec![1u32; 2 * 11];
        prior[0] = 900;
        prior[6] = 100;
        let mut with = RankModel::with_octave_prior(1024, 2, &prior).unwrap();
        let mut flat = RankModel::new(1024, 2).unwrap();
        let (mut a, mut b) = (ByteRangeEncoder::new(), ByteRangeEncoder::new());
        for i in 0..300 {
            let r = if i % 10 == 3 { 100 } else { 0 };
            with.encode(&mut a, 0, r).unwrap();
            flat.encode(&mut b, 0, r).unwrap();
        }
        let (a, b) = (a.finish().len(), b.finish().len());
        assert!(a < b, "{a} ≥ {b}");
        assert!(RankModel::with_octave_prior(1024, 2, &[1, 2]).is_err());
        assert_eq!(RankModel::octave_of(0), 0);
        assert_eq!(RankModel::octave_of(2), 1);
    }
}
