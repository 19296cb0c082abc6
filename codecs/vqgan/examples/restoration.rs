//! Loss resilience and index-coding rate on a folder of images (issue 8): for each image and quality level, the
//! index map is computed once; a seeded random 5 / 10 / 20 % of the indices is declared lost and the image is
//! decoded (a) without restoration (lost indices read as entry 0), (b) with the harmonic fill, (c) with the
//! restoration transformer, (d) with the fill and the pixel-domain post filter (each when the weights carry
//! it, else the fill); PSNR against the original. It also reports the bits of
//! the context-adaptive index coder (file bytes, header included, and index payload only) against uniform coding
//! (log2 S bits an index).
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example restoration -- WEIGHTS.bin ../shared/data/images/kodak 10,6,3
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{DecodeOptions, EncodeOptions, Image, ImageCodec};
use cinder_vqgan::model::psnr;
use cinder_vqgan::restore::{lost_mask, Restorer};
use cinder_vqgan::VqganCodec;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let weights = std::fs::read(&args[1]).expect("weights file");
    let files = cinder_datasets::folders::list_images(Path::new(&args[2])).expect("image folder");
    let qualities: Vec<u8> = args
        .get(3)
        .map_or("10".into(), |s| s.clone())
        .split(',')
        .map(|q| q.parse().expect("quality"))
        .collect();
    let images: Vec<Image> = files
        .iter()
        .map(|f| cinder_datasets::io::load_image(f).expect("image"))
        .collect();
    println!("| S | uniform bpp | file bpp | saving (file / payload) | lost | not restored | harmonic fill | transformer | fill + post filter | no loss |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &q in &qualities {
        let codec = VqganCodec::open(&weights, q, cinder_core::Device::Cpu).expect("level");
        let mut clean = 0.0;
        let mut rows = [[0.0f64; 4]; 3];
        let (mut uniform_bits, mut file_bits, mut payload_bits, mut pixels) = (0.0, 0.0, 0.0, 0.0);
        for (k, img) in images.iter().enumerate() {
            let map = codec.indices(img).unwrap();
            let file = codec.encode(img, &EncodeOptions::default()).unwrap();
            file_bits += 8.0 * file.to_bytes().unwrap().len() as f64;
            payload_bits += 8.0 * file.payload_bytes() as f64;
            uniform_bits += (map.data.len() * usize::from(q)) as f64;
            pixels += f64::from(img.width) * f64::from(img.height);
            let all = vec![true; map.data.len()];
            let (w, h, c) = (img.width, img.height, img.channels);
            let base = codec.decode(&file, &DecodeOptions::default()).unwrap();
            clean += psnr(img, &base);
            for (li, fraction) in [0.05, 0.10, 0.20].into_iter().enumerate() {
                let known = lost_mask(map.data.len(), fraction, 7 + k as u64);
                let mut zeroed = map.clone();
                for (i, v) in zeroed.data.iter_mut().enumerate() {
                    if !known[i] {
                        *v = 0;
                    }
                }
                let none = codec.decode_map(&zeroed, &all, Restorer::Mean, w, h, c).unwrap();
                rows[li][0] += psnr(img, &none);
                for (ri, how) in [
                    Restorer::Smooth { snap: false },
                    Restorer::Transformer { snap: false },
                    Restorer::Filter,
                ]
                .into_iter()
                .enumerate()
                {
                    let out = codec.decode_map(&map, &known, how, w, h, c).unwrap();
                    rows[li][ri + 1] += psnr(img, &out);
                }
            }
        }
        let n = images.len() as f64;
        let (ub, fb) = (uniform_bits / pixels, file_bits / pixels);
        for (li, fraction) in [5, 10, 20].into_iter().enumerate() {
            println!(
                "| {} | {ub:.4} | {fb:.4} | {:.1} % / {:.1} % | {fraction} % | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                1u32 << q,
                100.0 * (1.0 - fb / ub),
                100.0 * (1.0 - payload_bits / uniform_bits),
                rows[li][0] / n,
                rows[li][1] / n,
                rows[li][2] / n,
                rows[li][3] / n,
                clean / n
            );
        }
    }
}
