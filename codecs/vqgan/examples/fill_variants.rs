//! Probe: restoring lost indices in code space (the harmonic fill) against averaging decoded completions in pixel
//! space. A seeded random fraction of the indices is lost (as in `examples/restoration.rs`); variants:
//! (a) harmonic fill; (b) the mean of four decodes in which every lost index copies the nearest known index to its
//! left / right / above / below (each a valid codebook entry); (c) the mean of (a) and the four of (b).
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example fill_variants -- WEIGHTS.bin FOLDER 10 0.2
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::Image;
use cinder_vqgan::model::{psnr, IndexMap};
use cinder_vqgan::restore::{lost_mask, Restorer};
use cinder_vqgan::VqganCodec;
use std::path::Path;

/// Each lost index takes the nearest known index in direction (dr, dc) (or the other way when none).
fn copy_fill(map: &IndexMap, known: &[bool], dr: isize, dc: isize) -> IndexMap {
    let (h, w) = (map.height as isize, map.width as isize);
    let mut out = map.clone();
    for p in 0..map.data.len() {
        if known[p] {
            continue;
        }
        let (r0, c0) = ((p / map.width) as isize, (p % map.width) as isize);
        'dirs: for sign in [1isize, -1] {
            let (mut r, mut c) = (r0, c0);
            loop {
                r += sign * dr;
                c += sign * dc;
                if r < 0 || c < 0 || r >= h || c >= w {
                    break;
                }
                let q = (r * w + c) as usize;
                if known[q] {
                    out.data[p] = map.data[q];
                    break 'dirs;
                }
            }
        }
    }
    out
}

fn mean_image(images: &[Image]) -> Image {
    let n = images.len() as f64;
    let data = (0..images[0].data.len())
        .map(|i| (images.iter().map(|im| f64::from(im.data[i])).sum::<f64>() / n).round() as u8)
        .collect();
    Image::new(images[0].width, images[0].height, images[0].channels, data).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let weights = std::fs::read(&args[1]).expect("weights file");
    let files = cinder_datasets::folders::list_images(Path::new(&args[2])).expect("image folder");
    let q: u8 = args.get(3).map_or(10, |v| v.parse().unwrap());
    let fraction: f64 = args.get(4).map_or(0.2, |v| v.parse().unwrap());
    let codec = VqganCodec::open(&weights, q, cinder_core::Device::Cpu).expect("level");
    let mut sums = [0.0f64; 4];
    for (k, f) in files.iter().enumerate() {
        let img = cinder_datasets::io::load_image(f).expect("image");
        let map = codec.indices(&img).unwrap();
        let all = vec![true; map.data.len()];
        let (w, h, c) = (img.width, img.height, img.channels);
        let known = lost_mask(map.data.len(), fraction, 7 + k as u64);
        let clean = codec.decode_map(&map, &all, Restorer::Mean, w, h, c).unwrap();
        let smooth = codec
            .decode_map(&map, &known, Restorer::Smooth { snap: false }, w, h, c)
            .unwrap();
        let copies: Vec<Image> = [(0, 1), (0, -1), (1, 0), (-1, 0)]
            .into_iter()
            .map(|(dr, dc)| {
                codec
                    .decode_map(&copy_fill(&map, &known, dr, dc), &all, Restorer::Mean, w, h, c)
                    .unwrap()
            })
            .collect();
        let mut five = copies.clone();
        five.push(smooth.clone());
        let row = [
            psnr(&img, &clean),
            psnr(&img, &smooth),
            psnr(&img, &mean_image(&copies)),
            psnr(&img, &mean_image(&five)),
        ];
        eprintln!("{}: {row:.2?}", f.display());
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
    let n = files.len() as f64;
    println!(
        "no loss {:.3} | harmonic fill {:.3} | mean of 4 copies {:.3} | mean of fill + copies {:.3}",
        sums[0] / n,
        sums[1] / n,
        sums[2] / n,
        sums[3] / n
    );
}
