//! Group-residual vector quantisation (spec §1.5): the latent of every frame is split along channels into
//! `groups` slices; each slice goes through `layers` residual stages, each stage with its own codebook. Tokens are
//! ordered layer-major, `[l1g1, l1g2, l2g1, l2g2]` as in the reference; quality level q uses the first q layers
//! (1 kbps / 2 kbps at 1024 codes).
//!
//! The search and look-up are [`cinder_nn::vq::Codebooks`] (plain `f32`, ties to the lowest index, so encoding is
//! a pure function of the latent); training is [`cinder_nn::vq::VqState`] (EMA, k-means initialisation, dead-code
//! restarts). This module sizes them from a [`HifiConfig`].

use crate::config::HifiConfig;
use crate::HifiError;
pub use cinder_nn::vq::Codebooks;

/// The model's codebooks from their entries (`layers × groups × codes × code_dim` values).
pub fn codebooks(cfg: &HifiConfig, data: Vec<f32>) -> Result<Codebooks, HifiError> {
    Codebooks::new(cfg.layers, cfg.groups, cfg.codes, cfg.code_dim(), data)
        .map_err(|e| HifiError::BadWeights(e.to_string()))
}

/// All-zero codebooks of the model's shape (to be trained or loaded).
pub fn zero_codebooks(cfg: &HifiConfig) -> Result<Codebooks, HifiError> {
    codebooks(cfg, vec![0.0; cfg.codebooks() * cfg.codes * cfg.code_dim()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codebooks_follow_the_config() {
        let cfg = HifiConfig {
            latent: 4,
            codes: 3,
            ..HifiConfig::default()
        };
        let books = zero_codebooks(&cfg).unwrap();
        assert_eq!((books.layers, books.groups, books.codes, books.dim), (2, 2, 3, 2));
        assert!(codebooks(&cfg, vec![0.0; 5]).is_err());
    }
}
