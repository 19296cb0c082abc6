//! The GPU path, tested on every CI run: the same blocks with the same weights on burn's wgpu backend (Mesa's
//! lavapipe Vulkan driver on CPU-only machines, Debian `mesa-vulkan-drivers`) and on `flex` agree within a
//! float tolerance (DESIGN §10). Only networks run there; entropy coding never depends on these floats.
#![cfg(feature = "wgpu")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use burn::module::Module;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use cinder_nn::{conv_same, ResBlock2d, SelfAttention2d};

#[derive(Module, Debug)]
struct Decoderish {
    inp: burn::nn::conv::Conv2d,
    res: ResBlock2d,
    att: SelfAttention2d,
    outp: burn::nn::conv::Conv2d,
}

impl Decoderish {
    fn new(device: &Device) -> Self {
        Decoderish {
            inp: conv_same(12, 32, 3, device),
            res: ResBlock2d::new(32, device),
            att: SelfAttention2d::new(32, device),
            outp: conv_same(32, 48, 3, device),
        }
    }
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.outp
            .forward(self.att.forward(self.res.forward(self.inp.forward(x))))
    }
}

fn values(t: Tensor<4>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

#[test]
fn wgpu_output_matches_flex() {
    let cpu = cinder_nn::inference_device(cinder_core::Device::Cpu).unwrap();
    let gpu = cinder_nn::inference_device(cinder_core::Device::Wgpu).unwrap();
    cpu.seed(11);
    let model = Decoderish::new(&cpu);
    let x = Tensor::<4>::random([1, 12, 6, 8], Distribution::Normal(0.0, 1.0), &cpu);
    let input: TensorData = x.clone().into_data();
    let on_cpu = values(model.forward(x));
    let on_gpu = values(model.to_device(&gpu).forward(Tensor::<4>::from_data(input, &gpu)));
    assert_eq!(on_cpu.len(), on_gpu.len());
    let max_diff = on_cpu
        .iter()
        .zip(&on_gpu)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let scale = on_cpu.iter().map(|a| a.abs()).fold(0.0f32, f32::max);
    assert!(
        max_diff <= 1e-4 * scale.max(1.0),
        "max |wgpu - flex| = {max_diff} (output scale {scale})"
    );
}
