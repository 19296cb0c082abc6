//! Probe: restoring lost indices in code space (the harmonic fill) against averaging decoded completions in pixel
//! space. A seeded random fraction of the indices is lost (as in `examples/restoration.rs`); variants:
//! (a) harmonic fill; (b) the mean of four decodes in which every lost index copies the nearest known index to its
//! left / right / above / below (each a valid codebook entry); (c) the mean of (a) and the four of (b); (d) (a)
//! with the pixels of the lost blocks box-blurred (radius 2, 4, 8).
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

/// `image` with the pixels of the lost 16×16 blocks replaced by a separable box blur of radius `r` (computed on
/// the whole image, so that the blocks blend into their known surroundings).
fn blur_lost(image: &Image, known: &[bool], mw: usize, r: usize) -> Image {
    let (w, h, c) = (
        image.width as usize,
        image.height as usize,
        usize::from(image.channels),
    );
    let get = |x: usize, y: usize, k: usize| f64::from(image.data[(y * w + x) * c + k]);
    let mut tmp = vec![0.0f64; w * h * c];
    for y in 0..h {
        for x in 0..w {
            for k in 0..c {
                let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
                tmp[(y * w + x) * c + k] = (a..=b).map(|xx| get(xx, y, k)).sum::<f64>() / (b - a + 1) as f64;
            }
        }
    }
    let mut out = image.clone();
    for y in 0..h {
        for x in 0..w {
            if known[(y / 16) * mw + x / 16] {
                continue;
            }
            for k in 0..c {
                let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
                let v = (a..=b).map(|yy| tmp[(yy * w + x) * c + k]).sum::<f64>() / (b - a + 1) as f64;
                out.data[(y * w + x) * c + k] = v.round().clamp(0.0, 255.0) as u8;
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
    let mut sums = [0.0f64; 7];
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
            psnr(&img, &blur_lost(&smooth, &known, map.width, 2)),
            psnr(&img, &blur_lost(&smooth, &known, map.width, 4)),
            psnr(&img, &blur_lost(&smooth, &known, map.width, 8)),
        ];
        eprintln!("{}: {row:.2?}", f.display());
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
    let n = files.len() as f64;
    println!(
        "no loss {:.3} | harmonic fill {:.3} | mean of 4 copies {:.3} | mean of fill + copies {:.3} | fill + box blur of the lost blocks r 2 / 4 / 8: {:.3} / {:.3} / {:.3}",
        sums[0] / n,
        sums[1] / n,
        sums[2] / n,
        sums[3] / n,
        sums[4] / n,
        sums[5] / n,
        sums[6] / n
    );
}
