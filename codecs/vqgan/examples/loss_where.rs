//! Probe: where the extra error of a restored map lies — in the lost 16×16 blocks or in the known blocks next to
//! them (the decoder's receptive field spreads a filled code into its neighbours). Prints the mean squared error
//! against the original inside lost blocks and inside known blocks, for the loss-free decode and the harmonic fill.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example loss_where -- WEIGHTS.bin FOLDER 10 0.2
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
    // [clean lost, fill lost, clean known, fill known] squared error sums and pixel counts.
    let mut se = [0.0f64; 4];
    let mut n = [0.0f64; 2];
    for (k, f) in files.iter().enumerate() {
        let img = cinder_datasets::io::load_image(f).expect("image");
        let map = codec.indices(&img).unwrap();
        let known = lost_mask(map.data.len(), fraction, 7 + k as u64);
        let all = vec![true; map.data.len()];
        let (w, h, c) = (img.width, img.height, img.channels);
        let clean = codec.decode_map(&map, &all, Restorer::Mean, w, h, c).unwrap();
        let fill = codec
            .decode_map(&map, &known, Restorer::Smooth { snap: false }, w, h, c)
            .unwrap();
        let c = usize::from(c);
        for (i, &v) in img.data.iter().enumerate() {
            let (x, y) = ((i / c) % w as usize, (i / c) / w as usize);
            let lost = usize::from(!known[(y / 16) * map.width + x / 16]);
            let e = |o: &cinder_core::Image| (f64::from(o.data[i]) - f64::from(v)).powi(2);
            se[2 * (1 - lost)] += e(&clean);
            se[2 * (1 - lost) + 1] += e(&fill);
            n[1 - lost] += 1.0;
        }
    }
    println!(
        "lost blocks: MSE no loss {:.1}, fill {:.1} | known blocks: no loss {:.1}, fill {:.1} | share of the extra error in known blocks {:.1} %",
        se[0] / n[0],
        se[1] / n[0],
        se[2] / n[1],
        se[3] / n[1],
        100.0 * (se[3] - se[2]) / (se[3] - se[2] + se[1] - se[0])
    );
}
