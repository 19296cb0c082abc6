//! JPEG through libjpeg-turbo's `cjpeg`/`djpeg` (Debian `libjpeg-turbo-progs`): IJG quality 0–100 with the
//! tool's defaults (4:2:0 chroma, standard Huffman tables), the settings of CompressAI's JPEG anchor (PIL).

use crate::baselines::image_tool::{code_via_files, Input};
use crate::baselines::tool::Tool;
use crate::codec::{Coded, ImageCoder};
use crate::EvalError;
use cinder_core::Image;

/// `cjpeg`.
pub const CJPEG: Tool = Tool {
    program: "cjpeg",
    package: "libjpeg-turbo-progs",
};
/// `djpeg`.
pub const DJPEG: Tool = Tool {
    program: "djpeg",
    package: "libjpeg-turbo-progs",
};

/// The JPEG baseline; quality is the IJG quality factor.
pub struct Jpeg;

impl ImageCoder for Jpeg {
    fn lossless(&self) -> bool {
        false
    }
    fn code(&self, image: &Image, quality: f64) -> Result<Coded<Image>, EvalError> {
        let q = format!("{}", quality.round().clamp(0.0, 100.0) as u32);
        code_via_files(
            image,
            Input::Pnm,
            "jpg",
            if image.channels == 1 { "pgm" } else { "ppm" },
            &|src, dst| {
                CJPEG.run([
                    "-quality".as_ref(),
                    q.as_ref(),
                    "-outfile".as_ref(),
                    dst.as_os_str(),
                    src.as_os_str(),
                ])
            },
            &|src, dst| {
                DJPEG.run([
                    "-pnm".as_ref(),
                    "-outfile".as_ref(),
                    dst.as_os_str(),
                    src.as_os_str(),
                ])
            },
        )
    }
}
