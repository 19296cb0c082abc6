//! The two traits through which every model reaches a coder.
//!
//! All coders run at [`CODER_PRECISION`] = 24 bits (constriction's default preset: `u32` words, `u64` state). A model
//! describes each symbol as an [`Interval`] of that 24-bit range; tables of lower precision are scaled up by an exact
//! left shift, so their probabilities are unchanged. Every model in this crate implements both traits, and so can a
//! codec's own model (the PC coder's lazily evaluated CDF goes through [`crate::CdfFn`]).

use crate::error::Result;

/// Precision, in bits, at which every coder runs (2^24 slots).
pub const CODER_PRECISION: u32 = 24;
/// Total number of slots at [`CODER_PRECISION`].
pub const CODER_TOTAL: u32 = 1 << CODER_PRECISION;

/// One symbol's share of the coder's range: slots `left..left + freq` out of [`CODER_TOTAL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// First slot of the symbol.
    pub left: u32,
    /// Number of slots (> 0).
    pub freq: u32,
}

impl Interval {
    /// Information content `−log2(freq / 2^24)` of this interval in bits.
    #[inline]
    pub fn bits(self) -> f64 {
        f64::from(CODER_PRECISION) - f64::from(self.freq).log2()
    }
}

/// The encoder's view of a model: the interval of a symbol.
pub trait EncodeModel {
    /// Number of symbols of the alphabet (symbols are `0..num_symbols`).
    fn num_symbols(&self) -> u32;

    /// The interval of `symbol`. Errors if the symbol is outside the alphabet or the model is inconsistent.
    fn interval(&self, symbol: u32) -> Result<Interval>;
}

/// The decoder's view of a model: which symbol owns a slot.
pub trait DecodeModel {
    /// The symbol whose interval contains `slot` (`slot < 2^24`), with that interval.
    ///
    /// Implementations must return an interval with `left <= slot < left + freq`, or an error.
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)>;
}

impl<M: EncodeModel + ?Sized> EncodeModel for &M {
    #[inline]
    fn num_symbols(&self) -> u32 {
        (**self).num_symbols()
    }
    #[inline]
    fn interval(&self, symbol: u32) -> Result<Interval> {
        (**self).interval(symbol)
    }
}

impl<M: DecodeModel + ?Sized> DecodeModel for &M {
    #[inline]
    fn lookup(&self, slot: u32) -> Result<(u32, Interval)> {
        (**self).lookup(slot)
    }
}
