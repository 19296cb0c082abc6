//! The HiFi-Codec decoder on burn's wgpu backend (Mesa's lavapipe Vulkan driver on CPU-only CI machines, Debian
//! `mesa-vulkan-drivers`) gives the CPU (`flex`) waveform within a float tolerance (issue 7). The tokens — hence
//! the file — are computed on the CPU.
#![cfg(all(feature = "wgpu", feature = "hifi"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_codecs::hifi::{HifiCodec, EMBEDDED_WEIGHTS};
use cinder_core::{Audio, AudioCodec, DecodeOptions, Device, EncodeOptions};

#[test]
fn hifi_decoder_on_wgpu_matches_flex() {
    let samples: Vec<f32> = (0..8000)
        .map(|t| {
            let x = t as f32 / 16_000.0;
            0.3 * (2.0 * std::f32::consts::PI * 180.0 * x).sin() * (1.0 + (7.0 * x).sin())
        })
        .collect();
    let audio = Audio::new(16_000, 1, samples).unwrap();
    let cpu = HifiCodec::open(EMBEDDED_WEIGHTS, 2, Device::Cpu).unwrap();
    let gpu = HifiCodec::open(EMBEDDED_WEIGHTS, 2, Device::Wgpu).unwrap();
    let file = cpu.encode(&audio, &EncodeOptions::default()).unwrap();
    let a = cpu.decode(&file, &DecodeOptions::default()).unwrap();
    let b = gpu.decode(&file, &DecodeOptions::default()).unwrap();
    assert_eq!(a.samples.len(), b.samples.len());
    let max = a
        .samples
        .iter()
        .zip(&b.samples)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(max < 2e-3, "wgpu and flex waveforms differ by {max}");
}
