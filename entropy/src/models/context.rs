//! Context-adaptive model: a set of [`AdaptiveModel`]s indexed by a small integer context that the caller
//! computes from already-coded symbols (left/up neighbours, the previous token, …), identically on both sides.

use super::adaptive::{AdaptiveConfig, AdaptiveModel};
use crate::coder::{FifoDecoder, FifoEncoder};
use crate::error::{EntropyError, Result};

/// Most `contexts × symbols` counts a context model may hold (2^26 ≈ 512 MiB of counts and tree).
pub const MAX_CONTEXT_CELLS: u64 = 1 << 26;

/// `contexts` adaptive models over the same alphabet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextModel {
    models: Vec<AdaptiveModel>,
}

impl ContextModel {
    /// `contexts` uniform adaptive models over `n` symbols.
    pub fn new(contexts: usize, n: u32, config: AdaptiveConfig) -> Result<Self> {
        let cells = contexts as u64 * u64::from(n);
        if contexts == 0 || cells > MAX_CONTEXT_CELLS {
            return Err(EntropyError::InvalidConfig {
                reason: "need 1 <= contexts and contexts * symbols <= 2^26",
            });
        }
        let first = AdaptiveModel::new(n, config)?;
        Ok(Self {
            models: vec![first; contexts],
        })
    }

    /// Context models starting from one prior per context.
    pub fn from_models(models: Vec<AdaptiveModel>) -> Result<Self> {
        if models.is_empty() {
            return Err(EntropyError::InvalidConfig {
                reason: "need at least one context",
            });
        }
        Ok(Self { models })
    }

    /// Number of contexts.
    pub fn contexts(&self) -> usize {
        self.models.len()
    }

    /// The model of context `ctx`.
    pub fn model(&self, ctx: usize) -> Result<&AdaptiveModel> {
        self.models.get(ctx).ok_or(EntropyError::ContextOutOfRange {
            context: ctx,
            contexts: self.models.len(),
        })
    }

    /// The model of context `ctx`, mutably.
    pub fn model_mut(&mut self, ctx: usize) -> Result<&mut AdaptiveModel> {
        let contexts = self.models.len();
        self.models.get_mut(ctx).ok_or(EntropyError::ContextOutOfRange {
            context: ctx,
            contexts,
        })
    }

    /// Encodes `symbol` in context `ctx` and updates that context's counts.
    pub fn encode<E: FifoEncoder + ?Sized>(&mut self, enc: &mut E, ctx: usize, symbol: u32) -> Result<()> {
        self.model_mut(ctx)?.encode(enc, symbol)
    }

    /// Decodes a symbol in context `ctx` and updates that context's counts.
    pub fn decode<D: FifoDecoder + ?Sized>(&mut self, dec: &mut D, ctx: usize) -> Result<u32> {
        self.model_mut(ctx)?.decode(dec)
    }
}
