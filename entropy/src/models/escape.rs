//! Escape coding for values outside a model's range.
//!
//! An [`Escape`] maps the values `min..min + n` to symbols `0..n` of a base model with `n + 1` symbols; symbol `n`
//! is the escape. An escaped value is followed by its side (below / above the range, one bit) and its distance
//! `d >= 1` from the range in Elias-gamma form: `k = ⌊log2 d⌋` in unary (`k` one-bits, then a zero-bit), then the
//! low `k` bits of `d`. All residual bits have probability 1/2, so an escape costs `−log2 p(escape) + 2k + 2` bits.
//! Decoding a corrupt stream yields an error (unary run > 31, value outside `i32`), never a panic.

use super::adaptive::AdaptiveModel;
use super::context::ContextModel;
use super::uniform::{bits_intervals, decode_bits, raw_interval};
use crate::coder::{FifoDecoder, FifoEncoder, SymbolDecoder, SymbolEncoder};
use crate::error::{EntropyError, Result};
use crate::model::{DecodeModel, EncodeModel, Interval};

/// Maps `i32` values onto a base model's alphabet plus an escape symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Escape {
    min: i32,
    n: u32,
}

impl Escape {
    /// In-range values are `min..min + n` (`n >= 1`, `min + n − 1 <= i32::MAX`); the base model needs `n + 1`
    /// symbols.
    pub fn new(min: i32, n: u32) -> Result<Self> {
        if n == 0 || i64::from(min) + i64::from(n) - 1 > i64::from(i32::MAX) || n >= 1 << 24 {
            return Err(EntropyError::InvalidConfig {
                reason: "escape range needs 1 <= n < 2^24 and min + n - 1 <= i32::MAX",
            });
        }
        Ok(Self { min, n })
    }

    /// Number of symbols the base model must have (`n + 1`).
    pub fn alphabet(&self) -> u32 {
        self.n + 1
    }

    /// The escape symbol (`n`).
    pub fn escape_symbol(&self) -> u32 {
        self.n
    }

    /// The base-model symbol of `value` (the escape symbol if out of range).
    pub fn symbol_of(&self, value: i32) -> u32 {
        let off = i64::from(value) - i64::from(self.min);
        if (0..i64::from(self.n)).contains(&off) {
            off as u32
        } else {
            self.n
        }
    }

    fn check_model(&self, symbols: u32) -> Result<()> {
        if symbols != self.n + 1 {
            return Err(EntropyError::AlphabetSize {
                symbols: u64::from(symbols),
                max: u64::from(self.n + 1),
            });
        }
        Ok(())
    }

    /// Appends the residual intervals of an out-of-range value.
    fn residual(&self, value: i32, out: &mut Vec<Interval>) {
        let (above, d) = if value < self.min {
            (0, (i64::from(self.min) - i64::from(value)) as u64)
        } else {
            (
                1,
                (i64::from(value) - i64::from(self.min) - i64::from(self.n) + 1) as u64,
            )
        };
        out.push(raw_interval(above, 1));
        let k = 63 - d.leading_zeros();
        out.extend((0..k).map(|_| raw_interval(1, 1)));
        out.push(raw_interval(0, 1));
        bits_intervals((d & ((1u64 << k) - 1)) as u32, k, out);
    }

    fn decode_residual<D: SymbolDecoder + ?Sized>(&self, dec: &mut D) -> Result<i32> {
        let corrupt = |reason| EntropyError::CorruptStream { reason };
        let above = decode_bits(dec, 1)?;
        let mut k = 0u32;
        while decode_bits(dec, 1)? == 1 {
            k += 1;
            if k > 31 {
                return Err(corrupt("escape residual longer than 32 bits"));
            }
        }
        let d = (1i64 << k) | i64::from(decode_bits(dec, k)?);
        let v = if above == 1 {
            i64::from(self.min) + i64::from(self.n) - 1 + d
        } else {
            i64::from(self.min) - d
        };
        i32::try_from(v).map_err(|_| corrupt("escaped value outside i32"))
    }

    fn finish_decode<D: SymbolDecoder + ?Sized>(&self, dec: &mut D, symbol: u32) -> Result<i32> {
        if symbol == self.n {
            self.decode_residual(dec)
        } else {
            Ok(self.min + symbol as i32)
        }
    }

    /// Encodes `value` with a static base model (any coder; ANS keeps the parts in order).
    pub fn encode<E, M>(&self, enc: &mut E, value: i32, model: &M) -> Result<()>
    where
        E: SymbolEncoder + ?Sized,
        M: EncodeModel + ?Sized,
    {
        self.check_model(model.num_symbols())?;
        let symbol = self.symbol_of(value);
        let mut ivs = Vec::with_capacity(4);
        ivs.push(model.interval(symbol)?);
        if symbol == self.n {
            self.residual(value, &mut ivs);
        }
        enc.push_group(&ivs)
    }

    /// Decodes a value written by [`Escape::encode`].
    pub fn decode<D, M>(&self, dec: &mut D, model: &M) -> Result<i32>
    where
        D: SymbolDecoder + ?Sized,
        M: DecodeModel + ?Sized,
    {
        let symbol = dec.decode(model)?;
        if symbol > self.n {
            return Err(EntropyError::CorruptStream {
                reason: "base model decoded a symbol beyond the escape",
            });
        }
        self.finish_decode(dec, symbol)
    }

    /// Encodes `value` with an adaptive base model (range coder), updating it.
    pub fn encode_adaptive<E>(&self, enc: &mut E, value: i32, model: &mut AdaptiveModel) -> Result<()>
    where
        E: FifoEncoder + ?Sized,
    {
        self.check_model(model.num_symbols())?;
        let symbol = self.symbol_of(value);
        model.encode(enc, symbol)?;
        if symbol == self.n {
            let mut ivs = Vec::with_capacity(8);
            self.residual(value, &mut ivs);
            enc.push_group(&ivs)?;
        }
        Ok(())
    }

    /// Decodes a value written by [`Escape::encode_adaptive`], updating the model.
    pub fn decode_adaptive<D>(&self, dec: &mut D, model: &mut AdaptiveModel) -> Result<i32>
    where
        D: FifoDecoder + ?Sized,
    {
        self.check_model(model.num_symbols())?;
        let symbol = model.decode(dec)?;
        self.finish_decode(dec, symbol)
    }

    /// Encodes `value` in context `ctx` of a context model (range coder), updating it.
    pub fn encode_context<E>(
        &self,
        enc: &mut E,
        value: i32,
        model: &mut ContextModel,
        ctx: usize,
    ) -> Result<()>
    where
        E: FifoEncoder + ?Sized,
    {
        self.encode_adaptive(enc, value, model.model_mut(ctx)?)
    }

    /// Decodes a value written by [`Escape::encode_context`], updating the model.
    pub fn decode_context<D>(&self, dec: &mut D, model: &mut ContextModel, ctx: usize) -> Result<i32>
    where
        D: FifoDecoder + ?Sized,
    {
        self.decode_adaptive(dec, model.model_mut(ctx)?)
    }
}
