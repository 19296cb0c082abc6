//! JPEG XL through libjxl's `cjxl`/`djxl` (Debian `libjxl-tools`): effort 7 (the default), one thread; lossy at
//! `--quality q` (0–100, remapped by libjxl to a Butteraugli distance) or lossless (`--distance 0`).

use crate::baselines::image_tool::{code_via_files, Input};
use crate::baselines::tool::Tool;
use crate::codec::{Coded, ImageCoder};
use crate::EvalError;
use cinder_core::Image;

/// `cjxl`.
pub const CJXL: Tool = Tool {
    program: "cjxl",
    package: "libjxl-tools",
};
/// `djxl`.
pub const DJXL: Tool = Tool {
    program: "djxl",
    package: "libjxl-tools",
};

/// The JPEG XL baseline.
pub struct Jxl {
    /// Lossless mode (quality ignored).
    pub lossless: bool,
}

impl ImageCoder for Jxl {
    fn lossless(&self) -> bool {
        self.lossless
    }
    fn code(&self, image: &Image, quality: f64) -> Result<Coded<Image>, EvalError> {
        let mode = if self.lossless {
            "--distance=0".to_string()
        } else {
            format!("--quality={}", quality.clamp(0.0, 100.0))
        };
        code_via_files(
            image,
            Input::Png,
            "jxl",
            "png",
            &|src, dst| {
                CJXL.run([
                    src.as_os_str(),
                    dst.as_os_str(),
                    mode.as_ref(),
                    "--effort=7".as_ref(),
                    "--num_threads=1".as_ref(),
                    "--quiet".as_ref(),
                ])
            },
            &|src, dst| {
                DJXL.run([
                    src.as_os_str(),
                    dst.as_os_str(),
                    "--num_threads=1".as_ref(),
                    "--quiet".as_ref(),
                ])
            },
        )
    }
}
