//! WebP through libwebp's `cwebp`/`dwebp` (Debian `webp`): lossy at quality 0–100 with the tool's default
//! method 4, or lossless (`-lossless -z 9 -exact`, the strongest preset).

use crate::baselines::image_tool::{code_via_files, Input};
use crate::baselines::tool::Tool;
use crate::codec::{Coded, ImageCoder};
use crate::EvalError;
use cinder_core::Image;

/// `cwebp`.
pub const CWEBP: Tool = Tool {
    program: "cwebp",
    package: "webp",
};
/// `dwebp`.
pub const DWEBP: Tool = Tool {
    program: "dwebp",
    package: "webp",
};

/// The WebP baseline.
pub struct Webp {
    /// Lossless mode (quality ignored).
    pub lossless: bool,
}

impl ImageCoder for Webp {
    fn lossless(&self) -> bool {
        self.lossless
    }
    fn code(&self, image: &Image, quality: f64) -> Result<Coded<Image>, EvalError> {
        let q = format!("{}", quality.clamp(0.0, 100.0));
        let mode: Vec<&str> = if self.lossless {
            vec!["-lossless", "-z", "9", "-exact"]
        } else {
            vec!["-q", q.as_str()]
        };
        code_via_files(
            image,
            Input::Png,
            "webp",
            "ppm",
            &|src, dst| {
                let mut args: Vec<&std::ffi::OsStr> = vec!["-quiet".as_ref()];
                args.extend(mode.iter().map(std::ffi::OsStr::new));
                args.extend([src.as_os_str(), "-o".as_ref(), dst.as_os_str()]);
                CWEBP.run(args)
            },
            &|src, dst| {
                DWEBP.run([
                    src.as_os_str(),
                    "-ppm".as_ref(),
                    "-quiet".as_ref(),
                    "-o".as_ref(),
                    dst.as_os_str(),
                ])
            },
        )
    }
}
