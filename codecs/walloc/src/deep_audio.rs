//! The deep stereo decoder (spec A1.6, scaled down): an Oobleck-style 1-D network at the latent frame rate
//! (L/256) — a k7 input convolution, residual units `Snake → dilated conv k7 (dilation 1, 3, 9, …) → Snake →
//! conv k1`, then `Snake → conv k7` to the 512 WPT channels — whose output corrects the linear (PCA-transpose)
//! reconstruction, exactly like the image decoder in [`crate::deep`].
//!
//! Deviations from the reference: no weight normalisation, no transposed convolutions (both of the reference's
//! `upsampling_ratios` are 1, so they keep the length anyway), no post-filter, width 128 instead of 756, one
//! decoder for all quality levels (one-hot input like the image decoder).

use burn::module::{Module, Param};
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{Initializer, PaddingConfig1d};
use burn::tensor::{Device, Tensor};

/// Dilations of the residual units, cycled.
const DILATIONS: [usize; 3] = [1, 3, 9];

/// Snake activation `x + sin²(αx) / α`, one learnable α per channel (Ziyin et al. 2020; Oobleck/DAC).
#[derive(Module, Debug)]
pub struct Snake {
    alpha: Param<Tensor<1>>,
}

impl Snake {
    fn new(channels: usize, device: &Device) -> Self {
        Snake {
            alpha: Param::from_tensor(Tensor::<1>::ones([channels], device)),
        }
    }

    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [_, c, _] = x.dims();
        let alpha = self.alpha.val().reshape([1, c, 1]);
        let s = (x.clone() * alpha.clone()).sin();
        x + s.clone() * s / (alpha + 1e-9)
    }
}

use cinder_nn::conv1d_same as conv1d;

#[derive(Module, Debug)]
struct ResidualUnit {
    act1: Snake,
    conv1: Conv1d,
    act2: Snake,
    conv2: Conv1d,
}

impl ResidualUnit {
    fn new(width: usize, dilation: usize, device: &Device) -> Self {
        ResidualUnit {
            act1: Snake::new(width, device),
            conv1: conv1d(width, width, 7, dilation, device),
            act2: Snake::new(width, device),
            conv2: conv1d(width, width, 1, 1, device),
        }
    }

    fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let h = self.conv2.forward(
            self.act2
                .forward(self.conv1.forward(self.act1.forward(x.clone()))),
        );
        x + h
    }
}

/// The residual stereo decoder: `[batch, inputs, frames]` → `[batch, outputs, frames]` WPT corrections.
#[derive(Module, Debug)]
pub struct DeepNet1d {
    input: Conv1d,
    units: Vec<ResidualUnit>,
    act: Snake,
    output: Conv1d,
}

impl DeepNet1d {
    /// A fresh network with `inputs` input channels (its output convolution starts at zero).
    pub fn new(inputs: usize, width: usize, blocks: usize, outputs: usize, device: &Device) -> Self {
        DeepNet1d {
            input: conv1d(inputs, width, 7, 1, device),
            units: (0..blocks)
                .map(|i| ResidualUnit::new(width, DILATIONS[i % DILATIONS.len()], device))
                .collect(),
            act: Snake::new(width, device),
            output: Conv1dConfig::new(width, outputs, 7)
                .with_padding(PaddingConfig1d::Explicit(3, 3))
                .with_initializer(Initializer::Zeros)
                .init(device),
        }
    }

    /// Replaces the zero-initialised output convolution by a random one (tests of untrained networks).
    #[doc(hidden)]
    pub fn randomise_output(&mut self, device: &Device) {
        let [outputs, width, _] = self.output.weight.dims();
        self.output = conv1d(width, outputs, 7, 1, device);
    }

    /// Frames an output depends on, either side.
    pub fn receptive_radius(blocks: usize) -> usize {
        6 + (0..blocks)
            .map(|i| 3 * DILATIONS[i % DILATIONS.len()])
            .sum::<usize>()
    }

    /// Applies the network.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let mut h = self.input.forward(x);
        for unit in &self.units {
            h = unit.forward(h);
        }
        self.output.forward(self.act.forward(h))
    }
}
