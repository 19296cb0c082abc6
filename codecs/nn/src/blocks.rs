//! Convolutional building blocks of the decoders (WaLLoC spec A1.5 / diffusers' `AutoencoderKL.Decoder`, VQGAN):
//! 3×3 "same" convolutions, GroupNorm/SiLU residual blocks and single-head spatial self-attention.

use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig, Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig, PaddingConfig1d, PaddingConfig2d};
use burn::tensor::activation::{silu, softmax};
use burn::tensor::{Device, Tensor};

/// Groups of every GroupNorm: 32 as in the reference, fewer when the width is small (must divide it).
pub fn norm_groups(channels: usize) -> usize {
    [32, 16, 8, 4, 2, 1]
        .into_iter()
        .find(|g| channels % g == 0)
        .unwrap_or(1)
}

/// GroupNorm with ε = 1e-6 (the reference decoders' setting) and [`norm_groups`] groups.
pub fn group_norm(channels: usize, device: &Device) -> GroupNorm {
    group_norm_with(channels, norm_groups(channels), device)
}

/// GroupNorm with ε = 1e-6 and `groups` groups (must divide `channels`). Narrow networks want several channels a
/// group: with one, GroupNorm is instance normalisation and removes every channel's mean over the image.
pub fn group_norm_with(channels: usize, groups: usize, device: &Device) -> GroupNorm {
    GroupNormConfig::new(groups, channels)
        .with_epsilon(1e-6)
        .init(device)
}

/// A k×k convolution with zero padding that keeps the spatial size (k odd).
pub fn conv_same(input: usize, output: usize, kernel: usize, device: &Device) -> Conv2d {
    let pad = kernel / 2;
    Conv2dConfig::new([input, output], [kernel, kernel])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .init(device)
}

/// A 1-D convolution with `dilation · (kernel / 2)` zeros on each side (same length for odd kernels).
pub fn conv1d_same(input: usize, output: usize, kernel: usize, dilation: usize, device: &Device) -> Conv1d {
    let pad = dilation * (kernel / 2);
    Conv1dConfig::new(input, output, kernel)
        .with_dilation(dilation)
        .with_padding(PaddingConfig1d::Explicit(pad, pad))
        .init(device)
}

/// `x + conv(SiLU(GN(conv(SiLU(GN(x))))))`.
#[derive(Module, Debug)]
pub struct ResBlock2d {
    norm1: GroupNorm,
    conv1: Conv2d,
    norm2: GroupNorm,
    conv2: Conv2d,
}

impl ResBlock2d {
    /// A residual block of `channels` channels ([`norm_groups`] groups).
    pub fn new(channels: usize, device: &Device) -> Self {
        ResBlock2d::with_groups(channels, norm_groups(channels), device)
    }

    /// A residual block whose GroupNorms have `groups` groups.
    pub fn with_groups(channels: usize, groups: usize, device: &Device) -> Self {
        ResBlock2d {
            norm1: group_norm_with(channels, groups, device),
            conv1: conv_same(channels, channels, 3, device),
            norm2: group_norm_with(channels, groups, device),
            conv2: conv_same(channels, channels, 3, device),
        }
    }

    /// A block whose residual branch starts at zero (its last convolution zero-initialised), i.e. the identity:
    /// inserted into a trained network it changes nothing until training moves it.
    pub fn identity(channels: usize, groups: usize, device: &Device) -> Self {
        let mut block = ResBlock2d::with_groups(channels, groups, device);
        block.conv2 = Conv2dConfig::new([channels, channels], [3, 3])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_initializer(burn::nn::Initializer::Zeros)
            .init(device);
        block
    }

    /// Applies the block to `[batch, channels, height, width]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let h = self.conv1.forward(silu(self.norm1.forward(x.clone())));
        let h = self.conv2.forward(silu(self.norm2.forward(h)));
        x + h
    }
}

/// Single-head self-attention over all positions, GroupNorm pre-norm, residual (spec A1.5's mid block).
/// Memory grows with the square of the positions: callers tile large inputs.
#[derive(Module, Debug)]
pub struct SelfAttention2d {
    norm: GroupNorm,
    query: Conv2d,
    key: Conv2d,
    value: Conv2d,
    out: Conv2d,
}

impl SelfAttention2d {
    /// Attention over `channels`-wide features ([`norm_groups`] groups in the pre-norm).
    pub fn new(channels: usize, device: &Device) -> Self {
        SelfAttention2d::with_groups(channels, norm_groups(channels), device)
    }

    /// Attention whose pre-norm has `groups` groups.
    pub fn with_groups(channels: usize, groups: usize, device: &Device) -> Self {
        SelfAttention2d {
            norm: group_norm_with(channels, groups, device),
            query: conv_same(channels, channels, 1, device),
            key: conv_same(channels, channels, 1, device),
            value: conv_same(channels, channels, 1, device),
            out: conv_same(channels, channels, 1, device),
        }
    }

    /// Applies attention to `[batch, channels, height, width]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let n = self.norm.forward(x.clone());
        let flat = |t: Tensor<4>| t.reshape([b, c, h * w]);
        let q = flat(self.query.forward(n.clone())).swap_dims(1, 2); // [b, hw, c]
        let k = flat(self.key.forward(n.clone())); // [b, c, hw]
        let v = flat(self.value.forward(n)).swap_dims(1, 2); // [b, hw, c]
        let weights = softmax(q.matmul(k).mul_scalar(1.0 / (c as f64).sqrt()), 2); // [b, hw, hw]
        let mixed = weights.matmul(v).swap_dims(1, 2).reshape([b, c, h, w]);
        x + self.out.forward(mixed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::optim::{AdamWConfig, GradientsParams};
    use burn::tensor::Distribution;

    #[derive(Module, Debug)]
    struct Toy {
        inp: Conv2d,
        res: ResBlock2d,
        att: SelfAttention2d,
        outp: Conv2d,
    }

    impl Toy {
        fn new(device: &Device) -> Self {
            Toy {
                inp: conv_same(3, 16, 3, device),
                res: ResBlock2d::new(16, device),
                att: SelfAttention2d::new(16, device),
                outp: conv_same(16, 3, 3, device),
            }
        }
        fn forward(&self, x: Tensor<4>) -> Tensor<4> {
            self.outp
                .forward(self.att.forward(self.res.forward(self.inp.forward(x))))
        }
    }

    #[test]
    fn blocks_keep_shapes() {
        let device = Device::flex();
        let x = Tensor::<4>::random([2, 16, 5, 7], Distribution::Normal(0.0, 1.0), &device);
        assert_eq!(
            ResBlock2d::new(16, &device).forward(x.clone()).dims(),
            [2, 16, 5, 7]
        );
        assert_eq!(SelfAttention2d::new(16, &device).forward(x).dims(), [2, 16, 5, 7]);
        assert_eq!(norm_groups(48), 16);
        assert_eq!(norm_groups(12), 4);
    }

    #[test]
    fn adamw_steps_reduce_a_toy_regression_loss() {
        let device = crate::training_device(cinder_core::Device::Cpu).unwrap();
        device.seed(7);
        let mut model = Toy::new(&device);
        let mut optim = AdamWConfig::new().init();
        let x = Tensor::<4>::random([4, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
        let target = x.clone().mul_scalar(-0.5);
        let loss_of = |m: &Toy| (m.forward(x.clone()) - target.clone()).powi_scalar(2).mean();
        let first: f32 = loss_of(&model).into_scalar::<f32>();
        for _ in 0..30 {
            let loss = loss_of(&model);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(3e-3, model, grads);
        }
        let last: f32 = loss_of(&model).into_scalar::<f32>();
        assert!(last < 0.5 * first, "loss {first} -> {last}");
    }
}
