//! The leaky, monotone CDF quantiser (`../shared/specs/pc-lossless.md` §2.5).
//!
//! For an alphabet of `n` symbols and precision `P`, symbol `a` starts at
//! `q(a) = ⌊C(a)·(2^P − n)⌋ + a`, with `q(0) = 0` and `q(n) = 2^P`, where `C(a)` is the model's probability of
//! the values `< a`, clamped to `[0, 1]`. If `C` is non-decreasing, `q` is strictly increasing: every symbol gets at
//! least one slot and the intervals tile `[0, 2^P)` exactly. This is the formula of constriction's `LeakyQuantizer`
//! and of its fast categorical constructor.

use crate::error::{EntropyError, Result};

/// Smallest supported table precision in bits.
pub const MIN_PRECISION: u32 = 12;
/// Largest supported table precision in bits; also the precision every coder runs at.
pub const MAX_PRECISION: u32 = 24;

/// Checks that `precision` lies in [`MIN_PRECISION`]`..=`[`MAX_PRECISION`].
pub fn check_precision(precision: u32) -> Result<()> {
    if (MIN_PRECISION..=MAX_PRECISION).contains(&precision) {
        Ok(())
    } else {
        Err(EntropyError::PrecisionOutOfRange {
            precision,
            min: MIN_PRECISION,
            max: MAX_PRECISION,
        })
    }
}

/// Checks that an alphabet of `symbols` symbols fits a `precision`-bit table (1..=2^precision).
pub fn check_alphabet(symbols: u64, precision: u32) -> Result<()> {
    let max = 1u64 << precision;
    if symbols == 0 || symbols > max {
        Err(EntropyError::AlphabetSize { symbols, max })
    } else {
        Ok(())
    }
}

/// The leaky quantiser for one symbol boundary: `q(a)` from the float CDF value `c = C(a)`.
///
/// `a` ranges over `0..=n`; the ends are pinned (`q(0) = 0`, `q(n) = 2^precision`). NaN is treated as 0. The PC coder
/// evaluates this lazily, once per probed boundary; callers must pass a `c` that is non-decreasing in `a` *as computed*
/// (same operation order for every `a`), otherwise the coder reports [`EntropyError::InconsistentModel`].
#[inline]
pub fn leaky_quantize(c: f64, a: u32, n: u32, precision: u32) -> u32 {
    let total = 1u32 << precision;
    if a == 0 {
        return 0;
    }
    if a >= n {
        return total;
    }
    let c = if c > 0.0 { c.min(1.0) } else { 0.0 };
    let free = f64::from(total - n);
    // `c * free` ≤ free < 2^24, so the cast is exact after flooring.
    let scaled = (c * free).floor() as u32;
    scaled.min(total - n) + a
}

/// The leaky quantiser on integer prefix sums: `q(a) = ⌊prefix·(2^P − n)/total⌋ + a`, exact integer arithmetic.
#[inline]
pub(crate) fn leaky_quantize_counts(prefix: u64, total: u64, a: u32, n: u32, precision: u32) -> u32 {
    let full = 1u32 << precision;
    if a == 0 {
        return 0;
    }
    if a >= n {
        return full;
    }
    let free = u128::from(full - n);
    let scaled = if total == 0 {
        // No information: the uniform distribution.
        free * u128::from(a) / u128::from(n)
    } else {
        free * u128::from(prefix.min(total)) / u128::from(total)
    };
    // scaled ≤ free < 2^24.
    scaled as u32 + a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_pinned_and_strictly_increasing() {
        let n = 5;
        let cs = [0.0, 0.0, 0.5, 0.5, 1.0, 1.0];
        let q: Vec<u32> = (0..=n)
            .map(|a| leaky_quantize(cs[a as usize], a, n, 12))
            .collect();
        assert_eq!(q[0], 0);
        assert_eq!(q[n as usize], 4096);
        assert!(q.windows(2).all(|w| w[0] < w[1]), "{q:?}");
        assert_eq!(leaky_quantize(f64::NAN, 2, 5, 12), 2);
        assert_eq!(leaky_quantize(7.0, 4, 5, 12), 4096 - 5 + 4);
    }

    #[test]
    fn precision_checks() {
        assert!(check_precision(11).is_err());
        assert!(check_precision(12).is_ok());
        assert!(check_precision(24).is_ok());
        assert!(check_precision(25).is_err());
        assert!(check_alphabet(0, 12).is_err());
        assert!(check_alphabet(4096, 12).is_ok());
        assert!(check_alphabet(4097, 12).is_err());
    }
}
