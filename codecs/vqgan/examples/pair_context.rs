//! Probe of the neighbour-pair index coder (mode 2 of [`cinder_vqgan::indices`]) on training photos only:
//! pair tables counted on 256² crops of the even-numbered photos, index maps of the odd-numbered photos (whole,
//! tiled) coded band by band with and without the tables. Prints, per level, the bytes of each configuration
//! against uniform coding.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --features train --example pair_context -- \
//!     codecs/vqgan/weights/vqgan.bin ../shared/data/images/train 200 60
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_vqgan::indices::{encode_band, uniform_bits, BAND_ROWS, PAIR_MAX_CODES};
use cinder_vqgan::model::{image_planes, VqganModel};
use cinder_vqgan::train::data::ImageData;
use cinder_vqgan::train::reduce::{coder_statistics, statistics_latents};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let weights = std::fs::read(&args[0]).expect("weights");
    let data = PathBuf::from(&args[1]);
    let crops: usize = args.get(2).map_or(200, |v| v.parse().unwrap());
    let eval: usize = args.get(3).map_or(60, |v| v.parse().unwrap());
    let model = VqganModel::load(&weights, cinder_core::Device::Cpu).unwrap();
    let photos = ImageData::load(&data, 128, 40, &mut |l| eprintln!("{l}")).unwrap();
    let (even, odd): (Vec<_>, Vec<_>) = photos
        .train
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let even: Vec<_> = even.into_iter().map(|(_, im)| im).collect();
    let stats = statistics_latents(&model, &even, crops).unwrap();
    let z = model.config.z_channels;
    let mut levels: Vec<_> = model.levels.clone();
    coder_statistics(&mut levels, &stats, z);
    let mut maps = Vec::new();
    for (_, img) in odd.iter().take(eval) {
        let (planes, ph, pw) = image_planes(img).unwrap();
        maps.push(model.latents(planes, ph, pw).unwrap());
    }
    eprintln!(
        "{} statistics crops, {} evaluation photos",
        stats.len(),
        maps.len()
    );
    println!(
        "| S | uniform bytes | rank coder (mode 1) | with pair tables | saving vs uniform: mode 1 → best |"
    );
    println!("|---|---|---|---|---|");
    for level in levels.iter().filter(|l| l.codes() <= PAIR_MAX_CODES) {
        let mut plain = level.clone();
        plain.pair_prior.clear();
        let (mut uni, mut one, mut two) = (0u64, 0usize, 0usize);
        for (_, w, zs) in &maps {
            let map: Vec<u16> = zs.chunks(z).map(|v| level.index(v)).collect();
            for band in map.chunks(BAND_ROWS * w) {
                uni += uniform_bits(band.len(), level).div_ceil(8);
                one += encode_band(band, *w, &plain).unwrap().len();
                two += encode_band(band, *w, level).unwrap().len();
            }
        }
        let pct = |b: usize| 100.0 * (1.0 - b as f64 / uni as f64);
        println!(
            "| {} | {uni} | {one} | {two} | {:.1} % → {:.1} % |",
            level.codes(),
            pct(one),
            pct(two)
        );
    }
}
