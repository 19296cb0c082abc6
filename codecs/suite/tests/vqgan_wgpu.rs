//! The VQGAN decoder on burn's wgpu backend (Mesa's lavapipe Vulkan driver on CPU-only CI machines, Debian
//! `mesa-vulkan-drivers`) gives the CPU (`flex`) image within a rounding tolerance (issue 8). The index map —
//! hence the file — is computed on the CPU.
#![cfg(all(feature = "wgpu", feature = "vqgan"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_codecs::vqgan::{VqganCodec, EMBEDDED_WEIGHTS};
use cinder_core::{DecodeOptions, Device, EncodeOptions, Image, ImageCodec};

#[test]
fn vqgan_decoder_on_wgpu_matches_flex() {
    let (w, h) = (64u32, 48u32);
    let data: Vec<u8> = (0..w * h)
        .flat_map(|p| {
            let (x, y) = (p % w, p / w);
            [(x * 4) as u8, (y * 5) as u8, (128 + x / 2 - y / 3) as u8]
        })
        .collect();
    let img = Image::new(w, h, 3, data).unwrap();
    let cpu = VqganCodec::open(EMBEDDED_WEIGHTS, 10, Device::Cpu).unwrap();
    let gpu = VqganCodec::open(EMBEDDED_WEIGHTS, 10, Device::Wgpu).unwrap();
    let file = cpu.encode(&img, &EncodeOptions::default()).unwrap();
    let a = cpu.decode(&file, &DecodeOptions::default()).unwrap();
    let b = gpu.decode(&file, &DecodeOptions::default()).unwrap();
    assert_eq!(a.data.len(), b.data.len());
    let max = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| (i16::from(x) - i16::from(y)).abs())
        .max()
        .unwrap_or(0);
    assert!(max <= 2, "wgpu and flex images differ by {max} levels");
}
