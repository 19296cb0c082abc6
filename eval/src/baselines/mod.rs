//! Classic codecs measured through the same metric code as Cinder's (DESIGN §9). They are not container
//! codecs: each runs Debian's command-line tool (installed by `.ci/run`) or, for PNG, the `image` crate, and
//! its rate is the size of the file the tool wrote.
//!
//! | name | tool | quality means | default sweep |
//! |---|---|---|---|
//! | `jpeg` | cjpeg/djpeg | IJG quality | 10 20 30 40 50 60 75 90 |
//! | `webp` | cwebp/dwebp | cwebp `-q` | 5 20 40 60 80 95 |
//! | `avif` | avifenc/avifdec | quantizer `round(63·(100−q)/100)` | 20 35 50 65 80 90 |
//! | `jxl` | cjxl/djxl | cjxl `--quality` | 30 50 65 80 90 95 |
//! | `png`, `webp-lossless`, `jxl-lossless` | image crate, cwebp, cjxl | (lossless) | one point |
//! | `opus` | opusenc/opusdec | target kbps | 6 8 12 |
//! | `codec2` | c2enc/c2dec | kbps (mode) | 1.2 3.2 |
//! | `flac` | flac | (lossless) | one point |

pub mod audio_tool;
pub mod avif;
pub mod codec2;
pub mod flac;
pub mod image_tool;
pub mod jpeg;
pub mod jxl;
pub mod opus;
pub mod png;
pub mod pnm;
pub mod tool;
pub mod webp;

use crate::codec::{Coder, Resolved};
use crate::EvalError;
use tool::Tool;

/// Names of the built-in baselines.
pub const NAMES: &[&str] = &[
    "jpeg",
    "webp",
    "avif",
    "jxl",
    "png",
    "webp-lossless",
    "jxl-lossless",
    "opus",
    "codec2",
    "flac",
];

/// The tools a baseline needs.
pub fn tools(name: &str) -> &'static [Tool] {
    match name {
        "jpeg" => &[jpeg::CJPEG, jpeg::DJPEG],
        "webp" | "webp-lossless" => &[webp::CWEBP, webp::DWEBP],
        "avif" => &[avif::AVIFENC, avif::AVIFDEC],
        "jxl" | "jxl-lossless" => &[jxl::CJXL, jxl::DJXL],
        "opus" => &[opus::OPUSENC, opus::OPUSDEC],
        "codec2" => &[codec2::C2ENC, codec2::C2DEC],
        "flac" => &[flac::FLAC],
        _ => &[],
    }
}

/// Opens the baseline `name` (`None` if it is not one), checking that its tools are installed.
pub fn open(name: &str) -> Result<Option<Resolved>, EvalError> {
    let lower = name.to_ascii_lowercase();
    let (coder, qualities, description): (Coder, &[f64], &str) = match lower.as_str() {
        "jpeg" => (
            Coder::Image(Box::new(jpeg::Jpeg)),
            &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 75.0, 90.0],
            "JPEG (libjpeg-turbo cjpeg, 4:2:0, quality sweep)",
        ),
        "webp" => (
            Coder::Image(Box::new(webp::Webp { lossless: false })),
            &[5.0, 20.0, 40.0, 60.0, 80.0, 95.0],
            "WebP (libwebp cwebp -q, method 4)",
        ),
        "avif" => (
            Coder::Image(Box::new(avif::Avif)),
            &[20.0, 35.0, 50.0, 65.0, 80.0, 90.0],
            "AVIF (libavif avifenc + libaom, speed 6, 4:4:4, quantizer = round(63(100-q)/100))",
        ),
        "jxl" => (
            Coder::Image(Box::new(jxl::Jxl { lossless: false })),
            &[30.0, 50.0, 65.0, 80.0, 90.0, 95.0],
            "JPEG XL (libjxl cjxl --quality, effort 7)",
        ),
        "png" => (
            Coder::Image(Box::new(png::Png)),
            &[0.0],
            "PNG (image crate, best zlib, adaptive filters)",
        ),
        "webp-lossless" => (
            Coder::Image(Box::new(webp::Webp { lossless: true })),
            &[0.0],
            "WebP lossless (cwebp -lossless -z 9 -exact)",
        ),
        "jxl-lossless" => (
            Coder::Image(Box::new(jxl::Jxl { lossless: true })),
            &[0.0],
            "JPEG XL lossless (cjxl -d 0, effort 7)",
        ),
        "opus" => (
            Coder::Audio(Box::new(opus::Opus)),
            &[6.0, 8.0, 12.0],
            "Opus (opusenc VBR at target kbps, complexity 10; rate counts the Ogg file)",
        ),
        "codec2" => (
            Coder::Audio(Box::new(codec2::Codec2)),
            &[1.2, 3.2],
            "Codec 2 (c2enc at 8 kHz, headerless bit file)",
        ),
        "flac" => (Coder::Audio(Box::new(flac::Flac)), &[0.0], "FLAC (flac -8)"),
        _ => return Ok(None),
    };
    for t in tools(&lower) {
        t.require()?;
    }
    Ok(Some(Resolved {
        coder,
        default_qualities: qualities.to_vec(),
        description: description.to_string(),
    }))
}

/// For tests: true (and a printed note otherwise) when every tool of `name` is installed.
pub fn tools_present(name: &str) -> bool {
    let missing: Vec<&str> = tools(name)
        .iter()
        .filter(|t| !t.available())
        .map(|t| t.program)
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "skipping '{name}' test: {} not installed (.ci/run installs it)",
            missing.join(", ")
        );
    }
    missing.is_empty()
}

#[cfg(test)]
mod tests;
