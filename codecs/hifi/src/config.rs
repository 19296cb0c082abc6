//! The network shape (spec §1.2–1.5, scaled per §6.2): 16 kHz, hop 320 (50 Hz frames), encoder strides
//! (2, 4, 5, 8) with kernels (4, 8, 11, 16), decoder rates (8, 5, 4, 2) with kernels (16, 11, 8, 4), GRVQ of
//! `groups × layers` codebooks of `codes` entries, each over `latent / groups` channels.

use crate::HifiError;

/// Sample rate of the codec.
pub const SAMPLE_RATE: u32 = 16_000;
/// Samples per latent frame (the product of the strides).
pub const HOP: usize = 320;
/// Encoder strides and kernels (the decoder's, reversed).
pub const ENC_STAGES: [(usize, usize); 4] = [(2, 4), (4, 8), (5, 11), (8, 16)];
/// Decoder upsampling rates and kernels.
pub const DEC_STAGES: [(usize, usize); 4] = [(8, 16), (5, 11), (4, 8), (2, 4)];
/// Dilations of every ResBlock1 (HiFi-GAN V1).
pub const DILATIONS: [usize; 3] = [1, 3, 5];

/// The shape of one HiFi-Codec model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HifiConfig {
    /// Encoder channels after `conv_pre`; doubled by every stage (spec: 32; recipe A: 8).
    pub enc_base: usize,
    /// Latent channels per frame (spec: 512).
    pub latent: usize,
    /// Decoder channels after `conv_pre`; halved by every stage (spec: 512).
    pub dec_base: usize,
    /// ResBlock1 kernel sizes of each multi-receptive-field block (spec: 3, 7, 11).
    pub kernels: [usize; 2],
    /// How many of `kernels` are used (1 or 2).
    pub blocks: usize,
    /// Codebook groups (spec: 2).
    pub groups: usize,
    /// Residual layers (spec: 2); quality level q uses the first q.
    pub layers: usize,
    /// Entries per codebook (spec: 1024, i.e. 10 bits per token).
    pub codes: usize,
}

impl Default for HifiConfig {
    fn default() -> Self {
        HifiConfig {
            enc_base: 16,
            latent: 128,
            dec_base: 192,
            kernels: [3, 7],
            blocks: 1,
            groups: 2,
            layers: 2,
            codes: 1024,
        }
    }
}

impl HifiConfig {
    /// Channels of one codebook entry.
    pub fn code_dim(&self) -> usize {
        self.latent / self.groups
    }

    /// Number of codebooks (`groups × layers`), i.e. tokens per frame at the top quality.
    pub fn codebooks(&self) -> usize {
        self.groups * self.layers
    }

    /// Rejects shapes the networks cannot be built with.
    pub fn validate(&self) -> Result<(), HifiError> {
        let bad = |m: String| Err(HifiError::BadWeights(m));
        if self.enc_base == 0 || self.enc_base > 512 || self.dec_base < 16 || self.dec_base > 2048 {
            return bad(format!(
                "channel widths {} / {} out of range",
                self.enc_base, self.dec_base
            ));
        }
        if self.groups == 0 || self.latent == 0 || self.latent % self.groups != 0 || self.latent > 2048 {
            return bad(format!(
                "latent {} is not a multiple of {} groups",
                self.latent, self.groups
            ));
        }
        if !(1..=4).contains(&self.layers) || !(2..=4096).contains(&self.codes) {
            return bad(format!("{} layers of {} codes", self.layers, self.codes));
        }
        if !(1..=2).contains(&self.blocks) || self.kernels.iter().any(|k| k % 2 == 0 || *k > 15) {
            return bad(format!(
                "resblocks {} with kernels {:?}",
                self.blocks, self.kernels
            ));
        }
        if self.dec_base % 16 != 0 {
            return bad(format!("decoder width {} is not a multiple of 16", self.dec_base));
        }
        Ok(())
    }

    /// Serialised as eight little-endian u32 (in the weights file).
    pub fn to_words(&self) -> [u32; 8] {
        [
            self.enc_base as u32,
            self.latent as u32,
            self.dec_base as u32,
            self.kernels[0] as u32,
            self.kernels[1] as u32,
            self.blocks as u32,
            self.groups as u32 | (self.layers as u32) << 16,
            self.codes as u32,
        ]
    }

    /// The inverse of [`HifiConfig::to_words`], validated.
    pub fn from_words(w: [u32; 8]) -> Result<HifiConfig, HifiError> {
        let cfg = HifiConfig {
            enc_base: w[0] as usize,
            latent: w[1] as usize,
            dec_base: w[2] as usize,
            kernels: [w[3] as usize, w[4] as usize],
            blocks: w[5] as usize,
            groups: (w[6] & 0xffff) as usize,
            layers: (w[6] >> 16) as usize,
            codes: w[7] as usize,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Input samples either side that one encoder frame depends on (for chunked encoding).
    pub fn encoder_radius(&self) -> usize {
        let block = |k: usize| DILATIONS.iter().map(|d| d * (k / 2) + k / 2).sum::<usize>();
        let widest = self.kernels[..self.blocks].iter().copied().max().unwrap_or(3);
        let mut rate = 1usize;
        let mut r = 3; // conv_pre, k7
        for (stride, kernel) in ENC_STAGES {
            r += rate * kernel.div_ceil(2);
            rate *= stride;
            r += rate * block(widest);
        }
        r + rate // conv_post, k3
    }

    /// Latent frames either side that one decoded sample depends on (for chunked decoding).
    pub fn decoder_radius_frames(&self) -> usize {
        let block = |k: usize| DILATIONS.iter().map(|d| d * (k / 2) + k / 2).sum::<usize>();
        let widest = self.kernels[..self.blocks].iter().copied().max().unwrap_or(3);
        // Measured in output samples, from the output back to the frames.
        let mut r = 3; // conv_post, k7 at the sample rate
        let mut rate = 1usize;
        for (stride, kernel) in DEC_STAGES.iter().rev() {
            r += rate * block(widest);
            r += rate * kernel.div_ceil(*stride) * stride;
            rate *= stride;
        }
        r += rate * 3; // conv_pre, k7 at the frame rate
        r.div_ceil(HOP) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_words_round_trip_and_validate() {
        let cfg = HifiConfig::default();
        assert_eq!(HifiConfig::from_words(cfg.to_words()).unwrap(), cfg);
        let mut bad = cfg.to_words();
        bad[1] = 127;
        assert!(HifiConfig::from_words(bad).is_err());
        assert_eq!(ENC_STAGES.iter().map(|s| s.0).product::<usize>(), HOP);
        assert_eq!(DEC_STAGES.iter().map(|s| s.0).product::<usize>(), HOP);
    }

    #[test]
    fn receptive_fields_are_plausible() {
        let cfg = HifiConfig::default();
        let r = cfg.encoder_radius();
        assert!((2_000..20_000).contains(&r), "{r}");
        let f = cfg.decoder_radius_frames();
        assert!((2..40).contains(&f), "{f}");
    }
}
