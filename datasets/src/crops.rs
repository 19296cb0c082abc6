//! Seeded random crops of images and audio: the same seed gives the same crops on every machine.
//!
//! The generator is SplitMix64 (Steele, Lea & Flood 2014): tiny, portable and fully specified, so crops never
//! change with a dependency upgrade.

use crate::DatasetError;
use cinder_core::{Audio, Image};

/// SplitMix64: a small deterministic generator for crop positions.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`; 0 when `n == 0`), by 128-bit multiply (Lemire), bias below 2^-64·n.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in [0, 1).
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `width`×`height` window of `image` whose top-left corner is `(x, y)`.
pub fn crop(image: &Image, x: u32, y: u32, width: u32, height: u32) -> Result<Image, DatasetError> {
    if width == 0 || height == 0 || x + width > image.width || y + height > image.height {
        return Err(DatasetError::Unsupported(format!(
            "crop {width}x{height} at ({x}, {y}) does not fit a {}x{} image",
            image.width, image.height
        )));
    }
    let c = image.channels as usize;
    let row = width as usize * c;
    let mut data = Vec::with_capacity(row * height as usize);
    for yy in y..y + height {
        let start = (yy as usize * image.width as usize + x as usize) * c;
        data.extend_from_slice(&image.data[start..start + row]);
    }
    Ok(Image {
        width,
        height,
        channels: image.channels,
        data,
    })
}

/// A random `width`×`height` crop of `image`, the position drawn from `rng`.
pub fn random_crop(
    image: &Image,
    width: u32,
    height: u32,
    rng: &mut SplitMix64,
) -> Result<Image, DatasetError> {
    if width > image.width || height > image.height {
        return crop(image, 0, 0, width, height);
    }
    let x = rng.below(u64::from(image.width - width) + 1) as u32;
    let y = rng.below(u64::from(image.height - height) + 1) as u32;
    crop(image, x, y, width, height)
}

/// `n` random square crops of side `size` from `image`, seeded by `seed`.
pub fn random_crops(image: &Image, size: u32, n: usize, seed: u64) -> Result<Vec<Image>, DatasetError> {
    let mut rng = SplitMix64::new(seed);
    (0..n).map(|_| random_crop(image, size, size, &mut rng)).collect()
}

/// A random excerpt of `frames` frames (all channels) from `audio`; shorter audio is zero-padded at the end.
pub fn random_audio_crop(audio: &Audio, frames: usize, rng: &mut SplitMix64) -> Audio {
    let ch = audio.channels.max(1) as usize;
    let total = audio.samples.len() / ch;
    let start = if total > frames {
        rng.below((total - frames) as u64 + 1) as usize
    } else {
        0
    };
    let mut samples = vec![0.0f32; frames * ch];
    let end = (start + frames).min(total);
    samples[..(end - start) * ch].copy_from_slice(&audio.samples[start * ch..end * ch]);
    Audio {
        sample_rate: audio.sample_rate,
        channels: audio.channels,
        samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::synthetic_image;

    #[test]
    fn crops_are_deterministic_and_in_bounds() {
        let img = synthetic_image(40, 30, 3, 7);
        let a = random_crops(&img, 16, 5, 42).unwrap();
        let b = random_crops(&img, 16, 5, 42).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, random_crops(&img, 16, 5, 43).unwrap());
        for c in &a {
            assert_eq!((c.width, c.height, c.data.len()), (16, 16, 16 * 16 * 3));
        }
    }

    #[test]
    fn crop_copies_the_right_window() {
        let img = Image::new(3, 2, 1, vec![0, 1, 2, 3, 4, 5]).unwrap();
        assert_eq!(crop(&img, 1, 0, 2, 2).unwrap().data, vec![1, 2, 4, 5]);
        assert!(crop(&img, 2, 0, 2, 2).is_err());
    }

    #[test]
    fn audio_crop_pads_short_input() {
        let a = Audio::new(8000, 1, vec![0.5; 10]).unwrap();
        let c = random_audio_crop(&a, 16, &mut SplitMix64::new(1));
        assert_eq!(c.samples.len(), 16);
        assert_eq!(c.samples[9], 0.5);
        assert_eq!(c.samples[10], 0.0);
    }
}
