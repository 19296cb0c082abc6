//! HiFi-GAN's multi-period discriminator (spec §1.6), narrowed to 1/8 of the reference's width (recipe A, §6.2).
//!
//! For each period p ∈ {2, 3, 5, 7, 11} the waveform is cut to a multiple of p and folded to `[batch, 1, T/p, p]`,
//! so every column holds the samples p apart; four `(5, 1)` convolutions with stride `(3, 1)` (channels
//! 1 → 4 → 16 → 64 → 128; the reference: 32, 128, 512, 1024), one `(5, 1)` convolution 128 → 128 and a `(3, 1)`
//! post convolution to one logit per position; LeakyReLU(0.1) after every layer but the last. The features are
//! the five hidden layers' outputs. Deviations: the tail is cut instead of reflect-padded, no weight norm.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::PaddingConfig2d;
use burn::tensor::activation::leaky_relu;
use burn::tensor::{Device, Tensor};

/// The periods of the sub-discriminators (the reference's).
pub const PERIODS: [usize; 5] = [2, 3, 5, 7, 11];
/// Channels of the five hidden layers (1/8 of the reference's 32, 128, 512, 1024, 1024).
pub const CHANNELS: [usize; 5] = [4, 16, 64, 128, 128];

/// One period's sub-discriminator (the period is its index in [`PERIODS`]).
#[derive(Module, Debug)]
pub struct PeriodDisc {
    convs: Vec<Conv2d>,
    post: Conv2d,
}

impl PeriodDisc {
    /// A fresh sub-discriminator on `device`.
    pub fn new(device: &Device) -> Self {
        let mut convs = Vec::with_capacity(CHANNELS.len());
        let mut from = 1;
        for (i, &to) in CHANNELS.iter().enumerate() {
            let stride = if i + 1 < CHANNELS.len() { 3 } else { 1 };
            convs.push(
                Conv2dConfig::new([from, to], [5, 1])
                    .with_stride([stride, 1])
                    .with_padding(PaddingConfig2d::Explicit(2, 0, 2, 0))
                    .init(device),
            );
            from = to;
        }
        PeriodDisc {
            convs,
            post: Conv2dConfig::new([from, 1], [3, 1])
                .with_padding(PaddingConfig2d::Explicit(1, 0, 1, 0))
                .init(device),
        }
    }

    /// Waveform `[batch, 1, samples]` → (logits, features) at `period`.
    pub fn forward(&self, wave: Tensor<3>, period: usize) -> (Tensor<4>, Vec<Tensor<4>>) {
        let [b, _, n] = wave.dims();
        let rows = n / period;
        let mut h = wave.narrow(2, 0, rows * period).reshape([b, 1, rows, period]);
        let mut features = Vec::with_capacity(self.convs.len());
        for conv in &self.convs {
            h = leaky_relu(conv.forward(h), 0.1);
            features.push(h.clone());
        }
        (self.post.forward(h), features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    #[test]
    fn folds_by_period_and_strides_the_rows() {
        let device = Device::flex();
        let d = PeriodDisc::new(&device);
        let wave = Tensor::<3>::from_data(TensorData::new(vec![0.1f32; 2 * 1000], [2, 1, 1000]), &device);
        for p in PERIODS {
            let (logits, feats) = d.forward(wave.clone(), p);
            assert_eq!(feats.len(), CHANNELS.len());
            let mut rows = 1000 / p;
            for (f, &c) in feats.iter().zip(&CHANNELS).take(4) {
                rows = (rows + 4 - 5) / 3 + 1;
                assert_eq!(f.dims(), [2, c, rows, p]);
            }
            assert_eq!(logits.dims(), [2, 1, rows, p]);
        }
    }
}
