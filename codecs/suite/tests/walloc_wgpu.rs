//! The WaLLoC deep decoder on burn's wgpu backend (Mesa's lavapipe Vulkan driver on CPU-only CI machines, Debian
//! `mesa-vulkan-drivers`) gives the CPU (`flex`) reconstruction within a float tolerance (issue 6, DESIGN §10).
//! The latents — hence the file — are computed on the CPU and are identical either way.
#![cfg(all(feature = "wgpu", feature = "walloc"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_codecs::walloc::{WallocCodec, EMBEDDED_DEEP_WEIGHTS};
use cinder_core::{DecodeOptions, Device, EncodeOptions, Image, ImageCodec};

#[test]
fn deep_decoder_on_wgpu_matches_flex() {
    let (w, h) = (40u32, 24u32);
    let img = Image::new(
        w,
        h,
        3,
        (0..w * h * 3)
            .map(|i| ((i % 97) * 2 + (i / 120) * 3) as u8)
            .collect(),
    )
    .unwrap();
    let cpu = WallocCodec::open(EMBEDDED_DEEP_WEIGHTS, 4, Device::Cpu).unwrap();
    let gpu = WallocCodec::open(EMBEDDED_DEEP_WEIGHTS, 4, Device::Wgpu).unwrap();
    let file = cpu.encode(&img, &EncodeOptions::default()).unwrap();
    assert_eq!(file, gpu.encode(&img, &EncodeOptions::default()).unwrap());
    let (a, b) = (
        cpu.decode(&file, &DecodeOptions::default()).unwrap(),
        gpu.decode(&file, &DecodeOptions::default()).unwrap(),
    );
    let max = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap();
    assert!(max <= 1, "wgpu and flex reconstructions differ by {max} levels");
}
