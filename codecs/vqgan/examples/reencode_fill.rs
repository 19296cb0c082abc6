//! Probe: refining the harmonic fill of lost indices at decode time. A seeded random fraction of the indices is
//! lost (as in `examples/restoration.rs`); variants: (a) the harmonic fill; (b) the fill scaled about the mean
//! known code by α (0.85, 1.2); (c) re-encoding: the fill is decoded, the decoded planes are encoded again and
//! each lost position takes the re-encoded code-space vector (continuous, or snapped to the codebook), once or
//! twice; (d) the mean of (a) and the continuous re-encoding. It also reports where the extra error of the fill
//! lies: the mean squared error against the original inside the lost 16×16 blocks and inside the known blocks (the
//! decoder's receptive field spreads a filled code into its neighbours), loss-free decode against fill.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example reencode_fill -- WEIGHTS.bin FOLDER 10 0.2
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_vqgan::model::{planes_image, psnr};
use cinder_vqgan::restore::{lost_mask, Restorer};
use cinder_vqgan::VqganCodec;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let weights = std::fs::read(&args[1]).expect("weights file");
    let files = cinder_datasets::folders::list_images(Path::new(&args[2])).expect("image folder");
    let q: u8 = args.get(3).map_or(10, |v| v.parse().unwrap());
    let fraction: f64 = args.get(4).map_or(0.2, |v| v.parse().unwrap());
    let codec = VqganCodec::open(&weights, q, cinder_core::Device::Cpu).expect("level");
    let model = codec.model();
    let level = model.level(1 << q).unwrap();
    let d = level.codebook.dim;
    let names = [
        "no loss",
        "fill",
        "α 0.85",
        "α 1.2",
        "re-enc",
        "re-enc snap",
        "re-enc ×2",
        "mean(fill, re-enc)",
    ];
    let mut sums = vec![0.0f64; names.len()];
    // Squared error [no loss, fill] in lost and in known blocks, and the pixel counts of each.
    let (mut se, mut count) = ([[0.0f64; 2]; 2], [0.0f64; 2]);
    for (k, f) in files.iter().enumerate() {
        let img = cinder_datasets::io::load_image(f).expect("image");
        let map = codec.indices(&img).unwrap();
        let (h, w) = (map.height, map.width);
        let known = lost_mask(map.data.len(), fraction, 7 + k as u64);
        let lost: Vec<usize> = (0..map.data.len()).filter(|&p| !known[p]).collect();
        let all = vec![true; map.data.len()];
        let decode = |codes: &[f32]| model.decode_codes(level, h, w, codes).unwrap();
        let image_of =
            |planes: &[f32]| planes_image(planes, h * 16, w * 16, img.width, img.height, img.channels);
        // Lost positions take the code-space vectors of the re-encoded planes.
        let reencode = |codes: &[f32], planes: Vec<f32>, snap: bool| {
            let (_, _, z) = model.latents(planes, h * 16, w * 16).unwrap();
            let mut out = codes.to_vec();
            for &p in &lost {
                let zp = &z[p * model.config.z_channels..(p + 1) * model.config.z_channels];
                let v = level.project(zp);
                let v = if snap {
                    level.entry(level.index(zp)).to_vec()
                } else {
                    v
                };
                out[p * d..(p + 1) * d].copy_from_slice(&v);
            }
            out
        };
        let clean = model.restore(level, &map, &all, Restorer::Mean).unwrap();
        let fill = model
            .restore(level, &map, &known, Restorer::Smooth { snap: false })
            .unwrap();
        let mut mean = vec![0.0f32; d];
        for p in (0..map.data.len()).filter(|&p| known[p]) {
            for (m, v) in mean.iter_mut().zip(&clean[p * d..(p + 1) * d]) {
                *m += v / (map.data.len() - lost.len()) as f32;
            }
        }
        let scaled = |alpha: f32| {
            let mut out = fill.clone();
            for &p in &lost {
                for (o, m) in out[p * d..(p + 1) * d].iter_mut().zip(&mean) {
                    *o = m + alpha * (*o - m);
                }
            }
            out
        };
        let fill_planes = decode(&fill);
        let (clean_image, fill_image) = (image_of(&decode(&clean)), image_of(&fill_planes));
        let ch = usize::from(img.channels);
        for (i, &v) in img.data.iter().enumerate() {
            let (x, y) = ((i / ch) % img.width as usize, (i / ch) / img.width as usize);
            let at = usize::from(known[(y / 16) * w + x / 16]);
            for (e, out) in se[at].iter_mut().zip([&clean_image, &fill_image]) {
                *e += (f64::from(out.data[i]) - f64::from(v)).powi(2);
            }
            count[at] += 1.0;
        }
        let re = reencode(&fill, fill_planes.clone(), false);
        let re_snap = reencode(&fill, fill_planes.clone(), true);
        let re_planes = decode(&re);
        let re2 = reencode(&fill, re_planes.clone(), false);
        let half: Vec<f32> = fill.iter().zip(&re).map(|(a, b)| 0.5 * (a + b)).collect();
        let row = [
            psnr(&img, &clean_image),
            psnr(&img, &fill_image),
            psnr(&img, &image_of(&decode(&scaled(0.85)))),
            psnr(&img, &image_of(&decode(&scaled(1.2)))),
            psnr(&img, &image_of(&re_planes)),
            psnr(&img, &image_of(&decode(&re_snap))),
            psnr(&img, &image_of(&decode(&re2))),
            psnr(&img, &image_of(&decode(&half))),
        ];
        eprintln!("{}: {row:.3?}", f.display());
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
    let n = files.len() as f64;
    let line: Vec<String> = names
        .iter()
        .zip(&sums)
        .map(|(a, s)| format!("{a} {:.3}", s / n))
        .collect();
    println!("{}", line.join(" | "));
    println!(
        "MSE in lost blocks: no loss {:.1}, fill {:.1} | in known blocks: no loss {:.1}, fill {:.1} | share of the fill's extra error in known blocks {:.1} %",
        se[0][0] / count[0],
        se[0][1] / count[0],
        se[1][0] / count[1],
        se[1][1] / count[1],
        100.0 * (se[1][1] - se[1][0]) / (se[1][1] - se[1][0] + se[0][1] - se[0][0])
    );
}
