//! Adapters that present this crate's models to constriction as `EntropyModel<24>`s.

use core::cell::Cell;
use core::num::NonZeroU32;

use constriction::stream::model::{DecoderModel, EncoderModel, EntropyModel};

use crate::error::EntropyError;
use crate::model::{DecodeModel, Interval};

/// Precision constant as constriction's const generic.
pub(crate) const PRECISION: usize = 24;

/// A "model" holding exactly one precomputed interval; used for encoding.
#[derive(Clone, Copy)]
pub(crate) struct Raw(pub(crate) Interval);

impl EntropyModel<PRECISION> for Raw {
    type Symbol = ();
    type Probability = u32;
}

impl EncoderModel<PRECISION> for Raw {
    #[inline]
    fn left_cumulative_and_probability(
        &self,
        _symbol: impl core::borrow::Borrow<()>,
    ) -> Option<(u32, NonZeroU32)> {
        Some((self.0.left, NonZeroU32::new(self.0.freq)?))
    }
}

/// Wraps a [`DecodeModel`] for constriction's decoders. `quantile_function` cannot fail, so a failing lookup
/// stores its error here and answers with a harmless one-slot interval; the caller checks `error` afterwards.
pub(crate) struct Lookup<'m, M: ?Sized> {
    pub(crate) model: &'m M,
    pub(crate) error: Cell<Option<EntropyError>>,
}

impl<'m, M: DecodeModel + ?Sized> Lookup<'m, M> {
    #[inline]
    pub(crate) fn new(model: &'m M) -> Self {
        Self {
            model,
            error: Cell::new(None),
        }
    }
}

impl<M: DecodeModel + ?Sized> EntropyModel<PRECISION> for Lookup<'_, M> {
    type Symbol = u32;
    type Probability = u32;
}

impl<M: DecodeModel + ?Sized> DecoderModel<PRECISION> for Lookup<'_, M> {
    #[inline]
    fn quantile_function(&self, quantile: u32) -> (u32, u32, NonZeroU32) {
        let fallback = (0, quantile, NonZeroU32::MIN);
        match self.model.lookup(quantile) {
            // `quantile - left < freq` (wrapping) ⇔ left <= quantile < left + freq, which also implies freq > 0;
            // the second test rules out intervals reaching past 2^24.
            Ok((symbol, iv))
                if quantile.wrapping_sub(iv.left) < iv.freq
                    && u64::from(iv.left) + u64::from(iv.freq) <= 1 << 24 =>
            {
                (
                    symbol,
                    iv.left,
                    NonZeroU32::new(iv.freq).unwrap_or(NonZeroU32::MIN),
                )
            }
            Ok(_) => {
                self.error.set(Some(EntropyError::InconsistentModel {
                    reason: "lookup returned an interval that does not contain the slot",
                }));
                fallback
            }
            Err(e) => {
                self.error.set(Some(e));
                fallback
            }
        }
    }
}
