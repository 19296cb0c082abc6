//! Codec 2 through `c2enc`/`c2dec` (Debian `codec2`): 8 kHz narrow-band speech; the quality is the bitrate in
//! kbps (3.2, 2.4, 1.6, 1.4, 1.3, 1.2 or 0.7 for mode 700C). Input is downmixed and resampled to 8 kHz, the
//! headerless bit file is what is counted, and the decoded speech is resampled back to the input's rate.

use crate::baselines::audio_tool::{from_s16le, to_s16le};
use crate::baselines::tool::{file_len, scratch, write, Tool};
use crate::codec::{AudioCoder, Coded};
use crate::EvalError;
use cinder_core::Audio;
use cinder_datasets::resample::{resample, to_mono_at};

/// `c2enc`.
pub const C2ENC: Tool = Tool {
    program: "c2enc",
    package: "codec2",
};
/// `c2dec`.
pub const C2DEC: Tool = Tool {
    program: "c2dec",
    package: "codec2",
};

/// The Codec 2 mode name for a bitrate in kbps.
pub fn mode(kbps: f64) -> Result<&'static str, EvalError> {
    let modes = [
        (3.2, "3200"),
        (2.4, "2400"),
        (1.6, "1600"),
        (1.4, "1400"),
        (1.3, "1300"),
        (1.2, "1200"),
        (0.7, "700C"),
    ];
    modes
        .iter()
        .find(|(k, _)| (k - kbps).abs() < 1e-6)
        .map(|(_, m)| *m)
        .ok_or_else(|| {
            EvalError::BadArgument(format!(
                "codec2 has no {kbps} kbps mode (accepted: 3.2, 2.4, 1.6, 1.4, 1.3, 1.2, 0.7)"
            ))
        })
}

/// The Codec 2 baseline.
pub struct Codec2;

impl AudioCoder for Codec2 {
    fn lossless(&self) -> bool {
        false
    }
    fn code(&self, audio: &Audio, quality: f64) -> Result<Coded<Audio>, EvalError> {
        let m = mode(quality)?;
        let dir = scratch()?;
        let (src, comp, out) = (
            dir.path().join("in.raw"),
            dir.path().join("c.bit"),
            dir.path().join("out.raw"),
        );
        let narrow = to_mono_at(audio, 8000)?;
        write(&src, &to_s16le(&narrow.samples))?;
        let encode_s = C2ENC.run([m.as_ref(), src.as_os_str(), comp.as_os_str()])?;
        let bytes = file_len(&comp)?;
        let decode_s = C2DEC.run([m.as_ref(), comp.as_os_str(), out.as_os_str()])?;
        let raw = std::fs::read(&out).map_err(|e| EvalError::io(&out, e))?;
        let decoded = Audio::new(8000, 1, from_s16le(&raw))?;
        Ok(Coded {
            bytes,
            decoded: resample(&decoded, audio.sample_rate)?,
            encode_s,
            decode_s,
            estimate: None,
        })
    }
}
