//! Shape of the VQGAN (spec B1.1, scaled per §6.4): an f16 encoder/decoder pair whose first and last factor 2 is a
//! pixel (un)shuffle, so that no convolution runs at full resolution (the CPU budget of §6.2), three strided
//! stages, ResBlocks and a windowed single-head attention in the mid-block; a low-dimensional codebook (spec
//! §6.4: "factorized codes") between two 1×1 convolutions (`quant_conv`, `post_quant_conv`).

use crate::VqganError;

/// Pixels per index along each axis (f16).
pub const FACTOR: usize = 16;

/// Network and codebook shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VqganConfig {
    /// Channels at 1/2, 1/4, 1/8 and 1/16 resolution.
    pub widths: [usize; 4],
    /// Channels of the encoder output / decoder input (before `quant_conv`, after `post_quant_conv`).
    pub z_channels: usize,
    /// Dimension of a codebook entry.
    pub code_dim: usize,
    /// Entries of the full codebook (K = 1024 → 10 bits an index, 0.039 bpp uniform).
    pub codes: usize,
    /// ResBlocks per decoder stage (the encoder has one).
    pub dec_blocks: usize,
    /// Side of the square attention windows, in indices (training crops of 128² are one window).
    pub window: usize,
}

impl Default for VqganConfig {
    fn default() -> Self {
        VqganConfig {
            widths: [32, 64, 96, 128],
            z_channels: 64,
            code_dim: 16,
            codes: 1024,
            dec_blocks: 1,
            window: 8,
        }
    }
}

impl VqganConfig {
    /// The eight config words of the weights file.
    pub fn to_words(&self) -> [u32; 9] {
        let w = |v: usize| v as u32;
        [
            w(self.widths[0]),
            w(self.widths[1]),
            w(self.widths[2]),
            w(self.widths[3]),
            w(self.z_channels),
            w(self.code_dim),
            w(self.codes),
            w(self.dec_blocks),
            w(self.window),
        ]
    }

    /// Parses and validates config words.
    pub fn from_words(words: [u32; 9]) -> Result<VqganConfig, VqganError> {
        let u = |i: usize| words[i] as usize;
        let cfg = VqganConfig {
            widths: [u(0), u(1), u(2), u(3)],
            z_channels: u(4),
            code_dim: u(5),
            codes: u(6),
            dec_blocks: u(7),
            window: u(8),
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks that the shape is buildable and bounded.
    pub fn validate(&self) -> Result<(), VqganError> {
        let bad = |what: &str| Err(VqganError::BadWeights(format!("config {what}: {self:?}")));
        if self.widths.iter().any(|&w| w == 0 || w > 1024) || self.z_channels == 0 || self.z_channels > 1024 {
            return bad("widths");
        }
        if self.widths.iter().any(|&w| w % crate::net::groups(w) != 0) {
            return bad("widths (each a multiple of its GroupNorm groups, width / 8)");
        }
        if self.code_dim == 0 || self.code_dim > 256 {
            return bad("code_dim");
        }
        if !self.codes.is_power_of_two() || !(8..=4096).contains(&self.codes) {
            return bad("codes (a power of two in 8..=4096)");
        }
        if self.dec_blocks == 0 || self.dec_blocks > 4 || self.window == 0 || self.window > 64 {
            return bad("blocks / window");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_bad_shapes_are_refused() {
        let c = VqganConfig::default();
        assert_eq!(VqganConfig::from_words(c.to_words()).unwrap(), c);
        let mut w = c.to_words();
        w[6] = 1000;
        assert!(VqganConfig::from_words(w).is_err());
        w[6] = 1024;
        w[5] = 0;
        assert!(VqganConfig::from_words(w).is_err());
    }
}
