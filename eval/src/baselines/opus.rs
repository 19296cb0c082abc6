//! Opus through `opusenc`/`opusdec` (Debian `opus-tools`): VBR at a target bitrate in kbps (the quality
//! value), complexity 10, metadata discarded; decoded at the input's rate. The rate counts the whole Ogg file
//! (page and header overhead included), so it sits above the target at low bitrates.

use crate::baselines::audio_tool::code_via_wav;
use crate::baselines::tool::Tool;
use crate::codec::{AudioCoder, Coded};
use crate::EvalError;
use cinder_core::Audio;

/// `opusenc`.
pub const OPUSENC: Tool = Tool {
    program: "opusenc",
    package: "opus-tools",
};
/// `opusdec`.
pub const OPUSDEC: Tool = Tool {
    program: "opusdec",
    package: "opus-tools",
};

/// The Opus baseline; quality is the target bitrate in kbps.
pub struct Opus;

impl AudioCoder for Opus {
    fn lossless(&self) -> bool {
        false
    }
    fn code(&self, audio: &Audio, quality: f64) -> Result<Coded<Audio>, EvalError> {
        let kbps = format!("{}", quality.clamp(6.0, 256.0));
        let rate = audio.sample_rate.to_string();
        code_via_wav(
            audio,
            "opus",
            &|src, dst| {
                OPUSENC.run([
                    "--quiet".as_ref(),
                    "--bitrate".as_ref(),
                    kbps.as_ref(),
                    "--comp".as_ref(),
                    "10".as_ref(),
                    "--discard-comments".as_ref(),
                    src.as_os_str(),
                    dst.as_os_str(),
                ])
            },
            &|src, dst| {
                OPUSDEC.run([
                    "--quiet".as_ref(),
                    "--rate".as_ref(),
                    rate.as_ref(),
                    src.as_os_str(),
                    dst.as_os_str(),
                ])
            },
        )
    }
}
