//! Rate-distortion probe for choosing quality levels on *training* images (never on Kodak): prints estimated
//! bpp and PSNR for a latent-channel count, gain mode and σ.
//!
//! `cargo run --release -p cinder-walloc --example rd_probe -- DIR CHANNELS SIGMA uniform|per-component`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_walloc::latents::encode_band;
use cinder_walloc::pipeline::{decode_latents, encode_latents, Projection};
use cinder_walloc::LinearWeights;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&a[1]);
    let proj = Projection {
        channels: a[2].parse().unwrap(),
        sigma: a[3].parse().unwrap(),
        uniform_step: a[4] == "uniform",
    };
    let weights =
        LinearWeights::from_bytes(&std::fs::read("codecs/walloc/weights/linear_rgb_j3.bin").unwrap())
            .unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| cinder_datasets::io::is_image_path(p));
    files.sort();
    let (mut bits, mut pixels, mut se) = (0.0f64, 0.0f64, 0.0f64);
    for f in &files {
        let img = cinder_datasets::io::load_image(f).unwrap();
        let lat = encode_latents(&weights, proj, &img);
        let mut counter = cinder_entropy::BitCounter::new();
        for y0 in (0..lat.height).step_by(8) {
            let rows = 8.min(lat.height - y0);
            encode_band(
                &lat.band(y0, y0 + rows),
                lat.channels,
                rows,
                lat.width,
                &mut counter,
            )
            .unwrap();
        }
        let back = decode_latents(&weights, proj, &lat, img.width, img.height, img.channels);
        bits += counter.bits();
        pixels += img.pixels() as f64;
        se += img
            .data
            .iter()
            .zip(&back.data)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            / (img.data.len() as f64);
    }
    let mse = se / files.len() as f64;
    println!(
        "{:?}: {:.4} bpp, PSNR of mean MSE {:.2} dB over {} images",
        proj,
        bits / pixels,
        10.0 * (255.0f64 * 255.0 / mse).log10(),
        files.len()
    );
}
