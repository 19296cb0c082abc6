//! The shared encode → file → decode path of the command-line image codecs.

use crate::baselines::pnm::{encode_pnm, match_channels};
use crate::baselines::tool::{file_len, scratch, write};
use crate::codec::Coded;
use crate::EvalError;
use cinder_core::Image;
use cinder_datasets::io::{encode_png, load_image};
use std::path::Path;

/// The input file format a tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// PNG.
    Png,
    /// Binary PPM/PGM.
    Pnm,
}

/// Writes `image` as `input`, runs `encode(in, compressed)` and `decode(compressed, out)` (each returning its
/// wall time), and reads back the decoded file. `ext` is the compressed file's extension, `out_ext` the
/// decoded file's.
pub fn code_via_files(
    image: &Image,
    input: Input,
    ext: &str,
    out_ext: &str,
    encode: &dyn Fn(&Path, &Path) -> Result<f64, EvalError>,
    decode: &dyn Fn(&Path, &Path) -> Result<f64, EvalError>,
) -> Result<Coded<Image>, EvalError> {
    let dir = scratch()?;
    let (src, comp) = match input {
        Input::Png => (dir.path().join("in.png"), dir.path().join(format!("c.{ext}"))),
        Input::Pnm => (
            dir.path()
                .join(if image.channels == 1 { "in.pgm" } else { "in.ppm" }),
            dir.path().join(format!("c.{ext}")),
        ),
    };
    let src_bytes = match input {
        Input::Png => encode_png(image)?,
        Input::Pnm => encode_pnm(image),
    };
    write(&src, &src_bytes)?;
    let encode_s = encode(&src, &comp)?;
    let bytes = file_len(&comp)?;
    let out = dir.path().join(format!("out.{out_ext}"));
    let decode_s = decode(&comp, &out)?;
    let decoded = match_channels(load_image(&out)?, image.channels);
    Ok(Coded {
        bytes,
        decoded,
        encode_s,
        decode_s,
        estimate: None,
    })
}
