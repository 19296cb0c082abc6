//! Compares our context-adaptive latent coder with lossless WebP of the same latents tiled as the reference does
//! (`latent_to_pil`: `+128` to uint8, channels as an `n×n` mosaic per colour plane, RGB), on a folder of images.
//! Needs `cwebp` (Debian `webp`).
//!
//! `cargo run --release -p cinder-walloc --example webp_compare -- ../shared/data/images/kodak 2`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::{EncodeOptions, Image, ImageCodec};
use cinder_walloc::WallocCodec;
use std::process::Command;

fn mosaic(l: &cinder_walloc::Latents) -> Image {
    let n = ((l.channels / 3) as f64).sqrt() as usize;
    assert_eq!(3 * n * n, l.channels, "mosaic needs 3·n² channels");
    let (h, w) = (l.height, l.width);
    let (mh, mw) = (n * h, n * w);
    let mut data = vec![0u8; mh * mw * 3];
    for colour in 0..3 {
        for row in 0..n {
            for col in 0..n {
                let c = colour * n * n + row * n + col;
                for y in 0..h {
                    for x in 0..w {
                        let v = i32::from(l.data[(c * h + y) * w + x]) + 128;
                        data[((row * h + y) * mw + col * w + x) * 3 + colour] = v as u8;
                    }
                }
            }
        }
    }
    Image::new(mw as u32, mh as u32, 3, data).unwrap()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let quality: u8 = a[2].parse().unwrap();
    let codec = WallocCodec::embedded(quality).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&a[1])
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| cinder_datasets::io::is_image_path(p));
    files.sort();
    let tmp = std::env::temp_dir().join(format!("walloc-webp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (mut ours, mut webp_default, mut webp_best, mut pixels) = (0u64, 0u64, 0u64, 0u64);
    for f in &files {
        let img = cinder_datasets::io::load_image(f).unwrap();
        let container = codec.encode(&img, &EncodeOptions::default()).unwrap();
        ours += container.payload_bytes();
        let png = tmp.join("lat.png");
        std::fs::write(
            &png,
            cinder_datasets::io::encode_png(&mosaic(&codec.encode_latents(&img).unwrap())).unwrap(),
        )
        .unwrap();
        for (flags, total) in [
            (&["-q", "80", "-m", "4"][..], &mut webp_default),
            (&["-z", "9"][..], &mut webp_best),
        ] {
            let out = tmp.join("lat.webp");
            let st = Command::new("cwebp")
                .arg("-quiet")
                .arg("-lossless")
                .args(flags)
                .arg(&png)
                .arg("-o")
                .arg(&out)
                .status()
                .unwrap();
            assert!(st.success());
            *total += std::fs::metadata(&out).unwrap().len();
        }
        pixels += img.pixels();
    }
    let bpp = |b: u64| b as f64 * 8.0 / pixels as f64;
    println!(
        "quality {quality}, {} images: ours {:.4} bpp (chunk payloads), WebP lossless -q 80 -m 4 {:.4} bpp, -z 9 {:.4} bpp; ours is {:.1} % / {:.1} % smaller",
        files.len(),
        bpp(ours),
        bpp(webp_default),
        bpp(webp_best),
        100.0 * (1.0 - ours as f64 / webp_default as f64),
        100.0 * (1.0 - ours as f64 / webp_best as f64)
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
