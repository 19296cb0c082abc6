//! How much the quantiser costs: PSNR of held-out crops decoded from the unquantised code vectors (`quant_conv`
//! outputs) and from their nearest codebook entries, per quality level.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example quantisation_gap -- WEIGHTS.bin FOLDER [side]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::Image;
use cinder_vqgan::model::{image_planes, planes_image, psnr};
use cinder_vqgan::{VqganModel, FACTOR};
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = VqganModel::load(
        &std::fs::read(&args[1]).expect("weights"),
        cinder_core::Device::Cpu,
    )
    .unwrap();
    let side: u32 = args.get(3).map_or(256, |s| s.parse().expect("side"));
    let files = cinder_datasets::folders::list_images(Path::new(&args[2])).expect("folder");
    for level in &model.levels {
        let (mut pu, mut pq, mut n) = (0.0, 0.0, 0.0);
        for f in &files {
            let img = cinder_datasets::io::load_image(f).unwrap();
            let (w, h) = (img.width.min(side), img.height.min(side));
            let c = usize::from(img.channels);
            let mut data = Vec::new();
            for y in 0..h as usize {
                let at = y * img.width as usize * c;
                data.extend_from_slice(&img.data[at..at + w as usize * c]);
            }
            let img = Image::new(w, h, img.channels, data).unwrap();
            let (planes, ph, pw) = image_planes(&img).unwrap();
            let (lh, lw, z) = model.latents(planes, ph, pw).unwrap();
            let zc = model.config.z_channels;
            let unq: Vec<f32> = z.chunks(zc).flat_map(|v| level.project(v)).collect();
            let q: Vec<f32> = z
                .chunks(zc)
                .flat_map(|v| level.entry(level.index(v)).to_vec())
                .collect();
            for (codes, acc) in [(unq, &mut pu), (q, &mut pq)] {
                let out = model.decode_codes(level, lh, lw, &codes).unwrap();
                let rec = planes_image(&out, lh * FACTOR, lw * FACTOR, w, h, img.channels);
                *acc += psnr(&img, &rec);
            }
            n += 1.0;
        }
        println!(
            "S = {}: unquantised {:.2} dB, quantised {:.2} dB",
            level.codes(),
            pu / n,
            pq / n
        );
    }
}
