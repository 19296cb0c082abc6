//! Quality levels (spec B1.2–B1.3): each level is a codebook of S entries — the trained K-entry codebook reduced
//! by usage-weighted k-means, then fine-tuned — with its own `quant_conv` / `post_quant_conv` (1×1 convolutions,
//! i.e. per-position affine maps) and the index counts on the training set (the entropy coder's prior).
//!
//! Inference runs these maps on the CPU in plain `f32` (the networks before and after stay on the burn device), so
//! an index is a pure function of the encoder output and the look-up is exact.

use crate::VqganError;
use cinder_nn::vq::Codebooks;

/// One quality level: S codes of the code dimension and the affine maps around them.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// The S entries (`layers = groups = 1`).
    pub codebook: Codebooks,
    /// `quant_conv`: `code_dim × z_channels` weights (row-major: output × input) and `code_dim` biases.
    pub quant_w: Vec<f32>,
    /// Bias of `quant_conv`.
    pub quant_b: Vec<f32>,
    /// `post_quant_conv`: `z_channels × code_dim` weights and `z_channels` biases.
    pub post_w: Vec<f32>,
    /// Bias of `post_quant_conv`.
    pub post_b: Vec<f32>,
    /// Index counts on the training set (≥ 1 each).
    pub usage: Vec<u32>,
    /// Rank-octave counts of the context coder on the training set (`contexts × octaves`, or empty:
    /// [`crate::indices::rank_statistics`]).
    pub rank_prior: Vec<u32>,
    /// Neighbour-pair counts on the training set (`S³`: (left, up) context × index), or empty; only levels with
    /// S ≤ [`crate::indices::PAIR_MAX_CODES`] carry one ([`crate::indices::pair_statistics`]).
    pub pair_prior: Vec<u32>,
}

fn affine(w: &[f32], b: &[f32], x: &[f32], out: &mut [f32]) {
    let n = x.len();
    for (o, (row, bias)) in out.iter_mut().zip(w.chunks(n).zip(b)) {
        *o = bias + row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>();
    }
}

impl Level {
    /// Checks the shapes against `z_channels` and `code_dim`.
    pub fn validate(&self, z: usize, d: usize) -> Result<(), VqganError> {
        let c = &self.codebook;
        let ok = c.dim == d
            && c.layers == 1
            && c.groups == 1
            && self.quant_w.len() == d * z
            && self.quant_b.len() == d
            && self.post_w.len() == z * d
            && self.post_b.len() == z
            && self.usage.len() == c.codes
            && c.codes.is_power_of_two()
            && c.codes >= 2
            && (self.pair_prior.is_empty()
                || (c.codes <= crate::indices::PAIR_MAX_CODES && self.pair_prior.len() == c.codes.pow(3)));
        let finite = [&self.quant_w, &self.quant_b, &self.post_w, &self.post_b]
            .iter()
            .all(|v| v.iter().all(|x| x.is_finite()));
        if !ok || !finite {
            return Err(VqganError::BadWeights(format!(
                "level with {} codes does not fit z = {z}, d = {d}",
                c.codes
            )));
        }
        Ok(())
    }

    /// Codes S of this level.
    pub fn codes(&self) -> usize {
        self.codebook.codes
    }

    /// Bits an index costs with uniform coding (`log2 S`).
    pub fn bits(&self) -> u32 {
        self.codes().trailing_zeros()
    }

    /// The code-space vector of an encoder output (`quant_conv`).
    pub fn project(&self, z: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0f32; self.quant_b.len()];
        affine(&self.quant_w, &self.quant_b, z, &mut out);
        out
    }

    /// The index of an encoder output `z` (`z_channels` values).
    pub fn index(&self, z: &[f32]) -> u16 {
        self.codebook.nearest(0, &self.project(z)).0 as u16
    }

    /// The decoder input (`post_quant_conv`) of a code-space vector.
    pub fn post(&self, code: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0f32; self.post_b.len()];
        affine(&self.post_w, &self.post_b, code, &mut out);
        out
    }

    /// Entry `index` (clamped to the codebook).
    pub fn entry(&self, index: u16) -> &[f32] {
        self.codebook.entry(0, usize::from(index).min(self.codes() - 1))
    }
}

#[cfg(test)]
pub(crate) fn toy_level(z: usize, d: usize, codes: usize) -> Level {
    let data: Vec<f32> = (0..codes * d).map(|i| ((i * 7919) % 13) as f32 - 6.0).collect();
    Level {
        codebook: Codebooks::new(1, 1, codes, d, data).unwrap(),
        quant_w: (0..d * z)
            .map(|i| if i % (z + 1) == 0 { 1.0 } else { 0.0 })
            .collect(),
        quant_b: vec![0.0; d],
        post_w: (0..z * d)
            .map(|i| if i % (d + 1) == 0 { 1.0 } else { 0.0 })
            .collect(),
        post_b: vec![0.5; z],
        usage: vec![1; codes],
        rank_prior: Vec::new(),
        pair_prior: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_maps_and_nearest_index() {
        let level = toy_level(3, 2, 8);
        level.validate(3, 2).unwrap();
        assert!(level.validate(4, 2).is_err());
        assert_eq!(level.bits(), 3);
        let e = level.entry(5).to_vec();
        // quant_conv is the identity on the first two channels.
        assert_eq!(level.entry(level.index(&[e[0], e[1], 9.0])), &e[..]);
        assert_eq!(level.post(&[1.0, 2.0]), vec![1.5, 2.5, 0.5]);
    }
}
