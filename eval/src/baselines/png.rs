//! PNG through the `image` crate (in process): best zlib compression with adaptive per-row filters. Lossless;
//! the quality is ignored.

use crate::baselines::tool::{file_len, scratch, write};
use crate::codec::{Coded, ImageCoder};
use crate::EvalError;
use cinder_core::Image;
use cinder_datasets::io::load_image;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use std::time::Instant;

/// The PNG baseline.
pub struct Png;

/// PNG bytes of `image` at the strongest settings.
pub fn encode_png_best(image: &Image) -> Result<Vec<u8>, EvalError> {
    let color = match image.channels {
        1 => ExtendedColorType::L8,
        3 => ExtendedColorType::Rgb8,
        _ => ExtendedColorType::Rgba8,
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(&image.data, image.width, image.height, color)
        .map_err(|e| EvalError::Tool {
            tool: "png encoder".into(),
            message: e.to_string(),
        })?;
    Ok(out)
}

impl ImageCoder for Png {
    fn lossless(&self) -> bool {
        true
    }
    fn code(&self, image: &Image, _quality: f64) -> Result<Coded<Image>, EvalError> {
        let dir = scratch()?;
        let path = dir.path().join("c.png");
        let t = Instant::now();
        let bytes = encode_png_best(image)?;
        write(&path, &bytes)?;
        let encode_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let decoded = load_image(&path)?;
        Ok(Coded {
            bytes: file_len(&path)?,
            decoded,
            encode_s,
            decode_s: t.elapsed().as_secs_f64(),
            estimate: None,
        })
    }
}
