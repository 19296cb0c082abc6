//! Tiles images into a grid PNG (rows separated by `--`), halved in size by 2×2 averaging: the issue-8 image grid
//! (original / ours / JPEG), driven by `scripts/grid.sh`.
//!
//! ```text
//! cargo run --release -p cinder-vqgan --example grid -- OUT.png a1.png a2.png -- b1.png b2.png
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cinder_core::Image;

fn rgb(img: Image) -> Image {
    if img.channels == 3 {
        return img;
    }
    let c = usize::from(img.channels);
    let data = img
        .data
        .chunks(c)
        .flat_map(|p| [p[0], p[c.min(2) - 1 + usize::from(c > 1)], p[0]])
        .collect();
    Image::new(img.width, img.height, 3, data).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: Vec<Vec<Image>> = args[2..]
        .split(|a| a == "--")
        .map(|row| {
            row.iter()
                .map(|f| rgb(cinder_datasets::io::load_image(std::path::Path::new(f)).expect("image")))
                .collect()
        })
        .collect();
    let cell_w = rows.iter().flatten().map(|i| i.width).max().unwrap_or(0) as usize;
    let cell_h = rows.iter().flatten().map(|i| i.height).max().unwrap_or(0) as usize;
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let (w, h) = (cell_w * cols, cell_h * rows.len());
    let mut full = vec![255u8; w * h * 3];
    for (r, row) in rows.iter().enumerate() {
        for (c, img) in row.iter().enumerate() {
            for y in 0..img.height as usize {
                for x in 0..img.width as usize {
                    let src = (y * img.width as usize + x) * 3;
                    let dst = ((r * cell_h + y) * w + c * cell_w + x) * 3;
                    full[dst..dst + 3].copy_from_slice(&img.data[src..src + 3]);
                }
            }
        }
    }
    let (hw, hh) = (w / 2, h / 2);
    let mut half = Vec::with_capacity(hw * hh * 3);
    for y in 0..hh {
        for x in 0..hw {
            for k in 0..3 {
                let at = |dy: usize, dx: usize| u32::from(full[((2 * y + dy) * w + 2 * x + dx) * 3 + k]);
                half.push(((at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1) + 2) / 4) as u8);
            }
        }
    }
    let png = cinder_datasets::io::encode_png(&Image::new(hw as u32, hh as u32, 3, half).unwrap()).unwrap();
    std::fs::write(&args[1], png).unwrap();
    println!("wrote {} ({hw}×{hh})", args[1]);
}
