//! Fits the linear WaLLoC (PCA of J = 3 WPT vectors) on a folder tree of training images and writes the
//! weights file that `cinder-walloc` embeds.
//!
//! `cargo run --release -p cinder-walloc --example fit_linear -- ../shared/data/images/train codecs/walloc/weights/linear_rgb_j3.bin`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_walloc::LinearWeights;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if cinder_datasets::io::is_image_path(&p) {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (data, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let mut files = Vec::new();
    collect(&data, &mut files);
    let t = std::time::Instant::now();
    let images: Vec<_> = files
        .iter()
        .map(|f| cinder_datasets::io::load_image(f).unwrap())
        .collect();
    let weights = LinearWeights::fit(&images, 3, 48).unwrap();
    std::fs::write(&out, weights.to_bytes()).unwrap();
    println!(
        "fitted on {} images in {:.1} s",
        images.len(),
        t.elapsed().as_secs_f64()
    );
    println!("std of the first components: {:?}", &weights.std[..12]);
    let total: f32 = weights.std.iter().map(|s| s * s).sum();
    println!(
        "variance kept by 12 / 48 components: {:.4} / {:.4} (of the 48 kept)",
        weights.std[..12].iter().map(|s| s * s).sum::<f32>() / total,
        1.0
    );
}
