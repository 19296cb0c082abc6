//! The shared encode → file → decode path of the command-line audio codecs.

use crate::baselines::tool::{file_len, scratch, write};
use crate::codec::Coded;
use crate::EvalError;
use cinder_core::Audio;
use cinder_datasets::io::{encode_wav, load_audio};
use cinder_datasets::resample::resample;
use std::path::Path;

/// `audio` with every sample rounded to a 16-bit step (what a 16-bit WAV holds).
pub fn quantize_16(audio: &Audio) -> Audio {
    Audio {
        sample_rate: audio.sample_rate,
        channels: audio.channels,
        samples: audio
            .samples
            .iter()
            .map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) / 32768.0)
            .collect(),
    }
}

/// 16-bit little-endian PCM bytes.
pub fn to_s16le(samples: &[f32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|&s| ((s * 32768.0).round().clamp(-32768.0, 32767.0) as i16).to_le_bytes())
        .collect()
}

/// Samples from 16-bit little-endian PCM bytes.
pub fn from_s16le(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

/// Writes `audio` as a 16-bit WAV, runs `encode(in, compressed)` then `decode(compressed, out_wav)` and
/// reads the decoded WAV back at the input's rate.
pub fn code_via_wav(
    audio: &Audio,
    ext: &str,
    encode: &dyn Fn(&Path, &Path) -> Result<f64, EvalError>,
    decode: &dyn Fn(&Path, &Path) -> Result<f64, EvalError>,
) -> Result<Coded<Audio>, EvalError> {
    let dir = scratch()?;
    let (src, comp, out) = (
        dir.path().join("in.wav"),
        dir.path().join(format!("c.{ext}")),
        dir.path().join("out.wav"),
    );
    write(&src, &encode_wav(&quantize_16(audio))?)?;
    let encode_s = encode(&src, &comp)?;
    let bytes = file_len(&comp)?;
    let decode_s = decode(&comp, &out)?;
    let decoded = resample(&load_audio(&out)?, audio.sample_rate)?;
    Ok(Coded {
        bytes,
        decoded,
        encode_s,
        decode_s,
        estimate: None,
    })
}
