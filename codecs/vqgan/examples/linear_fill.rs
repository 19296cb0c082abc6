//! A probe for the next restorer: a least-squares linear predictor of a code vector from its four neighbours'
//! code vectors (`x ≈ A·[up, down, left, right, 1]`), fitted in closed form on the index maps of training photos
//! and applied once after the harmonic fill. Compares, on another folder, the code-space error and the decoded
//! PSNR with a seeded random 20 % of the indices lost: harmonic fill vs fill + one linear step.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example linear_fill -- codecs/vqgan/weights/vqgan.bin \
//!     ../shared/data/images/train/bsds500/train 60 HELD_OUT_FOLDER 10
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::Image;
use cinder_vqgan::model::{planes_image, psnr, VqganModel};
use cinder_vqgan::restore::{restore, Restorer};
use cinder_vqgan::{IndexMap, FACTOR};
use std::path::Path;

const D: usize = 16;
const F: usize = 4 * D + 1;

fn features(codes: &[f32], h: usize, w: usize, p: usize) -> Option<Vec<f64>> {
    let (r, c) = (p / w, p % w);
    if r == 0 || c == 0 || r + 1 == h || c + 1 == w {
        return None;
    }
    let mut f = Vec::with_capacity(F);
    for q in [p - w, p + w, p - 1, p + 1] {
        f.extend(codes[q * D..(q + 1) * D].iter().map(|&v| f64::from(v)));
    }
    f.push(1.0);
    Some(f)
}

/// Solves (XᵀX + λI) A = XᵀY by Gaussian elimination; A is F × D.
fn solve(xtx: &[f64], xty: &[f64]) -> Vec<f64> {
    let mut m: Vec<f64> = xtx.to_vec();
    let mut b: Vec<f64> = xty.to_vec();
    for i in 0..F {
        m[i * F + i] += 1e-3;
    }
    for col in 0..F {
        let piv = (col..F)
            .max_by(|&a, &b2| m[a * F + col].abs().total_cmp(&m[b2 * F + col].abs()))
            .unwrap();
        for k in 0..F {
            m.swap(col * F + k, piv * F + k);
        }
        for k in 0..D {
            b.swap(col * D + k, piv * D + k);
        }
        let d = m[col * F + col];
        for row in 0..F {
            if row != col {
                let f = m[row * F + col] / d;
                if f != 0.0 {
                    for k in 0..F {
                        m[row * F + k] -= f * m[col * F + k];
                    }
                    for k in 0..D {
                        b[row * D + k] -= f * b[col * D + k];
                    }
                }
            }
        }
    }
    (0..F * D).map(|i| b[i] / m[(i / D) * F + i / D]).collect()
}

fn lost_mask(n: usize, seed: u64) -> Vec<bool> {
    let mut order: Vec<(u64, usize)> = (0..n)
        .map(|i| {
            (
                cinder_nn::train_io::mix(seed ^ (i as u64).wrapping_mul(0x9E37)),
                i,
            )
        })
        .collect();
    order.sort();
    let mut known = vec![true; n];
    for &(_, i) in order.iter().take((n as f64 * 0.2).round() as usize) {
        known[i] = false;
    }
    known
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = VqganModel::load(&std::fs::read(&args[1]).unwrap(), cinder_core::Device::Cpu).unwrap();
    let level = model.levels.last().unwrap();
    let codes_of =
        |map: &IndexMap| -> Vec<f32> { map.data.iter().flat_map(|&i| level.entry(i).to_vec()).collect() };
    let train = cinder_datasets::folders::list_images(Path::new(&args[2])).unwrap();
    let n_train: usize = args[3].parse().unwrap();
    let (mut xtx, mut xty) = (vec![0.0f64; F * F], vec![0.0f64; F * D]);
    let mut samples = 0usize;
    for f in train.iter().take(n_train) {
        let img = cinder_datasets::io::load_image(f).unwrap();
        let map = model.indices(&img, level.codes()).unwrap();
        let codes = codes_of(&map);
        for p in 0..map.data.len() {
            if let Some(x) = features(&codes, map.height, map.width, p) {
                for i in 0..F {
                    for j in 0..F {
                        xtx[i * F + j] += x[i] * x[j];
                    }
                    for k in 0..D {
                        xty[i * D + k] += x[i] * f64::from(codes[p * D + k]);
                    }
                }
                samples += 1;
            }
        }
    }
    let a = solve(&xtx, &xty);
    println!(
        "fitted on {samples} positions of {} photos",
        n_train.min(train.len())
    );
    let test = cinder_datasets::folders::list_images(Path::new(&args[4])).unwrap();
    let n_test: usize = args[5].parse().unwrap();
    let (mut sums, mut count) = ([0.0f64; 5], 0usize);
    for (t, f) in test.iter().take(n_test).enumerate() {
        let img: Image = cinder_datasets::io::load_image(f).unwrap();
        let map = model.indices(&img, level.codes()).unwrap();
        let truth = codes_of(&map);
        let known = lost_mask(map.data.len(), 1000 + t as u64);
        let fill = restore(level, &map, &known, Restorer::Smooth { snap: false });
        let mut lin = fill.clone();
        for p in (0..map.data.len()).filter(|&p| !known[p]) {
            if let Some(x) = features(&fill, map.height, map.width, p) {
                for k in 0..D {
                    lin[p * D + k] = (0..F).map(|i| x[i] * a[i * D + k]).sum::<f64>() as f32;
                }
            }
        }
        let lost: Vec<usize> = (0..map.data.len()).filter(|&p| !known[p]).collect();
        let mse = |c: &[f32]| {
            lost.iter()
                .map(|&p| {
                    (0..D)
                        .map(|k| f64::from(c[p * D + k] - truth[p * D + k]).powi(2))
                        .sum::<f64>()
                })
                .sum::<f64>()
                / lost.len().max(1) as f64
        };
        let decode = |c: &[f32]| {
            let planes = model.decode_codes(level, map.height, map.width, c).unwrap();
            let out = planes_image(
                &planes,
                map.height * FACTOR,
                map.width * FACTOR,
                img.width,
                img.height,
                img.channels,
            );
            psnr(&img, &out)
        };
        let row = [mse(&fill), mse(&lin), decode(&fill), decode(&lin), decode(&truth)];
        println!(
            "{}: code MSE fill {:.2} linear {:.2}; PSNR fill {:.3} linear {:.3} no loss {:.3}",
            f.display(),
            row[0],
            row[1],
            row[2],
            row[3],
            row[4]
        );
        row.iter().zip(sums.iter_mut()).for_each(|(v, s)| *s += v);
        count += 1;
    }
    let m: Vec<f64> = sums.iter().map(|s| s / count.max(1) as f64).collect();
    println!(
        "mean over {count}: code MSE fill {:.3} linear {:.3}; PSNR fill {:.3} linear {:.3} no loss {:.3}",
        m[0], m[1], m[2], m[3], m[4]
    );
}
