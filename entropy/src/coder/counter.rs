//! A bit-counting "encoder" (rav1e's estimate-bits idea, DESIGN.md §2): it prices each symbol at `−log2 p` under
//! exactly the intervals the real coders would use, so estimates and real sizes come from the same tables.

use super::{check_interval, FifoEncoder, SymbolEncoder};
use crate::error::Result;
use crate::model::{EncodeModel, Interval};

/// Accumulates the information content of everything pushed into it.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct BitCounter {
    bits: f64,
    symbols: u64,
}

impl BitCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Total information content so far, in bits (the ideal code length, without coder overhead).
    pub fn bits(&self) -> f64 {
        self.bits
    }

    /// Number of intervals pushed so far (escapes count their parts).
    pub fn intervals(&self) -> u64 {
        self.symbols
    }
}

impl SymbolEncoder for BitCounter {
    #[inline]
    fn push(&mut self, interval: Interval) -> Result<()> {
        check_interval(interval)?;
        self.bits += interval.bits();
        self.symbols += 1;
        Ok(())
    }
}

impl FifoEncoder for BitCounter {}

/// Information content of `symbols` under one static `model`, in bits.
pub fn estimate_bits<M: EncodeModel + ?Sized>(symbols: &[u32], model: &M) -> Result<f64> {
    let mut counter = BitCounter::new();
    symbols.iter().try_for_each(|&s| counter.encode(s, model))?;
    Ok(counter.bits())
}
