//! AVIF through libavif's `avifenc`/`avifdec` (Debian `libavif-bin`, AOM encoder): speed 6 (the default), one
//! thread, YUV 4:4:4 from RGB PNG (the tool's default). libavif 0.11 has no quality flag, so quality q in
//! 0–100 maps to a fixed colour quantizer `round(63 · (100 − q) / 100)` (`--min = --max`).

use crate::baselines::image_tool::{code_via_files, Input};
use crate::baselines::tool::Tool;
use crate::codec::{Coded, ImageCoder};
use crate::EvalError;
use cinder_core::Image;

/// `avifenc`.
pub const AVIFENC: Tool = Tool {
    program: "avifenc",
    package: "libavif-bin",
};
/// `avifdec`.
pub const AVIFDEC: Tool = Tool {
    program: "avifdec",
    package: "libavif-bin",
};

/// The quantizer used for quality `q`.
pub fn quantizer(q: f64) -> u32 {
    (63.0 * (100.0 - q.clamp(0.0, 100.0)) / 100.0).round() as u32
}

/// The AVIF baseline.
pub struct Avif;

impl ImageCoder for Avif {
    fn lossless(&self) -> bool {
        false
    }
    fn code(&self, image: &Image, quality: f64) -> Result<Coded<Image>, EvalError> {
        let qz = quantizer(quality).to_string();
        code_via_files(
            image,
            Input::Png,
            "avif",
            "png",
            &|src, dst| {
                AVIFENC.run([
                    "-j".as_ref(),
                    "1".as_ref(),
                    "-s".as_ref(),
                    "6".as_ref(),
                    "--min".as_ref(),
                    qz.as_ref(),
                    "--max".as_ref(),
                    qz.as_ref(),
                    src.as_os_str(),
                    dst.as_os_str(),
                ])
            },
            &|src, dst| {
                AVIFDEC.run([
                    "-j".as_ref(),
                    "1".as_ref(),
                    "-d".as_ref(),
                    "8".as_ref(),
                    src.as_os_str(),
                    dst.as_os_str(),
                ])
            },
        )
    }
}
