//! Reconstruction PSNR (full codebook) of a folder of photos under several tilings of the encoder and decoder
//! ([`cinder_vqgan::tiling`]): `whole` runs the networks on whole images, `C:M` on cores of C index positions with
//! M positions of context. Use training photos: the tiling is a design choice, not something to tune on Kodak.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example tiles -- codecs/vqgan/weights/vqgan.bin \
//!     ../shared/data/images/train/wikipedia_photos_halfres 12 whole,16:0,16:2,8:2
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_vqgan::model::{psnr, VqganModel};
use cinder_vqgan::tiling::Tiling;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("weights file");
    let files = cinder_datasets::folders::list_images(Path::new(&args[2])).expect("image folder");
    let n: usize = args[3].parse().expect("image count");
    let tilings: Vec<(String, Tiling)> = args[4]
        .split(',')
        .map(|spec| {
            let t = match spec.split_once(':') {
                Some((c, m)) => Tiling {
                    core: c.parse().expect("core"),
                    margin: m.parse().expect("margin"),
                },
                None => Tiling::whole(),
            };
            (spec.to_string(), t)
        })
        .collect();
    let models: Vec<VqganModel> = tilings
        .iter()
        .map(|(_, t)| {
            VqganModel::load(&bytes, cinder_core::Device::Cpu)
                .unwrap()
                .with_tiling(*t)
        })
        .collect();
    let codes = models[0].levels.last().unwrap().codes();
    let mut sums = vec![0.0; models.len()];
    for f in files.iter().take(n) {
        let img = cinder_datasets::io::load_image(f).unwrap();
        let mut line = format!("{}", f.display());
        for (i, m) in models.iter().enumerate() {
            let p = psnr(&img, &m.reconstruct(&img, codes).unwrap());
            sums[i] += p;
            line += &format!(" {} {p:.3}", tilings[i].0);
        }
        println!("{line}");
    }
    let count = n.min(files.len()).max(1) as f64;
    for (i, (spec, _)) in tilings.iter().enumerate() {
        println!("mean PSNR {spec}: {:.3} dB", sums[i] / count);
    }
}
