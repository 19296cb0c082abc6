//! Training photos in memory and seeded random crops (spec §6.4: random crops + flips of a few hundred images).
//! Every `val_every`-th image (sorted by path) is held out for validation. Batches are pure functions of
//! `(seed, step)`, so a resumed run sees the same data.

use crate::VqganError;
use cinder_core::Image;
use cinder_nn::train_io::{mix, sample_seed};
use rayon::prelude::*;
use std::path::Path;

/// The loaded training set.
pub struct ImageData {
    /// Training images (RGB or grey).
    pub train: Vec<Image>,
    /// Held-out images.
    pub val: Vec<Image>,
}

impl ImageData {
    /// Loads every image under `dir` whose sides are at least `crop`.
    pub fn load(
        dir: &Path,
        crop: usize,
        val_every: usize,
        log: &mut dyn FnMut(&str),
    ) -> Result<Self, VqganError> {
        let folder = cinder_datasets::folders::ImageFolder::open(dir)
            .map_err(|e| VqganError::Data(format!("{}: {e}", dir.display())))?;
        let loaded: Vec<Result<Image, String>> = (0..folder.len())
            .into_par_iter()
            .map(|i| {
                folder
                    .get(i)
                    .map_err(|e| format!("{}: {e}", folder.paths[i].display()))
            })
            .collect();
        let (mut train, mut val) = (Vec::new(), Vec::new());
        let mut skipped = 0;
        for (i, img) in loaded.into_iter().enumerate() {
            let img = img.map_err(VqganError::Data)?;
            if (img.width as usize) < crop || (img.height as usize) < crop || !matches!(img.channels, 1 | 3) {
                skipped += 1;
                continue;
            }
            if val_every > 0 && i % val_every == val_every - 1 {
                val.push(img);
            } else {
                train.push(img);
            }
        }
        if train.is_empty() {
            return Err(VqganError::Data(format!(
                "no training images of at least {crop}×{crop} under {}",
                dir.display()
            )));
        }
        log(&format!(
            "{} training and {} held-out images from {} ({skipped} skipped: smaller than {crop}² or not RGB/grey)",
            train.len(),
            val.len(),
            dir.display()
        ));
        Ok(ImageData { train, val })
    }

    /// `[batch, 3, crop, crop]` values in [−1, 1]: random crops, randomly mirrored.
    pub fn batch(&self, seed: u64, step: u64, batch: usize, crop: usize) -> Vec<f32> {
        let crops: Vec<Vec<f32>> = (0..batch as u64)
            .into_par_iter()
            .map(|i| {
                let r = sample_seed(seed, step, i);
                let img = &self.train[(r % self.train.len() as u64) as usize];
                let r2 = mix(r);
                let (w, h) = (img.width as usize, img.height as usize);
                let x0 = (r2 % (w - crop + 1) as u64) as usize;
                let y0 = ((r2 >> 32) % (h - crop + 1) as u64) as usize;
                let flip = mix(r2) & 1 == 1;
                crop_planes(img, x0, y0, crop, crop, flip)
            })
            .collect();
        crops.concat()
    }
}

/// `[3, ch, cw]` planes in [−1, 1] of the window at (x0, y0), optionally mirrored.
pub fn crop_planes(img: &Image, x0: usize, y0: usize, cw: usize, ch: usize, flip: bool) -> Vec<f32> {
    let c = usize::from(img.channels);
    let w = img.width as usize;
    let mut out = vec![0.0f32; 3 * cw * ch];
    for y in 0..ch {
        for i in 0..cw {
            let x = if flip { x0 + cw - 1 - i } else { x0 + i };
            let at = ((y0 + y) * w + x) * c;
            for k in 0..3 {
                out[(k * ch + y) * cw + i] =
                    f32::from(img.data[at + if c == 3 { k } else { 0 }]) / 127.5 - 1.0;
            }
        }
    }
    out
}

/// The centre `side × side` crop of a held-out image (the whole image when smaller), as an image.
pub fn centre_crop(img: &Image, side: usize) -> Image {
    let (w, h) = (img.width as usize, img.height as usize);
    let (cw, ch) = (side.min(w), side.min(h));
    let (x0, y0) = ((w - cw) / 2, (h - ch) / 2);
    let c = usize::from(img.channels);
    let mut data = Vec::with_capacity(cw * ch * c);
    for y in y0..y0 + ch {
        data.extend_from_slice(&img.data[(y * w + x0) * c..(y * w + x0 + cw) * c]);
    }
    Image {
        width: cw as u32,
        height: ch as u32,
        channels: img.channels,
        data,
    }
}
